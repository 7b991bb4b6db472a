import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VersionConflictError } from '../core/errors.js';
import type { Collection, Filter, StoredDocument } from '../storage/collection.js';
import { EncryptionError, keyFor, type Keyring } from './keyring.js';

/**
 * Field-level encryption at rest: AES-256-GCM, a random 96-bit IV per value, the key id stored with the
 * value, and associated data that binds the value to its collection, field and document id, so a
 * ciphertext copied into another record, another field or under another key id does not decrypt.
 *
 *   enc:v1:<keyId>:<iv, base64url>:<ciphertext + 16-byte tag, base64url>
 *
 * The plaintext starts with one type byte ('s' string, 'j' JSON) inside the authenticated ciphertext,
 * so non-string values round-trip with their type and the marker cannot be changed from outside.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Where a value lives; all three are authenticated with it. */
export interface FieldContext {
  collection: string;
  field: string;
  id: string;
}

const PREFIX = 'enc:v1:';
const VALUE_RE = /^enc:v1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{23,})$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const TYPE_STRING = 0x73; // 's'
const TYPE_JSON = 0x6a; // 'j'

/** Whether a stored value has the shape of an encrypted value (it may still fail to authenticate). */
export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX) && VALUE_RE.test(value);
}

/** The key id an encrypted value names, or undefined for anything else. */
export function encryptedKeyId(value: unknown): string | undefined {
  return typeof value === 'string' ? VALUE_RE.exec(value)?.[1] : undefined;
}

export function encryptField(plaintext: string, context: FieldContext, keyring: Keyring): string {
  return seal(TYPE_STRING, Buffer.from(plaintext, 'utf8'), context, keyring);
}

export function decryptField(value: string, context: FieldContext, keyring: Keyring): string {
  const { type, data } = open(value, context, keyring);
  if (type !== TYPE_STRING) throw new EncryptionError('malformed', `${describe(context)} holds an encrypted JSON value, not a string: use decryptValue`);
  return data.toString('utf8');
}

/** Any JSON value (an identity object, a number); strings are stored exactly as encryptField stores them. */
export function encryptValue(value: JsonValue, context: FieldContext, keyring: Keyring): string {
  if (typeof value === 'string') return encryptField(value, context, keyring);
  return seal(TYPE_JSON, Buffer.from(JSON.stringify(value), 'utf8'), context, keyring);
}

export function decryptValue(value: string, context: FieldContext, keyring: Keyring): JsonValue {
  const { type, data } = open(value, context, keyring);
  const text = data.toString('utf8');
  if (type === TYPE_STRING) return text;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new EncryptionError('malformed', `${describe(context)} decrypted to invalid JSON`);
  }
}

// IVs come from a pool of OS randomness filled 256 IVs at a time: one randomFillSync per IV cost more
// than the AES itself (measured: ~12% of an encrypted turn). Each IV is still 96 fresh random bits.
const IV_POOL_SIZE = 256;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;
function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * IV_POOL_SIZE);
    ivOffset = 0;
  }
  // A copy, so the IV never aliases pool bytes that a later refill replaces.
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
}

/** encryptValue for a value already serialized as JSON (callers that keep the text skip a second stringify). */
export function encryptJsonText(json: string, context: FieldContext, keyring: Keyring): string {
  return seal(TYPE_JSON, Buffer.from(json, 'utf8'), context, keyring);
}

/** The JSON text of a value encryptJsonText (or encryptValue with a non-string) sealed; the caller parses it. */
export function decryptJsonText(value: string, context: FieldContext, keyring: Keyring): string {
  const { type, data } = open(value, context, keyring);
  if (type !== TYPE_JSON) throw new EncryptionError('malformed', `${describe(context)} holds an encrypted string, not a JSON value`);
  return data.toString('utf8');
}

