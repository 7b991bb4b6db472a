import { describe, it, expect } from '@jest/globals';
import type { Middleware } from '../../src/core/compose.js';
import type { TurnContext } from '../../src/conversation/context.js';
import { orderNumber, yesNo, choice } from '../../src/dialog/parsers.js';
import { prompt } from '../../src/dialog/prompts.js';
import type { Dialog } from '../../src/dialog/types.js';
import type { IntentName, NluResult } from '../../src/nlu/types.js';
import { activity, testBot } from '../helpers/bot.js';

const reasons = [
  { title: 'Too small', value: 'too_small' },
  { title: 'Damaged', value: 'damaged' },
];

/** A returns-like dialog built from prompts: order number, reason, confirmation. */
const returns: Dialog = {
  id: 'returns',
  version: 1,
  start: 'order',
  intents: ['return_request'],
  steps: {
    order: prompt({
      slot: 'order',
      ask: (ctx) => ctx.say('Which order?'),
      parse: orderNumber,
      prefill: orderNumber,
      then: (ctx) => ctx.goto('reason'),
    }),
    reason: prompt({
      slot: 'reason',
      ask: (ctx) => ctx.ask('Why?', reasons),
      parse: (ctx) => choice(ctx, reasons),
      prefill: (ctx) => (/too small/i.test(ctx.text) ? 'too_small' : undefined),
      then: (ctx) => ctx.goto('confirm'),
    }),
    confirm: prompt({
      slot: 'confirmed',
      ask: (ctx) => ctx.say(`Return order ${String(ctx.values['order'])} (${String(ctx.values['reason'])})?`),
      parse: yesNo,
      then: (ctx, yes) => {
        ctx.say(yes ? 'Return created.' : 'OK, no return.');
        return ctx.end();
      },
    }),
  },
};

const tracking: Dialog = {
  id: 'tracking',
  version: 1,
  start: 'show',
  intents: ['order_status'],
  steps: {
    show(ctx) {
      ctx.say(`Tracking for ${orderNumber(ctx) ?? 'your order'}: in transit.`);
      return ctx.end();
    },
  },
};

const fallback: Dialog = { id: 'fallback', version: 1, start: 'hello', steps: { hello: (ctx) => (ctx.say('How can I help?'), ctx.end()) } };

/** A stand-in for the NLU middleware: intents by keyword, so these tests exercise the runtime only. */
const keywordNlu: Middleware<TurnContext> = async (ctx, next) => {
  const intent: IntentName | 'out_of_scope' = /return/i.test(ctx.text) ? 'return_request' : /where is/i.test(ctx.text) ? 'order_status' : 'out_of_scope';
  ctx.nlu = { intent: { intent, confidence: intent === 'out_of_scope' ? 0.2 : 0.9, ranking: [] }, entities: [] } as unknown as NluResult;
  await next();
};

function bot() {
  const { bot } = testBot({ dialogs: [fallback, returns, tracking], disable: ["aiDisclosure"] });
  bot.use(keywordNlu);
  const address = `sms:+1555${Math.floor(Math.random() * 1e7)}`;
  return async (text: string) => (await bot.receive(activity(text, { address, conversationKey: address }))).replies.map((r) => r.text).join(' | ');
}

describe('prompts and the dialog runtime', () => {
  it('fills slots from what the customer already said', async () => {
    const say = bot();
    expect(await say("I want to return the shirt from order A1043 because it's too small")).toBe('Return order A1043 (too_small)?');
    expect(await say('yes')).toBe('Return created.');
  });

  it('asks for what is missing, re-asks on a bad answer, then offers a person', async () => {
    const say = bot();
    expect(await say('I want to return something')).toBe('Which order?');
    expect(await say('the blue one')).toBe("Sorry, I didn't get that. | Which order?");
    expect(await say('no idea')).toBe("Sorry, I didn't get that. | Which order?");
    expect(await say('still no idea')).toMatch(/talk to a person, or start over/);
    expect(await say('A-2002')).toBe('Why?');
  });

  it('lets the customer ask something else in the middle and then comes back', async () => {
    const say = bot();
    expect(await say('return please')).toBe('Which order?');
    expect(await say('where is order B7777?')).toBe('Tracking for B7777: in transit. | Which order?');
    expect(await say('A1043')).toBe('Why?');
    expect(await say('2')).toBe('Return order A1043 (damaged)?');
  });

  it('cancels and restarts in other languages too', async () => {
    const say = bot();
    expect(await say('return please')).toBe('Which order?');
    expect(await say('A1043')).toBe('Why?');
    expect(await say('von vorne')).toBe('Which order?');
    expect(await say('A1044')).toBe('Why?');
    expect(await say('abbrechen')).toBe("No problem, I've stopped that. What else can I do for you?");
    expect(await say('hello')).toBe('How can I help?');
  });

  it('reads yes and no in every launch language', () => {
    const { bot } = testBot();
    const cases: [string, string, boolean][] = [
      ['en', 'yep', true], ['es', 'vale', true], ['fr', 'non merci', false], ['de', 'genau', true],
      ['ja', 'いいえ', false], ['it', 'certo', true], ['pt', 'não', false], ['zh', '好的', true],
    ];
    for (const [locale, text, expected] of cases) {
      const ctx = { text, t: bot.translator(locale) } as unknown as TurnContext;
      expect([locale, yesNo(ctx)]).toEqual([locale, expected]);
    }
  });
});
