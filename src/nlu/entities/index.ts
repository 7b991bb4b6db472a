import type { CountryCode } from 'libphonenumber-js';
import { findPhoneNumbersInText } from 'libphonenumber-js/max';
import type { Entity, EntityType } from '../types.js';
import { findAmounts } from './amount.js';
import { createDateFinder } from './dates.js';
import { PhraseMatcher } from './phrase-matcher.js';
import { productMatcher, type ProductMatcher, type ProductName } from './product.js';
import { baseLang, foldText, foldWidth } from './text.js';
import {
  colorEntries, JA_KANJI_COLOR, JA_KANJI_COLOR_RE, ORDER_CONTEXT, PHONE_CONTEXT, SIZE_WORDS, TRACKING_CONTEXT, ZH_COLOR_DE, ZH_COLOR_DE_RE,
  type Color,
} from './vocab.js';

export { productMatcher, type ProductMatcher, type ProductName } from './product.js';
export { parseAmountNumber } from './amount.js';
export { COLORS, type Color } from './vocab.js';

/**
 * Entities in a customer message: order and tracking numbers, e-mail, phone, date, amount, SKU, product,
 * size and colour, with offsets into the original text.
 *
 * Overlaps: each character belongs to at most one entity, and the more specific type wins:
 * email > tracking_number > sku > order_number (shaped: A1043, #1043, 1043-55) > order_number (plain
 * digits next to an order word) > phone > amount > date > product > size > color. One exception: a
 * product mention may contain the colour and size words of its name ("the blue shirt" -> product and
 * color blue), because dialogs use the colour and size on their own.
 *
 * Cost: regexes are compiled once; chrono runs only when the text has a date word or a date-like number,
 * libphonenumber only when it has seven digits or more. measureEntityCost() reports the p50.
 */

export interface EntityExtractorOptions {
  /**
   * The shop's order number format. Default: a letter prefix (A1043, #A1043, A-1043 -> 'A1043'), #1043,
   * 1043-55, and plain 4–10 digit numbers only when an order word is near. With a custom pattern only the
   * pattern is used; a named group `id` gives the value, else the match without a leading '#', upper-cased.
   */
  orderNumberPattern?: RegExp | string;
  /** The shop's SKU format. Default: SKU-12345 and upper-case hyphenated codes like LL-SHIRT-BLU-M. */
  skuPattern?: RegExp | string;
  /** ISO code used where a symbol is ambiguous: '$' (USD, CAD, MXN…), '¥' outside ja/zh, 'pesos'. */
  defaultCurrency?: string;
  /** "Now" for relative dates (injected clock). */
  referenceDate?: () => Date;
  /** IANA zone the dates are meant in (the shop's). Default: the process's zone. */
  timeZone?: string;
  /** Phone default region per language, for numbers written without +. Overrides DEFAULT_PHONE_REGIONS. */
  phoneRegions?: Partial<Record<string, CountryCode>>;
  /** The shop's products, to find `product` mentions. */
  products?: readonly ProductName[] | ProductMatcher;
}

export interface EntityExtractor {
  /** `lang` is a language or locale ('pt-BR' also sets the phone region to BR). */
  extract(text: string, lang: string): Entity[];
}

/** Where a phone number written without + is assumed to be, per language. */
export const DEFAULT_PHONE_REGIONS: Readonly<Record<string, CountryCode>> = {
  en: 'US', es: 'ES', fr: 'FR', de: 'DE', ja: 'JP', it: 'IT', pt: 'PT', zh: 'CN', nl: 'NL', ko: 'KR',
};

const PRIORITY: Readonly<Record<EntityType, number>> = {
  email: 100, tracking_number: 90, sku: 85, order_number: 80, phone: 70, amount: 60, date: 50, product: 40, size: 30, color: 20,
};
/** Plain digits next to an order word rank just above phone numbers (the customer said "order"). */
const PLAIN_ORDER_PRIORITY = 72;

interface Candidate {
  entity: Entity;
  priority: number;
}

const EMAIL_RE = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(?![\p{L}\p{N}])/gu;

