import type { InboundActivity, OutboundMessage } from '../core/activity.js';
import type { TurnOutcome } from '../core/adapter.js';
import { DuplicateKeyError, MeridianError, VersionConflictError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Clock, IdGenerator } from '../core/runtime.js';
import type { Translate } from '../i18n/catalog.js';
import type { ConversationRecord, CustomerRecord, InboxEntry } from '../storage/records.js';
import type { Stores } from '../storage/stores.js';
import { createTurnContext, type Services, type TurnContext } from './context.js';
import { conversationIdFor, customerIdFor } from './conversation-id.js';
import type { OutboxDispatcher, Reply } from './dispatcher.js';
import { KeyedQueue } from './keyed-queue.js';
import { validateActivity, type ActivityLimits } from './validate.js';
import { containsCardNumber } from '../privacy/pii.js';
import { redactCardNumbers } from '../privacy/redact.js';
import { identityRecord, resolveCustomer } from '../identity/profiles.js';

export type ErrorHandler = (error: unknown, ctx: TurnContext) => void | Promise<void>;

export interface TurnRunnerOptions {
  stores: Stores;
  pipeline: (ctx: TurnContext) => Promise<void>;
  dispatcher: OutboxDispatcher;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  translatorFor: (locale: string) => Translate;
  defaultLocale: string;
  services: Services;
  limits: ActivityLimits;
  onError: ErrorHandler;
  /** Times a turn is re-run after a version conflict before it is given up. */
  maxAttempts?: number;
  /** Fault injection for crash tests: called right after a turn's state is saved, before its replies are queued. */
  afterCommit?: (inboxId: string) => void;
}

/** A finished turn: its replies have been sent, or queued in the outbox for retry. */
export type TurnResult = TurnOutcome;

/**
 * Runs turns: accept into the inbox (dedupe), queue per conversation, run the pipeline on fresh state,
 * save with expectedVersion (a conflict re-runs the turn), then queue the replies in the outbox.
 */
export class TurnRunner {
  private readonly queue = new KeyedQueue();
  private readonly maxAttempts: number;
  private accepting = true;

