/**
 * Feature extraction for the intent classifier, from normalized text (see ../normalize.ts):
 *  - character n-grams inside each word, the word padded with a space on both sides (so "^re" and
 *    "nd^" differ from "re" in the middle of a word); for ja/zh the n-grams run over each unbroken
 *    stretch of text, since there are no spaces between words;
 *  - word unigrams (skipping stopwords) and word bigrams (sentence start/end included);
 *  - masks (<order>, <email>, <num>...), "?", "!" and emoji are whole-token features, never split into
 *    characters (so "<order>" does not look like the word "order").
 * Each feature is a string with a prefix per kind; the vectorizer maps strings to indices.
 */

export interface FeatureOptions {
  /** Smallest and largest character n-gram (defaults 1 and 4). */
  charMin: number;
  charMax: number;
  /** Word bigrams on/off. */
  wordBigrams: boolean;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { charMin: 1, charMax: 4, wordBigrams: true };

/** Languages without spaces between words. */
const UNSEGMENTED = new Set(['ja', 'zh']);
const WHOLE_TOKEN = /^(?:<[a-z]+>|[?!]|[^\p{L}\p{N}]+)$/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/u;

export interface Features {
  /** Character n-gram features with counts. */
  chars: Map<string, number>;
  /** Word features with counts. */
  words: Map<string, number>;
}

function add(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

const SURROGATE = /[\uD800-\uDFFF]/;

function charGrams(into: Map<string, number>, token: string, options: FeatureOptions): void {
  const padded = ` ${token} `;
  if (SURROGATE.test(padded)) {
    // Emoji and other astral characters: slice by code point, not by UTF-16 unit.
    const chars = Array.from(padded);
    for (let n = options.charMin; n <= options.charMax; n++) {
      for (let i = 0; i + n <= chars.length; i++) {
        if (n === 1 && chars[i] === ' ') continue;
        add(into, chars.slice(i, i + n).join(''));
      }
    }
    return;
  }
  const length = padded.length;
  for (let n = options.charMin; n <= options.charMax; n++) {
    for (let i = 0; i + n <= length; i++) {
      if (n === 1 && padded.charCodeAt(i) === 32) continue;
      add(into, padded.slice(i, i + n));
    }
  }
}

/** Features of one normalized text. */
export function extractFeatures(normalized: string, lang: string, stopwords: ReadonlySet<string>, options: FeatureOptions = DEFAULT_FEATURE_OPTIONS): Features {
  const chars = new Map<string, number>();
  const words = new Map<string, number>();
  const unsegmented = UNSEGMENTED.has(lang);
  const tokens = normalized.split(' ').filter(Boolean);
  const wordTokens: string[] = [];
  for (const token of tokens) {
    if (WHOLE_TOKEN.test(token)) {
      add(words, `t:${token}`);
      wordTokens.push(token);
      continue;
    }
    if (unsegmented && CJK.test(token)) {
      // Split a CJK stretch from Latin words or digits glued to it ("iphone充电器", "<order>の").
      for (const piece of token.split(/(<[a-z]+>)/u)) {
        if (!piece) continue;
        if (piece.startsWith('<')) {
          add(words, `t:${piece}`);
          wordTokens.push(piece);
        } else {
          charGrams(chars, piece, options);
          wordTokens.push(piece);
        }
      }
      continue;
    }
    charGrams(chars, token, options);
    if (!stopwords.has(token)) add(words, `w:${token}`);
    wordTokens.push(token);
  }
  if (options.wordBigrams && !unsegmented) {
    const seq = ['^', ...wordTokens, '$'];
    for (let i = 0; i + 1 < seq.length; i++) add(words, `b:${seq[i]} ${seq[i + 1]}`);
  }
  return { chars, words };
}
