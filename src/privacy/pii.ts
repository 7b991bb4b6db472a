import { findPhoneNumbersInText, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import {
  cardScheme, chineseIdValid, codiceFiscaleValid, cpfValid, frenchNirValid, germanTaxIdValid, IBAN_LENGTHS, ibanValid, luhnValid,
  myNumberValid, portugueseNifValid, spanishIdValid, ssnShapeValid,
} from './checksums.js';

/**
 * Personal data in free text, in every launch language. Precision comes first: every span either passes
 * a check digit (cards, IBANs, most national ids), is validated by libphonenumber's metadata (phones),
 * or needs a keyword next to it (ids whose digits alone are too common, such as a 9-digit Portuguese NIF).
 * Order numbers (A1043), tracking numbers, amounts, dates and SKUs are not flagged.
 *
 * Offsets are UTF-16 indexes into the text as given; full-width digits and @ (０９０－…, ＠) are read as
 * ASCII, without changing any offset.
 */

export type PiiType = 'email' | 'phone' | 'card' | 'iban' | 'national_id' | 'address' | 'ip';

export const PII_TYPES: readonly PiiType[] = ['email', 'phone', 'card', 'iban', 'national_id', 'address', 'ip'];

export interface PiiSpan {
  type: PiiType;
  /** Start offset in the text (UTF-16 units). */
  start: number;
  /** End offset, exclusive. */
  end: number;
  /** The matched text as written. */
  text: string;
  /** 0–1: check-digit matches ~0.95, phones 0.75–0.95, heuristic addresses 0.6–0.7. */
  confidence: number;
  /** The rule that matched (`visa`, `es_dni`, `de_iban`…); never part of the value. */
  kind: string;
}

export interface DetectPiiOptions {
  /** Only these types (default: all). */
  types?: readonly PiiType[];
  /** Drop spans below this confidence (default 0: keep all). */
  minConfidence?: number;
  /**
   * Regions assumed for phone numbers written without a country code. Default: from the locale's region
   * (pt-BR -> BR), else the language's usual ones (pt -> PT, BR), else, with no language, all launch regions.
   */
  phoneRegions?: readonly CountryCode[];
}

interface Candidate extends PiiSpan {
  priority: number;
}

/** When spans overlap, the more specific detector wins. */
const PRIORITY: Readonly<Record<PiiType, number>> = { email: 100, iban: 95, card: 90, national_id: 85, ip: 80, phone: 70, address: 50 };

/** Phone regions per language; the first is the one most customers of that language write from. */
const LANGUAGE_REGIONS: Readonly<Record<string, readonly CountryCode[]>> = {
  en: ['US', 'GB'], es: ['ES', 'MX'], fr: ['FR'], de: ['DE'], ja: ['JP'], it: ['IT'], pt: ['PT', 'BR'], zh: ['CN'],
};
const LAUNCH_REGIONS: readonly CountryCode[] = ['US', 'GB', 'ES', 'MX', 'FR', 'DE', 'JP', 'IT', 'PT', 'BR', 'CN'];
/**
 * Regions whose national format always starts with the trunk prefix 0 (0151 …, 06 …, 090-…). Without it a
 * digit run there is an order number or a date read as a number (libphonenumber accepts "20260303" in DE).
 */
const TRUNK_ZERO_REGIONS = new Set<CountryCode>(['DE', 'FR', 'JP', 'GB', 'AT', 'CH', 'NL', 'BE', 'TW', 'KR']);

/** The default phone regions for a language or locale ('pt-BR' -> BR, 'pt' -> PT, BR, 'zh-Hant' -> TW). */
export function phoneRegionsFor(lang: string | undefined): readonly CountryCode[] {
  if (lang === undefined || lang === '') return LAUNCH_REGIONS;
  const [base = '', ...rest] = lang.split(/[-_]/);
  const region = rest.find((part) => part.length === 2)?.toUpperCase();
  if (region !== undefined && isSupportedCountry(region)) return [region];
  // Traditional script without a region is how the zh-Hant catalogs are chosen: Taiwan.
  if (base.toLowerCase() === 'zh' && rest.some((part) => part.toLowerCase() === 'hant')) return ['TW'];
  return LANGUAGE_REGIONS[base.toLowerCase()] ?? LAUNCH_REGIONS;
}

/**
 * Personal data in `text`, as non-overlapping spans sorted by start (where two detectors claim the same
 * characters, the more specific wins: email > iban > card > national_id > ip > phone > address).
 * `lang` is a language or locale ('es', 'pt-BR'); it picks the phone regions and lets a bare 11-digit
 * CPF count in Portuguese. Without it every launch region is tried (what logs need).
 */
export function detectPii(text: string, lang?: string, options: DetectPiiOptions = {}): PiiSpan[] {
  if (text.length === 0) return [];
  const wide = foldWidth(text);
  const hasAt = wide.includes('@');
  const hasDigit = /\d/.test(wide);
  // Nearly every log line and most messages end here: every detector needs a digit or an @.
  if (!hasAt && !hasDigit) return [];
  const lower = lowerSameLength(wide);
  const wanted = (type: PiiType) => options.types === undefined || options.types.includes(type);
  const out: Candidate[] = [];
  const add = (type: PiiType, start: number, end: number, confidence: number, kind: string) =>
    out.push({ type, start, end, text: text.slice(start, end), confidence, kind, priority: PRIORITY[type] });

  if (hasAt && wanted('email')) findEmails(wide, add);
  if (hasDigit) {
    if (wanted('iban')) findIbans(wide, add);
    if (wanted('card')) findCards(wide, add);
    if (wanted('national_id')) findNationalIds(wide, lower, lang, add);
    if (wanted('ip')) findIps(wide, add);
    if (wanted('phone')) findPhones(wide, lower, options.phoneRegions ?? phoneRegionsFor(lang), add);
    if (wanted('address')) findAddresses(wide, add);
  }
  const min = options.minConfidence ?? 0;
  return resolveOverlaps(out.filter((span) => span.confidence >= min));
}

/** Whether the text holds a payment card number (Luhn-valid, known scheme), so the bot can warn the customer. */
export function containsCardNumber(text: string): boolean {
  return detectPii(text, undefined, { types: ['card'] }).length > 0;
}

type Add = (type: PiiType, start: number, end: number, confidence: number, kind: string) => void;

function resolveOverlaps(candidates: Candidate[]): PiiSpan[] {
  candidates.sort((a, b) => b.priority - a.priority || b.confidence - a.confidence || (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const kept: Candidate[] = [];
  for (const candidate of candidates) {
    if (kept.some((span) => candidate.start < span.end && span.start < candidate.end)) continue;
    kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start).map(({ priority: _priority, ...span }) => span);
}

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) re.lastIndex++;
    yield m;
  }
}

