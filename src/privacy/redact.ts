import { inspect } from 'node:util';
import type { LoggerOptions } from 'pino';
import { detectPii, type DetectPiiOptions, type PiiSpan, type PiiType } from './pii.js';

/**
 * Redaction of personal data before it leaves the conversation: logs, analytics events and external
 * providers (translation, LLM) see typed tokens. Inside Meridian, a per-conversation vault keeps the real
 * values behind `⟦pii:N⟧` tokens so a dialog can still use them after a provider round trip.
 */

export const REDACTION_TOKENS: Readonly<Record<PiiType, string>> = {
  email: '[email]',
  phone: '[phone]',
  card: '[card]',
  iban: '[iban]',
  national_id: '[id]',
  address: '[address]',
  ip: '[ip]',
};

export interface RedactOptions extends DetectPiiOptions {
  /** Language or locale of the text: sets the phone region (default: try every launch region). */
  lang?: string;
  /** Replacement per type (default REDACTION_TOKENS). */
  tokens?: Partial<Record<PiiType, string>>;
}

/** The text with every detected span replaced by its type's token: "mail ana@example.com" -> "mail [email]". */
export function redact(text: string, options: RedactOptions = {}): string {
  const spans = detectPii(text, options.lang, options);
  if (spans.length === 0) return text;
  return replaceSpans(text, spans, (span) => options.tokens?.[span.type] ?? REDACTION_TOKENS[span.type]);
}

/** Only card numbers replaced: what may be stored of a message that held one. */
export function redactCardNumbers(text: string): string {
  return redact(text, { types: ['card'] });
}

function replaceSpans(text: string, spans: readonly PiiSpan[], token: (span: PiiSpan) => string): string {
  let out = '';
  let last = 0;
  for (const span of spans) {
    out += text.slice(last, span.start) + token(span);
    last = span.end;
  }
  return out + text.slice(last);
}

// --- reversible redaction -----------------------------------------------------------------------------

export interface VaultEntry {
  /** The N of ⟦pii:N⟧. */
  readonly ref: number;
  readonly type: PiiType;
  readonly value: string;
}

/**
 * Real values behind ⟦pii:N⟧ tokens, for one conversation. The same value always gets the same token,
 * so a provider sees a consistent placeholder. It prints and serialises as its size only: a vault that
 * ends up in a log line or a JSON body leaks nothing. `entries()` is the explicit way to persist it
 * (encrypt it: it is personal data).
 */
export interface PiiVault {
  readonly size: number;
  get(ref: number): VaultEntry | undefined;
  /** The values of one type, in the order they were first seen (the e-mail the customer gave, …). */
  values(type: PiiType): string[];
  entries(): VaultEntry[];
  /** Forgets every value (erasure, end of conversation). */
  clear(): void;
}

class Vault implements PiiVault {
  readonly #byRef = new Map<number, VaultEntry>();
  readonly #byValue = new Map<string, number>();
  #next = 1;

  constructor(entries: readonly VaultEntry[]) {
    for (const entry of entries) {
      if (!Number.isSafeInteger(entry.ref) || entry.ref < 1) throw new TypeError(`vault entry ref must be a positive integer, got ${String(entry.ref)}`);
      this.#byRef.set(entry.ref, { ref: entry.ref, type: entry.type, value: entry.value });
      this.#byValue.set(`${entry.type}\u0000${entry.value}`, entry.ref);
      this.#next = Math.max(this.#next, entry.ref + 1);
    }
  }

  get size(): number {
    return this.#byRef.size;
  }

  get(ref: number): VaultEntry | undefined {
    return this.#byRef.get(ref);
  }

