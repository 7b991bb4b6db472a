import { createHash } from 'node:crypto';

/**
 * Conversation ids are derived from (channel, conversation key) so every process computes the same id,
 * and hashed so that ids in logs and URLs carry no phone number or e-mail address.
 */
export function conversationIdFor(channel: string, conversationKey: string): string {
  return cached(`cv_`, `${channel}\u0000${conversationKey}`);
}

export function customerIdFor(address: string): string {
  return cached('cu_', address);
}

// Hashing showed up at ~4% of a turn; active conversations repeat, so remember recent ids.
const recent = new Map<string, string>();
const RECENT_LIMIT = 10_000;
function cached(prefix: string, input: string): string {
  const key = prefix + input;
  let id = recent.get(key);
  if (id === undefined) {
    id = `${prefix}${createHash('sha256').update(input).digest('base64url').slice(0, 22)}`;
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(key, id);
  }
  return id;
}
