/**
 * Data residency: a StorageBackend that keeps each customer's documents in the region configured for
 * their country (EU customers in the EU database, US customers in the US one), over one backend per
 * region. The stores above it do not change.
 *
 * How the region of a document is decided
 * - Every document belongs to zero or more *subjects*: its customer and its conversation, read from the
 *   fields it carries (`customerId`, `conversationId`, the id itself in `customers`/`conversations`, and
 *   the customer of its channel address: `address`, `primaryAddress` or `activity.address`).
 * - A small directory collection in the default region maps each subject to a region
 *   (`customer:cu_…` -> `eu`). It holds only the hashed ids and a region name, no personal data.
 * - A document goes to the region of its strongest subject the directory knows (customer before
 *   conversation before the address's customer). When none is known, the subject is new: `regionOf`
 *   decides (by default the country of the document's `country` field or of its phone address, through
 *   `countryToRegion`), or else the default region; the decision is written to the directory once, and
 *   every later document of that customer or conversation follows it. The first message of a conversation
 *   therefore places the inbox entry, the customer, the conversation and the outbox in one region.
 * - A document with no subject (knowledge base articles, shop changes, test data) goes to the default region.
 *
 * Reads: `get(id)` asks the directory's region first when the id is itself a subject (customers and
 * conversations: the two reads on every turn), and the other regions only when it is not there; other
 * collections ask every region at once. `find`, `count` and `deleteMany` always ask every region and merge.
 *
 * Moving a customer to another region (their country changed, or they were pinned before their first
 * message) is the explicit `migrateCustomer` operation.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { customerIdFor } from '../conversation/conversation-id.js';
import { DuplicateKeyError, MeridianError, VersionConflictError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { systemClock, type Clock } from '../core/runtime.js';
import {
  assertCollectionSpec,
  type Collection,
  type CollectionSpec,
  type Filter,
  type FindOptions,
  type IndexValue,
  type NewDocument,
  type StorageBackend,
  type StoredDocument,
} from '../storage/collection.js';

export type SubjectKind = 'customer' | 'conversation';

/** Someone (or something) a document belongs to; all documents of one subject live in one region. */
export interface Subject {
  kind: SubjectKind;
  id: string;
}

/** A document as the routing hooks see it. */
export type DocumentView = Readonly<Record<string, unknown>>;

export interface ResidencyOptions {
  /** One backend per region, by region name (`eu`, `us`, ...). */
  regions: Readonly<Record<string, StorageBackend>>;
  /** Where documents of unknown origin go, and where the directory lives. */
  defaultRegion: string;
  /** ISO 3166-1 alpha-2 country -> region. Countries not listed go to the default region. */
  countryToRegion?: Readonly<Record<string, string>>;
  /**
   * The region of a subject seen for the first time, from the document that introduces it; undefined
   * means the default region. Default: `countryToRegion[countryOfDocument(doc)]`.
   */
  regionOf?: (collection: string, doc: DocumentView) => string | undefined;
  /** The subjects of a document, strongest first. Default: `defaultSubjectsOf`. */
  subjectsOf?: (collection: string, doc: DocumentView) => Subject[];
  /** Collections whose document ids are subject ids, so `get` can ask the directory. */
  idSubjects?: Readonly<Record<string, SubjectKind>>;
  /** How long a process trusts its cached copy of a directory entry (default 60 s). */
  directoryCacheMs?: number;
  clock?: Clock;
  /** Receives warnings about documents whose subjects live in different regions. */
  logger?: Logger;
}

export interface MigrationReport {
  customerId: string;
  region: string;
  /** Documents moved into the region, by collection. */
  moved: Record<string, number>;
  /**
   * Documents left where they were because they changed during the move or collide with a unique value
   * in the target region; run the migration again once the customer is quiet.
   */
  leftBehind: Record<string, number>;
}

