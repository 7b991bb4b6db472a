/**
 * Cost of one language detection, for the benchmark and the langid evaluation. The model is loaded
 * (and its load time excluded) before anything is timed.
 */
import { loadLanguageDetector, type LanguageAnalyzer } from '../language.js';

export const LAUNCH_LANGUAGES = ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh'] as const;

export interface CostOptions {
  supported?: readonly string[];
  /** Timed calls at least (samples are repeated to reach it); default 5000. */
  minCalls?: number;
  /** Reuse a detector instead of creating one. */
  detector?: LanguageAnalyzer;
}

/** Times `analyze()` once per call (hrtime), after a warm-up pass; percentiles in microseconds. */
export async function measureLanguageCost(samples: string[], options: CostOptions = {}): Promise<{ p50Us: number; p99Us: number }> {
  if (samples.length === 0) return { p50Us: 0, p99Us: 0 };
  const detector = options.detector ?? (await loadLanguageDetector({ supported: options.supported ?? LAUNCH_LANGUAGES }));
  // Warm-up lets the JIT settle so the figures describe a running server, not a cold start.
  for (const text of samples) detector.analyze(text);
  const calls = Math.max(options.minCalls ?? 5000, samples.length);
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const text = samples[i % samples.length] as string;
    const started = process.hrtime.bigint();
    detector.analyze(text);
    times[i] = Number(process.hrtime.bigint() - started) / 1000;
  }
  times.sort();
  const at = (q: number) => Math.round((times[Math.min(calls - 1, Math.floor(q * calls))] ?? 0) * 10) / 10;
  return { p50Us: at(0.5), p99Us: at(0.99) };
}
