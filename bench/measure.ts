/**
 * Measuring helpers shared by all benchmark runners, so every implementation is timed and
 * weighed the same way.
 */

/**
 * Nearest-rank percentile of an ascending-sorted sample.
 * @param sortedMs samples sorted ascending (caller sorts once, then asks for several p)
 * @param p percentile in [0, 100]
 */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) throw new RangeError('percentile of an empty sample');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sortedMs.length));
  return sortedMs[rank - 1] as number;
}

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  count: number;
}

/** Collects per-operation durations measured with process.hrtime.bigint(). */
export class LatencyRecorder {
  // Stored as ms numbers: bigint arrays are slower to sort and need converting anyway.
  private readonly samplesMs: number[] = [];

  record(ns: bigint): void {
    this.samplesMs.push(Number(ns) / 1e6);
  }

  get count(): number {
    return this.samplesMs.length;
  }

  summary(): LatencySummary {
    const sorted = [...this.samplesMs].sort((a, b) => a - b);
    return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), count: sorted.length };
  }
}

/** Runs a full GC several times (weak refs / finalizers can free more on later passes). */
export function forceGc(rounds = 4): void {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') {
    throw new Error('global.gc is not available: run node with --expose-gc (e.g. `node --expose-gc bench/....js`)');
  }
  for (let r = 0; r < rounds; r++) gc();
}

/** GC, letting pending microtasks/immediates run between passes so their garbage is collectable too. */
export async function settleHeap(rounds = 4): Promise<number> {
  for (let r = 0; r < rounds; r++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    forceGc(1);
  }
  return process.memoryUsage().heapUsed;
}

export interface HeapPerItem<T> {
  bytesPerItem: number;
  heapUsedBefore: number;
  heapUsedAfter: number;
  /** Whatever create() returned; kept alive through the "after" measurement. */
  keep: T[];
}

/**
 * Heap retained per item: settles the heap, creates n items sequentially, settles again and
 * divides the difference by n. Anything the items depend on (storage, adapter, ...) must be
 * reachable from the caller or from the returned values, or it is not counted.
 */
export async function measureHeapPerItem<T>(n: number, create: (i: number) => Promise<T>): Promise<HeapPerItem<T>> {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`n must be a positive integer, got ${n}`);
  forceGc(1); // fail fast without --expose-gc, before doing any work
  // Allocated before the baseline so its backing store is not charged to the items.
  const keep = new Array<T>(n);
  const heapUsedBefore = await settleHeap();
  for (let i = 0; i < n; i++) keep[i] = await create(i);
  const heapUsedAfter = await settleHeap();
  return { bytesPerItem: (heapUsedAfter - heapUsedBefore) / n, heapUsedBefore, heapUsedAfter, keep };
}
