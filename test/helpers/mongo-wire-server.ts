/**
 * A small in-process MongoDB server for tests, speaking the real wire protocol on 127.0.0.1 so the
 * official `mongodb` driver can be exercised end to end where no mongod can be installed.
 *
 * It is a test double of the SERVER, not of the driver: the driver is untouched, handshakes, pools,
 * sessions and parses replies exactly as against mongod. Keep it honest: what it does not implement
 * it refuses loudly, so a backend change that needs more fails here instead of passing by accident.
 *
 * Protocol: message header; OP_MSG (2013) with a kind-0 body and kind-1 document sequences, the
 * checksumPresent flag (CRC-32C verified) and moreToCome (no reply); legacy OP_QUERY (2004) only for
 * the hello/isMaster handshake, answered with OP_REPLY (1), as mongod 6+ does. OP_COMPRESSED is never
 * negotiated. Malformed messages close the connection.
 *
 * Commands (anything else answers CommandNotFound, code 59, and is recorded in `unknownCommands`):
 *   hello / isMaster / ismaster (a standalone, maxWireVersion 21 = MongoDB 7.0), ping, buildInfo,
 *   endSessions, insert, update (replacement-style `u` only), delete (limit 0 or 1), find, getMore,
 *   killCursors, count, aggregate ($match, $sort, $skip, $limit, $count, and $group with a constant
 *   or "$field" _id and $sum accumulators), createIndexes (ascending/descending keys, unique, sparse,
 *   partialFilterExpression), listIndexes, drop, dropDatabase.
 * Query operators: implicit equality (null matches null or missing; arrays match by element),
 *   $eq, $in, $lt, $lte, $gt, $gte, $exists, $type, and top-level $and. Values compare in BSON
 *   order with type bracketing. Sort takes any number of top-level fields with 1 / -1.
 * Refused with BadValue (code 2): any other operator, dotted paths, regular expressions, update
 *   operators, pipeline updates, upserts, projections, collations, hints, transactions (txnNumber)
 *   and every command field it does not know. No authentication, no persistence.
 *
 * Set MERIDIAN_WIRE_TRACE=1 (or pass { trace: true }) to print every command the driver sends.
 */
import { createServer, type Socket } from 'node:net';
import { BSON, Long, ObjectId, type Document } from 'mongodb';

export interface MongoWireServer {
  /** mongodb://127.0.0.1:<port>/ */
  uri: string;
  port: number;
  /** Names of commands answered with CommandNotFound, so tests can assert nothing was missed. */
  unknownCommands: string[];
  close(): Promise<void>;
}

export interface MongoWireServerOptions {
  trace?: boolean;
}

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_COMPRESSED = 2012;
const OP_MSG = 2013;
const CHECKSUM_PRESENT = 1;
const MORE_TO_COME = 2;
/** Bits 0-15 are "required": a receiver must reject ones it does not know (OP_MSG spec); exhaustAllowed (bit 16) may be ignored. */
const REQUIRED_BITS = 0xffff;

const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
const MAX_MESSAGE_SIZE = 48_000_000;
const MAX_WRITE_BATCH_SIZE = 100_000;
/** MongoDB 7.0. Driver 7 needs at least 9 (MIN_SUPPORTED_WIRE_VERSION) and at most 29. */
const MAX_WIRE_VERSION = 21;
const DEFAULT_BATCH_SIZE = 101;

class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

class ProtocolError extends Error {}

const badValue = (message: string) => new CommandError(2, 'BadValue', message);
const unsupported = (what: string) => badValue(`${what} is not supported by the Meridian wire-protocol test server`);

/** Fields any command may carry that do not change what this server does. */
const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'comment',
  'maxTimeMS',
  'readConcern',
  'writeConcern',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
]);

