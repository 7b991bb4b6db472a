/** Accuracy, per-class F1 and macro-F1, and the most confused pairs. */

export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  /** Mean F1 over the labels given (a label never predicted nor gold counts as absent, not as 0). */
  macroF1: number;
  f1: Record<string, number>;
}

export function classificationMetrics(gold: readonly string[], predicted: readonly string[], labels: readonly string[]): ClassificationMetrics {
  if (gold.length !== predicted.length) throw new Error('classificationMetrics: gold and predicted differ in length');
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  let correct = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    const p = predicted[i]!;
    if (g === p) {
      correct++;
      tp.set(g, (tp.get(g) ?? 0) + 1);
    } else {
      fp.set(p, (fp.get(p) ?? 0) + 1);
      fn.set(g, (fn.get(g) ?? 0) + 1);
    }
  }
  const f1: Record<string, number> = {};
  let sum = 0;
  let count = 0;
  for (const label of labels) {
    const t = tp.get(label) ?? 0;
    const p = fp.get(label) ?? 0;
    const n = fn.get(label) ?? 0;
    if (t + p + n === 0) continue;
    const score = (2 * t) / (2 * t + p + n);
    f1[label] = score;
    sum += score;
    count++;
  }
  return { n: gold.length, accuracy: gold.length ? correct / gold.length : 0, macroF1: count ? sum / count : 0, f1 };
}

/** Gold -> predicted pairs that are wrong, most frequent first. */
export function confusedPairs(gold: readonly string[], predicted: readonly string[], top = 10): { gold: string; predicted: string; count: number }[] {
  const counts = new Map<string, number>();
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === predicted[i]) continue;
    const key = `${gold[i]}\t${predicted[i]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => {
      const [g, p] = key.split('\t') as [string, string];
      return { gold: g, predicted: p, count };
    })
    .sort((a, b) => b.count - a.count || a.gold.localeCompare(b.gold) || a.predicted.localeCompare(b.predicted))
    .slice(0, top);
}
