import { describe, expect, it } from '@jest/globals';
import { isMeridianError } from '../../src/core/errors.js';
import { deeplSourceLang, deeplTargetLang, libreTranslateLang, sameLanguage } from '../../src/translation/languages.js';
import { CURLY_SYNTAX, XML_SYNTAX, mask, unmask } from '../../src/translation/placeholders.js';
import { findProtectedSpans, type ProtectedKind } from '../../src/translation/terms.js';

function protectedParts(text: string, glossary: string[] = [], markdown = false): Array<[ProtectedKind, string]> {
  return findProtectedSpans(text, { glossary, markdown }).map((span) => [span.kind, text.slice(span.start, span.end)]);
}

describe('protected terms', () => {
  it('finds order numbers with and without #, SKUs and tracking numbers', () => {
    expect(protectedParts('Where is order A1043? And #A1044, #1045 and ORD-2024-0042.')).toEqual([
      ['order', 'A1043'],
      ['order', '#A1044'],
      ['order', '#1045'],
      ['sku', 'ORD-2024-0042'],
    ]);
    expect(protectedParts('SKU TSH-BLK-42 shipped with UPS 1Z999AA10123456784 and RR123456785DE')).toEqual([
      ['sku', 'TSH-BLK-42'],
      ['tracking', '1Z999AA10123456784'],
      ['tracking', 'RR123456785DE'],
    ]);
    expect(protectedParts('USPS 9400111899223197428490 today')).toEqual([['tracking', '9400111899223197428490']]);
  });

  it('leaves ordinary words, short codes, prices, dates and times alone', () => {
    expect(protectedParts('I paid €1,299.00 for 2 MP3 players on 12.05.2024 at 10:30, 4K TV, size 42')).toEqual([]);
  });

  it('finds URLs without the punctuation after them, and keeps balanced brackets', () => {
    expect(protectedParts('Track it here: https://shop.example.com/track?id=A1043&lang=de. Thanks!')).toEqual([
      ['url', 'https://shop.example.com/track?id=A1043&lang=de'],
    ]);
    expect(protectedParts('(see https://en.wikipedia.org/wiki/Rock_(geology)) or www.example.com/faq,')).toEqual([
      ['url', 'https://en.wikipedia.org/wiki/Rock_(geology)'],
      ['url', 'www.example.com/faq'],
    ]);
  });

  it('finds e-mail addresses and phone numbers in the forms people type', () => {
    expect(protectedParts('Mail ana.lima+shop@example.com.br or call +49 151 1234 5678, (030) 123-4567 or 0151/12345678.')).toEqual([
      ['email', 'ana.lima+shop@example.com.br'],
      ['phone', '+49 151 1234 5678'],
      ['phone', '(030) 123-4567'],
      ['phone', '0151/12345678'],
    ]);
    expect(protectedParts('我的邮箱是 wang@example.cn，电话 13800138000')).toEqual([
      ['email', 'wang@example.cn'],
      ['phone', '13800138000'],
    ]);
  });

  it('finds glossary terms case-insensitively as whole words, longest first, also next to CJK text', () => {
    expect(protectedParts('Meridian Pro and meridian help, not Meridians', ['Meridian', 'Meridian Pro'])).toEqual([
      ['glossary', 'Meridian Pro'],
      ['glossary', 'meridian'],
    ]);
    expect(protectedParts('我的Apple订单', ['Apple'])).toEqual([['glossary', 'Apple']]);
  });

  it('protects Markdown code only in Markdown, and text that already looks like a placeholder', () => {
    const text = 'Run `reset --all` then\n```\nA1043 stays\n```\nand {2}';
    expect(protectedParts(text, [], true)).toEqual([
      ['code', '`reset --all`'],
      ['code', '```\nA1043 stays\n```'],
      ['literal', '{2}'],
    ]);
    expect(protectedParts(text, [], false).map(([kind]) => kind)).toEqual(['order', 'literal']);
  });

  it('gives an e-mail inside a URL to the URL (one placeholder, nothing leaks)', () => {
    expect(protectedParts('https://shop.example.com/login?user=ana@example.com')).toEqual([['url', 'https://shop.example.com/login?user=ana@example.com']]);
  });
});