// --- e-mail -------------------------------------------------------------------------------------------

/**
 * Latin letters (accents and IDN domains included) and digits only: in Japanese or Chinese text the
 * address runs straight into the words around it (メールはtaro@example.jpです).
 */
const EMAIL_RE = /(?<![\p{sc=Latin}\p{N}._%+-])[\p{sc=Latin}\p{N}_%+-][\p{sc=Latin}\p{N}._%+-]*@[\p{sc=Latin}\p{N}](?:[\p{sc=Latin}\p{N}-]*[\p{sc=Latin}\p{N}])?(?:\.[\p{sc=Latin}\p{N}](?:[\p{sc=Latin}\p{N}-]*[\p{sc=Latin}\p{N}])?)*\.\p{sc=Latin}{2,}(?![\p{sc=Latin}\p{N}])/gu;

function findEmails(text: string, add: Add): void {
  for (const m of matches(EMAIL_RE, text)) add('email', m.index, m.index + m[0].length, 0.99, 'email');
}

// --- IBAN ---------------------------------------------------------------------------------------------

const IBAN_START_RE = /(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})/g;

/** Country code and check digits, then exactly as many characters as that country's IBAN has, single spaces allowed. */
function findIbans(text: string, add: Add): void {
  for (const m of matches(IBAN_START_RE, text)) {
    const country = m[1]!.toUpperCase();
    const length = IBAN_LENGTHS[country];
    if (length === undefined) continue;
    let compact = country + m[2]!;
    let pos = m.index + m[0].length;
    while (compact.length < length && pos < text.length) {
      const ch = text[pos]!;
      if (isAlnum(ch)) {
        compact += ch.toUpperCase();
        pos++;
      } else if (ch === ' ' && isAlnum(text[pos + 1])) {
        pos++;
      } else break;
    }
    if (compact.length !== length || isAlnum(text[pos])) continue;
    if (ibanValid(compact)) add('iban', m.index, pos, 0.97, `${country.toLowerCase()}_iban`);
  }
}

