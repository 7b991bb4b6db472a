/**
 * Length-preserving text folding shared by the entity extractor, the emotion analyzer and the sensitive
 * topic detector. "Length-preserving" matters: entities report offsets into the customer's original text,
 * so every folded string has exactly one UTF-16 unit per unit of the input.
 */

const foldCache = new Map<string, string>();
const COMBINING = /^[\u0300-\u036f]+$/;

function foldUnit(unit: string): string {
  const cached = foldCache.get(unit);
  if (cached !== undefined) return cached;
  const code = unit.charCodeAt(0);
  let out: string;
  if (code >= 0xff01 && code <= 0xff5e) {
    // Full-width ASCII (Ａ１０４３, ！) is how many Japanese and Chinese keyboards type Latin text.
    out = String.fromCharCode(code - 0xfee0).toLowerCase();
  } else if (code === 0x3000 || /\s/.test(unit)) {
    out = ' ';
  } else if ('\u2018\u2019\u02bc\u00b4\u2032`'.includes(unit)) {
    out = "'";
  } else if (code >= 0xd800 && code <= 0xdfff) {
    out = unit; // half of a surrogate pair (emoji): leave alone
  } else {
    // Customers often drop accents (devolucion, decu): compare without them. Only Latin combining marks
    // are stripped, so Japanese voiced kana (が = か + U+3099) stay intact.
    const decomposed = unit.normalize('NFD');
    const base = decomposed.length > 1 && COMBINING.test(decomposed.slice(1)) ? decomposed[0]! : unit;
    const lower = base.toLowerCase();
    out = lower.length === 1 ? lower : base;
  }
  foldCache.set(unit, out);
  return out;
}

const ASCII_ONLY = /^[\x20-\x7e]*$/;

/** Lower case, accents removed, full-width ASCII made ASCII, whitespace -> ' ', curly quotes -> "'". Same length as the input. */
export function foldText(text: string): string {
  if (ASCII_ONLY.test(text)) return text.toLowerCase();
  let out = '';
  for (let i = 0; i < text.length; i++) out += foldUnit(text[i]!);
  return out;
}

const WIDE = /[\uff01-\uff5e\u3000]/;
const WIDE_ALL = /[\uff01-\uff5e\u3000]/g;

/** Only full-width ASCII -> ASCII (case kept): what the pattern-based extractors run on. Same length as the input. */
export function foldWidth(text: string): string {
  if (!WIDE.test(text)) return text;
  return text.replace(WIDE_ALL, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

/**
 * Which "word class" a character belongs to, for word-boundary checks: 1 = Latin-like letters and digits
 * (a word continues while they continue), 2 = katakana (ブルー must not match inside ブルーベリー),
 * 0 = everything else, including Han and hiragana, where words are not delimited and substrings match.
 */
export function wordClass(unit: string | undefined): 0 | 1 | 2 {
  if (unit === undefined) return 0;
  const code = unit.charCodeAt(0);
  if (code < 0x80) return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) ? 1 : 0;
  if ((code >= 0x30a1 && code <= 0x30fa) || code === 0x30fc || (code >= 0xff66 && code <= 0xff9f)) return 2;
  if (code >= 0x3000 && code <= 0x9fff) return 0;
  if (code >= 0xac00 && code <= 0xd7af) return 1;
  return /[\p{L}\p{N}\p{M}]/u.test(unit) ? 1 : 0;
}

/** The base language of a locale tag: 'pt-BR' -> 'pt'. */
export function baseLang(lang: string): string {
  const dash = lang.search(/[-_]/);
  return (dash === -1 ? lang : lang.slice(0, dash)).toLowerCase();
}
