/**
 * One language's intent model: TF-IDF over the features of features.ts (sublinear tf, smoothed idf,
 * each block L2-normalized, the word block weighted) and a softmax regression over the 15 intents plus
 * "out_of_scope".
 */
import { INTENTS, type IntentName } from '../types.js';
import { DEFAULT_FEATURE_OPTIONS, extractFeatures, type FeatureOptions, type Features } from './features.js';
import { DEFAULT_SOFTMAX_OPTIONS, logits, softmaxInPlace, trainSoftmax, type SoftmaxModel, type SoftmaxOptions, type SparseVector } from './softmax.js';

export const OUT_OF_SCOPE = 'out_of_scope';
export type IntentLabel = IntentName | typeof OUT_OF_SCOPE;
/** The model's classes: the 15 intents, then out_of_scope. */
export const LABELS: readonly IntentLabel[] = [...INTENTS, OUT_OF_SCOPE];
export const OOS_INDEX = INTENTS.length;

export interface IntentModelOptions {
  features: FeatureOptions;
  softmax: SoftmaxOptions;
  /** Weight of the word block against the character block (each is L2-normalized first). */
  wordWeight: number;
  /** Softmax temperature applied at prediction (calibration; 1 = none). */
  temperature: number;
  /** Add the count of unknown words as a feature (helps out_of_scope). */
  unknownWords: boolean;
}

export const DEFAULT_MODEL_OPTIONS: IntentModelOptions = {
  features: DEFAULT_FEATURE_OPTIONS,
  softmax: DEFAULT_SOFTMAX_OPTIONS,
  wordWeight: 1,
  temperature: 0.8,
  unknownWords: true,
};

export interface TrainingExample {
  /** Already normalized. */
  text: string;
  label: IntentLabel;
}

export interface IntentModel {
  lang: string;
  options: IntentModelOptions;
  stopwords: ReadonlySet<string>;
  charIndex: Map<string, number>;
  wordIndex: Map<string, number>;
  idf: Float32Array;
  softmax: SoftmaxModel;
}

function featuresOf(text: string, model: Pick<IntentModel, 'lang' | 'stopwords' | 'options'>): Features {
  return extractFeatures(text, model.lang, model.stopwords, model.options.features);
}

function block(counts: Map<string, number>, index: Map<string, number>, idf: Float32Array, weight: number, indices: number[], values: number[]): void {
  const start = values.length;
  let norm = 0;
  for (const [key, count] of counts) {
    const j = index.get(key);
    if (j === undefined) continue;
    const value = (1 + Math.log(count)) * idf[j]!;
    indices.push(j);
    values.push(value);
    norm += value * value;
  }
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (let k = start; k < values.length; k++) values[k]! *= scale;
}

type Vectorizer = Pick<IntentModel, 'lang' | 'stopwords' | 'options' | 'charIndex' | 'wordIndex' | 'idf'>;

export function vectorize(model: Vectorizer, text: string): SparseVector {
  return vectorizeFeatures(model, withUnknownCount(model, featuresOf(text, model), (key) => !model.wordIndex.has(key)));
}

const UNKNOWN = 't:<unknown>';

/**
 * Adds the count of unknown words as one more word feature, so that text made of words the model has
 * never seen leans towards out_of_scope. In training a word counts as unknown when only this one
 * utterance has it (it would be unknown had the utterance been held out); at prediction, when the
 * vocabulary lacks it.
 */
function withUnknownCount(model: Vectorizer, f: Features, isUnknown: (key: string) => boolean): Features {
  if (!model.options.unknownWords) return f;
  let unknown = 0;
  for (const [key, count] of f.words) if (key.startsWith('w:') && isUnknown(key)) unknown += count;
  if (unknown === 0) return f;
  const words = new Map(f.words);
  words.set(UNKNOWN, unknown);
  return { chars: f.chars, words };
}

function vectorizeFeatures(model: Vectorizer, f: Features): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  block(f.chars, model.charIndex, model.idf, 1, indices, values);
  block(f.words, model.wordIndex, model.idf, model.options.wordWeight, indices, values);
  return { indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

export function trainIntentModel(lang: string, examples: readonly TrainingExample[], stopwords: ReadonlySet<string>, options: IntentModelOptions = DEFAULT_MODEL_OPTIONS): IntentModel {
  const shell = { lang, stopwords, options };
  const extracted = examples.map((e) => featuresOf(e.text, shell));
  const charIndex = new Map<string, number>();
  const wordIndex = new Map<string, number>();
  const df: number[] = [];
  for (const f of extracted) {
    for (const key of f.chars.keys()) {
      let j = charIndex.get(key);
      if (j === undefined) {
        j = df.length;
        charIndex.set(key, j);
        df.push(0);
      }
      df[j]!++;
    }
  }
  for (const f of extracted) {
    for (const key of f.words.keys()) {
      let j = wordIndex.get(key);
      if (j === undefined) {
        j = df.length;
        wordIndex.set(key, j);
        df.push(0);
      }
      df[j]!++;
    }
  }
  if (options.unknownWords) {
    wordIndex.set(UNKNOWN, df.length);
    df.push(extracted.filter((f) => [...f.words.keys()].some((key) => key.startsWith('w:') && df[wordIndex.get(key)!] === 1)).length);
  }
  const n = examples.length;
  const idf = Float32Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
  const partial = { ...shell, charIndex, wordIndex, idf };
  const xs = extracted.map((f) => vectorizeFeatures(partial, withUnknownCount(partial, f, (key) => df[wordIndex.get(key)!] === 1)));
  const labelIndex = new Map(LABELS.map((label, i) => [label, i] as const));
  const ys = examples.map((e) => labelIndex.get(e.label)!);
  const softmax = trainSoftmax(xs, ys, df.length, LABELS.length, options.softmax);
  return { ...partial, softmax };
}

/** Class probabilities (LABELS order) of a normalized text. */
export function predictProbabilities(model: IntentModel, normalized: string): Float64Array {
  return softmaxInPlace(logits(model.softmax, vectorize(model, normalized)), model.options.temperature);
}

/** Raw scores (LABELS order), for calibration. */
export function predictLogits(model: IntentModel, normalized: string): Float64Array {
  return logits(model.softmax, vectorize(model, normalized));
}
