/**
 * A fake LibreTranslate server on 127.0.0.1, following LibreTranslate's own code (libretranslate/app.py:
 * access_check and translate(); language.py: iso2model / model2iso). It implements:
 *
 * - POST /translate with a JSON body or a form body (`q` then is one string). Other paths: 404 with an
 *   HTML page, as Flask answers.
 * - API keys, as with `--api-keys`: `api_key` in the body; an unknown key answers 403
 *   `{ error: 'Invalid API key' }`; with `requireApiKey` (how libretranslate.com runs) a missing key
 *   answers 400 `{ error: 'Visit https://portal.libretranslate.com to get an API key' }`.
 * - Validation in LibreTranslate's order, each 400 `{ error }`: JSON that is not an object ("Invalid JSON
 *   format"); missing or empty `q`, `source`, `target` ("Invalid request: missing q parameter");
 *   `batchLimit` (texts per request) and `charLimit` (characters per text) ("Invalid request: request (N)
 *   exceeds text limit (L)"); unknown languages ("xx is not supported"); a format other than text / html.
 * - Languages: en es fr de ja it pt zh (Simplified, also as zh-Hans) zt (Traditional, also as zh-Hant);
 *   'pt-BR' maps to the model 'pb', which is not installed here (as on most servers) and is refused.
 * - The answer: `q` a string gives `{ translatedText: string, detectedLanguage?: { confidence, language } }`;
 *   `q` an array gives `{ translatedText: string[], detectedLanguage?: [...] }` with one detection per text
 *   (the same one, detected on the whole batch, as LibreTranslate does). detectedLanguage only with
 *   source 'auto'. Results are HTML-unescaped, as LibreTranslate does in both formats. With format html,
 *   only text between tags is translated.
 *
 * Not implemented: alternatives (refused when > 0), /detect, /languages, /translate_file, /suggest,
 * secrets, origins. 429 ("Slowdown: ...") and 500 are scripted with `enqueue`.
 */
import { fakeDetect, fakeLanguage, fakeTranslate, type FakeLanguage } from './fake-dictionary.js';
import { header, isObject, startFakeHttpServer, type FakeHttpServer, type FakeResponse, type RecordedRequest } from './fake-http.js';

const ALIASES: Record<string, string> = { pb: 'pt-BR', zh: 'zh-Hans', zt: 'zh-Hant' };
const REVERSE_ALIASES: Record<string, string> = Object.fromEntries(Object.entries(ALIASES).map(([model, iso]) => [iso.toLowerCase(), model]));
const INSTALLED = ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh', 'zt'];

export interface FakeLibreTranslateOptions {
  /** Valid keys, as with --api-keys. */
  apiKeys?: string[];
  /** Refuse requests without a key (libretranslate.com). */
  requireApiKey?: boolean;
  /** --batch-limit */
  batchLimit?: number;
  /** --char-limit */
  charLimit?: number;
}

export interface FakeLibreTranslateServer extends FakeHttpServer {
  readonly url: string;
  transform: ((text: string, index: number) => string) | undefined;
}

function iso2model(code: unknown): string | undefined {
  if (typeof code !== 'string' || code === '') return undefined;
  const lower = code.toLowerCase();
  return REVERSE_ALIASES[lower] ?? lower;
}

function model2iso(code: string): string {
  return ALIASES[code] ?? code;
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x?27;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}

