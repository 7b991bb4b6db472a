/**
 * The multilingual domain vocabulary: e-commerce concepts (refund, customs duties, parcel locker...)
 * with their words in every launch language. Articles and questions are both mapped to concept ids,
 * so a question in Italian meets an article that exists only in English on shared ids.
 *
 * knowledge/concepts.yaml:
 *
 *   refund:
 *     en: [refund, money back, reimburs*]
 *     ja: [返金, 払い戻し]
 *     all: [chargeback]        # words used as they are in every language
 *   region_eu:
 *     kind: qualifier          # narrows a question (where, when) but is no topic of its own
 *
 * A term is matched on words, after the same normalization and stemming as the search index
 * ("refunds" and "refunded" match "refund"). `word*` matches words starting with `word` (compounds:
 * `rücksend*` matches "Rücksendeetikett"), `*word` words ending in it, `*word*` words containing it.
 * A term of several words matches them in order with at most two other words between (so "change
 * address" matches "change my address"). Japanese and Chinese terms match as substrings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MeridianError } from '../core/errors.js';
import { packageRoot } from '../package-root.js';
import { stemmerFor } from './stemmers.js';
import { isCjk, normalize, words } from './text.js';

type WordPattern = { kind: 'exact'; stem: string } | { kind: 'prefix' | 'suffix' | 'infix'; text: string };

interface CompiledTerm {
  concept: string;
  /** Latin/other script: words to match in order. */
  words?: WordPattern[];
  /** Japanese/Chinese: a substring of the normalized text. */
  substring?: string;
}

interface LanguageMatcher {
  /** Terms whose first word is an exact stem, by that stem. */
  byFirstStem: Map<string, CompiledTerm[]>;
  /** Terms whose first word is a prefix/suffix/infix pattern. */
  patterned: CompiledTerm[];
  substrings: CompiledTerm[];
}

/** Concept ids found in a text, with how often each occurs. */
export type ConceptCounts = Map<string, number>;

export type ConceptKind = 'topic' | 'qualifier';

export interface ConceptDefinition {
  id: string;
  /** 'qualifier' for concepts that narrow a question (a region, a weekday) without being what it is about. */
  kind: ConceptKind;
  /** Terms by language; `all` applies to every language. */
  terms: Record<string, string[]>;
}

const MAX_GAP = 2;
const ID_PATTERN = /^[a-z][a-z0-9_]*$/;

export class ConceptVocabulary {
  private readonly matchers = new Map<string, LanguageMatcher>();
  private readonly qualifiers: ReadonlySet<string>;
  readonly ids: readonly string[];

  constructor(readonly definitions: readonly ConceptDefinition[]) {
    this.ids = definitions.map((d) => d.id);
    this.qualifiers = new Set(definitions.filter((d) => d.kind === 'qualifier').map((d) => d.id));
    const languages = new Set<string>();
    for (const d of definitions) for (const lang of Object.keys(d.terms)) languages.add(lang);
    for (const lang of languages) this.matchers.set(lang, { byFirstStem: new Map(), patterned: [], substrings: [] });
    for (const d of definitions) {
      for (const [lang, list] of Object.entries(d.terms)) {
        const matcher = this.matchers.get(lang)!;
        for (const term of list) {
          const compiled = compileTerm(d.id, term, lang === 'all' ? 'en' : lang);
          if (!compiled) continue;
          if (compiled.substring !== undefined) matcher.substrings.push(compiled);
          else {
            const first = compiled.words![0]!;
            if (first.kind === 'exact') {
              const list = matcher.byFirstStem.get(first.stem) ?? [];
              list.push(compiled);
              matcher.byFirstStem.set(first.stem, list);
            } else matcher.patterned.push(compiled);
          }
        }
      }
    }
  }

  isQualifier(id: string): boolean {
    return this.qualifiers.has(id);
  }

  /** Languages the vocabulary has words for (not counting `all`). */
  get languages(): string[] {
    return [...this.matchers.keys()].filter((lang) => lang !== 'all');
  }

  /**
   * Concept ids in `text`, using the terms of each language in `languages` (plus `all`). The text is
   * segmented and stemmed by the rules of `textLang`.
   */
  match(text: string, textLang: string, languages: readonly string[] = [textLang]): ConceptCounts {
    const counts: ConceptCounts = new Map();
    if (text.trim() === '') return counts;
    const base = baseLanguage(textLang);
    const raw = words(text, textLang);
    const stem = stemmerFor(base);
    const stemmed = raw.map((word) => (isCjk(word) ? word : stem(word)));
    const compact = normalize(text).replace(/\s+/g, '');
    const seen = new Set<string>();
    for (const lang of new Set([...languages.map(baseLanguage), 'all'])) {
      const matcher = this.matchers.get(lang);
      if (!matcher) continue;
      // Another language's terms are stemmed by that language's rules, so its words are compared after that stemmer.
      const tokens = lang === base || lang === 'all' ? stemmed : raw.map((word) => (isCjk(word) ? word : stemmerFor(lang)(word)));
      for (let i = 0; i < tokens.length; i++) {
        const candidates = [...(matcher.byFirstStem.get(tokens[i]!) ?? []), ...matcher.patterned];
        for (const term of candidates) {
          const end = matchAt(term.words!, tokens, raw, i);
          if (end < 0) continue;
          const key = `${term.concept}@${i}`;
          if (seen.has(key)) continue;
          seen.add(key);
          counts.set(term.concept, (counts.get(term.concept) ?? 0) + 1);
        }
      }
      for (const term of matcher.substrings) {
        const n = countOccurrences(compact, term.substring!);
        if (n > 0) counts.set(term.concept, Math.max(counts.get(term.concept) ?? 0, n));
      }
    }
    return counts;
  }
}

