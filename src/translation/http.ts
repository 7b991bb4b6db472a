/**
 * The HTTP plumbing the providers share: one JSON POST with a per-attempt timeout, retries on 429 / 5xx /
 * network errors that honour Retry-After, and MeridianErrors that never carry the API key.
 */
import { MeridianError } from '../core/errors.js';
import type { FetchLike, ProviderHttpOptions, SleepFn } from './provider.js';

/** Why a provider call failed; `details.reason` of the MeridianError ('send_failed'). */
export type TranslationFailureReason =
  | 'auth'
  | 'quota'
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'aborted'
  | 'network'
  | 'bad_response'
  | 'rejected';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 1;
export const DEFAULT_MAX_RETRY_DELAY_MS = 2_000;
const BASE_BACKOFF_MS = 250;
const MAX_PROVIDER_MESSAGE = 200;

export interface HttpFailure {
  status: number;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** The provider's own error message, when the body had one. */
  providerMessage: string | undefined;
}

export interface FailureVerdict {
  reason: TranslationFailureReason;
  /** What went wrong, for a person: "rejected the API key (HTTP 403)...". Prefixed with the provider's name. */
  message: string;
  retry: boolean;
}

export interface JsonCall {
  /** Provider id ('deepl'...) for error details. */
  provider: string;
  /** Display name ('DeepL') that starts every message. */
  name: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Values that must never appear in an error message (API keys). */
  secrets: readonly string[];
  signal?: AbortSignal | undefined;
  /** Maps a non-2xx answer to a verdict. */
  classify(failure: HttpFailure): FailureVerdict;
}

export interface ResolvedHttpOptions {
  fetch: FetchLike;
  timeoutMs: number;
  maxRetries: number;
  maxRetryDelayMs: number;
  sleep: SleepFn;
}

export function resolveHttpOptions(options: ProviderHttpOptions): ResolvedHttpOptions {
  const fetchImpl: FetchLike | undefined = options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);
  if (!fetchImpl) throw new MeridianError('config_invalid', 'No fetch implementation: Node 20+ has a global fetch, or pass { fetch }');
  return {
    fetch: fetchImpl,
    timeoutMs: positive(options.timeoutMs, DEFAULT_TIMEOUT_MS),
    maxRetries: Math.max(0, Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES)),
    maxRetryDelayMs: Math.max(0, options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS),
    sleep: options.sleep ?? defaultSleep,
  };
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

export const defaultSleep: SleepFn = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** POSTs JSON and returns the parsed JSON answer, retrying what is worth retrying. */
export async function postJson(call: JsonCall, options: ResolvedHttpOptions): Promise<unknown> {
  const payload = JSON.stringify(call.body);
  for (let attempt = 0; ; attempt++) {
    const canRetry = attempt < options.maxRetries;
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    let status: number;
    let text: string;
    let retryAfterMs: number | undefined;
    try {
      const response = await options.fetch(call.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...call.headers },
        body: payload,
        signal,
      });
      status = response.status;
      retryAfterMs = parseRetryAfter(response.headers);
      text = await response.text();
    } catch (error) {
      if (call.signal?.aborted) {
        const reason: unknown = call.signal.reason;
        const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
        throw failure(call, timedOut ? 'timeout' : 'aborted', timedOut ? 'did not answer before the deadline' : 'call was cancelled', { attempts: attempt + 1 }, error);
      }
      if (timeout.aborted) {
        throw failure(call, 'timeout', `did not answer within ${options.timeoutMs} ms`, { attempts: attempt + 1 }, error);
      }
      if (canRetry) {
        await wait(call, options, backoff(attempt), attempt);
        continue;
      }
      throw failure(call, 'network', `could not be reached at ${describeUrl(call.url)}: ${networkMessage(error)}`, { attempts: attempt + 1 }, error);
    }

    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw failure(call, 'bad_response', `answered HTTP ${status} with a body that is not JSON`, { status, attempts: attempt + 1 }, error);
      }
    }

    const body = parseBody(text);
    const verdict = call.classify({ status, body, providerMessage: extractProviderMessage(body) });
    if (verdict.retry && canRetry) {
      const delay = retryAfterMs ?? backoff(attempt);
      if (delay <= options.maxRetryDelayMs) {
        await wait(call, options, delay, attempt);
        continue;
      }
    }
    const details: Record<string, unknown> = { status, attempts: attempt + 1 };
    if (retryAfterMs !== undefined) details['retryAfterMs'] = retryAfterMs;
    throw failure(call, verdict.reason, verdict.message, details);
  }
}