describe('placeholders', () => {
  const text = 'Order A1043 for ana@example.com: Tom & Jerry <3';
  const spans = findProtectedSpans(text);

  it('masks as XML placeholders with the rest XML-escaped, and restores', () => {
    const masked = mask(text, spans, XML_SYNTAX);
    expect(masked.masked).toBe('Order <x id="1"/> for <x id="2"/>: Tom &amp; Jerry &lt;3');
    expect(masked.values).toEqual(['A1043', 'ana@example.com']);
    expect(unmask('Bestellung <x id="1"></x> für <x id=\'2\' />: Tom &amp; Jerry &lt;3 &#x1F600;', masked, XML_SYNTAX)).toBe(
      'Bestellung A1043 für ana@example.com: Tom & Jerry <3 😀',
    );
  });

  it('masks as curly tokens and tolerates spaces an engine puts inside them', () => {
    const masked = mask(text, spans, CURLY_SYNTAX);
    expect(masked.masked).toBe('Order {1} for {2}: Tom & Jerry <3');
    expect(unmask('{ 2 } — Bestellung {1}', masked, CURLY_SYNTAX)).toBe('ana@example.com — Bestellung A1043');
  });

  it('rejects an answer that lost, repeated or invented a placeholder', () => {
    const masked = mask(text, spans, CURLY_SYNTAX);
    expect(unmask('Bestellung {1}', masked, CURLY_SYNTAX)).toBeUndefined();
    expect(unmask('Bestellung {1} {1} {2}', masked, CURLY_SYNTAX)).toBeUndefined();
    expect(unmask('Bestellung {1} {2} {3}', masked, CURLY_SYNTAX)).toBeUndefined();
    expect(unmask('Bestellung <x id="1"> {2}', mask(text, spans, XML_SYNTAX), XML_SYNTAX)).toBeUndefined();
  });

  it('marks a text of only protected terms as not worth translating', () => {
    const only = '#A1043 https://x.example.com 12';
    expect(mask(only, findProtectedSpans(only), CURLY_SYNTAX).translatable).toBe(false);
    expect(mask('Hi A1043', findProtectedSpans('Hi A1043'), CURLY_SYNTAX).translatable).toBe(true);
  });
});

describe('language codes', () => {
  it('maps Meridian locales to DeepL target variants', () => {
    expect(['en', 'en-US', 'en-GB', 'en-AU', 'pt', 'pt-BR', 'pt-PT', 'zh', 'zh-CN', 'zh-Hant', 'zh-TW', 'es', 'es-MX', 'es-ES', 'de-AT', 'ja', 'fr-CA'].map((tag) => deeplTargetLang(tag))).toEqual([
      'EN-US', 'EN-US', 'EN-GB', 'EN-GB', 'PT-BR', 'PT-BR', 'PT-PT', 'ZH-HANS', 'ZH-HANS', 'ZH-HANT', 'ZH-HANT', 'ES', 'ES-419', 'ES', 'DE', 'JA', 'FR',
    ]);
    expect(deeplTargetLang('pt', { pt: 'PT-PT' })).toBe('PT-PT');
    expect(deeplTargetLang('pt-BR', { pt: 'PT-PT' })).toBe('PT-BR');
    expect(['en-GB', 'pt-BR', 'zh-Hant', 'es-MX'].map(deeplSourceLang)).toEqual(['EN', 'PT', 'ZH', 'ES']);
  });

  it('maps to LibreTranslate codes', () => {
    expect(['zh', 'zh-Hans', 'zh-TW', 'pt-BR', 'en-GB', 'ja'].map(libreTranslateLang)).toEqual(['zh', 'zh', 'zh-Hant', 'pt', 'en', 'ja']);
  });

  it('knows when a translation would change nothing', () => {
    expect(sameLanguage('en', 'en-GB')).toBe(true);
    expect(sameLanguage('zh-Hans', 'zh-Hant')).toBe(false);
    expect(sameLanguage('zh-CN', 'zh')).toBe(true);
    expect(sameLanguage('de', 'en')).toBe(false);
  });

  it('refuses a tag that is not a language tag', () => {
    let caught: unknown;
    try {
      deeplTargetLang('not a tag');
    } catch (error) {
      caught = error;
    }
    expect(isMeridianError(caught, 'invalid_request')).toBe(true);
  });
});
