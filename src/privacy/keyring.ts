import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { MeridianError, type MeridianErrorOptions } from '../core/errors.js';

/**
 * The keys for field encryption. Keys come from the environment or a file, never from the config file;
 * each has a short id that is stored with every value it encrypts, so several keys can be live during a
 * rotation. Key material is held as KeyObjects: it never appears in an error message, a log line,
 * JSON.stringify or console.log of the keyring.
 */

/** Why an encryption operation failed; `code` stays a MeridianError code for dashboards. */
export type EncryptionFailure =
  | 'key_invalid' // a configured key is malformed (config_invalid)
  | 'key_unknown' // a stored value names a key id the keyring does not hold (config_invalid)
  | 'malformed' // a stored value is not an encrypted value of a known version (storage_corrupt)
  | 'auth_failed'; // the value does not authenticate: tampered, moved to another record, or a different key under this id (storage_corrupt)

export class EncryptionError extends MeridianError {
  readonly reason: EncryptionFailure;

  constructor(reason: EncryptionFailure, message: string, options: MeridianErrorOptions = {}) {
    super(reason === 'key_invalid' || reason === 'key_unknown' ? 'config_invalid' : 'storage_corrupt', message, options);
    this.name = 'EncryptionError';
    this.reason = reason;
  }
}

/**
 * How to find the keys. The environment variables map onto it:
 *   MERIDIAN_ENCRYPTION_KEYS        -> keys     "k2026a:<base64>,k2026b:<base64>" (secret)
 *   MERIDIAN_ENCRYPTION_KEYS_FILE   -> keysFile a file with the same list (commas or one per line, # comments)
 *   MERIDIAN_ENCRYPTION_ACTIVE_KEY  -> active   the id new values are encrypted with
 */
export interface KeyringOptions {
  /** `id:base64key` entries separated by commas or newlines; a value without ':' is read as a file path. */
  keys?: string;
  /** A file holding the list. */
  keysFile?: string;
  /** The key id used to encrypt; optional when there is exactly one key. */
  active?: string;
}

export interface Keyring {
  /** The id new values are encrypted with. */
  readonly activeKeyId: string;
  /** Every id this keyring can decrypt, in the order configured. */
  readonly keyIds: readonly string[];
  has(keyId: string): boolean;
}

/** Key ids are stored in every value (enc:v1:<id>:…), so they are short and cannot contain ':'. */
const KEY_ID_RE = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;
const KEY_BYTES = 32;

const keyMaterial = new WeakMap<Keyring, ReadonlyMap<string, KeyObject>>();

class KeyringImpl implements Keyring {
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];

  constructor(keys: ReadonlyMap<string, KeyObject>, active: string) {
    this.activeKeyId = active;
    this.keyIds = Object.freeze([...keys.keys()]);
    keyMaterial.set(this, keys);
    Object.freeze(this);
  }

  has(keyId: string): boolean {
    return this.keyIds.includes(keyId);
  }

  toJSON(): { activeKeyId: string; keyIds: readonly string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return `Keyring { active: ${this.activeKeyId}, keys: [${this.keyIds.join(', ')}] }`;
  }
}

/**
 * Reads and validates the keys. Every problem is an EncryptionError ('key_invalid') that names the key
 * id, the variable or file and what is expected, and never any part of a key.
 */
