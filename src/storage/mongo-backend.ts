import {
  MongoClient,
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  type Collection as DriverCollection,
  type Db,
  type Document,
  type IndexDescription,
  type MongoClientOptions,
  type Sort,
} from 'mongodb';
import { DuplicateKeyError, MeridianError, VersionConflictError } from '../core/errors.js';
import {
  assertCollectionSpec,
  type Collection,
  type CollectionSpec,
  type Filter,
  type FindOptions,
  type NewDocument,
  type StorageBackend,
  type StoredDocument,
} from './collection.js';

/** The driver settings Meridian lets an operator tune; everything else keeps the driver's default. */
export type MongoBackendClientOptions = Pick<
  MongoClientOptions,
  | 'serverSelectionTimeoutMS'
  | 'connectTimeoutMS'
  | 'socketTimeoutMS'
  | 'maxPoolSize'
  | 'minPoolSize'
  | 'appName'
  | 'replicaSet'
  | 'directConnection'
  | 'tls'
  | 'tlsCAFile'
  | 'tlsCertificateKeyFile'
  | 'authSource'
  | 'retryWrites'
  | 'heartbeatFrequencyMS'
>;

export interface MongoBackendOptions {
  /** mongodb:// or mongodb+srv:// connection string. */
  uri: string;
  /** Database name; defaults to the one in the URI, else "meridian". */
  database?: string;
  client?: MongoBackendClientOptions;
}

/** Fails fast at start-up instead of the driver's 30 s default, so a wrong URI is reported promptly. */
const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5000;
const DUPLICATE_KEY = 11000;

/** How documents sit in MongoDB: `_id` mirrors `id`, the document's own fields stay top-level so indexes are real. */
interface StoredShape extends Document {
  _id: string;
  version: number;
}

/**
 * MongoDB through the official driver. Optimistic concurrency is a conditional replace on
 * `{ _id, version }`; unique fields are partial unique indexes so null/absent values never collide.
 */
export class MongoBackend implements StorageBackend {
  readonly kind = 'mongodb';
  private readonly collections = new Map<string, MongoCollection<StoredDocument>>();
  private closed = false;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    /** Host list without credentials, for messages. */
    readonly hosts: string,
  ) {}

  get database(): string {
    return this.db.databaseName;
  }

  static async connect(options: MongoBackendOptions): Promise<MongoBackend> {
    const secrets = uriSecrets(options.uri);
    let client: MongoClient;
    try {
      client = new MongoClient(options.uri, {
        // Options given here override the URI's, so the default must yield to a URI that sets it.
        ...(uriSetsOption(options.uri, 'serverSelectionTimeoutMS') ? {} : { serverSelectionTimeoutMS: DEFAULT_SERVER_SELECTION_TIMEOUT_MS }),
        // Documents are JSON: an undefined field is absent, as in the other backends, not null.
        ignoreUndefined: true,
        ...options.client,
      });
    } catch (cause) {
      throw new MeridianError('config_invalid', `The MongoDB connection string is not valid: ${redact(describe(cause), secrets)}`, {
        cause: redactError(cause, secrets),
      });
    }
    const hosts = client.options.hosts.map((host) => host.toString()).join(',') || 'the configured host';
    const database = options.database ?? databaseFromUri(options.uri) ?? 'meridian';
    try {
      await client.connect();
      await client.db(database).command({ ping: 1 });
    } catch (cause) {
      await client.close().catch(() => undefined);
      throw new MeridianError(
        'storage_unavailable',
        `Cannot reach MongoDB at ${hosts} (${redact(describe(cause), secrets)}). ` +
          'Check that the server is running and reachable from this machine (host, port, firewall, TLS), ' +
          'and that the user, password and authSource in the connection string are right.',
        { cause: redactError(cause, secrets), details: { hosts, database } },
      );
    }
    return new MongoBackend(client, client.db(database), hosts);
  }

  collection<T extends StoredDocument>(spec: CollectionSpec): Collection<T> {
    assertCollectionSpec(spec);
    let existing = this.collections.get(spec.name);
    if (!existing) {
      existing = new MongoCollection(this.db.collection<StoredShape>(spec.name), spec, this.hosts);
      this.collections.set(spec.name, existing);
    }
    return existing as unknown as Collection<T>;
  }

  async ping(): Promise<void> {
    try {
      await this.db.command({ ping: 1 });
    } catch (cause) {
      throw unavailable(cause, this.hosts);
    }
  }

  /** Drops the whole database: for tests and throw-away environments only. */
  async dropDatabase(): Promise<void> {
    await this.db.dropDatabase();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}

