/** Intent classification: per-language TF-IDF (character n-grams + words) and softmax regression. */
export {
  trainIntentClassifier,
  trainIntentClassifierSync,
  loadIntentData,
  DEFAULT_THRESHOLD,
  type IntentClassifier,
  type TrainedIntentClassifier,
  type TrainIntentClassifierOptions,
  type IntentData,
} from './classifier.js';
export { crossValidateIntents, type CrossValidationOptions, type CrossValidationResult } from './cross-validate.js';
export { classificationMetrics, confusedPairs, type ClassificationMetrics } from './metrics.js';
export { DEFAULT_MODEL_OPTIONS, LABELS, OUT_OF_SCOPE, type IntentLabel, type IntentModelOptions } from './model.js';
