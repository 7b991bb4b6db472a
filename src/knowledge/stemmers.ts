/**
 * Light stemmers for the Latin-script launch languages: a few suffix rules per language that bring
 * plurals, gender and the commonest verb forms of one word to one key ("refunds", "refunded" ->
 * "refund"; "reembolsos", "reembolsado" -> "reembols"). They work on accent-folded lowercase words and
 * never cut a word below a few letters. Not linguistics — just enough that a question and an article
 * meet on the same key. ja and zh have no inflection to strip at this level (tokens pass unchanged).
 */

export type Stemmer = (word: string) => string;

/** Removes the first matching suffix that leaves at least `min` letters. */
function strip(word: string, suffixes: readonly string[], min: number): string {
  for (const suffix of suffixes) {
    if (word.endsWith(suffix) && word.length - suffix.length >= min) return word.slice(0, -suffix.length);
  }
  return word;
}

const VOWELS = /[aeiouy]/;

function english(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('ied') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is|ys)$/.test(w)) w = w.slice(0, -1);
  const before = w;
  w = strip(w, ['ing', 'ed'], 3);
  if (w !== before) {
    if (!VOWELS.test(w)) return before;
    // shipp(ing) -> ship, but keep ll/ss/zz (bill, pass)
    if (/([^aeioulsz])\1$/.test(w)) w = w.slice(0, -1);
  }
  w = strip(w, ['ly'], 4);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  if (w.endsWith('y') && w.length > 4) w = `${w.slice(0, -1)}i`;
  return w;
}

function spanish(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  w = strip(w, ['mente'], 4);
  if (w.endsWith('ces') && w.length > 5) w = `${w.slice(0, -3)}z`;
  else if (w.endsWith('iones')) w = w.slice(0, -2);
  else if (/[^aeiou]es$/.test(w) && w.length > 5) w = w.slice(0, -2);
  else if (w.endsWith('s') && w.length > 4) w = w.slice(0, -1);
  w = strip(w, ['aciones', 'acion', 'amiento', 'imiento', 'ando', 'iendo', 'ados', 'adas', 'idos', 'idas', 'ado', 'ada', 'ido', 'ida', 'ar', 'er', 'ir'], 4);
  w = strip(w, ['a', 'o', 'e'], 4);
  return w;
}

function portuguese(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  w = strip(w, ['mente'], 4);
  if (/(oes|aes)$/.test(w)) w = `${w.slice(0, -3)}ao`;
  else if (w.endsWith('ais') && w.length > 5) w = `${w.slice(0, -3)}al`;
  else if (w.endsWith('eis') && w.length > 5) w = `${w.slice(0, -3)}el`;
  else if (w.endsWith('ns') && w.length > 4) w = `${w.slice(0, -2)}m`;
  else if (/[rz]es$/.test(w) && w.length > 5) w = w.slice(0, -2);
  else if (w.endsWith('s') && w.length > 4) w = w.slice(0, -1);
  w = strip(w, ['acao', 'amento', 'imento', 'ando', 'endo', 'indo', 'ado', 'ada', 'ido', 'ida', 'ar', 'er', 'ir'], 4);
  w = strip(w, ['a', 'o', 'e'], 4);
  return w;
}

function italian(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  w = strip(w, ['mente'], 4);
  w = strip(w, ['azione', 'azioni', 'amento', 'amenti', 'ando', 'endo', 'are', 'ere', 'ire', 'ato', 'ata', 'ati', 'ate', 'ito', 'ita', 'iti', 'ite'], 4);
  w = strip(w, ['a', 'e', 'i', 'o'], 4);
  return w;
}

function french(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  if (w.endsWith('aux') && w.length > 4) w = `${w.slice(0, -3)}al`;
  else if (/[sx]$/.test(w) && w.length > 4) w = w.slice(0, -1);
  w = strip(w, ['issement', 'ement', 'ation', 'ements', 'ant', 'ee', 'er', 'ez', 'es'], 4);
  w = strip(w, ['e'], 4);
  return w;
}

function german(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  w = strip(w, ['ern', 'em', 'en', 'er', 'es'], 4);
  w = strip(w, ['e', 'n', 's'], 4);
  return w;
}

const STEMMERS: Record<string, Stemmer> = { en: english, es: spanish, pt: portuguese, it: italian, fr: french, de: german };

/** The stemmer of a language (base language of a locale such as pt-BR); identity where there is none. */
export function stemmerFor(lang: string): Stemmer {
  return STEMMERS[lang.split('-')[0] ?? lang] ?? ((word) => word);
}
