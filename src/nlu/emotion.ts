import { join } from 'node:path';
import { MeridianError } from '../core/errors.js';
import { packageRoot } from '../package-root.js';
import { PhraseMatcher, readLexiconFiles, type PhraseHit } from './entities/phrase-matcher.js';
import { baseLang, foldText } from './entities/text.js';
import type { EmotionResult } from './types.js';

/**
 * Frustration, anger, urgency and sentiment of one customer message, from cues a person would notice:
 * words and phrases, intensifiers ("very", "muy", "とても"), negation ("not happy", "不满意", "嬉しくない"),
 * downtoners ("a bit"), indirect complaints ("not what I expected", "ちょっと残念"), repeated contacts
 * ("third time I write"), threats to leave or charge back, CAPITALS, repeated ! and ?, and emoji.
 *
 * Lexicon: locales/<lang>/nlu/emotion.json, all keys optional.
 *
 *   {
 *     "negative":     { "disappoint*": 0.5 },    // unhappy: frustration, sentiment down
 *     "positive":     { "thank*": 0.4 },         // sentiment up; negated ("not happy") it counts as negative
 *     "anger":        { "ridiculous": 0.6 },     // anger (and some frustration)
 *     "urgency":      { "asap": 0.8 },           // urgency; deadlines ("today") are weak, "urgent" strong
 *     "indirect":     { "not what i expected": 0.45 },  // polite complaints: frustration
 *     "repeat":       { "third time": 0.6 },     // contacting again: frustration, some urgency and anger
 *     "threat":       { "chargeback": 0.8 },     // leaving, bad reviews, bank disputes: anger and frustration
 *     "intensifiers": { "very": 1.4 },           // multiply the weight of the next cue (within two words)
 *     "downtoners":   { "a bit": 0.6 },          // multiply it down (the complaint still counts)
 *     "negators":     ["not", "never"],          // before the word (within three words / three characters)
 *     "negatorsAfter": ["ない", "ません"],        // after the word (Japanese), within a few characters
 *     "ignore":       ["guten morgen", "快递"]   // not cues, and they hide the cues inside them (morgen, 快)
 *   }
 *
 * Phrases are matched case- and accent-insensitively; a trailing * matches the rest of the word; in
 * Japanese and Chinese phrases match as substrings. Weights are 0..1: about 0.3 for a weak cue, 0.5–0.6
 * for a clear one, 0.8+ for an unmistakable one.
 *
 * Scores: each of frustration, anger and urgency is 0..1, combining its cues as independent evidence
 * (1 − Π(1 − w)), so one weak cue gives ~0.3, one clear cue ~0.5–0.6, several or intensified cues 0.8+.
 * Rough reading: < 0.3 calm, 0.3–0.5 mild, 0.5–0.75 clear, ≥ 0.75 strong. Suggested uses: acknowledge
 * the feeling from frustration ≥ 0.5, offer a person from anger ≥ 0.6 or any `threat` signal, put the
 * conversation first in the queue from urgency ≥ 0.6. Sentiment is −1..1: positive evidence minus
 * negative evidence. `signals` names every cue found ("negative:disappointed", "negated:happy", "caps",
 * "exclamations", "emoji:😡", "repeat:third time", "threat:chargeback").
 */

export interface EmotionLexicon {
  negative?: Record<string, number>;
  positive?: Record<string, number>;
  anger?: Record<string, number>;
  urgency?: Record<string, number>;
  indirect?: Record<string, number>;
  repeat?: Record<string, number>;
  threat?: Record<string, number>;
  intensifiers?: Record<string, number>;
  downtoners?: Record<string, number>;
  negators?: string[];
  negatorsAfter?: string[];
  ignore?: string[];
}

export type EmotionLexicons = Readonly<Record<string, EmotionLexicon>>;

export interface EmotionAnalyzer {
  /** `lang` is a language or locale; a language without a lexicon uses English plus the universal cues. */
  analyze(text: string, lang: string): EmotionResult;
}

const CUE_KINDS = ['negative', 'positive', 'anger', 'urgency', 'indirect', 'repeat', 'threat'] as const;
type CueKind = (typeof CUE_KINDS)[number];
type Kind = CueKind | 'intensifier' | 'downtoner' | 'negator' | 'ignore';

