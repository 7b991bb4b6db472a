/**
 * DeepL API v2 text translation: POST {baseUrl}/v2/translate with `Authorization: DeepL-Auth-Key <key>`
 * and a JSON body; at most 50 texts and 128 KiB per request, so larger batches are split.
 * Errors: 403 (and 401) bad key, 456 quota exceeded (not retried), 429 / 529 too many requests and 5xx
 * (retried with back-off, honouring Retry-After).
 */
import { MeridianError } from '../core/errors.js';
import { batches, failure, isRecord, normalizeBaseUrl, postJson, quoteProviderMessage, resolveHttpOptions, type FailureVerdict, type HttpFailure } from './http.js';
import { deeplSourceLang, deeplTargetLang, fromProviderLanguage, type DeepLTargetVariants } from './languages.js';
import type { ProviderHttpOptions, ProviderTranslationRequest, TranslationProvider } from './provider.js';
import type { TranslationResult } from './types.js';

export const DEEPL_FREE_URL = 'https://api-free.deepl.com';
export const DEEPL_PRO_URL = 'https://api.deepl.com';
/** DeepL: "Up to 50 texts can be sent for translation in one request." */
export const DEEPL_MAX_TEXTS = 50;
/** DeepL: the request body must not exceed 128 KiB; keep headroom for JSON escaping and the other fields. */
const DEEPL_MAX_CHARS = 60_000;

/**
 * 'more' and 'less' are sent as 'prefer_more' / 'prefer_less': DeepL rejects plain more/less for target
 * languages without formality (English, Chinese...), and one bot serves all of them.
 */
export type DeepLFormality = 'default' | 'more' | 'less' | 'prefer_more' | 'prefer_less';

export interface DeepLTranslatorOptions extends ProviderHttpOptions {
  apiKey: string;
  /** Defaults to https://api-free.deepl.com for keys ending in ':fx' (Free plan), else https://api.deepl.com. */
  baseUrl?: string;
  formality?: DeepLFormality;
  /** A DeepL glossary; sent only when the source language is known (DeepL requires source_lang with it). */
  glossaryId?: string;
  /** Variant for bare tags: { pt: 'PT-PT' } for a Portuguese shop. */
  targetVariants?: DeepLTargetVariants;
}

/** What DeepL's own client libraries do: Free-plan keys end in ':fx'. */
export function deeplBaseUrlFor(apiKey: string): string {
  return apiKey.trim().endsWith(':fx') ? DEEPL_FREE_URL : DEEPL_PRO_URL;
}

export function createDeepLTranslator(options: DeepLTranslatorOptions): TranslationProvider {
  const apiKey = (options.apiKey ?? '').trim();
  if (apiKey === '') throw new MeridianError('config_invalid', 'DeepL needs an API key (translation.deepl.apiKey)', { details: { provider: 'deepl' } });
  const baseUrl = normalizeBaseUrl('deepl', 'DeepL', options.baseUrl ?? deeplBaseUrlFor(apiKey), 'translation.deepl.baseUrl');
  const http = resolveHttpOptions(options);
  const host = new URL(baseUrl).host;
  const formality = options.formality === 'more' ? 'prefer_more' : options.formality === 'less' ? 'prefer_less' : options.formality;

  const classify = ({ status, providerMessage }: HttpFailure): FailureVerdict => {
    const quoted = quoteProviderMessage(providerMessage);
    if (status === 401 || status === 403) {
      return {
        reason: 'auth',
        retry: false,
        message: `rejected the API key (HTTP ${status}) at ${host}: check translation.deepl.apiKey; Free-plan keys (ending in :fx) work only with ${new URL(DEEPL_FREE_URL).host}, Pro keys only with ${new URL(DEEPL_PRO_URL).host}`,
      };
    }
    if (status === 456) {
      return { reason: 'quota', retry: false, message: `quota exceeded (HTTP 456): the plan's character limit or the Cost Control limit is reached${quoted}` };
    }
    if (status === 429 || status === 529) return { reason: 'rate_limited', retry: true, message: `answered too many requests (HTTP ${status})${quoted}` };
    if (status >= 500) return { reason: 'server_error', retry: true, message: `had a server error (HTTP ${status})${quoted}` };
    if (status === 413) return { reason: 'rejected', retry: false, message: `refused the request as too large (HTTP 413)${quoted}` };
    if (status === 404) return { reason: 'rejected', retry: false, message: `has no /v2/translate at ${baseUrl} (HTTP 404): check translation.deepl.baseUrl` };
    return { reason: 'rejected', retry: false, message: `rejected the request (HTTP ${status})${quoted}` };
  };

  return {
    id: 'deepl',
    placeholderSyntax: 'xml',
    async translate(request: ProviderTranslationRequest): Promise<TranslationResult> {
      const targetLang = deeplTargetLang(request.to, options.targetVariants);
      const sourceLang = request.from === undefined ? undefined : deeplSourceLang(request.from);
      const texts = [...request.texts];
      const out = texts.slice();
      // DeepL bills and rejects nothing for empty strings, but there is no point in sending them.
      const indexes = texts.flatMap((text, index) => (text.trim() === '' ? [] : [index]));
      let detected: string | undefined;
      for (const batch of batches(texts, indexes, DEEPL_MAX_TEXTS, DEEPL_MAX_CHARS)) {
        const body: Record<string, unknown> = { text: batch.map((index) => texts[index]), target_lang: targetLang, preserve_formatting: true };
        if (sourceLang !== undefined) body['source_lang'] = sourceLang;
        if (formality !== undefined && formality !== 'default') body['formality'] = formality;
        if (options.glossaryId !== undefined && sourceLang !== undefined) body['glossary_id'] = options.glossaryId;
        if (request.markup === 'xml') body['tag_handling'] = 'xml';
        const answer = await postJson(
          {
            provider: 'deepl',
            name: 'DeepL',
            url: `${baseUrl}/v2/translate`,
            headers: { authorization: `DeepL-Auth-Key ${apiKey}` },
            body,
            secrets: [apiKey],
            signal: request.signal,
            classify,
          },
          http,
        );
        const translations = isRecord(answer) ? answer['translations'] : undefined;
        if (!Array.isArray(translations) || translations.length !== batch.length) {
          throw failure({ provider: 'deepl', name: 'DeepL', secrets: [apiKey] }, 'bad_response', `answered without one translation per text (sent ${batch.length})`);
        }
        translations.forEach((item: unknown, position) => {
          if (!isRecord(item) || typeof item['text'] !== 'string') {
            throw failure({ provider: 'deepl', name: 'DeepL', secrets: [apiKey] }, 'bad_response', 'answered a translation without text');
          }
          out[batch[position] as number] = item['text'];
          detected ??= fromProviderLanguage(item['detected_source_language']);
        });
      }
      return { texts: out, provider: 'deepl', ...(request.from !== undefined ? { from: request.from } : detected !== undefined ? { from: detected } : {}) };
    },
  };
}
