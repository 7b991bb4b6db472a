import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { RunningMeridian } from '../../src/main.js';
import { customerIdFor } from '../../src/conversation/conversation-id.js';
import { ADMIN, getJson, postJson, startTestServer, TEST_ADMIN_TOKEN } from '../helpers/server.js';

const AGENT_TOKEN = 'agent-read-only-token-0123456789';
const AGENT = { authorization: `Bearer ${AGENT_TOKEN}` };
const PHONE = '+4915123456789';

describe('the admin API: scopes, audit of reads, identity links, rate limits', () => {
  let meridian: RunningMeridian;
  beforeAll(async () => {
    meridian = await startTestServer({ env: { MERIDIAN_ADMIN_TOKEN: TEST_ADMIN_TOKEN, MERIDIAN_ADMIN_TOKENS: `agent:customers:read:${AGENT_TOKEN}` } });
    await postJson(`${meridian.url}/api/emulator/messages`, { channel: 'whatsapp', from: PHONE, text: 'Wo ist meine Bestellung A1024?' });
  });
  afterAll(async () => {
    await meridian.stop();
  });
  const customerUrl = () => `${meridian.url}/api/customers/${encodeURIComponent(`whatsapp:${PHONE}`)}`;

  it('lets a read-only token read the CRM view and nothing else, and files the read under the customer', async () => {
    const view = await getJson(customerUrl(), AGENT);
    expect(view.status).toBe(200);
    expect(view.json['profile']).toMatchObject({ shopCustomerId: 'C1001', displayName: 'Lena Hoffmann', locale: 'de' });
    expect(view.json['value']).toMatchObject({ tier: expect.any(String) });
    expect((view.json['value'] as { lifetimeSpend: unknown[] }).lifetimeSpend.length).toBeGreaterThan(0);
    expect((view.json['timeline'] as { kind: string; text?: string }[]).some((e) => e.kind === 'message_in' && e.text === 'Wo ist meine Bestellung A1024?')).toBe(true);

    expect((await getJson(`${meridian.url}/api/privacy/export?customer=${encodeURIComponent(PHONE)}`, AGENT)).status).toBe(403);
    const erase = await postJson(`${meridian.url}/api/privacy/erase`, { customer: PHONE }, AGENT);
    expect(erase.status).toBe(403);
    expect(JSON.stringify(erase.json)).toMatch(/privacy:erase/);
    expect((await postJson(`${meridian.url}/api/nlu/parse`, { text: 'hi' }, AGENT)).status).toBe(403);
    expect((await getJson(customerUrl(), { authorization: 'Bearer not-a-token-at-all-000000000' })).status).toBe(401);

    // The person's own export shows who read their data, and when; nothing else about the reader.
    const exported = await getJson(`${meridian.url}/api/privacy/export?customer=${encodeURIComponent(PHONE)}`, ADMIN);
    const reads = (exported.json['events'] as { type: string; data: { admin: string; action: string } }[]).filter((e) => e.type === 'admin.access');
    expect(reads.map((e) => `${e.data.admin} ${e.data.action}`)).toEqual(expect.arrayContaining(['agent customers.read']));
  });

  it('answers 404 for an unknown customer and 400 for nonsense, without leaking which', async () => {
    expect((await getJson(`${meridian.url}/api/customers/${encodeURIComponent('email:nobody@example.com')}`, ADMIN)).status).toBe(404);
    expect((await getJson(`${meridian.url}/api/customers/${'x'.repeat(400)}`, ADMIN)).status).toBe(400);
  });

  it('links an identity by hand (audited) and undoes it', async () => {
    const profileId = ((await getJson(customerUrl(), ADMIN)).json['profile'] as { id: string }).id;
    const linked = await postJson(`${meridian.url}/api/customers/${profileId}/identities`, { address: 'email:lena.private@example.org' }, ADMIN);
    expect(linked.status).toBe(201);
    const ids = () => getJson(customerUrl(), ADMIN).then((r) => (r.json['identities'] as { address: string; linkMethod: string }[]).map((i) => `${i.address} ${i.linkMethod}`));
    expect(await ids()).toEqual(expect.arrayContaining(['email:lena.private@example.org admin']));
    // A read-only token may not link.
    expect((await postJson(`${meridian.url}/api/customers/${profileId}/identities`, { address: 'email:x@example.org' }, AGENT)).status).toBe(403);

    const identityId = customerIdFor('email:lena.private@example.org');
    const undone = await fetch(`${meridian.url}/api/customers/${profileId}/identities/${identityId}`, { method: 'DELETE', headers: ADMIN });
    expect(undone.status).toBe(204);
    expect(await ids()).not.toEqual(expect.arrayContaining(['email:lena.private@example.org admin']));
    const events = await meridian.bot.stores.events.collection.find({ customerId: profileId });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['identity.linked', 'identity.unlinked']));
  });

  it('lists privacy requests made in chat without personal data', async () => {
    await postJson(`${meridian.url}/api/emulator/messages`, { channel: 'sms', from: '+4915199999999', text: 'Bitte löscht meine Daten' });
    await postJson(`${meridian.url}/api/emulator/messages`, { channel: 'sms', from: '+4915199999999', text: 'ja' });
    const listed = await getJson(`${meridian.url}/api/privacy/requests`, ADMIN);
    expect(listed.status).toBe(200);
    const requests = listed.json['requests'] as { reference: string; kind: string; customer: string }[];
    expect(requests).toEqual([expect.objectContaining({ kind: 'privacy_erasure', reference: expect.stringMatching(/^PR-/), customer: customerIdFor('sms:+4915199999999') })]);
    expect(JSON.stringify(listed.json)).not.toContain('4915199999999');
  });

  // Last: it locks this client out for the window.
  it('stops token guessing: after 20 refused requests the client gets 429, even with a valid token', async () => {
    // The earlier tests' refusals (401/403) count too: the limit is per client, over 15 minutes.
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await getJson(customerUrl(), { authorization: `Bearer guess-${i}-000000000000000000000` })).status);
    const first = statuses.indexOf(429);
    expect(first).toBeGreaterThan(5);
    expect(statuses.slice(0, first).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(first).every((s) => s === 429)).toBe(true);
    expect((await getJson(customerUrl(), ADMIN)).status).toBe(429);
  });
});
