import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { Bot } from '../bot.js';
import type { ChannelAdapter, WebhookRequest, WebhookResponse } from '../core/adapter.js';
import { MeridianError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { errorBody, errorHandler, notFound } from './errors.js';
import { emulatorOutboxRoute, emulatorRoute, type EmulatorOptions } from './emulator.js';
import { bearerGuard } from './auth.js';
import { nluRoute } from './nlu-route.js';
import { privacyEraseRoute, privacyExportRoute, privacyRequestsRoute } from './privacy-routes.js';
import { adminRateLimits, AdminTokenSet, requireScope, type AdminRateLimitOptions, type AdminScope } from './admin-auth.js';
import { customerViewRoute, linkIdentityRoute, unlinkIdentityRoute } from './customer-routes.js';

export interface HttpAppOptions {
  bot: Bot;
  logger: Logger;
  /** Largest request body ('1mb'). */
  bodyLimit: string;
  emulator: EmulatorOptions | undefined;
  /**
   * The admin API (/api/customers, /api/privacy, /api/nlu): bearer tokens with scopes. Without tokens
   * every admin route answers 401; there is no open mode.
   */
  admin?: { tokens: AdminTokenSet; rateLimits?: AdminRateLimitOptions } | undefined;
  /** Public base URL, for adapters whose signatures cover the URL (Twilio). */
  publicUrl: string | undefined;
  /** False while shutting down: /readyz answers 503 so load balancers stop sending. */
  isReady: () => boolean;
}

/** Rejects bodies that are not valid UTF-8 before they are decoded (decoding would hide the damage). */
const verifyUtf8 = (_req: unknown, _res: unknown, buffer: Buffer): void => {
  if (!isUtf8(buffer)) throw new MeridianError('invalid_utf8', 'the request body is not valid UTF-8', { status: 400 });
};

const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  const id = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  next();
};

/** The express app: probes, webhooks per adapter, the emulator API and adapters' own routes. */
export function createHttpApp(options: HttpAppOptions): Express {
  const { bot, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  // API answers are never cached by clients; hashing every body for an ETag cost ~5% of a turn over HTTP.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use(requestId);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (!options.isReady()) {
      res.status(503).json({ status: 'shutting_down' });
      return;
    }
    try {
      await bot.stores.backend.ping();
      res.json({ status: 'ready', storage: bot.stores.backend.kind, activeTurns: bot.activeTurns });
    } catch (error) {
      logger.error({ err: error }, 'readiness check: storage unavailable');
      res.status(503).json({ status: 'storage_unavailable', storage: bot.stores.backend.kind });
    }
  });

  // The emulator comes first: it is the busiest route in development and in the benchmark.
  if (options.emulator) {
    const guard = bearerGuard(options.emulator.token, 'MERIDIAN_EMULATOR_TOKEN');
    app.post('/api/emulator/messages', guard, express.json({ limit: options.bodyLimit, verify: verifyUtf8, type: () => true }), emulatorRoute(bot));
    app.get('/api/emulator/outbox', guard, emulatorOutboxRoute(bot));
  } else {
    app.all('/api/emulator/{*rest}', (_req, res) => {
      res.status(404).json(errorBody('route_not_found', 'the emulator API is off here (production without MERIDIAN_EMULATOR_TOKEN)'));
    });
  }

  for (const adapter of bot.listAdapters()) {
    if (adapter.webhookPath !== undefined) mountWebhook(app, adapter, options);
    for (const route of adapter.routes ?? []) {
      const handler: RequestHandler = async (req, res, next) => {
        try {
          send(res, await route.handle(toWebhookRequest(req, Buffer.alloc(0), route.path, options.publicUrl)));
        } catch (error) {
          next(error);
        }
      };
      if (route.method === 'GET') app.get(route.path, handler);
      else app.post(route.path, express.raw({ type: '*/*', limit: options.bodyLimit }), handler);
    }
  }

  mountAdminApi(app, options);

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

/**
 * Admin routes, each behind its scope. Order per route: the failed-auth limit (token guessing), the
 * token and scope check (before the body is read), the per-token limit, then the body and the handler.
 */
