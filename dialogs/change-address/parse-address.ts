import type { Address } from '../../src/commerce/types.js';

/**
 * Reads a delivery address a customer typed on one or a few lines: street (and a second line), postal
 * code, city, region and country. Simple on purpose: it finds the postal code by the country's pattern,
 * takes the city next to it and the street before it, and the country from a trailing name in any
 * launch language (or the order's country when none is given). The customer confirms the result, so a
 * wrong guess is corrected by them, not shipped.
 */

const POSTAL: Readonly<Record<string, RegExp>> = {
  US: /\b\d{5}(?:-\d{4})?\b/g,
  CA: /\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b/gi,
  GB: /\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b/gi,
  IE: /\b[A-Z]\d[\dW] ?[A-Z\d]{4}\b/gi,
  NL: /\b\d{4} ?[A-Z]{2}\b/gi,
  PT: /\b\d{4}-\d{3}\b/g,
  BR: /\b\d{5}-?\d{3}\b/g,
  JP: /〒?\s*\d{3}-?\d{4}/g,
  CN: /(?<!\d)\d{6}(?!\d)/g,
  TW: /(?<!\d)\d{3}(?:\d{2,3})?(?!\d)/g,
  AT: /\b\d{4}\b/g,
  CH: /\b\d{4}\b/g,
  BE: /\b\d{4}\b/g,
  DK: /\b\d{4}\b/g,
  AU: /\b\d{4}\b/g,
};
const FIVE_DIGITS = /\b\d{5}\b/g;
const GENERIC = /\b\d{4,6}(?:-\d{3,4})?\b/g;

/** Countries written without commas, biggest unit first (prefecture/province, city, district, street). */
const EAST_ASIAN = new Set(['JP', 'CN', 'TW']);
const REGION_LAST = new Set(['US', 'CA', 'AU', 'BR', 'MX']);

const COUNTRY_LOCALES = ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh', 'zh-Hant'];
const ALIASES: Readonly<Record<string, string>> = { usa: 'US', 'u.s.a.': 'US', 'u.s.': 'US', us: 'US', uk: 'GB', england: 'GB', 'great britain': 'GB', holland: 'NL', 'méxico': 'MX', 'españa': 'ES' };

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[.\s]+$/u, '')
    .trim();
}

/** Region codes Intl names that are not countries to ship to (unions, legacy and private-use codes). */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ', 'FX', 'AN', 'CS', 'DD', 'YU', 'SU', 'TP', 'BU', 'ZR', 'NT', 'YD', 'XA', 'XB']);

let countryNames: Map<string, string> | undefined;

/** Country names in every launch language (from Intl), folded, to ISO codes. */
function countries(): Map<string, string> {
  if (countryNames) return countryNames;
  const names = new Map<string, string>();
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const locale of COUNTRY_LOCALES) {
    const display = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
    for (const a of letters) {
      for (const b of letters) {
        const code = `${a}${b}`;
        const name = display.of(code);
        if (!name || name === code || NOT_COUNTRIES.has(code)) continue;
        // First wins: FR before FX (metropolitan France) and other legacy codes with the same name.
        if (!names.has(fold(name))) names.set(fold(name), code);
      }
    }
  }
  for (const [alias, code] of Object.entries(ALIASES)) names.set(fold(alias), code);
  countryNames = names;
  return names;
}

export function countryCode(text: string): string | undefined {
  const folded = fold(text);
  if (/^[a-z]{2}$/.test(folded) && !countries().has(folded)) return undefined;
  return countries().get(folded);
}

/** The last match of a pattern in a text (house numbers come before postal codes). */
function lastMatch(pattern: RegExp, text: string): RegExpExecArray | undefined {
  let found: RegExpExecArray | undefined;
  for (const match of text.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))) found = match as RegExpExecArray;
  return found;
}

function cleanPostal(code: string, country: string): string {
  const compact = code.replace(/〒/g, '').trim().toUpperCase().replace(/\s+/g, ' ');
  if (country === 'JP' && /^\d{7}$/.test(compact)) return `${compact.slice(0, 3)}-${compact.slice(3)}`;
  if (country === 'BR' && /^\d{8}$/.test(compact)) return `${compact.slice(0, 5)}-${compact.slice(5)}`;
  return compact;
}

