import type { Server } from 'node:http';
import { CHANNELS, type InboundActivity } from './core/activity.js';
import type { AdapterHost, ChannelAdapter, HistoryItem } from './core/adapter.js';
import { capabilitiesFor, renderForCapabilities, type ChannelCapabilities } from './core/capabilities.js';
import { compose, type Middleware } from './core/compose.js';
import { MeridianError } from './core/errors.js';
import { parseAddress } from './core/address.js';
import { silentLogger, type Logger } from './core/logger.js';
import { randomId, systemClock, type Clock, type IdGenerator } from './core/runtime.js';
import { aiDisclosureMiddleware, cardWarningMiddleware, choiceMiddleware, humanRequestMiddleware, languageMiddleware } from './conversation/builtin-middleware.js';
import type { Services, TurnContext } from './conversation/context.js';
import { OutboxDispatcher } from './conversation/dispatcher.js';
import { TurnRunner, type ErrorHandler, type TurnResult } from './conversation/turn-runner.js';
import { DEFAULT_LIMITS } from './conversation/validate.js';
import { normalize } from './dialog/parsers.js';
import { dialogRuntime } from './dialog/runtime.js';
import type { Dialog } from './dialog/types.js';
import type { NluEngine } from './nlu/engine.js';
import { nluMiddleware } from './nlu/middleware.js';
import { createTranslator, type Catalogs, type Translate } from './i18n/catalog.js';
import { scriptLanguageDetector, type LanguageDetector } from './i18n/locale.js';
import { MemoryBackend } from './storage/memory-backend.js';
import { EmulatorMailbox, emulatorTransport, type MailboxItem, type Outbound } from './conversation/outbound.js';
import type { WebIdentityClaims, WebTokenVerifier } from './identity/web-token.js';
import { handoffCaseMiddleware, identityMiddleware } from './identity/middleware.js';
import { createStores, type Stores } from './storage/stores.js';

export const LAUNCH_LOCALES = ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh'] as const;

export interface BotOptions {
  dialogs: readonly Dialog[];
  /** The dialog that runs when no other starts; defaults to the first dialog. */
  fallbackDialog?: string;
  catalogs: Catalogs;
  /** Stores over any backend; defaults to in-memory stores (not persistent). */
  stores?: Stores;
  adapters?: readonly ChannelAdapter[];
  locales?: { supported?: readonly string[]; default?: string };
  languageDetector?: LanguageDetector;
  /** Understanding of messages (intents, entities, emotion, sensitive topics); dialogs read ctx.nlu. */
  nlu?: NluEngine;
  services?: Services;
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  /** Longest customer message accepted, in characters (default 4000). */
  maxTextLength?: number;
  /** Outbox retry policy. */
  outbox?: { maxAttempts?: number; baseDelayMs?: number; sweepIntervalMs?: number };
  /** Built-in middleware to leave out, by name, e.g. ['aiDisclosure'] (the disclosure is on by default for a reason). */
  /** Checks the shop's signed web-chat login tokens (also those the emulator is given); unset: refused. */
  verifyIdentityToken?: WebTokenVerifier;
  /** Keep what the emulator transport delivers for GET /api/emulator/outbox (default true; turn off where the emulator is). */
  emulatorMailbox?: boolean;
  disable?: readonly ('aiDisclosure' | 'humanRequest' | 'choices' | 'language' | 'nlu' | 'identity')[];
  /** Fault injection for crash tests. */
  afterCommit?: (inboxId: string) => void;
}

/**
 * A Meridian bot: one conversation core that every channel adapter feeds. Create it with createBot,
 * add middleware with use(), handle errors with catch(), then receive() activities or start() adapters.
 */