function checkFields(context: string, doc: Document, known: readonly string[]): void {
  for (const field of Object.keys(doc)) {
    if (!known.includes(field) && !GENERIC_FIELDS.has(field)) throw unsupported(`field "${context}.${field}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// BSON values: type names, ordering and comparison (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/)

function bsonTypeName(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 ? 'int' : 'double';
  if (typeof value === 'bigint') return 'long';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  if (Array.isArray(value)) return 'array';
  const tag = (value as { _bsontype?: string })._bsontype;
  switch (tag) {
    case 'Long':
      return 'long';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
    case 'ObjectId':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'BSONSymbol':
      return 'symbol';
    case 'Code':
      return 'javascript';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    default:
      return 'object';
  }
}

const RANKS: Record<string, number> = {
  minKey: 1,
  missing: 2,
  null: 2,
  int: 3,
  long: 3,
  double: 3,
  decimal: 3,
  symbol: 4,
  string: 4,
  object: 5,
  array: 6,
  binData: 7,
  objectId: 8,
  bool: 9,
  date: 10,
  timestamp: 11,
  regex: 12,
  javascript: 13,
  maxKey: 14,
};

function rank(value: unknown): number {
  return RANKS[bsonTypeName(value)] ?? 5;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return Number(String(value));
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return sign(ra - rb);
  const type = bsonTypeName(a);
  switch (ra) {
    case 1:
    case 2:
    case 14:
      return 0;
    case 3: {
      const x = type === 'long' && typeof a !== 'bigint' ? toNumber(String(a)) : toNumber(a);
      const y = bsonTypeName(b) === 'long' && typeof b !== 'bigint' ? toNumber(String(b)) : toNumber(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 4:
      // Simple collation: strings compare as UTF-8 bytes.
      return sign(Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b))));
    case 5:
      return compareDocuments(a as Document, b as Document);
    case 6:
      return compareArrays(a as unknown[], b as unknown[]);
    case 7: {
      const x = a as { buffer: Uint8Array; sub_type: number };
      const y = b as { buffer: Uint8Array; sub_type: number };
      return sign(x.buffer.length - y.buffer.length) || sign(x.sub_type - y.sub_type) || sign(Buffer.compare(x.buffer, y.buffer));
    }
    case 8:
      return sign(Buffer.compare(Buffer.from((a as ObjectId).toHexString(), 'hex'), Buffer.from((b as ObjectId).toHexString(), 'hex')));
    case 9:
      return sign(Number(a) - Number(b));
    case 10:
      return sign((a as Date).getTime() - (b as Date).getTime());
    case 11: {
      const x = BigInt.asUintN(64, BigInt(String(a)));
      const y = BigInt.asUintN(64, BigInt(String(b)));
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default:
      return sign(Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b))));
  }
}

function compareDocuments(a: Document, b: Document): number {
  const ea = Object.entries(a);
  const eb = Object.entries(b);
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
    const [ka, va] = ea[i]!;
    const [kb, vb] = eb[i]!;
    const byRank = sign(rank(va) - rank(vb));
    if (byRank) return byRank;
    const byName = sign(Buffer.compare(Buffer.from(ka), Buffer.from(kb)));
    if (byName) return byName;
    const byValue = compareValues(va, vb);
    if (byValue) return byValue;
  }
  return sign(ea.length - eb.length);
}

function compareArrays(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const byValue = compareValues(a[i], b[i]);
    if (byValue) return byValue;
  }
  return sign(a.length - b.length);
}

function isPlainDocument(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && bsonTypeName(value) === 'object' && !(value instanceof Uint8Array);
}

function fieldOf(doc: Document, field: string): unknown {
  return Object.prototype.hasOwnProperty.call(doc, field) ? doc[field] : undefined;
}

/** A stored value and, for an array, its elements: MongoDB matches arrays by element too. */
function candidates(value: unknown): unknown[] {
  return Array.isArray(value) ? [value, ...value] : [value];
}

// ---------------------------------------------------------------------------------------------
// Query matching

function assertFieldName(field: string): void {
  if (field.startsWith('$')) throw unsupported(`top-level query operator ${field}`);
  if (field.includes('.')) throw unsupported(`dotted field path "${field}"`);
}

function isRegex(value: unknown): boolean {
  return bsonTypeName(value) === 'regex';
}

function matchesFilter(doc: Document, filter: Document): boolean {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and') {
      if (!Array.isArray(condition) || condition.length === 0) throw badValue('$and must be a nonempty array');
      for (const part of condition) {
        if (!isPlainDocument(part)) throw badValue('$and entries must be objects');
        if (!matchesFilter(doc, part)) return false;
      }
      continue;
    }
    assertFieldName(key);
    if (!matchesField(fieldOf(doc, key), condition)) return false;
  }
  return true;
}

function isOperatorObject(condition: unknown): condition is Document {
  if (!isPlainDocument(condition)) return false;
  const keys = Object.keys(condition);
  return keys.length > 0 && keys[0]!.startsWith('$');
}

function matchesField(value: unknown, condition: unknown): boolean {
  if (isOperatorObject(condition)) {
    for (const [operator, argument] of Object.entries(condition)) {
      if (!applyOperator(value, operator, argument)) return false;
    }
    return true;
  }
  if (isRegex(condition)) throw unsupported('a regular expression in a query');
  return equalsSome(value, condition);
}

function equalsSome(value: unknown, target: unknown): boolean {
  return candidates(value).some((candidate) => compareValues(candidate, target) === 0);
}

function applyOperator(value: unknown, operator: string, argument: unknown): boolean {
  switch (operator) {
    case '$eq':
      return equalsSome(value, argument);
    case '$in':
      if (!Array.isArray(argument)) throw badValue('$in needs an array');
      if (argument.some(isRegex)) throw unsupported('a regular expression in $in');
      return argument.some((target) => equalsSome(value, target));
    case '$lt':
    case '$lte':
    case '$gt':
    case '$gte':
      // Type bracketing: only values of the argument's type class can pass.
      return candidates(value).some((candidate) => {
        if (rank(candidate) !== rank(argument)) return false;
        const order = compareValues(candidate, argument);
        return operator === '$lt' ? order < 0 : operator === '$lte' ? order <= 0 : operator === '$gt' ? order > 0 : order >= 0;
      });
    case '$exists':
      return (value !== undefined) === Boolean(argument);
    case '$type':
      return matchesType(value, argument);
    default:
      throw unsupported(`query operator ${operator}`);
  }
}

const TYPE_CODES: Record<number, string> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  13: 'javascript',
  14: 'symbol',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  [-1]: 'minKey',
  127: 'maxKey',
};
const TYPE_ALIASES = new Set([...Object.values(TYPE_CODES), 'number']);

function matchesType(value: unknown, argument: unknown): boolean {
  const wanted = (Array.isArray(argument) ? argument : [argument]).map((entry) => {
    const alias = typeof entry === 'number' ? TYPE_CODES[entry] : entry;
    if (typeof alias !== 'string' || !TYPE_ALIASES.has(alias)) throw badValue(`unknown $type ${String(entry)}`);
    return alias;
  });
  if (value === undefined) return false;
  if (wanted.includes('array') && Array.isArray(value)) return true;
  return (Array.isArray(value) ? value : [value]).some((element) => {
    const type = bsonTypeName(element);
    return wanted.includes(type) || (wanted.includes('number') && rank(element) === 3);
  });
}

type SortSpec = [field: string, direction: 1 | -1][];

function parseSort(sort: unknown): SortSpec {
  if (sort === undefined) return [];
  if (!isPlainDocument(sort)) throw badValue('sort must be an object');
  return Object.entries(sort).map(([field, direction]) => {
    assertFieldName(field);
    if (direction !== 1 && direction !== -1) throw unsupported(`sort direction ${JSON.stringify(direction)}`);
    return [field, direction];
  });
}

function sortDocuments(docs: Document[], spec: SortSpec): Document[] {
  if (spec.length === 0) return docs;
  for (const doc of docs) {
    for (const [field] of spec) if (Array.isArray(fieldOf(doc, field))) throw unsupported(`sorting on the array field "${field}"`);
  }
  // Array.prototype.sort is stable, so ties keep natural (insertion) order.
  return [...docs].sort((a, b) => {
    for (const [field, direction] of spec) {
      const order = compareValues(fieldOf(a, field) ?? null, fieldOf(b, field) ?? null);
      if (order) return order * direction;
    }
    return 0;
  });
}

// ---------------------------------------------------------------------------------------------
// Storage: databases of collections of documents in natural (insertion) order, plus indexes.

interface IndexState {
  name: string;
  key: Document;
  fields: string[];
  unique: boolean;
  sparse: boolean;
  partial: Document | undefined;
  /** As listIndexes reports it. */
  spec: Document;
}

interface CollectionState {
  docs: Map<string, Document>;
  indexes: IndexState[];
}

interface CursorState {
  ns: string;
  collection: string;
  remaining: Document[];
}

function idKey(id: unknown): string {
  return typeof id === 'string' ? `s:${id}` : `b:${Buffer.from(BSON.serialize({ id })).toString('hex')}`;
}

function sameBson(a: Document, b: Document): boolean {
  return Buffer.compare(BSON.serialize(a), BSON.serialize(b)) === 0;
}

function inIndex(doc: Document, index: IndexState): boolean {
  if (index.sparse && index.fields.every((field) => fieldOf(doc, field) === undefined)) return false;
  return index.partial === undefined || matchesFilter(doc, index.partial);
}

interface WriteError {
  index: number;
  code: number;
  errmsg: string;
  keyPattern?: Document;
  keyValue?: Document;
}

function duplicateKeyError(ns: string, index: IndexState, doc: Document): Omit<WriteError, 'index'> {
  const keyValue: Document = {};
  for (const field of index.fields) keyValue[field] = fieldOf(doc, field) ?? null;
  const shown = Object.entries(keyValue)
    .map(([field, value]) => `${field}: ${JSON.stringify(value)}`)
    .join(', ');
  return {
    code: 11000,
    errmsg: `E11000 duplicate key error collection: ${ns} index: ${index.name} dup key: { ${shown} }`,
    keyPattern: index.key,
    keyValue,
  };
}

const ID_INDEX: IndexState = {
  name: '_id_',
  key: { _id: 1 },
  fields: ['_id'],
  unique: true,
  sparse: false,
  partial: undefined,
  spec: { v: 2, key: { _id: 1 }, name: '_id_' },
};

/** The first unique index `doc` would violate, ignoring the document stored under `self`. */
function findDuplicate(collection: CollectionState, doc: Document, self: string | undefined): IndexState | undefined {
  if (self === undefined && collection.docs.has(idKey(doc['_id']))) return ID_INDEX;
  for (const index of collection.indexes) {
    if (!index.unique || index.name === '_id_' || !inIndex(doc, index)) continue;
    for (const [key, other] of collection.docs) {
      if (key === self || !inIndex(other, index)) continue;
      if (index.fields.every((field) => compareValues(fieldOf(doc, field) ?? null, fieldOf(other, field) ?? null) === 0)) return index;
    }
  }
  return undefined;
}

class WireStore {
  private readonly databases = new Map<string, Map<string, CollectionState>>();
  private readonly cursors = new Map<number, CursorState>();
  private nextCursorId = 1;

  collection(db: string, name: string): CollectionState | undefined {
    return this.databases.get(db)?.get(name);
  }

  /** Creates the collection on first write, as mongod does; reports whether it did. */
  ensureCollection(db: string, name: unknown): { state: CollectionState; created: boolean } {
    if (typeof name !== 'string' || name === '') throw new CommandError(73, 'InvalidNamespace', `invalid collection name ${String(name)}`);
    let collections = this.databases.get(db);
    if (!collections) {
      collections = new Map();
      this.databases.set(db, collections);
    }
    const existing = collections.get(name);
    if (existing) return { state: existing, created: false };
    const state: CollectionState = { docs: new Map(), indexes: [ID_INDEX] };
    collections.set(name, state);
    return { state, created: true };
  }

  drop(db: string, name: string): CollectionState | undefined {
    const state = this.databases.get(db)?.get(name);
    this.databases.get(db)?.delete(name);
    return state;
  }

  dropDatabase(db: string): void {
    this.databases.delete(db);
  }

  /** Answers the first batch of a result, leaving the rest behind a cursor when it does not fit. */
  cursorReply(db: string, collection: string, docs: Document[], batchSize: number | undefined, singleBatch: boolean): Document {
    const ns = `${db}.${collection}`;
    const batch = takeBatch(docs, batchSize ?? DEFAULT_BATCH_SIZE);
    let id = 0;
    if (!singleBatch && batch.length < docs.length) {
      id = this.nextCursorId++;
      this.cursors.set(id, { ns, collection, remaining: docs.slice(batch.length) });
    }
    return { cursor: { firstBatch: batch, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  getMore(db: string, body: Document): Document {
    checkFields('getMore', body, ['getMore', 'collection', 'batchSize']);
    const id = toNumber(body['getMore']);
    const cursor = this.cursors.get(id);
    if (!cursor || cursor.ns !== `${db}.${String(body['collection'])}`) {
      throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    }
    const batchSize = body['batchSize'] === undefined ? Number.MAX_SAFE_INTEGER : toNumber(body['batchSize']);
    const batch = takeBatch(cursor.remaining, batchSize);
    cursor.remaining = cursor.remaining.slice(batch.length);
    if (cursor.remaining.length === 0) this.cursors.delete(id);
    return { cursor: { nextBatch: batch, id: Long.fromNumber(cursor.remaining.length === 0 ? 0 : id), ns: cursor.ns }, ok: 1 };
  }

  killCursors(body: Document): Document {
    checkFields('killCursors', body, ['killCursors', 'cursors']);
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of (body['cursors'] as unknown[] | undefined) ?? []) {
      const id = toNumber(raw);
      (this.cursors.delete(id) ? killed : notFound).push(Long.fromNumber(id));
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }
}

/** Up to `count` documents, and no more than fit in one reply (at least one). */
function takeBatch(docs: Document[], count: number): Document[] {
  const batch: Document[] = [];
  let size = 0;
  for (const doc of docs) {
    if (batch.length >= count) break;
    size += BSON.calculateObjectSize(doc);
    if (batch.length > 0 && size > MAX_BSON_OBJECT_SIZE - 16 * 1024) break;
    batch.push(doc);
  }
  return batch;
}

// ---------------------------------------------------------------------------------------------
// Commands

interface Session {
  store: WireStore;
  connectionId: number;
  unknownCommands: string[];
}

function hello(body: Document, session: Session, legacy: boolean): Document {
  return {
    ...(body['helloOk'] === true ? { helloOk: true } : {}),
    [legacy ? 'ismaster' : 'isWritablePrimary']: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: session.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

function documentsOf(body: Document, field: string): Document[] {
  const value = body[field];
  if (!Array.isArray(value) || !value.every(isPlainDocument)) throw badValue(`${field} must be an array of objects`);
  if (value.length > MAX_WRITE_BATCH_SIZE) throw badValue(`a write batch holds at most ${MAX_WRITE_BATCH_SIZE} operations`);
  return value;
}

function filterOf(value: unknown, name: string): Document {
  if (value === undefined) return {};
  if (!isPlainDocument(value)) throw badValue(`${name} must be an object`);
  return value;
}

function matching(state: CollectionState | undefined, filter: Document): [string, Document][] {
  if (!state) {
    matchesFilter({}, filter); // still validate the filter
    return [];
  }
  const result: [string, Document][] = [];
  for (const entry of state.docs) if (matchesFilter(entry[1], filter)) result.push(entry);
  return result;
}

function writeReply(n: number, writeErrors: WriteError[], extra: Document = {}): Document {
  return { n, ...extra, ...(writeErrors.length > 0 ? { writeErrors } : {}), ok: 1 };
}

function insert(db: string, body: Document, store: WireStore): Document {
  checkFields('insert', body, ['insert', 'documents', 'ordered', 'bypassDocumentValidation']);
  const docs = documentsOf(body, 'documents');
  const ordered = body['ordered'] !== false;
  const name = String(body['insert']);
  const { state } = store.ensureCollection(db, body['insert']);
  const writeErrors: WriteError[] = [];
  let n = 0;
  for (const [index, doc] of docs.entries()) {
    // mongod puts _id first, generating one when the client did not.
    const stored: Document = { _id: doc['_id'] ?? new ObjectId(), ...doc };
    if (Array.isArray(stored['_id']) || isRegex(stored['_id'])) {
      writeErrors.push({ index, code: 2, errmsg: `can't use an array or regex for _id` });
    } else {
      const duplicate = findDuplicate(state, stored, undefined);
      if (duplicate) writeErrors.push({ index, ...duplicateKeyError(`${db}.${name}`, duplicate, stored) });
      else {
        state.docs.set(idKey(stored['_id']), stored);
        n++;
      }
    }
    if (ordered && writeErrors.length > 0) break;
  }
  return writeReply(n, writeErrors);
}

