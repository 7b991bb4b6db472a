/**
 * Dates, times, money, numbers and lists in the customer's locale and time zone. Intl formatters are
 * costly to create (tens of µs each) and are cached per locale, time zone and style.
 */
import { MeridianError } from '../core/errors.js';

export type DateStyle = 'full' | 'long' | 'medium' | 'short';
export type DateInput = Date | number | string;

export interface Formatter {
  readonly locale: string;
  readonly timeZone: string;
  /** 4 Mar 2026 (medium), 04/03/2026 (short)... in the customer's time zone. */
  date(value: DateInput, style?: DateStyle): string;
  /** 08:30 / 8:30 AM. */
  time(value: DateInput): string;
  dateTime(value: DateInput, style?: DateStyle): string;
  /** €12.50, 12,50 €, ￥1,250 (currency decimals follow the currency: JPY has none). */
  money(amount: number, currency: string): string;
  number(value: number, options?: { maximumFractionDigits?: number }): string;
  /** "A, B and C"; `or` for "A, B or C". */
  list(items: readonly string[], type?: 'and' | 'or'): string;
  /** "tomorrow", "yesterday", "in 3 days", "vor 2 Tagen". */
  relativeDays(days: number): string;
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.ListFormat | Intl.RelativeTimeFormat>();

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.ListFormat | Intl.RelativeTimeFormat>(key: string, create: () => T): T {
  let found = cache.get(key) as T | undefined;
  if (!found) {
    // Bounded by locales x time zones x styles in use; the cap only guards against junk input.
    if (cache.size >= 5000) cache.clear();
    found = create();
    cache.set(key, found);
  }
  return found;
}

/** How many Intl objects are cached (for tests and diagnostics). */
export function formatCacheSize(): number {
  return cache.size;
}

function toDate(value: DateInput): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new MeridianError('invalid_request', `"${String(value)}" is not a date`);
  return date;
}

function resolveLocale(locale: string): string {
  try {
    // Unknown but well-formed tags ("xx") fall back inside Intl; malformed ones end here.
    return Intl.getCanonicalLocales(locale.replace(/_/g, '-'))[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/**
 * A formatter for one customer. `timeZone` is an IANA name (Europe/Berlin); without one, times are in UTC.
 * An unknown time zone is a clear error rather than a silently wrong hour.
 */
export function createFormatter(locale: string, timeZone = 'UTC'): Formatter {
  const tag = resolveLocale(locale);
  try {
    cached(`tz|${timeZone}`, () => new Intl.DateTimeFormat('en', { timeZone }));
  } catch (cause) {
    throw new MeridianError('invalid_request', `"${timeZone}" is not a time zone; use an IANA name such as Europe/Berlin`, { cause });
  }
  const dateFormat = (style: DateStyle) => cached(`d|${tag}|${timeZone}|${style}`, () => new Intl.DateTimeFormat(tag, { dateStyle: style, timeZone }));
  return {
    locale: tag,
    timeZone,
    date: (value, style = 'medium') => dateFormat(style).format(toDate(value)),
    time: (value) => cached(`t|${tag}|${timeZone}`, () => new Intl.DateTimeFormat(tag, { timeStyle: 'short', timeZone })).format(toDate(value)),
    dateTime: (value, style = 'medium') =>
      cached(`dt|${tag}|${timeZone}|${style}`, () => new Intl.DateTimeFormat(tag, { dateStyle: style, timeStyle: 'short', timeZone })).format(toDate(value)),
    money(amount, currency) {
      const code = currency.toUpperCase();
      if (!/^[A-Z]{3}$/.test(code)) throw new MeridianError('invalid_request', `"${currency}" is not an ISO 4217 currency code such as EUR`);
      return cached(`m|${tag}|${code}`, () => new Intl.NumberFormat(tag, { style: 'currency', currency: code })).format(amount);
    },
    number: (value, options = {}) =>
      cached(`n|${tag}|${options.maximumFractionDigits ?? ''}`, () =>
        new Intl.NumberFormat(tag, options.maximumFractionDigits === undefined ? {} : { maximumFractionDigits: options.maximumFractionDigits }),
      ).format(value),
    list: (items, type = 'and') =>
      cached(`l|${tag}|${type}`, () => new Intl.ListFormat(tag, { style: 'long', type: type === 'and' ? 'conjunction' : 'disjunction' })).format(items),
    relativeDays: (days) => cached(`r|${tag}`, () => new Intl.RelativeTimeFormat(tag, { numeric: 'auto' })).format(Math.round(days), 'day'),
  };
}