  constructor(private readonly options: TurnRunnerOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  conversationIdFor(activity: Pick<InboundActivity, 'channel' | 'conversationKey'>): string {
    return conversationIdFor(activity.channel, activity.conversationKey);
  }

  /** Runs a whole turn and resolves with its outcome. */
  async receive(activity: InboundActivity): Promise<TurnResult> {
    return (await this.accept(activity)).turn;
  }

  /**
   * Stores the message in the inbox and queues its turn. Resolves as soon as the message is safely
   * stored, so a webhook can be acknowledged fast; `turn` settles when the turn is done.
   */
  async accept(activity: InboundActivity): Promise<{ inboxId: string; duplicate: boolean; turn: Promise<TurnResult> }> {
    if (!this.accepting) throw new MeridianError('shutting_down', 'Meridian is shutting down and accepts no new messages', { status: 503 });
    validateActivity(activity, this.options.limits);
    // A card number is never stored: not in the inbox, not in the raw payload, not in logs.
    if (containsCardNumber(activity.text)) {
      const { raw: _raw, ...rest } = activity;
      activity = { ...rest, text: redactCardNumbers(activity.text), cardNumberRemoved: true };
    }
    const conversationId = this.conversationIdFor(activity);
    const entry: InboxEntry = {
      id: `${activity.channel}:${activity.id}`,
      version: 1,
      conversationId,
      status: 'received',
      receivedAt: this.options.clock.now(),
      activity,
    };
    const accepted = await this.options.stores.inbox.accept(entry);
    // A redelivery waits behind the original in the same queue, then reports what the original answered.
    const turn = accepted ? this.queue.run(conversationId, () => this.process(entry)) : this.queue.run(conversationId, () => this.duplicateOutcome(entry));
    return { inboxId: entry.id, duplicate: !accepted, turn };
  }

  /**
   * Finishes turns a crash interrupted. A turn whose state was saved gets its replies (saved with the
   * state) queued for sending; a turn that never saved is run again.
   */
  async recover(): Promise<{ resent: number; rerun: number }> {
    const { stores, dispatcher, clock } = this.options;
    let resent = 0;
    let rerun = 0;
    for (const entry of await stores.inbox.unfinished()) {
      const conversation = await stores.conversations.get(entry.conversationId);
      if (conversation && conversation.lastInboxId === entry.id) {
        // Sending may have happened before the crash: at-least-once, with a stable idempotency key per reply.
        await dispatcher.queue(this.replies(conversation, entry), clock.now());
        await stores.inbox.finish(entry, 'done', conversation.lastReplies);
        resent++;
      } else {
        void this.queue.run(entry.conversationId, () => this.process(entry)).catch((error: unknown) => {
          this.options.logger.error({ err: error, inboxId: entry.id }, 'recovered turn failed');
        });
        rerun++;
      }
    }
    return { resent, rerun };
  }

  /** Stops accepting messages and waits for the turns under way. */
  async drain(): Promise<void> {
    this.accepting = false;
    await this.queue.idle();
  }

  get activeTurns(): number {
    return this.queue.size;
  }

  private async duplicateOutcome(entry: InboxEntry): Promise<TurnResult> {
    const { stores, defaultLocale } = this.options;
    const [conversation, original] = await Promise.all([stores.conversations.get(entry.conversationId), stores.inbox.get(entry.id)]);
    return {
      conversationId: entry.conversationId,
      inboxId: entry.id,
      locale: conversation?.locale ?? defaultLocale,
      duplicate: true,
      replies: original?.replies ?? [],
    };
  }

  /**
   * One turn: load fresh state, run the pipeline, save with expectedVersion (a conflict re-runs the
   * turn), send the replies (failures go to the outbox), then log the turn in the inbox entry.
   */
  private async process(entry: InboxEntry): Promise<TurnResult> {
    const { stores, logger, dispatcher } = this.options;
    let lastConflict: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const turnId = this.options.ids('turn');
      // pino serializes a child's bindings up front: skip that work when nothing would be logged.
      const log = logger.isLevelEnabled('fatal') ? logger.child({ turnId, conversationId: entry.conversationId, inboxId: entry.id, attempt }) : logger;
      const { conversation, expectedVersion } = await this.loadConversation(entry);
      const customer = await this.loadCustomer(conversation);
      const ctx = this.context(entry, conversation, customer, turnId, attempt, log);
      const started = process.hrtime.bigint();
      await this.runPipeline(ctx, entry);
      let saved: ConversationRecord;
      try {
        saved = await this.commit(ctx.conversation, ctx.replies, ctx.locale, entry, expectedVersion);
      } catch (error) {
        if (!(error instanceof VersionConflictError || error instanceof DuplicateKeyError)) throw error;
        lastConflict = error;
        log.debug('conversation changed during the turn; re-running it on fresh state');
        continue;
      }
      this.options.afterCommit?.(entry.id);
      // The message and the new state must be on disk before any reply leaves.
      await stores.backend.flush?.();
      await dispatcher.sendTurn(this.replies(saved, entry));
      const understood = ctx.nlu?.intent;
      await stores.inbox.finish(entry, 'done', saved.lastReplies, undefined, understood ? { name: understood.intent, confidence: Math.round(understood.confidence * 1000) / 1000 } : undefined);
      if (log.isLevelEnabled('info')) log.info({ ms: Number(process.hrtime.bigint() - started) / 1e6, replies: saved.lastReplies.length, locale: saved.locale }, 'turn done');
      return {
        conversationId: saved.id,
        inboxId: entry.id,
        locale: saved.locale ?? this.options.defaultLocale,
        duplicate: false,
        replies: saved.lastReplies,
      };
    }
    await stores.inbox.finish(entry, 'failed', [], describeError(lastConflict)).catch(() => undefined);
    throw new MeridianError('turn_failed', `the conversation kept changing; gave up after ${this.maxAttempts} attempts`, { cause: lastConflict, status: 503 });
  }

