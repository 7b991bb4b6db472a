import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeridianError } from '../../core/errors.js';
import { foldText, wordClass } from './text.js';

/**
 * Finds lexicon phrases in folded text with a character trie: one pass, leftmost-longest, no overlaps.
 * The same matcher serves languages with spaces (a phrase must start and end on a word boundary) and
 * Japanese/Chinese (Han and hiragana match as substrings; katakana and Latin runs still need boundaries),
 * so a message in any language costs one walk over its characters.
 *
 * Phrase syntax: folded like the text (case and accents do not matter); a trailing `*` matches the rest
 * of the word (`disappoint*` -> disappointed, disappointing); a space matches one or more spaces.
 */

export interface PhraseHit<T> {
  start: number;
  end: number;
  /** The phrase as written in the lexicon. */
  phrase: string;
  data: T;
}

interface Node<T> {
  next: Map<string, Node<T>>;
  /** Set when a phrase ends here. */
  exact?: { phrase: string; data: T };
  /** Set when a phrase ending in `*` ends here. */
  stem?: { phrase: string; data: T };
}

export class PhraseMatcher<T> {
  private readonly root: Node<T> = { next: new Map() };
  private size = 0;

  constructor(entries: Iterable<readonly [string, T]> = []) {
    for (const [phrase, data] of entries) this.add(phrase, data);
  }

  get phraseCount(): number {
    return this.size;
  }

  /** Adds a phrase; a later phrase with the same spelling replaces the earlier one's data. */
  add(phrase: string, data: T): void {
    const isStem = phrase.endsWith('*');
    const key = foldText((isStem ? phrase.slice(0, -1) : phrase).trim()).replace(/ +/g, ' ');
    if (key.length === 0) return;
    let node = this.root;
    for (const unit of key) {
      let child = node.next.get(unit);
      if (!child) {
        child = { next: new Map() };
        node.next.set(unit, child);
      }
      node = child;
    }
    if (isStem) node.stem = { phrase, data };
    else node.exact = { phrase, data };
    this.size++;
  }

  /** All non-overlapping hits in `folded` (the output of foldText), leftmost first, longest at each start. */
  findAll(folded: string): PhraseHit<T>[] {
    const hits: PhraseHit<T>[] = [];
    const n = folded.length;
    let i = 0;
    while (i < n) {
      const hit = this.longestAt(folded, i);
      if (hit) {
        hits.push(hit);
        i = hit.end;
      } else {
        i++;
      }
    }
    return hits;
  }

  private longestAt(text: string, start: number): PhraseHit<T> | undefined {
    const first = text[start]!;
    const firstClass = wordClass(first);
    // A phrase starting with a Latin letter or katakana cannot start in the middle of such a word.
    if (firstClass !== 0 && wordClass(text[start - 1]) === firstClass) return undefined;
    let node: Node<T> | undefined = this.root;
    let best: PhraseHit<T> | undefined;
    let i = start;
    while (node && i < text.length) {
      const unit = text[i]!;
      const child: Node<T> | undefined = node.next.get(unit);
      let after = i + 1;
      if (unit === ' ' && child) while (text[after] === ' ') after++;
      if (!child) break;
      node = child;
      i = after;
      const lastClass = wordClass(unit);
      if (node.exact && (lastClass === 0 || wordClass(text[i]) !== lastClass)) {
        best = { start, end: i, phrase: node.exact.phrase, data: node.exact.data };
      }
      if (node.stem) {
        let end = i;
        if (lastClass !== 0) while (end < text.length && wordClass(text[end]) === lastClass) end++;
        if (!best || end > best.end) best = { start, end, phrase: node.stem.phrase, data: node.stem.data };
      }
    }
    return best;
  }
}

/**
 * Reads locales/<lang>/nlu/<file> for every language folder that has one: the per-language lexicons of
 * the emotion analyzer and the sensitive-topic detector. A broken file names itself.
 */
export function readLexiconFiles(localesDir: string, file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!existsSync(localesDir)) return out;
  for (const entry of readdirSync(localesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(localesDir, entry.name, 'nlu', file);
    if (!existsSync(path)) continue;
    try {
      out[entry.name] = JSON.parse(readFileSync(path, 'utf8'));
    } catch (cause) {
      throw new MeridianError('config_invalid', `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  return out;
}
