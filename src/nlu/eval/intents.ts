/**
 * Intent evaluation on a JSONL file ({"text", "intent", "lang", "variant"?} per line), for example
 * ../shared/eval/intents-multi-dev.jsonl. The classifier is trained from locales/<lang>/nlu/ only; the
 * evaluation file is never used for training.
 *
 * Run it: npm run build && node dist/src/nlu/eval/intents.js [data.jsonl] [localesDir] [--cv]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INTENTS } from '../types.js';
import { trainIntentClassifierSync, type TrainIntentClassifierOptions } from '../intents/classifier.js';
import { classificationMetrics, confusedPairs } from '../intents/metrics.js';
import { crossValidateIntents } from '../intents/cross-validate.js';
import { formatTable, type EvalSummary } from './report.js';

export interface IntentEvalRow {
  text: string;
  intent: string;
  lang: string;
  variant?: string;
}

export interface IntentEvalOptions {
  /** Path of the JSONL file. */
  data: string;
  localesDir: string;
  /** Passed on to the classifier (threshold, model settings). */
  classifier?: Omit<TrainIntentClassifierOptions, 'localesDir' | 'languages'>;
}

export interface IntentEvalSummary extends EvalSummary {
  task: 'intents';
  macroF1: number;
  macroF1PerLanguage: Record<string, number>;
  perVariant: Record<string, number>;
  confusions: { gold: string; predicted: string; count: number }[];
  /** Languages that had no training data and were classified by the fallback (English) model. */
  fallbackLanguages: string[];
  trainingMs: number;
  /** Median cost of one classify() call, in milliseconds. */
  classifyMsP50: number;
}

export function readJsonl(path: string): IntentEvalRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as IntentEvalRow);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}`;

export async function evalIntents(options: IntentEvalOptions): Promise<{ table: string; summary: IntentEvalSummary }> {
  const rows = readJsonl(options.data);
  const languages = [...new Set(rows.map((r) => r.lang))];
  const started = performance.now();
  const classifier = trainIntentClassifierSync({ ...options.classifier, localesDir: options.localesDir, languages });
  const trainingMs = performance.now() - started;

  const predicted: string[] = [];
  const times: number[] = [];
  for (const row of rows) {
    const t0 = performance.now();
    predicted.push(classifier.classify(row.text, row.lang).intent);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const gold = rows.map((r) => r.intent);

  const perLanguage: Record<string, number> = {};
  const macroF1PerLanguage: Record<string, number> = {};
  const langRows: (string | number)[][] = [];
  for (const lang of languages) {
    const idx = rows.map((r, i) => (r.lang === lang ? i : -1)).filter((i) => i >= 0);
    const g = idx.map((i) => gold[i]!);
    const p = idx.map((i) => predicted[i]!);
    const labels = INTENTS.filter((intent) => g.includes(intent));
    const m = classificationMetrics(g, p, labels);
    perLanguage[lang] = m.accuracy;
    macroF1PerLanguage[lang] = m.macroF1;
    const oos = p.filter((x) => x === 'out_of_scope').length;
    langRows.push([lang + (classifier.languages.includes(lang) ? '' : ' (en model)'), m.n, pct(m.accuracy), pct(m.macroF1), oos]);
  }
  const overall = classificationMetrics(gold, predicted, INTENTS.filter((intent) => gold.includes(intent)));
  langRows.push(['all', overall.n, pct(overall.accuracy), pct(overall.macroF1), predicted.filter((x) => x === 'out_of_scope').length]);

  const perVariant: Record<string, number> = {};
  const variants = [...new Set(rows.map((r) => r.variant).filter((v): v is string => Boolean(v)))].sort();
  for (const variant of variants) {
    const idx = rows.map((r, i) => (r.variant === variant ? i : -1)).filter((i) => i >= 0);
    perVariant[variant] = idx.filter((i) => gold[i] === predicted[i]).length / idx.length;
  }

  const perIntent = INTENTS.filter((intent) => gold.includes(intent)).map((intent) => {
    const idx = gold.map((g, i) => (g === intent ? i : -1)).filter((i) => i >= 0);
    return [intent, idx.length, pct(idx.filter((i) => predicted[i] === intent).length / idx.length), pct(overall.f1[intent] ?? 0)];
  });
  const confusions = confusedPairs(gold, predicted, 12);
  const classifyMsP50 = times[Math.floor(times.length / 2)] ?? 0;

  const table = [
    formatTable(['language', 'n', 'accuracy %', 'macro-F1 %', 'out_of_scope'], langRows),
    '',
    formatTable(['intent', 'n', 'recall %', 'F1 %'], perIntent),
    '',
    formatTable(['variant', 'accuracy %'], variants.map((v) => [v, pct(perVariant[v]!)])),
    '',
    formatTable(['gold', 'predicted', 'count'], confusions.map((c) => [c.gold, c.predicted, c.count])),
    '',
    `training ${trainingMs.toFixed(0)} ms (${Object.entries(classifier.trainingMs)
      .map(([l, ms]) => `${l} ${ms.toFixed(0)}`)
      .join(', ')}); classify p50 ${(classifyMsP50 * 1000).toFixed(1)} µs, p99 ${((times[Math.floor(times.length * 0.99)] ?? 0) * 1000).toFixed(1)} µs`,
  ].join('\n');

  return {
    table,
    summary: {
      task: 'intents',
      n: rows.length,
      overall: overall.accuracy,
      perLanguage,
      macroF1: overall.macroF1,
      macroF1PerLanguage,
      perVariant,
      confusions,
      fallbackLanguages: languages.filter((l) => !classifier.languages.includes(l)),
      trainingMs,
      classifyMsP50,
    },
  };
}

/** Prints the k-fold cross-validation on the training files (threshold and temperature choice). */
export function crossValidationReport(localesDir: string, languages: readonly string[]): string {
  const cv = crossValidateIntents({ localesDir, languages });
  const rows = Object.entries(cv.perLanguage).map(([lang, m]) => [lang, m.n, pct(m.accuracy), pct(m.macroF1)]);
  return [
    formatTable(['language', 'n', 'cv accuracy %', 'cv macro-F1 %'], rows),
    '',
    `best temperature ${cv.bestTemperature}, best threshold ${cv.bestThreshold}`,
    formatTable(
      ['threshold', 'accuracy %', 'macro-F1 %', 'in-scope %', 'oos recall %'],
      cv.thresholds.map((t) => [t.threshold.toFixed(2), pct(t.accuracy), pct(t.macroF1), pct(t.inScopeAccuracy), pct(t.oosRecall)]),
    ),
    '',
    formatTable(['gold', 'predicted', 'count'], cv.confusions.map((c) => [c.gold, c.predicted, c.count])),
  ].join('\n');
}

const LAUNCH = ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh'];

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const data = args[0] ?? join(process.env['EVAL_DATA_DIR'] ?? '../shared/eval', 'intents-multi-dev.jsonl');
  const localesDir = args[1] ?? 'locales';
  if (process.argv.includes('--cv')) console.log(crossValidationReport(localesDir, LAUNCH));
  else {
    const { table, summary } = await evalIntents({ data, localesDir });
    console.log(table);
    console.log(JSON.stringify({ ...summary, confusions: undefined }));
  }
}
