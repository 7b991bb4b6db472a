import type { Button, InboundActivity, OutboundMessage } from '../core/activity.js';
import type { Clock } from '../core/runtime.js';
import type { Logger } from '../core/logger.js';
import type { Translate, Vars } from '../i18n/catalog.js';
import type { NluResult } from '../nlu/types.js';
import type { Shop } from '../commerce/types.js';
import type { Translator } from '../translation/types.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { ConversationRecord, CustomerRecord } from '../storage/records.js';
import type { Stores } from '../storage/stores.js';
import type { Outbound } from './outbound.js';

/**
 * Services a deployment plugs in (shop, knowledge base, translation...). Extend this interface by
 * declaration merging to type your own: `declare module 'meridian-bot' { interface Services { shop: Shop } }`.
 */
export interface Services {
  /** Orders, shipments, returns: the file-backed demo shop, an HTTP shop, or your own. */
  shop?: Shop;
  /** Translation for knowledge-base answers and agent handoff. */
  translator?: Translator;
  /** The multilingual knowledge base (FAQ answers). */
  kb?: KnowledgeBase;
  /** Messages to the customer's other channels (one-time codes); the bot provides it. */
  outbound?: Outbound;
}

/**
 * The turn context: a plain object that stays valid for the whole turn. Middleware and dialogs read the
 * customer, conversation and locale from it and answer through say/ask/handoff.
 */
export interface TurnContext {
  readonly turnId: string;
  /** Attempt number of this turn (a version conflict re-runs the turn from fresh state). */
  readonly attempt: number;
  readonly activity: InboundActivity;
  /** The customer's text after normalisation (a numbered choice becomes the chosen button's value). */
  text: string;
  conversation: ConversationRecord;
  customer: CustomerRecord;
  /** The language of this turn's replies. */
  locale: string;
  /** What the NLU middleware understood of the message (absent when no NLU is configured). */
  nlu?: NluResult;
  /** Replaced whenever `locale` changes through setLocale. */
  t: Translate;
  setLocale(locale: string): void;
  /** True on the conversation's first turn. */
  readonly isNewConversation: boolean;
  readonly replies: OutboundMessage[];
  say(message: string | OutboundMessage): void;
  /** Says a message whose buttons the customer can answer with (on SMS: by number). */
  ask(text: string, buttons: Button[]): void;
  /** Marks the conversation for a human and tells the customer. */
  handoff(reason: string, message?: string): void;
  readonly log: Logger;
  readonly clock: Clock;
  readonly stores: Stores;
  readonly services: Services;
  /** Scratch space for middleware within one turn; not saved. */
  readonly turnState: Map<string, unknown>;
  /** A key unique to this inbound message, stable across retries: use it to make side effects idempotent. */
  readonly idempotencyKey: string;
}

export interface ContextInit {
  turnId: string;
  attempt: number;
  activity: InboundActivity;
  conversation: ConversationRecord;
  customer: CustomerRecord;
  locale: string;
  translatorFor: (locale: string) => Translate;
  log: Logger;
  clock: Clock;
  stores: Stores;
  services: Services;
  idempotencyKey: string;
}

export function createTurnContext(init: ContextInit): TurnContext {
  const replies: OutboundMessage[] = [];
  const ctx: TurnContext = {
    turnId: init.turnId,
    attempt: init.attempt,
    activity: init.activity,
    text: init.activity.text,
    conversation: init.conversation,
    customer: init.customer,
    locale: init.locale,
    t: init.translatorFor(init.locale),
    setLocale(locale: string) {
      ctx.locale = locale;
      ctx.t = init.translatorFor(locale);
    },
    isNewConversation: init.conversation.turnCount === 0,
    replies,
    say(message) {
      replies.push(typeof message === 'string' ? { text: message } : message);
    },
    ask(text, buttons) {
      replies.push({ text, buttons });
    },
    handoff(reason, message) {
      ctx.conversation.handoff = { reason, at: new Date(init.clock.now()).toISOString() };
      replies.push({ text: message ?? ctx.t('handoff.connecting'), handoff: { reason } });
    },
    log: init.log,
    clock: init.clock,
    stores: init.stores,
    services: init.services,
    turnState: new Map(),
    idempotencyKey: init.idempotencyKey,
  };
  return ctx;
}

export type { Vars };
