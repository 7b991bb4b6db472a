/**
 * The storage primitive every backend implements: a collection of versioned JSON documents with
 * optimistic concurrency and equality look-ups on declared fields. The purpose-named stores
 * (conversations, inbox, outbox, ...) are small classes over it, so one contract suite proves every
 * backend.
 */

/** Scalar values a declared index field may hold. */
export type IndexValue = string | number | boolean | null;

export interface StoredDocument {
  id: string;
  /** Starts at 1 on insert and grows by one on every update. */
  version: number;
}

/** A document before the store has given it a version. */
export type NewDocument<T extends StoredDocument> = Omit<T, 'version'>;

export interface CollectionSpec {
  /** Collection (table) name: lowercase letters, digits and underscores. */
  name: string;
  /** Top-level fields that `find` can filter or sort on; each gets an index. */
  indexes: readonly string[];
  /** Top-level fields whose value must be unique across the collection (null/absent values are not compared). */
  unique?: readonly string[];
}

export type Filter = Readonly<Record<string, IndexValue | { lte: number } | { in: readonly IndexValue[] }>>;

export interface FindOptions {
  /** An indexed field to order by, ascending unless `descending` is true. Ties break on id. */
  orderBy?: string;
  descending?: boolean;
  limit?: number;
}

export interface Collection<T extends StoredDocument> {
  readonly name: string;
  get(id: string): Promise<T | undefined>;
  /** Stores a new document at version 1; throws DuplicateKeyError when the id or a unique field is taken. */
  insert(doc: NewDocument<T>): Promise<T>;
  /** Replaces the document if its stored version equals `expectedVersion`; throws VersionConflictError otherwise. */
  update(doc: T, expectedVersion: number): Promise<T>;
  /** Deletes by id (only at `expectedVersion` when given); returns whether something was deleted. */
  delete(id: string, expectedVersion?: number): Promise<boolean>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  count(filter: Filter): Promise<number>;
  deleteMany(filter: Filter): Promise<number>;
}

export interface StorageBackend {
  /** 'memory' | 'embedded' | 'mongodb' or a custom name, for logs and /readyz. */
  readonly kind: string;
  collection<T extends StoredDocument>(spec: CollectionSpec): Collection<T>;
  /** Throws when the backend cannot serve requests. */
  ping(): Promise<void>;
  /**
   * Resolves once every write made so far is durable. Backends whose writes are durable when they
   * resolve need not implement it; the embedded store batches commits and does.
   */
  flush?(): Promise<void>;
  close(): Promise<void>;
}

const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export function assertCollectionSpec(spec: CollectionSpec): void {
  if (!NAME_PATTERN.test(spec.name)) throw new Error(`collection name "${spec.name}" must match ${NAME_PATTERN}`);
  for (const field of [...spec.indexes, ...(spec.unique ?? [])]) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(field) || field === 'id' || field === 'version') {
      throw new Error(`index field "${field}" of ${spec.name} must be a plain top-level field other than id and version`);
    }
  }
}

/** Whether one stored value passes one filter condition; shared by backends that filter in JavaScript. */
export function matchesCondition(value: unknown, condition: Filter[string]): boolean {
  if (condition !== null && typeof condition === 'object') {
    if ('lte' in condition) return typeof value === 'number' && value <= condition.lte;
    return condition.in.includes((value ?? null) as IndexValue);
  }
  return (value ?? null) === condition;
}