/** 東京都渋谷区神南1-2-3 → region 東京都, city 渋谷区, street 神南1-2-3 (and the Chinese equivalents). */
function eastAsian(text: string, country: string): Pick<Address, 'line1' | 'city' | 'region'> | undefined {
  const compact = text.replace(/^[\s,，、]+|[\s,，、]+$/g, '');
  let match: RegExpExecArray | null;
  if (country === 'JP') {
    match = /^(東京都|北海道|(?:京都|大阪)府|[^\s\d]{2,3}県)?\s*([^\s\d]+?[市区町村](?:[^\s\d]+?区)?)\s*(.+)$/u.exec(compact);
    if (!match?.[2] || !match[3]) return undefined;
    return match[1] ? { region: match[1], city: match[2], line1: match[3].trim() } : { city: match[2], line1: match[3].trim() };
  }
  if (country === 'TW') {
    match = /^([^\s\d]+?[市縣县])\s*([^\s\d]+?[區区鄉乡鎮镇市])?\s*(.+)$/u.exec(compact);
    if (!match?.[1] || !match[3]) return undefined;
    return match[2] ? { region: match[1], city: match[2], line1: match[3].trim() } : { city: match[1], line1: match[3].trim() };
  }
  match = /^([^\s\d]+?(?:省|自治区))?\s*([^\s\d]+?市)?\s*([^\s\d]+?(?:区|县|縣|區))?\s*(.+)$/u.exec(compact);
  if (!match?.[4] || (!match[2] && !match[3])) return undefined;
  const [, province, city, district, street] = match;
  const region = province ?? (district ? city : undefined);
  const town = province ? [city, district].filter(Boolean).join('') : (district ?? city);
  if (!town || !street) return undefined;
  return region ? { region, city: town, line1: street.trim() } : { city: town, line1: street.trim() };
}

/**
 * The address in a message, or undefined when no postal code, city and street can be told apart.
 * `name` is the recipient (kept from the order); `defaultCountry` is used when the text names none.
 */
export function parseAddress(text: string, name: string, defaultCountry: string): Address | undefined {
  let segments = text
    .split(/[\n;,，、]+/u)
    .map((segment) => segment.trim())
    .filter((segment) => segment.length > 0);
  if (segments.length === 0) return undefined;
  let country = defaultCountry.toUpperCase();
  const trailing = segments.length > 1 ? countryCode(segments.at(-1) as string) : undefined;
  if (trailing) {
    country = trailing;
    segments = segments.slice(0, -1);
  } else {
    // "日本 東京都…", "中国上海市…": Japanese and Chinese addresses start with the country, if any.
    for (const [folded, code] of countries()) {
      if (!EAST_ASIAN.has(code) || !/^\p{Script=Han}+$/u.test(folded)) continue;
      const first = segments[0] as string;
      if (first.startsWith(folded) && first.length > folded.length) {
        country = code;
        segments[0] = first.slice(folded.length).trim();
        break;
      }
    }
  }

  const pattern = POSTAL[country] ?? (['DE', 'FR', 'ES', 'IT', 'MX', 'FI', 'SE'].includes(country) ? FIVE_DIGITS : GENERIC);
  let index = -1;
  let match: RegExpExecArray | undefined;
  for (let i = segments.length - 1; i >= 0 && !match; i--) {
    match = lastMatch(pattern, segments[i] as string);
    if (match) index = i;
  }
  if (!match || index < 0) return undefined;
  const segment = segments[index] as string;
  const postalCode = cleanPostal(match[0], country);
  const before = segment.slice(0, match.index).trim();
  const after = segment.slice(match.index + match[0].length).trim();
  const previous = segments.slice(0, index);
  const following = segments.slice(index + 1);

  if (EAST_ASIAN.has(country)) {
    const rest = [...previous, before, after, ...following].filter(Boolean).join(' ');
    const parts = eastAsian(rest, country);
    return parts ? { name, ...parts, postalCode, country } : undefined;
  }

  let street: string[] = previous;
  let cityPart: string | undefined;
  if (after) {
    cityPart = after;
    if (before) street = [...previous, before];
  } else if (before && previous.length > 0) {
    cityPart = before;
  } else if (following.length > 0) {
    cityPart = following.shift();
  }
  if (!cityPart) return undefined;
  let city = cityPart.replace(/^[-–\s]+|[-–\s]+$/g, '');
  let region: string | undefined;
  const tail = /^(.*?)\s*(?:[-–/]\s*|\s)([A-Z]{2,3})$/u.exec(city);
  if (/^[A-Z]{2,3}$/u.test(city) && REGION_LAST.has(country) && street.length > 1) {
    region = city;
    city = street.at(-1) as string;
    street = street.slice(0, -1);
  } else if (tail?.[1] && tail[2] && REGION_LAST.has(country)) {
    city = tail[1];
    region = tail[2];
  }
  if (following.length > 0 && !region) region = following.join(', ');
  const [line1, ...line2] = street;
  if (!line1 || !city || !/\p{L}/u.test(city)) return undefined;
  return {
    name,
    line1,
    ...(line2.length > 0 ? { line2: line2.join(', ') } : {}),
    city,
    ...(region ? { region } : {}),
    postalCode,
    country,
  };
}

/** The address on a few lines, in the order the country writes it. */
export function formatAddress(address: Address, countryName: string): string {
  const street = [address.line1, address.line2].filter(Boolean).join(', ');
  if (EAST_ASIAN.has(address.country)) {
    const postal = address.country === 'JP' ? `〒${address.postalCode}` : address.postalCode;
    return [postal, `${address.region ?? ''}${address.city}${street}`, countryName].join('\n');
  }
  const town = ['US', 'CA', 'AU', 'GB'].includes(address.country)
    ? `${address.city}${address.region ? `, ${address.region}` : ''} ${address.postalCode}`
    : `${address.postalCode} ${address.city}${address.region ? ` - ${address.region}` : ''}`;
  return [street, town, countryName].join('\n');
}
