import { join } from 'node:path';
import { MeridianError } from '../core/errors.js';
import { packageRoot } from '../package-root.js';
import { PhraseMatcher, readLexiconFiles, type PhraseHit } from './entities/phrase-matcher.js';
import { baseLang, foldText } from './entities/text.js';
import { SENSITIVE_TOPICS, type SensitiveResult, type SensitiveTopic } from './types.js';

/**
 * Topics a shop bot must handle with care: religion, politics, territorial disputes (Taiwan, Crimea,
 * Kashmir… as a topic, whatever the stance), self-harm, legal threats and harassment. The bot does not
 * take part in the first three, hands self-harm to a person at once, offers a person on legal threats,
 * and answers harassment calmly.
 *
 * Lexicon: locales/<lang>/nlu/sensitive.json
 *
 *   {
 *     "religion": {
 *       "terms":   { "religion": 0.8, "church": 0.35 },   // evidence on its own
 *       "context": { "believe in": 0.4 }                  // counts only next to a term of the topic
 *     },
 *     "territorial_dispute": {
 *       "terms":   { "crimea": 0.4, "taiwan": 0.3 },      // a place is not a dispute: "ship to Taiwan"
 *       "context": { "belongs to": 0.5, "independence": 0.5 }
 *     },
 *     ...,
 *     "exclude": ["oh my god", "court shoes", "kashmir scarf"]  // shop talk and idioms; they hide the terms inside them
 *   }
 *
 * Phrases match case- and accent-insensitively, `*` ends a word stem, ja/zh match as substrings. A topic's
 * score is 1 − Π(1 − w) over its terms (and, when a term is present, its context phrases); it is reported
 * from `threshold` (default 0.5) on. So a weak word (0.3) alone is not enough, a clear phrase (≥ 0.5) is,
 * and two weak words together are. Self-harm phrases of every language are checked whatever the
 * message's language: a wrong language guess must not hide them.
 */

export type SensitiveAction = SensitiveResult['action'];
export type SensitivePolicy = Partial<Record<SensitiveTopic, SensitiveAction>>;

export interface SensitiveTopicLexicon {
  terms: Record<string, number>;
  context?: Record<string, number>;
}

export type SensitiveLexicon = Partial<Record<SensitiveTopic, SensitiveTopicLexicon>> & { exclude?: string[] };
export type SensitiveLexicons = Readonly<Record<string, SensitiveLexicon>>;

export interface SensitiveDetectorOptions {
  /** Minimum score for a topic to be reported (default 0.5). */
  threshold?: number;
}

export interface SensitiveDetector {
  detect(text: string, lang: string): SensitiveResult;
}

export const DEFAULT_SENSITIVE_POLICY: Readonly<Record<SensitiveTopic, SensitiveAction>> = {
  self_harm: 'force_human',
  legal_threat: 'offer_human',
  harassment: 'care',
  religion: 'care',
  politics: 'care',
  territorial_dispute: 'care',
};

const SEVERITY: Readonly<Record<SensitiveAction, number>> = { none: 0, care: 1, offer_human: 2, force_human: 3 };

interface Entry {
  topic: SensitiveTopic;
  role: 'term' | 'context' | 'exclude';
  weight: number;
}

function addLexicon(matcher: PhraseMatcher<Entry>, lexicon: SensitiveLexicon, lang: string, only?: SensitiveTopic): void {
  for (const topic of SENSITIVE_TOPICS) {
    if (only && topic !== only) continue;
    const entry = lexicon[topic];
    if (!entry) continue;
    for (const role of ['terms', 'context'] as const) {
      for (const [phrase, weight] of Object.entries(entry[role] ?? {})) {
        if (typeof weight !== 'number' || weight < 0 || weight > 1) {
          throw new MeridianError('config_invalid', `sensitive lexicon ${lang}: ${topic}.${role}."${phrase}" must be a number from 0 to 1`);
        }
        matcher.add(phrase, { topic, role: role === 'terms' ? 'term' : 'context', weight });
      }
    }
  }
  if (lexicon.exclude !== undefined && !(Array.isArray(lexicon.exclude) && lexicon.exclude.every((v) => typeof v === 'string'))) {
    throw new MeridianError('config_invalid', `sensitive lexicon ${lang}: "exclude" must be a list of strings`);
  }
  for (const phrase of lexicon.exclude ?? []) matcher.add(phrase, { topic: 'religion', role: 'exclude', weight: 0 });
}

export function createSensitiveDetector(lexicons: SensitiveLexicons, policy: SensitivePolicy = {}, options: SensitiveDetectorOptions = {}): SensitiveDetector {
  const actions: Record<SensitiveTopic, SensitiveAction> = { ...DEFAULT_SENSITIVE_POLICY, ...policy };
  const threshold = options.threshold ?? 0.5;
  const matchers = new Map<string, PhraseMatcher<Entry>>();
  const selfHarmEverywhere = new PhraseMatcher<Entry>();
  for (const [lang, lexicon] of Object.entries(lexicons)) {
    const matcher = new PhraseMatcher<Entry>();
    addLexicon(matcher, lexicon, lang);
    matchers.set(lang, matcher);
    addLexicon(selfHarmEverywhere, lexicon, lang, 'self_harm');
  }

  function detect(text: string, locale: string): SensitiveResult {
    const lang = baseLang(locale);
    const folded = foldText(text);
    const own = matchers.get(lang) ?? matchers.get('en');
    const hits: PhraseHit<Entry>[] = own ? own.findAll(folded) : [];
    for (const hit of selfHarmEverywhere.findAll(folded)) {
      if (hit.data.role !== 'exclude' && !hits.some((h) => h.start < hit.end && hit.start < h.end)) hits.push(hit);
    }

    const found = new Map<SensitiveTopic, { terms: number[]; context: number[]; matched: string[] }>();
    for (const hit of hits) {
      if (hit.data.role === 'exclude') continue;
      let topic = found.get(hit.data.topic);
      if (!topic) {
        topic = { terms: [], context: [], matched: [] };
        found.set(hit.data.topic, topic);
      }
      (hit.data.role === 'term' ? topic.terms : topic.context).push(hit.data.weight);
      const said = text.slice(hit.start, hit.end);
      if (!topic.matched.includes(said)) topic.matched.push(said);
    }

    const topics: SensitiveResult['topics'] = [];
    for (const [topic, evidence] of found) {
      if (evidence.terms.length === 0) continue; // context alone ("belongs to") is not a topic
      let keep = 1;
      for (const w of [...evidence.terms, ...evidence.context]) keep *= 1 - Math.min(0.99, w);
      const score = Math.round((1 - keep) * 100) / 100;
      if (score >= threshold) topics.push({ topic, score, matched: evidence.matched });
    }
    topics.sort((a, b) => SEVERITY[actions[b.topic]] - SEVERITY[actions[a.topic]] || b.score - a.score);
    let action: SensitiveAction = 'none';
    for (const { topic } of topics) if (SEVERITY[actions[topic]] > SEVERITY[action]) action = actions[topic];
    return { topics, action };
  }

  return { detect };
}

/** The lexicons in locales/<lang>/nlu/sensitive.json (default: Meridian's own locales folder). */
export function loadSensitiveLexicons(localesDir = join(packageRoot(), 'locales')): Record<string, SensitiveLexicon> {
  return readLexiconFiles(localesDir, 'sensitive.json') as Record<string, SensitiveLexicon>;
}
