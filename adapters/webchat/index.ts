/**
 * The web chat channel: a WebSocket endpoint, the chat page at `/` and an embeddable `/widget.js`.
 *
 * Protocol: one JSON object per text frame.
 *
 * Client → server
 *   {type:'hello', sessionId?, locale?, browserLocale?, identityToken?}
 *       First frame on every socket. `sessionId` resumes a session (omit it to start one); `locale` is the
 *       picker's choice (informational, each message carries its own); `browserLocale` is navigator.language;
 *       `identityToken` is the shop's signed login token (src/identity/web-token.ts) for a logged-in customer.
 *   {type:'message', text, clientMessageId, locale?}
 *       `clientMessageId` is 8–64 chars of [A-Za-z0-9_-], unique per message; a resend with the same id
 *       is deduplicated by the core. `locale` is present only when the customer picked a language.
 *
 * Server → client
 *   {type:'ready', sessionId, history:[{id, direction:'in'|'out', text, buttons?, at}]}
 *       Answer to hello; the client stores sessionId and renders history (oldest first).
 *   {type:'message', id, direction:'out', text, buttons?, cards?, attachments?, locale, at}
 *       A bot reply, pushed to every open socket of the session. The same id may arrive twice (an outbox
 *       retry): clients deduplicate by id.
 *   {type:'message', id, direction:'in', text, at}
 *       The customer's message, echoed to the session's *other* sockets (a second tab).
 *   {type:'typing', on:boolean}
 *       On before a turn runs, off once its replies are sent.
 *   {type:'error', code, message, clientMessageId?}
 *       A rejected frame or a failed turn; the socket stays open. Codes: invalid_json, invalid_frame,
 *       not_ready, invalid_session, invalid_message_id, invalid_message, empty_message, text_too_long,
 *       invalid_locale, rate_limited, internal_error, or a MeridianError code from the core.
 *
 * Sessions: the server issues ids (128 random bits, base64url). The id is a bearer secret — whoever holds
 * it reads that conversation's history — so it is random, never derived from anything, and a client-supplied
 * id is only accepted in exactly the shape the server issues. It is never logged: logs carry the hashed
 * conversation id. There is no Origin check on purpose: the widget runs on shops' own domains, and since
 * authority comes from the id in `hello` (not a cookie), a foreign page cannot ride on a visitor's session.
 */
import type { WebTokenVerifier } from '../../src/identity/web-token.js';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, WebSocket } from 'ws';
import type { Attachment, Button, Card, InboundActivity, JsonValue } from '../../src/core/activity.js';
import type { AdapterHost, AdapterRoute, ChannelAdapter, Delivery, HistoryItem } from '../../src/core/adapter.js';
import { CHANNEL_CAPABILITIES, type ChannelCapabilities } from '../../src/core/capabilities.js';
import { MeridianError } from '../../src/core/errors.js';
import type { Catalogs } from '../../src/i18n/catalog.js';
import { buildStrings, localeOption, webchatRoutes } from './assets.js';

export interface WebchatAdapterOptions {
  /** WebSocket path; default '/webchat/ws'. */
  path?: string;
  catalogs: Catalogs;
  supportedLocales: readonly string[];
  /** Default UI language when the browser's is not supported; default 'en' (or the first supported). */
  defaultLocale?: string;
  /** Longest customer message in characters; default 4000 (keep it ≤ the bot's maxTextLength). */
  maxMessageLength?: number;
  /** Ping interval; a socket that misses one pong is dropped. Default 30 s. */
  heartbeatMs?: number;
  /** Messages sent on (re)connect; default 100. */
  historyLimit?: number;
  /**
   * Checks the shop's signed login token sent in `hello` (identityToken); a valid one links the session to
   * that shop customer's profile. Unset: tokens are refused with an error frame and the chat stays anonymous.
   */
  verifyIdentityToken?: WebTokenVerifier;
}

export interface WebchatAdapter extends ChannelAdapter {
  /** Open sockets right now. */
  readonly connections: number;
  readonly routes: readonly AdapterRoute[];
  start(host: AdapterHost): Promise<void>;
  stop(): Promise<void>;
}