function isAlnum(ch: string | undefined): boolean {
  return ch !== undefined && /^[A-Za-z0-9]$/.test(ch);
}

// --- payment cards ------------------------------------------------------------------------------------

/**
 * 16-19 digits written plain, in groups of four (4-4-4-4, 4-4-4-4-3) or in the Amex/Diners 4-6-5 and
 * 4-6-4 layouts, with one kind of separator. Not preceded or followed by more digits in the same run,
 * so a 22-digit tracking number never yields a card from its middle.
 */
const CARD_RES: readonly RegExp[] = [
  /(?<![A-Za-z0-9]|\d[ .-])\d{14,19}(?![A-Za-z0-9]|[ .-]\d)/g,
  /(?<![A-Za-z0-9]|\d[ .-])\d{4}([ .-])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?(?![A-Za-z0-9]|[ .-]\d)/g,
  /(?<![A-Za-z0-9]|\d[ .-])\d{4}([ .-])\d{6}\1\d{4,5}(?![A-Za-z0-9]|[ .-]\d)/g,
];

function findCards(text: string, add: Add): void {
  for (const re of CARD_RES) {
    for (const m of matches(re, text)) {
      const digits = m[0].replace(/\D/g, '');
      const scheme = cardScheme(digits);
      if (scheme !== undefined && luhnValid(digits)) add('card', m.index, m.index + m[0].length, 0.97, scheme);
    }
  }
}

// --- national ids -------------------------------------------------------------------------------------

interface IdRule {
  kind: string;
  re: RegExp;
  /** The compact value to check, from the match. */
  compact: (m: RegExpExecArray) => string;
  valid: (compact: string) => boolean;
  /** Confidence without and with a keyword nearby; undefined = not flagged without the keyword. */
  confidence: (m: RegExpExecArray, context: boolean, lang: string) => number | undefined;
  context?: RegExp;
}

const digitsOf = (m: RegExpExecArray) => m[0].replace(/[^0-9A-Za-z]/g, '');

/** Words that name each id, looked for just before or after the number (lower-cased text). */
const ID_CONTEXT = {
  pt_nif: /\b(?:nif|nipc|contribuinte|n\.?º? fiscal|número fiscal|numero fiscal|tax id|tax number|vat)\b/,
  br_cpf: /\bcpf\b/,
  de_taxid: /(?:steuer-?id|steueridentifikationsnummer|identifikationsnummer|steuer-?nummer|\bidnr\b|\btax id\b|\btin\b)/,
  jp_mynumber: /(?:マイナンバー|個人番号|\bmy ?number\b)/,
  us_ssn: /\b(?:ssn|social security)\b/,
};