export class Bot {
  readonly stores: Stores;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly supportedLocales: readonly string[];
  readonly defaultLocale: string;
  private readonly adapters = new Map<string, ChannelAdapter>();
  private readonly custom: Middleware<TurnContext>[] = [];
  private errorHandler: ErrorHandler;
  private readonly dispatcher: OutboxDispatcher;
  private readonly runner: TurnRunner;
  private readonly translators = new Map<string, Translate>();
  private started = false;
  private channelList: readonly string[] | undefined;
  private composedCustom: ((ctx: TurnContext, next: () => Promise<void>) => Promise<void>) | undefined;
  private sweepIntervalMs: number;
  private readonly mailbox: EmulatorMailbox | undefined;
  /** The deployment's services plus the bot's own (outbound): what turns and admin routes see. */
  readonly services: Services;

  constructor(private readonly options: BotOptions) {
    if (options.dialogs.length === 0) throw new MeridianError('dialog_error', 'a bot needs at least one dialog');
    this.stores = options.stores ?? createStores(new MemoryBackend());
    this.logger = options.logger ?? silentLogger();
    this.clock = options.clock ?? systemClock;
    this.supportedLocales = options.locales?.supported ?? LAUNCH_LOCALES;
    this.defaultLocale = options.locales?.default ?? 'en';
    this.sweepIntervalMs = options.outbox?.sweepIntervalMs ?? 1000;
    this.errorHandler = () => undefined;
    for (const adapter of options.adapters ?? []) this.addAdapter(adapter);
    this.mailbox = options.emulatorMailbox === false ? undefined : new EmulatorMailbox();
    this.adapters.set('emulator', emulatorTransport(this.mailbox, () => this.clock.now()));
    this.services = { outbound: this.outbound(), ...options.services };

    const disabled = new Set(options.disable ?? []);
    const builtIn: Middleware<TurnContext>[] = [];
    if (!disabled.has('language')) {
      builtIn.push(
        languageMiddleware({ supported: this.supportedLocales, defaultLocale: this.defaultLocale, detector: options.languageDetector ?? scriptLanguageDetector }),
      );
    }
    if (!disabled.has('choices')) builtIn.push(choiceMiddleware);
    // The disclosure wraps everything after it, so even a first message answered early carries it.
    if (!disabled.has('aiDisclosure')) builtIn.push(aiDisclosureMiddleware);
    builtIn.push(cardWarningMiddleware);
    // Outside the human request, so a hand-over asked for in any way is recorded as a case.
    builtIn.push(handoffCaseMiddleware);
    if (!disabled.has('humanRequest')) builtIn.push(humanRequestMiddleware(options.catalogs));
    // Links the sender to a shop customer's profile when the channel or a signed token proves who they are.
    if (options.services?.shop && !disabled.has('identity')) builtIn.push(identityMiddleware);
    if (options.nlu && !disabled.has('nlu')) builtIn.push(nluMiddleware(options.nlu));
    const dialogs = dialogRuntime({
      dialogs: options.dialogs,
      fallback: options.fallbackDialog ?? (options.dialogs[0] as Dialog).id,
      controlWords: { cancel: keywordSet(options.catalogs, 'keywords.cancel'), restart: keywordSet(options.catalogs, 'keywords.restart') },
    });
    // Custom middleware is composed lazily (and again after each use()) so use() works after construction.
    const customStage: Middleware<TurnContext> = (ctx, next) => {
      if (this.custom.length === 0) return next();
      this.composedCustom ??= compose(this.custom);
      return this.composedCustom(ctx, next);
    };
    const pipeline = compose([...builtIn, customStage, dialogs]);

    this.dispatcher = new OutboxDispatcher({
      outbox: this.stores.outbox,
      adapters: this.adapters,
      capabilitiesOf: (channel) => this.capabilitiesOf(channel),
      clock: this.clock,
      logger: this.logger,
      ...(options.outbox?.maxAttempts === undefined ? {} : { maxAttempts: options.outbox.maxAttempts }),
      ...(options.outbox?.baseDelayMs === undefined ? {} : { baseDelayMs: options.outbox.baseDelayMs }),
    });
    this.runner = new TurnRunner({
      stores: this.stores,
      pipeline: (ctx) => pipeline(ctx),
      dispatcher: this.dispatcher,
      clock: this.clock,
      ids: options.ids ?? randomId,
      logger: this.logger,
      translatorFor: (locale) => this.translator(locale),
      defaultLocale: this.defaultLocale,
      services: this.services,
      limits: { maxTextLength: options.maxTextLength ?? DEFAULT_LIMITS.maxTextLength, channels: () => this.channels() },
      onError: (error, ctx) => this.errorHandler(error, ctx),
      ...(options.afterCommit ? { afterCommit: options.afterCommit } : {}),
    });
  }

