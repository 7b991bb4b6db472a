import type { TranslationRequest, TranslationResult, Translator } from './types.js';

/**
 * How a provider carries the placeholders that stand for protected terms (order numbers, URLs, e-mail
 * addresses...), chosen for what each engine keeps:
 * - 'xml': `<x id="3"/>` placeholder tags in XML-escaped text, sent with DeepL's `tag_handling: 'xml'`
 *   (DeepL documents that it keeps such tags and moves them with the words around them);
 * - 'curly': `{3}` tokens in plain text, the shape of the software-localization strings that neural MT
 *   engines (Argos/LibreTranslate) were trained on and that a prompted LLM is told to keep.
 */
export type PlaceholderSyntaxName = 'xml' | 'curly';

/** What the translation service hands a provider: the port's request plus transport hints. */
export interface ProviderTranslationRequest extends TranslationRequest {
  /** 'xml': the texts are XML-escaped and carry `<x id="n"/>` placeholders (DeepL: tag_handling=xml). */
  markup?: 'xml';
  /** Aborts the HTTP call, e.g. when the service's deadline passes. */
  signal?: AbortSignal;
}

/** A Translator that talks to one external engine. The service wraps it; use it directly only for trusted text. */
export interface TranslationProvider extends Translator {
  readonly placeholderSyntax: PlaceholderSyntaxName;
  translate(request: ProviderTranslationRequest): Promise<TranslationResult>;
}

/** The slice of `fetch` the providers use, so tests and proxies can inject their own. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Waits `ms`; rejects when `signal` aborts. Injected so tests do not sleep through back-off. */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Transport settings every provider accepts. */
export interface ProviderHttpOptions {
  /** Defaults to the global fetch. */
  fetch?: FetchLike;
  /** Time limit for one HTTP attempt, in ms (default 10000). */
  timeoutMs?: number;
  /** Extra attempts after a 429, a 5xx or a network error (default 1). Never after 401/403/456 or a timeout. */
  maxRetries?: number;
  /**
   * Longest wait before a retry, in ms (default 2000). A Retry-After longer than this is not waited for:
   * the call fails at once with `details.retryAfterMs`, because a customer is waiting for the answer.
   */
  maxRetryDelayMs?: number;
  sleep?: SleepFn;
}
