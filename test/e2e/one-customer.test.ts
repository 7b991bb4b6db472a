import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/runtime.js';
import type { RunningMeridian } from '../../src/main.js';
import { signWebIdentityToken } from '../../src/identity/web-token.js';
import { processErasureRequests } from '../../src/privacy/requests.js';
import { ADMIN, getJson, postJson, startTestServer } from '../helpers/server.js';

/**
 * The promise of issue 6, end to end over HTTP on the default embedded store (encrypted at rest): one
 * customer starts a return on WhatsApp, asks "any news?" by e-mail and on web chat (logged in by the
 * shop's signed token, and on a second browser by a one-time code) and is never asked for the order
 * number again; a stranger sees nothing; then she asks in chat to delete her data, the privacy job
 * erases it, and no store (nor the database file) holds her phone, e-mail, name or words any more.
 */

const PHONE = '+34612345678';
const EMAIL = 'lucia.fernandez@example.com';
const SECRET = 'shop-signing-secret-0123456789abcdef';
const HER_WORDS = ['Quiero devolver los vaqueros del pedido A1029', '¿Hay novedades?', '¿Alguna novedad?'];

type Reply = { text: string; buttons?: { title: string; value: string }[] };

describe('one customer across WhatsApp, e-mail and web chat, then erased', () => {
  let meridian: RunningMeridian;
  let dataDir: string;
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 10, 0, 0));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'meridian-one-customer-'));
    meridian = await startTestServer({ storage: 'embedded', dataDir, clock, env: { MERIDIAN_ADMIN_TOKEN: ADMIN.authorization.slice(7), MERIDIAN_WEBCHAT_TOKEN_SECRET: SECRET } });
  });
  afterAll(async () => {
    await meridian.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function say(channel: string, from: string, text: string, extra: Record<string, string> = {}): Promise<string> {
    const { status, json } = await postJson(`${meridian.url}/api/emulator/messages`, { channel, from, text, ...extra });
    expect(status).toBe(200);
    return (json['replies'] as Reply[]).map((reply) => [reply.text, ...(reply.buttons ?? []).map((b) => `[${b.title}]`)].join(' ')).join('\n');
  }

  /** Every document of every collection, read through the stores (decrypted). */
  async function everything(): Promise<string> {
    const { backend } = meridian.bot.stores;
    const names = ['customers', 'conversations', 'inbox', 'outbox', 'events', 'cases', 'shop_changes'];
    const all = await Promise.all(names.map((name) => backend.collection({ name, indexes: [] }).find({})));
    return JSON.stringify(all);
  }

  /** The database files as bytes: what a stolen disk or backup shows. */
  function databaseBytes(): string {
    return readdirSync(dataDir)
      .filter((file) => file.startsWith('meridian.db'))
      .map((file) => readFileSync(join(dataDir, file)).toString('latin1'))
      .join('');
  }

  it('never asks her to repeat the order number, shows a stranger nothing, then forgets her', async () => {
    // WhatsApp: the number is on file at the shop, so the channel proves who she is.
    expect(await say('whatsapp', PHONE, 'Quiero devolver los vaqueros del pedido A1029 porque me quedan pequeños')).toMatch(/¿Cómo quieres enviarlo de vuelta\?/);
    expect(await say('whatsapp', PHONE, 'Entregarlo en un punto')).toMatch(/Sí, registrarla/);
    expect(await say('whatsapp', PHONE, 'sí')).toMatch(/RMA-A1029-2/);

    // E-mail: the address on file links the same profile; "any news?" answers with the return.
    const byEmail = await say('email', EMAIL, '¿Hay novedades?');
    expect(byEmail).toMatch(/RMA-A1029-2/);
    expect(byEmail).toMatch(/A1029/);
    expect(byEmail).not.toMatch(/número de pedido/i);

    // A stranger on web chat asking the same sees nothing of hers.
    const stranger = await say('webchat', 'stranger-session-1', '¿Hay novedades de lo mío?');
    expect(stranger).not.toMatch(/RMA-A1029|A1029/);
    expect(stranger).toMatch(/código/);

    // Web chat, logged in on the shop's site: the signed token links the session.
    const token = await signWebIdentityToken({ secret: SECRET, shopCustomerId: 'C1003', now: Math.floor(clock.now() / 1000) });
    expect(await say('webchat', 'lucia-laptop', '¿Alguna novedad?', { identityToken: token })).toMatch(/RMA-A1029-2/);
    // A forged token is refused outright.
    const forged = await signWebIdentityToken({ secret: 'another-secret-that-is-long-enough-0000', shopCustomerId: 'C1003', now: Math.floor(clock.now() / 1000) });
    expect((await postJson(`${meridian.url}/api/emulator/messages`, { channel: 'webchat', from: 'mallory', text: 'hola', identityToken: forged })).status).toBe(401);

    // Web chat on another browser, not logged in: a one-time code sent to the e-mail on file.
    expect(await say('webchat', 'lucia-phone', 'quiero vincular mi cuenta')).toMatch(/código/);
    expect(await say('webchat', 'lucia-phone', EMAIL)).toMatch(/código de 6 dígitos/);
    const mailbox = await getJson(`${meridian.url}/api/emulator/outbox?address=${encodeURIComponent(`email:${EMAIL}`)}`);
    const codeMail = (mailbox.json['messages'] as { text: string }[]).map((m) => m.text).find((text) => /\b\d{6}\b/.test(text));
    const code = /\b(\d{6})\b/.exec(codeMail ?? '')?.[1];
    expect(code).toBeDefined();
    expect(await say('webchat', 'lucia-phone', '000000' === code ? '111111' : '000000')).toMatch(/no coincide/);
    expect(await say('webchat', 'lucia-phone', code as string)).toMatch(/confirmado/);
    expect(await say('webchat', 'lucia-phone', '¿Hay novedades?')).toMatch(/RMA-A1029-2/);

    // The CRM view: one profile, four identities, her value, one timeline across the channels.
    const view = await getJson(`${meridian.url}/api/customers/${encodeURIComponent(`whatsapp:${PHONE}`)}`, ADMIN);
    expect(view.status).toBe(200);
    const identities = view.json['identities'] as { address: string; linkMethod: string }[];
    expect(identities.map((i) => `${i.address} ${i.linkMethod}`).sort()).toEqual(
      [`email:${EMAIL} shop_contact`, 'webchat:lucia-laptop signed_token', 'webchat:lucia-phone one_time_code', `whatsapp:${PHONE} shop_contact`].sort(),
    );
    expect(view.json['value']).toMatchObject({ tier: expect.any(String), orders: expect.any(Number) });
    const timeline = view.json['timeline'] as { kind: string; channel?: string; case?: { reference: string } }[];
    expect(new Set(timeline.filter((e) => e.kind === 'message_in').map((e) => e.channel))).toEqual(new Set(['whatsapp', 'email', 'webchat']));
    expect(timeline.some((e) => e.kind === 'case' && e.case?.reference === 'RMA-A1029-2')).toBe(true);
    // Without the admin token the same read is refused.
    expect((await getJson(`${meridian.url}/api/customers/${encodeURIComponent(`whatsapp:${PHONE}`)}`)).status).toBe(401);

    // At rest, the database files hold none of it in clear.
    await meridian.bot.stores.backend.flush?.();
    const bytes = databaseBytes();
    expect(bytes.length).toBeGreaterThan(10_000);
    for (const secret of ['34612345678', EMAIL, 'Fernández', 'vaqueros del pedido']) expect(bytes).not.toContain(secret);

    // She asks by e-mail to delete her data and confirms; the privacy job carries it out.
    expect(await say('email', EMAIL, 'Quiero que borréis todos mis datos')).toMatch(/no se puede deshacer/i);
    expect(await say('email', EMAIL, 'sí')).toMatch(/PR-[0-9A-F]{8}/);
    const before = await everything();
    expect(before).toContain(EMAIL);
    const receipts = await processErasureRequests(meridian.bot.stores, clock);
    expect(receipts).toHaveLength(1);

    const left = await everything();
    for (const trace of [PHONE.slice(1), EMAIL, 'Lucía', 'Fernández', 'lucia-laptop', 'lucia-phone', ...HER_WORDS]) expect(left).not.toContain(trace);
    // The stranger is untouched, and an audit record without personal data remains.
    expect(left).toContain('stranger-session-1');
    expect(left).toMatch(/"type":"privacy\.erased"/);
    expect((await getJson(`${meridian.url}/api/customers/${encodeURIComponent(`whatsapp:${PHONE}`)}`, ADMIN)).status).toBe(404);
  });
});
