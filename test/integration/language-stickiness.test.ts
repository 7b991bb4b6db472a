import { describe, it, expect, beforeAll } from '@jest/globals';
import { LAUNCH_LOCALES } from '../../src/bot.js';
import { customerIdFor } from '../../src/conversation/conversation-id.js';
import type { Catalog } from '../../src/i18n/catalog.js';
import { createLanguageDetector, loadLanguageDetector, type LanguageAnalyzer } from '../../src/nlu/language.js';
import { activity, catalogs, testBot } from '../helpers/bot.js';

let detector: LanguageAnalyzer;
beforeAll(async () => {
  detector = await loadLanguageDetector({ supported: LAUNCH_LOCALES });
});

let n = 0;
/** A fresh conversation on a channel: every call gets its own address. */
function conversation(channel: string, address?: string) {
  n++;
  const to = address ?? (channel === 'webchat' ? `webchat:session-${n}` : `${channel}:+1555010${String(n).padStart(4, '0')}`);
  return (text: string, overrides: Parameters<typeof activity>[1] = {}) => activity(text, { channel, address: to, conversationKey: to, ...overrides });
}

describe('conversation language: stickiness', () => {
  it('keeps the language through unreliable messages and switches on a clear sentence in another language', async () => {
    const { bot } = testBot({ languageDetector: detector });
    const say = conversation('sms');
    expect((await bot.receive(say('Hello, I need help with an order I placed last week.'))).locale).toBe('en');
    for (const text of ['ok', 'merci', '1', 'A1043', '👍', 'no', 'si', 'ana@example.com', 'danke']) {
      const result = await bot.receive(say(text));
      expect([text, result.locale]).toEqual([text, 'en']);
    }
    const german = await bot.receive(say('Guten Tag, ich warte seit zwei Wochen auf meine Bestellung.'));
    expect(german.locale).toBe('de');
    expect((await bot.receive(say('ok'))).locale).toBe('de');
    expect((await bot.receive(say('thanks'))).locale).toBe('de');
    const conversationRecord = await bot.stores.conversations.get(german.conversationId);
    expect(conversationRecord?.localeSource).toBe('detected');
  });

  it('does not switch on a language the bot does not speak', async () => {
    const { bot } = testBot({ languageDetector: detector });
    const say = conversation('sms');
    await bot.receive(say('Hi, where is my order?'));
    expect((await bot.receive(say('Waar blijft mijn pakketje? Ik heb het vorige week besteld.'))).locale).toBe('en');
    expect((await bot.receive(say('안녕하세요, 주문한 물건이 아직 안 왔어요'))).locale).toBe('en');
  });

  it('never overrides a language the customer picked', async () => {
    const { bot } = testBot({ languageDetector: detector });
    const say = conversation('webchat');
    const first = await bot.receive(say('hello', { localeHint: 'de', localeExplicit: true }));
    expect(first.locale).toBe('de');
    expect((await bot.receive(say('I would rather write in English if that is fine with you.'))).locale).toBe('de');
  });

  it('refines the language to a regional variant the customer writes', async () => {
    const { bot } = testBot({ languageDetector: detector });
    const say = conversation('whatsapp', 'whatsapp:+8613812345678');
    // +86 suggests Simplified; the customer writes Traditional.
    expect((await bot.receive(say('1043'))).locale).toBe('zh-Hans');
    expect((await bot.receive(say('我的訂單還沒到，請問什麼時候會寄出？'))).locale).toBe('zh-Hant');
    expect((await bot.receive(say('好'))).locale).toBe('zh-Hant');
  });
});

