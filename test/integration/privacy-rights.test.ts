import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { RunningMeridian } from '../../src/main.js';
import { ADMIN, postJson, startTestServer } from '../helpers/server.js';

const PHONE = '+4915123456789';

describe('rights of access and erasure', () => {
  let meridian: RunningMeridian;
  beforeAll(async () => {
    meridian = await startTestServer();
  });
  afterAll(async () => {
    await meridian.stop();
  });

  async function everything(): Promise<string> {
    const { stores } = meridian.bot;
    const all = await Promise.all([
      stores.customers.collection.find({}),
      stores.conversations.collection.find({}),
      stores.inbox.collection.find({}),
      stores.outbox.collection.find({}),
      stores.events.collection.find({}),
      stores.cases.collection.find({}),
      stores.backend.collection({ name: 'shop_changes', indexes: [] }).find({}),
    ]);
    return JSON.stringify(all);
  }

  it('exports everything about a person across channels, then erases it and nothing remains', async () => {
    const emulator = `${meridian.url}/api/emulator/messages`;
    const tracked = await postJson(emulator, { channel: 'whatsapp', from: PHONE, text: 'Wo ist meine Bestellung A1024?' });
    expect(JSON.stringify(tracked.json['replies'])).toContain('A1024');
    await postJson(emulator, { channel: 'sms', from: PHONE, text: 'Hallo, noch eine Frage' });
    await postJson(emulator, { channel: 'webchat', from: 'someone-else', text: 'hello from another person' });
    // An address change Meridian made in the shop for her order holds her new address.
    const shop = meridian.bot.services.shop!;
    await shop.changeShippingAddress({ orderNumber: 'A1044', address: { name: 'Lena Hoffmann', line1: 'Neue Allee 7', city: 'Köln', postalCode: '50667', country: 'DE' }, idempotencyKey: 'test-address-1' });

    const exported = await fetch(`${meridian.url}/api/privacy/export?customer=${encodeURIComponent(PHONE)}`, { headers: ADMIN });
    expect(exported.status).toBe(200);
    const data = (await exported.json()) as { conversations: unknown[]; messages: { activity: { text: string } }[]; subject: { addresses: string[] } };
    expect(data.conversations).toHaveLength(2);
    expect(data.messages.map((m) => m.activity.text)).toEqual(expect.arrayContaining(['Wo ist meine Bestellung A1024?', 'Hallo, noch eine Frage']));
    expect(data.subject.addresses).toEqual(expect.arrayContaining([`whatsapp:${PHONE}`, `sms:${PHONE}`]));
    expect(JSON.stringify((data as unknown as { shopChanges: unknown[] }).shopChanges)).toContain('Neue Allee 7');
    expect(await everything()).toContain('4915123456789');

    const erased = await postJson(`${meridian.url}/api/privacy/erase`, { customer: `whatsapp:${PHONE}` }, ADMIN);
    expect(erased.status).toBe(200);
    // Two identities (WhatsApp, SMS) and the shop customer's profile the phone on file linked them into.
    expect(erased.json['counts']).toMatchObject({ conversations: 2, customers: 3, messages: 2, shopChanges: 1 });

    const left = await everything();
    expect(left).not.toContain('4915123456789');
    expect(left).not.toContain('Neue Allee 7');
    expect(left).not.toContain('Wo ist meine Bestellung');
    expect(left).not.toContain('noch eine Frage');
    expect(left).toContain('hello from another person');
    // The shop keeps the change (the order ships to it), without the address: the country stays for duties.
    const order = await shop.findOrder('A1044');
    expect(order?.shippingAddress).toMatchObject({ line1: '[erased]', postalCode: '[erased]', country: 'DE' });
    expect(JSON.stringify(order)).not.toContain('Neue Allee');
    // The audit record says that an erasure happened, and how much, but nothing about whom.
    const audit = (await meridian.bot.stores.events.byType('privacy.erased'))[0];
    expect(audit?.data).toEqual({ counts: erased.json['counts'] });

    expect((await fetch(`${meridian.url}/api/privacy/export?customer=${encodeURIComponent(PHONE)}`, { headers: ADMIN })).status).toBe(404);
  });

  it('answers 400 without a customer', async () => {
    expect((await fetch(`${meridian.url}/api/privacy/export`, { headers: ADMIN })).status).toBe(400);
    expect((await postJson(`${meridian.url}/api/privacy/erase`, {}, ADMIN)).status).toBe(400);
  });
});
