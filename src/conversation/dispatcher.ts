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

/** A reply to send, before it has a place in the outbox. */
export type Reply = Omit<OutboxEntry, 'version'>;

/**
 * Sends replies and retries failures with back-off. A turn's replies are sent straight away; only a
 * reply that fails is written to the outbox, with the replies after it, and retried from there. A
 * conversation with replies waiting in the outbox sends its new replies behind them, so nothing
 * overtakes a reply that is being retried.
 */
export class OutboxDispatcher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  /** Conversations with replies waiting in the outbox (known to this process). */
  private readonly waiting = new Set<string>();

  constructor(private readonly options: DispatcherOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.random = options.random ?? Math.random;
  }

  /** Sends a committed turn's replies in order; whatever cannot be sent now goes to the outbox. */
  async sendTurn(replies: readonly Reply[]): Promise<void> {
    const first = replies[0];
    if (!first) return;
    if (this.waiting.has(first.conversationId)) {
      await this.queue(replies, this.options.clock.now());
      return;
    }
    for (const [index, reply] of replies.entries()) {
      const failure = await this.trySend(reply);
      if (failure) {
        const retryAt = this.retryTime(1);
        await this.queue([{ ...reply, attempts: 1, lastError: failure, nextAttemptAt: retryAt }, ...replies.slice(index + 1).map((r) => ({ ...r, nextAttemptAt: retryAt }))], retryAt);
        return;
      }
    }
  }

  /** Puts replies in the outbox for the sweep (used for failures and crash recovery). */
  async queue(replies: readonly Reply[], nextAttemptAt: number): Promise<void> {
    if (replies.length === 0) return;
    await this.options.outbox.enqueue(replies.map((reply) => ({ ...reply, status: 'pending', nextAttemptAt: Math.max(reply.nextAttemptAt, nextAttemptAt) })));
    for (const reply of replies) this.waiting.add(reply.conversationId);
  }

  /** Sends everything due now, oldest first, stopping per conversation at the first failure. */
  sweep(limit = 100): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const due = await this.options.outbox.due(this.options.clock.now(), limit);
        const blocked = new Set<string>();
        for (const entry of due) {
          if (blocked.has(entry.conversationId)) continue;
          // Only the oldest waiting reply of a conversation may go; the rest wait for it, even if due.
          const head = await this.options.outbox.oldestPending(entry.conversationId);
          if (head?.id !== entry.id || !(await this.retry(entry))) blocked.add(entry.conversationId);
        }
        for (const conversationId of new Set(due.map((entry) => entry.conversationId))) {
          if (!blocked.has(conversationId) && (await this.options.outbox.pendingCount(conversationId)) === 0) this.waiting.delete(conversationId);
        }
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  /** Learns which conversations have replies waiting (at start, from the store). */
  async load(): Promise<void> {
    for (const entry of await this.options.outbox.pending(10_000)) this.waiting.add(entry.conversationId);
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

  /** Sends whatever is due now (used on shutdown and by tests). */
  async flush(): Promise<void> {
    if (this.sweeping) await this.sweeping;
    await this.sweep(1000);
  }

  /** Retries one outbox entry; true when it was sent. */
  private async retry(entry: OutboxEntry): Promise<boolean> {
    const attempt = entry.attempts + 1;
    const failure = await this.trySend({ ...entry, attempts: entry.attempts });
    const { clock, logger, outbox } = this.options;
    try {
      if (!failure) {
        await outbox.save({ ...entry, status: 'sent', attempts: attempt, sentAt: clock.now(), lastError: null }, entry.version);
        return true;
      }
      const dead = attempt >= this.maxAttempts;
      if (dead) logger.error({ outboxId: entry.id, conversationId: entry.conversationId, attempt, err: failure }, 'giving up on a reply after the last attempt');
      await outbox.save({ ...entry, status: dead ? 'dead' : 'pending', attempts: attempt, nextAttemptAt: this.retryTime(attempt), lastError: failure }, entry.version);
      // A dead reply no longer holds the conversation back.
      return dead;
    } catch (error) {
      // Another process moved the entry on (sent it, or recorded its own attempt): leave it to that one.
      if (error instanceof VersionConflictError) return false;
      throw error;
    }
  }

  /** Renders and sends one reply; returns the failure's description, or undefined when sent. */
  private async trySend(reply: Reply): Promise<string | undefined> {
    const adapter = this.options.adapters.get(reply.transport);
    try {
      if (!adapter) throw new Error(`no adapter is registered for transport "${reply.transport}"`);
      const caps = this.options.capabilitiesOf(reply.channel);
      const messages = adapter.render ? adapter.render(reply.message, caps) : renderForCapabilities(reply.message, caps);
      await adapter.send({
        idempotencyKey: reply.id,
        conversationId: reply.conversationId,
        channel: reply.channel,
        address: reply.address,
        locale: reply.locale,
        messages,
        attempt: reply.attempts + 1,
      });
      return undefined;
    } catch (error) {
      const description = describeError(error);
      this.options.logger.warn({ outboxId: reply.id, conversationId: reply.conversationId, transport: reply.transport, attempt: reply.attempts + 1, err: description }, 'reply not sent');
      return description;
    }
  }

  private retryTime(attempt: number): number {
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)) * (0.8 + 0.4 * this.random());
    return this.options.clock.now() + Math.round(delay);
  }
}
