import type { Collection, CollectionSpec, Filter, FindOptions, NewDocument, StorageBackend, StoredDocument } from '../storage/collection.js';
import { decryptDocumentFields, decryptJsonText, encryptDocumentFields, encryptedKeyId, encryptJsonText } from './encryption.js';
import type { Keyring } from './keyring.js';
import { PERSONAL_FIELDS } from './personal-fields.js';

/**
 * Field encryption at rest as a StorageBackend wrapper: the stores above it keep reading and writing
 * plain text, the backend below it only ever sees the configured fields as `enc:v1:…` values bound to
 * their collection, field and document id — for top-level fields (all of Meridian's), sealed together
 * as one value per document under `_personal`. Documents written before encryption was turned on read
 * as they are (and `rotateKeys` encrypts them).
 *
 * With data residency, wrap each region's backend, not the router: the router routes on `address`,
 * `primaryAddress` and `activity.address`, which it must see in plain text.
 */

export type FieldMap = Readonly<Record<string, readonly string[]>>;

export interface EncryptedBackendOptions {
  keyring: Keyring;
  /** Encrypted fields by collection (default PERSONAL_FIELDS); collections not listed pass through. */
  fields?: FieldMap;
}

export interface EncryptedBackend extends StorageBackend {
  readonly keyring: Keyring;
  readonly fields: FieldMap;
  /**
   * The inner backend's collection, which reads and writes the stored (encrypted) values as they are:
   * for key rotation. When this backend has opened the collection already, that spec is used whatever
   * `spec` says, because backends cache a collection by name with the indexes it was first opened with.
   */
  raw<T extends StoredDocument>(spec: CollectionSpec): Collection<T>;
}

const encryptedBackends = new WeakSet<StorageBackend>();

export function isEncryptedBackend(backend: StorageBackend): backend is EncryptedBackend {
  return encryptedBackends.has(backend);
}