function update(db: string, body: Document, store: WireStore): Document {
  checkFields('update', body, ['update', 'updates', 'ordered', 'bypassDocumentValidation']);
  const statements = documentsOf(body, 'updates');
  const ordered = body['ordered'] !== false;
  const name = String(body['update']);
  const { state } = store.ensureCollection(db, body['update']);
  const writeErrors: WriteError[] = [];
  let n = 0;
  let nModified = 0;
  for (const [index, statement] of statements.entries()) {
    checkFields('update.updates', statement, ['q', 'u', 'multi', 'upsert']);
    if (statement['upsert'] === true) throw unsupported('upsert');
    const replacement = statement['u'];
    if (Array.isArray(replacement)) throw unsupported('a pipeline update');
    if (!isPlainDocument(replacement)) throw badValue('u must be an object');
    if (Object.keys(replacement).some((key) => key.startsWith('$'))) throw unsupported('update operators ($set, $inc, ...)');
    if (statement['multi'] === true) throw new CommandError(9, 'FailedToParse', 'multi update is not supported for replacement-style update');
    const [target] = matching(state, filterOf(statement['q'], 'q'));
    if (target) {
      const [key, current] = target;
      const { _id: newId, ...fields } = replacement;
      if (newId !== undefined && compareValues(newId, current['_id']) !== 0) {
        writeErrors.push({
          index,
          code: 66,
          errmsg: `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${JSON.stringify(newId)}`,
        });
      } else {
        const next: Document = { _id: current['_id'], ...fields };
        const duplicate = findDuplicate(state, next, key);
        if (duplicate) writeErrors.push({ index, ...duplicateKeyError(`${db}.${name}`, duplicate, next) });
        else {
          n++;
          // Like mongod, a replacement identical to the stored document is matched but not modified.
          if (!sameBson(current, next)) {
            state.docs.set(key, next);
            nModified++;
          }
        }
      }
    }
    if (ordered && writeErrors.length > 0) break;
  }
  return writeReply(n, writeErrors, { nModified });
}

