/**
 * Every error Meridian raises on purpose is a MeridianError: a stable `code` that code and
 * dashboards can match on, a message a person can act on, and the underlying cause.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'config_unreadable'
  | 'storage_corrupt'
  | 'storage_unavailable'
  | 'version_conflict'
  | 'duplicate_key'
  | 'not_found'
  | 'invalid_activity'
  | 'invalid_request'
  | 'invalid_json'
  | 'invalid_utf8'
  | 'payload_too_large'
  | 'route_not_found'
  | 'text_too_long'
  | 'empty_message'
  | 'unknown_channel'
  | 'unauthorized'
  | 'forbidden'
  | 'shutting_down'
  | 'send_failed'
  | 'dialog_error'
  | 'middleware_error'
  | 'turn_failed'
  | 'shop_invalid'
  | 'shop_unreadable'
  | 'shop_unavailable'
  | 'order_not_found'
  | 'not_allowed'
  | 'idempotency_conflict'
  | 'identity_conflict'
  | 'rate_limited';

export interface MeridianErrorOptions {
  cause?: unknown;
  /** HTTP status to answer with when this error reaches a route. */
  status?: number;
  details?: Record<string, unknown>;
}

export class MeridianError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: MeridianErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeridianError';
    this.code = code;
    this.status = options.status ?? 500;
    this.details = options.details;
  }
}

/** Raised by a store when `expectedVersion` no longer matches: the caller must reload and retry. */
export class VersionConflictError extends MeridianError {
  constructor(collection: string, id: string, expected: number) {
    super('version_conflict', `${collection}/${id} was changed by someone else (expected version ${expected})`, {
      status: 409,
      details: { collection, id, expected },
    });
    this.name = 'VersionConflictError';
  }
}

export class DuplicateKeyError extends MeridianError {
  constructor(collection: string, key: string, options: MeridianErrorOptions = {}) {
    super('duplicate_key', `${collection} already holds a document with key ${key}`, { status: 409, ...options });
    this.name = 'DuplicateKeyError';
  }
}

export function isMeridianError(error: unknown, code?: ErrorCode): error is MeridianError {
  return error instanceof MeridianError && (code === undefined || error.code === code);
}

/** A short description of any thrown value, for logs and error bodies. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
