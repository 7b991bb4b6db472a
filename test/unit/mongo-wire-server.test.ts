import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoClient, MongoServerError } from 'mongodb';
import { startMongoWireServer, type MongoWireServer } from '../helpers/mongo-wire-server.js';

describe('mongo wire-protocol test server, driven by the real driver', () => {
  let server: MongoWireServer;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startMongoWireServer();
    client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 2000 });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('answers the handshake as a standalone the driver accepts', async () => {
    const db = client.db('wire_hello');
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const hello = await db.admin().command({ hello: 1 });
    expect(hello).toMatchObject({ isWritablePrimary: true, ok: 1 });
    expect(hello['maxWireVersion']).toBeGreaterThanOrEqual(9);
  });

  it('raises MongoServerError 11000 for a duplicate _id and keeps the first document', async () => {
    const things = client.db('wire_dup').collection<{ _id: string; n: number }>('things');
    await things.insertOne({ _id: 'a', n: 1 });
    const error = await things.insertOne({ _id: 'a', n: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(11000);
    expect(await things.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1 });
  });

  it('answers an unknown command with CommandNotFound', async () => {
    const error = await client.db('wire_unknown').command({ frobnicate: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(59);
    expect(server.unknownCommands).toContain('frobnicate');
  });

  it('refuses what it does not implement instead of pretending', async () => {
    const things = client.db('wire_refuse').collection('things');
    await things.insertOne({ _id: 'x', tag: 'a' } as never);
    await expect(things.find({ tag: { $ne: 'a' } }).toArray()).rejects.toThrow(/not supported/);
    await expect(things.updateOne({ _id: 'x' } as never, { $set: { tag: 'b' } })).rejects.toThrow(/not supported/);
  });

  it('lets a partial unique index ignore nulls and absent fields but not equal strings', async () => {
    const people = client.db('wire_partial').collection<{ _id: string; email?: string | null }>('people');
    await people.createIndex({ email: 1 }, { name: 'email_unique', unique: true, partialFilterExpression: { email: { $type: ['string', 'number', 'bool'] } } });
    await people.insertMany([{ _id: 'p1', email: null }, { _id: 'p2', email: null }, { _id: 'p3' }, { _id: 'p4', email: 'a@example.com' }]);
    const error = await people.insertOne({ _id: 'p5', email: 'a@example.com' }).catch((e: unknown) => e);
    expect((error as MongoServerError).code).toBe(11000);
    expect((error as MongoServerError)['keyValue']).toEqual({ email: 'a@example.com' });
    expect(await people.countDocuments({})).toBe(4);
    const indexes = await people.listIndexes().toArray();
    expect(indexes.map((index) => index['name'])).toEqual(['_id_', 'email_unique']);
  });

  it('treats a plain unique index as mongod does: absent counts as null', async () => {
    const things = client.db('wire_plain_unique').collection<{ _id: string; code?: string }>('things');
    await things.createIndex({ code: 1 }, { unique: true });
    await things.insertOne({ _id: 't1' });
    await expect(things.insertOne({ _id: 't2' })).rejects.toMatchObject({ code: 11000 });
  });

  it('filters, sorts, limits and pages through getMore', async () => {
    const rows = client.db('wire_find').collection<{ _id: string; rank: number; kind: string | null }>('rows');
    await rows.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: `r${String(i).padStart(3, '0')}`, rank: i % 10, kind: i % 3 === 0 ? null : 'k' })));
    expect(await rows.countDocuments({ kind: null })).toBe(84);
    expect(await rows.countDocuments({ rank: { $lte: 1 } })).toBe(50);
    const all = await rows.find({}, { batchSize: 7 }).toArray(); // many getMore round trips
    expect(all).toHaveLength(250);
    const top = await rows.find({ rank: { $in: [8, 9] } }).sort({ rank: -1, _id: -1 }).limit(3).toArray();
    expect(top.map((row) => row._id)).toEqual(['r249', 'r239', 'r229']);
  });

  it('replaces only where the filter matches and reports counts', async () => {
    const docs = client.db('wire_update').collection<{ _id: string; version: number }>('docs');
    await docs.insertOne({ _id: 'd', version: 1 });
    expect(await docs.replaceOne({ _id: 'd', version: 2 }, { version: 3 })).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
    expect(await docs.replaceOne({ _id: 'd', version: 1 }, { version: 2 })).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await docs.deleteOne({ _id: 'd', version: 1 })).toMatchObject({ deletedCount: 0 });
    expect(await docs.deleteMany({})).toMatchObject({ deletedCount: 1 });
  });
});
