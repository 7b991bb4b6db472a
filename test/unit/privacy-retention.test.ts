import { describe, it, expect, afterEach } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRetentionJob, parseDuration, type RetentionJob } from '../../src/privacy/retention.js';
import { createResidencyBackend } from '../../src/privacy/residency.js';
import { ManualClock } from '../../src/core/runtime.js';
import { EmbeddedBackend } from '../../src/storage/embedded-backend.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { createStores, type Stores } from '../../src/storage/stores.js';
import type { Collection, StorageBackend, StoredDocument } from '../../src/storage/collection.js';
import type { ConversationRecord, InboxEntry, OutboxEntry } from '../../src/storage/records.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const POLICY = { inbox: '30d', outbox: '7d', events: '400d', conversations: '2y' };

describe('parseDuration', () => {
  it('reads minutes, hours, days, weeks and years', () => {
    expect(parseDuration('90min')).toBe(90 * 60_000);
    expect(parseDuration('12h')).toBe(12 * HOUR);
    expect(parseDuration('30d')).toBe(30 * DAY);
    expect(parseDuration(' 2w ')).toBe(14 * DAY);
    expect(parseDuration('2y')).toBe(730 * DAY);
    expect(parseDuration('1D')).toBe(DAY);
  });

  it('refuses what it cannot read, with the reason', () => {
    expect(() => parseDuration('30')).toThrow(/number and a unit, e.g. 12h, 30d, 2y/);
    expect(() => parseDuration('')).toThrow(/not a period/);
    expect(() => parseDuration('6m')).toThrow(/ambiguous.*"6min".*180d/);
    expect(() => parseDuration('3months')).toThrow(/unknown unit "months"/);
    expect(() => parseDuration('0d')).toThrow(/more than zero/);
    expect(() => parseDuration('-5d')).toThrow(/not a period/);
    expect(() => parseDuration('1.5d')).toThrow(/not a period/);
  });
});

