import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Text normalization for matching (intents, keyword rules): the result is for machines, never shown.
 * The customer's original text stays on the activity / NluResult.text for display.
 *
 * Steps, in order:
 *  1. NFKC (full-width letters and digits, ligatures, compatibility forms), unify quotes and dashes;
 *  2. mask what is not a word: e-mail addresses -> <email>, URLs -> <url>, phone numbers -> <phone>,
 *     amounts with a currency -> <amount>, order numbers (#A1043, A-7731, B20931, 55123) -> <order>,
 *     other numbers -> <num>;
 *  3. lower case; for Latin-script languages strip accents (devolución -> devolucion, ß -> ss), since
 *     customers often drop them; Japanese and Chinese are left as they are (kana voicing marks matter);
 *  4. collapse letters repeated three or more times (pleeeease -> please, noooo -> no);
 *  5. tokenize: words, masks, emoji, and ? / ! as their own tokens; apostrophes join English and German
 *     contractions (don't -> dont) and split French, Spanish, Italian, Portuguese elisions (j'ai -> j ai);
 *  6. apply the language's lexicon (slang, abbreviations, typos -> replacement), longest key first, on
 *     word boundaries; for ja/zh by substring.
 * The output is the tokens joined by single spaces (for ja/zh: the text with masks, spaces kept as they
 * were typed, collapsed).
 */

export interface Lexicon {
  /** "<slang/abbreviation/typo>" (lower case, may have several words) -> replacement. */
  normalize: Readonly<Record<string, string>>;
  /** Words that carry no intent in this language (optional; feature extractors may skip them). */
  stopwords?: readonly string[];
}

export interface Normalizer {
  /** Normalized text for matching; `lang` may be a locale ('es-MX'), its base language is used. */
  normalize(text: string, lang: string): string;
  /** The lexicon's stopwords for a language (already normalized), empty when it has none. */
  stopwords(lang: string): ReadonlySet<string>;
}

export interface NormalizerOptions {
  /**
   * Known words per language (for example the words of the training utterances). A word with a letter
   * repeated three or more times is collapsed to the known spelling when there is one ("gooood" -> "good"
   * rather than "god"); without it, runs collapse to a single letter.
   */
  vocabulary?: ReadonlyMap<string, Iterable<string>>;
}

/** Languages written without spaces between words: lexicon keys match as substrings. */
const UNSEGMENTED = new Set(['ja', 'zh']);
/** Languages whose apostrophes join a contraction into one word (don't -> dont, geht's -> gehts). */
const JOINING_APOSTROPHE = new Set(['en', 'de', 'nl']);

export function baseLanguage(lang: string): string {
  return (lang.split(/[-_]/)[0] ?? lang).toLowerCase();
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/giu;
const PHONE = /(?<![\p{L}\p{N}])\+\d[\d ()-]{6,}\d(?![\p{L}\p{N}])/gu;
const CURRENCY = String.raw`(?:[$€£¥₹]|R\$|US\$|A\$|CHF|EUR|USD|GBP|MXN|ARS|COP|BRL|JPY|CNY|RMB|元|円)`;
const NUMBER = String.raw`\d+(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?`;
const AMOUNT = new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${CURRENCY}\s?${NUMBER}|${NUMBER}\s?${CURRENCY})(?![\p{L}])`, 'gu');
/** #A1043, #1043, A-7731, B20931, LL-2024-0042, 4+ digit numbers. Needs a digit; letters only as a prefix/suffix code. */
const ORDER = /(?<![\p{Script=Latin}\p{N}])(?:#\s?[A-Za-z]{0,4}-?\d[\dA-Za-z-]*|[A-Za-z]{1,4}-?\d{3,}(?:-\d+)*[A-Za-z]?|\d{4,}(?:-\d+)*)(?![\p{Script=Latin}\p{N}])/gu;
/** 12/03/2024, 2024-03-12, 12.3.: dates are numbers, not order numbers. */
const DATE = /(?<![\p{N}])(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2})(?![\p{N}])/gu;
const PLAIN_NUMBER = /\d+(?:[.,:/]\d+)*/gu;

const MASK = /<(?:email|url|phone|amount|order|num)>/u;

/** Replaces e-mails, URLs, phone numbers, amounts, order numbers and other numbers by tokens. */
export function maskEntities(text: string): string {
  return text
    .replace(EMAIL, ' <email> ')
    .replace(URL_RE, ' <url> ')
    .replace(PHONE, ' <phone> ')
    .replace(AMOUNT, ' <amount> ')
    .replace(DATE, ' <num> ')
    .replace(ORDER, ' <order> ')
    .replace(PLAIN_NUMBER, ' <num> ');
}

/** Strips combining marks after NFD (é -> e, ü -> u, ñ -> n), ß -> ss, œ -> oe, æ -> ae, ø -> o. */
export function stripAccents(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .replace(/[øØ]/g, (c) => (c === 'ø' ? 'o' : 'O'))
    .replace(/[łŁ]/g, (c) => (c === 'ł' ? 'l' : 'L'))
    .normalize('NFC');
}

function collapseRuns(word: string, known: ReadonlySet<string> | undefined): string {
  if (!/(\p{L})\1\1/u.test(word)) return word;
  const single = word.replace(/(\p{L})\1{2,}/gu, '$1');
  const double = word.replace(/(\p{L})\1{2,}/gu, '$1$1');
  if (known) {
    // A stretched word is more often a double letter stretched ("goooood") than a single one.
    if (known.has(double)) return double;
    if (known.has(single)) return single;
    // Mixed: try doubling each run in turn (gooood morninggg -> good morning).
    const runs = [...word.matchAll(/(\p{L})\1{2,}/gu)];
    if (runs.length > 1 && runs.length <= 4) {
      for (let mask = 1; mask < (1 << runs.length) - 1; mask++) {
        let i = 0;
        const candidate = word.replace(/(\p{L})\1{2,}/gu, (_m, ch: string) => ((mask >> i++) & 1 ? ch + ch : ch));
        if (known.has(candidate)) return candidate;
      }
    }
  }
  return single;
}

interface CompiledLexicon {
  /** Single-word keys. */
  words: Map<string, string>;
  /** Multi-word keys as token arrays, longest first. */
  phrases: { tokens: string[]; replacement: string }[];
  /** ja/zh: substring keys, longest first. */
  substrings: { key: string; replacement: string }[];
  stopwords: Set<string>;
  known: Set<string>;
}

/** The normalizer's folding steps without the lexicon (used for lexicon keys too). */
function fold(text: string, lang: string): string {
  let out = text.normalize('NFKC');
  out = out.replace(/[‘’ʼ`´]/g, "'").replace(/[“”„«»]/g, '"').replace(/[‐-―−]/g, '-');
  out = maskEntities(out);
  out = out.toLowerCase();
  if (!UNSEGMENTED.has(lang)) out = stripAccents(out);
  return out;
}