  /** Messages to a customer's other channels (one-time codes): through that channel's adapter, else the emulator's mailbox. */
  private outbound(): Outbound {
    const transportFor = (channel: string): string | undefined => {
      for (const adapter of this.adapters.values()) if (adapter.channel === channel) return adapter.id;
      return this.mailbox ? 'emulator' : undefined;
    };
    return {
      canReach: (channel) => transportFor(channel) !== undefined,
      send: async (address, message, locale, key) => {
        const { channel, id } = parseAddress(address);
        const transport = transportFor(channel);
        if (!transport) throw new MeridianError('send_failed', `no adapter can send to ${channel}`);
        const now = this.clock.now();
        const conversationId = this.conversationIdFor({ channel, conversationKey: `${channel}:${id}` });
        await this.dispatcher.sendTurn([
          { id: `${key}#notify`, conversationId, inboxId: key, seq: 0, channel, transport, address, locale, message, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now, sentAt: null, lastError: null },
        ]);
      },
    };
  }

  /** Verifies a shop's signed login token; throws `unauthorized` when it is refused or signed login is off. */
  async verifyIdentityToken(token: string): Promise<WebIdentityClaims> {
    if (!this.options.verifyIdentityToken) throw new MeridianError('unauthorized', 'signed login is not configured (MERIDIAN_WEBCHAT_TOKEN_SECRET)', { status: 401 });
    return this.options.verifyIdentityToken(token);
  }

  /** What the emulator transport delivered to an address (development and tests; empty when the mailbox is off). */
  emulatorMailbox(address: string): MailboxItem[] {
    return this.mailbox?.read(address) ?? [];
  }

  /** The NLU engine the bot understands messages with, if one is configured. */
  get nlu(): NluEngine | undefined {
    return this.options.nlu;
  }

  /** Adds middleware that runs after the built-ins (language, choices, disclosure, human request) and before dialogs. */
  use(...middleware: Middleware<TurnContext>[]): this {
    this.custom.push(...middleware);
    this.composedCustom = undefined;
    return this;
  }

  /** The one error handler every failed turn reaches; the customer gets an apology either way. */
  catch(handler: ErrorHandler): this {
    this.errorHandler = handler;
    return this;
  }

  addAdapter(adapter: ChannelAdapter): this {
    if (this.adapters.has(adapter.id)) throw new MeridianError('invalid_request', `an adapter with id "${adapter.id}" is already registered`);
    this.adapters.set(adapter.id, adapter);
    this.channelList = undefined;
    return this;
  }

  adapter(id: string): ChannelAdapter | undefined {
    return this.adapters.get(id);
  }

  listAdapters(): ChannelAdapter[] {
    return [...this.adapters.values()].filter((adapter) => adapter.id !== 'emulator');
  }

  /** Runs one turn for an inbound activity (deduplicated, queued per conversation, saved, replies queued). */
  receive(activity: InboundActivity): Promise<TurnResult> {
    return this.runner.receive(activity);
  }

  /** Stores the message and queues its turn; resolves once it is safely stored (for fast webhook acks). */
  accept(activity: InboundActivity): Promise<{ inboxId: string; duplicate: boolean; turn: Promise<TurnResult> }> {
    return this.runner.accept(activity);
  }