describe('createRetentionJob configuration', () => {
  it('lists every problem of a policy in one error', () => {
    const stores = createStores(new MemoryBackend());
    let message = '';
    try {
      createRetentionJob({ stores, policy: { inbox: '1d', outbox: 'soon', tickets: '30d', events: '400d' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/inbox: 1d is too short; inbox entries recognise redelivered webhooks/);
    expect(message).toMatch(/outbox: "soon" is not a period/);
    expect(message).toMatch(/tickets: no retention rule/);
    expect(message).toMatch(/tickets: no such collection/);
    expect(message).not.toMatch(/events/);
  });

  it('accepts a collection of its own with a rule', () => {
    const backend = new MemoryBackend();
    const tickets = backend.collection<StoredDocument>({ name: 'tickets', indexes: ['closedAt'] });
    expect(() => createRetentionJob({ collections: { tickets }, rules: { tickets: { field: 'closedAt', format: 'epoch-ms' } }, policy: { tickets: '1y' } })).not.toThrow();
  });
});

interface Fixture {
  backend: StorageBackend;
  stores: Stores;
  clock: ManualClock;
}

/** Stores whose conversations are indexed on updatedAt, as retention needs (opened first, so createStores reuses them). */
function withDatedConversations(backend: StorageBackend): Fixture {
  backend.collection<ConversationRecord>({ name: 'conversations', indexes: ['customerId', 'updatedAt'] });
  return { backend, stores: createStores(backend), clock: new ManualClock() };
}

function inbox(id: string, receivedAt: number, status: InboxEntry['status']): Omit<InboxEntry, 'version'> {
  return {
    id, conversationId: 'cv_1', status, receivedAt,
    activity: { id, channel: 'sms', address: 'sms:+4915112345678', conversationKey: 'sms:+4915112345678', text: 'hi', attachments: [], timestamp: '2026-01-01T00:00:00.000Z', transport: 'emulator' },
  };
}

function outbox(id: string, createdAt: number, status: OutboxEntry['status']): Omit<OutboxEntry, 'version'> {
  return {
    id, conversationId: 'cv_1', inboxId: 'sms:x', seq: 0, channel: 'sms', transport: 'emulator', address: 'sms:+4915112345678', locale: 'de',
    message: { text: 'hallo' }, status, attempts: 0, nextAttemptAt: createdAt, createdAt, sentAt: null, lastError: null,
  };
}

function conversation(id: string, updatedAt: string): Omit<ConversationRecord, 'version'> {
  return {
    id, key: id, channel: 'sms', address: 'sms:+4915112345678', customerId: 'cu_1', locale: 'de', localeSource: 'detected', dialogs: [],
    lastInboxId: null, lastReplies: [], turnCount: 1, handoff: null, data: {}, createdAt: updatedAt, updatedAt,
  };
}

async function seed({ stores, clock }: Fixture): Promise<void> {
  const now = clock.now();
  await stores.inbox.accept(inbox('sms:old-done', now - 31 * DAY, 'done'));
  await stores.inbox.accept(inbox('sms:old-failed', now - 90 * DAY, 'failed'));
  await stores.inbox.accept(inbox('sms:old-unfinished', now - 400 * DAY, 'received'));
  await stores.inbox.accept(inbox('sms:recent', now - DAY, 'done'));
  await stores.outbox.enqueue([
    outbox('o:old-sent', now - 8 * DAY, 'sent'),
    outbox('o:old-dead', now - 30 * DAY, 'dead'),
    outbox('o:old-pending', now - 30 * DAY, 'pending'),
    outbox('o:recent', now - HOUR, 'sent'),
  ]);
  for (const [id, at] of [['e:old', now - 401 * DAY], ['e:edge', now - 400 * DAY], ['e:recent', now - 10 * DAY]] as const) {
    await stores.events.append({ id, type: 'turn', at, conversationId: null, customerId: null, data: {} });
  }
  await stores.conversations.create(conversation('cv_old', new Date(now - 3 * 365 * DAY).toISOString()));
  await stores.conversations.create(conversation('cv_recent', new Date(now - DAY).toISOString()));
  await stores.conversations.create(conversation('cv_undated', 'not a date'));
}

const ids = async (collection: Collection<StoredDocument>): Promise<string[]> => (await collection.find({})).map((d) => d.id).sort();

const backends: [string, () => StorageBackend][] = [
  ['memory', () => new MemoryBackend()],
  ['embedded', () => new EmbeddedBackend({ file: join(mkdtempSync(join(tmpdir(), 'meridian-retention-')), 'meridian.db') })],
  [
    'residency over two embedded regions',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'meridian-retention-'));
      return createResidencyBackend({
        regions: { eu: new EmbeddedBackend({ file: join(dir, 'eu.db') }), us: new EmbeddedBackend({ file: join(dir, 'us.db') }) },
        defaultRegion: 'eu',
        countryToRegion: { DE: 'eu', US: 'us' },
      });
    },
  ],
];

