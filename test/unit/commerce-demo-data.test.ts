import { describe, it, expect, beforeAll } from '@jest/globals';
import { getCountryCallingCode, isPossiblePhoneNumber, type CountryCode } from 'libphonenumber-js';
import { ManualClock } from '../../src/core/runtime.js';
import { FileShop } from '../../src/commerce/file-shop.js';
import { loadShopFile, type ShopData } from '../../src/commerce/schema.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';

const DEMO_NOW = Date.parse('2026-11-27T12:00:00Z');

/** The demo shop is the default for `npm start` and the fixture of the dialog tests: keep it covering every case. */
describe('demo shop (commerce/demo-shop.json)', () => {
  let data: ShopData;
  beforeAll(() => {
    data = loadShopFile('commerce/demo-shop.json');
  });

  it('has customers in many countries and every launch language variant, VIP and standard', () => {
    expect(data.customers.length).toBeGreaterThanOrEqual(12);
    expect(new Set(data.customers.map((c) => c.country)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(data.customers.map((c) => c.locale))).toEqual(
      new Set(['de', 'es-ES', 'es-MX', 'fr', 'fr-CA', 'ja', 'it', 'pt-BR', 'pt-PT', 'zh-Hans', 'zh-Hant', 'en-US', 'en-GB']),
    );
    expect(new Set(data.customers.map((c) => c.tier))).toEqual(new Set(['vip', 'standard']));
  });

  it('uses documentation e-mail domains and possible E.164 numbers of the right country', () => {
    for (const customer of data.customers) {
      expect(customer.email).toMatch(/^[a-z.]+@example\.(com|net|org|jp)$/);
      expect(customer.phone).not.toBeNull();
      expect(isPossiblePhoneNumber(customer.phone!)).toBe(true);
      expect(customer.phone!.startsWith(`+${getCountryCallingCode(customer.country as CountryCode)}`)).toBe(true);
    }
  });

  it('has ~25 products named in the 8 launch languages, with a final-sale item and a gift card that cannot be exchanged', () => {
    expect(data.products.length).toBeGreaterThanOrEqual(22);
    for (const product of data.products) {
      expect(Object.keys(product.name)).toEqual(expect.arrayContaining(['en', 'de', 'es', 'fr', 'ja', 'it', 'pt', 'zh']));
      expect(product.sku).toMatch(/^MO-[A-Z0-9]+(-[A-Z0-9]+)*$/);
    }
    expect(data.products.find((p) => p.sku === 'MO-SHIRT-BLU-M')).toMatchObject({ style: 'MO-SHIRT', size: 'M', color: 'blue' });
    expect(data.products.filter((p) => !p.returnable).map((p) => p.sku)).toEqual(['MO-SWIM-CRL-M', 'MO-SWIM-CRL-L']);
    expect(data.products.find((p) => p.sku === 'MO-GIFT-50')).toMatchObject({ returnable: true, exchangeable: false });
  });

  it('has 40+ orders in local currencies covering every status, parcel status, carrier and refund state', () => {
    const { orders } = data;
    expect(orders.length).toBeGreaterThanOrEqual(40);
    expect(new Set(orders.map((o) => o.status))).toEqual(new Set(['processing', 'shipped', 'delivered', 'cancelled']));
    expect(new Set(orders.map((o) => o.currency))).toEqual(new Set(['EUR', 'GBP', 'USD', 'CAD', 'MXN', 'BRL', 'JPY', 'CNY', 'TWD']));
    const shipments = orders.flatMap((o) => o.shipments);
    expect(new Set(shipments.map((s) => s.status))).toEqual(new Set(['label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception']));
    expect(new Set(shipments.map((s) => s.carrier))).toEqual(
      new Set(['DHL', 'DHL Express', 'UPS', 'La Poste Colissimo', 'Correos', 'Yamato Transport', 'SF Express', 'CTT', 'Poste Italiane', 'USPS']),
    );
    for (const shipment of shipments) expect(shipment.trackingUrl).toContain(encodeURIComponent(shipment.trackingNumber));
    expect(orders.filter((o) => o.shipments.length === 2).map((o) => o.number)).toEqual(['A1032']);
    const refunds = orders.flatMap((o) => o.payment.refunds);
    expect(new Set(refunds.map((r) => r.status))).toEqual(new Set(['pending', 'completed']));
    // No event lies in the future of the documented clock.
    for (const shipment of shipments) for (const event of shipment.events) expect(Date.parse(event.at)).toBeLessThanOrEqual(DEMO_NOW);
  });

  it('matches the README: which delivered orders are inside the return window at 2026-11-27', async () => {
    const shop = new FileShop({ data, backend: new MemoryBackend(), clock: new ManualClock(DEMO_NOW) });
    const open: string[] = [];
    const closed: string[] = [];
    for (const order of data.orders.filter((o) => o.status === 'delivered')) {
      const eligibility = await shop.returnEligibility(order);
      (eligibility.reason === 'window_expired' ? closed : open).push(order.number);
    }
    expect(open).toEqual(['A1019', 'A1020', 'A1021', 'A1022', 'A1023', 'A1024', 'A1025', 'A1026', 'A1027', 'A1028', 'A1029', 'A1030', 'A1031']);
    expect(closed).toEqual(['A1001', 'A1002', 'A1003', 'A1004', 'A1005', 'A1007', 'A1008', 'A1009', 'A1010', 'A1011', 'A1013', 'A1014', 'A1015', 'A1016', 'A1017', 'A1018']);
  });
});