describe('conversation language: a new conversation', () => {
  it('takes a reliable detection over every hint', async () => {
    const { bot } = testBot({ languageDetector: detector });
    const say = conversation('webchat');
    const result = await bot.receive(say('Bonjour, je voudrais retourner une veste trop petite.', { localeHint: 'en-US' }));
    expect(result.locale).toBe('fr');
    expect(result.replies[0]!.text).toContain('assistant IA');
  });

  it('takes the browser language when the message says nothing', async () => {
    const { bot } = testBot({ languageDetector: detector });
    expect((await bot.receive(conversation('webchat')('A1043', { localeHint: 'it-IT' }))).locale).toBe('it');
    expect((await bot.receive(conversation('webchat')('ok', { localeHint: 'pt-BR' }))).locale).toBe('pt-BR');
  });

  it("takes the customer's profile locale before the phone country", async () => {
    const { bot } = testBot({ languageDetector: detector });
    const address = 'whatsapp:+4915100000001';
    const now = new Date().toISOString();
    await bot.stores.customers.create({
      id: customerIdFor(address),
      identities: [address],
      primaryAddress: address,
      displayName: null,
      locale: 'it',
      timeZone: null,
      createdAt: now,
      updatedAt: now,
    });
    expect((await bot.receive(conversation('whatsapp', address)('1043'))).locale).toBe('it');
  });

  it("takes the phone number's country when the message is a number, an emoji or 'ok'", async () => {
    const { bot } = testBot({ languageDetector: detector });
    expect((await bot.receive(conversation('whatsapp', 'whatsapp:+4915112345678')('A1043'))).locale).toBe('de');
    expect((await bot.receive(conversation('sms', 'sms:+815012345678')('👍'))).locale).toBe('ja');
    expect((await bot.receive(conversation('whatsapp', 'whatsapp:+5511987654321')('ok'))).locale).toBe('pt-BR');
    expect((await bot.receive(conversation('sms', 'sms:+351912345678')('1'))).locale).toBe('pt-PT');
  });

  it('takes a plausible greeting over the phone country, but not a word every language shares', async () => {
    const { bot } = testBot({ languageDetector: detector });
    expect((await bot.receive(conversation('sms', 'sms:+12125550100')('hola'))).locale).toBe('es');
    expect((await bot.receive(conversation('sms', 'sms:+33612345670')('no'))).locale).toBe('fr');
  });

  it('keeps working on hints when the language model cannot load', async () => {
    const broken: LanguageAnalyzer = {
      ...createLanguageDetector({ supported: LAUNCH_LOCALES }),
      ready: () => Promise.reject(new Error('model file missing')),
      analyze: () => ({ language: 'en', locale: 'en', confidence: 0, reliable: false }),
    };
    const { bot } = testBot({ languageDetector: broken });
    expect((await bot.receive(conversation('whatsapp', 'whatsapp:+393331234500')('Buongiorno, dov’è il mio ordine?'))).locale).toBe('it');
    expect((await bot.receive(conversation('webchat')('hello', { localeHint: 'fr-CA' }))).locale).toBe('fr-CA');
  });

  it('falls back to the default without any evidence', async () => {
    const { bot } = testBot({ languageDetector: detector, locales: { supported: LAUNCH_LOCALES, default: 'de' } });
    expect((await bot.receive(conversation('webchat')('👍'))).locale).toBe('de');
  });

  it('answers a zh-Hant customer from a zh-Hant catalog when one exists, and from zh otherwise', async () => {
    const traditional = '我的訂單還沒到，請問什麼時候會寄出？';
    const withoutHant = new Map<string, Catalog>(catalogs);
    withoutHant.delete('zh-Hant');
    const plain = testBot({ languageDetector: detector, catalogs: withoutHant });
    const fromZh = await plain.bot.receive(conversation('webchat')(traditional));
    expect(fromZh.locale).toBe('zh-Hant');
    expect(fromZh.replies[0]!.text).toContain(catalogs.get('zh')!['greeting.welcome']!);

    // The shipped zh-Hant catalog answers in Traditional Chinese.
    const hant = testBot({ languageDetector: detector });
    const fromHant = await hant.bot.receive(conversation('webchat')(traditional));
    expect(fromHant.replies[0]!.text).toContain(catalogs.get('zh-Hant')!['greeting.welcome']!);
    expect(fromHant.replies[0]!.text).not.toContain(catalogs.get('zh')!['greeting.welcome']!);
  });
});