export interface ResidencyBackend extends StorageBackend {
  readonly regionNames: readonly string[];
  readonly defaultRegion: string;
  /** The region a customer's data lives in, or undefined when Meridian has never stored any. */
  regionOfCustomer(customerId: string): Promise<string | undefined>;
  /**
   * Moves every document of a customer and of their conversations into `region` and points the
   * directory there; before any data exists it pins where the customer's data will go. Idempotent.
   */
  migrateCustomer(customerId: string, region: string): Promise<MigrationReport>;
  /** Removes a customer's directory entries (after their data was erased); returns how many. */
  forgetCustomer(customerId: string): Promise<number>;
}

/** The directory's collection in the default region; no other collection may use this name. */
export const RESIDENCY_DIRECTORY = 'residency_directory';

const DEFAULT_ID_SUBJECTS: Readonly<Record<string, SubjectKind>> = { customers: 'customer', conversations: 'conversation' };
const PHONE_CHANNELS = new Set(['whatsapp', 'sms', 'voice']);

export function createResidencyBackend(options: ResidencyOptions): ResidencyBackend {
  return new ResidencyRouter(options);
}

/** The country of a phone address (`whatsapp:+4915112345678` -> DE); undefined for other channels. */
export function countryOfAddress(address: string): string | undefined {
  const colon = address.indexOf(':');
  if (colon <= 0 || !PHONE_CHANNELS.has(address.slice(0, colon))) return undefined;
  const number = address.slice(colon + 1).replace(/[\s().-]/g, '');
  return parsePhoneNumberFromString(number.startsWith('+') ? number : `+${number}`)?.country;
}

/** A document's country: its own `country` field when it has one, else the country of its phone address. */
export function countryOfDocument(doc: DocumentView): string | undefined {
  const country = doc['country'];
  if (typeof country === 'string' && /^[A-Za-z]{2}$/.test(country)) return country.toUpperCase();
  const address = addressOf(doc);
  return address === undefined ? undefined : countryOfAddress(address);
}

/**
 * Meridian's subjects of a document: its customer (the `customers` id or `customerId`), its conversation
 * (the `conversations` id or `conversationId`), then the customer of its channel address, which is how an
 * inbox entry or outbox reply (no customerId) follows a customer that was pinned before it wrote.
 */
export function defaultSubjectsOf(collection: string, doc: DocumentView): Subject[] {
  const subjects: Subject[] = [];
  const add = (kind: SubjectKind, id: unknown): void => {
    if (typeof id === 'string' && id !== '' && !subjects.some((s) => s.kind === kind && s.id === id)) subjects.push({ kind, id });
  };
  if (collection === 'customers') add('customer', doc['id']);
  add('customer', doc['customerId']);
  if (collection === 'conversations') add('conversation', doc['id']);
  add('conversation', doc['conversationId']);
  const address = addressOf(doc);
  if (address !== undefined) add('customer', customerIdFor(address));
  return subjects;
}