class MongoCollection<T extends StoredDocument> implements Collection<T> {
  readonly name: string;
  private readonly fields: readonly string[];
  /** Index creation runs once, before the first operation; a failure is retried by the next one. */
  private ready: Promise<void> | undefined;

  constructor(
    private readonly collection: DriverCollection<StoredShape>,
    private readonly spec: CollectionSpec,
    private readonly hosts: string,
  ) {
    this.name = spec.name;
    this.fields = [...new Set([...spec.indexes, ...(spec.unique ?? [])])];
  }

  async get(id: string): Promise<T | undefined> {
    await this.ensureIndexes();
    const found = await this.run(() => this.collection.findOne({ _id: id }));
    return found ? fromStored<T>(found) : undefined;
  }

  async insert(doc: NewDocument<T>): Promise<T> {
    await this.ensureIndexes();
    const stored = { ...doc, version: 1 } as T;
    await this.run(() => this.collection.insertOne(toStored(stored)), doc.id);
    return stored;
  }

  async update(doc: T, expectedVersion: number): Promise<T> {
    await this.ensureIndexes();
    const stored = { ...doc, version: expectedVersion + 1 } as T;
    const { _id: _ignored, ...replacement } = toStored(stored);
    const result = await this.run(() => this.collection.replaceOne({ _id: doc.id, version: expectedVersion }, replacement), doc.id);
    if (result.matchedCount === 0) throw new VersionConflictError(this.name, doc.id, expectedVersion);
    return stored;
  }

  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    await this.ensureIndexes();
    const filter: Document = expectedVersion === undefined ? { _id: id } : { _id: id, version: expectedVersion };
    const result = await this.run(() => this.collection.deleteOne(filter));
    return result.deletedCount > 0;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const query = this.toQuery(filter);
    let sort: Sort = { _id: 1 };
    if (options.orderBy !== undefined) {
      this.assertField(options.orderBy);
      const direction = options.descending ? -1 : 1;
      sort = { [options.orderBy]: direction, _id: direction };
    }
    let limit: number | undefined;
    if (options.limit !== undefined) {
      limit = Math.max(0, Math.floor(options.limit));
      // MongoDB reads limit 0 as "no limit"; the contract means "nothing".
      if (limit === 0) return [];
    }
    await this.ensureIndexes();
    const rows = await this.run(() => {
      const cursor = this.collection.find(query, { sort });
      return (limit === undefined ? cursor : cursor.limit(limit)).toArray();
    });
    return rows.map((row) => fromStored<T>(row));
  }

  async count(filter: Filter): Promise<number> {
    const query = this.toQuery(filter);
    await this.ensureIndexes();
    return this.run(() => this.collection.countDocuments(query));
  }

  async deleteMany(filter: Filter): Promise<number> {
    const query = this.toQuery(filter);
    await this.ensureIndexes();
    const result = await this.run(() => this.collection.deleteMany(query));
    return result.deletedCount;
  }

  private ensureIndexes(): Promise<void> {
    this.ready ??= this.createIndexes().catch((cause: unknown) => {
      this.ready = undefined;
      throw cause;
    });
    return this.ready;
  }

  private async createIndexes(): Promise<void> {
    const unique = new Set(this.spec.unique ?? []);
    const indexes: IndexDescription[] = [];
    // A field that is also unique is served by its unique index; a second index on the same key would be waste.
    for (const field of this.spec.indexes) if (!unique.has(field)) indexes.push({ key: { [field]: 1 }, name: `${field}_1` });
    for (const field of unique) {
      indexes.push({
        key: { [field]: 1 },
        name: `${field}_unique`,
        unique: true,
        // Only real values take part: null or absent fields must not collide (a plain unique index
        // treats both as null). $ne/$exists:false are not allowed in partial filters; $type is.
        partialFilterExpression: { [field]: { $type: ['string', 'number', 'bool'] } },
      });
    }
    if (indexes.length === 0) return;
    try {
      await this.collection.createIndexes(indexes);
    } catch (cause) {
      if (isUnreachable(cause)) throw unavailable(cause, this.hosts);
      throw new MeridianError(
        'storage_unavailable',
        `Cannot create the indexes of MongoDB collection "${this.name}" (${describe(cause)}). ` +
          'If an index of the same name exists with other options, drop it and restart; ' +
          'if a unique index fails, the collection already holds duplicate values.',
        { cause, details: { collection: this.name } },
      );
    }
  }

  private assertField(field: string): void {
    if (!this.fields.includes(field)) throw new Error(`${this.name}: "${field}" is not an indexed field`);
  }

  private toQuery(filter: Filter): Document {
    const query: Document = {};
    for (const [field, condition] of Object.entries(filter)) {
      this.assertField(field);
      if (condition !== null && typeof condition === 'object') {
        // MongoDB's null also matches absent fields, like matchesCondition in the other backends.
        query[field] = 'lte' in condition ? { $lte: condition.lte } : { $in: [...condition.in] };
      } else {
        query[field] = condition;
      }
    }
    return query;
  }

  /** Runs one driver call, turning duplicate keys and lost connections into Meridian errors. */
  private async run<R>(operation: () => Promise<R>, id?: string): Promise<R> {
    try {
      return await operation();
    } catch (cause) {
      if (cause instanceof MongoServerError && cause.code === DUPLICATE_KEY) {
        throw new DuplicateKeyError(this.name, duplicateKeyName(cause, id), { cause });
      }
      if (isUnreachable(cause)) throw unavailable(cause, this.hosts);
      throw cause;
    }
  }
}

