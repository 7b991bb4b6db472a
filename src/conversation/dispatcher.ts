import type { ChannelAdapter } from '../core/adapter.js';
import { renderForCapabilities, type ChannelCapabilities } from '../core/capabilities.js';
import { describeError, VersionConflictError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/runtime.js';
import type { OutboxEntry } from '../storage/records.js';
import type { OutboxStore } from '../storage/stores.js';

export interface DispatcherOptions {
  outbox: OutboxStore;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  /** Capabilities of a channel (the registered adapter's, else the built-in table). */
  capabilitiesOf: (channel: string) => ChannelCapabilities;
  clock: Clock;
  logger: Logger;
  /** Attempts before a reply is given up as dead. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, capped at maxDelayMs, with ±20% jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/**
 * Sends committed replies and retries failures with back-off. Replies are sent in order per
 * conversation; a failed reply holds back the later ones of its conversation so they never overtake it.
 */
export class OutboxDispatcher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private readonly sending = new Set<Promise<void>>();
  /** Ids being sent by this process, so a sweep never sends a reply a turn is already sending. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly options: DispatcherOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.random = options.random ?? Math.random;
  }

  /** Sends one turn's replies now, in order. */
  deliver(entries: readonly OutboxEntry[]): Promise<void> {
    const work = (async () => {
      for (const [index, entry] of entries.entries()) {
        const retryAt = await this.attempt(entry);
        if (retryAt !== undefined) {
          // Later replies of the turn wait behind the failed one so they never overtake it.
          for (const later of entries.slice(index + 1)) await this.record(later, { nextAttemptAt: retryAt });
          break;
        }
      }
    })();
    this.sending.add(work);
    void work.finally(() => this.sending.delete(work));
    return work;
  }

  /** Sends everything due now (pending replies whose retry time has come). */
  sweep(limit = 100): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const due = await this.options.outbox.due(this.options.clock.now(), limit);
        const blocked = new Set<string>();
        for (const entry of due) {
          if (blocked.has(entry.conversationId) || this.inFlight.has(entry.id)) continue;
          if ((await this.attempt(entry)) !== undefined) blocked.add(entry.conversationId);
        }
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.options.logger.error({ err: error }, 'outbox sweep failed'));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Waits for sends under way, then sends whatever is due (used on shutdown). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.sending]);
    await this.sweep(1000);
  }

  /** Tries one reply; returns undefined when sent, else the time of the next attempt. */
  private async attempt(entry: OutboxEntry): Promise<number | undefined> {
    this.inFlight.add(entry.id);
    try {
      return await this.tryOnce(entry);
    } finally {
      this.inFlight.delete(entry.id);
    }
  }

  private async tryOnce(entry: OutboxEntry): Promise<number | undefined> {
    const { adapters, clock, logger } = this.options;
    const adapter = adapters.get(entry.transport);
    const attempt = entry.attempts + 1;
    try {
      if (!adapter) throw new Error(`no adapter is registered for transport "${entry.transport}"`);
      const caps = this.options.capabilitiesOf(entry.channel);
      const messages = adapter.render ? adapter.render(entry.message, caps) : renderForCapabilities(entry.message, caps);
      await adapter.send({
        idempotencyKey: entry.id,
        conversationId: entry.conversationId,
        channel: entry.channel,
        address: entry.address,
        locale: entry.locale,
        messages,
        attempt,
      });
      await this.record(entry, { status: 'sent', attempts: attempt, sentAt: clock.now(), lastError: null });
      return undefined;
    } catch (error) {
      const dead = attempt >= this.maxAttempts;
      const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)) * (0.8 + 0.4 * this.random());
      logger[dead ? 'error' : 'warn'](
        { outboxId: entry.id, conversationId: entry.conversationId, transport: entry.transport, attempt, err: describeError(error) },
        dead ? 'giving up on a reply after the last attempt' : 'reply not sent; will retry',
      );
      const nextAttemptAt = clock.now() + Math.round(delay);
      await this.record(entry, { status: dead ? 'dead' : 'pending', attempts: attempt, nextAttemptAt, lastError: describeError(error) }).catch(
        (recordError: unknown) => logger.error({ err: recordError, outboxId: entry.id }, 'could not record a failed send'),
      );
      return nextAttemptAt;
    }
  }

  /** Saves a change to an entry; another process may have moved it on, so a conflict re-reads once. */
  private async record(entry: OutboxEntry, change: Partial<OutboxEntry>): Promise<void> {
    try {
      await this.options.outbox.save({ ...entry, ...change }, entry.version);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const current = await this.options.outbox.get(entry.id);
      if (current && current.status === 'pending') await this.options.outbox.save({ ...current, ...change }, current.version);
    }
  }
}
