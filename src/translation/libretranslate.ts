/**
 * LibreTranslate: POST {baseUrl}/translate with JSON `{ q: string[], source: 'auto' | code, target,
 * format: 'text', api_key? }`, answered by `{ translatedText: string[], detectedLanguage?: [{ language,
 * confidence }] }` (one entry per text; detectedLanguage only with source 'auto'). Errors are `{ error }`:
 * 400 bad request (also a missing API key on servers that require one), 403 invalid API key or a banned
 * client, 429 slow down, 500 translation error.
 */
import { MeridianError } from '../core/errors.js';
import { batches, failure, isRecord, normalizeBaseUrl, postJson, quoteProviderMessage, resolveHttpOptions, type FailureVerdict, type HttpFailure } from './http.js';
import { fromProviderLanguage, libreTranslateLang } from './languages.js';
import type { ProviderHttpOptions, ProviderTranslationRequest, TranslationProvider } from './provider.js';
import type { TranslationResult } from './types.js';

export interface LibreTranslateTranslatorOptions extends ProviderHttpOptions {
  /** e.g. http://localhost:5000 (self-hosted) or https://libretranslate.com (needs an API key). */
  baseUrl: string;
  apiKey?: string;
  /** Texts per request (default 25; a server started with --batch-limit needs at most that). */
  maxBatchSize?: number;
  /** Characters per request (default 20000; a server's --char-limit applies to each text). */
  maxBatchChars?: number;
}

export function createLibreTranslateTranslator(options: LibreTranslateTranslatorOptions): TranslationProvider {
  const baseUrl = normalizeBaseUrl('libretranslate', 'LibreTranslate', options.baseUrl, 'translation.libretranslate.baseUrl');
  const apiKey = options.apiKey?.trim() || undefined;
  const http = resolveHttpOptions(options);
  const maxBatchSize = Math.max(1, Math.floor(options.maxBatchSize ?? 25));
  const maxBatchChars = Math.max(1, options.maxBatchChars ?? 20_000);
  const secrets = apiKey === undefined ? [] : [apiKey];
  const identity = { provider: 'libretranslate', name: 'LibreTranslate', secrets };

  const classify = ({ status, providerMessage }: HttpFailure): FailureVerdict => {
    const quoted = quoteProviderMessage(providerMessage);
    const aboutKey = /api key/i.test(providerMessage ?? '');
    if (status === 400 && aboutKey) {
      return { reason: 'auth', retry: false, message: `requires an API key (HTTP 400): set translation.libretranslate.apiKey${quoted}` };
    }
    if (status === 403 && !aboutKey && /limit/i.test(providerMessage ?? '')) {
      return { reason: 'rate_limited', retry: false, message: `has banned this client for exceeding its limits (HTTP 403)${quoted}` };
    }
    if (status === 401 || status === 403) {
      return { reason: 'auth', retry: false, message: `rejected the API key (HTTP ${status}): check translation.libretranslate.apiKey` };
    }
    if (status === 429) return { reason: 'rate_limited', retry: true, message: `asked to slow down (HTTP 429)${quoted}` };
    if (status >= 500) return { reason: 'server_error', retry: true, message: `had a server error (HTTP ${status})${quoted}` };
    if (status === 404) return { reason: 'rejected', retry: false, message: `has no /translate at ${baseUrl} (HTTP 404): check translation.libretranslate.baseUrl` };
    return { reason: 'rejected', retry: false, message: `rejected the request (HTTP ${status})${quoted}` };
  };

  return {
    id: 'libretranslate',
    placeholderSyntax: 'curly',
    async translate(request: ProviderTranslationRequest): Promise<TranslationResult> {
      if (request.markup === 'xml') {
        throw new MeridianError('invalid_request', 'LibreTranslate takes curly placeholders, not XML markup', { status: 400 });
      }
      const source = request.from === undefined ? 'auto' : libreTranslateLang(request.from);
      const target = libreTranslateLang(request.to);
      const texts = [...request.texts];
      const out = texts.slice();
      // LibreTranslate answers 400 to an empty q.
      const indexes = texts.flatMap((text, index) => (text.trim() === '' ? [] : [index]));
      let detected: string | undefined;
      for (const batch of batches(texts, indexes, maxBatchSize, maxBatchChars)) {
        const body: Record<string, unknown> = { q: batch.map((index) => texts[index]), source, target, format: 'text' };
        if (apiKey !== undefined) body['api_key'] = apiKey;
        const answer = await postJson({ ...identity, url: `${baseUrl}/translate`, headers: {}, body, signal: request.signal, classify }, http);
        const translated = isRecord(answer) ? answer['translatedText'] : undefined;
        // Servers from before batch support answer one string; accept that for a batch of one.
        const list = typeof translated === 'string' && batch.length === 1 ? [translated] : translated;
        if (!Array.isArray(list) || list.length !== batch.length || !list.every((item): item is string => typeof item === 'string')) {
          throw failure(identity, 'bad_response', `answered without one translatedText per text (sent ${batch.length})`);
        }
        list.forEach((text, position) => {
          out[batch[position] as number] = text;
        });
        if (isRecord(answer)) detected ??= detectedLanguage(answer['detectedLanguage']);
      }
      return { texts: out, provider: 'libretranslate', ...(request.from !== undefined ? { from: request.from } : detected !== undefined ? { from: detected } : {}) };
    },
  };
}

function detectedLanguage(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return isRecord(first) ? fromProviderLanguage(first['language']) : undefined;
}
