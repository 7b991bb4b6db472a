/**
 * A server under load, run in its own process so the load generator does not share its core:
 * `meridian` = the emulator endpoint over the embedded (SQLite) store with personal fields encrypted, as
 * `npm start` runs it; `meridian-plain` = the same without field encryption; `express` = a plain hello route.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createBot, createStores, EmbeddedBackend, generateKeyEntry, loadCatalogs, loadKeyring, silentLogger } from '../src/index.js';
import { encryptedBackend } from '../src/privacy/encrypted-backend.js';
import { createHttpApp } from '../src/http/app.js';
import { packageRoot } from '../src/package-root.js';
import { orderLookupDialog } from './order-lookup-dialog.js';

const kind = process.argv[2];

async function meridianApp(encrypted: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-bench-'));
  const embedded = new EmbeddedBackend({ file: join(dir, 'meridian.db') });
  const bot = createBot({
    dialogs: [orderLookupDialog],
    catalogs: loadCatalogs(join(packageRoot(), 'locales')),
    stores: createStores(encrypted ? encryptedBackend(embedded, { keyring: loadKeyring({ keys: generateKeyEntry('bench') }) }) : embedded),
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

const target = kind === 'meridian' || kind === 'meridian-plain' ? await meridianApp(kind === 'meridian') : kind === 'express' ? expressApp() : undefined;
if (!target) throw new Error('usage: http-target.js meridian|meridian-plain|express');
const server = createServer(target.app);
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
await target.start(server);
process.send?.({ port: (server.address() as AddressInfo).port });
process.on('disconnect', () => process.exit(0));
