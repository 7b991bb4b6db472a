import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTENTS, type IntentName, type IntentResult } from '../types.js';
import { baseLanguage, createNormalizer, loadLexicons, type Normalizer } from '../normalize.js';
import { loadModel, modelKey, saveModel } from './cache.js';
import { DEFAULT_MODEL_OPTIONS, LABELS, OOS_INDEX, OUT_OF_SCOPE, predictProbabilities, trainIntentModel, type IntentLabel, type IntentModel, type IntentModelOptions, type TrainingExample } from './model.js';

export interface IntentClassifier {
  classify(text: string, lang: string): IntentResult;
}

export interface TrainedIntentClassifier extends IntentClassifier {
  /** Languages with a model of their own; any other language is classified by English's model. */
  readonly languages: readonly string[];
  /** Milliseconds spent normalizing and training (or loading from the cache), per language. */
  readonly trainingMs: Readonly<Record<string, number>>;
  /** Languages whose model came from the cache. */
  readonly fromCache: readonly string[];
  /** The normalizer the models were trained with (slang, typos, masked numbers), for showing what was classified. */
  readonly normalizer: Normalizer;
}

export interface TrainIntentClassifierOptions {
  /** The folder holding <lang>/nlu/intents.json (and lexicon.json). */
  localesDir: string;
  languages: readonly string[];
  /** Defaults to one built from the locales' lexicons, knowing the training words. */
  normalizer?: Normalizer;
  /** Best probability below which the answer is out_of_scope (chosen by cross-validation). */
  threshold?: number;
  /** Model and training settings (chosen by cross-validation); partial overrides of the defaults. */
  model?: Partial<IntentModelOptions>;
  /** Language whose model serves languages without data (default 'en'). */
  fallbackLanguage?: string;
  /** How many candidates `ranking` lists (default 5). */
  rankingSize?: number;
  /**
   * A folder for trained weights (for example <dataDir>/cache): a language whose training data, lexicon,
   * options and model code are unchanged loads its weights instead of training. Not used with a custom
   * normalizer (its behaviour cannot be hashed).
   */
  cacheDir?: string;
}

/**
 * Chosen by 5-fold cross-validation on the training files (see cross-validate.ts): the best probability
 * below which a message is out_of_scope. Most out-of-scope messages are caught by the out_of_scope class
 * itself; the threshold catches text that looks like nothing the model knows.
 */
export const DEFAULT_THRESHOLD = 0.25;

export type IntentData = Partial<Record<IntentLabel, string[]>>;

/** Reads and checks locales/<lang>/nlu/intents.json; undefined when the file does not exist. */
export function loadIntentData(localesDir: string, lang: string): IntentData | undefined {
  const file = join(localesDir, lang, 'nlu', 'intents.json');
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new Error(`${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: expected an object of intent -> utterances`);
  const known = new Set<string>(LABELS);
  const data: IntentData = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!known.has(key)) throw new Error(`${file}: unknown intent "${key}" (expected one of ${LABELS.join(', ')})`);
    if (!Array.isArray(value) || value.some((u) => typeof u !== 'string')) throw new Error(`${file}: "${key}" must be an array of strings`);
    data[key as IntentLabel] = value as string[];
  }
  return data;
}

/** Words of the training utterances, so the normalizer collapses "gooood" to a word it knows. */
function vocabularyOf(data: IntentData): Set<string> {
  const words = new Set<string>();
  for (const list of Object.values(data)) for (const text of list ?? []) for (const w of text.toLowerCase().split(/[^\p{L}\p{N}']+/u)) if (w) words.add(w);
  return words;
}

export function examplesOf(data: IntentData, lang: string, normalizer: Normalizer): TrainingExample[] {
  const examples: TrainingExample[] = [];
  for (const label of LABELS) for (const text of data[label] ?? []) examples.push({ text: normalizer.normalize(text, lang), label });
  return examples;
}

/** Turns class probabilities (LABELS order) into an IntentResult. */
export function resultFromProbabilities(probs: ArrayLike<number>, threshold: number, rankingSize = 5): IntentResult {
  const ranking: { intent: IntentName; confidence: number }[] = INTENTS.map((intent, i) => ({ intent, confidence: probs[i]! }));
  ranking.sort((a, b) => b.confidence - a.confidence || INTENTS.indexOf(a.intent) - INTENTS.indexOf(b.intent));
  const top = ranking[0]!;
  const oos = probs[OOS_INDEX] ?? 0;
  const round = (p: number) => Math.round(p * 1e4) / 1e4;
  const ranked = ranking.slice(0, rankingSize).map((r) => ({ intent: r.intent, confidence: round(r.confidence) }));
  if (oos > top.confidence || top.confidence < threshold) {
    return { intent: OUT_OF_SCOPE, confidence: round(Math.max(oos, 1 - top.confidence)), ranking: ranked };
  }
  return { intent: top.intent, confidence: round(top.confidence), ranking: ranked };
}

/**
 * Trains one model per language from locales/<lang>/nlu/intents.json (languages without the file fall
 * back to English's model). Deterministic: same files, same answers.
 */
export async function trainIntentClassifier(options: TrainIntentClassifierOptions): Promise<TrainedIntentClassifier> {
  return trainIntentClassifierSync(options);
}

export function trainIntentClassifierSync(options: TrainIntentClassifierOptions): TrainedIntentClassifier {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const modelOptions: IntentModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...options.model };
  const fallback = options.fallbackLanguage ?? 'en';
  const rankingSize = options.rankingSize ?? 5;
  const wanted = [...new Set([...options.languages.map(baseLanguage), fallback])];
  const data = new Map<string, IntentData>();
  for (const lang of wanted) {
    const d = loadIntentData(options.localesDir, lang);
    if (d) data.set(lang, d);
  }
  const normalizer =
    options.normalizer ?? createNormalizer(loadLexicons(options.localesDir), { vocabulary: new Map([...data].map(([lang, d]) => [lang, vocabularyOf(d)])) });
  const cacheDir = options.normalizer ? undefined : options.cacheDir;
  const models = new Map<string, IntentModel>();
  const trainingMs: Record<string, number> = {};
  const fromCache: string[] = [];
  for (const [lang, d] of data) {
    const started = performance.now();
    const key = cacheDir ? modelKey(lang, options.localesDir, modelOptions) : '';
    let model = cacheDir ? loadModel(cacheDir, key, lang, modelOptions, normalizer.stopwords(lang)) : undefined;
    if (model) fromCache.push(lang);
    else {
      model = trainIntentModel(lang, examplesOf(d, lang, normalizer), normalizer.stopwords(lang), modelOptions);
      if (cacheDir) {
        try {
          saveModel(cacheDir, key, model);
        } catch {
          // A read-only or full disk only costs the next start-up its training time.
        }
      }
    }
    models.set(lang, model);
    trainingMs[lang] = Math.round((performance.now() - started) * 10) / 10;
  }
  const nothing = new Float64Array(LABELS.length);
  nothing[OOS_INDEX] = 1;
  return {
    languages: [...models.keys()],
    trainingMs,
    fromCache,
    normalizer,
    classify(text: string, lang: string): IntentResult {
      const base = baseLanguage(lang);
      const model = models.get(base) ?? models.get(fallback);
      const normalized = normalizer.normalize(text, base);
      // Nothing to classify (empty, only punctuation) or no model at all: out of scope.
      if (!model || normalized === '') return resultFromProbabilities(nothing, threshold, rankingSize);
      return resultFromProbabilities(predictProbabilities(model, normalized), threshold, rankingSize);
    },
  };
}
