import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOCALE = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as en, es-MX or zh-Hant');

/**
 * One schema for every setting. Defaults make `npm start` work with no file and no environment:
 * the embedded store in ./data, port 3000, the emulator on in development.
 */
export const configSchema = z
  .object({
    environment: z.enum(['development', 'production', 'test']).default('development'),
    server: z
      .object({
        port: z.number().int().min(0).max(65535).default(3000),
        host: z.string().min(1).default('0.0.0.0'),
        /** Largest request body, as accepted by body-parser ('1mb', '100kb'). */
        bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/i, "a size such as '100kb' or '1mb'").default('1mb'),
        /** The public URL customers and channels reach Meridian at; shown at start and used in signatures. */
        publicUrl: z.url().optional(),
        /** How long shutdown waits for turns under way and the outbox. */
        shutdownTimeoutMs: z.number().int().min(0).default(10_000),
      })
      .strict()
      .default({ port: 3000, host: '0.0.0.0', bodyLimit: '1mb', shutdownTimeoutMs: 10_000 }),
    dataDir: z.string().min(1).default('./data'),
    storage: z
      .object({
        backend: z.enum(['embedded', 'memory', 'mongodb']).default('embedded'),
        embedded: z
          .object({
            /** Defaults to <dataDir>/meridian.db */
            file: z.string().min(1).optional(),
            durability: z.enum(['normal', 'full']).default('normal'),
          })
          .strict()
          .default({ durability: 'normal' }),
        mongodb: z
          .object({
            uri: z.string().regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URI').optional(),
            database: z.string().min(1).default('meridian'),
          })
          .strict()
          .default({ database: 'meridian' }),
        /** Data residency: one backend per region; each customer's records live in their country's region. */
        residency: z
          .object({
            defaultRegion: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a region name in lower case, e.g. eu'),
            /** ISO country -> region, e.g. { DE: eu, US: us }. */
            countries: z.record(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE'), z.string()).default({}),
            regions: z.record(
              z.string().regex(/^[a-z][a-z0-9_]*$/, 'a region name in lower case, e.g. eu'),
              z
                .object({
                  backend: z.enum(['embedded', 'memory', 'mongodb']).default('embedded'),
                  /** Embedded: the region's SQLite file. */
                  file: z.string().min(1).optional(),
                  /** MongoDB: the database; the URI is the secret MERIDIAN_MONGODB_URI_<REGION>. */
                  database: z.string().min(1).default('meridian'),
                })
                .strict(),
            ),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({ backend: 'embedded', embedded: { durability: 'normal' }, mongodb: { database: 'meridian' } })
      .refine((storage) => storage.backend !== 'mongodb' || storage.mongodb.uri !== undefined, {
        message: 'storage.backend is mongodb but no URI is set: set MERIDIAN_MONGODB_URI (or MERIDIAN_MONGODB_URI_FILE)',
        path: ['mongodb', 'uri'],
      }),
    locales: z
      .object({
        default: LOCALE.default('en'),
        supported: z.array(LOCALE).min(1).default(['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh']),
      })
      .strict()
      .default({ default: 'en', supported: ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh'] })
      .refine((locales) => locales.supported.includes(locales.default), { message: 'locales.default must be one of locales.supported', path: ['default'] }),
    emulator: z
      .object({
        /** Unset: on in development, off in production unless a token is set. */
        enabled: z.boolean().optional(),
        /** Secret: from MERIDIAN_EMULATOR_TOKEN or MERIDIAN_EMULATOR_TOKEN_FILE only. */
        token: z.string().min(16, 'at least 16 characters').optional(),
      })
      .strict()
      .default({}),
    admin: z
      .object({
        /** Secret: MERIDIAN_ADMIN_TOKEN or MERIDIAN_ADMIN_TOKEN_FILE (every scope); more tokens: MERIDIAN_ADMIN_TOKENS. */
        token: z.string().min(24, 'at least 24 characters').optional(),
      })
      .strict()
      .default({}),
    identity: z
      .object({
        /** Web-chat login tokens signed by the shop (HS256 JWT; see README "One customer across channels"). */
        webchatToken: z
          .object({
            /** Secret: MERIDIAN_WEBCHAT_TOKEN_SECRET or _FILE; unset turns signed login off. */
            secret: z.string().min(32, 'at least 32 characters').optional(),
            issuer: z.string().min(1).optional(),
            audience: z.string().min(1).default('meridian'),
            maxAgeSeconds: z.number().int().min(60).max(86_400).default(3600),
          })
          .strict()
          .default({ audience: 'meridian', maxAgeSeconds: 3600 }),
      })
      .strict()
      .default({ webchatToken: { audience: 'meridian', maxAgeSeconds: 3600 } }),
    channels: z
      .object({
        webchat: z.object({ enabled: z.boolean().default(true), path: z.string().startsWith('/').default('/webchat/ws') }).strict().default({ enabled: true, path: '/webchat/ws' }),
      })
      .strict()
      .default({ webchat: { enabled: true, path: '/webchat/ws' } }),
    log: z.object({ level: z.enum(LOG_LEVELS).default('info') }).strict().default({ level: 'info' }),
    shop: z
      .object({
        /** The file-backed shop (default: the demo shop shipped with Meridian). */
        file: z.string().min(1).optional(),
        /** A shop back end implementing src/commerce/HTTP-SHOP.md; when set, the file is not used. */
        url: z.url().optional(),
        /** Secret: from MERIDIAN_SHOP_TOKEN or MERIDIAN_SHOP_TOKEN_FILE only. */
        token: z.string().min(1).optional(),
        timeoutMs: z.number().int().min(100).default(5000),
      })
      .strict()
      .default({ timeoutMs: 5000 }),
    privacy: z
      .object({
        /** Personal fields encrypted at rest (keys: MERIDIAN_ENCRYPTION_KEYS or _FILE; see README "Privacy"). */
        encryption: z.object({ enabled: z.boolean().default(true) }).strict().default({ enabled: true }),
        /** How often verified erasure requests made in chat are carried out, in milliseconds. */
        requestIntervalMs: z.number().int().min(1000).default(60_000),
        retention: z
          .object({
            /** How often the retention job runs, in milliseconds. */
            intervalMs: z.number().int().min(1000).default(3_600_000),
            /** Per collection: how long records are kept ('30d', '12h', '2y'); unlisted collections keep everything. */
            periods: z.record(z.string(), z.string().regex(/^\d+(min|h|d|w|y)$/, "a duration such as '30d', '12h' or '2y'")).default({
              inbox: '90d',
              outbox: '30d',
              events: '400d',
              conversations: '2y',
              cases: '2y',
            }),
          })
          .strict()
          .default({ intervalMs: 3_600_000, periods: { inbox: '90d', outbox: '30d', events: '400d', conversations: '2y', cases: '2y' } }),
      })
      .strict()
      .default({
        encryption: { enabled: true },
        requestIntervalMs: 60_000,
        retention: { intervalMs: 3_600_000, periods: { inbox: '90d', outbox: '30d', events: '400d', conversations: '2y', cases: '2y' } },
      }),
    translation: z
      .object({
        provider: z.enum(['none', 'deepl', 'libretranslate', 'openai-compatible']).default('none'),
        /** Brand and product names never translated. */
        glossary: z.array(z.string().min(1)).default([]),
        cacheSize: z.number().int().min(0).default(1000),
        timeoutMs: z.number().int().min(100).default(10_000),
        fallback: z.enum(['original', 'throw']).default('original'),
        deepl: z
          .object({
            apiKey: z.string().min(1).optional(),
            baseUrl: z.url().optional(),
            formality: z.enum(['default', 'more', 'less', 'prefer_more', 'prefer_less']).optional(),
            glossaryId: z.string().optional(),
          })
          .strict()
          .default({}),
        libretranslate: z.object({ baseUrl: z.url().optional(), apiKey: z.string().min(1).optional() }).strict().default({}),
        openaiCompatible: z
          .object({ baseUrl: z.url().optional(), apiKey: z.string().min(1).optional(), model: z.string().min(1).optional(), temperature: z.number().min(0).max(2).optional() })
          .strict()
          .default({}),
      })
      .strict()
      .default({ provider: 'none', glossary: [], cacheSize: 1000, timeoutMs: 10_000, fallback: 'original', deepl: {}, libretranslate: {}, openaiCompatible: {} }),
    limits: z.object({ maxTextLength: z.number().int().min(1).max(100_000).default(4000) }).strict().default({ maxTextLength: 4000 }),
    outbox: z
      .object({
        maxAttempts: z.number().int().min(1).max(100).default(8),
        baseDelayMs: z.number().int().min(1).default(1000),
        sweepIntervalMs: z.number().int().min(10).default(1000),
      })
      .strict()
      .default({ maxAttempts: 8, baseDelayMs: 1000, sweepIntervalMs: 1000 }),
  })
  .strict();

export type MeridianConfig = z.infer<typeof configSchema>;
export type MeridianConfigInput = z.input<typeof configSchema>;

/** Settings that are secrets: never accepted from the config file, never logged. */
export const SECRET_PATHS = ['emulator.token', 'admin.token', 'shop.token', 'identity.webchatToken.secret', 'translation.deepl.apiKey', 'translation.libretranslate.apiKey', 'translation.openaiCompatible.apiKey'] as const;