export function encryptedBackend(inner: StorageBackend, options: EncryptedBackendOptions): EncryptedBackend {
  const { keyring } = options;
  const fields = options.fields ?? PERSONAL_FIELDS;
  /** Specs opened through this wrapper; `raw` marks the ones it opened itself. */
  const opened = new Map<string, { spec: CollectionSpec; raw: boolean }>();

  const backend: EncryptedBackend = {
    kind: inner.kind,
    keyring,
    fields,
    collection<T extends StoredDocument>(spec: CollectionSpec): Collection<T> {
      const encrypted = fields[spec.name] ?? [];
      assertNotIndexed(spec, encrypted);
      const prior = opened.get(spec.name);
      if (prior?.raw && !coversIndexes(prior.spec, spec)) {
        // The inner backend would hand back the index-less collection rotation opened, and its writes
        // would leave the index columns stale: fail loudly instead.
        throw new Error(`collection "${spec.name}" was opened for key rotation without its indexes before its store opened it: open the stores first, then rotate`);
      }
      if (prior === undefined || prior.raw) opened.set(spec.name, { spec, raw: false });
      const collection = inner.collection<T>(spec);
      if (encrypted.length === 0) return collection;
      return encrypted.every((path) => topLevel(path) === path) ? new SealedDocumentCollection(collection, encrypted, keyring) : new EncryptedCollection(collection, encrypted, keyring);
    },
    raw<T extends StoredDocument>(spec: CollectionSpec): Collection<T> {
      const prior = opened.get(spec.name);
      if (prior !== undefined) return inner.collection<T>(prior.spec);
      opened.set(spec.name, { spec, raw: true });
      return inner.collection<T>(spec);
    },
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  // Callers do `backend.flush?.()`: a flush that does nothing must stay absent, not become a no-op.
  if (inner.flush !== undefined) backend.flush = () => inner.flush!();
  encryptedBackends.add(backend);
  return backend;
}

/** An encrypted value has a fresh IV each time: it can neither be filtered on nor kept unique. */
function assertNotIndexed(spec: CollectionSpec, encrypted: readonly string[]): void {
  if (encrypted.length === 0) return;
  const indexed = new Set([...spec.indexes, ...(spec.unique ?? [])]);
  for (const path of encrypted) {
    if (indexed.has(topLevel(path))) {
      throw new Error(
        `${spec.name}.${topLevel(path)} is both encrypted at rest (personal data) and an index or unique field of the collection: ` +
          'an encrypted value cannot be looked up. Index a keyed hash of it instead, or remove it from the encrypted fields.',
      );
    }
  }
}

function coversIndexes(had: CollectionSpec, wants: CollectionSpec): boolean {
  const present = new Set([...had.indexes, ...(had.unique ?? [])]);
  return [...wants.indexes, ...(wants.unique ?? [])].every((field) => present.has(field));
}

/** 'identities[].address' -> 'identities': the document property a path lives under. */
function topLevel(path: string): string {
  const dot = path.indexOf('.');
  const head = dot === -1 ? path : path.slice(0, dot);
  return head.endsWith('[]') ? head.slice(0, -2) : head;
}

class EncryptedCollection<T extends StoredDocument> implements Collection<T> {
  readonly name: string;
  private readonly context: { collection: string };
  /** The top-level properties the encrypted paths live under, to hand the caller's plain values back. */
  private readonly roots: readonly string[];

  constructor(
    protected readonly inner: Collection<T>,
    private readonly fields: readonly string[],
    private readonly keyring: Keyring,
  ) {
    this.name = inner.name;
    this.context = { collection: inner.name };
    this.roots = [...new Set(fields.map(topLevel))];
  }

  async get(id: string): Promise<T | undefined> {
    const doc = await this.inner.get(id);
    return doc === undefined ? undefined : this.open(doc);
  }

  async insert(doc: NewDocument<T>): Promise<T> {
    const sealed = this.seal(doc, doc.id);
    const stored = await this.inner.insert(sealed);
    return sealed === doc ? stored : this.withPlaintext(stored, doc);
  }

  async update(doc: T, expectedVersion: number): Promise<T> {
    const sealed = this.seal(doc, doc.id);
    const stored = await this.inner.update(sealed, expectedVersion);
    return sealed === doc ? stored : this.withPlaintext(stored, doc);
  }

  delete(id: string, expectedVersion?: number): Promise<boolean> {
    return this.inner.delete(id, expectedVersion);
  }

  async find(filter: Filter, options?: FindOptions): Promise<T[]> {
    return (await this.inner.find(filter, options)).map((doc) => this.open(doc));
  }

  count(filter: Filter): Promise<number> {
    return this.inner.count(filter);
  }

  deleteMany(filter: Filter): Promise<number> {
    return this.inner.deleteMany(filter);
  }

  protected seal<D extends object>(doc: D, _id: string): D {
    return encryptDocumentFields(doc, this.fields, this.context, this.keyring);
  }

  protected open(doc: T): T {
    return decryptDocumentFields(doc, this.fields, this.context, this.keyring);
  }

  /**
   * What the store returned (its version and anything else it set), with the caller's own plain values
   * put back under the encrypted properties: cheaper than decrypting what was just encrypted.
   */
  protected withPlaintext(stored: T, plain: object): T {
    const out = { ...stored } as unknown as Record<string, unknown>;
    const source = plain as Record<string, unknown>;
    for (const root of this.roots) {
      if (Object.prototype.hasOwnProperty.call(source, root)) out[root] = source[root];
    }
    return out as unknown as T;
  }
}

/** The stored property that holds a document's personal fields, sealed together (see SealedDocumentCollection). */
export const SEALED_FIELD = '_personal';

/** Documents whose sealed values are remembered, per collection (the conversations and customers in play). */
const MEMO_DOCUMENTS = 4096;

interface Sealed {
  /** The personal fields as JSON, to see whether a save changed them. */
  json: string;
  cipher: string;
}

/**
 * The common case, every encrypted field a top-level property: a document's personal fields are sealed
 * together as one value under `_personal` (AES-256-GCM, its key id with it, bound to collection and
 * document id), so a turn pays one cipher per write instead of one per field. A memo of recent
 * documents hands back the plain fields of a ciphertext it sealed or opened before (no AES on the next
 * read) and keeps the ciphertext when a save did not change them. Only authentic pairs enter the memo;
 * a stored value that differs from the remembered one (another process wrote it, or it was altered) is
 * decrypted and authenticated as usual. Fields stored one by one (encrypted per field by an earlier
 * version or by rotation of plain-text rows, or still in plain text) are read as they are.
 */
class SealedDocumentCollection<T extends StoredDocument> extends EncryptedCollection<T> {
  private readonly memo = new Map<string, Sealed>();
  private readonly isPersonal: ReadonlySet<string>;

  constructor(
    inner: Collection<T>,
    private readonly personal: readonly string[],
    private readonly ring: Keyring,
  ) {
    super(inner, personal, ring);
    this.isPersonal = new Set(personal);
  }

  // Objects are built key by key rather than copied and `delete`d from: a deleted property turns an
  // object into a slow dictionary for everything that touches it later (the turn, the JSON writer).
  protected override seal<D extends object>(doc: D, id: string): D {
    const source = doc as Record<string, unknown>;
    const subset: Record<string, unknown> = {};
    const out: Record<string, unknown> = {};
    let any = false;
    for (const key in source) {
      const value = source[key];
      if (!this.isPersonal.has(key)) out[key] = value;
      else if (value !== undefined) {
        subset[key] = value;
        any = true;
      }
    }
    if (!any) return doc;
    const json = JSON.stringify(subset);
    const known = this.memo.get(id);
    let cipher: string;
    if (known !== undefined && known.json === json && encryptedKeyId(known.cipher) === this.ring.activeKeyId) cipher = known.cipher;
    else {
      cipher = encryptJsonText(json, { collection: this.name, field: SEALED_FIELD, id }, this.ring);
      this.remember(id, { json, cipher });
    }
    out[SEALED_FIELD] = cipher;
    return out as D;
  }

  protected override open(doc: T): T {
    const source = doc as unknown as Record<string, unknown>;
    // Rows written field by field (or before encryption) read through the per-field path.
    const base = this.personal.some((field) => field in source) ? (super.open(doc) as unknown as Record<string, unknown>) : source;
    const sealed = source[SEALED_FIELD];
    if (typeof sealed !== 'string') return base as unknown as T;
    const known = this.memo.get(doc.id);
    let fields: Record<string, unknown>;
    if (known !== undefined && known.cipher === sealed) fields = JSON.parse(known.json) as Record<string, unknown>;
    else {
      const json = decryptJsonText(sealed, { collection: this.name, field: SEALED_FIELD, id: doc.id }, this.ring);
      const plain = JSON.parse(json) as unknown;
      if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) throw new Error(`${this.name}/${doc.id}: the sealed personal fields are not an object`);
      fields = plain as Record<string, unknown>;
      this.remember(doc.id, { json, cipher: sealed });
    }
    return { ...withoutSealed(base), ...fields } as unknown as T;
  }

  protected override withPlaintext(stored: T, plain: object): T {
    const out = withoutSealed(stored as unknown as Record<string, unknown>);
    const source = plain as Record<string, unknown>;
    for (const field of this.personal) if (source[field] !== undefined) out[field] = source[field];
    return out as unknown as T;
  }

  override async delete(id: string, expectedVersion?: number): Promise<boolean> {
    this.memo.delete(id);
    return super.delete(id, expectedVersion);
  }

  /** Most recently used last; the oldest document is forgotten first. */
  private remember(id: string, sealed: Sealed): void {
    this.memo.delete(id);
    this.memo.set(id, sealed);
    if (this.memo.size > MEMO_DOCUMENTS) this.memo.delete(this.memo.keys().next().value as string);
  }
}

function withoutSealed(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in doc) if (key !== SEALED_FIELD) out[key] = doc[key];
  return out;
}
