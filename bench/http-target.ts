/**
 * A server under load, run in its own process so the load generator does not share its core:
 * `meridian` = the emulator endpoint over the embedded (SQLite) store; `express` = a plain hello route.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createBot, createStores, EmbeddedBackend, loadCatalogs, silentLogger } from '../src/index.js';
import { createHttpApp } from '../src/http/app.js';
import { packageRoot } from '../src/package-root.js';
import { orderLookupDialog } from './order-lookup-dialog.js';

const kind = process.argv[2];

async function meridianApp() {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-bench-'));
  const bot = createBot({
    dialogs: [orderLookupDialog],
    catalogs: loadCatalogs(join(packageRoot(), 'locales')),
    stores: createStores(new EmbeddedBackend({ file: join(dir, 'meridian.db') })),
    disable: ['aiDisclosure'],
  });
  const app = createHttpApp({ bot, logger: silentLogger(), bodyLimit: '1mb', emulator: { token: undefined }, publicUrl: undefined, isReady: () => true });
  return { app, start: (server: Server) => bot.start(server) };
}

function expressApp() {
  const app = express();
  app.get('/hello', (_req, res) => {
    res.send('hello');
  });
  return { app, start: async () => undefined };
}

const target = kind === 'meridian' ? await meridianApp() : kind === 'express' ? expressApp() : undefined;
if (!target) throw new Error('usage: http-target.js meridian|express');
const server = createServer(target.app);
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
await target.start(server);
process.send?.({ port: (server.address() as AddressInfo).port });
process.on('disconnect', () => process.exit(0));
