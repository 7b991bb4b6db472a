/**
 * The composition root: the only module that imports adapters/ and dialogs/. `npm start` runs this
 * with the default configuration; your own bot can do the same with its own pieces.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { emulatorEnabled, loadConfig, redactedConfig } from '../config/loader.js';
import type { MeridianConfig } from '../config/schema.js';
import { createWebchatAdapter } from '../adapters/webchat/index.js';
import { defaultDialogs } from '../dialogs/index.js';

export { defaultDialogs };
import { createBot, type Bot } from './bot.js';
import { createLogger, silentLogger, type Logger } from './core/logger.js';
import { ManualClock, systemClock, type Clock } from './core/runtime.js';
import { FileShop } from './commerce/file-shop.js';
import { HttpShop } from './commerce/http-shop.js';
import type { Shop } from './commerce/types.js';
import { createTranslatorFromConfig, type TranslationConfig } from './translation/config.js';
import type { Translator } from './translation/types.js';
import { createKnowledgeBase, type KnowledgeBase } from './knowledge/knowledge-base.js';
import { createKnowledgeStore } from './knowledge/store.js';
import { importArticles } from './knowledge/import-export.js';
import type { StorageBackend } from './storage/collection.js';
import type { Catalogs } from './i18n/catalog.js';
import { createNluEngine, type NluEngine } from './nlu/engine.js';
import { loadLanguageDetector, type LanguageAnalyzer } from './nlu/language.js';
import { trainIntentClassifier, type TrainedIntentClassifier } from './nlu/intents/index.js';
import { createEntityExtractor } from './nlu/entities/index.js';
import { createEmotionAnalyzer, loadEmotionLexicons } from './nlu/emotion.js';
import { createSensitiveDetector, loadSensitiveLexicons } from './nlu/sensitive.js';
import { createRetentionJob } from './privacy/retention.js';
import type { BotFactory } from './dialog/transcripts.js';
import { MemoryBackend } from './storage/memory-backend.js';
import { createHttpApp } from './http/app.js';
import { adminTokensFromEnv } from './http/admin-auth.js';
import { createPrivacyRequestJob } from './privacy/requests.js';
import { createWebTokenVerifier } from './identity/web-token.js';
import { loadCatalogs } from './i18n/catalog.js';
import { packageRoot } from './package-root.js';
import { openBackend } from './storage/open-backend.js';
import { createStores, type Stores } from './storage/stores.js';

export interface StartOptions {
  /** Environment to read settings from (defaults to process.env). */
  env?: Record<string, string | undefined>;
  /** A config file (defaults to $MERIDIAN_CONFIG or ./meridian.config.yaml when present). */
  configFile?: string;
  /** Overrides applied on top of file and environment (tests use port 0, a temp data dir...). */
  port?: number;
  host?: string;
  dataDir?: string;
  storage?: MeridianConfig['storage']['backend'];
  logLevel?: MeridianConfig['log']['level'];
  logDestination?: NodeJS.WritableStream;
  /** The bot's clock (tests and demos pin the date the demo shop's orders are measured against). */
  clock?: Clock;
}

export interface RunningMeridian {
  url: string;
  bot: Bot;
  server: Server;
  config: MeridianConfig;
  logger: Logger;
  /** Graceful: stop accepting, drain turns, flush the outbox, close stores. */
  stop(): Promise<void>;
}

export function resolveConfig(options: StartOptions = {}): MeridianConfig {
  const env = { ...(options.env ?? process.env) };
  if (options.port !== undefined) env['PORT'] = String(options.port);
  if (options.host !== undefined) env['HOST'] = options.host;
  if (options.dataDir !== undefined) env['MERIDIAN_DATA_DIR'] = options.dataDir;
  if (options.storage !== undefined) env['MERIDIAN_STORAGE'] = options.storage;
  if (options.logLevel !== undefined) env['MERIDIAN_LOG_LEVEL'] = options.logLevel;
  if (env['NODE_ENV'] && !env['MERIDIAN_ENV'] && ['development', 'production', 'test'].includes(env['NODE_ENV'])) env['MERIDIAN_ENV'] = env['NODE_ENV'];
  return loadConfig({ env, ...(options.configFile ? { file: options.configFile } : {}) }).config;
}

export interface DefaultBotOverrides {
  /** A clock (transcript tests and the CLI's --now). */
  clock?: Clock;
  /** A knowledge base to share (transcript tests build one for all their bots). */
  kb?: KnowledgeBase;
  /** Stores to use instead of opening the configured backend. */
  stores?: Stores;
}

