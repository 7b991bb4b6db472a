import { createHash } from 'node:crypto';

/**
 * A short fingerprint of an article's source text. A translation stores the fingerprint of the text it
 * was made from; when the source's fingerprint moves on, the translation is stale. Whitespace at the
 * ends and line-ending style do not count as a change.
 */
export function sourceHash(title: string, body: string): string {
  const canonical = JSON.stringify([title.trim(), body.replace(/\r\n?/g, '\n').trim()]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
