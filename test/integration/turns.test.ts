import { describe, it, expect } from '@jest/globals';
import type { Dialog } from '../../src/dialog/types.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { createStores } from '../../src/storage/stores.js';
import { activity, catalogs, testBot } from '../helpers/bot.js';
import { createBot } from '../../src/bot.js';

/** A dialog that counts turns in its values, to prove no update is lost. */
const counter: Dialog = {
  id: 'counter',
  version: 1,
  start: 'count',
  steps: {
    async count(ctx) {
      const n = Number(ctx.values['n'] ?? 0) + 1;
      ctx.values['n'] = n;
      // Yield to the event loop so racing turns really interleave.
      await new Promise((resolve) => setImmediate(resolve));
      ctx.say(`count ${n}: ${ctx.input}`);
      return ctx.wait('count');
    },
  },
};

describe('turns through the core', () => {
  it('greets with the AI disclosure and buttons, then says when it does not know', async () => {
    const { bot } = testBot();
    const first = await bot.receive(activity('hello'));
    expect(first.duplicate).toBe(false);
    expect(first.replies).toHaveLength(1);
    expect(first.replies[0]!.text).toMatch(/AI assistant/);
    expect(first.replies[0]!.buttons?.map((b) => b.value)).toEqual(['track order', 'return item', 'agent']);
    const second = await bot.receive(activity('what is this'));
    expect(second.replies[0]!.text).toContain("I'm not sure I know the answer");
    expect(second.replies[0]!.buttons?.[0]?.value).toBe('agent');
    expect(second.replies[0]!.text).not.toMatch(/AI assistant/);
  });

  it('answers in the language the script shows and keeps it for ambiguous messages', async () => {
    const { bot } = testBot();
    const ja = await bot.receive(activity('注文について教えてください', { address: 'sms:+815012345678', conversationKey: 'sms:+815012345678' }));
    expect(ja.locale).toBe('ja');
    expect(ja.replies[0]!.text).toContain('AIアシスタント');
    const ok = await bot.receive(activity('ok', { address: 'sms:+815012345678', conversationKey: 'sms:+815012345678' }));
    expect(ok.locale).toBe('ja');
  });

  it('maps a numbered answer to the offered button and hands over on request', async () => {
    const { bot } = testBot();
    await bot.receive(activity('hi', { address: 'sms:+15550001111', conversationKey: 'sms:+15550001111' }));
    const human = await bot.receive(activity('3', { address: 'sms:+15550001111', conversationKey: 'sms:+15550001111' }));
    expect(human.replies[0]!.handoff).toEqual({ reason: 'customer_request' });
    const conversation = await bot.stores.conversations.get(human.conversationId);
    expect(conversation?.handoff?.reason).toBe('customer_request');
  });

  it('understands a request for a human in every launch language', async () => {
    const { bot } = testBot();
    const words = ['agent', 'agente', 'conseiller', 'Mitarbeiter', '担当者', 'operatore', 'atendente', '人工'];
    for (const [i, word] of words.entries()) {
      const result = await bot.receive(activity(word, { address: `sms:+1555000${2000 + i}`, conversationKey: `sms:+1555000${2000 + i}` }));
      expect(result.replies.some((reply) => reply.handoff)).toBe(true);
    }
  });

  it('runs a redelivered message only once and returns the first answer', async () => {
    const { bot } = testBot();
    const message = activity('hello', { id: 'dup-1' });
    const [a, b] = await Promise.all([bot.receive(message), bot.receive({ ...message })]);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(b.replies).toEqual(a.replies);
    const conversation = await bot.stores.conversations.get(a.conversationId);
    expect(conversation?.turnCount).toBe(1);
  });

  it('keeps turns of one conversation in arrival order', async () => {
    const { bot } = testBot({ dialogs: [counter] });
    const address = 'sms:+15550003333';
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => bot.receive(activity(`msg ${n}`, { address, conversationKey: address }))));
    expect(results.map((r) => r.replies.at(-1)!.text.split('\n').at(-1))).toEqual([1, 2, 3, 4, 5].map((n) => `count ${n}: msg ${n}`));
  });

  it('retries a turn on a version conflict instead of losing an update (two processes, one store)', async () => {
    const stores = createStores(new MemoryBackend());
    const a = createBot({ dialogs: [counter], catalogs, stores });
    const b = createBot({ dialogs: [counter], catalogs, stores });
    const address = 'sms:+15550004444';
    await a.receive(activity('first', { address, conversationKey: address }));
    // Two runtimes (as two server processes would) race on the same conversation.
    const racing = await Promise.all([
      a.receive(activity('from a', { address, conversationKey: address })),
      b.receive(activity('from b', { address, conversationKey: address })),
    ]);
    const counts = racing.map((r) => r.replies.at(-1)!.text).sort();
    expect(counts[0]).toMatch(/^count 2/);
    expect(counts[1]).toMatch(/^count 3/);
    const conversation = await stores.conversations.get(racing[0].conversationId);
    expect(conversation?.dialogs[0]?.values['n']).toBe(3);
    expect(conversation?.turnCount).toBe(3);
  });

  it('sends an apology and keeps state unchanged when a dialog throws; the error handler sees it', async () => {
    const seen: unknown[] = [];
    const broken: Dialog = {
      id: 'broken',
      version: 1,
      start: 'boom',
      steps: {
        boom(ctx) {
          ctx.conversation.data['touched'] = true;
          throw new Error('kaput');
        },
      },
    };
    const { bot } = testBot({ dialogs: [broken] });
    bot.catch((error) => {
      seen.push(error);
    });
    const result = await bot.receive(activity('hi', { address: 'sms:+15550005555', conversationKey: 'sms:+15550005555' }));
    expect(seen).toHaveLength(1);
    expect(result.replies.at(-1)!.text).toMatch(/something went wrong/);
    const conversation = await bot.stores.conversations.get(result.conversationId);
    expect(conversation?.data['touched']).toBeUndefined();
  });

  it('rejects bad activities with clear errors and stores nothing', async () => {
    const { bot } = testBot();
    await expect(bot.receive(activity('   '))).rejects.toMatchObject({ code: 'empty_message' });
    await expect(bot.receive(activity('x'.repeat(4001)))).rejects.toMatchObject({ code: 'text_too_long' });
    await expect(bot.receive(activity('hi', { channel: 'pigeon', address: 'pigeon:1', conversationKey: 'pigeon:1' }))).rejects.toMatchObject({ code: 'unknown_channel' });
    await expect(bot.receive(activity('bad \uFFFD bytes'))).rejects.toMatchObject({ code: 'invalid_activity' });
    expect(await bot.stores.inbox.collection.count({})).toBe(0);
  });
});
