import type { Server } from 'node:http';
import type { ChannelName, InboundActivity, OutboundMessage, RenderedMessage } from './activity.js';
import type { ChannelCapabilities } from './capabilities.js';
import type { Logger } from './logger.js';

/** A webhook request as adapters see it: framework-neutral, with the raw bytes kept for signatures. */
export interface WebhookRequest {
  method: string;
  /** Path below /webhooks/<adapter path>, e.g. '/' or '/status'. */
  path: string;
  /** The full URL the channel called (signatures such as Twilio's cover it). */
  url: string;
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
}

export interface WebhookResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type VerifyResult = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** One reply on its way to a channel; `idempotencyKey` is stable across retries of the same reply. */
export interface Delivery {
  idempotencyKey: string;
  conversationId: string;
  channel: ChannelName;
  address: string;
  locale: string;
  messages: RenderedMessage[];
  attempt: number;
}

/** What the host gives an adapter that runs its own listener (a socket, a poller). */
export interface AdapterHost {
  httpServer: Server | undefined;
  logger: Logger;
  /** Runs a turn for an activity, exactly as a webhook would. */
  receive(activity: InboundActivity): Promise<TurnOutcome>;
  /** The conversation's recent messages, oldest first, for channels that show history. */
  history(conversationId: string, limit: number): Promise<HistoryItem[]>;
  conversationIdFor(activity: Pick<InboundActivity, 'channel' | 'conversationKey'>): string;
}

export interface HistoryItem {
  direction: 'in' | 'out';
  text: string;
  buttons?: { title: string; value: string }[];
  at: number;
  id: string;
}

export interface TurnReply {
  id: string;
  messages: RenderedMessage[];
}

export interface TurnOutcome {
  conversationId: string;
  inboxId: string;
  locale: string;
  /** True when this message was delivered before and no second turn ran. */
  duplicate: boolean;
  replies: OutboundMessage[];
}

/**
 * A channel adapter is small: it names its channel, states its capabilities as data, verifies and
 * parses webhooks, renders messages for itself and sends them. `start`/`stop` are for adapters that
 * listen on their own (sockets, pollers), like Slack Bolt's receivers.
 */
export interface ChannelAdapter {
  /** The transport id replies are routed by; usually the channel name. */
  readonly id: string;
  readonly channel: ChannelName;
  readonly capabilities: ChannelCapabilities;
  /** Mounted at /webhooks/<webhookPath>; omit for adapters without webhooks. */
  readonly webhookPath?: string;
  verify?(request: WebhookRequest): VerifyResult | Promise<VerifyResult>;
  parse?(request: WebhookRequest): InboundActivity[] | Promise<InboundActivity[]>;
  /** The answer the channel expects once its webhook is accepted (defaults to 200 with no body). */
  acknowledge?(request: WebhookRequest, activities: InboundActivity[]): WebhookResponse;
  render?(message: OutboundMessage, capabilities: ChannelCapabilities): RenderedMessage[];
  send(delivery: Delivery): Promise<void>;
  /** Extra HTTP routes the adapter serves at the site root (a web chat page, its script). */
  readonly routes?: readonly AdapterRoute[];
  start?(host: AdapterHost): Promise<void>;
  stop?(): Promise<void>;
}

export interface AdapterRoute {
  method: 'GET' | 'POST';
  /** An exact path such as '/' or '/widget.js'. */
  path: string;
  handle(request: WebhookRequest): WebhookResponse | Promise<WebhookResponse>;
}
