import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelAdapter, Delivery } from '../../src/core/adapter.js';
import { CHANNEL_CAPABILITIES } from '../../src/core/capabilities.js';
import { EmbeddedBackend } from '../../src/storage/embedded-backend.js';
import { createStores } from '../../src/storage/stores.js';
import { activity, testBot } from '../helpers/bot.js';

class SimulatedCrash extends Error {}

function capturingAdapter(failures = 0): ChannelAdapter & { sent: Delivery[]; attempts: number } {
  const adapter = {
    id: 'sms',
    channel: 'sms',
    capabilities: CHANNEL_CAPABILITIES['sms']!,
    sent: [] as Delivery[],
    attempts: 0,
    async send(delivery: Delivery) {
      adapter.attempts++;
      if (adapter.attempts <= failures) throw new Error(`carrier unavailable (${adapter.attempts})`);
      adapter.sent.push(delivery);
    },
  };
  return adapter;
}

const address = 'sms:+15557770000';
const sms = (text: string, id: string) => activity(text, { id, address, conversationKey: address, transport: 'sms' });

describe('crash safety of the embedded store', () => {
  it('delivers the reply of a turn that committed just before a crash, once, after restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meridian-crash-')), 'meridian.db');
    const before = testBot({
      stores: createStores(new EmbeddedBackend({ file })),
      adapters: [capturingAdapter()],
      afterCommit: () => {
        throw new SimulatedCrash('process died between saving state and queueing the reply');
      },
    });
    await expect(before.bot.receive(sms('hello', 'SM-crash'))).rejects.toBeInstanceOf(SimulatedCrash);
    // The "process" is gone: only the data file survives.
    await before.bot.stores.backend.close();

    const adapter = capturingAdapter();
    const after = testBot({ stores: createStores(new EmbeddedBackend({ file })), adapters: [adapter] });
    await after.bot.start();
    await after.bot.flushOutbox();
    expect(adapter.sent).toHaveLength(1);
    expect(adapter.sent[0]!.messages[0]!.text).toMatch(/AI assistant/);
    const conversation = await after.bot.stores.conversations.get(after.bot.conversationIdFor({ channel: 'sms', conversationKey: address }));
    expect(conversation?.turnCount).toBe(1);
    expect((await after.bot.stores.inbox.get('sms:SM-crash'))?.status).toBe('done');

    // A second restart sends nothing again.
    await after.bot.stop();
    const again = capturingAdapter();
    const third = testBot({ stores: createStores(new EmbeddedBackend({ file })), adapters: [again] });
    await third.bot.start();
    await third.bot.flushOutbox();
    expect(again.sent).toHaveLength(0);
    await third.bot.stop();
  });

  it('re-runs a message that was stored but whose turn never committed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meridian-crash-')), 'meridian.db');
    const stores = createStores(new EmbeddedBackend({ file }));
    await stores.inbox.accept({ id: 'sms:SM-early', conversationId: 'x', status: 'received', receivedAt: 1, activity: sms('hello', 'SM-early') });
    // Fix the conversation id as the runner computes it.
    const adapter = capturingAdapter();
    const { bot } = testBot({ stores, adapters: [adapter] });
    const entry = await stores.inbox.get('sms:SM-early');
    await stores.inbox.collection.update({ ...entry!, conversationId: bot.conversationIdFor({ channel: 'sms', conversationKey: address }) }, entry!.version);
    await bot.start();
    for (let i = 0; i < 100 && adapter.sent.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await bot.flushOutbox();
    expect(adapter.sent).toHaveLength(1);
    expect((await stores.inbox.get('sms:SM-early'))?.status).toBe('done');
    await bot.stop();
  });
});

describe('outbox retries', () => {
  it('retries a failed send with back-off and delivers in order', async () => {
    const adapter = capturingAdapter(2);
    const { bot, clock } = testBot({ adapters: [adapter], outbox: { baseDelayMs: 1000 } });
    const result = await bot.receive(sms('hello', 'SM-retry'));
    expect(adapter.sent).toHaveLength(0);
    const [entry] = await bot.stores.outbox.byTurn(result.inboxId);
    expect(entry).toMatchObject({ status: 'pending', attempts: 1, lastError: 'carrier unavailable (1)' });
    // A later turn of the same conversation waits behind the failed reply instead of overtaking it.
    const later = await bot.receive(sms('still there?', 'SM-retry-2'));
    expect(adapter.attempts).toBe(1);
    expect(await bot.stores.outbox.byTurn(later.inboxId)).toHaveLength(1);
    await bot.flushOutbox();
    expect(adapter.attempts).toBe(1);
    clock.advance(1500);
    await bot.flushOutbox();
    expect(adapter.attempts).toBe(2);
    clock.advance(5000);
    await bot.flushOutbox();
    expect(adapter.sent.map((d) => d.idempotencyKey)).toEqual([`${result.inboxId}#00`, `${later.inboxId}#00`]);
    expect((await bot.stores.outbox.byTurn(result.inboxId))[0]).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('gives up after the attempt limit and marks the reply dead', async () => {
    const adapter = capturingAdapter(99);
    const { bot, clock } = testBot({ adapters: [adapter], outbox: { maxAttempts: 2, baseDelayMs: 10 } });
    const result = await bot.receive(sms('hello', 'SM-dead'));
    clock.advance(1000);
    await bot.flushOutbox();
    expect((await bot.stores.outbox.byTurn(result.inboxId))[0]).toMatchObject({ status: 'dead', attempts: 2 });
  });
});

describe('a corrupted embedded data file', () => {
  it('stops with a clear error naming the file and leaves it untouched', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meridian-corrupt-')), 'meridian.db');
    writeFileSync(file, 'this is not a database, just some text that got here by mistake'.repeat(100));
    const before = readFileSync(file);
    expect(() => new EmbeddedBackend({ file })).toThrow(expect.objectContaining({ code: 'storage_corrupt', message: expect.stringContaining(file) }));
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('notices damaged pages inside a real database', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meridian-corrupt-')), 'meridian.db');
    const backend = new EmbeddedBackend({ file });
    const stores = createStores(backend);
    for (let i = 0; i < 300; i++) {
      await stores.events.append({ id: `e${i}`, type: 'test', at: i, conversationId: null, customerId: null, data: { filler: 'x'.repeat(200) } });
    }
    await backend.close();
    // Scribble over the middle of the file, where table and index pages live.
    const fd = openSync(file, 'r+');
    const size = statSync(file).size;
    writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    expect(() => new EmbeddedBackend({ file })).toThrow(expect.objectContaining({ code: 'storage_corrupt' }));
  });
});