function remove(db: string, body: Document, store: WireStore): Document {
  checkFields('delete', body, ['delete', 'deletes', 'ordered']);
  const statements = documentsOf(body, 'deletes');
  const state = store.collection(db, String(body['delete']));
  let n = 0;
  for (const statement of statements) {
    checkFields('delete.deletes', statement, ['q', 'limit']);
    const limit = statement['limit'];
    if (limit !== 0 && limit !== 1) throw new CommandError(9, 'FailedToParse', `The limit field in delete objects must be 0 or 1. Got ${String(limit)}`);
    let targets = matching(state, filterOf(statement['q'], 'q'));
    if (limit === 1) targets = targets.slice(0, 1);
    for (const [key] of targets) state?.docs.delete(key);
    n += targets.length;
  }
  return writeReply(n, []);
}

function nonNegative(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = toNumber(value);
  if (!Number.isInteger(n) || n < 0) throw badValue(`${name} must be a non-negative integer`);
  return n;
}

function find(db: string, body: Document, store: WireStore): Document {
  checkFields('find', body, ['find', 'filter', 'sort', 'skip', 'limit', 'batchSize', 'singleBatch', 'noCursorTimeout', 'allowDiskUse', 'allowPartialResults']);
  const name = String(body['find']);
  const filter = filterOf(body['filter'], 'filter');
  const sort = parseSort(body['sort']);
  const skip = nonNegative(body['skip'], 'skip') ?? 0;
  const limit = nonNegative(body['limit'], 'limit');
  const batchSize = nonNegative(body['batchSize'], 'batchSize');
  let docs = sortDocuments(
    matching(store.collection(db, name), filter).map(([, doc]) => doc),
    sort,
  ).slice(skip);
  if (limit !== undefined && limit > 0) docs = docs.slice(0, limit);
  return store.cursorReply(db, name, docs, batchSize, body['singleBatch'] === true);
}