/** Builds the default bot (greeting dialog, web chat) over the configured store. */
export async function createDefaultBot(config: MeridianConfig, logger: Logger, overrides: DefaultBotOverrides = {}): Promise<Bot> {
  const catalogs = loadCatalogs(join(packageRoot(), 'locales'));
  const stores = overrides.stores ?? createStores(await openBackend(config, { logger }));
  const clock = overrides.clock ?? systemClock;
  const shop = openShop(config, stores.backend, clock);
  const translator = createTranslatorFromConfig(translationSettings(config), { logger });
  const kb = overrides.kb ?? (await openKnowledgeBase(stores.backend, { clock, translator, catalogs, logger }));
  const nlu = await createDefaultNlu(config, { clock, logger, products: shop instanceof FileShop ? shop.allProducts() : [], timeZone: (await shop.info()).timeZone });
  const tokenSettings = config.identity.webchatToken;
  const verifyIdentityToken = tokenSettings.secret
    ? createWebTokenVerifier({
        secret: tokenSettings.secret,
        audience: tokenSettings.audience,
        maxAgeSeconds: tokenSettings.maxAgeSeconds,
        now: () => Math.floor(clock.now() / 1000),
        ...(tokenSettings.issuer ? { issuer: tokenSettings.issuer } : {}),
      })
    : undefined;
  const adapters = config.channels.webchat.enabled
    ? [
        createWebchatAdapter({
          path: config.channels.webchat.path,
          catalogs,
          supportedLocales: config.locales.supported,
          maxMessageLength: config.limits.maxTextLength,
          ...(verifyIdentityToken ? { verifyIdentityToken } : {}),
        }),
      ]
    : [];
  return createBot({
    dialogs: defaultDialogs,
    catalogs,
    stores,
    adapters,
    logger,
    locales: { supported: config.locales.supported, default: config.locales.default },
    maxTextLength: config.limits.maxTextLength,
    outbox: config.outbox,
    clock,
    services: { shop, translator, kb },
    languageDetector: nlu.detector,
    nlu: nlu.engine,
    emulatorMailbox: emulatorEnabled(config),
    ...(verifyIdentityToken ? { verifyIdentityToken } : {}),
  });
}

/** The configured shop: the HTTP shop when shop.url is set, else the file-backed one over the bot's store. */
export function openShop(config: MeridianConfig, backend: StorageBackend, clock: Clock): Shop {
  return config.shop.url
    ? new HttpShop({ baseUrl: config.shop.url, timeoutMs: config.shop.timeoutMs, ...(config.shop.token ? { token: config.shop.token } : {}) })
    : new FileShop({ backend, clock, ...(config.shop.file ? { file: config.shop.file } : {}) });
}

export interface NluSetup {
  detector: LanguageAnalyzer;
  engine: NluEngine;
}

// Training takes about a second: one trained classifier per process serves every bot it builds.
const classifiers = new Map<string, Promise<TrainedIntentClassifier>>();

/** The offline NLU stack: eld language detection, normalization, intents, entities, emotion, sensitive topics. */
export async function createDefaultNlu(
  config: MeridianConfig,
  context: { clock: Clock; logger: Logger; products: readonly { sku: string; name: Record<string, string> }[]; timeZone: string },
): Promise<NluSetup> {
  const localesDir = join(packageRoot(), 'locales');
  const supported = config.locales.supported;
  const started = Date.now();
  const cacheKey = `${localesDir}|${supported.join(',')}`;
  let classifier = classifiers.get(cacheKey);
  if (!classifier) {
    classifier = trainIntentClassifier({ localesDir, languages: supported, cacheDir: join(config.dataDir, 'cache') });
    classifiers.set(cacheKey, classifier);
  }
  const [detector, intents] = await Promise.all([loadLanguageDetector({ supported }), classifier]);
  const engine = createNluEngine(
    {
      language: detector,
      // The classifier's own normalizer: `normalized` then shows exactly what was classified.
      normalizer: intents.normalizer,
      intents,
      entities: createEntityExtractor({
        timeZone: context.timeZone,
        referenceDate: () => new Date(context.clock.now()),
        products: context.products.map((product) => ({ sku: product.sku, names: product.name })),
      }),
      emotion: createEmotionAnalyzer(loadEmotionLexicons(localesDir)),
      sensitive: createSensitiveDetector(loadSensitiveLexicons(localesDir)),
    },
    { supported, defaultLocale: config.locales.default },
  );
  context.logger.debug({ ms: Date.now() - started }, 'NLU ready');
  return { detector, engine };
}