function seal(type: number, data: Buffer, context: FieldContext, keyring: Keyring): string {
  const keyId = keyring.activeKeyId;
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', keyFor(keyring, keyId), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(keyId, context));
  const body = Buffer.concat([cipher.update(Buffer.of(type)), cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${keyId}:${iv.toString('base64url')}:${body.toString('base64url')}`;
}

function open(value: string, context: FieldContext, keyring: Keyring): { type: number; data: Buffer } {
  const match = typeof value === 'string' ? VALUE_RE.exec(value) : null;
  if (!match) throw new EncryptionError('malformed', `${describe(context)} is not an encrypted value (expected enc:v1:<key id>:<iv>:<data>)`);
  const [, keyId, ivText, bodyText] = match as unknown as [string, string, string, string];
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  // base64url decoding ignores trailing junk bits; re-encoding catches an altered last character.
  if (iv.length !== IV_BYTES || body.length <= TAG_BYTES || iv.toString('base64url') !== ivText || body.toString('base64url') !== bodyText) {
    throw new EncryptionError('malformed', `${describe(context)} is a damaged encrypted value`);
  }
  const decipher = createDecipheriv('aes-256-gcm', keyFor(keyring, keyId), iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(keyId, context));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new EncryptionError(
      'auth_failed',
      `${describe(context)} does not authenticate under key "${keyId}": it was altered, copied from another record or field, or the key behind this id changed`,
    );
  }
  const type = plain[0];
  if (type !== TYPE_STRING && type !== TYPE_JSON) throw new EncryptionError('malformed', `${describe(context)} has an unknown value type`);
  return { type, data: plain.subarray(1) };
}

/** Unambiguous (a JSON array of strings), and covers the format version and the key id too. */
function associatedData(keyId: string, context: FieldContext): Buffer {
  return Buffer.from(JSON.stringify(['meridian-field', 'v1', keyId, context.collection, context.field, context.id]), 'utf8');
}

function describe(context: FieldContext): string {
  return `${context.collection}/${context.id} field ${context.field}`;
}

// --- documents ----------------------------------------------------------------------------------------

/** The record a document's fields belong to; `id` defaults to the document's own `id`. */
export interface DocumentContext {
  collection: string;
  id?: string;
}

interface Segment {
  name: string;
  /** `name[]`: every element of the array. */
  each: boolean;
}

const SEGMENT_RE = /^([A-Za-z_$][\w$-]*)(\[\])?$/;
const pathCache = new Map<string, Segment[]>();

/** 'displayName', 'address.street', 'identities[]', 'identities[].address'. */
function parsePath(path: string): Segment[] {
  let segments = pathCache.get(path);
  if (segments === undefined) {
    segments = path.split('.').map((part) => {
      const match = SEGMENT_RE.exec(part);
      if (!match) throw new TypeError(`invalid field path "${path}": use names joined by '.', with [] after an array (identities[].address)`);
      return { name: match[1]!, each: match[2] !== undefined };
    });
    pathCache.set(path, segments);
  }
  return segments;
}

/** Applies `fn` to every non-null value at the path; copies only what changes, never mutates the input. */
function mapPath(value: unknown, segments: readonly Segment[], index: number, fn: (leaf: unknown) => unknown): unknown {
  if (index === segments.length) return value === undefined || value === null ? value : fn(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const segment = segments[index]!;
  const record = value as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(record, segment.name)) return value;
  const child = record[segment.name];
  let next: unknown;
  if (segment.each && Array.isArray(child)) {
    let changed = false;
    const items = child.map((item: unknown) => {
      const mapped = mapPath(item, segments, index + 1, fn);
      if (mapped !== item) changed = true;
      return mapped;
    });
    next = changed ? items : child;
  } else {
    next = mapPath(child, segments, index + 1, fn);
  }
  return next === child ? value : { ...record, [segment.name]: next };
}

function documentId(doc: object, context: DocumentContext): string {
  const id = context.id ?? (doc as { id?: unknown }).id;
  if (typeof id !== 'string' || id === '') throw new TypeError(`a document of ${context.collection} needs a string id to bind its encrypted fields to`);
  return id;
}

function mapFields<T extends object>(doc: T, fields: readonly string[], context: DocumentContext, fn: (leaf: unknown, field: FieldContext) => unknown): T {
  const id = documentId(doc, context);
  let out: unknown = doc;
  for (const field of fields) {
    const where: FieldContext = { collection: context.collection, field, id };
    out = mapPath(out, parsePath(field), 0, (leaf) => fn(leaf, where));
  }
  return out as T;
}

function authenticates(value: string, field: FieldContext, keyring: Keyring): boolean {
  try {
    decryptValue(value, field, keyring);
    return true;
  } catch {
    return false;
  }
}

/**
 * A copy of `doc` with the values at `fields` encrypted under the active key. A value that is already an
 * authentic ciphertext for this record and field is kept, so saving a document twice is harmless.
 */
export function encryptDocumentFields<T extends object>(doc: T, fields: readonly string[], context: DocumentContext, keyring: Keyring): T {
  return mapFields(doc, fields, context, (leaf, field) =>
    typeof leaf === 'string' && isEncrypted(leaf) && keyring.has(encryptedKeyId(leaf)!) && authenticates(leaf, field, keyring)
      ? leaf
      : encryptValue(leaf as JsonValue, field, keyring),
  );
}

/**
 * A copy of `doc` with the encrypted values at `fields` decrypted. Values that are not encrypted (written
 * before encryption was turned on) are returned as they are; a value that fails to authenticate throws.
 */
export function decryptDocumentFields<T extends object>(doc: T, fields: readonly string[], context: DocumentContext, keyring: Keyring): T {
  return mapFields(doc, fields, context, (leaf, field) => (isEncrypted(leaf) ? decryptValue(leaf, field, keyring) : leaf));
}

export interface RotateDocumentOptions {
  /** Also encrypt values still stored in plain text (default true), so rotation finishes a migration. */
  encryptPlaintext?: boolean;
}

export interface RotatedDocument<T> {
  doc: T;
  /** Values re-encrypted (or encrypted for the first time); 0 means the document needs no write. */
  rotated: number;
}

/** Re-encrypts under the active key every value at `fields` whose key id is another one. */
export function rotateDocumentFields<T extends object>(
  doc: T,
  fields: readonly string[],
  context: DocumentContext,
  keyring: Keyring,
  options: RotateDocumentOptions = {},
): RotatedDocument<T> {
  let rotated = 0;
  const out = mapFields(doc, fields, context, (leaf, field) => {
    if (isEncrypted(leaf)) {
      if (encryptedKeyId(leaf) === keyring.activeKeyId) return leaf;
      rotated++;
      return encryptValue(decryptValue(leaf, field, keyring), field, keyring);
    }
    if (options.encryptPlaintext === false) return leaf;
    rotated++;
    return encryptValue(leaf as JsonValue, field, keyring);
  });
  return { doc: out, rotated };
}

// --- collections --------------------------------------------------------------------------------------

export interface RotationProgress {
  collection: string;
  /** Documents matched at the start. */
  total: number;
  scanned: number;
  /** Documents written (or, in a dry run, that would be). */
  updated: number;
  /** Values re-encrypted (or that would be). */
  values: number;
  /** Version conflicts met (a concurrent write won; the document was re-read and rotated again). */
  conflicts: number;
  /** Documents deleted while the rotation ran. */
  gone: number;
  failed: number;
}

export interface RotationResult extends RotationProgress {
  /** Documents that could not be rotated, with why (ids and key ids only, never values). */
  failures: { id: string; reason: string }[];
  aborted: boolean;
}

export interface RotateCollectionOptions extends RotateDocumentOptions {
  /** Documents per batch; progress is reported and the event loop yielded after each (default 100). */
  batchSize?: number;
  onProgress?: (progress: Readonly<RotationProgress>) => void;
  /** Only documents matching this filter (indexed fields only). */
  filter?: Filter;
  /** Count what would change, write nothing: `meridian privacy rotate-key --dry-run`, or a check that a rotation is complete. */
  dryRun?: boolean;
  /** Attempts per document when concurrent writes keep winning (default 5). */
  maxAttempts?: number;
  /** Stops between batches; the result says `aborted`. Re-running continues where it stopped. */
  signal?: AbortSignal;
}

/**
 * Re-encrypts the given fields of every document of a collection under the active key, while the bot
 * keeps serving: every write is conditional on the version read, and on a conflict the document is read
 * again and rotated again, so a concurrent update is never lost. Safe to re-run; a run with nothing
 * left to do writes nothing.
 *
 * Order of operations for a rotation without downtime: deploy every instance with the new key added and
 * made active (old key still present), run this for every collection with encrypted fields, run it
 * again with dryRun to see 0 values left, then remove the old key.
 *
 * The Collection port has no cursor, so the matched documents are read in one find(); batches bound
 * the concurrent writes, not the read.
 */
export async function rotateCollection<T extends StoredDocument>(
  collection: Collection<T>,
  fields: readonly string[],
  keyring: Keyring,
  options: RotateCollectionOptions = {},
): Promise<RotationResult> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 100));
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  for (const field of fields) parsePath(field);
  const docs = await collection.find(options.filter ?? {});
  const progress: RotationProgress = { collection: collection.name, total: docs.length, scanned: 0, updated: 0, values: 0, conflicts: 0, gone: 0, failed: 0 };
  const failures: RotationResult['failures'] = [];

  const rotateOne = async (first: T): Promise<void> => {
    let current: T | undefined = first;
    for (let attempt = 1; ; attempt++) {
      if (current === undefined) {
        progress.gone++;
        return;
      }
      const { doc, rotated } = rotateDocumentFields(current, fields, { collection: collection.name, id: current.id }, keyring, options);
      if (rotated === 0) return;
      if (options.dryRun) {
        progress.updated++;
        progress.values += rotated;
        return;
      }
      try {
        await collection.update(doc, current.version);
        progress.updated++;
        progress.values += rotated;
        return;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= maxAttempts) throw error;
        progress.conflicts++;
        current = await collection.get(current.id);
      }
    }
  };

  let aborted = false;
  for (let start = 0; start < docs.length; start += batchSize) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    const batch = docs.slice(start, start + batchSize);
    await Promise.all(
      batch.map(async (doc) => {
        try {
          await rotateOne(doc);
        } catch (error) {
          progress.failed++;
          failures.push({ id: doc.id, reason: error instanceof Error ? error.message : String(error) });
        }
        progress.scanned++;
      }),
    );
    options.onProgress?.({ ...progress });
    // Let turns run between batches: the rotation shares the process with the live bot.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { ...progress, failures, aborted };
}
