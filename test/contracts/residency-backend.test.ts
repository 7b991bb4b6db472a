import { describe, it, expect, afterEach } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createResidencyBackend, RESIDENCY_DIRECTORY, type ResidencyBackend } from '../../src/privacy/residency.js';
import { EmbeddedBackend } from '../../src/storage/embedded-backend.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { createStores } from '../../src/storage/stores.js';
import type { StoredDocument } from '../../src/storage/collection.js';
import { customerIdFor, conversationIdFor } from '../../src/conversation/conversation-id.js';
import { ManualClock } from '../../src/core/runtime.js';
import { activity, testBot } from '../helpers/bot.js';
import { collectionContract } from './collection-contract.js';

const COUNTRIES = { DE: 'eu', FR: 'eu', ES: 'eu', IT: 'eu', US: 'us', CA: 'us' } as const;

function embeddedRegions(): { eu: string; us: string; backend: ResidencyBackend } {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-residency-'));
  const eu = join(dir, 'eu.db');
  const us = join(dir, 'us.db');
  const backend = createResidencyBackend({
    regions: { eu: new EmbeddedBackend({ file: eu }), us: new EmbeddedBackend({ file: us }) },
    defaultRegion: 'eu',
    countryToRegion: COUNTRIES,
  });
  return { eu, us, backend };
}

collectionContract('residency over two embedded (SQLite) regions', async () => embeddedRegions().backend);
collectionContract('residency over two memory regions', async () =>
  createResidencyBackend({ regions: { eu: new MemoryBackend(), us: new MemoryBackend() }, defaultRegion: 'eu', countryToRegion: COUNTRIES }),
);

