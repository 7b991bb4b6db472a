import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { RunningMeridian } from '../../src/main.js';
import { ADMIN, postJson, startTestServer } from '../helpers/server.js';

describe('understanding through the default bot', () => {
  let meridian: RunningMeridian;
  beforeAll(async () => {
    meridian = await startTestServer();
  });
  afterAll(async () => {
    await meridian.stop();
  });

  it('POST /api/nlu/parse answers language, intent, entities, emotion and sensitive topics', async () => {
    const { status, json } = await postJson(`${meridian.url}/api/nlu/parse`, { text: 'Wo bleibt meine Bestellung A1043?? Das dauert ewig!!!' }, ADMIN);
    expect(status).toBe(200);
    expect(json).toMatchObject({ language: 'de', intent: 'order_status' });
    expect(json['confidence']).toBeGreaterThan(0.4);
    expect(json['entities']).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'order_number', value: 'A1043' })]));
    expect((json['emotion'] as { frustration: number }).frustration).toBeGreaterThan(0.2);
    expect(json['sensitive']).toEqual({ topics: [], action: 'none' });
  });

  it('keeps a conversation language for an ambiguous message when given the conversation', async () => {
    const turn = await postJson(`${meridian.url}/api/emulator/messages`, { channel: 'webchat', from: 'nlu-api-1', text: 'Bonjour, où est ma commande ?' });
    const { json } = await postJson(`${meridian.url}/api/nlu/parse`, { text: 'ok', conversationId: turn.json['conversationId'] }, ADMIN);
    expect(json['language']).toBe('fr');
    const missing = await postJson(`${meridian.url}/api/nlu/parse`, { text: 'ok', conversationId: 'cv_nope' }, ADMIN);
    expect(missing.status).toBe(404);
    const bad = await postJson(`${meridian.url}/api/nlu/parse`, { text: '' }, ADMIN);
    expect(bad.status).toBe(400);
  });

  it('hands over a request for a person phrased without a keyword, in the customer language', async () => {
    const { json } = await postJson(`${meridian.url}/api/emulator/messages`, { channel: 'whatsapp', from: '+34600111222', text: '¿Me puede atender una persona de verdad, por favor?' });
    const replies = json['replies'] as { text: string; handoff?: unknown }[];
    expect(json['locale']).toBe('es');
    expect(replies.some((reply) => reply.handoff)).toBe(true);
  });

  it('answers a self-harm message with care, hands over and points to emergency help', async () => {
    const { json } = await postJson(`${meridian.url}/api/emulator/messages`, { channel: 'webchat', from: 'nlu-api-2', text: "I don't want to live anymore" });
    const replies = json['replies'] as { text: string; handoff?: { reason: string } }[];
    expect(replies.some((reply) => reply.handoff?.reason === 'sensitive:self_harm')).toBe(true);
    expect(replies.map((reply) => reply.text).join(' ')).toMatch(/emergency/i);
  });
});

describe('the admin API', () => {
  it('answers 401 without a token configured, in development too: there is no open mode', async () => {
    const off = await startTestServer({ env: {} });
    try {
      const refused = await postJson(`${off.url}/api/nlu/parse`, { text: 'hi' });
      expect(refused.status).toBe(401);
      expect(JSON.stringify(refused.json)).toMatch(/MERIDIAN_ADMIN_TOKEN/);
    } finally {
      await off.stop();
    }
  });

  it('needs the token in production', async () => {
    const token = 'admin-token-0123456789abcdef';
    const on = await startTestServer({ env: { MERIDIAN_ENV: 'production', MERIDIAN_ADMIN_TOKEN: token } });
    try {
      expect((await postJson(`${on.url}/api/nlu/parse`, { text: 'hi' })).status).toBe(401);
      expect((await postJson(`${on.url}/api/nlu/parse`, { text: 'hi' }, { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await on.stop();
    }
  });
});

describe('card numbers', () => {
  it('are never stored: the customer is warned and the inbox holds a redacted text', async () => {
    const meridian = await startTestServer();
    try {
      const { json } = await postJson(`${meridian.url}/api/emulator/messages`, {
        channel: 'webchat',
        from: 'card-1',
        text: 'my card is 4111 1111 1111 1111, can you charge it?',
        messageId: 'card-msg-1',
      });
      const text = (json['replies'] as { text: string }[]).map((reply) => reply.text).join(' ');
      expect(text).toMatch(/never send card numbers/);
      const entry = await meridian.bot.stores.inbox.get('webchat:card-msg-1');
      expect(JSON.stringify(entry)).not.toMatch(/4111/);
      expect(entry?.activity.text).toContain('[card]');
    } finally {
      await meridian.stop();
    }
  });
});
