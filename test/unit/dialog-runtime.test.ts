import { describe, it, expect } from '@jest/globals';
import type { Dialog } from '../../src/dialog/types.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { createStores } from '../../src/storage/stores.js';
import { activity, testBot } from '../helpers/bot.js';

const address = 'sms:+15559990000';
const say = (text: string) => activity(text, { address, conversationKey: address });

function survey(version: number, steps: Dialog['steps'], migrate?: Dialog['migrate']): Dialog {
  return { id: 'survey', version, start: 'name', steps, ...(migrate ? { migrate } : {}) };
}

const v1 = survey(1, {
  name(ctx) {
    ctx.say('name?');
    return ctx.wait('gotName');
  },
  gotName(ctx) {
    ctx.values['name'] = ctx.input;
    ctx.say('age?');
    return ctx.wait('age');
  },
  age(ctx) {
    if (!/^\d+$/.test(ctx.input)) {
      ctx.say(ctx.retries >= 1 ? 'last try: a number please' : 'a number please');
      return ctx.retries >= 1 ? ctx.end() : ctx.retry();
    }
    ctx.say(`thanks ${String(ctx.values['name'])}, ${ctx.input}`);
    return ctx.end();
  },
});

describe('dialog runtime', () => {
  it('saves the step by name and re-asks with a retry count', async () => {
    const stores = createStores(new MemoryBackend());
    const { bot } = testBot({ dialogs: [v1], stores, disable: ['aiDisclosure'] });
    await bot.receive(say('hi'));
    await bot.receive(say('Ana'));
    const conversation = await stores.conversations.get(bot.conversationIdFor({ channel: 'sms', conversationKey: address }));
    expect(conversation?.dialogs).toEqual([{ dialogId: 'survey', dialogVersion: 1, step: 'age', values: { name: 'Ana' }, retries: 0 }]);
    expect((await bot.receive(say('old'))).replies[0]!.text).toBe('a number please');
    expect((await bot.receive(say('very old'))).replies[0]!.text).toBe('last try: a number please');
    const after = await stores.conversations.get(conversation!.id);
    expect(after?.dialogs).toEqual([]);
  });

  it('continues a live conversation after the dialog is edited, by step name', async () => {
    const stores = createStores(new MemoryBackend());
    const before = testBot({ dialogs: [v1], stores, disable: ['aiDisclosure'] });
    await before.bot.receive(say('hi'));
    await before.bot.receive(say('Ana'));
    // Version 2 adds a step in front; an index-based runtime would now run the wrong step.
    const v2 = survey(2, { intro: (ctx) => ctx.goto('name'), ...v1.steps });
    const after = testBot({ dialogs: [{ ...v2, start: 'intro' }], stores, disable: ['aiDisclosure'] });
    expect((await after.bot.receive(say('42'))).replies[0]!.text).toBe('thanks Ana, 42');
  });

  it('restarts a dialog whose saved step was removed, or migrates it when told how', async () => {
    const stores = createStores(new MemoryBackend());
    const before = testBot({ dialogs: [v1], stores, disable: ['aiDisclosure'] });
    await before.bot.receive(say('hi'));
    await before.bot.receive(say('Ana'));
    const { age: _age, ...withoutAge } = v1.steps;
    const v3 = survey(3, { ...withoutAge, years: v1.steps['age']! }, (state) => (state.step === 'age' ? { step: 'years', values: state.values } : undefined));
    const migrated = testBot({ dialogs: [v3], stores, disable: ['aiDisclosure'] });
    expect((await migrated.bot.receive(say('42'))).replies[0]!.text).toBe('thanks Ana, 42');

    const stores2 = createStores(new MemoryBackend());
    const old = testBot({ dialogs: [v1], stores: stores2, disable: ['aiDisclosure'] });
    await old.bot.receive(say('hi'));
    await old.bot.receive(say('Ana'));
    const restarted = testBot({ dialogs: [survey(4, withoutAge)], stores: stores2, disable: ['aiDisclosure'] });
    expect((await restarted.bot.receive(say('42'))).replies[0]!.text).toBe('name?');
  });

  it('starts a dialog by trigger and returns to the one it interrupted', async () => {
    const help: Dialog = {
      id: 'help',
      version: 1,
      start: 'show',
      triggers: (ctx) => ctx.text === 'help',
      steps: {
        show(ctx) {
          ctx.say('help text');
          return ctx.end();
        },
      },
    };
    const { bot } = testBot({ dialogs: [v1, help], disable: ['aiDisclosure'] });
    await bot.receive(say('hi'));
    expect((await bot.receive(say('Ana'))).replies[0]!.text).toBe('age?');
    // A trigger only starts a dialog when none is active; interruptions are the dialogs issue's work.
    expect((await bot.receive(say('7'))).replies[0]!.text).toBe('thanks Ana, 7');
    expect((await bot.receive(say('help'))).replies[0]!.text).toBe('help text');
  });

  it('stops a dialog that loops without waiting', async () => {
    const loop: Dialog = { id: 'loop', version: 1, start: 'a', steps: { a: (ctx) => ctx.goto('b'), b: (ctx) => ctx.goto('a') } };
    const errors: unknown[] = [];
    const { bot } = testBot({ dialogs: [loop] });
    bot.catch((error) => void errors.push(error));
    const result = await bot.receive(say('hi'));
    expect(errors[0]).toMatchObject({ code: 'dialog_error', message: expect.stringContaining('without waiting') });
    expect(result.replies.at(-1)!.text).toMatch(/something went wrong/);
  });

  it('refuses a dialog that starts at a step it does not have', () => {
    expect(() => testBot({ dialogs: [{ id: 'bad', version: 1, start: 'nope', steps: {} }] })).toThrow(/unknown step "nope"/);
  });
});
