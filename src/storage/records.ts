import type { ChannelName, InboundActivity, OutboundMessage } from '../core/activity.js';
import type { JsonObject } from '../core/activity.js';
import type { StoredDocument } from './collection.js';

/** Where a dialog stands: the step by name and the dialog's version, never a step index. */
export interface DialogState {
  dialogId: string;
  dialogVersion: number;
  step: string;
  /** Values the dialog collected so far. */
  values: JsonObject;
  /** Failed attempts at the current step, for re-ask limits. */
  retries: number;
}

export interface ConversationRecord extends StoredDocument {
  /** The channel's conversation key, e.g. `whatsapp:+4915112345678`. */
  key: string;
  channel: ChannelName;
  address: string;
  customerId: string;
  /** The conversation's language once known; sticky across ambiguous messages. */
  locale: string | null;
  localeSource: 'explicit' | 'hint' | 'profile' | 'detected' | 'default' | null;
  /** The stack of active dialogs, innermost last. */
  dialogs: DialogState[];
  /** The inbox entry of the last committed turn: how crash recovery knows a turn landed. */
  lastInboxId: string | null;
  /**
   * The last turn's replies, saved in the same write as the state. If the process dies before they
   * reach the outbox, recovery writes them from here: a committed turn never loses its replies.
   */
  lastReplies: OutboundMessage[];
  turnCount: number;
  handoff: { reason: string; at: string } | null;
  /** Free-form values dialogs and middleware keep across turns. */
  data: JsonObject;
  createdAt: string;
  updatedAt: string;
}

export interface CustomerRecord extends StoredDocument {
  /** Channel identities (addresses) that belong to this customer. */
  identities: string[];
  /** The first identity, indexed for look-ups by address. */
  primaryAddress: string;
  displayName: string | null;
  locale: string | null;
  timeZone: string | null;
  createdAt: string;
  updatedAt: string;
}

export type InboxStatus = 'received' | 'done' | 'failed';

/**
 * One inbound message and, once its turn is done, the replies it got: the conversation's turn log.
 * The id is `<channel>:<channel message id>`, so delivering the same message twice hits this key.
 */
export interface InboxEntry extends StoredDocument {
  conversationId: string;
  status: InboxStatus;
  receivedAt: number;
  activity: InboundActivity;
  /** The turn's replies (set when done), whether they were sent at once or through the outbox. */
  replies?: OutboundMessage[];
  error?: string;
}

/** pending: waiting to be sent; sent: delivered; dead: gave up after the retry limit. */
export type OutboxStatus = 'pending' | 'sent' | 'dead';

export interface OutboxEntry extends StoredDocument {
  conversationId: string;
  /** The inbox entry (turn) that produced this reply. */
  inboxId: string;
  /** Position of this reply within its turn. */
  seq: number;
  channel: ChannelName;
  transport: string;
  address: string;
  locale: string;
  message: OutboundMessage;
  status: OutboxStatus;
  attempts: number;
  /** Epoch milliseconds after which the dispatcher may try (again). */
  nextAttemptAt: number;
  createdAt: number;
  sentAt: number | null;
  lastError: string | null;
}

export interface EventRecord extends StoredDocument {
  type: string;
  at: number;
  conversationId: string | null;
  customerId: string | null;
  data: JsonObject;
}