interface Cue {
  kind: Kind;
  weight: number;
}

interface Compiled {
  matcher: PhraseMatcher<Cue>;
  negatorsAfter: string[];
}

/** Emoji and what they add: [frustration, anger, urgency, sentiment]. */
const EMOJI: ReadonlyMap<string, readonly [number, number, number, number]> = new Map([
  ['😡', [0.4, 0.7, 0, -0.7]], ['🤬', [0.4, 0.85, 0, -0.8]], ['😠', [0.35, 0.6, 0, -0.6]], ['😤', [0.4, 0.45, 0, -0.5]],
  ['💢', [0.3, 0.5, 0, -0.5]], ['👎', [0.35, 0.2, 0, -0.5]], ['🙄', [0.4, 0.2, 0, -0.4]], ['😒', [0.35, 0.15, 0, -0.4]],
  ['😭', [0.5, 0, 0.1, -0.5]], ['😢', [0.4, 0, 0, -0.45]], ['😞', [0.4, 0, 0, -0.4]], ['😔', [0.35, 0, 0, -0.35]],
  ['😩', [0.5, 0.1, 0.1, -0.45]], ['😫', [0.5, 0.1, 0.1, -0.45]], ['😖', [0.4, 0, 0, -0.4]], ['😣', [0.35, 0, 0, -0.35]],
  ['🙏', [0.1, 0, 0.35, 0.1]], ['⏰', [0, 0, 0.4, 0]], ['⌛', [0.1, 0, 0.3, 0]], ['⏳', [0.1, 0, 0.3, 0]], ['🆘', [0.2, 0, 0.7, -0.2]],
  ['👍', [0, 0, 0, 0.5]], ['😊', [0, 0, 0, 0.6]], ['🙂', [0, 0, 0, 0.4]], ['😀', [0, 0, 0, 0.6]], ['😃', [0, 0, 0, 0.6]],
  ['😄', [0, 0, 0, 0.6]], ['😁', [0, 0, 0, 0.6]], ['😍', [0, 0, 0, 0.8]], ['🥰', [0, 0, 0, 0.8]], ['❤', [0, 0, 0, 0.6]],
  ['💕', [0, 0, 0, 0.6]], ['🎉', [0, 0, 0, 0.6]], ['👏', [0, 0, 0, 0.5]], ['🤩', [0, 0, 0, 0.7]], ['😉', [0, 0, 0, 0.3]],
]);
const EMOJI_RE = new RegExp([...EMOJI.keys()].join('|'), 'gu');