/** Every id in every table of a SQLite file, read without Meridian. */
function idsInFile(file: string): Record<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT id FROM "${t}" ORDER BY id`).all() as { id: string }[]).map((r) => r.id)]));
  } finally {
    db.close();
  }
}

/** All document text of a file, to check that a phone number appears nowhere in it. */
function textOfFile(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    return tables.map((t) => (db.prepare(`SELECT id, doc FROM "${t}"`).all() as { id: string; doc: string }[]).map((r) => r.id + r.doc).join('\n')).join('\n');
  } finally {
    db.close();
  }
}

const DE = 'whatsapp:+4915112345678';
const US = 'sms:+12125550123';

describe('residency: where documents land', () => {
  const open: ResidencyBackend[] = [];
  afterEach(async () => {
    for (const backend of open.splice(0)) await backend.close();
  });

  it('keeps a German customer in the EU file and a US customer in the US file, through real turns', async () => {
    const { eu, us, backend } = embeddedRegions();
    const { bot } = testBot({ stores: createStores(backend) });
    const de1 = await bot.receive(activity('Hallo', { channel: 'whatsapp', address: DE, conversationKey: DE }));
    const us1 = await bot.receive(activity('hello', { channel: 'sms', address: US, conversationKey: US }));
    await bot.receive(activity('noch was', { channel: 'whatsapp', address: DE, conversationKey: DE }));
    expect(de1.replies[0]!.text).toMatch(/KI|AI/);
    expect(us1.replies[0]!.text).toMatch(/AI assistant/);
    await bot.stores.events.append({ id: 'ev_de', type: 'test', at: 1, conversationId: conversationIdFor('whatsapp', DE), customerId: null, data: {} });
    await bot.stores.events.append({ id: 'ev_us', type: 'test', at: 1, conversationId: null, customerId: customerIdFor(US), data: {} });
    await bot.stop();

    const euIds = idsInFile(eu);
    const usIds = idsInFile(us);
    const deCustomer = customerIdFor(DE);
    const usCustomer = customerIdFor(US);
    expect(euIds['customers']).toEqual([deCustomer]);
    expect(usIds['customers']).toEqual([usCustomer]);
    expect(euIds['conversations']).toEqual([conversationIdFor('whatsapp', DE)]);
    expect(usIds['conversations']).toEqual([conversationIdFor('sms', US)]);
    expect(euIds['inbox']).toHaveLength(2);
    expect(euIds['inbox']!.every((id) => id.startsWith('whatsapp:'))).toBe(true);
    expect(usIds['inbox']).toHaveLength(1);
    expect(usIds['inbox']![0]).toMatch(/^sms:/);
    expect(euIds['events']).toEqual(['ev_de']);
    expect(usIds['events']).toEqual(['ev_us']);
    // No trace of either phone number in the other region's file (the directory holds hashed ids only).
    expect(textOfFile(us)).not.toContain('4915112345678');
    expect(textOfFile(eu)).not.toContain('2125550123');
    // The directory lives in the default region only.
    expect(usIds[RESIDENCY_DIRECTORY]).toBeUndefined();
    expect(euIds[RESIDENCY_DIRECTORY]).toEqual(expect.arrayContaining([`customer:${usCustomer}`, `customer:${deCustomer}`]));
  });

  it('reads back the same data through a fresh router over the same files', async () => {
    const { eu, us, backend } = embeddedRegions();
    const stores = createStores(backend);
    await stores.customers.create({ id: 'cu_us', identities: [US], primaryAddress: US, displayName: null, locale: 'en', timeZone: null, createdAt: 'x', updatedAt: 'x' });
    await backend.close();
    const reopened = createResidencyBackend({
      regions: { eu: new EmbeddedBackend({ file: eu }), us: new EmbeddedBackend({ file: us }) },
      defaultRegion: 'eu',
      countryToRegion: COUNTRIES,
    });
    open.push(reopened);
    const again = createStores(reopened);
    expect((await again.customers.get('cu_us'))?.primaryAddress).toBe(US);
    expect(await reopened.regionOfCustomer('cu_us')).toBe('us');
    const saved = await again.customers.save({ ...(await again.customers.get('cu_us'))!, displayName: 'Sam' }, 1);
    expect(saved.version).toBe(2);
    await reopened.flush?.();
    expect(idsInFile(us)['customers']).toEqual(['cu_us']);
    expect(idsInFile(eu)['customers']).toEqual([]);
  });

  it('sends documents of unknown origin to the default region', async () => {
    const { eu, us, backend } = embeddedRegions();
    const stores = createStores(backend);
    // An e-mail address says nothing about a country; a knowledge-base article has no customer at all.
    await stores.customers.create({ id: 'cu_mail', identities: ['email:ana@example.com'], primaryAddress: 'email:ana@example.com', displayName: null, locale: null, timeZone: null, createdAt: 'x', updatedAt: 'x' });
    await backend.collection<StoredDocument & { title: string }>({ name: 'kb_articles', indexes: [] }).insert({ id: 'kb1', title: 'Returns' });
    // A phone number from a country no region claims.
    await stores.customers.create({ id: 'cu_jp', identities: ['sms:+815012345678'], primaryAddress: 'sms:+815012345678', displayName: null, locale: null, timeZone: null, createdAt: 'x', updatedAt: 'x' });
    await backend.close();
    expect(idsInFile(eu)['customers']).toEqual(['cu_jp', 'cu_mail']);
    expect(idsInFile(eu)['kb_articles']).toEqual(['kb1']);
    expect(idsInFile(us)['customers']).toEqual([]);
    expect(idsInFile(us)['kb_articles']).toEqual([]);
  });

  it('uses a document country field before the phone number', async () => {
    const { us, backend } = embeddedRegions();
    open.push(backend);
    const stores = createStores(backend);
    const customer = { id: 'cu_moved', identities: [DE], primaryAddress: DE, displayName: null, locale: null, timeZone: null, createdAt: 'x', updatedAt: 'x', country: 'us' };
    await stores.customers.create(customer);
    expect(await backend.regionOfCustomer('cu_moved')).toBe('us');
    await backend.flush?.();
    expect(idsInFile(us)['customers']).toEqual(['cu_moved']);
  });
});

describe('residency: routing rules', () => {
  function memoryRouter(clock = new ManualClock()) {
    const eu = new MemoryBackend();
    const us = new MemoryBackend();
    const backend = createResidencyBackend({ regions: { eu, us }, defaultRegion: 'eu', countryToRegion: COUNTRIES, clock });
    return { eu, us, backend, stores: createStores(backend), euStores: createStores(eu), usStores: createStores(us) };
  }
  const customer = (id: string, address: string) => ({ id, identities: [address], primaryAddress: address, displayName: null, locale: null, timeZone: null, createdAt: 'x', updatedAt: 'x' });
  const inboxEntry = (id: string, address: string, receivedAt: number) => ({
    id, conversationId: conversationIdFor('sms', address), status: 'done' as const, receivedAt,
    activity: { id, channel: 'sms', address, conversationKey: address, text: 'hi', attachments: [], timestamp: '2026-01-01T00:00:00.000Z', transport: 'emulator' },
  });

  it('puts a conversation, its inbox and its outbox in the region of its customer', async () => {
    const { stores, euStores, usStores } = memoryRouter();
    const address = 'sms:+12125550123';
    const cu = customerIdFor(address);
    const cv = conversationIdFor('sms', address);
    // The core's order: inbox entry first, then the customer, then the conversation with its replies.
    await stores.inbox.accept(inboxEntry('sms:1', address, 1));
    await stores.customers.create(customer(cu, address));
    await stores.conversations.create({
      id: cv, key: address, channel: 'sms', address, customerId: cu, locale: 'en', localeSource: 'detected', dialogs: [], lastInboxId: 'sms:1',
      lastReplies: [], turnCount: 1, handoff: null, data: {}, createdAt: 'x', updatedAt: 'x',
    });
    await stores.outbox.enqueue([{
      id: 'sms:1#00', conversationId: cv, inboxId: 'sms:1', seq: 0, channel: 'sms', transport: 'emulator', address, locale: 'en',
      message: { text: 'hi' }, status: 'pending', attempts: 0, nextAttemptAt: 1, createdAt: 1, sentAt: null, lastError: null,
    }]);
    expect(await usStores.inbox.get('sms:1')).toBeDefined();
    expect(await usStores.customers.get(cu)).toBeDefined();
    expect(await usStores.conversations.get(cv)).toBeDefined();
    expect(await usStores.outbox.get('sms:1#00')).toBeDefined();
    for (const name of ['inbox', 'customers', 'conversations', 'outbox'] as const) expect(await euStores[name].collection.count({})).toBe(0);
    expect((await stores.outbox.due(5, 10)).map((e) => e.id)).toEqual(['sms:1#00']);
  });

  it('lets a customer pinned to a region before their first message pull the conversation there', async () => {
    const { backend, stores, usStores, euStores } = memoryRouter();
    const address = 'email:ana@example.com';
    await backend.migrateCustomer(customerIdFor(address), 'us');
    await stores.inbox.accept({ ...inboxEntry('email:1', address, 1), conversationId: 'cv_mail' });
    await stores.events.append({ id: 'e1', type: 't', at: 1, conversationId: 'cv_mail', customerId: null, data: {} });
    expect(await usStores.inbox.get('email:1')).toBeDefined();
    expect(await usStores.events.collection.get('e1')).toBeDefined();
    expect(await euStores.inbox.get('email:1')).toBeUndefined();
  });

  it('merges find across regions in order and within the limit, and sums counts', async () => {
    const { stores } = memoryRouter();
    const de = 'sms:+4915112345678';
    const us = 'sms:+12125550123';
    for (let i = 0; i < 6; i++) await stores.inbox.accept(inboxEntry(`sms:${i}`, i % 2 === 0 ? de : us, 100 - i));
    const all = await stores.inbox.collection.find({}, { orderBy: 'receivedAt' });
    expect(all.map((e) => e.receivedAt)).toEqual([95, 96, 97, 98, 99, 100]);
    const newest = await stores.inbox.collection.find({ status: 'done' }, { orderBy: 'receivedAt', descending: true, limit: 3 });
    expect(newest.map((e) => e.id)).toEqual(['sms:0', 'sms:1', 'sms:2']);
    expect(await stores.inbox.collection.count({ status: 'done' })).toBe(6);
    expect(await stores.inbox.collection.deleteMany({ receivedAt: { lte: 97 } })).toBe(3);
    expect(await stores.inbox.collection.count({})).toBe(3);
  });

  it('finds a document by id in any region and keeps version conflicts', async () => {
    const { stores } = memoryRouter();
    const us = 'sms:+12125550123';
    await stores.inbox.accept(inboxEntry('sms:x', us, 1));
    const entry = (await stores.inbox.get('sms:x'))!;
    expect(entry.conversationId).toBe(conversationIdFor('sms', us));
    await stores.inbox.finish(entry, 'done', []);
    await expect(stores.inbox.finish(entry, 'failed', [])).rejects.toThrow(/changed by someone else/);
    expect(await stores.inbox.collection.delete('sms:x', 1)).toBe(false);
    expect(await stores.inbox.collection.delete('sms:x', 2)).toBe(true);
    expect(await stores.inbox.get('sms:x')).toBeUndefined();
  });

  it('migrates a customer with their conversations and turn log, and is idempotent', async () => {
    const { backend, stores, euStores, usStores } = memoryRouter();
    const address = 'sms:+4915112345678';
    const cu = customerIdFor(address);
    const cv = conversationIdFor('sms', address);
    await stores.inbox.accept(inboxEntry('sms:m1', address, 1));
    await stores.customers.create(customer(cu, address));
    await stores.conversations.create({
      id: cv, key: address, channel: 'sms', address, customerId: cu, locale: 'de', localeSource: 'detected', dialogs: [], lastInboxId: 'sms:m1',
      lastReplies: [], turnCount: 1, handoff: null, data: {}, createdAt: 'x', updatedAt: 'x',
    });
    await stores.events.append({ id: 'ev1', type: 't', at: 1, conversationId: cv, customerId: cu, data: {} });
    // Someone else's data stays put.
    await stores.customers.create(customer('cu_other', 'sms:+4915100000000'));

    const report = await backend.migrateCustomer(cu, 'us');
    expect(report.moved).toEqual({ customers: 1, conversations: 1, inbox: 1, events: 1 });
    expect(report.leftBehind).toEqual({});
    expect(await backend.regionOfCustomer(cu)).toBe('us');
    expect(await usStores.conversations.get(cv)).toBeDefined();
    expect(await euStores.conversations.get(cv)).toBeUndefined();
    expect(await euStores.inbox.get('sms:m1')).toBeUndefined();
    expect(await euStores.customers.get('cu_other')).toBeDefined();

    // New writes of that customer follow, reads find the moved documents.
    await stores.inbox.accept(inboxEntry('sms:m2', address, 2));
    expect(await usStores.inbox.get('sms:m2')).toBeDefined();
    const conversation = (await stores.conversations.get(cv))!;
    expect((await stores.conversations.save({ ...conversation, turnCount: 2 }, conversation.version)).turnCount).toBe(2);

    const again = await backend.migrateCustomer(cu, 'us');
    expect(again.moved).toEqual({});
  });

  it('forgets a customer directory entries after erasure', async () => {
    const { backend, stores, eu } = memoryRouter();
    const address = 'sms:+12125550123';
    await stores.inbox.accept(inboxEntry('sms:f1', address, 1));
    await stores.customers.create(customer(customerIdFor(address), address));
    const directory = eu.collection<StoredDocument>({ name: RESIDENCY_DIRECTORY, indexes: [] });
    expect(await directory.count({})).toBe(2);
    expect(await backend.forgetCustomer(customerIdFor(address))).toBe(2);
    expect(await directory.count({})).toBe(0);
  });

  it('refuses a configuration that names a region it does not have', () => {
    const eu = new MemoryBackend();
    expect(() => createResidencyBackend({ regions: { eu }, defaultRegion: 'us' })).toThrow(/default region "us"/);
    expect(() => createResidencyBackend({ regions: { eu, us: eu }, defaultRegion: 'eu' })).toThrow(/share one backend/);
    expect(() => createResidencyBackend({ regions: { eu }, defaultRegion: 'eu', countryToRegion: { US: 'us' } })).toThrow(/US maps to "us"/);
    expect(() => createResidencyBackend({ regions: { eu }, defaultRegion: 'eu', countryToRegion: { usa: 'eu' } })).toThrow(/not an ISO 3166-1/);
    expect(() => createResidencyBackend({ regions: { eu }, defaultRegion: 'eu' }).collection({ name: RESIDENCY_DIRECTORY, indexes: [] })).toThrow(/reserved/);
  });

  it('pings every region and names the one that fails', async () => {
    const broken = new MemoryBackend();
    broken.ping = async () => {
      throw new Error('connection refused');
    };
    const backend = createResidencyBackend({ regions: { eu: new MemoryBackend(), us: broken }, defaultRegion: 'eu' });
    await expect(backend.ping()).rejects.toThrow(/region "us" does not answer: connection refused/);
  });
});