  translator(locale: string): Translate {
    let translate = this.translators.get(locale);
    if (!translate) {
      translate = createTranslator(this.options.catalogs, locale, this.defaultLocale);
      this.translators.set(locale, translate);
    }
    return translate;
  }

  conversationIdFor(activity: Pick<InboundActivity, 'channel' | 'conversationKey'>): string {
    return this.runner.conversationIdFor(activity);
  }

  /** Recent messages of a conversation in both directions, oldest first, from the turn log. */
  async history(conversationId: string, limit = 50): Promise<HistoryItem[]> {
    const turns = (await this.stores.inbox.recent(conversationId, limit)).reverse();
    const items: HistoryItem[] = [];
    for (const turn of turns) {
      items.push({ id: turn.id, direction: 'in', text: turn.activity.text, at: turn.receivedAt });
      const caps = this.capabilitiesOf(turn.activity.channel);
      for (const [seq, reply] of (turn.replies ?? []).entries()) {
        const rendered = renderForCapabilities(reply, caps);
        const buttons = rendered.at(-1)?.buttons;
        items.push({ id: `${turn.id}#${String(seq).padStart(2, '0')}`, direction: 'out', text: rendered.map((m) => m.text).join('\n'), at: turn.receivedAt, ...(buttons ? { buttons } : {}) });
      }
    }
    return items.slice(-limit);
  }

  /** Recovers interrupted turns, starts the outbox sweep and the adapters that listen on their own. */
  async start(httpServer?: Server): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.dispatcher.load();
    const recovered = await this.runner.recover();
    if (recovered.resent + recovered.rerun > 0) this.logger.warn(recovered, 'recovered turns interrupted by the last shutdown');
    this.dispatcher.start(this.sweepIntervalMs);
    await this.dispatcher.sweep();
    const host: AdapterHost = {
      httpServer,
      logger: this.logger,
      receive: (activity) => this.receive(activity),
      history: (conversationId, limit) => this.history(conversationId, limit),
      conversationIdFor: (activity) => this.conversationIdFor(activity),
    };
    for (const adapter of this.adapters.values()) await adapter.start?.(host);
  }

  /** Drains turns under way, flushes the outbox, stops adapters and closes the stores. */
  async stop(): Promise<void> {
    await this.runner.drain();
    this.dispatcher.stop();
    await this.dispatcher.flush();
    for (const adapter of this.adapters.values()) await adapter.stop?.();
    await this.stores.backend.close();
    this.started = false;
  }

  /** Sends every reply that is due now (tests and the CLI use it to deliver without waiting for the timer). */
  flushOutbox(): Promise<void> {
    return this.dispatcher.flush();
  }

  get activeTurns(): number {
    return this.runner.activeTurns;
  }

  /** What a channel can show: its registered adapter's capabilities, else the built-in table. */
  capabilitiesOf(channel: string): ChannelCapabilities {
    for (const adapter of this.adapters.values()) if (adapter.channel === channel) return adapter.capabilities;
    return capabilitiesFor(channel);
  }

  /** Built-in channels plus those of custom adapters. */
  channels(): readonly string[] {
    if (!this.channelList) {
      const names = new Set<string>(CHANNELS);
      for (const adapter of this.adapters.values()) if (adapter.id !== 'emulator') names.add(adapter.channel);
      this.channelList = [...names];
    }
    return this.channelList;
  }
}

/** The words for a keyword key across every catalog, normalized: customers mix languages. */
function keywordSet(catalogs: Catalogs, key: string): Set<string> {
  const words = new Set<string>();
  for (const catalog of catalogs.values()) for (const word of (catalog[key] ?? '').split('|')) if (word.trim()) words.add(normalize(word));
  return words;
}

export function createBot(options: BotOptions): Bot {
  return new Bot(options);
}
