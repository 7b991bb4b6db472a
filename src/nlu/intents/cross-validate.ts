/**
 * Stratified k-fold cross-validation on the training files (never on evaluation data): per-language
 * accuracy and macro-F1 of held-out folds, and the temperature and out_of_scope threshold that fit the
 * out-of-fold predictions best. Used to choose DEFAULT_THRESHOLD and the model defaults.
 */
import { INTENTS } from '../types.js';
import { baseLanguage, createNormalizer, loadLexicons, type Normalizer } from '../normalize.js';
import { examplesOf, loadIntentData, resultFromProbabilities } from './classifier.js';
import { classificationMetrics, confusedPairs, type ClassificationMetrics } from './metrics.js';
import { DEFAULT_MODEL_OPTIONS, LABELS, OUT_OF_SCOPE, predictLogits, trainIntentModel, type IntentModelOptions, type TrainingExample } from './model.js';
import { seededRandom, shuffleInPlace, softmaxInPlace } from './softmax.js';

export interface CrossValidationOptions {
  localesDir: string;
  languages: readonly string[];
  folds?: number;
  seed?: number;
  model?: Partial<IntentModelOptions>;
  normalizer?: Normalizer;
  /** Thresholds to try (default 0, 0.05, ..., 0.6). */
  thresholds?: readonly number[];
  /** Temperatures to try (default 0.25 ... 3). */
  temperatures?: readonly number[];
}

export interface OutOfFoldPrediction {
  lang: string;
  gold: string;
  /** Raw scores in LABELS order. */
  logits: Float64Array;
}

export interface CrossValidationResult {
  /** At temperature 1 and threshold 0 (argmax over the 16 classes). */
  perLanguage: Record<string, ClassificationMetrics>;
  overall: ClassificationMetrics;
  /** Accuracy and 16-class macro-F1 (out_of_scope is a class) per threshold, at the best temperature. */
  thresholds: { threshold: number; accuracy: number; macroF1: number; inScopeAccuracy: number; oosRecall: number }[];
  bestThreshold: number;
  bestTemperature: number;
  confusions: { gold: string; predicted: string; count: number }[];
  predictions: OutOfFoldPrediction[];
}

function stratifiedFolds(examples: readonly TrainingExample[], k: number, seed: number): number[] {
  const fold = new Array<number>(examples.length).fill(0);
  const random = seededRandom(seed);
  for (const label of LABELS) {
    const idx = examples.map((e, i) => (e.label === label ? i : -1)).filter((i) => i >= 0);
    shuffleInPlace(idx, random);
    idx.forEach((i, j) => (fold[i] = j % k));
  }
  return fold;
}

export function crossValidateIntents(options: CrossValidationOptions): CrossValidationResult {
  const k = options.folds ?? 5;
  const seed = options.seed ?? 7;
  const modelOptions: IntentModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...options.model };
  const normalizer = options.normalizer ?? createNormalizer(loadLexicons(options.localesDir));
  const predictions: OutOfFoldPrediction[] = [];
  const perLanguage: Record<string, ClassificationMetrics> = {};
  for (const lang of options.languages.map(baseLanguage)) {
    const data = loadIntentData(options.localesDir, lang);
    if (!data) continue;
    const examples = examplesOf(data, lang, normalizer);
    const fold = stratifiedFolds(examples, k, seed);
    const stop = normalizer.stopwords(lang);
    const gold: string[] = [];
    const predicted: string[] = [];
    for (let f = 0; f < k; f++) {
      const train = examples.filter((_, i) => fold[i] !== f);
      const model = trainIntentModel(lang, train, stop, modelOptions);
      examples.forEach((e, i) => {
        if (fold[i] !== f) return;
        const scores = predictLogits(model, e.text);
        predictions.push({ lang, gold: e.label, logits: scores });
        let best = 0;
        for (let c = 1; c < scores.length; c++) if (scores[c]! > scores[best]!) best = c;
        gold.push(e.label);
        predicted.push(LABELS[best]!);
      });
    }
    perLanguage[lang] = classificationMetrics(gold, predicted, LABELS);
  }
  const allGold = predictions.map((p) => p.gold);
  const argmax = predictions.map((p) => {
    let best = 0;
    for (let c = 1; c < p.logits.length; c++) if (p.logits[c]! > p.logits[best]!) best = c;
    return LABELS[best]!;
  });

  const labelIndex = new Map<string, number>(LABELS.map((label, i) => [label, i]));
  // Temperature: minimum negative log-likelihood of the out-of-fold scores.
  const temperatures = options.temperatures ?? [0.25, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 2, 3];
  let bestTemperature = 1;
  let bestNll = Infinity;
  for (const t of temperatures) {
    let nll = 0;
    for (const p of predictions) {
      const probs = softmaxInPlace(Float64Array.from(p.logits), t);
      nll -= Math.log(Math.max(1e-12, probs[labelIndex.get(p.gold) ?? 0]!));
    }
    if (nll < bestNll) {
      bestNll = nll;
      bestTemperature = t;
    }
  }

  const thresholdsToTry = options.thresholds ?? Array.from({ length: 13 }, (_, i) => Math.round(i * 5) / 100);
  const probsAll = predictions.map((p) => softmaxInPlace(Float64Array.from(p.logits), bestTemperature));
  const labels16 = [...INTENTS, OUT_OF_SCOPE];
  const thresholds = thresholdsToTry.map((threshold) => {
    const predicted = probsAll.map((probs) => resultFromProbabilities(probs, threshold).intent);
    const inScope = predictions.map((p, i) => (p.gold === OUT_OF_SCOPE ? -1 : i)).filter((i) => i >= 0);
    const oos = predictions.map((p, i) => (p.gold === OUT_OF_SCOPE ? i : -1)).filter((i) => i >= 0);
    const m = classificationMetrics(allGold, predicted, labels16);
    return {
      threshold,
      accuracy: m.accuracy,
      macroF1: m.macroF1,
      inScopeAccuracy: inScope.filter((i) => predicted[i] === allGold[i]).length / (inScope.length || 1),
      oosRecall: oos.filter((i) => predicted[i] === OUT_OF_SCOPE).length / (oos.length || 1),
    };
  });
  // Best macro-F1 over the 16 classes (out_of_scope weighs as much as each intent, though it is rare in
  // the training files); among equals the lowest threshold.
  let best = thresholds[0]!;
  for (const t of thresholds) if (t.macroF1 > best.macroF1 + 1e-9) best = t;
  return {
    perLanguage,
    overall: classificationMetrics(allGold, argmax, [...INTENTS, OUT_OF_SCOPE]),
    thresholds,
    bestThreshold: best.threshold,
    bestTemperature,
    confusions: confusedPairs(allGold, argmax, 15),
    predictions,
  };
}