describe.each(backends)('retention job over %s', (_label, open) => {
  let fixture: Fixture | undefined;
  let job: RetentionJob | undefined;
  afterEach(async () => {
    await job?.stop();
    job = undefined;
    await fixture?.backend.close();
    fixture = undefined;
  });

  it('deletes old data, keeps recent data and unfinished work, and reports counts', async () => {
    fixture = withDatedConversations(open());
    await seed(fixture);
    const { stores, clock } = fixture;
    job = createRetentionJob({ stores, policy: POLICY, clock });
    expect(await job.runOnce()).toEqual({ deleted: { inbox: 2, outbox: 2, events: 2, conversations: 1 }, failed: {} });
    expect(await ids(stores.inbox.collection)).toEqual(['sms:old-unfinished', 'sms:recent']);
    expect(await ids(stores.outbox.collection)).toEqual(['o:old-pending', 'o:recent']);
    expect(await ids(stores.events.collection)).toEqual(['e:recent']);
    expect(await ids(stores.conversations.collection)).toEqual(['cv_recent', 'cv_undated']);
    // The unfinished turn is still found by recovery.
    expect((await stores.inbox.unfinished()).map((e) => e.id)).toEqual(['sms:old-unfinished']);

    expect((await job.runOnce()).deleted).toEqual({ inbox: 0, outbox: 0, events: 0, conversations: 0 });
    clock.advance(2 * 365 * DAY);
    expect((await job.runOnce()).deleted).toEqual({ inbox: 1, outbox: 1, events: 1, conversations: 1 });
    expect(await ids(stores.inbox.collection)).toEqual(['sms:old-unfinished']);
    expect(await ids(stores.outbox.collection)).toEqual(['o:old-pending']);
  });

  it('works through many documents in small batches', async () => {
    fixture = withDatedConversations(open());
    const { stores, clock } = fixture;
    const now = clock.now();
    for (let i = 0; i < 23; i++) {
      await stores.events.append({ id: `e${i}`, type: 't', at: now - 500 * DAY + i, conversationId: null, customerId: null, data: {} });
      await stores.conversations.create(conversation(`cv_${i}`, new Date(now - 800 * DAY + i * 1000).toISOString()));
    }
    await stores.events.append({ id: 'e-new', type: 't', at: now, conversationId: null, customerId: null, data: {} });
    await stores.conversations.create(conversation('cv_bad1', ''));
    await stores.conversations.create(conversation('cv_bad2', 'yesterday'));
    await stores.conversations.create(conversation('cv_new', new Date(now).toISOString()));
    job = createRetentionJob({ stores, policy: { events: '400d', conversations: '2y' }, clock, batchSize: 4 });
    expect((await job.runOnce()).deleted).toEqual({ events: 23, conversations: 23 });
    expect(await ids(stores.events.collection)).toEqual(['e-new']);
    expect(await ids(stores.conversations.collection)).toEqual(['cv_bad1', 'cv_bad2', 'cv_new']);
  });

  it('keeps a conversation that changed while it was being judged', async () => {
    fixture = withDatedConversations(open());
    const { stores, clock } = fixture;
    const old = new Date(clock.now() - 3 * 365 * DAY).toISOString();
    await stores.conversations.create(conversation('cv_a', old));
    await stores.conversations.create(conversation('cv_b', old));
    const real = stores.conversations.collection;
    // A turn saves cv_a between the job's read and its delete.
    const racing: Collection<StoredDocument> = {
      ...real,
      name: real.name,
      find: (filter, options) => real.find(filter, options),
      get: (id) => real.get(id),
      insert: (doc) => real.insert(doc as never),
      update: (doc, version) => real.update(doc as never, version),
      count: (filter) => real.count(filter),
      deleteMany: (filter) => real.deleteMany(filter),
      delete: async (id, version) => {
        if (id === 'cv_a') {
          const current = (await real.get(id))!;
          await real.update({ ...current, updatedAt: new Date(clock.now()).toISOString() }, current.version);
        }
        return real.delete(id, version);
      },
    };
    job = createRetentionJob({ collections: { conversations: racing }, policy: { conversations: '2y' }, clock, batchSize: 1 });
    expect((await job.runOnce()).deleted).toEqual({ conversations: 1 });
    expect(await ids(real)).toEqual(['cv_a']);
  });

  it('reports a collection it cannot judge and still does the others', async () => {
    const backend = open();
    fixture = { backend, stores: createStores(backend), clock: new ManualClock() };
    await seed(fixture);
    // A collection opened without an updatedAt index (an older deployment's) cannot be judged by age.
    const legacy = backend.collection<ConversationRecord>({ name: 'legacy_conversations', indexes: ['customerId'] });
    const { inbox, outbox, events } = fixture.stores;
    job = createRetentionJob({
      collections: { inbox: inbox.collection, outbox: outbox.collection, events: events.collection, conversations: legacy },
      policy: POLICY,
      clock: fixture.clock,
    });
    const result = await job.runOnce();
    expect(result.deleted).toEqual({ inbox: 2, outbox: 2, events: 2 });
    expect(result.failed['conversations']).toMatch(/conversations.updatedAt must be an indexed field for retention \(add "updatedAt" to the conversations indexes\)/);
  });

  it('runs on start, again every interval, and not after stop', async () => {
    fixture = withDatedConversations(open());
    const { stores, clock } = fixture;
    job = createRetentionJob({ stores, policy: { events: '1d' }, clock, intervalMs: 20 });
    await stores.events.append({ id: 'e1', type: 't', at: clock.now() - 2 * DAY, conversationId: null, customerId: null, data: {} });
    job.start();
    await waitFor(async () => (await stores.events.collection.count({})) === 0);
    await stores.events.append({ id: 'e2', type: 't', at: clock.now(), conversationId: null, customerId: null, data: {} });
    clock.advance(2 * DAY);
    await waitFor(async () => (await stores.events.collection.count({})) === 0);
    await job.stop();
    await stores.events.append({ id: 'e3', type: 't', at: clock.now() - 2 * DAY, conversationId: null, customerId: null, data: {} });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await ids(stores.events.collection)).toEqual(['e3']);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