export type HistoryFrameItem = Pick<HistoryItem, 'id' | 'direction' | 'text' | 'buttons' | 'at'>;

export type ServerFrame =
  | { type: 'ready'; sessionId: string; history: HistoryFrameItem[] }
  | {
      type: 'message';
      id: string;
      direction: 'in' | 'out';
      text: string;
      buttons?: Button[];
      cards?: Card[];
      attachments?: Attachment[];
      locale?: string;
      at: number;
    }
  | { type: 'typing'; on: boolean }
  | { type: 'error'; code: string; message: string; clientMessageId?: string };

export const DEFAULT_WS_PATH = '/webchat/ws';
/** Enough for a 4000-character message in any script (≤ 3 bytes per UTF-16 unit) plus JSON. */
const MAX_PAYLOAD = 64 * 1024;
const ADDRESS_PREFIX = 'webchat:';
/** 16 random bytes in base64url are 22 characters; the last one carries only 4 bits, hence [AQgw]. */
const SESSION_SHAPE = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const MESSAGE_ID_SHAPE = /^[A-Za-z0-9_-]{8,64}$/;
const LOCALE_SHAPE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}$/;
// A person types a few messages a minute; a burst of 10 then one a second stops scripted floods per socket.
const RATE_BURST = 10;
const RATE_PER_SECOND = 1;
/** A client that stops reading gets dropped before its buffer grows without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

interface Client {
  socket: WebSocket;
  alive: boolean;
  sessionId: string | undefined;
  browserLocale: string | undefined;
  /** Frames pushed while `ready` is being prepared; sent after it, minus those the history already holds. */
  backlog: ServerFrame[] | undefined;
  tokens: number;
  refilledAt: number;
  /** The shop customer a verified login token named, until the token expires. */
  proof: { shopCustomerId: string; expiresAt: number } | undefined;
}

class FrameError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_SHAPE.test(value);
}

export function createWebchatAdapter(options: WebchatAdapterOptions): WebchatAdapter {
  return new WebchatChannel(options);
}

class WebchatChannel implements WebchatAdapter {
  readonly id = 'webchat';
  readonly channel = 'webchat';
  readonly capabilities: ChannelCapabilities = CHANNEL_CAPABILITIES['webchat'] as ChannelCapabilities;
  readonly routes: readonly AdapterRoute[];

  private readonly path: string;
  private readonly maxMessageLength: number;
  private readonly heartbeatMs: number;
  private readonly historyLimit: number;
  private readonly missingStrings: string[];
  private readonly clients = new Set<Client>();
  private readonly sessions = new Map<string, Set<Client>>();
  /** Turns under way per session, so typing stays on until the last of overlapping turns ends. */
  private readonly turns = new Map<string, number>();
  private host: AdapterHost | undefined;
  private wss: WebSocketServer | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly verifyIdentityToken: WebTokenVerifier | undefined;

  constructor(options: WebchatAdapterOptions) {
    this.verifyIdentityToken = options.verifyIdentityToken;
    this.path = options.path ?? DEFAULT_WS_PATH;
    if (!this.path.startsWith('/')) throw new MeridianError('config_invalid', `webchat path must start with "/": ${this.path}`);
    this.maxMessageLength = options.maxMessageLength ?? 4000;
    this.heartbeatMs = options.heartbeatMs ?? 30_000;
    this.historyLimit = options.historyLimit ?? 100;
    const locales = options.supportedLocales.length > 0 ? options.supportedLocales : ['en'];
    const defaultLocale = options.defaultLocale ?? (locales.includes('en') ? 'en' : (locales[0] as string));
    const { strings, missing } = buildStrings(options.catalogs, locales, defaultLocale);
    this.missingStrings = missing;
    this.routes = webchatRoutes({
      wsPath: this.path.slice(1),
      maxMessageLength: this.maxMessageLength,
      defaultLocale,
      locales: locales.map(localeOption),
      strings,
    });
  }

  get connections(): number {
    return this.clients.size;
  }

