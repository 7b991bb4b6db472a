import { describe, it, expect } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INTENTS } from '../../src/nlu/types.js';
import { parseLexicon } from '../../src/nlu/normalize.js';

/**
 * The intent training files (locales/<lang>/nlu/intents.json) of every launch language that has one:
 * all 15 intents with at least 40 utterances, no utterance under two intents, a valid lexicon, and no
 * longer sentence copied from the evaluation set (which must never be trained on).
 */
const LAUNCH = ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh'];
const localesDir = join(process.cwd(), 'locales');
const present = LAUNCH.filter((lang) => existsSync(join(localesDir, lang, 'nlu', 'intents.json')));
const KNOWN = new Set<string>([...INTENTS, 'out_of_scope']);

function load(lang: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(localesDir, lang, 'nlu', 'intents.json'), 'utf8')) as Record<string, unknown>;
}

/** Case, width, punctuation and spacing do not make two utterances different. */
function key(text: string): string {
  const lower = text.normalize('NFKC').toLowerCase();
  const words = lower
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // "👋" or "@+" are utterances too: keep them as written when nothing else is left.
  return words || lower.replace(/\s+/g, '');
}

describe('intent training data', () => {
  it('exists for the four languages written with the classifier', () => {
    expect(present).toEqual(expect.arrayContaining(['en', 'es', 'fr', 'de']));
  });

  describe.each(present.map((lang) => [lang]))('%s', (lang) => {
    const data = load(lang);

    it('has only known intents, each a list of non-empty strings', () => {
      for (const [intent, list] of Object.entries(data)) {
        expect(KNOWN.has(intent) ? intent : `unknown intent ${intent}`).toBe(intent);
        expect(Array.isArray(list)).toBe(true);
        for (const u of list as unknown[]) expect(typeof u === 'string' && u.trim().length > 0 ? 'ok' : `bad utterance in ${intent}: ${JSON.stringify(u)}`).toBe('ok');
      }
    });

    it('has all 15 intents with at least 40 utterances each', () => {
      const short = INTENTS.filter((intent) => !Array.isArray(data[intent]) || (data[intent] as string[]).length < 40).map(
        (intent) => `${intent}: ${Array.isArray(data[intent]) ? (data[intent] as string[]).length : 'missing'}`,
      );
      expect(short).toEqual([]);
    });

    it('has no utterance under two intents', () => {
      const seen = new Map<string, string>();
      const clashes: string[] = [];
      for (const [intent, list] of Object.entries(data)) {
        for (const u of list as string[]) {
          const k = key(u);
          const first = seen.get(k);
          if (first !== undefined && first !== intent) clashes.push(`"${u}": ${first} and ${intent}`);
          else seen.set(k, intent);
        }
      }
      expect(clashes).toEqual([]);
    });

    it('has a valid lexicon with lower-case keys, if it has one', () => {
      const file = join(localesDir, lang, 'nlu', 'lexicon.json');
      if (!existsSync(file)) return;
      const lexicon = parseLexicon(readFileSync(file, 'utf8'), file);
      const upper = Object.keys(lexicon.normalize).filter((k) => k !== k.toLowerCase());
      expect(upper).toEqual([]);
    });
  });

  const evalFile = join(resolve(process.env['EVAL_DATA_DIR'] ?? join(process.cwd(), '..', 'shared', 'eval')), 'intents-multi-dev.jsonl');
  const haveEval = existsSync(evalFile);
  if (!haveEval) console.log(`intent-data: ${evalFile} not found, skipping the check against the evaluation set`);
  (haveEval ? it : it.skip)('copies no longer sentence of the evaluation set into training data', () => {
    const rows = readFileSync(evalFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { text: string; lang: string; intent: string });
    // Greetings, thanks and goodbyes are formulas ("ありがとうございます", "have a nice day") that coincide naturally.
    const formulas = new Set(['greeting', 'thanks', 'goodbye']);
    const copied: string[] = [];
    for (const lang of present) {
      const training = new Set(Object.values(load(lang)).flatMap((list) => (list as string[]).map(key)));
      for (const row of rows) {
        if (row.lang !== lang || formulas.has(row.intent)) continue;
        const k = key(row.text);
        // Short requests ("where is my refund", "我想退货") coincide naturally; longer ones do not.
        const long = lang === 'ja' || lang === 'zh' ? k.replace(/\s/g, '').length >= 10 : k.split(' ').length >= 5;
        if (long && training.has(k)) copied.push(`${lang}: ${row.text}`);
      }
    }
    expect(copied).toEqual([]);
  });
});
