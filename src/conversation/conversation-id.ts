import { createHash } from 'node:crypto';

/**
 * Conversation ids are derived from (channel, conversation key) so every process computes the same id,
 * and hashed so that ids in logs and URLs carry no phone number or e-mail address.
 */
export function conversationIdFor(channel: string, conversationKey: string): string {
  return `cv_${createHash('sha256').update(`${channel}\u0000${conversationKey}`).digest('base64url').slice(0, 22)}`;
}

export function customerIdFor(address: string): string {
  return `cu_${createHash('sha256').update(address).digest('base64url').slice(0, 22)}`;
}
