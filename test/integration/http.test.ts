import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RunningMeridian } from '../../src/main.js';
import type { ChannelAdapter, Delivery } from '../../src/core/adapter.js';
import { CHANNEL_CAPABILITIES } from '../../src/core/capabilities.js';
import { createHttpApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/core/logger.js';
import { postJson, startTestServer } from '../helpers/server.js';
import { testBot } from '../helpers/bot.js';

describe('HTTP: probes and the emulator API', () => {
  let meridian: RunningMeridian;
  let emulator: string;
  beforeAll(async () => {
    meridian = await startTestServer();
    emulator = `${meridian.url}/api/emulator/messages`;
  });
  afterAll(async () => {
    await meridian.stop();
  });

  it('answers health and readiness probes', async () => {
    expect((await fetch(`${meridian.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${meridian.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', storage: 'memory' });
  });

  it('runs a full turn and renders for the channel: buttons on WhatsApp, a numbered list on SMS', async () => {
    const wa = await postJson(emulator, { channel: 'whatsapp', from: '+49 151 1234 5678', text: 'Hallo!', locale: 'de' });
    expect(wa.status).toBe(200);
    expect(wa.json['locale']).toBe('de');
    const waReplies = wa.json['replies'] as { text: string; buttons?: unknown[] }[];
    expect(waReplies[0]!.text).toContain('KI-Assistent');
    expect(waReplies[0]!.buttons).toHaveLength(3);

    const sms = await postJson(emulator, { channel: 'sms', from: '+15551234567', text: 'hello' });
    const smsReplies = sms.json['replies'] as { text: string; buttons?: unknown[] }[];
    expect(smsReplies[0]!.buttons).toBeUndefined();
    expect(smsReplies[0]!.text).toMatch(/\n1\. Track an order\n2\. Return an item\n3\. Talk to a human$/);
    const human = await postJson(emulator, { channel: 'sms', from: '+15551234567', text: '3' });
    expect((human.json['replies'] as { handoff?: unknown }[])[0]!.handoff).toEqual({ reason: 'customer_request' });
  });

  it('returns the first answer for a repeated messageId without a second turn', async () => {
    const body = { channel: 'email', from: 'Ana@Example.com', text: 'hello', messageId: 'msg-42' };
    const first = await postJson(emulator, body);
    const second = await postJson(emulator, body);
    expect(second.status).toBe(200);
    expect(second.json['duplicate']).toBe(true);
    expect(second.json['replies']).toEqual(first.json['replies']);
    const conversation = await meridian.bot.stores.conversations.get(first.json['conversationId'] as string);
    expect(conversation?.turnCount).toBe(1);
    expect(conversation?.address).toBe('email:ana@example.com');
  });

  it.each([
    ['malformed JSON', '{"channel": "sms",', 400, 'invalid_json'],
    ['an unknown channel', { channel: 'pigeon', from: 'x', text: 'hi' }, 400, 'invalid_request'],
    ['a missing field', { channel: 'sms', text: 'hi' }, 400, 'invalid_request'],
    ['an unknown field', { channel: 'sms', from: '+15551234567', text: 'hi', extra: 1 }, 400, 'invalid_request'],
    ['a bad phone number', { channel: 'sms', from: 'not-a-phone', text: 'hi' }, 400, 'invalid_activity'],
    ['empty text', { channel: 'sms', from: '+15551234567', text: '  ' }, 400, 'empty_message'],
    ['text over the message limit', { channel: 'sms', from: '+15551234567', text: 'a'.repeat(5000) }, 413, 'text_too_long'],
    ['a 10 MB text', { channel: 'sms', from: '+15551234567', text: 'a'.repeat(10 * 1024 * 1024) }, 413, 'payload_too_large'],
  ])('rejects %s with a JSON error', async (_name, body, status, code) => {
    const response = await postJson(emulator, body);
    expect(response.status).toBe(status);
    expect((response.json['error'] as { code: string }).code).toBe(code);
    expect((response.json['error'] as { message: string }).message.length).toBeGreaterThan(5);
  });

  it('rejects a body that is not valid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"channel":"sms","from":"+15551234567","text":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const response = await fetch(emulator, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_utf8' } });
  });

  it('answers unknown routes with a JSON 404 and carries a request id', async () => {
    const response = await fetch(`${meridian.url}/nope`, { headers: { 'x-request-id': 'abc-123' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('abc-123');
    expect(await response.json()).toMatchObject({ error: { code: 'route_not_found' } });
  });
});

describe('HTTP: the emulator in production', () => {
  it('is off without a token', async () => {
    const meridian = await startTestServer({ env: { MERIDIAN_ENV: 'production' } });
    try {
      const response = await postJson(`${meridian.url}/api/emulator/messages`, { channel: 'sms', from: '+15551234567', text: 'hi' });
      expect(response.status).toBe(404);
    } finally {
      await meridian.stop();
    }
  });

  it('needs the bearer token when one is set', async () => {
    const token = 'emulator-token-0123456789';
    const meridian = await startTestServer({ env: { MERIDIAN_ENV: 'production', MERIDIAN_EMULATOR_TOKEN: token } });
    try {
      const url = `${meridian.url}/api/emulator/messages`;
      const body = { channel: 'sms', from: '+15551234567', text: 'hi' };
      expect((await postJson(url, body)).status).toBe(401);
      expect((await postJson(url, body, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
      expect((await postJson(url, body, { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await meridian.stop();
    }
  });
});

describe('HTTP: webhooks', () => {
  const secret = 'shared-secret';
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('hex');
  const sent: Delivery[] = [];
  const hookAdapter: ChannelAdapter = {
    id: 'sms',
    channel: 'sms',
    capabilities: CHANNEL_CAPABILITIES['sms']!,
    webhookPath: 'test-sms',
    verify(request) {
      const given = Buffer.from(request.headers['x-signature'] ?? '', 'utf8');
      const expected = Buffer.from(sign(request.rawBody.toString('utf8')), 'utf8');
      return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, status: 401, reason: 'bad signature' };
    },
    parse(request) {
      const body = JSON.parse(request.rawBody.toString('utf8')) as { id: string; from: string; text: string };
      const address = `sms:${body.from}`;
      return [{ id: body.id, channel: 'sms', address, conversationKey: address, text: body.text, attachments: [], timestamp: new Date().toISOString(), transport: 'sms' }];
    },
    acknowledge: () => ({ status: 202, body: 'accepted' }),
    async send(delivery) {
      sent.push(delivery);
    },
  };
  let server: Server;
  let base: string;
  const { bot } = testBot({ adapters: [hookAdapter] });
  beforeAll(async () => {
    server = createServer(createHttpApp({ bot, logger: silentLogger(), bodyLimit: '1mb', emulator: undefined, publicUrl: undefined, isReady: () => true }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/test-sms`;
    await bot.start(server);
  });
  afterAll(async () => {
    await bot.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a forged signature with 401 and runs no turn', async () => {
    const body = JSON.stringify({ id: 'SM1', from: '+15550009999', text: 'hi' });
    const response = await fetch(base, { method: 'POST', body, headers: { 'x-signature': sign('something else') } });
    expect(response.status).toBe(401);
    expect(await bot.stores.inbox.get('sms:SM1')).toBeUndefined();
  });

  it('verifies, acknowledges fast, runs the turn and sends the reply through the adapter', async () => {
    const body = JSON.stringify({ id: 'SM2', from: '+15550009999', text: 'hi' });
    const response = await fetch(base, { method: 'POST', body, headers: { 'x-signature': sign(body) } });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('accepted');
    await bot.flushOutbox();
    for (let i = 0; i < 50 && sent.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.address).toBe('sms:+15550009999');
    expect(sent[0]!.messages[0]!.text).toMatch(/AI assistant[\s\S]*1\. Track an order/);
  });

  it('answers 400 to a malformed payload that passes the signature', async () => {
    const body = '{not json';
    const response = await fetch(base, { method: 'POST', body, headers: { 'x-signature': sign(body) } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

describe('graceful shutdown', () => {
  it('finishes a turn under way before closing, and refuses new messages meanwhile', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const meridian = await startTestServer();
    meridian.bot.use(async (ctx, next) => {
      if (ctx.text === 'slow') await gate;
      await next();
    });
    const url = `${meridian.url}/api/emulator/messages`;
    const slow = postJson(url, { channel: 'sms', from: '+15550001234', text: 'slow' });
    for (let i = 0; i < 100 && meridian.bot.activeTurns === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(meridian.bot.activeTurns).toBe(1);
    const stopping = meridian.stop();
    const refused = await meridian.bot.receive({ id: 'late', channel: 'sms', address: 'sms:+15550009876', conversationKey: 'sms:+15550009876', text: 'hi', attachments: [], timestamp: '', transport: 'emulator' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'shutting_down' });
    release();
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect((answer.json['replies'] as unknown[]).length).toBeGreaterThan(0);
    await stopping;
  });
});
