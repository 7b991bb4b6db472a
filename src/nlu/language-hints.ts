/**
 * Weak evidence of a customer's language that is not in the message: the phone number's country and
 * the channel's locale hint (browser language). Used only when the text itself does not tell.
 */
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** Country (ISO 3166-1) -> the locale most of its customers read. Multilingual countries without a clear majority are left out. */
const COUNTRY_LOCALE: Readonly<Record<string, string>> = {
  // English; Canada too (Quebec cannot be told from the number).
  US: 'en', CA: 'en', GB: 'en', IE: 'en', AU: 'en', NZ: 'en', ZA: 'en', SG: 'en', IN: 'en', NG: 'en', KE: 'en', GH: 'en', PH: 'en',
  GG: 'en', JE: 'en', IM: 'en', GI: 'en', MT: 'en', JM: 'en', TT: 'en', BS: 'en', BB: 'en',
  DE: 'de', AT: 'de', CH: 'de', LI: 'de',
  FR: 'fr', MC: 'fr', LU: 'fr', SN: 'fr', CI: 'fr', CM: 'fr', ML: 'fr', BF: 'fr', NE: 'fr', TG: 'fr', BJ: 'fr', GA: 'fr', CG: 'fr',
  CD: 'fr', MG: 'fr', GN: 'fr', HT: 'fr', RE: 'fr', GP: 'fr', MQ: 'fr', GF: 'fr', PF: 'fr', NC: 'fr',
  ES: 'es', MX: 'es-MX', AR: 'es', CO: 'es', CL: 'es', PE: 'es', VE: 'es', EC: 'es', GT: 'es', CU: 'es', BO: 'es', DO: 'es', HN: 'es',
  PY: 'es', SV: 'es', NI: 'es', CR: 'es', PA: 'es', UY: 'es', PR: 'es', GQ: 'es',
  IT: 'it', SM: 'it', VA: 'it',
  BR: 'pt-BR', PT: 'pt-PT', AO: 'pt-PT', MZ: 'pt-PT', CV: 'pt-PT', GW: 'pt-PT', ST: 'pt-PT', TL: 'pt-PT',
  JP: 'ja',
  CN: 'zh-Hans', TW: 'zh-Hant', HK: 'zh-Hant', MO: 'zh-Hant',
};

/** Calling codes shared by several countries, for numbers whose exact country the metadata cannot tell. */
const CALLING_CODE_LOCALE: Readonly<Record<string, string>> = { '1': 'en', '44': 'en', '39': 'it', '262': 'fr', '590': 'fr', '599': 'en' };

/**
 * Calling code -> what the code alone says: a locale, or null for "no launch language" (+82 Korea).
 * Codes whose countries read different languages (+41 Switzerland) are absent and need a full parse.
 * Parsing with libphonenumber costs ~40 µs, a third of a turn, so the table comes first.
 */
let decidedByCallingCode: Map<string, string | null> | undefined;
function decidedByCode(): Map<string, string | null> {
  if (decidedByCallingCode) return decidedByCallingCode;
  const localesOf = new Map<string, Set<string | null>>();
  for (const country of getCountries()) {
    const code = getCountryCallingCode(country);
    const locales = localesOf.get(code) ?? new Set<string | null>();
    locales.add(COUNTRY_LOCALE[country] ?? null);
    localesOf.set(code, locales);
  }
  decidedByCallingCode = new Map();
  for (const [code, locales] of localesOf) {
    const shared = CALLING_CODE_LOCALE[code];
    if (shared !== undefined) decidedByCallingCode.set(code, shared);
    else if (locales.size === 1) decidedByCallingCode.set(code, [...locales][0] ?? null);
  }
  return decidedByCallingCode;
}

/** The locale a phone number's country suggests (+49 -> de, +55 -> pt-BR, +886 -> zh-Hant), or undefined. */
export function localeFromPhone(e164: string): string | undefined {
  const compact = e164.replace(/[\s().-]/g, '');
  const digits = compact.replace(/^\+/, '');
  const decided = decidedByCode();
  // Calling codes are prefix-free, so the first length that is a code is the number's code.
  for (const length of [1, 2, 3]) {
    const code = digits.slice(0, length);
    if (!decided.has(code)) continue;
    return decided.get(code) ?? undefined;
  }
  const phone = parsePhoneNumberFromString(compact.startsWith('+') ? compact : `+${compact}`);
  if (!phone) return undefined;
  if (phone.country) return COUNTRY_LOCALE[phone.country];
  return CALLING_CODE_LOCALE[phone.countryCallingCode];
}

const PHONE_CHANNELS = new Set(['whatsapp', 'sms', 'voice']);

/** The phone country's locale for `whatsapp:`, `sms:` and `voice:` addresses; undefined for other channels. */
export function localeFromAddress(address: string): string | undefined {
  const colon = address.indexOf(':');
  if (colon <= 0 || !PHONE_CHANNELS.has(address.slice(0, colon))) return undefined;
  return localeFromPhone(address.slice(colon + 1));
}

/**
 * Regional variants whose replies differ in script or vocabulary. A hint such as the browser's "zh-TW"
 * or "pt-BR" keeps them; "en-US" or "fr-FR" become the base language.
 */
const REPLY_VARIANTS: Readonly<Record<string, string>> = {
  'zh-hant': 'zh-Hant', 'zh-tw': 'zh-Hant', 'zh-hk': 'zh-Hant', 'zh-mo': 'zh-Hant',
  'zh-hans': 'zh-Hans', 'zh-cn': 'zh-Hans', 'zh-sg': 'zh-Hans', 'zh-my': 'zh-Hans',
  'pt-br': 'pt-BR', 'pt-pt': 'pt-PT', 'pt-ao': 'pt-PT', 'pt-mz': 'pt-PT',
  'es-mx': 'es-MX', 'fr-ca': 'fr-CA',
};

/**
 * The locale to answer in for a requested one: an exact supported match, else the regional variant (when
 * its base language is supported, so the catalogs fall back to it), else the base language.
 * 'zh-TW' -> 'zh-Hant', 'pt-BR' -> 'pt-BR', 'en-US' -> 'en', 'nl' -> undefined (with en..zh supported).
 */
export function replyLocale(requested: string | null | undefined, supported: readonly string[]): string | undefined {
  if (!requested) return undefined;
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(requested.replace(/_/g, '-'))[0] ?? '';
  } catch {
    return undefined;
  }
  if (supported.includes(canonical)) return canonical;
  const parts = canonical.split('-');
  const language = parts[0] ?? '';
  // zh-Hant-TW -> zh-Hant, then zh-TW -> zh-Hant.
  const variant = REPLY_VARIANTS[parts.slice(0, 2).join('-').toLowerCase()] ?? REPLY_VARIANTS[`${language}-${parts.at(-1) ?? ''}`.toLowerCase()];
  if (variant && supported.includes(variant)) return variant;
  const supportedBase = supported.find((locale) => locale === language) ?? supported.find((locale) => locale.split('-')[0] === language);
  if (!supportedBase) return undefined;
  return variant ?? supportedBase;
}