function mountAdminApi(app: Express, options: HttpAppOptions): void {
  const { bot, logger } = options;
  const tokens = options.admin?.tokens ?? new AdminTokenSet([]);
  const limits = adminRateLimits({ ...options.admin?.rateLimits, logger });
  const guarded = (scope: AdminScope) => [limits.failedAuth, requireScope(tokens, scope), limits.perToken];
  const json = (limit: string) => express.json({ limit, verify: verifyUtf8, type: () => true });
  app.get('/api/customers/:id', ...guarded('customers:read'), customerViewRoute(bot));
  app.post('/api/customers/:id/identities', ...guarded('customers:write'), json('16kb'), linkIdentityRoute(bot));
  app.delete('/api/customers/:id/identities/:identityId', ...guarded('customers:write'), unlinkIdentityRoute(bot));
  app.get('/api/privacy/export', ...guarded('privacy:export'), privacyExportRoute(bot, logger));
  app.get('/api/privacy/requests', ...guarded('privacy:export'), privacyRequestsRoute(bot));
  app.post('/api/privacy/erase', ...guarded('privacy:erase'), json('16kb'), privacyEraseRoute(bot, logger));
  app.post('/api/nlu/parse', ...guarded('nlu:parse'), json('64kb'), nluRoute(bot));
}

/** /webhooks/<path>: verify the signature on the raw bytes, parse, store, acknowledge fast. */
function mountWebhook(app: Express, adapter: ChannelAdapter, options: HttpAppOptions): void {
  const base = `/webhooks/${adapter.webhookPath}`;
  const handler: RequestHandler = async (req, res, next) => {
    try {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const request = toWebhookRequest(req, raw, req.path.slice(base.length) || '/', options.publicUrl);
      const verdict = adapter.verify ? await adapter.verify(request) : ({ ok: true } as const);
      if (!verdict.ok) {
        options.logger.warn({ adapter: adapter.id, reason: verdict.reason, requestId: res.getHeader('x-request-id') }, 'webhook rejected');
        res.status(verdict.status).json(errorBody(verdict.status === 401 ? 'unauthorized' : 'forbidden', verdict.reason));
        return;
      }
      if (!isUtf8(raw)) throw new MeridianError('invalid_utf8', 'the webhook body is not valid UTF-8', { status: 400 });
      const activities = await parseWebhook(adapter, request, options.logger);
      for (const activity of activities) {
        const { turn } = await options.bot.accept(activity);
        turn.catch((error: unknown) => options.logger.error({ err: error, adapter: adapter.id }, 'turn from webhook failed'));
      }
      // Acknowledge only once the messages are on disk: a channel that got its 200 will not redeliver.
      await options.bot.stores.backend.flush?.();
      send(res, adapter.acknowledge?.(request, activities) ?? { status: 200 });
    } catch (error) {
      next(error);
    }
  };
  app.all(base, express.raw({ type: () => true, limit: options.bodyLimit }), handler);
  app.all(`${base}/{*rest}`, express.raw({ type: () => true, limit: options.bodyLimit }), handler);
}

/** A payload that passed the signature but cannot be parsed is bad input (400), logged for replay, never a 500. */
async function parseWebhook(adapter: ChannelAdapter, request: WebhookRequest, logger: Logger) {
  if (!adapter.parse) return [];
  try {
    return await adapter.parse(request);
  } catch (error) {
    if (error instanceof MeridianError && error.status < 500) throw error;
    logger.warn({ adapter: adapter.id, bytes: request.rawBody.length, err: error }, 'webhook payload could not be parsed');
    throw new MeridianError('invalid_request', `the ${adapter.id} webhook payload could not be parsed: ${(error as Error).message}`, { status: 400, cause: error });
  }
}

function toWebhookRequest(req: Request, rawBody: Buffer, path: string, publicUrl: string | undefined): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.query)) query[name] = typeof value === 'string' ? value : undefined;
  const origin = publicUrl ? publicUrl.replace(/\/$/, '') : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return { method: req.method, path, url: `${origin}${req.originalUrl}`, headers, query, rawBody };
}

function send(res: express.Response, response: WebhookResponse): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.send(response.body ?? '');
}