export async function startFakeLibreTranslate(options: FakeLibreTranslateOptions = {}): Promise<FakeLibreTranslateServer> {
  const state: { transform: FakeLibreTranslateServer['transform'] } = { transform: undefined };
  const error = (status: number, message: string): FakeResponse => ({ status, body: { error: message } });

  const handle = (request: RecordedRequest): FakeResponse => {
    if (request.path.split('?')[0] !== '/translate' || request.method !== 'POST') {
      return { status: 404, body: '<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>', headers: { 'content-type': 'text/html; charset=utf-8' } };
    }
    const isJson = (header(request, 'content-type') ?? '').toLowerCase().startsWith('application/json');
    let params: Record<string, unknown>;
    if (isJson) {
      if (request.json === undefined) return error(400, 'Failed to decode JSON object');
      if (!isObject(request.json)) return error(400, 'Invalid JSON format');
      params = request.json;
    } else {
      params = Object.fromEntries(new URLSearchParams(request.body).entries());
    }

    const apiKey = typeof params['api_key'] === 'string' && params['api_key'] !== '' ? params['api_key'] : undefined;
    if (options.apiKeys && apiKey !== undefined && !options.apiKeys.includes(apiKey)) return error(403, 'Invalid API key');
    if (options.requireApiKey && (apiKey === undefined || !(options.apiKeys ?? []).includes(apiKey))) {
      return error(400, 'Visit https://portal.libretranslate.com to get an API key');
    }

    const q = params['q'];
    const source = iso2model(params['source']);
    const target = iso2model(params['target']);
    const format = params['format'];
    const alternatives = Number(params['alternatives'] ?? 0);
    if (q === undefined || q === null || q === '' || (Array.isArray(q) && q.length === 0)) return error(400, 'Invalid request: missing q parameter');
    if (!source) return error(400, 'Invalid request: missing source parameter');
    if (!target) return error(400, 'Invalid request: missing target parameter');
    if (!Number.isInteger(alternatives)) return error(400, 'Invalid request: alternatives parameter is not a number');
    if (alternatives > 0) return error(400, 'This fake does not produce alternatives');

    const batch = Array.isArray(q);
    const texts: unknown[] = batch ? q : [q];
    if (!texts.every((text): text is string => typeof text === 'string')) return error(400, 'Invalid request: q must be a string or a list of strings');
    if (batch && options.batchLimit !== undefined && texts.length > options.batchLimit) {
      return error(400, `Invalid request: request (${texts.length}) exceeds text limit (${options.batchLimit})`);
    }
    if (options.charLimit !== undefined) {
      const tooLong = texts.find((text) => text.length > (options.charLimit ?? Infinity));
      if (tooLong !== undefined) return error(400, `Invalid request: request (${tooLong.length}) exceeds text limit (${options.charLimit})`);
    }

    let from: FakeLanguage | undefined;
    let detected: string | undefined;
    if (source === 'auto') {
      from = fakeDetect(texts.join('\n'));
      detected = model2iso(from === 'zh' ? 'zh' : from);
    } else if (INSTALLED.includes(source)) {
      from = fakeLanguage(source);
    }
    if (from === undefined) return error(400, `${source} is not supported`);
    if (!INSTALLED.includes(target)) return error(400, `${target} is not supported`);
    const to = fakeLanguage(target) ?? 'en';
    const textFormat = format === undefined || format === null || format === '' ? 'text' : format;
    if (textFormat !== 'text' && textFormat !== 'html') return error(400, `${String(textFormat)} format is not supported`);

    const translated = texts.map((text, index) => {
      let out =
        textFormat === 'html'
          ? text
              .split(/(<[^>]*>)/)
              .map((part, i) => (i % 2 === 1 ? part : fakeTranslate(part, from, to)))
              .join('')
          : fakeTranslate(text, from, to);
      if (state.transform) out = state.transform(out, index);
      return unescapeHtml(out);
    });
    const detection = detected === undefined ? undefined : { confidence: 90, language: detected };
    const body: Record<string, unknown> = { translatedText: batch ? translated : translated[0] };
    if (detection) body['detectedLanguage'] = batch ? texts.map(() => detection) : detection;
    return { status: 200, body };
  };

  const server = await startFakeHttpServer(handle);
  return {
    origin: server.origin,
    requests: server.requests,
    enqueue: server.enqueue,
    close: server.close,
    url: server.origin,
    get transform() {
      return state.transform;
    },
    set transform(value: FakeLibreTranslateServer['transform']) {
      state.transform = value;
    },
  };
}
