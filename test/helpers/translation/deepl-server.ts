/**
 * A fake DeepL API (v2 text translation) on 127.0.0.1, faithful to what DeepL documents
 * (developers.deepl.com: api-reference/translate, best-practices/error-handling, the OpenAPI spec,
 * supported languages). It implements:
 *
 * - POST /v2/translate with a JSON body only (DeepL also takes form bodies; GET and auth_key in the body
 *   were retired in March 2025 and are refused here with 403). Other paths: 404 `{ message }`.
 * - Auth: `Authorization: DeepL-Auth-Key <key>`; a missing or wrong key answers 403 `{ message }`
 *   (DeepL's spec lists 403 for this endpoint; `authFailureStatus: 401` to test a client's 401 path).
 * - Validation, each a 400 `{ message }`: `text` a non-empty array of strings, at most 50 (DeepL: "Up to
 *   50 texts"); `target_lang` one of the target codes (EN-US/EN-GB, PT-BR/PT-PT, ZH-HANS/ZH-HANT, ES-419,
 *   the deprecated plain EN/PT/ZH...), case-insensitive; `source_lang` one of the source codes (base
 *   languages only: EN-US as a source is refused); `formality` one of default/more/less/prefer_more/
 *   prefer_less, with more/less refused for targets without formality (EN, ZH...); `glossary_id` only
 *   with `source_lang`; `tag_handling` xml or html, and with xml each text must be well-formed XML
 *   (v2 tag handling parses strictly: a bare `&` or `<` fails); `preserve_formatting` a boolean.
 * - 413 for a body over 128 KiB; 456 `{ message: 'Quota Exceeded' }` once `characterLimit` characters
 *   have been billed (characters of `text`, as DeepL counts them).
 * - The answer: `{ translations: [{ detected_source_language, text }] }` in request order, the detected
 *   language being `source_lang` when given (uppercase base code, like DeepL). With tag_handling xml only
 *   text between tags is translated; tags, `<x id="3"/>` placeholders and entities come back unchanged.
 *
 * Not implemented: glossaries' entries (any glossary id is accepted and not applied), context,
 * model_type, split_sentences, ignore_tags and the other tag parameters (accepted, ignored), documents,
 * /v2/usage, /v2/languages. Error message wording is the fake's own; status codes and shapes are DeepL's.
 * 429 / 5xx / malformed bodies / delays are scripted with `enqueue`.
 */
import { fakeDetect, fakeLanguage, fakeTranslate } from './fake-dictionary.js';
import { header, isObject, startFakeHttpServer, type FakeHttpServer, type FakeResponse, type RecordedRequest } from './fake-http.js';

export const DEEPL_TARGETS = [
  'AR', 'BG', 'CS', 'DA', 'DE', 'EL', 'EN', 'EN-GB', 'EN-US', 'ES', 'ES-419', 'ET', 'FI', 'FR', 'HU', 'ID', 'IT', 'JA', 'KO', 'LT', 'LV',
  'NB', 'NL', 'PL', 'PT', 'PT-BR', 'PT-PT', 'RO', 'RU', 'SK', 'SL', 'SV', 'TR', 'UK', 'ZH', 'ZH-HANS', 'ZH-HANT',
];
export const DEEPL_SOURCES = [
  'AR', 'BG', 'CS', 'DA', 'DE', 'EL', 'EN', 'ES', 'ET', 'FI', 'FR', 'HU', 'ID', 'IT', 'JA', 'KO', 'LT', 'LV', 'NB', 'NL', 'PL', 'PT', 'RO',
  'RU', 'SK', 'SL', 'SV', 'TR', 'UK', 'ZH',
];
const FORMALITY_TARGETS = new Set(['DE', 'FR', 'IT', 'ES', 'ES-419', 'NL', 'PL', 'PT-BR', 'PT-PT', 'JA', 'RU']);
const FORMALITIES = new Set(['default', 'more', 'less', 'prefer_more', 'prefer_less']);
const MAX_TEXTS = 50;
const MAX_BODY_BYTES = 128 * 1024;

export interface FakeDeepLOptions {
  /** The one valid key (default 'test-deepl-key:fx'). */
  authKey?: string;
  /** Characters that may be billed before 456 (default: unlimited). */
  characterLimit?: number;
  /** Status for a bad key (default 403, as DeepL's spec lists). */
  authFailureStatus?: 401 | 403;
}

export interface FakeDeepLServer extends FakeHttpServer {
  /** Base URL to give the client: http://127.0.0.1:<port> */
  readonly url: string;
  readonly authKey: string;
  charactersBilled: number;
  /** Post-processes each translated text (e.g. drop a placeholder to simulate an engine losing it). */
  transform: ((text: string, index: number) => string) | undefined;
}