export function loadKeyring(options: KeyringOptions): Keyring {
  const sources: { text: string; where: string }[] = [];
  if (options.keys !== undefined && options.keys.trim() !== '') {
    const inline = options.keys.includes(':');
    // A bare key without its id must not be echoed back as "cannot read file <key>".
    if (!inline && /^[A-Za-z0-9+/=_-]{40,}$/.test(options.keys.trim())) {
      throw new EncryptionError('key_invalid', 'MERIDIAN_ENCRYPTION_KEYS holds a key without an id: write it as <key id>:<base64 key>');
    }
    sources.push(inline ? { text: options.keys, where: 'MERIDIAN_ENCRYPTION_KEYS' } : readKeyFile(options.keys));
  }
  if (options.keysFile !== undefined && options.keysFile.trim() !== '') sources.push(readKeyFile(options.keysFile));
  if (sources.length === 0) {
    throw new EncryptionError('key_invalid', 'no encryption key is configured: set MERIDIAN_ENCRYPTION_KEYS (id:base64key,…) or MERIDIAN_ENCRYPTION_KEYS_FILE');
  }

  const keys = new Map<string, KeyObject>();
  for (const { text, where } of sources) {
    const entries = text.split(/[,\n\r]+/).map((line) => line.replace(/#.*$/, '').trim()).filter(Boolean);
    entries.forEach((entry, index) => {
      const colon = entry.indexOf(':');
      if (colon === -1) throw new EncryptionError('key_invalid', `${where}: entry ${index + 1} must be "<key id>:<base64 key>" (found no ':')`);
      const id = entry.slice(0, colon).trim();
      const encoded = entry.slice(colon + 1).trim();
      if (!KEY_ID_RE.test(id)) {
        throw new EncryptionError('key_invalid', `${where}: entry ${index + 1} has an invalid key id: use 1-32 letters, digits, '_' or '-'`);
      }
      if (keys.has(id)) throw new EncryptionError('key_invalid', `${where}: key id "${id}" is defined twice`);
      keys.set(id, decodeKey(id, encoded, where));
    });
  }

  const ids = [...keys.keys()];
  let active = options.active?.trim() || undefined;
  if (active === undefined) {
    if (ids.length > 1) {
      throw new EncryptionError('key_invalid', `several encryption keys are configured (${ids.join(', ')}): set MERIDIAN_ENCRYPTION_ACTIVE_KEY to the one new values use`);
    }
    active = ids[0]!;
  }
  if (!KEY_ID_RE.test(active)) {
    throw new EncryptionError('key_invalid', `MERIDIAN_ENCRYPTION_ACTIVE_KEY must be a key id (one of ${ids.join(', ')}), not a key`);
  }
  if (!keys.has(active)) {
    throw new EncryptionError('key_invalid', `MERIDIAN_ENCRYPTION_ACTIVE_KEY is "${active}", which is not among the configured keys (${ids.join(', ')})`);
  }
  return new KeyringImpl(keys, active);
}

/** KeyringOptions from MERIDIAN_ENCRYPTION_KEYS(_FILE) and MERIDIAN_ENCRYPTION_ACTIVE_KEY; undefined when no key is set. */
export function keyringOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): KeyringOptions | undefined {
  const keys = env['MERIDIAN_ENCRYPTION_KEYS'] || undefined;
  const keysFile = env['MERIDIAN_ENCRYPTION_KEYS_FILE'] || undefined;
  if (keys === undefined && keysFile === undefined) return undefined;
  return { keys, keysFile, active: env['MERIDIAN_ENCRYPTION_ACTIVE_KEY'] || undefined };
}

/** A new random key as `id:base64`, for `meridian privacy generate-key` and tests. */
export function generateKeyEntry(id: string): string {
  if (!KEY_ID_RE.test(id)) throw new EncryptionError('key_invalid', `key id "${id}" is invalid: use 1-32 letters, digits, '_' or '-'`);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** @internal The key for an id, for encryption.ts only; not exported from the package. */
export function keyFor(keyring: Keyring, keyId: string): KeyObject {
  const keys = keyMaterial.get(keyring);
  if (keys === undefined) throw new TypeError('not a keyring from loadKeyring()');
  const key = keys.get(keyId);
  if (key === undefined) {
    throw new EncryptionError('key_unknown', `a value is encrypted with key "${keyId}", which the keyring does not hold (it has ${keyring.keyIds.join(', ')}); was a key removed before rotation finished?`);
  }
  return key;
}

function decodeKey(id: string, encoded: string, where: string): KeyObject {
  if (!BASE64_RE.test(encoded)) throw new EncryptionError('key_invalid', `${where}: key "${id}" is not base64 (or base64url)`);
  const bytes = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
  try {
    if (bytes.length !== KEY_BYTES) {
      throw new EncryptionError('key_invalid', `${where}: key "${id}" decodes to ${bytes.length} bytes; AES-256 needs exactly ${KEY_BYTES} (generate one with: openssl rand -base64 32)`);
    }
    // An all-same-byte key is a placeholder someone forgot to replace.
    if (bytes.every((byte) => byte === bytes[0])) throw new EncryptionError('key_invalid', `${where}: key "${id}" is a placeholder (every byte the same); generate a random key`);
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

function readKeyFile(path: string): { text: string; where: string } {
  try {
    return { text: readFileSync(path, 'utf8'), where: `key file ${path}` };
  } catch (cause) {
    throw new EncryptionError('key_invalid', `cannot read the encryption key file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}