function baseLanguage(lang: string): string {
  return lang.split('-')[0] ?? lang;
}

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** Index after the match of `patterns` starting at token `start`, or -1. */
function matchAt(patterns: readonly WordPattern[], stemmed: readonly string[], raw: readonly string[], start: number): number {
  let at = start;
  for (let p = 0; p < patterns.length; p++) {
    const pattern = patterns[p]!;
    const limit = p === 0 ? start : Math.min(stemmed.length - 1, at + MAX_GAP);
    let found = -1;
    for (let i = at; i <= limit; i++) {
      if (matchesWord(pattern, stemmed[i]!, raw[i]!)) {
        found = i;
        break;
      }
    }
    if (found < 0) return -1;
    at = found + 1;
  }
  return at;
}

function matchesWord(pattern: WordPattern, stem: string, raw: string): boolean {
  switch (pattern.kind) {
    case 'exact':
      return stem === pattern.stem;
    case 'prefix':
      return raw.startsWith(pattern.text);
    case 'suffix':
      return raw.endsWith(pattern.text);
    case 'infix':
      return raw.includes(pattern.text);
  }
}

function compileTerm(concept: string, term: string, lang: string): CompiledTerm | undefined {
  const trimmed = term.trim();
  if (trimmed === '') return undefined;
  if (isCjk(trimmed)) return { concept, substring: normalize(trimmed).replace(/\s+/g, '') };
  const stem = stemmerFor(lang);
  const patterns: WordPattern[] = [];
  for (const piece of trimmed.split(/\s+/)) {
    const leading = piece.startsWith('*');
    const trailing = piece.endsWith('*');
    const core = piece.replace(/^\*|\*$/g, '');
    const parts = words(core, lang);
    if (parts.length === 0) continue;
    if (leading || trailing) {
      // A pattern applies to the (normalized, unstemmed) word; a hyphenated core keeps its first part exact.
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        const first = i === 0;
        const last = i === parts.length - 1;
        const kind = leading && first && trailing && last ? 'infix' : leading && first ? 'suffix' : trailing && last ? 'prefix' : undefined;
        patterns.push(kind ? { kind, text: part } : { kind: 'exact', stem: stem(part) });
      }
    } else {
      for (const part of parts) patterns.push({ kind: 'exact', stem: stem(part) });
    }
  }
  return patterns.length > 0 ? { concept, words: patterns } : undefined;
}

/** Parses the vocabulary from YAML text; `source` names the file in errors. */
export function parseConcepts(text: string, source: string): ConceptVocabulary {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (cause) {
    throw new MeridianError('config_invalid', `${source}: not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MeridianError('config_invalid', `${source}: expected a map of concept ids to { <lang>: [terms] }`);
  }
  const definitions: ConceptDefinition[] = [];
  for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!ID_PATTERN.test(id)) throw new MeridianError('config_invalid', `${source}: concept id "${id}" must be lowercase letters, digits and _`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new MeridianError('config_invalid', `${source}: concept ${id}: expected { <lang>: [terms] }`);
    }
    const terms: Record<string, string[]> = {};
    let kind: ConceptKind = 'topic';
    for (const [lang, list] of Object.entries(value as Record<string, unknown>)) {
      if (lang === 'kind') {
        if (list !== 'topic' && list !== 'qualifier') throw new MeridianError('config_invalid', `${source}: concept ${id}: kind must be topic or qualifier`);
        kind = list;
        continue;
      }
      if (!Array.isArray(list) || !list.every((t) => typeof t === 'string' || typeof t === 'number')) {
        throw new MeridianError('config_invalid', `${source}: concept ${id}, ${lang}: expected a list of terms`);
      }
      terms[lang] = list.map(String);
    }
    definitions.push({ id, kind, terms });
  }
  return new ConceptVocabulary(definitions);
}

let bundled: ConceptVocabulary | undefined;

/** The vocabulary shipped in knowledge/concepts.yaml (read once), or the one in `file`. */
export function loadConcepts(file?: string): ConceptVocabulary {
  if (file === undefined && bundled) return bundled;
  const path = file ?? join(packageRoot(), 'knowledge', 'concepts.yaml');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new MeridianError('config_unreadable', `cannot read the concept vocabulary ${path}: ${(cause as Error).message}`, { cause });
  }
  const vocabulary = parseConcepts(text, path);
  if (file === undefined) bundled = vocabulary;
  return vocabulary;
}