function addressOf(doc: DocumentView): string | undefined {
  for (const value of [doc['address'], doc['primaryAddress'], (doc['activity'] as DocumentView | undefined)?.['address']]) {
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

interface DirectoryEntry extends StoredDocument {
  kind: SubjectKind;
  region: string;
  /** The customer the subject belongs to (itself for a customer), so a migration finds their conversations. */
  customerId: string | null;
  assignedAt: number;
}

const keyOf = (subject: Subject): string => `${subject.kind}:${subject.id}`;

/** Subject -> region, with a per-process cache: a region only changes through migrateCustomer. */
class Directory {
  private readonly cache = new Map<string, { region: string; until: number }>();
  private static readonly CACHE_LIMIT = 100_000;

  constructor(
    readonly collection: Collection<DirectoryEntry>,
    private readonly clock: Clock,
    private readonly cacheMs: number,
  ) {}

  /** The cached region, without a read. */
  peek(subject: Subject): string | undefined {
    const cached = this.cache.get(keyOf(subject));
    return cached && cached.until > this.clock.now() ? cached.region : undefined;
  }

  async lookup(subject: Subject): Promise<string | undefined> {
    const key = keyOf(subject);
    const cached = this.peek(subject);
    if (cached !== undefined) return cached;
    const entry = await this.collection.get(key);
    if (entry) this.remember(key, entry.region);
    return entry?.region;
  }

  /** Records the subject's region unless one is recorded already; returns the region that holds. */
  async register(subject: Subject, region: string, customerId: string | null): Promise<string> {
    const key = keyOf(subject);
    try {
      await this.collection.insert({ id: key, kind: subject.kind, region, customerId, assignedAt: this.clock.now() });
      this.remember(key, region);
      return region;
    } catch (error) {
      // Another turn or process registered it first: its decision holds for everyone.
      if (!(error instanceof DuplicateKeyError)) throw error;
      const existing = await this.collection.get(key);
      if (!existing) throw error;
      this.remember(key, existing.region);
      return existing.region;
    }
  }

  /** Sets the subject's region whatever it was (migration). */
  async assign(subject: Subject, region: string, customerId: string | null): Promise<void> {
    const key = keyOf(subject);
    for (;;) {
      const existing = await this.collection.get(key);
      try {
        if (existing) await this.collection.update({ ...existing, region, customerId: customerId ?? existing.customerId }, existing.version);
        else await this.collection.insert({ id: key, kind: subject.kind, region, customerId, assignedAt: this.clock.now() });
        break;
      } catch (error) {
        // Someone else wrote the entry between our read and write: read it again.
        if (!(error instanceof DuplicateKeyError) && !(error instanceof VersionConflictError)) throw error;
      }
    }
    this.remember(key, region);
  }

  /** A customer's own entry and every entry registered on their behalf (conversations, linked addresses). */
  async entriesOf(customerId: string): Promise<DirectoryEntry[]> {
    const entries = await this.collection.find({ customerId });
    const own = await this.collection.get(keyOf({ kind: 'customer', id: customerId }));
    if (own && !entries.some((e) => e.id === own.id)) entries.push(own);
    return entries;
  }

  async remove(ids: readonly string[]): Promise<number> {
    let removed = 0;
    for (const id of ids) {
      if (await this.collection.delete(id)) removed++;
      this.cache.delete(id);
    }
    return removed;
  }

  private remember(key: string, region: string): void {
    if (this.cache.size >= Directory.CACHE_LIMIT) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, { region, until: this.clock.now() + this.cacheMs });
  }
}

class ResidencyRouter implements ResidencyBackend {
  readonly kind = 'residency';
  readonly regionNames: readonly string[];
  readonly defaultRegion: string;
  private readonly backends: ReadonlyMap<string, StorageBackend>;
  private readonly directory: Directory;
  private readonly collections = new Map<string, RoutedCollection<StoredDocument>>();
  private readonly subjectsOf: (collection: string, doc: DocumentView) => Subject[];
  private readonly idSubjects: Readonly<Record<string, SubjectKind>>;

  constructor(private readonly options: ResidencyOptions) {
    const names = Object.keys(options.regions);
    if (names.length === 0) throw configError('residency needs at least one region');
    if (!names.includes(options.defaultRegion)) {
      throw configError(`residency: the default region "${options.defaultRegion}" is not one of the regions (${names.join(', ')})`);
    }
    if (new Set(Object.values(options.regions)).size !== names.length) {
      throw configError('residency: two regions share one backend; each region needs its own database, or counts and lists would repeat documents');
    }
    for (const [country, region] of Object.entries(options.countryToRegion ?? {})) {
      if (!/^[A-Z]{2}$/.test(country)) throw configError(`residency: "${country}" is not an ISO 3166-1 alpha-2 country code (e.g. DE, US)`);
      if (!names.includes(region)) throw configError(`residency: country ${country} maps to "${region}", which is not one of the regions (${names.join(', ')})`);
    }
    // The default region first: its answer wins when a document exists in two regions (a half-done migration).
    this.regionNames = [options.defaultRegion, ...names.filter((n) => n !== options.defaultRegion)];
    this.defaultRegion = options.defaultRegion;
    this.backends = new Map(this.regionNames.map((name) => [name, options.regions[name] as StorageBackend]));
    this.subjectsOf = options.subjectsOf ?? defaultSubjectsOf;
    this.idSubjects = options.idSubjects ?? DEFAULT_ID_SUBJECTS;
    const home = this.backend(options.defaultRegion);
    this.directory = new Directory(
      home.collection<DirectoryEntry>({ name: RESIDENCY_DIRECTORY, indexes: ['customerId', 'region'] }),
      options.clock ?? systemClock,
      options.directoryCacheMs ?? 60_000,
    );
  }

  collection<T extends StoredDocument>(spec: CollectionSpec): Collection<T> {
    assertCollectionSpec(spec);
    if (spec.name === RESIDENCY_DIRECTORY) throw new Error(`"${RESIDENCY_DIRECTORY}" is reserved for the residency directory`);
    let existing = this.collections.get(spec.name);
    if (!existing) {
      const parts = new Map(this.regionNames.map((name) => [name, this.backend(name).collection<StoredDocument>(spec)]));
      existing = new RoutedCollection(spec, parts, this);
      this.collections.set(spec.name, existing);
    }
    return existing as unknown as Collection<T>;
  }

  async ping(): Promise<void> {
    await Promise.all(
      this.regionNames.map(async (name) => {
        try {
          await this.backend(name).ping();
        } catch (cause) {
          throw new MeridianError('storage_unavailable', `storage region "${name}" does not answer: ${describeError(cause)}`, { cause, status: 503 });
        }
      }),
    );
  }

  /** Every region's writes made so far are durable. */
  async flush(): Promise<void> {
    await Promise.all(this.regionNames.map((name) => this.backend(name).flush?.()));
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.regionNames.map((name) => this.backend(name).close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  regionOfCustomer(customerId: string): Promise<string | undefined> {
    return this.directory.lookup({ kind: 'customer', id: customerId });
  }

  /** The region a document is written to; registers its new subjects there. */
  async place(collection: string, doc: DocumentView): Promise<string> {
    const subjects = this.subjectsOf(collection, doc);
    if (subjects.length === 0) return this.defaultRegion;
    // Every write of a known conversation takes this path: no reads, no awaits.
    const cached = subjects.map((s) => this.directory.peek(s));
    if (cached.every((r) => r !== undefined)) {
      if (cached.some((r) => r !== cached[0])) this.warnConflict(collection, doc, subjects, cached);
      return cached[0] as string;
    }
    const known = await Promise.all(subjects.map((s) => this.directory.lookup(s)));
    const owner = subjects.find((s) => s.kind === 'customer')?.id ?? null;
    let region = known.find((r): r is string => r !== undefined);
    if (region === undefined) {
      // A new subject: the first writer's decision holds, even against a racing process.
      region = await this.directory.register(subjects[0] as Subject, this.decide(collection, doc), owner);
      known[0] = region;
    }
    const target = region;
    const late = await Promise.all(subjects.map((s, i) => known[i] ?? this.directory.register(s, target, owner)));
    if (late.some((r) => r !== target)) this.warnConflict(collection, doc, subjects, late);
    return target;
  }

  private warnConflict(collection: string, doc: DocumentView, subjects: readonly Subject[], regions: readonly (string | undefined)[]): void {
    this.options.logger?.warn(
      { collection, id: doc['id'], subjects: subjects.map(keyOf), regions },
      'residency: a document belongs to subjects in different regions; it follows the first, run migrateCustomer to reunite them',
    );
  }

  /** The region to ask first for a document id, when the id is a subject id the directory knows. */
  async hintFor(collection: string, id: string): Promise<string | undefined> {
    const kind = this.idSubjects[collection];
    return kind === undefined ? undefined : this.directory.lookup({ kind, id });
  }

  async migrateCustomer(customerId: string, region: string): Promise<MigrationReport> {
    if (!this.backends.has(region)) throw configError(`residency: "${region}" is not one of the regions (${this.regionNames.join(', ')})`);
    const entries = await this.directory.entriesOf(customerId);
    const conversationIds = new Set(entries.filter((e) => e.kind === 'conversation').map((e) => e.id.slice('conversation:'.length)));
    const conversations = this.collections.get(firstKey(this.idSubjects, 'conversation') ?? 'conversations');
    if (conversations?.indexes.includes('customerId')) {
      for (const conversation of await conversations.find({ customerId })) conversationIds.add(conversation.id);
    }
    // Point the directory first, so writes from now on land in the target region.
    await this.directory.assign({ kind: 'customer', id: customerId }, region, customerId);
    for (const entry of entries) {
      if (entry.id === `customer:${customerId}`) continue;
      await this.directory.assign({ kind: entry.kind, id: entry.id.slice(entry.kind.length + 1) }, region, customerId);
    }
    for (const id of conversationIds) await this.directory.assign({ kind: 'conversation', id }, region, customerId);

    const report: MigrationReport = { customerId, region, moved: {}, leftBehind: {} };
    for (const collection of this.collections.values()) {
      const { moved, leftBehind } = await collection.moveTo(region, customerId, [...conversationIds], this.idSubjects[collection.name]);
      if (moved > 0) report.moved[collection.name] = moved;
      if (leftBehind > 0) report.leftBehind[collection.name] = leftBehind;
    }
    return report;
  }

  async forgetCustomer(customerId: string): Promise<number> {
    const entries = await this.directory.entriesOf(customerId);
    return this.directory.remove(entries.map((e) => e.id));
  }

  backend(name: string): StorageBackend {
    const backend = this.backends.get(name);
    if (!backend) throw new Error(`no backend for region "${name}"`);
    return backend;
  }

  private decide(collection: string, doc: DocumentView): string {
    const map = this.options.countryToRegion ?? {};
    const chosen = this.options.regionOf
      ? this.options.regionOf(collection, doc)
      : ((country) => (country === undefined ? undefined : map[country]))(countryOfDocument(doc));
    if (chosen === undefined) return this.defaultRegion;
    if (!this.backends.has(chosen)) throw configError(`residency: regionOf chose "${chosen}", which is not one of the regions (${this.regionNames.join(', ')})`);
    return chosen;
  }
}

function firstKey(record: Readonly<Record<string, SubjectKind>>, kind: SubjectKind): string | undefined {
  return Object.entries(record).find(([, k]) => k === kind)?.[0];
}

function configError(message: string): MeridianError {
  return new MeridianError('config_invalid', message);
}

class RoutedCollection<T extends StoredDocument> implements Collection<T> {
  readonly name: string;
  readonly indexes: readonly string[];

  constructor(
    spec: CollectionSpec,
    private readonly parts: ReadonlyMap<string, Collection<T>>,
    private readonly router: ResidencyRouter,
  ) {
    this.name = spec.name;
    this.indexes = [...new Set([...spec.indexes, ...(spec.unique ?? [])])];
  }

  async get(id: string): Promise<T | undefined> {
    const hint = await this.router.hintFor(this.name, id);
    if (hint !== undefined) {
      const found = await this.part(hint).get(id);
      if (found) return found;
    }
    // Not where the directory says (a first message, or a migration in progress): ask the rest at once.
    const others = this.router.regionNames.filter((name) => name !== hint);
    const results = await Promise.all(others.map((name) => this.part(name).get(id)));
    return results.find((doc) => doc !== undefined);
  }

  async insert(doc: NewDocument<T>): Promise<T> {
    const region = await this.router.place(this.name, doc as unknown as DocumentView);
    return this.part(region).insert(doc);
  }

  async update(doc: T, expectedVersion: number): Promise<T> {
    // The same placement as the insert, so the version check runs where the document lives.
    const region = await this.router.place(this.name, doc as unknown as DocumentView);
    return this.part(region).update(doc, expectedVersion);
  }

  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    const results = await Promise.all(this.router.regionNames.map((name) => this.part(name).delete(id, expectedVersion)));
    return results.some(Boolean);
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const results = await Promise.all(this.router.regionNames.map((name) => this.part(name).find(filter, options)));
    // Each region applied the order and limit to its own documents; merging keeps the first `limit` overall.
    const merged = results.flat();
    const field = options.orderBy;
    const sign = options.descending ? -1 : 1;
    merged.sort((a, b) => {
      const byField = field === undefined ? 0 : compareIndexValues(valueOf(a, field), valueOf(b, field));
      return sign * (byField || compareIndexValues(a.id, b.id));
    });
    return options.limit === undefined ? merged : merged.slice(0, Math.max(0, Math.floor(options.limit)));
  }

  async count(filter: Filter): Promise<number> {
    const counts = await Promise.all(this.router.regionNames.map((name) => this.part(name).count(filter)));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async deleteMany(filter: Filter): Promise<number> {
    const counts = await Promise.all(this.router.regionNames.map((name) => this.part(name).deleteMany(filter)));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** Moves a customer's documents of this collection from every other region into `region`. */
  async moveTo(region: string, customerId: string, conversationIds: readonly string[], idSubject: SubjectKind | undefined): Promise<{ moved: number; leftBehind: number }> {
    const target = this.part(region);
    let moved = 0;
    let leftBehind = 0;
    for (const name of this.router.regionNames) {
      if (name === region) continue;
      const source = this.part(name);
      const docs = new Map<string, T>();
      const add = (list: readonly (T | undefined)[]): void => list.forEach((doc) => doc && docs.set(doc.id, doc));
      if (idSubject === 'customer') add([await source.get(customerId)]);
      if (idSubject === 'conversation') add(await Promise.all(conversationIds.map((id) => source.get(id))));
      if (this.indexes.includes('customerId')) add(await source.find({ customerId }));
      if (this.indexes.includes('conversationId') && conversationIds.length > 0) add(await source.find({ conversationId: { in: conversationIds } }));
      for (const doc of docs.values()) {
        const { version: _version, ...copy } = doc;
        try {
          await target.insert(copy as NewDocument<T>);
        } catch (error) {
          if (!(error instanceof DuplicateKeyError)) throw error;
          // Already there (an earlier run, or written after the directory moved): the target's copy is current.
          // Otherwise a unique value collides in the target: leave the document where it is.
          if (!(await target.get(doc.id))) {
            leftBehind++;
            continue;
          }
        }
        // Only the version that was copied is deleted; a document changed meanwhile stays for the next run.
        if (await source.delete(doc.id, doc.version)) moved++;
        else leftBehind++;
      }
    }
    return { moved, leftBehind };
  }

  private part(region: string): Collection<T> {
    const part = this.parts.get(region);
    if (!part) throw new Error(`${this.name}: no region "${region}"`);
    return part;
  }
}

function valueOf(doc: StoredDocument, field: string): IndexValue {
  return ((doc as unknown as Record<string, unknown>)[field] ?? null) as IndexValue;
}

/** Null first, then numbers (booleans as 0/1, as SQLite stores them), then strings; the backends' order. */
function compareIndexValues(a: IndexValue, b: IndexValue): number {
  const rank = (v: IndexValue): number => (v === null ? 0 : typeof v === 'string' ? 2 : 1);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return Number(a) - Number(b);
  if (a === b) return 0;
  return (a as string) < (b as string) ? -1 : 1;
}