function toStored<T extends StoredDocument>(doc: T): StoredShape {
  return { _id: doc.id, ...(doc as Document) } as StoredShape;
}

function fromStored<T extends StoredDocument>(row: StoredShape): T {
  const { _id: _ignored, ...doc } = row;
  return doc as unknown as T;
}

/** Names the colliding key like the other backends: the id, or `field=value` for a unique field. */
function duplicateKeyName(error: MongoServerError, id: string | undefined): string {
  const keyValue: unknown = error['keyValue'];
  if (keyValue !== null && typeof keyValue === 'object') {
    const [entry] = Object.entries(keyValue);
    if (entry && entry[0] !== '_id') return `${entry[0]}=${String(entry[1])}`;
  }
  return id ?? 'unknown';
}

function isUnreachable(error: unknown): boolean {
  return error instanceof MongoServerSelectionError || error instanceof MongoNetworkError;
}

function unavailable(cause: unknown, hosts: string): MeridianError {
  return new MeridianError('storage_unavailable', `MongoDB at ${hosts} is not answering (${describe(cause)}). Check that the server is up and reachable.`, {
    cause,
    details: { hosts },
  });
}

function describe(error: unknown): string {
  if (error instanceof MongoError || error instanceof Error) return error.message;
  return String(error);
}

/** The password of a connection string, raw and decoded, so messages can leave it out. */
function uriSecrets(uri: string): string[] {
  const match = /^[a-z+]+:\/\/([^@/]*)@/i.exec(uri);
  const userInfo = match?.[1];
  if (!userInfo || !userInfo.includes(':')) return [];
  const password = userInfo.slice(userInfo.indexOf(':') + 1);
  if (password === '') return [];
  const secrets = [password];
  try {
    secrets.push(decodeURIComponent(password));
  } catch {
    // an invalid escape: the raw form is all there is
  }
  return secrets;
}

function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('****');
  return result;
}

/** Driver errors rarely echo the URI, but a parse error may; never hand a password on as a cause. */
function redactError(error: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0 || !(error instanceof Error)) return error;
  if (!secrets.some((secret) => error.message.includes(secret))) return error;
  const copy = new Error(redact(error.message, secrets));
  copy.name = error.name;
  return copy;
}

function uriSetsOption(uri: string, name: string): boolean {
  const query = uri.split('?')[1] ?? '';
  return query.split('&').some((pair) => pair.split('=')[0]?.toLowerCase() === name.toLowerCase());
}

function databaseFromUri(uri: string): string | undefined {
  const match = /^[a-z+]+:\/\/[^/]*\/([^?]+)/i.exec(uri);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}