export async function startFakeDeepL(options: FakeDeepLOptions = {}): Promise<FakeDeepLServer> {
  const authKey = options.authKey ?? 'test-deepl-key:fx';
  const state: { charactersBilled: number; transform: FakeDeepLServer['transform'] } = { charactersBilled: 0, transform: undefined };
  const error = (status: number, message: string): FakeResponse => ({ status, body: { message } });

  const handle = (request: RecordedRequest): FakeResponse => {
    const path = request.path.split('?')[0];
    if (path !== '/v2/translate') return error(404, 'Not found');
    if (request.method !== 'POST') return error(403, 'GET requests to /v2/translate are no longer supported; use POST');
    if (request.path.includes('auth_key=')) return error(403, 'Authenticating with auth_key is no longer supported; use the Authorization header');
    if (header(request, 'authorization') !== `DeepL-Auth-Key ${authKey}`) {
      return error(options.authFailureStatus ?? 403, 'Authorization failure, check your DeepL-Auth-Key');
    }
    if (Buffer.byteLength(request.body, 'utf8') > MAX_BODY_BYTES) return error(413, 'Request Entity Too Large');
    if (!(header(request, 'content-type') ?? '').toLowerCase().startsWith('application/json')) {
      return error(400, 'This fake accepts JSON bodies only (Content-Type: application/json)');
    }
    const body = request.json;
    if (!isObject(body)) return error(400, 'Invalid request: the body is not a JSON object');
    if ('auth_key' in body) return error(403, 'Authenticating with auth_key is no longer supported; use the Authorization header');

    const text = body['text'];
    if (!Array.isArray(text) || text.length === 0) return error(400, "Parameter 'text' not specified.");
    if (!text.every((item): item is string => typeof item === 'string')) return error(400, "Parameter 'text' must be an array of strings.");
    if (text.length > MAX_TEXTS) return error(400, `Too many texts: at most ${MAX_TEXTS} per request.`);

    const target = typeof body['target_lang'] === 'string' ? body['target_lang'].toUpperCase() : undefined;
    if (target === undefined) return error(400, "Parameter 'target_lang' not specified.");
    if (!DEEPL_TARGETS.includes(target)) return error(400, "Value for 'target_lang' not supported.");

    let source: string | undefined;
    if (body['source_lang'] !== undefined) {
      source = typeof body['source_lang'] === 'string' ? body['source_lang'].toUpperCase() : '';
      if (!DEEPL_SOURCES.includes(source)) return error(400, "Value for 'source_lang' not supported.");
    }

    const formality = body['formality'];
    if (formality !== undefined) {
      if (typeof formality !== 'string' || !FORMALITIES.has(formality)) return error(400, "Value for 'formality' not supported.");
      if ((formality === 'more' || formality === 'less') && !FORMALITY_TARGETS.has(target)) {
        return error(400, "'formality' is not supported for given 'target_lang'.");
      }
    }
    if (body['glossary_id'] !== undefined && source === undefined) {
      return error(400, "Use of a glossary requires the 'source_lang' parameter to be specified.");
    }
    const tagHandling = body['tag_handling'];
    if (tagHandling !== undefined && tagHandling !== 'xml' && tagHandling !== 'html') return error(400, "Value for 'tag_handling' not supported.");
    if (body['preserve_formatting'] !== undefined && typeof body['preserve_formatting'] !== 'boolean') {
      return error(400, "Value for 'preserve_formatting' not supported.");
    }
    if (tagHandling === 'xml' && !text.every(isWellFormedXml)) return error(400, 'Tag handling parsing failed: the text is not well-formed XML.');

    const characters = text.reduce((sum, item) => sum + [...item].length, 0);
    if (options.characterLimit !== undefined && state.charactersBilled + characters > options.characterLimit) {
      return error(456, 'Quota Exceeded');
    }
    state.charactersBilled += characters;

    const to = fakeLanguage(target) ?? 'en';
    const translations = text.map((item, index) => {
      const from = (source ? fakeLanguage(source) : undefined) ?? fakeDetect(tagHandling ? stripTags(item) : item);
      let translated = tagHandling ? translateBetweenTags(item, (part) => fakeTranslate(part, from, to)) : fakeTranslate(item, from, to);
      if (state.transform) translated = state.transform(translated, index);
      return { detected_source_language: (source ?? from).toUpperCase(), text: translated };
    });
    return { status: 200, body: { translations } };
  };

  const server = await startFakeHttpServer(handle);
  return {
    origin: server.origin,
    requests: server.requests,
    enqueue: server.enqueue,
    close: server.close,
    url: server.origin,
    authKey,
    get charactersBilled() {
      return state.charactersBilled;
    },
    set charactersBilled(value: number) {
      state.charactersBilled = value;
    },
    get transform() {
      return state.transform;
    },
    set transform(value: FakeDeepLServer['transform']) {
      state.transform = value;
    },
  };
}

const TAG = /<\/?[A-Za-z_][\w.-]*(?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*\/?>/y;
const ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);/y;

/** A fragment of XML content: balanced tags, and `&` / `<` only as entities and tags. */
export function isWellFormedXml(text: string): boolean {
  const open: string[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '<') {
      TAG.lastIndex = i;
      const match = TAG.exec(text);
      if (!match) return false;
      const tag = match[0];
      const name = /^<\/?([A-Za-z_][\w.-]*)/.exec(tag)?.[1] ?? '';
      if (tag.startsWith('</')) {
        if (open.pop() !== name) return false;
      } else if (!tag.endsWith('/>')) {
        open.push(name);
      }
      i += tag.length;
    } else if (char === '&') {
      ENTITY.lastIndex = i;
      const match = ENTITY.exec(text);
      if (!match) return false;
      i += match[0].length;
    } else {
      i++;
    }
  }
  return open.length === 0;
}

function stripTags(text: string): string {
  return text.replace(/<[^>]*>/g, ' ');
}

/** Translates the text between tags and entities; the markup itself is copied. */
function translateBetweenTags(text: string, translate: (text: string) => string): string {
  return text
    .split(/(<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-z]+);)/)
    .map((part, index) => (index % 2 === 1 ? part : translate(part)))
    .join('');
}
