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

/** How an identity was proven to belong to a profile (src/identity/profiles.ts). */
export type LinkMethod = 'shop_contact' | 'one_time_code' | 'signed_token' | 'order_email' | 'admin';

/**
 * A customer. Every channel identity (address) has a record of its own (id = hash of the address);
 * once the identity is proven to belong to a shop customer it is linked into that customer's profile
 * (id = hash of `shop:<shop customer id>`), which the dialogs then see as `ctx.customer`.
 */
export interface CustomerRecord extends StoredDocument {
  /** Channel identities (addresses) that belong to this customer: the one address, or every linked one of a profile. */
  identities: string[];
  /** The identity's address (`shop:<id>` for a profile). */
  primaryAddress: string;
  displayName: string | null;
  locale: string | null;
  timeZone: string | null;
  createdAt: string;
  updatedAt: string;
  /** Set on profiles: the shop customer every linked identity was proven to be. */
  shopCustomerId?: string | null;
  /** Set on profiles: the shop customer's country (ISO 3166-1 alpha-2), which data residency places them by. */
  country?: string | null;
  /** Set on an identity linked into a profile: the profile (indexed, to list a profile's identities). */
  linkedProfileId?: string | null;
  /** How and when that link was proven. */
  link?: { method: LinkMethod; at: string } | null;
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
  /** What the turn understood (intent and confidence), for the customer's timeline. */
  intent?: { name: string; confidence: number };
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

/** A promise made to the customer ("refund within 5 days of receiving the parcel") and whether it was kept. */
export interface CasePromise {
  /** Catalog key of the sentence, so the timeline can show it in any language. */
  key: string;
  vars: JsonObject;
  /** When the promise falls due (ISO 8601), or null when it depends on an event (the parcel arriving). */
  dueAt: string | null;
  state: 'open' | 'kept' | 'broken';
}

export type CaseKind = 'return' | 'exchange' | 'cancellation' | 'address_change' | 'handoff' | 'privacy_erasure' | 'privacy_access';

/**
 * Open work for a customer (a return, an exchange, a ticket with a person, a privacy request), shared
 * by every channel: the dialogs read it to answer "any news?" without asking for an order number.
 */
export interface CaseRecord extends StoredDocument {
  /** The identity (customer id of the address) that opened it; profiles see the cases of all their identities. */
  identityId: string;
  kind: CaseKind;
  /** The shop's reference (RMA-..., EXC-...) or Meridian's own (PR-...). */
  reference: string;
  orderNumber: string | null;
  /** The shop's status when last seen, or Meridian's for its own cases ('open', 'verified', 'done'). */
  status: string;
  /** False once finished (refunded, completed, erased): "any news?" reads open cases first. */
  open: boolean;
  channel: ChannelName;
  conversationId: string;
  openedAt: string;
  updatedAt: string;
  /** A short description for agents (English, no personal data beyond what the case needs). */
  summary: string;
  promises: CasePromise[];
}