// Order numbers. The prefix excludes currency codes and "No/Nr" (which say "number" and precede plain digits).
const ORDER_PREFIXED_RE = /(?<![A-Za-z\d\-/])(#\s?)?([A-Za-z]{1,3})-?(\d{3,10})(?![A-Za-z\d]|-\d)/g;
const ORDER_HASH_RE = /(?<![A-Za-z\d\-/#])#\s?(\d{3,10})(?![A-Za-z\d])/g;
const ORDER_SUFFIXED_RE = /(?<![A-Za-z\d\-/.,])(\d{4,8})-(\d{1,3})(?![A-Za-z\d]|[-/.,]\d)/g;
const NOT_ORDER_PREFIX = new Set(['SKU', 'EUR', 'USD', 'GBP', 'JPY', 'CNY', 'CHF', 'BRL', 'RMB', 'MXN', 'CAD', 'AUD', 'NO', 'NR', 'N', 'EU', 'UK', 'US', 'TEL', 'CM', 'MM', 'KG']);
/** An isolated digit run (not part of a phone number written in groups, an amount or a code). */
const DIGITS_RE = /(?<![A-Za-zÀ-ɏ\d#+\-/])(?<!\d[ .,\-/])(\d{4,22})(?![A-Za-zÀ-ɏ\d]|[ .\-/,]\d)/g;
const GROUPED_12_RE = /(?<![\d-])(\d{4})-(\d{4})-(\d{4})(?![\d-])/g;
const YEAR_LEAD = /(?:\b(?:in|en|em|dans|im|seit|nel|del|of|since|desde|depuis|from|von|dal|da)\s*)$/;

/** Carrier number shapes that need no context. */
const TRACKING_SHAPES: readonly RegExp[] = [
  /\b1Z(?:\s?[0-9A-Z]){16}\b/gi, // UPS
  /\b9[2-5](?:\s?\d){20}\b/g, // USPS
  // UPU S10 (Royal Mail AB123456789GB, China Post/EMS …CN, Correos …ES, CTT …PT, Correios …BR); spaced only in capitals.
  /\b[A-Z]{2}\d{9}[A-Z]{2}\b/gi,
  /\b[A-Z]{2} ?\d{3} ?\d{3} ?\d{3} ?[A-Z]{2}\b/g,
  /\bJJD\d{10,20}\b/gi, // DHL Paket
  /\bJVGL\d{8,20}\b/gi, // DHL Global Forwarding
  /\bGM\d{16,22}\b/gi, // DHL eCommerce
  /\bSF\s?\d{12,15}\b/gi, // SF Express
  /\b(?:YT|JT|ZT)\d{12,16}\b/gi, // YTO, J&T, ZTO
  /\bTBA\d{12}\b/gi, // Amazon Logistics
];
/** Correos national codes (PQ…): letters and digits, so at least ten digits are required. */
const CORREOS_RE = /\bP[QKX][0-9A-Z]{19,22}\b/gi;

const SKU_DEFAULT: readonly RegExp[] = [/(?<![A-Za-z\d])SKU[\s:#-]*([A-Z0-9]+(?:-[A-Z0-9]+)*)\b/gi, /(?<![A-Za-z\d-])[A-Z]{2,5}(?:-[A-Z0-9]{1,10}){2,5}(?![A-Za-z\d-])/g];

// Sizes, on folded text (lower case, no accents).
const SIZE_KW = String.raw`(?:(?<!\p{L})(?:size|sizes|talla|tallas|taille|pointure|große|grosse|groesse|gr\.|taglia|misura|tamanho|numero|fais du|fait du|calzo|calco)|サイズ|尺码|尺碼|码数|碼數|鞋码|鞋碼)`;
const SIZE_LETTER = String.raw`(?:xxxs|xxs|xs|xxxl|xxl|xl|[2-6]xl|s|m|l)`;
const SIZE_WORD = Object.keys(SIZE_WORDS).sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
const SIZE_AFTER_KW_RE = new RegExp(
  String.raw`${SIZE_KW}\s*(?:[:=]|(?:is|es|est|ist|e|era|was|de|en|in|em)(?!\p{L}))?\s*(?:(eu|uk|us|fr|it|jp)\s?)?(?:(${SIZE_LETTER})(?![a-z\d])|(\d{1,3}(?:[.,]5)?)(?![\d.,]\d)|(${SIZE_WORD})(?!\p{L}))`,
  'gu',
);
const SIZE_BEFORE_UNIT_RE = new RegExp(String.raw`(?<![a-z\d月])(${SIZE_LETTER}|\d{2,3}(?:[.,]5)?)\s?(サイズ|码|碼|号|號)`, 'gu');
const SIZE_BARE_RE = /(?<![a-z\d-])(xxxs|xxs|xs|xxxl|xxl|xl|[2-6]xl)(?![a-z\d-])/g;
const SIZE_ALONE_RE = /^\s*(xxxs|xxs|xs|s|m|l|xl|xxl|xxxl|[2-6]xl)\s*[.!]?\s*$/u;
const SIZE_REGION_RE = /(?<![A-Za-z])(EU|UK|US)\s?(\d{1,2}(?:[.,]5)?)(?![\d.,]\d)/g;
const SIZE_AGE_RE = /(?<![a-z\d])(\d{1,2})\s?(?:-|–|\/|a|à|bis|to)\s?(\d{1,2})\s?(years?|yrs?|y|anos|ans|jahre|anni|歳|岁|歲)(?![a-z])/gu;
const SIZE_MONTHS_RE = /(?<![a-z\d])(\d{1,2})\s?(?:-|–|\/|a|à|bis|to)\s?(\d{1,2})\s?(months?|m|meses|mois|monate|mesi|ヶ月|か月|个月|個月)(?![a-z])/gu;
/** Japanese shoe sizes in centimetres: 25.5cmの靴. */
const SIZE_CM_SHOE_RE = /(?<![\d.])(2\d(?:\.[05])?)\s?cm(?=\s?の?(?:靴|くつ|シューズ|スニーカー|ブーツ|パンプス|サンダル|鞋))/g;
const SIZE_TODDLER_RE = /(?<![a-z\d])(\d{1,2})t(?![a-z\d])/g;

function letterSize(raw: string): string {
  const upper = raw.toUpperCase();
  const multi = /^([2-6])X(L?)$/.exec(upper);
  if (multi) return multi[1] === '2' ? 'XXL' : multi[1] === '3' ? 'XXXL' : `${multi[1]}XL`;
  return upper;
}

function toGlobal(pattern: RegExp | string): RegExp {
  if (typeof pattern === 'string') return new RegExp(pattern, 'gu');
  return pattern.global ? new RegExp(pattern.source, pattern.flags) : new RegExp(pattern.source, `${pattern.flags}g`);
}

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) re.lastIndex++;
    yield m;
  }
}

function positions(re: RegExp, folded: string): number[] {
  const out: number[] = [];
  for (const m of matches(re, folded)) out.push(m.index);
  return out;
}

/** Characters between the span and the nearest context word within the window, or Infinity. */
function distance(points: readonly number[], start: number, end: number, before = 80, after = 40): number {
  let best = Infinity;
  for (const p of points) {
    if (p < start && start - p <= before) best = Math.min(best, start - p);
    else if (p >= end && p - end <= after) best = Math.min(best, p - end + 1);
  }
  return best;
}

const globalRe = (re: RegExp) => new RegExp(re.source, `${re.flags.replace('g', '')}g`);
const ORDER_CONTEXT_G = globalRe(ORDER_CONTEXT);
const TRACKING_CONTEXT_G = globalRe(TRACKING_CONTEXT);
const PHONE_CONTEXT_G = globalRe(PHONE_CONTEXT);
/** Digit runs that could be a phone number (7+ digits); libphonenumber runs on these slices only. */
const PHONE_SPAN_RE = /\+?\(?\d[\d\s().\-/]{5,24}\d/g;
const DATE_SHAPE = /^\d{1,2}[./]\d{1,2}[./]\d{2,4}$/;

export function createEntityExtractor(options: EntityExtractorOptions = {}): EntityExtractor {
  const customOrder = options.orderNumberPattern === undefined ? undefined : toGlobal(options.orderNumberPattern);
  const skuPatterns = options.skuPattern === undefined ? SKU_DEFAULT : [toGlobal(options.skuPattern)];
  const findDates = createDateFinder({ referenceDate: options.referenceDate, timeZone: options.timeZone });
  const products = options.products === undefined ? undefined : isProductList(options.products) ? productMatcher(options.products) : options.products;
  const colorMatchers = new Map<string, PhraseMatcher<Color>>();
  const colorMatcher = (lang: string) => {
    let matcher = colorMatchers.get(lang);
    if (!matcher) {
      matcher = new PhraseMatcher(colorEntries(lang));
      colorMatchers.set(lang, matcher);
    }
    return matcher;
  };

  function extract(text: string, locale: string): Entity[] {
    const lang = baseLang(locale);
    const wide = foldWidth(text);
    const folded = foldText(text);
    const out: Candidate[] = [];
    const add = (type: EntityType, start: number, end: number, value: Entity['value'], priority = PRIORITY[type]) =>
      out.push({ entity: { type, text: text.slice(start, end), value, start, end }, priority });

    if (wide.includes('@')) for (const m of matches(EMAIL_RE, wide)) {
      const at = m[0].lastIndexOf('@');
      add('email', m.index, m.index + m[0].length, `${m[0].slice(0, at)}@${m[0].slice(at + 1).toLowerCase()}`);
    }

    for (const re of skuPatterns) for (const m of matches(re, wide)) {
      const value = re === SKU_DEFAULT[0] ? `SKU-${m[1]!.toUpperCase()}` : (m.groups?.['id'] ?? m[0]).toUpperCase();
      add('sku', m.index, m.index + m[0].length, value);
    }

    if (customOrder) for (const m of matches(customOrder, wide)) {
      const value = (m.groups?.['id'] ?? m[0].replace(/^#\s*/, '')).toUpperCase();
      add('order_number', m.index, m.index + m[0].length, value);
    }

    const hasDigit = /\d/.test(wide);
    if (hasDigit) {
      for (const re of TRACKING_SHAPES) for (const m of matches(re, wide)) {
        add('tracking_number', m.index, m.index + m[0].length, m[0].replace(/\s+/g, '').toUpperCase());
      }
      for (const m of matches(CORREOS_RE, wide)) {
        if ((m[0].match(/\d/g)?.length ?? 0) >= 10) add('tracking_number', m.index, m.index + m[0].length, m[0].toUpperCase());
      }

      const orderAt = positions(ORDER_CONTEXT_G, folded);
      if (!customOrder) {
        for (const m of matches(ORDER_PREFIXED_RE, wide)) {
          const prefix = m[2]!;
          if (NOT_ORDER_PREFIX.has(prefix.toUpperCase())) continue;
          // Lower-case prefixes are common words more often than order numbers, unless the customer says so.
          if (prefix !== prefix.toUpperCase() && !m[1] && distance(orderAt, m.index, m.index + m[0].length) === Infinity) continue;
          add('order_number', m.index, m.index + m[0].length, `${prefix.toUpperCase()}${m[3]}`);
        }
        for (const m of matches(ORDER_HASH_RE, wide)) add('order_number', m.index, m.index + m[0].length, m[1]!);
        for (const m of matches(ORDER_SUFFIXED_RE, wide)) {
          // 2026-03 is a year and a month.
          if (/^(?:19|20)\d\d$/.test(m[1]!) && Number(m[2]) >= 1 && Number(m[2]) <= 12 && m[2]!.length === 2) continue;
          add('order_number', m.index, m.index + m[0].length, `${m[1]}-${m[2]}`);
        }
      }

      const amounts = findAmounts(wide, folded, lang, options.defaultCurrency);
      for (const a of amounts) add('amount', a.start, a.end, a.value);

      const trackAt = positions(TRACKING_CONTEXT_G, folded);
      const phoneAt = positions(PHONE_CONTEXT_G, folded);
      for (const m of matches(DIGITS_RE, wide)) {
        const digits = m[1]!;
        const start = m.index;
        const end = start + digits.length;
        const n = digits.length;
        if (amounts.some((a) => a.start <= start && a.end >= end)) continue; // 3000円 is money, not an order
        const order = distance(orderAt, start, end);
        const track = distance(trackAt, start, end);
        const phone = distance(phoneAt, start, end);
        if (!customOrder && n <= 10 && order < track && order < phone) {
          const isYear = n === 4 && /^(?:19|20)\d\d$/.test(digits) && (YEAR_LEAD.test(folded.slice(Math.max(0, start - 10), start)) || wide[end] === '年');
          if (!isYear) add('order_number', start, end, digits, PLAIN_ORDER_PRIORITY);
        } else if (n >= 10 && track < Infinity && track <= order) {
          add('tracking_number', start, end, digits); // DHL Express (10), FedEx (12, 15, 20, 22), Chinese carriers
        } else if (n === 12 && lang === 'ja' && phone === Infinity) {
          add('tracking_number', start, end, digits); // Japan Post, Yamato and Sagawa print 12 digits
        }
      }
      for (const m of matches(GROUPED_12_RE, wide)) {
        if (lang === 'ja' || distance(trackAt, m.index, m.index + m[0].length) < Infinity) {
          add('tracking_number', m.index, m.index + m[0].length, `${m[1]}${m[2]}${m[3]}`);
        }
      }

      const region = phoneRegion(locale, lang, options.phoneRegions);
      for (const span of matches(PHONE_SPAN_RE, wide)) {
        if ((span[0].match(/\d/g)?.length ?? 0) < 7) continue;
        for (const found of findPhoneNumbersInText(span[0], { defaultCountry: region })) {
          const start = span.index + found.startsAt;
          const end = span.index + found.endsAt;
          // 03.03.2026 can pass as a Berlin landline.
          if (DATE_SHAPE.test(wide.slice(start, end))) continue;
          add('phone', start, end, found.number.number);
        }
      }

      findSizesWithDigits(folded, add);
    }

    // chrono reads "12345 am 3. März" as one date: hide what is already known to be something else.
    let datesText = wide;
    let datesFolded = folded;
    for (const c of out) {
      if (c.priority < PRIORITY.amount) continue;
      const blank = ' '.repeat(c.entity.end - c.entity.start);
      datesText = datesText.slice(0, c.entity.start) + blank + datesText.slice(c.entity.end);
      datesFolded = datesFolded.slice(0, c.entity.start) + blank + datesFolded.slice(c.entity.end);
    }
    for (const d of findDates(datesText, datesFolded, lang)) add('date', d.start, d.end, d.value);
    findSizes(folded, wide, add);
    for (const hit of colorMatcher(lang).findAll(folded)) add('color', hit.start, hit.end, hit.data);
    if (lang === 'ja') for (const m of matches(JA_KANJI_COLOR_RE, text)) add('color', m.index, m.index + 1, JA_KANJI_COLOR[m[1]!]!);
    if (lang === 'zh') for (const m of matches(ZH_COLOR_DE_RE, text)) add('color', m.index, m.index + 1, ZH_COLOR_DE[m[1]!]!);
    if (products) for (const entity of products.findFolded(text, folded)) out.push({ entity, priority: PRIORITY.product });

    return resolve(out);
  }

  return { extract };
}

type Add = (type: EntityType, start: number, end: number, value: Entity['value']) => void;

function findSizesWithDigits(folded: string, add: Add): void {
  for (const m of matches(SIZE_AGE_RE, folded)) add('size', m.index, m.index + m[0].length, `${m[1]}-${m[2]}Y`);
  for (const m of matches(SIZE_MONTHS_RE, folded)) add('size', m.index, m.index + m[0].length, `${m[1]}-${m[2]}M`);
  for (const m of matches(SIZE_TODDLER_RE, folded)) add('size', m.index, m.index + m[0].length, `${m[1]}T`);
  for (const m of matches(SIZE_CM_SHOE_RE, folded)) add('size', m.index, m.index + m[0].length, m[1]!);
}

function findSizes(folded: string, wide: string, add: Add): void {
  for (const m of matches(SIZE_BEFORE_UNIT_RE, folded)) {
    const raw = m[1]!;
    if (/^\d/.test(raw)) {
      const n = Number(raw.replace(',', '.'));
      // 号 is also "day of the month" in Chinese: 5号 is the fifth; shoe sizes are 33–50.
      if ((m[2] === '号' || m[2] === '號') && (n < 33 || n > 50)) continue;
      add('size', m.index, m.index + raw.length, raw.replace(',', '.'));
    } else {
      add('size', m.index, m.index + raw.length, letterSize(raw));
    }
  }
  for (const m of matches(SIZE_AFTER_KW_RE, folded)) {
    const [whole, region, letter, number, word] = m;
    const valueText = letter ?? number ?? word!;
    const start = m.index + whole.length - valueText.length;
    const end = m.index + whole.length;
    if (letter) add('size', start, end, letterSize(letter));
    else if (word) add('size', start, end, SIZE_WORDS[word] ?? word.toUpperCase());
    else if (number) {
      // "numero" is also "number": only shoe-like sizes count after it.
      if (/numero\s*$/.test(folded.slice(m.index, start)) && !/^\d{2}(?:[.,]5)?$/.test(number)) continue;
      const value = number.replace(',', '.');
      const regionStart = region ? m.index + whole.lastIndexOf(region, whole.length - valueText.length) : start;
      add('size', regionStart, end, region === 'uk' || region === 'us' ? `${region.toUpperCase()} ${value}` : value);
    }
  }
  for (const m of matches(SIZE_REGION_RE, wide)) {
    const value = m[2]!.replace(',', '.');
    add('size', m.index, m.index + m[0].length, m[1] === 'EU' ? value : `${m[1]} ${value}`);
  }
  for (const m of matches(SIZE_BARE_RE, folded)) add('size', m.index, m.index + m[0].length, letterSize(m[1]!));
  const alone = SIZE_ALONE_RE.exec(folded);
  if (alone) {
    const start = folded.indexOf(alone[1]!);
    add('size', start, start + alone[1]!.length, letterSize(alone[1]!));
  }
}

function phoneRegion(locale: string, lang: string, overrides: Partial<Record<string, CountryCode>> | undefined): CountryCode | undefined {
  const region = /^[a-z]{2,3}[-_]([A-Za-z]{2})$/.exec(locale)?.[1]?.toUpperCase();
  return overrides?.[locale] ?? (region as CountryCode | undefined) ?? overrides?.[lang] ?? DEFAULT_PHONE_REGIONS[lang];
}

function isProductList(products: readonly ProductName[] | ProductMatcher): products is readonly ProductName[] {
  return Array.isArray(products);
}

const ATTRIBUTE = new Set<EntityType>(['color', 'size']);

/** Keeps the most specific entity where spans overlap (see the module comment), then sorts by position. */
function resolve(candidates: Candidate[]): Entity[] {
  candidates.sort((a, b) => b.priority - a.priority || (b.entity.end - b.entity.start) - (a.entity.end - a.entity.start) || a.entity.start - b.entity.start);
  const kept: Entity[] = [];
  for (const { entity } of candidates) {
    const clash = kept.some((other) => {
      if (entity.start >= other.end || other.start >= entity.end) return false;
      // A product may contain its colour and size words.
      const nested = (outer: Entity, inner: Entity) => outer.type === 'product' && ATTRIBUTE.has(inner.type) && inner.start >= outer.start && inner.end <= outer.end;
      return !(nested(other, entity) || nested(entity, other));
    });
    if (!clash) kept.push(entity);
  }
  return kept.sort((a, b) => a.start - b.start || (b.end - b.start) - (a.end - a.start));
}

export interface CostSample {
  text: string;
  lang: string;
}

/**
 * Micro-benchmark for the bench script: the p50 cost of one extract() call in microseconds, over
 * `rounds` passes through the samples after a warm-up pass.
 */
export function measureEntityCost(samples: readonly CostSample[], options: { extractor?: EntityExtractor; rounds?: number } = {}): number {
  if (samples.length === 0) return 0;
  const extractor = options.extractor ?? createEntityExtractor({ referenceDate: () => new Date('2026-03-10T12:00:00Z'), timeZone: 'UTC' });
  const rounds = options.rounds ?? 20;
  for (const sample of samples) extractor.extract(sample.text, sample.lang);
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const sample of samples) {
      const started = process.hrtime.bigint();
      extractor.extract(sample.text, sample.lang);
      times.push(Number(process.hrtime.bigint() - started) / 1000);
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
