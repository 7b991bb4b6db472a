import { describe, it, expect } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBot, createHttpApp, silentLogger } from '../../src/index.js';
import { createSizeBot } from '../../examples/minimal-bot.js';
import { createJsonWebhookAdapter } from '../../examples/custom-adapter.js';
import { catalogs } from '../helpers/bot.js';
import { greetingDialog } from '../../dialogs/greeting/index.js';

const emulated = (text: string, id: string) => ({
  id,
  channel: 'webchat',
  address: 'webchat:example',
  conversationKey: 'webchat:example',
  text,
  attachments: [],
  timestamp: new Date().toISOString(),
  transport: 'emulator',
});

describe('examples', () => {
  it('the minimal bot runs its dialog over the embedded store', async () => {
    const bot = createSizeBot(join(mkdtempSync(join(tmpdir(), 'meridian-example-')), 'bot.db'));
    bot.logger.level = 'silent';
    const first = await bot.receive(emulated('hello', 'e1'));
    expect(first.replies[0]!.text).toMatch(/^I'm an AI assistant[\s\S]*Which size\?/);
    expect((await bot.receive(emulated('3', 'e2'))).replies[0]!.text).toBe('L is in stock.');
    await bot.stop();
  });

  it('the custom adapter verifies signatures, runs turns and sends through its callback', async () => {
    const sent: { url: string; body: string; key: string }[] = [];
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      sent.push({ url: String(url), body: String(init?.body), key: (init?.headers as Record<string, string>)['idempotency-key']! });
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    const adapter = createJsonWebhookAdapter({ secret: 's3cret', callbackUrl: 'http://127.0.0.1:9/replies', fetch: fakeFetch });
    const bot = createBot({ dialogs: [greetingDialog], catalogs, adapters: [adapter] });
    const server = createServer(createHttpApp({ bot, logger: silentLogger(), bodyLimit: '100kb', emulator: undefined, publicUrl: undefined, isReady: () => true }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await bot.start(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/acme-chat`;
    try {
      const body = JSON.stringify({ messageId: 'a1', userId: 'u-7', text: 'hallo', locale: 'de' });
      const forged = await fetch(url, { method: 'POST', body, headers: { 'x-acme-signature': 'sha256=00' } });
      expect(forged.status).toBe(401);
      const signature = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;
      expect((await fetch(url, { method: 'POST', body, headers: { 'x-acme-signature': signature } })).status).toBe(200);
      for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(sent).toHaveLength(1);
      expect(sent[0]!.key).toBe('acme-chat:a1#00');
      expect(JSON.parse(sent[0]!.body)).toMatchObject({ to: 'u-7', messages: [{ text: expect.stringContaining('KI-Assistent') }] });
      const bad = JSON.stringify({ nope: true });
      const badSig = `sha256=${createHmac('sha256', 's3cret').update(bad).digest('hex')}`;
      expect((await fetch(url, { method: 'POST', body: bad, headers: { 'x-acme-signature': badSig } })).status).toBe(400);
    } finally {
      await bot.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
