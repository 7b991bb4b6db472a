/**
 * Runs tasks one at a time per key, in the order they were queued, while different keys run
 * concurrently. This is what keeps one conversation's turns in arrival order.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    this.inFlight++;
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      // Forget the key once its last task is done, so idle conversations cost nothing here.
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.inFlight--;
      if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
    return result;
  }

  get size(): number {
    return this.inFlight;
  }

  /** Resolves when every queued task has finished (used to drain on shutdown). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