  values(type: PiiType): string[] {
    return [...this.#byRef.values()].filter((entry) => entry.type === type).map((entry) => entry.value);
  }

  entries(): VaultEntry[] {
    return [...this.#byRef.values()];
  }

  clear(): void {
    this.#byRef.clear();
    this.#byValue.clear();
  }

  /** @internal */
  refFor(type: PiiType, value: string): number {
    const key = `${type}\u0000${value}`;
    let ref = this.#byValue.get(key);
    if (ref === undefined) {
      ref = this.#next++;
      this.#byValue.set(key, ref);
      this.#byRef.set(ref, { ref, type, value });
    }
    return ref;
  }

  toJSON(): { size: number } {
    return { size: this.size };
  }

  [inspect.custom](): string {
    return `PiiVault { size: ${this.size} }`;
  }
}

/** A new vault, or one restored from `entries()` saved earlier. */
export function createVault(entries: readonly VaultEntry[] = []): PiiVault {
  return new Vault(entries);
}

export interface ReversibleRedactOptions extends RedactOptions {
  /**
   * Types replaced by their plain token and not kept in the vault. Default ['card']: a card number sent
   * in chat is never stored, not even inside Meridian.
   */
  irreversible?: readonly PiiType[];
}

/** ⟦pii:3⟧, and what a provider may make of it (⟦ PII:3 ⟧, full-width colon). */
const VAULT_TOKEN_RE = /⟦\s*pii\s*[:：]\s*(\d{1,9})\s*⟧/giu;

/**
 * The text with each detected value replaced by ⟦pii:N⟧, the values kept in `vault`. Tokens already in
 * the text (a customer typing ⟦pii:1⟧ to read another value back) are defused first.
 */
export function redactReversible(text: string, vault: PiiVault, options: ReversibleRedactOptions = {}): string {
  if (!(vault instanceof Vault)) throw new TypeError('redactReversible needs a vault from createVault()');
  // Same length, so detected offsets still hold.
  const defused = text.replace(VAULT_TOKEN_RE, (token) => token.replace('⟦', '[').replace('⟧', ']'));
  const spans = detectPii(defused, options.lang, options);
  if (spans.length === 0) return defused;
  const irreversible = options.irreversible ?? ['card'];
  return replaceSpans(defused, spans, (span) =>
    irreversible.includes(span.type) ? (options.tokens?.[span.type] ?? REDACTION_TOKENS[span.type]) : `⟦pii:${vault.refFor(span.type, span.text)}⟧`,
  );
}

/** The text with every ⟦pii:N⟧ the vault knows replaced by its value; unknown tokens stay as they are. */
export function restore(text: string, vault: PiiVault): string {
  if (!text.includes('⟦')) return text;
  return text.replace(VAULT_TOKEN_RE, (token, ref: string) => vault.get(Number(ref))?.value ?? token);
}

// --- JSON values and logs -----------------------------------------------------------------------------

export interface RedactObjectOptions extends RedactOptions {
  /** Deeper values become '[redacted: too deep]' (default 32): what cannot be checked is not written. */
  maxDepth?: number;
  /** Redact object keys too (default true: analytics maps are sometimes keyed by e-mail). */
  keys?: boolean;
}

/**
 * A copy of a JSON-like value with every string redacted: plain objects and arrays are walked, Errors
 * are copied with their prototype (so `instanceof` and pino's err serializer still work) and their
 * message, stack and fields redacted; objects with toJSON are walked as their JSON; Date, Buffer, Map,
 * Set and streams/emitters pass through unchanged (JSON gives them no personal content). Numbers are
 * left alone: keep phone numbers as strings. Cycles become '[Circular]'.
 */
export function redactObject<T>(value: T, options: RedactObjectOptions = {}): T {
  return walk(value, options, 0, new Set()) as T;
}

function walk(value: unknown, options: RedactObjectOptions, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return redact(value, options);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= (options.maxDepth ?? 32)) return '[redacted: too deep]';
  if (ancestors.has(value)) return '[Circular]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, options, depth + 1, ancestors));
    if (value instanceof Error) return redactError(value, options, depth, ancestors);
    if (passesThrough(value)) return value;
    const source = typeof (value as { toJSON?: unknown }).toJSON === 'function' && !isPlainObject(value) ? (value as { toJSON: () => unknown }).toJSON() : value;
    if (source !== value) return walk(source, options, depth + 1, ancestors);
    const copy: Record<string, unknown> = {};
    const redactKeys = options.keys ?? true;
    for (const [key, item] of Object.entries(value)) copy[redactKeys ? redact(key, options) : key] = walk(item, options, depth + 1, ancestors);
    return copy;
  } finally {
    ancestors.delete(value);
  }
}

function redactError(error: Error, options: RedactObjectOptions, depth: number, ancestors: Set<object>): Error {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  const hidden = (key: string, item: unknown) => Object.defineProperty(copy, key, { value: item, writable: true, configurable: true, enumerable: false });
  hidden('message', redact(error.message, options));
  if (error.stack !== undefined) hidden('stack', redact(error.stack, options));
  if (Object.prototype.hasOwnProperty.call(error, 'name')) hidden('name', error.name);
  if ('cause' in error && error.cause !== undefined) hidden('cause', walk(error.cause, options, depth + 1, ancestors));
  if (error instanceof AggregateError) hidden('errors', walk(error.errors, options, depth + 1, ancestors));
  for (const [key, item] of Object.entries(error)) (copy as unknown as Record<string, unknown>)[key] = walk(item, options, depth + 1, ancestors);
  return copy;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function passesThrough(value: object): boolean {
  if (isPlainObject(value)) return false;
  if (value instanceof Date || value instanceof RegExp || value instanceof Map || value instanceof Set || value instanceof Promise) return true;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof WeakMap || value instanceof WeakSet) return true;
  // Sockets, streams, requests: walking them would copy half of Node's internals.
  const emitter = value as { on?: unknown; emit?: unknown };
  return typeof emitter.on === 'function' && typeof emitter.emit === 'function';
}

type PinoHooks = NonNullable<LoggerOptions['hooks']>;
/** pino's `hooks.logMethod` signature. */
export type PinoLogMethodHook = NonNullable<PinoHooks['logMethod']>;

/**
 * A pino `hooks.logMethod` that redacts the message, the interpolation arguments and every string in the
 * merging object (nested, errors included) before pino formats the line:
 *
 *   pino({ ..., hooks: { logMethod: piiLogHook() } })
 *
 * Child-logger bindings (`logger.child({...})`) do not pass through it: bind only ids and hashes.
 */
export function piiLogHook(options: RedactObjectOptions = {}): PinoLogMethodHook {
  return function logMethod(args, method) {
    const redacted = (args as unknown[]).map((arg) => (typeof arg === 'string' ? redact(arg, options) : walk(arg, options, 0, new Set())));
    method.apply(this, redacted as Parameters<typeof method>);
  };
}

/**
 * The same for pino's `formatters.log`, for loggers built elsewhere. It sees the merging object only,
 * not the message: prefer piiLogHook.
 */
export function piiLogFormatter(options: RedactObjectOptions = {}): (object: Record<string, unknown>) => Record<string, unknown> {
  return (object) => redactObject(object, options);
}