async function wait(call: JsonCall, options: ResolvedHttpOptions, ms: number, attempt: number): Promise<void> {
  try {
    await options.sleep(ms, call.signal);
  } catch (error) {
    throw failure(call, 'aborted', 'call was cancelled while waiting to retry', { attempts: attempt + 1 }, error);
  }
}

function backoff(attempt: number): number {
  return BASE_BACKOFF_MS * 2 ** attempt;
}

/** Retry-After as seconds or an HTTP date; `retry-after-ms` (OpenAI-style) wins when present. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `{ message }` (DeepL), `{ error }` (LibreTranslate, Ollama), `{ error: { message } }` (OpenAI), `{ detail }`. */
export function extractProviderMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' || body.trimStart().startsWith('<') ? undefined : body;
  if (!isRecord(body)) return undefined;
  const error = body['error'];
  if (typeof error === 'string') return error;
  if (isRecord(error) && typeof error['message'] === 'string') return error['message'];
  if (typeof body['message'] === 'string') return body['message'];
  if (typeof body['detail'] === 'string') return body['detail'];
  return undefined;
}

/** Builds the 'send_failed' error; the message is scrubbed of every secret. */
export function failure(
  call: Pick<JsonCall, 'provider' | 'name' | 'secrets'>,
  reason: TranslationFailureReason,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): MeridianError {
  const status = reason === 'timeout' ? 504 : reason === 'rate_limited' || reason === 'quota' ? 503 : 502;
  return new MeridianError('send_failed', redactSecrets(`${call.name} ${message}`, call.secrets), {
    status,
    details: { provider: call.provider, reason, ...details },
    // A cause from fetch names only the URL and the socket error; never the request headers or body.
    ...(cause === undefined ? {} : { cause: scrubCause(cause, call.secrets) }),
  });
}

function scrubCause(cause: unknown, secrets: readonly string[]): unknown {
  if (!(cause instanceof Error)) return cause;
  const scrubbed = redactSecrets(cause.message, secrets);
  if (scrubbed === cause.message) return cause;
  const copy = new Error(scrubbed);
  copy.name = cause.name;
  return copy;
}

/**
 * Removes API keys from text meant for people: each secret, and the masked forms providers echo back
 * ("Incorrect API key provided: sk-ab***yz").
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out
    .replace(/\S*\*{3,}\S*/g, '[redacted]')
    .replace(/\b(?:sk|pk|key|api)[-_][A-Za-z0-9_-]{6,}/gi, '[redacted]');
}

/** A provider's own message, shortened and quoted for ours. */
export function quoteProviderMessage(message: string | undefined): string {
  if (message === undefined) return '';
  const oneLine = message.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return '';
  return `: "${oneLine.length > MAX_PROVIDER_MESSAGE ? `${oneLine.slice(0, MAX_PROVIDER_MESSAGE)}…` : oneLine}"`;
}

function networkMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (isRecord(cause) && typeof cause['code'] === 'string') return cause['code'];
    return error.message;
  }
  return String(error);
}

/** Scheme, host and path only: a URL never carries credentials here, but never print a query string anyway. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strips trailing slashes and checks the URL parses, so `${base}/v2/translate` is right. */
export function normalizeBaseUrl(provider: string, name: string, baseUrl: string | undefined, setting: string): string {
  if (baseUrl === undefined || baseUrl.trim() === '') {
    throw new MeridianError('config_invalid', `${name} needs a base URL (${setting})`, { details: { provider } });
  }
  const trimmed = baseUrl.trim().replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new MeridianError('config_invalid', `${name} base URL is not a URL (${setting})`, { details: { provider } });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MeridianError('config_invalid', `${name} base URL must be http(s) (${setting})`, { details: { provider } });
  }
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '') {
    throw new MeridianError('config_invalid', `${name} base URL must not carry credentials or a query string (${setting})`, { details: { provider } });
  }
  return trimmed;
}

/**
 * Splits indexes into batches of at most `maxItems` texts and about `maxChars` characters, keeping order.
 */
export function batches(texts: readonly string[], indexes: readonly number[], maxItems: number, maxChars: number): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let chars = 0;
  for (const index of indexes) {
    const size = (texts[index] ?? '').length;
    if (current.length > 0 && (current.length >= maxItems || chars + size > maxChars)) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(index);
    chars += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
