import { MeridianError } from '../core/errors.js';
import type { WriteBlockReason } from './types.js';

/**
 * A shop rule refused a write (`not_allowed`). `reason` is a stable code the dialog turns into a
 * sentence in the customer's language; the message is English for agents and logs. A back end behind
 * HttpShop may send reasons of its own, hence the open string type.
 */
export class NotAllowedError extends MeridianError {
  readonly reason: WriteBlockReason | (string & Record<never, never>);

  constructor(reason: WriteBlockReason | (string & Record<never, never>), message: string, details: Record<string, unknown> = {}) {
    super('not_allowed', message, { status: 422, details: { reason, ...details } });
    this.name = 'NotAllowedError';
    this.reason = reason;
  }
}

export function orderNotFound(orderNumber: string): MeridianError {
  return new MeridianError('order_not_found', `No order ${orderNumber} in the shop: check the number with the customer.`, {
    status: 404,
    details: { orderNumber },
  });
}

export function invalidRequest(message: string, details: Record<string, unknown> = {}): MeridianError {
  return new MeridianError('invalid_request', message, { status: 400, details });
}

export function idempotencyConflict(operation: string, key: string): MeridianError {
  return new MeridianError(
    'idempotency_conflict',
    `The idempotency key "${key}" was already used for a different ${operation} request: use a new key for a new request.`,
    { status: 422, details: { operation, idempotencyKey: key } },
  );
}
