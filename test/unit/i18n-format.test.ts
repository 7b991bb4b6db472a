import { describe, it, expect } from '@jest/globals';
import { createFormatter, formatCacheSize } from '../../src/i18n/format.js';

// Intl separates amounts and times with no-break spaces (U+00A0, U+202F); compare with plain spaces.
const plain = (text: string) => text.replace(/\s/gu, ' ');

// 23:30 UTC on 3 March is already 4 March in Tokyo and still 3 March in New York.
const LATE_EVENING_UTC = '2026-03-03T23:30:00Z';

describe('createFormatter: dates in the customer time zone', () => {
  it.each([
    ['ja', 'Asia/Tokyo', '2026/03/04'],
    ['en', 'America/New_York', 'Mar 3, 2026'],
    ['de', 'Europe/Berlin', '04.03.2026'],
    ['en', undefined, 'Mar 3, 2026'],
  ])('%s in %s', (locale, timeZone, expected) => {
    expect(createFormatter(locale, timeZone).date(LATE_EVENING_UTC)).toBe(expected);
  });

  it('formats styles, times and date-times', () => {
    const de = createFormatter('de', 'Europe/Berlin');
    expect(de.date(new Date(LATE_EVENING_UTC), 'long')).toBe('4. März 2026');
    expect(de.time(LATE_EVENING_UTC)).toBe('00:30');
    expect(plain(createFormatter('en', 'America/New_York').time(Date.parse(LATE_EVENING_UTC)))).toBe('6:30 PM');
    expect(createFormatter('zh-Hant', 'Asia/Taipei').date(LATE_EVENING_UTC, 'long')).toBe('2026年3月4日');
    expect(plain(createFormatter('es-MX', 'America/Mexico_City').dateTime(LATE_EVENING_UTC))).toBe('3 mar 2026, 5:30 p.m.');
  });

  it('refuses an unknown time zone and a non-date clearly', () => {
    expect(() => createFormatter('en', 'Mars/Olympus')).toThrow(/not a time zone/);
    expect(() => createFormatter('en').date('yesterday-ish')).toThrow(/not a date/);
  });
});

describe('createFormatter: numbers, money, lists, relative days', () => {
  it('formats money with the currency digits of each currency', () => {
    expect(plain(createFormatter('de').money(1234.5, 'EUR'))).toBe('1.234,50 €');
    expect(createFormatter('en').money(1234.5, 'usd')).toBe('$1,234.50');
    expect(createFormatter('ja').money(1250, 'JPY')).toBe('￥1,250');
    expect(plain(createFormatter('pt-BR').money(99.9, 'BRL'))).toBe('R$ 99,90');
    expect(() => createFormatter('en').money(1, 'euro')).toThrow(/ISO 4217/);
  });

  it('formats numbers and lists', () => {
    expect(createFormatter('de').number(1234567.891)).toBe('1.234.567,891');
    expect(createFormatter('en').number(2.71828, { maximumFractionDigits: 2 })).toBe('2.72');
    expect(createFormatter('en').list(['A', 'B', 'C'])).toBe('A, B, and C');
    expect(createFormatter('es').list(['A', 'B', 'C'])).toBe('A, B y C');
    expect(createFormatter('fr').list(['A', 'B', 'C'], 'or')).toBe('A, B ou C');
    expect(createFormatter('ja').list(['A', 'B', 'C'])).toBe('A、B、C');
  });

  it('says tomorrow and yesterday in words', () => {
    expect(createFormatter('en').relativeDays(1)).toBe('tomorrow');
    expect(createFormatter('en').relativeDays(-1)).toBe('yesterday');
    expect(createFormatter('en').relativeDays(3)).toBe('in 3 days');
    expect(createFormatter('de').relativeDays(2)).toBe('übermorgen');
    expect(createFormatter('fr').relativeDays(-2)).toBe('avant-hier');
    expect(createFormatter('ja').relativeDays(1)).toBe('明日');
  });

  it('falls back to English for a malformed locale', () => {
    expect(createFormatter('??').locale).toBe('en');
  });

  it('creates each Intl object once', () => {
    const first = createFormatter('it', 'Europe/Rome');
    first.date(LATE_EVENING_UTC);
    first.money(5, 'EUR');
    const size = formatCacheSize();
    for (let i = 0; i < 50; i++) {
      const again = createFormatter('it', 'Europe/Rome');
      again.date(LATE_EVENING_UTC);
      again.money(5, 'EUR');
    }
    expect(formatCacheSize()).toBe(size);
  });
});