function count(db: string, body: Document, store: WireStore): Document {
  checkFields('count', body, ['count', 'query', 'skip', 'limit']);
  const skip = nonNegative(body['skip'], 'skip') ?? 0;
  const limit = nonNegative(body['limit'], 'limit');
  let n = Math.max(0, matching(store.collection(db, String(body['count'])), filterOf(body['query'], 'query')).length - skip);
  if (limit !== undefined && limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
}

function aggregate(db: string, body: Document, store: WireStore): Document {
  checkFields('aggregate', body, ['aggregate', 'pipeline', 'cursor', 'allowDiskUse']);
  if (typeof body['aggregate'] !== 'string') throw unsupported('a database-level aggregate');
  const cursorOptions = body['cursor'];
  if (!isPlainDocument(cursorOptions)) {
    throw new CommandError(9, 'FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  checkFields('aggregate.cursor', cursorOptions, ['batchSize']);
  const pipeline = body['pipeline'];
  if (!Array.isArray(pipeline)) throw badValue('pipeline must be an array');
  const name = body['aggregate'];
  let docs = [...(store.collection(db, name)?.docs.values() ?? [])];
  for (const stage of pipeline) {
    if (!isPlainDocument(stage) || Object.keys(stage).length !== 1) throw badValue('a pipeline stage must be an object with exactly one field');
    const [[stageName, spec]] = Object.entries(stage) as [[string, unknown]];
    switch (stageName) {
      case '$match':
        docs = docs.filter((doc) => matchesFilter(doc, filterOf(spec, '$match')));
        break;
      case '$sort':
        docs = sortDocuments(docs, parseSort(spec));
        break;
      case '$skip':
        docs = docs.slice(nonNegative(spec, '$skip') ?? 0);
        break;
      case '$limit': {
        const limit = nonNegative(spec, '$limit') ?? 0;
        if (limit === 0) throw badValue('the limit must be positive');
        docs = docs.slice(0, limit);
        break;
      }
      case '$count':
        if (typeof spec !== 'string' || spec === '' || spec.startsWith('$')) throw badValue('$count needs a field name');
        docs = docs.length > 0 ? [{ [spec]: docs.length }] : [];
        break;
      case '$group':
        docs = group(docs, spec);
        break;
      default:
        throw new CommandError(40324, 'Location40324', `Unrecognized pipeline stage name: '${stageName}' (the Meridian wire-protocol test server implements $match, $sort, $skip, $limit, $count and $group)`);
    }
  }
  return store.cursorReply(db, name, docs, nonNegative(cursorOptions['batchSize'], 'cursor.batchSize'), false);
}

/** Reads a "$field" expression (top-level fields only) or returns a constant. */
function evaluate(doc: Document, expression: unknown): unknown {
  if (typeof expression === 'string' && expression.startsWith('$')) {
    const field = expression.slice(1);
    assertFieldName(field);
    return fieldOf(doc, field);
  }
  if (isPlainDocument(expression) || Array.isArray(expression)) throw unsupported('an expression object in $group');
  return expression;
}

function group(docs: Document[], spec: unknown): Document[] {
  if (!isPlainDocument(spec) || !('_id' in spec)) throw badValue("a group specification must include an _id");
  const accumulators = Object.entries(spec)
    .filter(([field]) => field !== '_id')
    .map(([field, accumulator]) => {
      if (!isPlainDocument(accumulator) || Object.keys(accumulator).length !== 1 || !('$sum' in accumulator)) {
        throw unsupported(`the accumulator of "${field}" (only $sum is implemented)`);
      }
      return [field, accumulator['$sum']] as const;
    });
  const groups = new Map<string, Document>();
  for (const doc of docs) {
    const id = evaluate(doc, spec['_id']) ?? null;
    const key = Buffer.from(BSON.serialize({ id })).toString('hex');
    let out = groups.get(key);
    if (!out) {
      out = { _id: id };
      for (const [field] of accumulators) out[field] = 0;
      groups.set(key, out);
    }
    for (const [field, operand] of accumulators) {
      const value = evaluate(doc, operand);
      if (rank(value) === 3) out[field] = (out[field] as number) + toNumber(value);
    }
  }
  return [...groups.values()];
}

const PARTIAL_OPERATORS = new Set(['$eq', '$exists', '$gt', '$gte', '$lt', '$lte', '$type', '$in']);

/** mongod accepts only a few expressions in partial indexes; refuse the rest as it would. */
function assertPartialFilter(filter: Document, topLevel = true): void {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && topLevel && Array.isArray(condition)) {
      for (const part of condition) assertPartialFilter(filterOf(part, '$and'), false);
      continue;
    }
    if (key.startsWith('$')) throw new CommandError(67, 'CannotCreateIndex', `Expression not supported in partial index: ${key}`);
    if (isOperatorObject(condition)) {
      for (const [operator, argument] of Object.entries(condition)) {
        if (!PARTIAL_OPERATORS.has(operator) || (operator === '$exists' && argument !== true)) {
          throw new CommandError(67, 'CannotCreateIndex', `Expression not supported in partial index: ${key} ${operator}`);
        }
      }
    }
  }
  matchesFilter({}, filter); // and it must be a filter this server can evaluate
}

function createIndexes(db: string, body: Document, store: WireStore): Document {
  checkFields('createIndexes', body, ['createIndexes', 'indexes', 'commitQuorum']);
  const name = String(body['createIndexes']);
  const specs = documentsOf(body, 'indexes');
  const { state, created } = store.ensureCollection(db, body['createIndexes']);
  const before = state.indexes.length;
  const additions: IndexState[] = [];
  for (const spec of specs) {
    checkFields('createIndexes.indexes', spec, ['key', 'name', 'unique', 'sparse', 'partialFilterExpression', 'v', 'background']);
    const key = spec['key'];
    if (!isPlainDocument(key) || Object.keys(key).length === 0) throw new CommandError(67, 'CannotCreateIndex', 'index key must be a nonempty object');
    for (const [field, direction] of Object.entries(key)) {
      assertFieldName(field);
      if (direction !== 1 && direction !== -1) throw unsupported(`index type ${JSON.stringify(direction)}`);
    }
    const indexName = spec['name'];
    if (typeof indexName !== 'string' || indexName === '') throw new CommandError(67, 'CannotCreateIndex', 'index name must be specified as a string');
    const partial = spec['partialFilterExpression'] === undefined ? undefined : filterOf(spec['partialFilterExpression'], 'partialFilterExpression');
    if (partial && spec['sparse'] === true) throw new CommandError(67, 'CannotCreateIndex', 'cannot mix "partialFilterExpression" and "sparse" options');
    if (partial) assertPartialFilter(partial);
    const index: IndexState = {
      name: indexName,
      key,
      fields: Object.keys(key),
      unique: spec['unique'] === true,
      sparse: spec['sparse'] === true,
      partial,
      spec: {
        v: 2,
        key,
        name: indexName,
        ...(spec['unique'] === true ? { unique: true } : {}),
        ...(spec['sparse'] === true ? { sparse: true } : {}),
        ...(partial ? { partialFilterExpression: partial } : {}),
      },
    };
    // An index is identified by its key and partial filter; its name must match, and so must its options.
    const sameName = [...state.indexes, ...additions].find((existing) => existing.name === indexName);
    const sameIdentity = [...state.indexes, ...additions].find(
      (existing) => sameBson(existing.key, key) && sameBson({ p: existing.partial ?? null }, { p: partial ?? null }),
    );
    if (sameName && sameName === sameIdentity && sameBson(sameName.spec, index.spec)) continue;
    if (sameName && !sameBson(sameName.key, key)) {
      throw new CommandError(86, 'IndexKeySpecsConflict', `An existing index has the same name as the requested index but a different key: ${indexName}`);
    }
    if (sameName || sameIdentity) {
      throw new CommandError(85, 'IndexOptionsConflict', `An equivalent index already exists with a different name or options: ${(sameName ?? sameIdentity)!.name}`);
    }
    if (index.unique) {
      const members = [...state.docs.entries()].filter(([, doc]) => inIndex(doc, index));
      for (const [key, doc] of members) {
        const scratch: CollectionState = { docs: new Map(members), indexes: [index] };
        if (findDuplicate(scratch, doc, key)) {
          const error = duplicateKeyError(`${db}.${name}`, index, doc);
          throw new CommandError(11000, 'DuplicateKey', `Index build failed: ${error.errmsg}`);
        }
      }
    }
    additions.push(index);
  }
  state.indexes.push(...additions);
  return {
    numIndexesBefore: before,
    numIndexesAfter: state.indexes.length,
    ...(additions.length === 0 ? { note: 'all indexes already exist' } : {}),
    createdCollectionAutomatically: created,
    ok: 1,
  };
}

function listIndexes(db: string, body: Document, store: WireStore): Document {
  checkFields('listIndexes', body, ['listIndexes', 'cursor']);
  const name = String(body['listIndexes']);
  const state = store.collection(db, name);
  if (!state) throw new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${db}.${name}`);
  const cursorOptions = isPlainDocument(body['cursor']) ? body['cursor'] : {};
  return store.cursorReply(db, name, state.indexes.map((index) => index.spec), nonNegative(cursorOptions['batchSize'], 'cursor.batchSize'), false);
}

function runCommand(db: string, body: Document, session: Session): Document {
  const command = Object.keys(body)[0];
  if (command === undefined) throw badValue('empty command');
  const { store } = session;
  switch (command) {
    case 'hello':
      return hello(body, session, false);
    case 'isMaster':
    case 'ismaster':
      return hello(body, session, true);
    case 'ping':
      return { ok: 1 };
    case 'buildInfo':
    case 'buildinfo':
      return { version: '7.0.0', versionArray: [7, 0, 0, 0], gitVersion: 'meridian-wire-test-server', bits: 64, maxBsonObjectSize: MAX_BSON_OBJECT_SIZE, ok: 1 };
    case 'endSessions':
      return { ok: 1 };
    case 'insert':
      return insert(db, body, store);
    case 'update':
      return update(db, body, store);
    case 'delete':
      return remove(db, body, store);
    case 'find':
      return find(db, body, store);
    case 'getMore':
      return store.getMore(db, body);
    case 'killCursors':
      return store.killCursors(body);
    case 'count':
      return count(db, body, store);
    case 'aggregate':
      return aggregate(db, body, store);
    case 'createIndexes':
      return createIndexes(db, body, store);
    case 'listIndexes':
      return listIndexes(db, body, store);
    case 'drop': {
      checkFields('drop', body, ['drop']);
      const dropped = store.drop(db, String(body['drop']));
      return dropped ? { nIndexesWas: dropped.indexes.length, ns: `${db}.${String(body['drop'])}`, ok: 1 } : { ok: 1 };
    }
    case 'dropDatabase':
      checkFields('dropDatabase', body, ['dropDatabase']);
      store.dropDatabase(db);
      return { dropped: db, ok: 1 };
    default:
      session.unknownCommands.push(command);
      throw new CommandError(59, 'CommandNotFound', `no such command: '${command}' (not implemented by the Meridian wire-protocol test server)`);
  }
}

function execute(db: string, body: Document, session: Session, trace: boolean): Document {
  let reply: Document;
  try {
    if ('txnNumber' in body || 'startTransaction' in body) throw unsupported('a transaction or retryable-write txnNumber');
    reply = runCommand(db, body, session);
  } catch (error) {
    reply =
      error instanceof CommandError
        ? { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName }
        : { ok: 0, errmsg: error instanceof Error ? error.message : String(error), code: 1, codeName: 'InternalError' };
  }
  if (trace) {
    const { lsid: _lsid, ...shown } = body;
    console.log(`[wire ${session.connectionId}] ${db} ${JSON.stringify(shown)}\n  -> ${JSON.stringify(reply)}`);
  }
  return reply;
}

// ---------------------------------------------------------------------------------------------
// Framing

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

let nextResponseId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(16);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(nextResponseId++ & 0x7fffffff, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

function opMsgReply(responseTo: number, reply: Document): Buffer {
  const body = BSON.serialize(reply);
  const length = 16 + 4 + 1 + body.length;
  return Buffer.concat([header(length, responseTo, OP_MSG), Buffer.alloc(4) /* flagBits */, Buffer.from([0]), body]);
}

function opReply(responseTo: number, reply: Document): Buffer {
  const body = BSON.serialize(reply);
  const fields = Buffer.alloc(20); // responseFlags, cursorID (int64), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(16 + 20 + body.length, responseTo, OP_REPLY), fields, body]);
}

function readDocument(message: Buffer, offset: number, end: number): [Document, number] {
  if (offset + 4 > end) throw new ProtocolError('truncated document');
  const size = message.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('document overruns its section');
  return [BSON.deserialize(message.subarray(offset, offset + size)), offset + size];
}

function readCString(message: Buffer, offset: number, end: number): [string, number] {
  const nul = message.indexOf(0, offset);
  if (nul < 0 || nul >= end) throw new ProtocolError('unterminated string');
  return [message.toString('utf8', offset, nul), nul + 1];
}

/** Returns the reply to send, or undefined when the client asked for none (moreToCome). */
function handleMessage(message: Buffer, session: Session, trace: boolean): Buffer | undefined {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_MSG) {
    const flags = message.readUInt32LE(16);
    if (flags & REQUIRED_BITS & ~(CHECKSUM_PRESENT | MORE_TO_COME)) throw new ProtocolError(`unknown required OP_MSG flag bits ${flags}`);
    let end = message.length;
    if (flags & CHECKSUM_PRESENT) {
      end -= 4;
      if (crc32c(message.subarray(0, end)) !== message.readUInt32LE(end)) throw new ProtocolError('OP_MSG checksum mismatch');
    }
    let body: Document | undefined;
    const sequences: [string, Document[]][] = [];
    let offset = 20;
    while (offset < end) {
      const kind = message[offset++];
      if (kind === 0) {
        if (body) throw new ProtocolError('more than one body section');
        [body, offset] = readDocument(message, offset, end);
      } else if (kind === 1) {
        const size = message.readInt32LE(offset);
        const sectionEnd = offset + size;
        if (size < 5 || sectionEnd > end) throw new ProtocolError('document sequence overruns the message');
        const [identifier, start] = readCString(message, offset + 4, sectionEnd);
        let position = start;
        const docs: Document[] = [];
        while (position < sectionEnd) {
          let doc: Document;
          [doc, position] = readDocument(message, position, sectionEnd);
          docs.push(doc);
        }
        sequences.push([identifier, docs]);
        offset = sectionEnd;
      } else {
        throw new ProtocolError(`unknown OP_MSG section kind ${String(kind)}`);
      }
    }
    if (!body) throw new ProtocolError('OP_MSG without a body section');
    for (const [identifier, docs] of sequences) {
      if (identifier in body) throw new ProtocolError(`field ${identifier} appears both in the body and as a document sequence`);
      body[identifier] = docs;
    }
    const db = body['$db'];
    const reply =
      typeof db === 'string' && db !== ''
        ? execute(db, body, session, trace)
        : { ok: 0, errmsg: 'OP_MSG requires a $db argument', code: 40571, codeName: 'Location40571' };
    return flags & MORE_TO_COME ? undefined : opMsgReply(requestId, reply);
  }
  if (opCode === OP_QUERY) {
    const [namespace, afterName] = readCString(message, 20, message.length);
    let [query] = readDocument(message, afterName + 8, message.length); // skip numberToSkip, numberToReturn
    if (isPlainDocument(query['$query'])) query = query['$query'];
    const command = Object.keys(query)[0] ?? '';
    if (!namespace.endsWith('.$cmd')) throw new ProtocolError(`legacy OP_QUERY on ${namespace} is not supported`);
    // mongod 6+ accepts OP_QUERY only for the handshake.
    const reply = ['hello', 'isMaster', 'ismaster'].includes(command)
      ? execute(namespace.slice(0, -'.$cmd'.length), query, session, trace)
      : { ok: 0, errmsg: `Unsupported OP_QUERY command: ${command}. The client driver may require an upgrade.`, code: 352, codeName: 'UnsupportedOpQueryCommand' };
    return opReply(requestId, reply);
  }
  if (opCode === OP_COMPRESSED) throw new ProtocolError('OP_COMPRESSED was not negotiated');
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

export async function startMongoWireServer(options: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const trace = options.trace ?? process.env['MERIDIAN_WIRE_TRACE'] === '1';
  const store = new WireStore();
  const unknownCommands: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const session: Session = { store, connectionId: ++connections, unknownCommands };
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      try {
        while (pending.length >= 4) {
          const length = pending.readInt32LE(0);
          if (length < 16 || length > MAX_MESSAGE_SIZE) throw new ProtocolError(`invalid message length ${length}`);
          if (pending.length < length) break;
          const message = pending.subarray(0, length);
          pending = pending.subarray(length);
          const reply = handleMessage(message, session, trace);
          if (reply) socket.write(reply);
        }
      } catch (error) {
        // mongod closes the connection on a malformed message; so does this server.
        if (trace) console.log(`[wire ${session.connectionId}] closing: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the wire server has no TCP address');

  return {
    uri: `mongodb://127.0.0.1:${address.port}/`,
    port: address.port,
    unknownCommands,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