const ID_RULES: readonly IdRule[] = [
  {
    kind: 'es_dni',
    re: /(?<![A-Za-z0-9])\d{8}[ -]?[A-Za-z](?![A-Za-z0-9])/g,
    compact: digitsOf,
    valid: spanishIdValid,
    confidence: () => 0.95,
  },
  {
    kind: 'es_nie',
    re: /(?<![A-Za-z0-9])[XYZxyz][ -]?\d{7}[ -]?[A-Za-z](?![A-Za-z0-9])/g,
    compact: digitsOf,
    valid: spanishIdValid,
    confidence: () => 0.95,
  },
  {
    kind: 'it_codice_fiscale',
    re: /(?<![A-Za-z0-9])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?![A-Za-z0-9])/g,
    compact: (m) => m[0],
    // The check letter settles it; without it, only the plain-digit shape (no omocodia letters) counts.
    valid: (code) => codiceFiscaleValid(code) || /^[A-Za-z]{6}\d{2}[ABCDEHLMPRSTabcdehlmprst]\d{2}[A-Za-z]\d{3}[A-Za-z]$/.test(code),
    confidence: (m) => (codiceFiscaleValid(m[0]) ? 0.95 : 0.7),
  },
  {
    kind: 'pt_nif',
    re: /(?<![A-Za-z0-9]|\d[ .-])\d{3}[ .]?\d{3}[ .]?\d{3}(?![A-Za-z0-9]|[ .-]\d)/g,
    compact: digitsOf,
    valid: portugueseNifValid,
    // One check digit in eleven: a bare 9-digit number is an order or a phone as often as a NIF.
    confidence: (_m, context) => (context ? 0.9 : undefined),
    context: ID_CONTEXT.pt_nif,
  },
  {
    kind: 'br_cpf',
    re: /(?<![A-Za-z0-9]|\d[ .-])\d{3}\.?\d{3}\.?\d{3}[-.\s]?\d{2}(?![A-Za-z0-9]|[ .-]\d)/g,
    compact: digitsOf,
    valid: cpfValid,
    // Two check digits: the 123.456.789-09 layout or a Portuguese-speaking customer is enough.
    confidence: (m, context, lang) =>
      context ? 0.95 : /^\d{3}\.\d{3}\.\d{3}-\d{2}$/.test(m[0]) ? 0.9 : lang === 'pt' && /^\d{11}$/.test(m[0]) ? 0.75 : undefined,
    context: ID_CONTEXT.br_cpf,
  },
  {
    kind: 'de_tax_id',
    re: /(?<![A-Za-z0-9]|\d[ .-])(?:\d{2} \d{3} \d{3} \d{3}|\d{11})(?![A-Za-z0-9]|[ .-]\d)/g,
    compact: digitsOf,
    valid: germanTaxIdValid,
    confidence: (m, context) => (context ? 0.9 : m[0].includes(' ') ? 0.8 : undefined),
    context: ID_CONTEXT.de_taxid,
  },
  {
    kind: 'fr_nir',
    re: /(?<![A-Za-z0-9]|\d[ .-])[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}(?![A-Za-z0-9]|[ .-]\d)/g,
    compact: digitsOf,
    valid: frenchNirValid,
    confidence: () => 0.92,
  },
  {
    kind: 'cn_resident_id',
    re: /(?<![A-Za-z0-9])\d{17}[\dXx](?![A-Za-z0-9])/g,
    compact: (m) => m[0],
    valid: chineseIdValid,
    confidence: () => 0.95,
  },
  {
    kind: 'jp_my_number',
    re: /(?<![A-Za-z0-9]|\d[ .-])\d{4}([ -]?)\d{4}\1\d{4}(?![A-Za-z0-9]|[ .-]\d)/g,
    compact: digitsOf,
    valid: myNumberValid,
    // 12 digits is also a Yamato or Sagawa tracking number: only with マイナンバー/個人番号 nearby.
    confidence: (_m, context) => (context ? 0.9 : undefined),
    context: ID_CONTEXT.jp_mynumber,
  },
  {
    kind: 'us_ssn',
    re: /(?<![A-Za-z0-9]|\d[ .-])\d{3}([ -]?)\d{2}\1\d{4}(?![A-Za-z0-9]|[ .-]\d)/g,
    compact: digitsOf,
    valid: ssnShapeValid,
    confidence: (m, context) => (context ? 0.9 : /^\d{3}-\d{2}-\d{4}$/.test(m[0]) ? 0.8 : undefined),
    context: ID_CONTEXT.us_ssn,
  },
];

function findNationalIds(text: string, lower: string, lang: string | undefined, add: Add): void {
  const base = (lang ?? '').split(/[-_]/)[0]!.toLowerCase();
  for (const rule of ID_RULES) {
    for (const m of matches(rule.re, text)) {
      if (!rule.valid(rule.compact(m))) continue;
      const end = m.index + m[0].length;
      const context = rule.context !== undefined && near(lower, m.index, end, rule.context);
      const confidence = rule.confidence(m, context, base);
      if (confidence !== undefined) add('national_id', m.index, end, confidence, rule.kind);
    }
  }
}