/** Words in capitals that are not shouting. */
const CAPS_OK = new Set(['OK', 'UPS', 'DHL', 'USPS', 'DPD', 'GLS', 'TNT', 'SKU', 'FAQ', 'USA', 'EU', 'UK', 'EUR', 'USD', 'GBP', 'CHF', 'BRL', 'JPY', 'CNY', 'RMB', 'XS', 'XL', 'XXL', 'XXXL', 'PDF', 'CTT', 'SEUR', 'MRW', 'BRT', 'SDA', 'EMS', 'GPS', 'TV', 'ID', 'PIN', 'IBAN', 'CVV', 'NIF', 'DNI', 'CPF', 'PS', 'AI', 'BOT', 'SMS', 'URL', 'iOS', 'PC']);
const WORDS_RE = /\p{L}[\p{L}'’-]*/gu;
/** "3rd time", "3 veces", "zum 3. Mal", "3回目", "第3次": a repeated contact written with a number. */
const REPEAT_NUMBER_RE = /(?:\b(?:[2-9]|1\d)(?:st|nd|rd|th|e|eme|ème|te|a|o|ª|º|\.)?\s?(?:times?|veces|vez|fois|mal|volte|volta|vezes)\b|第[2-9二三四五六七八九十]\s?(?:次|遍)|[2-9二三四五六七八九十]\s?(?:回目|度目)|[2-9二三四五六七八九十]\s?回も)/iu;
const SENTENCE_BREAK = /[.!?。！？;；,，、\n]/;

function noisyOr(values: readonly number[]): number {
  let keep = 1;
  for (const value of values) keep *= 1 - Math.min(0.95, Math.max(0, value));
  return 1 - keep;
}

const round = (n: number) => Math.round(n * 100) / 100;

function compile(lexicon: EmotionLexicon, lang: string): Compiled {
  for (const key of ['negators', 'negatorsAfter', 'ignore'] as const) {
    if (lexicon[key] !== undefined && !(Array.isArray(lexicon[key]) && lexicon[key].every((v) => typeof v === 'string'))) {
      throw new MeridianError('config_invalid', `emotion lexicon ${lang}: "${key}" must be a list of strings`);
    }
  }
  const matcher = new PhraseMatcher<Cue>();
  for (const kind of CUE_KINDS) {
    const entries = lexicon[kind] ?? {};
    for (const [phrase, weight] of Object.entries(entries)) {
      if (typeof weight !== 'number' || weight < 0 || weight > 1) {
        throw new MeridianError('config_invalid', `emotion lexicon ${lang}: ${kind}."${phrase}" must be a number from 0 to 1`);
      }
      matcher.add(phrase, { kind, weight });
    }
  }
  for (const [phrase, factor] of Object.entries(lexicon.intensifiers ?? {})) matcher.add(phrase, { kind: 'intensifier', weight: factor });
  for (const [phrase, factor] of Object.entries(lexicon.downtoners ?? {})) matcher.add(phrase, { kind: 'downtoner', weight: factor });
  for (const phrase of lexicon.negators ?? []) matcher.add(phrase, { kind: 'negator', weight: 1 });
  for (const phrase of lexicon.ignore ?? []) matcher.add(phrase, { kind: 'ignore', weight: 0 });
  return { matcher, negatorsAfter: (lexicon.negatorsAfter ?? []).map(foldText) };
}

/** Is a modifier ending at `end` close enough to a cue starting at `start` to apply to it? */
function near(folded: string, end: number, start: number, maxWords: number): boolean {
  const between = folded.slice(end, start);
  if (SENTENCE_BREAK.test(between)) return false;
  const trimmed = between.trim();
  if (trimmed === '') return true;
  if (!trimmed.includes(' ') && /[\u3040-\u30ff\u3400-\u9fff]/.test(trimmed)) return trimmed.length <= 3;
  return trimmed.split(/ +/).length <= maxWords;
}

export function createEmotionAnalyzer(lexicons: EmotionLexicons): EmotionAnalyzer {
  const compiled = new Map<string, Compiled>();
  for (const [lang, lexicon] of Object.entries(lexicons)) compiled.set(lang, compile(lexicon, lang));
  const empty = compile({}, 'none');

  function analyze(text: string, locale: string): EmotionResult {
    const lang = baseLang(locale);
    const lex = compiled.get(lang) ?? compiled.get('en') ?? empty;
    const folded = foldText(text);
    const frustration: number[] = [];
    const anger: number[] = [];
    const urgency: number[] = [];
    const positive: number[] = [];
    const negative: number[] = [];
    const signals: string[] = [];
    const said = (hit: PhraseHit<Cue>) => text.slice(hit.start, hit.end);

    const hits = lex.matcher.findAll(folded);
    const modifiers: PhraseHit<Cue>[] = [];
    for (const hit of hits) {
      const { kind } = hit.data;
      if (kind === 'ignore') continue;
      if (kind === 'intensifier' || kind === 'downtoner' || kind === 'negator') {
        modifiers.push(hit);
        continue;
      }
      let weight = hit.data.weight;
      let negated = false;
      for (const mod of modifiers) {
        if (mod.data.kind === 'negator' && near(folded, mod.end, hit.start, 3)) negated = true;
        else if (mod.data.kind === 'intensifier' && near(folded, mod.end, hit.start, 2)) {
          weight = Math.min(1, weight * mod.data.weight);
          signals.push(`intensifier:${said(mod)}`);
        } else if (mod.data.kind === 'downtoner' && near(folded, mod.end, hit.start, 2)) {
          weight *= mod.data.weight;
          signals.push(`downtoner:${said(mod)}`);
        }
      }
      if (!negated && lex.negatorsAfter.length > 0) {
        const after = folded.slice(hit.end, hit.end + 8).split(SENTENCE_BREAK)[0]!;
        negated = lex.negatorsAfter.some((neg) => after.includes(neg));
      }
      // Modifiers apply to the next cue only.
      modifiers.length = 0;

      if (negated && (kind === 'positive' || kind === 'negative' || kind === 'anger' || kind === 'urgency')) {
        signals.push(`negated:${said(hit)}`);
        if (kind === 'positive') {
          // "not happy" is a complaint, a little softer than "unhappy".
          frustration.push(weight * 0.9);
          negative.push(weight * 0.9);
        } else if (kind === 'negative') {
          positive.push(weight * 0.2); // "not bad"
        }
        continue;
      }
      signals.push(`${kind}:${said(hit)}`);
      switch (kind) {
        case 'negative':
          frustration.push(weight);
          negative.push(weight);
          break;
        case 'indirect':
          frustration.push(weight);
          negative.push(weight * 0.8);
          break;
        case 'positive':
          positive.push(weight);
          break;
        case 'anger':
          anger.push(weight);
          frustration.push(weight * 0.6);
          negative.push(weight);
          break;
        case 'urgency':
          urgency.push(weight);
          break;
        case 'repeat':
          frustration.push(weight);
          urgency.push(weight * 0.5);
          anger.push(weight * 0.3);
          negative.push(weight * 0.5);
          break;
        case 'threat':
          anger.push(weight * 0.7);
          frustration.push(weight);
          urgency.push(weight * 0.3);
          negative.push(weight);
          break;
      }
    }

    const repeated = REPEAT_NUMBER_RE.exec(text);
    if (repeated && !signals.some((s) => s.startsWith('repeat:'))) {
      signals.push(`repeat:${repeated[0].trim()}`);
      frustration.push(0.6);
      urgency.push(0.3);
      anger.push(0.2);
      negative.push(0.3);
    }

    // Shouting: three words in capitals, or two that make a quarter of the words (single letters and
    // acronyms such as UPS or EUR do not count).
    let words = 0;
    let shouted = 0;
    for (const m of text.matchAll(WORDS_RE)) {
      const word = m[0];
      if (word.length < 2) continue;
      words++;
      if (word === word.toUpperCase() && word !== word.toLowerCase() && !CAPS_OK.has(word)) shouted++;
    }
    if (shouted >= 3 || (shouted === 2 && shouted * 4 >= words)) {
      signals.push('caps');
      anger.push(0.35);
      frustration.push(0.25);
      negative.push(0.2);
    }

    const bangs = text.match(/[!！]{2,}/g);
    if (bangs) {
      const longest = Math.max(...bangs.map((b) => b.length));
      const strength = longest >= 3 ? 0.3 : 0.2;
      signals.push('exclamations');
      anger.push(strength);
      frustration.push(strength);
      urgency.push(strength * 0.6);
    }
    if (/[?？]{2,}|[?？][!！]|[!！][?？]/.test(text)) {
      signals.push('repeated_question');
      frustration.push(0.3);
      urgency.push(0.15);
    }

    for (const m of text.matchAll(EMOJI_RE)) {
      const [f, a, u, s] = EMOJI.get(m[0])!;
      signals.push(`emoji:${m[0]}`);
      if (f) frustration.push(f);
      if (a) anger.push(a);
      if (u) urgency.push(u);
      if (s > 0) positive.push(s);
      else if (s < 0) negative.push(-s);
    }

    return {
      frustration: round(noisyOr(frustration)),
      anger: round(noisyOr(anger)),
      urgency: round(noisyOr(urgency)),
      sentiment: round(Math.max(-1, Math.min(1, noisyOr(positive) - noisyOr(negative)))),
      signals: [...new Set(signals)],
    };
  }

  return { analyze };
}

/** The lexicons in locales/<lang>/nlu/emotion.json (default: Meridian's own locales folder). */
export function loadEmotionLexicons(localesDir = join(packageRoot(), 'locales')): Record<string, EmotionLexicon> {
  return readLexiconFiles(localesDir, 'emotion.json') as Record<string, EmotionLexicon>;
}