/** The translation block of the config in the shape the translation module takes. */
function translationSettings(config: MeridianConfig): TranslationConfig {
  const { translation } = config;
  return {
    provider: translation.provider,
    glossary: translation.glossary,
    cacheSize: translation.cacheSize,
    timeoutMs: translation.timeoutMs,
    fallback: translation.fallback,
    deepl: translation.deepl,
    libretranslate: translation.libretranslate,
    openaiCompatible: translation.openaiCompatible,
  };
}

/**
 * The knowledge base over the bot's store. An empty store gets the demo articles (knowledge/demo), so
 * `npm start` answers questions out of the box; `meridian kb import` replaces or adds to them.
 */
export async function openKnowledgeBase(
  backend: StorageBackend,
  context: { clock: Clock; translator: Translator; catalogs: Catalogs; logger: Logger },
): Promise<KnowledgeBase> {
  const store = createKnowledgeStore(backend, { clock: context.clock });
  if ((await store.list()).length === 0) {
    const demo = join(packageRoot(), 'knowledge', 'demo');
    for (const article of importArticles(demo)) await store.save(article);
    context.logger.info({ folder: demo }, 'knowledge base was empty: loaded the demo articles');
  }
  return createKnowledgeBase({ store, translator: context.translator, catalogs: context.catalogs });
}

/** Transcript tests run against the default bot on a memory store with a fixed clock. */
export function transcriptBotFactory(config: MeridianConfig): BotFactory {
  // One knowledge base (demo articles) for all transcript bots: it is read-only there and costs ~0.3 s to build.
  let sharedKb: Promise<KnowledgeBase> | undefined;
  return async (environment) => {
    sharedKb ??= openKnowledgeBase(new MemoryBackend(), {
      clock: new ManualClock(),
      translator: createTranslatorFromConfig({ provider: 'none' }),
      catalogs: loadCatalogs(join(packageRoot(), 'locales')),
      logger: silentLogger(),
    });
    const kb = await sharedKb;
    const clock = new ManualClock(environment.now ?? Date.UTC(2026, 10, 27, 10, 0, 0));
    const shop = environment.shop ? { ...config.shop, file: environment.shop } : config.shop;
    return createDefaultBot({ ...config, shop, storage: { ...config.storage, backend: 'memory' } }, silentLogger(), { clock, kb, stores: createStores(new MemoryBackend()) });
  };
}

export async function startMeridian(options: StartOptions = {}): Promise<RunningMeridian> {
  const config = resolveConfig(options);
  const logger = createLogger({ level: config.log.level, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  logger.debug({ config: redactedConfig(config) }, 'configuration');
  const bot = await createDefaultBot(config, logger, options.clock ? { clock: options.clock } : {});
  let ready = false;
  const app = createHttpApp({
    bot,
    logger,
    bodyLimit: config.server.bodyLimit,
    emulator: emulatorEnabled(config) ? { token: config.emulator.token } : undefined,
    admin: { tokens: adminTokensFromEnv(options.env ?? process.env) },
    publicUrl: config.server.publicUrl,
    isReady: () => ready,
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  await bot.start(server);
  // Old messages, replies and events are deleted on schedule (privacy.retention); unfinished work never is.
  const retention = createRetentionJob({ stores: bot.stores, policy: config.privacy.retention.periods, clock: bot.clock, logger, intervalMs: config.privacy.retention.intervalMs });
  retention.start();
  // Erasure requests customers confirmed in chat are carried out shortly after.
  const privacyRequests = createPrivacyRequestJob({ stores: bot.stores, clock: bot.clock, logger, intervalMs: config.privacy.requestIntervalMs, ...(bot.services.shop ? { shop: bot.services.shop } : {}) });
  privacyRequests.start();
  ready = true;
  const address = server.address() as AddressInfo;
  const shownHost = ['0.0.0.0', '::'].includes(config.server.host) ? 'localhost' : config.server.host;
  const url = config.server.publicUrl ?? `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
  logger.info({ url, storage: bot.stores.backend.kind, environment: config.environment }, 'Meridian is running');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      ready = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.server.shutdownTimeoutMs).unref());
      // Stop accepting turns first (bot.stop drains at once), then let a retention pass under way finish.
      const botStopped = bot.stop();
      await retention.stop();
      await privacyRequests.stop();
      const outcome = await Promise.race([botStopped.then(() => 'stopped' as const), timeout]);
      if (outcome === 'timeout') logger.warn({ timeoutMs: config.server.shutdownTimeoutMs }, 'shutdown timed out; unsent replies stay in the outbox for the next start');
      server.closeAllConnections();
      await closed;
      logger.info('Meridian stopped');
    })());
  return { url, bot, server, config, logger, stop };
}