/** Whether `re` matches within 40 characters before or 20 after the span. */
function near(lower: string, start: number, end: number, re: RegExp, before = 40, after = 20): boolean {
  return re.test(lower.slice(Math.max(0, start - before), start)) || re.test(lower.slice(end, end + after));
}

// --- IPv4 ---------------------------------------------------------------------------------------------

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Four octets; not part of a longer dotted run (1.2.3.4.5) nor a version string (v1.2.3.4). */
const IPV4_RE = new RegExp(`(?<![\\d.]|[A-Za-z]\\.?)${OCTET}(?:\\.${OCTET}){3}(?!\\d|\\.\\d)`, 'g');

function findIps(text: string, add: Add): void {
  if (!text.includes('.')) return;
  for (const m of matches(IPV4_RE, text)) add('ip', m.index, m.index + m[0].length, 0.9, 'ipv4');
}

// --- phone numbers ------------------------------------------------------------------------------------

/** A run that could be a phone number (digits and separators); libphonenumber runs only when one has 7+ digits and is not a date. */
const PHONE_HINT_RE = /\+?\(?\d[\d\s().\-/]{5,24}\d/g;
const DATE_ONLY_RE = /^(?:(?:19|20)\d\d[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:19|20)?\d\d)$/;
const DATE_RE = /(?:^|\D)(?:(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|1[0-2])[-./](?:19|20)?\d\d)(?:\D|$)/;
const ORDER_WORDS_RE = /(?:order|pedido|commande|bestell|auftrag|ordine|encomenda|compra|注文|订单|訂單|单号|單號|tracking|seguimiento|suivi|sendung|spedizione|rastreio|追跡|运单|快递|invoice|factura|facture|rechnung|fattura|fatura|\bref)/;
const PHONE_WORDS_RE = /(?:phone|call|tel\b|mobile|cell|whatsapp|sms|llam|tel[eé]fono|m[oó]vil|celular|appel|portable|t[eé]l[eé]phone|anruf|telefon|handy|chiam|cellulare|ligar|ligue|telem[oó]vel|電話|携帯|电话|手机|手機)/;

function findPhones(text: string, lower: string, regions: readonly CountryCode[], add: Add): void {
  let hints = 0;
  let national = false;
  for (const m of matches(PHONE_HINT_RE, text)) {
    const run = m[0].trim();
    if (DATE_ONLY_RE.test(run) || (run.match(/\d/g)?.length ?? 0) < 7) continue;
    hints++;
    if (!/^(?:\+|00)/.test(run)) national = true;
  }
  // Timestamps and dates end here; international numbers (+49…) read the same in every region.
  if (hints === 0) return;
  const seen = new Set<string>();
  for (const region of national ? regions : regions.slice(0, 1)) {
    for (const found of findPhoneNumbersInText(text, { defaultCountry: region })) {
      const { startsAt: start, endsAt: end } = found;
      const key = `${start}:${end}`;
      if (seen.has(key)) continue;
      const raw = text.slice(start, end);
      const confidence = phoneConfidence(raw, text, lower, start, end, region, found.number.isValid());
      if (confidence === undefined) continue;
      seen.add(key);
      add('phone', start, end, confidence, `phone_${(found.number.country ?? region).toLowerCase()}`);
    }
  }
}

function phoneConfidence(raw: string, text: string, lower: string, start: number, end: number, region: CountryCode, valid: boolean): number | undefined {
  if (!valid) return undefined;
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 7) return undefined;
  // Phone numbers hold no commas: "2026-03-03, 20260303" is a date and a number, not one phone.
  if (/[,;]/.test(raw) || DATE_RE.test(raw)) return undefined;
  // Part of a longer number (a tracking number in groups) or an order reference (#100234567).
  if (/(?:\d[ .\-/]?|#\s?)$/.test(text.slice(Math.max(0, start - 2), start)) || /^[ .\-/]?\d/.test(text.slice(end, end + 2))) return undefined;
  const international = /^(?:\+|00)/.test(raw);
  if (!international && TRUNK_ZERO_REGIONS.has(region) && !/^\(?0/.test(raw)) return undefined;
  // A year leading a reference (2026-0042-17) is not an area code.
  if (!international && /^(?:19|20)\d\d[ .\-/]/.test(raw)) return undefined;
  const phoneWord = near(lower, start, end, PHONE_WORDS_RE, 30, 0);
  const plain = /^\d+$/.test(raw);
  // "order 912345678", "invoice 2125-55-1234": the customer said what it is.
  if (!international && !phoneWord && ORDER_WORDS_RE.test(lower.slice(Math.max(0, start - 24), start))) return undefined;
  const base = international ? 0.95 : plain ? 0.75 : 0.85;
  return Math.min(0.99, base + (phoneWord ? 0.05 : 0));
}

// --- postal addresses ---------------------------------------------------------------------------------

interface AddressRule {
  kind: string;
  re: RegExp;
}

// A street name: up to five capitalised words (a digit may start one: 5th Avenue), with the usual particles between.
const CAP = String.raw`[\p{Lu}\d][\p{L}\d'’.\-]*`;
const PARTICLE = String.raw`(?:de|del|della|di|da|do|dos|das|du|des|la|le|von|der|am|an)`;
const CAP_NAME = String.raw`(?:${CAP}\s+(?:${PARTICLE}\s+)?){0,4}?${CAP}`;
/** French names come last, with nothing after them to stop a lazy match: take every capitalised word. */
const CAP_NAME_GREEDY = String.raw`(?:${CAP}\s+(?:${PARTICLE}\s+)?){0,4}${CAP}(?![\p{L}\d])`;
/** English names: capitalised words that are not Title Case filler ("3 Days On The Way"). */
const EN_WORD = String.raw`(?!(?:On|In|At|To|For|From|By|With|And|Or|Of|The|A|An|My|Your|Our|Days?|Weeks?|Months?|Years?|Hours?|Minutes?|Items?|Pairs?|Times?|Pieces?|Units?)(?![\p{L}]))${CAP}`;
const EN_NAME = String.raw`(?:${EN_WORD}\s+){0,4}?${EN_WORD}`;
/** Between a street name and its number: a comma or a space ("Rua 25 de Março, 1000" is not "Rua 2" + "5"). */
const SEP = String.raw`(?:,\s*|\s+)`;
/**
 * Street names after a keyword (Calle, Rua): capitalised words, or up to three lower-case ones when a
 * comma and the number follow ("calle mayor, 5"), so "calle y me dijeron que en 3 días" is not an address.
 */
const NAME = String.raw`(?:${CAP_NAME}|(?:\p{Ll}[\p{L}'’.\-]*\s+){0,2}\p{Ll}[\p{L}'’.\-]*(?=,\s*(?:n[º°o]\.?\s*)?\d))`;
/** A house number, with a letter written on (12a) or an upper-case one apart (12 B): "5 y" is Spanish "5 and". */
const HOUSE = String.raw`\d{1,5}(?:(?:[A-Za-z]|\s[A-Z])(?![\p{L}]))?(?:\s?(?:bis|ter)\b)?`;
/** A town after the postal code: one or two capitalised words, the second not the start of a postcode (London NW1). */
const TOWN = String.raw`[\p{Lu}][\p{L}'’\-]+(?:\s[\p{Lu}][\p{L}'’\-]+(?![\p{L}\d]))?`;
const END = String.raw`(?![\p{L}\d])`;
/** Optional postal code and town after a comma: 28014 Madrid, 75002 Paris, 1200-195 Lisboa, 01310-100 São Paulo, 10115 Berlin. */
const POSTAL_TAIL = String.raw`(?:,?\s*(?<postal>\d{5}-\d{3}|\d{4}-\d{3}|(?:[A-Z]-)?\d{5})(?![\d-])(?:\s+${TOWN})?)?`;

const ADDRESS_RULES: readonly AddressRule[] = [
  {
    // 221B Baker Street, 1600 Pennsylvania Avenue NW, Washington, DC 20500 / 10 Downing St, London SW1A 2AA
    kind: 'address_en',
    re: new RegExp(
      String.raw`(?<![\p{L}\d])\d{1,5}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?${EN_NAME}\s+(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Way|Court|Ct\.?|Place|Pl\.?|Terrace|Crescent|Highway|Hwy\.?|street|road|avenue|lane|drive)${END}` +
        String.raw`(?:\s+(?:NW|NE|SW|SE|N|S|E|W)${END})?(?:,?\s*(?:Apt\.?|Apartment|Suite|Unit|Flat|#)\s*[\w-]+)?` +
        String.raw`(?:,\s*${TOWN})?(?:,?\s*(?<postal>[A-Z]{2}\s+\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}))?`,
      'gu',
    ),
  },
  {
    // Hauptstraße 5, Berliner Str. 12a, 10115 Berlin / Am Lindenweg 3
    kind: 'address_de',
    re: new RegExp(
      String.raw`(?<![\p{L}\d])(?:[\p{Lu}][\p{L}\-]*(?:straße|strasse|str\.|weg|allee|platz|gasse|damm|ufer|chaussee|-Straße|-Strasse|-Str\.|-Weg|-Allee|-Platz|-Gasse|-Ring|-Damm)|(?:[\p{Lu}][\p{L}\-]*\s+){1,2}(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee))\s*\d{1,4}\s?[a-zA-Z]?${END}` +
        POSTAL_TAIL,
      'gu',
    ),
  },
  {
    // Calle de Alcalá 45, 3º B, 28014 Madrid / C/ Mayor, 5 / Avda. de la Constitución nº 12
    kind: 'address_es',
    re: new RegExp(
      String.raw`(?<![\p{L}\d])(?:C\/|c\/|Calle|calle|Avda\.?|avda\.?|Avenida|avenida|Paseo|paseo|Plaza|plaza|Pza\.?|Camino|camino|Carrer|carrer|Carretera|carretera|Ronda|ronda|Travesía|travesía)\s*(?:(?:de(?:\s+la|\s+los|\s+las)?|del)\s+)?${NAME}${SEP}(?:n[º°o]\.?\s*)?${HOUSE}${END}` +
        String.raw`(?:,?\s*\d{1,2}\s?[º°ª]\s?(?:[A-Za-z](?![\p{L}]))?)?` + POSTAL_TAIL,
      'gu',
    ),
  },
  {
    // 12 rue de la Paix, 75002 Paris / 5 bis, avenue Victor Hugo
    kind: 'address_fr',
    re: new RegExp(
      String.raw`(?<![\p{L}\d])${HOUSE},?\s+(?:rue|Rue|avenue|Avenue|av\.|Av\.|boulevard|Boulevard|bd|Bd|place|Place|allée|Allée|chemin|Chemin|impasse|Impasse|quai|Quai)\s+(?:de\s+la\s+|de\s+l['’]|du\s+|des\s+|de\s+|d['’])?${CAP_NAME_GREEDY}` +
        POSTAL_TAIL,
      'gu',
    ),
  },
  {
    // Via Roma 10, 00184 Roma / Piazza della Signoria, 5 / Corso Buenos Aires 33
    kind: 'address_it',
    re: new RegExp(
      String.raw`(?<![\p{L}\d])(?:Via|via|V\.le|Viale|viale|Piazza|piazza|P\.za|P\.zza|Piazzale|Corso|Largo|Vicolo)\s+(?:(?:del|della|dei|degli|delle|di|dello)\s+)?${CAP_NAME}${SEP}(?:n\.?\s*)?\d{1,4}(?:\/?[A-Za-z](?![\p{L}]))?${END}` +
        String.raw`(?:,?\s*(?<postal>\d{5})(?![\d-])(?:\s+${TOWN})?(?:\s*\(?[A-Z]{2}\)?)?)?`,
      'gu',
    ),
  },
  {
    // Rua Augusta, 123, 2º Esq., 1100-048 Lisboa / Av. Paulista, 1578, apto 52, 01310-200 São Paulo
    kind: 'address_pt',
    re: new RegExp(
      String.raw`(?<![\p{L}\d])(?:Rua|rua|R\.|Avenida|avenida|Av\.|Travessa|travessa|Praça|praça|Largo|Alameda|alameda|Estrada|Rodovia)\s+(?:(?:da|do|das|dos|de)\s+)?${NAME}${SEP}(?:n[º°o]\.?\s*)?\d{1,5}${END}` +
        String.raw`(?:,?\s*(?:\d{1,2}\s?[º°ª]\s?(?:andar|[Ee]sq\.?|[Dd]to\.?|[Dd]ir\.?|[A-Z](?![\p{L}]))?|apto?\.?\s*\d+|apartamento\s*\d+|casa\s*\d+))?` + POSTAL_TAIL,
      'gu',
    ),
  },
  {
    // 〒150-0041 東京都渋谷区神南1丁目2番3号 / 大阪市北区梅田3-1-1 / 京都市中京区一丁目5番地
    kind: 'address_ja',
    re: new RegExp(
      String.raw`(?:〒\s?(?<postal>\d{3}-?\d{4})\s*)?(?:[\p{sc=Han}ヶケ々]{1,4}(?:都|道|府|県))?(?:[\p{sc=Hiragana}]{2,5}(?=[市町村]))?[\p{sc=Han}\p{sc=Katakana}ヶケ々ー]{0,12}?` +
        String.raw`(?:(?:\d{1,3}|[一二三四五六七八九十]{1,3})丁目\s?(?:\d{1,4}(?:番地?|-)\s?(?:\d{1,4}(?:号|-\d{1,4})?)?)?|\d{1,4}番地(?:\s?\d{1,4}号?)?|\d{1,4}番\s?\d{1,4}号|(?<=[市区町村郡][\p{sc=Han}\p{sc=Katakana}ヶケ々ー]{0,8})\d{1,4}-\d{1,4}(?:-\d{1,4})?(?![\d-]))`,
      'gu',
    ),
  },
  {
    // 北京市朝阳区建国路88号 / 上海市黄浦区南京东路100号3楼
    kind: 'address_zh',
    re: new RegExp(
      String.raw`(?:[\p{sc=Han}]{1,12}?(?:省|自治区))?(?:[\p{sc=Han}]{1,8}?市)?(?:[\p{sc=Han}]{1,8}?(?:区|县|镇|旗))?[\p{sc=Han}\d]{1,12}?(?:路|街|大道|大街|巷|弄|胡同)\s?\d{1,5}\s?号(?:院|楼)?(?:\s?\d{1,4}\s?(?:号楼|栋|幢|单元|楼|层|室))*`,
      'gu',
    ),
  },
];

/** Words that lead up to an address in CJK text, where nothing separates them from the place name. */
const CJK_LEAD_IN_RE = /^.*?(?:住所は|住所：|住所:|住所|お届け先は|お届け先|配送先は|配送先|送り先は|送り先|地址是|地址为|地址：|地址:|地址|住址是|住址|我住在|住在|寄到|送到|发到|寄往|是|在|到|は|に|の|を)/u;

function findAddresses(text: string, add: Add): void {
  for (const rule of ADDRESS_RULES) {
    for (const m of matches(rule.re, text)) {
      let start = m.index;
      let matched = m[0];
      if (rule.kind === 'address_ja' || rule.kind === 'address_zh') {
        const lead = CJK_LEAD_IN_RE.exec(matched);
        // Keep the lead-in when cutting it would leave no place name before the number.
        if (lead && /^[\p{sc=Han}\p{sc=Katakana}〒]/u.test(matched.slice(lead[0].length))) {
          start += lead[0].length;
          matched = matched.slice(lead[0].length);
        }
      }
      const trimmed = matched.replace(/[\s,.]+$/u, '');
      if (!/\d/.test(trimmed)) continue;
      add('address', start, start + trimmed.length, m.groups?.['postal'] ? 0.7 : 0.6, rule.kind);
    }
  }
}

// --- text helpers -------------------------------------------------------------------------------------

const WIDE_RE = /[\uff01-\uff5e\u3000]/g;

/** Full-width ASCII (０９０－１２３４, ＠) as ASCII, same length, so offsets still point into the original. */
function foldWidth(text: string): string {
  return text.replace(WIDE_RE, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

/** Lower case without changing the length ('İ' lower-cases to two units and would shift every offset). */
function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (const ch of text) {
    const l = ch.toLowerCase();
    out += l.length === ch.length ? l : ch;
  }
  return out;
}
