/**
 * The translation service: what the rest of Meridian calls. It wraps a provider with
 * - term protection: order numbers, SKUs, tracking numbers, URLs, glossary terms (and Markdown code)
 *   become placeholders the provider keeps, and come back unchanged; e-mail addresses and phone numbers
 *   are protected the same way, so personal data never reaches an external provider;
 * - a per-string check that every placeholder came back, else that string stays in the original;
 * - an LRU cache keyed by provider, languages, format and masked text (so "Order A1043 shipped" and
 *   "Order A2000 shipped" share an entry, and the cache holds no personal data);
 * - a deadline, and a graceful fallback: on failure the original texts with provider 'none' (default),
 *   or the MeridianError with fallback 'throw'.
 */
import { MeridianError, describeError, isMeridianError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { LruCache } from './cache.js';
import { parseLocale, sameLanguage } from './languages.js';
import { mask, placeholderSyntax, unmask, type MaskedText } from './placeholders.js';
import type { PlaceholderSyntaxName, ProviderTranslationRequest, TranslationProvider } from './provider.js';
import { findProtectedSpans } from './terms.js';
import type { TranslationRequest, TranslationResult, Translator } from './types.js';

export const DEFAULT_CACHE_SIZE = 1000;
export const DEFAULT_SERVICE_TIMEOUT_MS = 10_000;

export interface TranslationServiceOptions {
  /** A provider from this folder, or any Translator (it then gets `{n}` placeholders). */
  provider: Translator;
  /** Brand and product names that must not be translated. */
  glossary?: readonly string[];
  /** Cached strings (default 1000; 0 turns the cache off). */
  cacheSize?: number;
  /** Deadline for one translate() call, retries included, in ms (default 10000). */
  timeoutMs?: number;
  /** 'original' (default): answer the original texts with provider 'none'; 'throw': raise the MeridianError. */
  fallback?: 'original' | 'throw';
  logger?: Logger;
}

interface CachedTranslation {
  /** The provider's translation of the masked text, placeholders still in. */
  text: string;
  from: string | undefined;
}

function syntaxOf(provider: Translator): PlaceholderSyntaxName {
  const declared = (provider as Partial<TranslationProvider>).placeholderSyntax;
  return declared === 'xml' ? 'xml' : 'curly';
}

export function createTranslationService(options: TranslationServiceOptions): Translator {
  const { provider } = options;
  const syntax = placeholderSyntax(syntaxOf(provider));
  const glossary = [...(options.glossary ?? [])];
  const cache = new LruCache<CachedTranslation>(Math.max(0, Math.floor(options.cacheSize ?? DEFAULT_CACHE_SIZE)));
  const timeoutMs = options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_SERVICE_TIMEOUT_MS;
  const fallback = options.fallback ?? 'original';
  const log = options.logger;

  function validate(request: TranslationRequest): void {
    if (!isRequestShape(request)) {
      throw new MeridianError('invalid_request', 'translate() needs { texts: string[], to: string, from?: string, format?: "text" | "markdown" }', { status: 400 });
    }
    parseLocale(request.to, 'target language');
    if (request.from !== undefined) parseLocale(request.from, 'source language');
  }

  async function callProvider(request: ProviderTranslationRequest, controller: AbortController): Promise<TranslationResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = new DOMException(`translation took longer than ${timeoutMs} ms`, 'TimeoutError');
        controller.abort(reason);
        reject(
          new MeridianError('send_failed', `${provider.id} did not translate within ${timeoutMs} ms`, {
            status: 504,
            details: { provider: provider.id, reason: 'timeout' },
          }),
        );
      }, timeoutMs);
    });
    try {
      // The race covers a third-party Translator that ignores the signal.
      return await Promise.race([provider.translate(request), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    id: provider.id,
    async translate(request: TranslationRequest): Promise<TranslationResult> {
      validate(request);
      const texts = [...request.texts];
      const format = request.format ?? 'text';
      if (texts.length === 0) return withFrom({ texts: [], provider: provider.id }, request.from);
      if (request.from !== undefined && sameLanguage(request.from, request.to)) return withFrom({ texts, provider: 'none' }, request.from);

      const out = texts.slice();
      let usedProvider = false;
      let detected: string | undefined;
      // Masked text -> the strings that mask to it: "Order A1043 shipped" and "Order A2000 shipped" are one
      // request text and one cache entry. The cache holds masked text only, so no personal data.
      const pending = new Map<string, { key: string; members: Array<{ index: number; masked: MaskedText }> }>();
      texts.forEach((text, index) => {
        const masked = mask(text, findProtectedSpans(text, { glossary, markdown: format === 'markdown' }), syntax);
        if (!masked.translatable) return;
        const key = cacheKey(provider.id, request.from, request.to, format, masked.masked);
        const hit = cache.get(key);
        const restored = hit === undefined ? undefined : unmask(hit.text, masked, syntax);
        if (hit !== undefined && restored !== undefined) {
          out[index] = restored;
          usedProvider = true;
          detected ??= hit.from;
          return;
        }
        const group = pending.get(masked.masked);
        if (group) group.members.push({ index, masked });
        else pending.set(masked.masked, { key, members: [{ index, masked }] });
      });

      if (pending.size > 0) {
        const groups = [...pending.entries()];
        const controller = new AbortController();
        const providerRequest: ProviderTranslationRequest = {
          texts: groups.map(([masked]) => masked),
          to: request.to,
          format,
          signal: controller.signal,
          ...(request.from !== undefined ? { from: request.from } : {}),
          ...(syntax.name === 'xml' ? { markup: 'xml' as const } : {}),
        };
        let result: TranslationResult;
        try {
          result = await callProvider(providerRequest, controller);
          if (!Array.isArray(result.texts) || result.texts.length !== groups.length) {
            throw new MeridianError('send_failed', `${provider.id} answered ${Array.isArray(result.texts) ? result.texts.length : 'no'} texts for ${groups.length}`, {
              status: 502,
              details: { provider: provider.id, reason: 'bad_response' },
            });
          }
        } catch (error) {
          const failed = asMeridianError(error, provider.id);
          if (fallback === 'throw') throw failed;
          log?.warn(
            { provider: provider.id, code: failed.code, reason: failed.details?.['reason'], status: failed.details?.['status'], texts: texts.length, to: request.to },
            `translation failed, answering with the original text: ${failed.message}`,
          );
          return withFrom({ texts, provider: 'none' }, request.from);
        }
        const from = request.from ?? result.from;
        detected ??= result.from;
        let lost = 0;
        groups.forEach(([, group], position) => {
          const translated = result.texts[position];
          let complete = typeof translated === 'string';
          for (const member of group.members) {
            const restored = typeof translated === 'string' ? unmask(translated, member.masked, syntax) : undefined;
            if (restored === undefined) {
              lost++;
              complete = false;
              continue;
            }
            usedProvider = true;
            out[member.index] = restored;
          }
          if (complete && typeof translated === 'string') cache.set(group.key, { text: translated, from });
        });
        if (lost > 0) {
          log?.warn({ provider: provider.id, texts: lost, to: request.to }, 'translation lost or changed protected terms; kept the original text for those strings');
        }
      }
      return withFrom({ texts: out, provider: usedProvider ? provider.id : 'none' }, request.from ?? detected);
    },
  };
}

function withFrom(result: TranslationResult, from: string | undefined): TranslationResult {
  return from === undefined ? result : { ...result, from };
}

function cacheKey(provider: string, from: string | undefined, to: string, format: string, text: string): string {
  return JSON.stringify([provider, from ?? 'auto', to, format, text]);
}

function isRequestShape(request: unknown): request is TranslationRequest {
  if (typeof request !== 'object' || request === null) return false;
  const r = request as Record<string, unknown>;
  return (
    Array.isArray(r['texts']) &&
    r['texts'].every((text) => typeof text === 'string') &&
    typeof r['to'] === 'string' &&
    r['to'].trim() !== '' &&
    (r['from'] === undefined || (typeof r['from'] === 'string' && r['from'].trim() !== '')) &&
    (r['format'] === undefined || r['format'] === 'text' || r['format'] === 'markdown')
  );
}

function asMeridianError(error: unknown, provider: string): MeridianError {
  if (isMeridianError(error)) return error;
  return new MeridianError('send_failed', `${provider} failed: ${describeError(error)}`, { status: 502, cause: error, details: { provider, reason: 'failed' } });
}