/** Splits folded text into tokens: words, masks, ?, !, emoji / other symbols. */
function tokenize(text: string, lang: string, known: ReadonlySet<string> | undefined): string[] {
  const joinApostrophe = JOINING_APOSTROPHE.has(lang);
  const tokens: string[] = [];
  const re = /<(?:email|url|phone|amount|order|num)>|[\p{L}\p{N}]+(?:'[\p{L}]+)*|[?¿]+|[!¡]+|\p{Extended_Pictographic}|[^\s\p{L}\p{N}\p{P}\p{Z}\p{Cc}\p{M}]/gu;
  for (const match of text.matchAll(re)) {
    let token = match[0];
    if (token.startsWith('<') && MASK.test(token)) {
      tokens.push(token);
      continue;
    }
    if (/^[?¿]+$/u.test(token)) {
      tokens.push('?');
      continue;
    }
    if (/^[!¡]+$/u.test(token)) {
      tokens.push('!');
      continue;
    }
    if (token.includes("'")) {
      if (joinApostrophe) token = token.replace(/'/g, '');
      else {
        for (const part of token.split("'")) if (part) tokens.push(collapseRuns(part, known));
        continue;
      }
    }
    tokens.push(collapseRuns(token, known));
  }
  return tokens;
}

function compile(lexicon: Lexicon | undefined, lang: string, vocabulary: Iterable<string> | undefined): CompiledLexicon {
  const compiled: CompiledLexicon = { words: new Map(), phrases: [], substrings: [], stopwords: new Set(), known: new Set() };
  const unsegmented = UNSEGMENTED.has(lang);
  if (vocabulary) for (const word of vocabulary) for (const t of fold(word, lang).split(/[^\p{L}\p{N}]+/u)) if (t) compiled.known.add(t);
  if (lexicon) {
    for (const value of Object.values(lexicon.normalize)) for (const t of fold(value, lang).split(/[^\p{L}\p{N}]+/u)) if (t) compiled.known.add(t);
    for (const [rawKey, rawValue] of Object.entries(lexicon.normalize)) {
      if (unsegmented) {
        const key = fold(rawKey, lang).trim();
        if (key) compiled.substrings.push({ key, replacement: fold(rawValue, lang).trim() });
        continue;
      }
      // Keys go through the same folding and tokenizing as the text, so "d'accord" or "schön" match.
      const keyTokens = tokenize(fold(rawKey, lang), lang, undefined);
      const replacement = tokenize(fold(rawValue, lang), lang, undefined).join(' ');
      if (keyTokens.length === 0) continue;
      if (keyTokens.length === 1) compiled.words.set(keyTokens[0]!, replacement);
      else compiled.phrases.push({ tokens: keyTokens, replacement });
    }
    compiled.phrases.sort((a, b) => b.tokens.length - a.tokens.length);
    compiled.substrings.sort((a, b) => b.key.length - a.key.length);
    for (const word of lexicon.stopwords ?? []) for (const t of tokenize(fold(word, lang), lang, undefined)) compiled.stopwords.add(t);
  }
  return compiled;
}

function applyWordLexicon(tokens: string[], lex: CompiledLexicon): string[] {
  if (lex.words.size === 0 && lex.phrases.length === 0) return tokens;
  const out: string[] = [];
  let i = 0;
  outer: while (i < tokens.length) {
    for (const phrase of lex.phrases) {
      const n = phrase.tokens.length;
      if (i + n > tokens.length) continue;
      let ok = true;
      for (let k = 0; k < n; k++) {
        if (tokens[i + k] !== phrase.tokens[k]) {
          ok = false;
          break;
        }
      }
      if (ok) {
        if (phrase.replacement) out.push(phrase.replacement);
        i += n;
        continue outer;
      }
    }
    const token = tokens[i]!;
    const replacement = lex.words.get(token);
    if (replacement === undefined) out.push(token);
    else if (replacement) out.push(replacement);
    i++;
  }
  return out;
}

function applySubstringLexicon(text: string, lex: CompiledLexicon): string {
  if (lex.substrings.length === 0) return text;
  // One left-to-right pass, longest key first at each position, so a replacement is never re-matched.
  let out = '';
  let i = 0;
  outer: while (i < text.length) {
    if (text[i] === '<') {
      const mask = /^<(?:email|url|phone|amount|order|num)>/u.exec(text.slice(i, i + 8));
      if (mask) {
        out += mask[0];
        i += mask[0].length;
        continue;
      }
    }
    for (const { key, replacement } of lex.substrings) {
      if (text.startsWith(key, i)) {
        out += replacement;
        i += key.length;
        continue outer;
      }
    }
    out += text[i];
    i++;
  }
  return out;
}

/** Normalizes for one language with a compiled lexicon. */
function normalizeWith(text: string, lang: string, lex: CompiledLexicon): string {
  const folded = fold(text, lang);
  if (UNSEGMENTED.has(lang)) {
    // Keep runs of CJK text intact (no word boundaries); Latin words inside are tokenized as usual.
    const collapsed = folded.replace(/(\p{L})\1{2,}/gu, '$1$1');
    return applySubstringLexicon(collapsed, lex)
      .replace(/[?¿]+/gu, ' ? ')
      .replace(/[!¡]+/gu, ' ! ')
      .replace(/[^\P{P}?!]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  }
  return applyWordLexicon(tokenize(folded, lang, lex.known), lex).join(' ');
}

/**
 * A normalizer over per-language lexicons (a Map or a plain object keyed by language). A language
 * without a lexicon is still folded, masked and tokenized.
 */
export function createNormalizer(
  lexicons: ReadonlyMap<string, Lexicon> | Readonly<Record<string, Lexicon>> = new Map(),
  options: NormalizerOptions = {},
): Normalizer {
  const source = lexicons instanceof Map ? (lexicons as ReadonlyMap<string, Lexicon>) : new Map(Object.entries(lexicons as Record<string, Lexicon>));
  const compiled = new Map<string, CompiledLexicon>();
  const get = (lang: string): CompiledLexicon => {
    let lex = compiled.get(lang);
    if (!lex) {
      lex = compile(source.get(lang), lang, options.vocabulary?.get(lang));
      compiled.set(lang, lex);
    }
    return lex;
  };
  return {
    normalize(text: string, lang: string): string {
      const base = baseLanguage(lang);
      return normalizeWith(text, base, get(base));
    },
    stopwords(lang: string): ReadonlySet<string> {
      return get(baseLanguage(lang)).stopwords;
    },
  };
}

/** Reads every locales/<lang>/nlu/lexicon.json that exists. A malformed file is an error naming it. */
export function loadLexicons(localesDir: string): Map<string, Lexicon> {
  const lexicons = new Map<string, Lexicon>();
  if (!existsSync(localesDir)) return lexicons;
  for (const entry of readdirSync(localesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(localesDir, entry.name, 'nlu', 'lexicon.json');
    if (!existsSync(file)) continue;
    lexicons.set(entry.name, parseLexicon(readFileSync(file, 'utf8'), file));
  }
  return lexicons;
}

/** Validates a lexicon file's content. */
export function parseLexicon(json: string, file = 'lexicon.json'): Lexicon {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new Error(`${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: expected an object`);
  const { normalize = {}, stopwords } = parsed as { normalize?: unknown; stopwords?: unknown };
  if (typeof normalize !== 'object' || normalize === null || Array.isArray(normalize)) throw new Error(`${file}: "normalize" must be an object of strings`);
  for (const [key, value] of Object.entries(normalize)) {
    if (typeof value !== 'string') throw new Error(`${file}: normalize["${key}"] must be a string`);
  }
  if (stopwords !== undefined && (!Array.isArray(stopwords) || stopwords.some((w) => typeof w !== 'string'))) {
    throw new Error(`${file}: "stopwords" must be an array of strings`);
  }
  return { normalize: normalize as Record<string, string>, ...(stopwords ? { stopwords: stopwords as string[] } : {}) };
}