  async start(host: AdapterHost): Promise<void> {
    if (this.wss) return;
    this.host = host;
    this.stopping = false;
    if (this.missingStrings.length > 0) {
      host.logger.warn({ keys: this.missingStrings }, 'webchat: catalog keys missing; the widget shows English for them');
    }
    if (!host.httpServer) {
      host.logger.warn('webchat: no HTTP server was given to start(); the chat socket is not served');
      return;
    }
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });
    host.httpServer.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    host.logger.info({ path: this.path }, 'webchat ready');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.host?.httpServer?.off('upgrade', this.onUpgrade);
    for (const client of this.clients) {
      // 1012 "service restart": the widget reconnects with back-off and resumes the session.
      client.socket.close(1012, 'server restarting');
      setTimeout(() => client.socket.terminate(), 1000).unref();
    }
    const wss = this.wss;
    this.wss = undefined;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  /** Pushes a reply to every open socket of the session; with none open it is kept in history for the next connect. */
  async send(delivery: Delivery): Promise<void> {
    if (!delivery.address.startsWith(ADDRESS_PREFIX)) {
      throw new MeridianError('send_failed', `webchat cannot deliver to address "${delivery.address.split(':')[0]}:…"`);
    }
    const sessionId = delivery.address.slice(ADDRESS_PREFIX.length);
    const at = Date.now();
    const single = delivery.messages.length === 1;
    for (const [index, message] of delivery.messages.entries()) {
      this.push(sessionId, {
        type: 'message',
        // The outbox entry id is also the history item's id, so a client can tell a retry or a resend apart.
        id: single ? delivery.idempotencyKey : `${delivery.idempotencyKey}/${index}`,
        direction: 'out',
        text: message.text,
        ...(message.buttons && message.buttons.length > 0 ? { buttons: message.buttons } : {}),
        ...(message.cards && message.cards.length > 0 ? { cards: message.cards } : {}),
        ...(message.attachments && message.attachments.length > 0 ? { attachments: message.attachments } : {}),
        locale: delivery.locale,
        at,
      });
    }
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let pathname: string;
    try {
      pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    } catch {
      return;
    }
    // Other paths belong to other listeners (another adapter's socket, a dev server): leave them alone.
    if (pathname !== this.path) return;
    const wss = this.wss;
    if (!wss || this.stopping || socket.destroyed) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  };

  private accept(socket: WebSocket): void {
    const client: Client = { socket, alive: true, sessionId: undefined, browserLocale: undefined, backlog: undefined, tokens: RATE_BURST, refilledAt: Date.now(), proof: undefined };
    this.clients.add(client);
    socket.on('pong', () => {
      client.alive = true;
    });
    // ws reports protocol violations (oversized frame, bad UTF-8) here and closes the socket itself;
    // without a listener the error would take the process down.
    socket.on('error', (error) => this.host?.logger.debug({ err: error.message }, 'webchat socket error'));
    socket.on('close', () => this.forget(client));
    socket.on('message', (data, isBinary) => {
      this.onFrame(client, data, isBinary).catch((error: unknown) => {
        this.host?.logger.error({ err: error }, 'webchat frame handling failed');
        this.sendTo(client, { type: 'error', code: 'internal_error', message: 'the server could not handle this frame' });
      });
    });
  }

  private forget(client: Client): void {
    this.clients.delete(client);
    if (!client.sessionId) return;
    const sockets = this.sessions.get(client.sessionId);
    sockets?.delete(client);
    if (sockets?.size === 0) this.sessions.delete(client.sessionId);
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  private async onFrame(client: Client, data: RawData, isBinary: boolean): Promise<void> {
    let frame: unknown;
    try {
      if (isBinary) throw new FrameError('invalid_frame', 'frames must be JSON text, not binary');
      try {
        frame = JSON.parse(toText(data));
      } catch {
        throw new FrameError('invalid_json', 'the frame is not valid JSON');
      }
      if (!isRecord(frame) || typeof frame['type'] !== 'string') throw new FrameError('invalid_frame', 'a frame is a JSON object with a "type"');
      if (frame['type'] === 'hello') return await this.onHello(client, frame);
      if (frame['type'] === 'message') return await this.onMessage(client, frame);
      throw new FrameError('invalid_frame', `unknown frame type "${String(frame['type']).slice(0, 40)}"`);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      const clientMessageId = isRecord(frame) && typeof frame['clientMessageId'] === 'string' && MESSAGE_ID_SHAPE.test(frame['clientMessageId']) ? frame['clientMessageId'] : undefined;
      this.sendTo(client, { type: 'error', code: error.code, message: error.message, ...(clientMessageId ? { clientMessageId } : {}) });
    }
  }

  private async onHello(client: Client, frame: Record<string, unknown>): Promise<void> {
    const host = this.requireHost();
    if (client.sessionId) throw new FrameError('invalid_frame', 'hello was already sent on this socket');
    // navigator.language is only a hint: an odd value is dropped rather than failing the hello.
    const browserLocale = frame['browserLocale'];
    client.browserLocale = typeof browserLocale === 'string' && isLocaleTag(browserLocale) ? browserLocale : undefined;
    await this.checkIdentityToken(client, frame['identityToken']);
    let sessionId: string;
    const requested = frame['sessionId'];
    if (requested === undefined || requested === null) {
      sessionId = newSessionId();
    } else if (isSessionId(requested)) {
      sessionId = requested;
    } else {
      // A damaged or forged id gets a fresh session rather than a dead socket; the client replaces its copy.
      this.sendTo(client, { type: 'error', code: 'invalid_session', message: 'the session id is not one this server issues; a new session was started' });
      sessionId = newSessionId();
    }
    // Join the session before reading history, buffering pushes until `ready`: a reply sent meanwhile is
    // either in the history or in the backlog, never lost between the two.
    client.sessionId = sessionId;
    client.backlog = [];
    let sockets = this.sessions.get(sessionId);
    if (!sockets) this.sessions.set(sessionId, (sockets = new Set()));
    sockets.add(client);

    let history: HistoryItem[];
    try {
      history = await host.history(this.conversationId(sessionId), this.historyLimit);
    } catch (error) {
      host.logger.error({ err: error }, 'webchat could not load history');
      client.backlog = undefined;
      this.sendTo(client, { type: 'error', code: 'internal_error', message: 'the conversation could not be loaded; retry shortly' });
      // 1011: the client reconnects with back-off rather than chatting without its history.
      client.socket.close(1011, 'history unavailable');
      return;
    }
    const backlog = client.backlog;
    client.backlog = undefined;
    this.sendTo(client, {
      type: 'ready',
      sessionId,
      history: history.map((item) => ({ id: item.id, direction: item.direction, text: item.text, at: item.at, ...(item.buttons ? { buttons: item.buttons } : {}) })),
    });
    const known = new Set(history.map((item) => item.id));
    for (const pending of backlog) {
      if (pending.type === 'message' && known.has(pending.id.split('/')[0] as string)) continue;
      this.sendTo(client, pending);
    }
  }

  /** A refused token is reported on the socket and the session goes on anonymously: never a dead chat. */
  private async checkIdentityToken(client: Client, token: unknown): Promise<void> {
    if (token === undefined || token === null) return;
    if (typeof token !== 'string' || !this.verifyIdentityToken) {
      this.sendTo(client, { type: 'error', code: 'invalid_identity_token', message: 'signed login is not configured here; continuing without it' });
      return;
    }
    try {
      const claims = await this.verifyIdentityToken(token);
      client.proof = { shopCustomerId: claims.shopCustomerId, expiresAt: Date.parse(claims.expiresAt) };
    } catch (error) {
      this.sendTo(client, { type: 'error', code: 'invalid_identity_token', message: error instanceof MeridianError ? error.message : 'the identity token was refused' });
    }
  }

  private async onMessage(client: Client, frame: Record<string, unknown>): Promise<void> {
    const host = this.requireHost();
    const sessionId = client.sessionId;
    if (!sessionId) throw new FrameError('not_ready', 'send hello before messages');
    const clientMessageId = frame['clientMessageId'];
    if (typeof clientMessageId !== 'string' || !MESSAGE_ID_SHAPE.test(clientMessageId)) {
      throw new FrameError('invalid_message_id', 'clientMessageId must be 8 to 64 characters of A-Z, a-z, 0-9, "_" or "-"');
    }
    const text = frame['text'];
    if (typeof text !== 'string') throw new FrameError('invalid_message', 'text must be a string');
    if (text.trim().length === 0) throw new FrameError('empty_message', 'the message is empty');
    if (text.length > this.maxMessageLength) {
      throw new FrameError('text_too_long', `the message has ${text.length} characters; at most ${this.maxMessageLength} are accepted`);
    }
    const locale = optionalLocale(frame['locale'], 'locale');
    if (!this.take(client)) throw new FrameError('rate_limited', 'too many messages; wait a moment');

    const address = `${ADDRESS_PREFIX}${sessionId}`;
    const localeHint = locale ?? client.browserLocale;
    const activity: InboundActivity = {
      // The core deduplicates on (channel, id) across all conversations; prefixing the client's id with
      // the (hashed, non-secret) conversation id keeps one browser's ids from colliding with another's.
      id: `${this.conversationId(sessionId)}:${clientMessageId}`,
      channel: 'webchat',
      address,
      conversationKey: address,
      text,
      attachments: [],
      timestamp: new Date().toISOString(),
      transport: this.id,
      ...(localeHint ? { localeHint } : {}),
      localeExplicit: locale !== undefined,
      raw: frame as JsonValue,
      ...(client.proof && client.proof.expiresAt > Date.now() ? { identityProof: { method: 'signed_token' as const, shopCustomerId: client.proof.shopCustomerId } } : {}),
    };
    // A second tab of the same session shows what was typed in the first.
    this.push(sessionId, { type: 'message', id: `webchat:${activity.id}`, direction: 'in', text, at: Date.now() }, client);
    this.typing(sessionId, +1);
    try {
      // Resolves after the turn's replies went through send() (a failed send is left to the outbox),
      // so "typing" goes off after the last reply.
      await host.receive(activity);
    } catch (error) {
      if (error instanceof MeridianError) {
        this.sendTo(client, { type: 'error', code: error.code, message: error.message, clientMessageId });
      } else {
        host.logger.error({ err: error, conversationId: this.conversationId(sessionId) }, 'webchat turn failed');
        this.sendTo(client, { type: 'error', code: 'internal_error', message: 'the message could not be processed', clientMessageId });
      }
    } finally {
      this.typing(sessionId, -1);
    }
  }

  private typing(sessionId: string, delta: 1 | -1): void {
    const before = this.turns.get(sessionId) ?? 0;
    const after = Math.max(0, before + delta);
    if (after === 0) this.turns.delete(sessionId);
    else this.turns.set(sessionId, after);
    if (before === 0 && after > 0) this.push(sessionId, { type: 'typing', on: true });
    if (before > 0 && after === 0) this.push(sessionId, { type: 'typing', on: false });
  }

  /** Token bucket per socket. */
  private take(client: Client): boolean {
    const now = Date.now();
    client.tokens = Math.min(RATE_BURST, client.tokens + ((now - client.refilledAt) / 1000) * RATE_PER_SECOND);
    client.refilledAt = now;
    if (client.tokens < 1) return false;
    client.tokens -= 1;
    return true;
  }

  private push(sessionId: string, frame: ServerFrame, except?: Client): void {
    for (const client of this.sessions.get(sessionId) ?? []) {
      if (client === except) continue;
      if (client.backlog) client.backlog.push(frame);
      else this.sendTo(client, frame);
    }
  }

  private sendTo(client: Client, frame: ServerFrame): void {
    const { socket } = client;
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.terminate();
      return;
    }
    socket.send(JSON.stringify(frame));
  }

  private conversationId(sessionId: string): string {
    return this.requireHost().conversationIdFor({ channel: 'webchat', conversationKey: `${ADDRESS_PREFIX}${sessionId}` });
  }

  private requireHost(): AdapterHost {
    if (!this.host) throw new MeridianError('invalid_request', 'the webchat adapter has not been started');
    return this.host;
  }
}

function optionalLocale(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !isLocaleTag(value)) {
    throw new FrameError('invalid_locale', `${field} must be a language tag such as "de" or "pt-BR"`);
  }
  return value;
}

function isLocaleTag(value: string): boolean {
  return value.length <= 35 && LOCALE_SHAPE.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
