/**
 * Text analysis shared by the index, the concept matcher and the question side: Unicode
 * normalization, accent folding for Latin script, word segmentation with Intl.Segmenter (the only
 * thing that splits Japanese and Chinese into words without a dictionary of our own), elision
 * splitting (l'adresse, dell'ordine) and the light stemmers.
 */
import { stemmerFor } from './stemmers.js';

const segmenters = new Map<string, Intl.Segmenter>();
function segmenter(lang: string): Intl.Segmenter {
  let found = segmenters.get(lang);
  if (!found) {
    found = new Intl.Segmenter(lang, { granularity: 'word' });
    segmenters.set(lang, found);
  }
  return found;
}

const LATIN_WITH_MARKS = /[\u00C0-\u024F\u1E00-\u1EFF]/g;
const CJK = /[\u3040-\u30FF\u3400-\u9FFF\uF900-\uFAFF]/;
const APOSTROPHES = /[\u2019\u2018\u02BC\u0060\u00B4]/g;

/** NFKC, lowercase, and Latin letters without diacritics (é -> e, ü -> u, ß -> ss); kana and Han are left as they are. */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(APOSTROPHES, "'")
    .replace(LATIN_WITH_MARKS, (ch) => foldLatin(ch));
}

function foldLatin(ch: string): string {
  switch (ch) {
    case 'ß':
      return 'ss';
    case 'æ':
      return 'ae';
    case 'œ':
      return 'oe';
    case 'ø':
      return 'o';
    case 'đ':
      return 'd';
    case 'ł':
      return 'l';
    default:
      return ch.normalize('NFD').replace(/\p{M}/gu, '');
  }
}

export function isCjk(text: string): boolean {
  return CJK.test(text);
}

// Elided articles and prepositions: l'adresse, d'un, qu'il, dell'ordine, all'indirizzo, nell'ordine.
const ELISION = /^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|dell|all|dall|nell|sull|quell|un|quest|com|dov|c)'(.+)$/;

/**
 * Words of a text, normalized, in order (stop words included: phrases need them). `lang` chooses the
 * segmenter's rules; Latin words inside Japanese or Chinese text come out as words too.
 */
export function words(text: string, lang: string): string[] {
  const out: string[] = [];
  const normalized = normalize(text);
  // Text without Japanese or Chinese is split on letters and digits (same words as the segmenter gives
  // for space-separated languages, several times faster); the rest goes through Intl.Segmenter.
  const parts = CJK.test(normalized) ? wordLikeSegments(normalized, lang) : (normalized.match(LATIN_WORD) ?? []);
  for (const part of parts) {
    let word = part;
    if (word.includes("'")) {
      const elided = ELISION.exec(word);
      if (elided?.[1]) word = elided[1];
      else {
        // English contractions and possessives: don't -> don, order's -> order
        word = word.split("'")[0] ?? word;
      }
    }
    word = word.replace(/^'+|'+$/g, '');
    if (word !== '') out.push(word);
  }
  return out;
}

const LATIN_WORD = /[\p{L}\p{M}\p{N}]+(?:'[\p{L}\p{M}]+)*/gu;

function wordLikeSegments(text: string, lang: string): string[] {
  const out: string[] = [];
  for (const part of segmenter(lang).segment(text)) if (part.isWordLike) out.push(part.segment);
  return out;
}

/** Stemmed words (the keys a question and an article meet on), stop words included. */
export function stems(text: string, lang: string): string[] {
  const stem = stemmerFor(lang);
  return words(text, lang).map((word) => (isCjk(word) ? word : stem(word)));
}

// Small stop-word lists: function words that carry no topic. BM25's idf would discount most of them,
// but with a few dozen articles idf is too coarse and "I", "my", "de", "la" would still add noise.
const STOP: Record<string, string> = {
  en: 'a an and are as at be been but by can could do does did for from had has have how i if in into is it its me my no not of on or our so than that the their them then there these they this to too us was we were what when where which who why will with would you your yours am also any just please hi hello thanks thank',
  es: 'a al algo como con cual cuando de del el ella ellos en entre era es esa ese eso esta este esto estoy fue ha hay la las le lo los me mi mis muy ni no nos o para pero por que se si sin sobre su sus te tengo ti tu tus un una uno unos y ya yo hola gracias puedo quiero',
  fr: 'a au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur lui ma mais me mes moi mon ne nous on ou par pas pour qu que qui sa se ses si son sur ta te tes toi ton tu un une vos votre vous y est-ce bonjour merci ai suis',
  de: 'aber als am an auch auf aus bei bin bis das dass dem den der des die du ein eine einem einen einer es fur hat ich ihr im in ist ja kann mein meine mich mir mit nach nicht noch oder sich sie sind so und uns von vor war was wie wir zu zum zur hallo danke habe',
  it: 'a ad al alla alle anche che chi ci come con da dal dalla dei del della delle di e ed gli ha ho i il in io la le lo ma mi mia mio ne nel nella non o per piu se si sono su sua suo ti tu un una uno vi ciao grazie posso',
  pt: 'a ao aos as com como da das de do dos e ela ele em entre era esta este eu foi ha isso isto ja mais mas me meu minha na nas nao no nos o os ou para pela pelo por que se sem seu sua te tem tenho um uma voce ola obrigado obrigada posso',
  ja: 'の は が を に で と も か ね よ な へ や から まで です ます でした ました ください たい ない いる ある する した して って という か？ でしょう ですか ますか 私 わたし 僕 こと もの これ それ あれ この その',
  zh: '的 了 吗 呢 吧 啊 是 我 你 他 她 我们 你们 在 有 和 与 就 都 也 还 要 会 能 可以 这 那 这个 那个 个 么 什么 怎么 请问 请 一下 你好',
};
const stopSets = new Map<string, Set<string>>();

/** Whether a normalized word is a stop word in `lang`. */
export function isStopWord(word: string, lang: string): boolean {
  const base = lang.split('-')[0] ?? lang;
  let set = stopSets.get(base);
  if (!set) {
    set = new Set((STOP[base] ?? '').split(/\s+/).filter(Boolean));
    stopSets.set(base, set);
  }
  return set.has(word);
}

/** Index terms: stemmed words without stop words (Japanese and Chinese words as the segmenter gives them). */
export function terms(text: string, lang: string): string[] {
  const stem = stemmerFor(lang);
  const out: string[] = [];
  for (const word of words(text, lang)) {
    if (isStopWord(word, lang)) continue;
    if (isCjk(word)) {
      out.push(word);
      continue;
    }
    out.push(stem(word));
  }
  return out;
}
