import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { JsonObject } from '../core/activity.js';

/**
 * One-time codes that prove a person holds another channel (the e-mail or phone on file): six digits,
 * valid ten minutes, three tries. Only a salted hash is kept, in the conversation that asked, so a
 * stolen database does not reveal a live code and the code never appears in a log.
 */

export const CODE_TTL_MS = 10 * 60_000;
export const CODE_MAX_ATTEMPTS = 3;

export interface PendingCode extends JsonObject {
  shopCustomerId: string;
  /** The channel the code went to (`email`, `sms`, `whatsapp`), for the prompt; never the address. */
  channel: string;
  salt: string;
  hash: string;
  expiresAt: number;
  attempts: number;
}

function digest(salt: string, code: string): string {
  return createHash('sha256').update(`${salt}:${code}`).digest('base64url');
}

export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function pendingCode(code: string, shopCustomerId: string, channel: string, now: number): PendingCode {
  const salt = String(randomInt(0, 2 ** 47));
  return { shopCustomerId, channel, salt, hash: digest(salt, code), expiresAt: now + CODE_TTL_MS, attempts: 0 };
}

export type CodeCheck = 'ok' | 'wrong' | 'expired' | 'locked';

/** Compares in constant time; the caller counts the attempt on 'wrong'. */
export function checkCode(pending: PendingCode, typed: string, now: number): CodeCheck {
  if (now > pending.expiresAt) return 'expired';
  if (pending.attempts >= CODE_MAX_ATTEMPTS) return 'locked';
  const given = Buffer.from(digest(pending.salt, typed.replace(/\s/g, '')));
  const expected = Buffer.from(pending.hash);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'wrong';
}

/** A code the customer typed: six digits, possibly spaced ("123 456"), and no other digits (a phone number is not a code). */
export function typedCode(text: string): string | undefined {
  if (text.replace(/\D/g, '').length !== 6) return undefined;
  const match = /(?:^|\D)(\d{3}\s?\d{3})(?:\D|$)/.exec(text);
  return match?.[1]?.replace(/\s/g, '');
}