  /** Runs the pipeline; on an error the state changes of the turn are dropped and the customer gets an apology. */
  private async runPipeline(ctx: TurnContext, entry: InboxEntry): Promise<void> {
    try {
      await this.options.pipeline(ctx);
    } catch (error) {
      ctx.log.error({ err: error }, 'turn failed');
      try {
        await this.options.onError(error, ctx);
      } catch (handlerError) {
        ctx.log.error({ err: handlerError }, 'the error handler failed too');
      }
      // Drop whatever the failed turn changed: reload. If the state moved on meanwhile, the save conflicts and re-runs.
      ctx.conversation = (await this.loadConversation(entry)).conversation;
      ctx.replies.splice(0, ctx.replies.length, { text: ctx.t('error.generic') });
    }
  }

  private context(entry: InboxEntry, conversation: ConversationRecord, customer: CustomerRecord, turnId: string, attempt: number, log: Logger): TurnContext {
    const locale = conversation.locale ?? this.options.defaultLocale;
    return createTurnContext({
      turnId,
      attempt,
      activity: entry.activity,
      conversation,
      customer,
      locale,
      translatorFor: this.options.translatorFor,
      log,
      clock: this.options.clock,
      stores: this.options.stores,
      services: this.options.services,
      idempotencyKey: entry.id,
    });
  }

  private async loadConversation(entry: InboxEntry): Promise<{ conversation: ConversationRecord; expectedVersion: number }> {
    const existing = await this.options.stores.conversations.get(entry.conversationId);
    if (existing) return { conversation: existing, expectedVersion: existing.version };
    const now = new Date(this.options.clock.now()).toISOString();
    const { activity } = entry;
    return {
      expectedVersion: 0,
      conversation: {
        id: entry.conversationId,
        version: 0,
        key: activity.conversationKey,
        channel: activity.channel,
        address: activity.address,
        customerId: customerIdFor(activity.address),
        locale: null,
        localeSource: null,
        dialogs: [],
        lastInboxId: null,
        lastReplies: [],
        turnCount: 0,
        handoff: null,
        data: {},
        createdAt: now,
        updatedAt: now,
      },
    };
  }

  /** The identity's own record (created on first sight), or the profile it is linked into. */
  private async loadCustomer(conversation: ConversationRecord): Promise<CustomerRecord> {
    // conversation.customerId is the hash of this address (set when the conversation began): no need to hash again.
    return resolveCustomer(this.options.stores, await identityRecord(this.options.stores, conversation.address, this.options.clock, conversation.customerId));
  }

  private commit(
    conversation: ConversationRecord,
    replies: OutboundMessage[],
    locale: string,
    entry: InboxEntry,
    expectedVersion: number,
  ): Promise<ConversationRecord> {
    const next: ConversationRecord = {
      ...conversation,
      locale: conversation.locale ?? locale,
      lastInboxId: entry.id,
      lastReplies: replies,
      turnCount: conversation.turnCount + 1,
      updatedAt: new Date(this.options.clock.now()).toISOString(),
    };
    const { conversations } = this.options.stores;
    return expectedVersion === 0 ? conversations.create(next) : conversations.save(next, expectedVersion);
  }

  /** The turn's replies as outbox entries; ids are stable per turn so a retry or recovery never duplicates them. */
  private replies(conversation: ConversationRecord, entry: InboxEntry): Reply[] {
    const now = this.options.clock.now();
    return conversation.lastReplies.map((message, seq) => ({
      id: `${entry.id}#${String(seq).padStart(2, '0')}`,
      conversationId: conversation.id,
      inboxId: entry.id,
      seq,
      channel: conversation.channel,
      // Replies go back the way the message came: a real channel, or the emulator.
      transport: entry.activity.transport,
      address: conversation.address,
      locale: conversation.locale ?? this.options.defaultLocale,
      message,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      sentAt: null,
      lastError: null,
    }));
  }
}
