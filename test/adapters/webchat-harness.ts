import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createWebchatAdapter, type WebchatAdapter, type WebchatAdapterOptions } from '../../adapters/webchat/index.js';
import type { Bot, BotOptions } from '../../src/bot.js';
import type { AdapterRoute, WebhookRequest } from '../../src/core/adapter.js';
import { catalogs, testBot } from '../helpers/bot.js';

/** Answers a request from the adapter's routes the way the real HTTP layer mounts them: at the site root. */
export async function handleWithRoutes(routes: readonly AdapterRoute[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const route = routes.find((candidate) => candidate.method === req.method && candidate.path === url.pathname);
  if (!route) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const request: WebhookRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    url: url.href,
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])),
    query: Object.fromEntries(url.searchParams),
    rawBody: Buffer.concat(chunks),
  };
  const response = await route.handle(request);
  res.writeHead(response.status, response.headers).end(response.body);
}

export interface WebchatHarness {
  url: string;
  port: number;
  bot: Bot;
  adapter: WebchatAdapter;
  server: Server;
  /** Drops every TCP connection (sockets included) and stops listening; `resume()` listens on the same port again. */
  interrupt(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Meridian-like server for the web chat alone: node:http on 127.0.0.1, a bot with the greeting dialog,
 * the webchat adapter's routes at the root and its socket on the same server.
 */
export async function startWebchatHarness(
  options: { bot?: Partial<BotOptions>; adapter?: Partial<WebchatAdapterOptions> } = {},
): Promise<WebchatHarness> {
  const { bot } = testBot(options.bot);
  const adapter = createWebchatAdapter({ catalogs, supportedLocales: bot.supportedLocales, ...options.adapter });
  bot.addAdapter(adapter);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handleWithRoutes(adapter.routes ?? [], req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const port = address.port;
  await bot.start(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bot,
    adapter,
    server,
    async interrupt() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    resume: () => listen(port),
    async stop() {
      await bot.stop();
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
