import { describe, it, expect } from '@jest/globals';
import { NotAllowedError } from '../../src/commerce/errors.js';
import {
  checkExchange,
  checkReturnLines,
  dispatchBlock,
  localizedName,
  normalizeOrderNumber,
  normalizePhone,
  returnEligibilityOf,
  roundMoney,
} from '../../src/commerce/rules.js';
import type { Order, Product, ShopInfo } from '../../src/commerce/types.js';
import { addDays, dateInZone, daysBetween, startOfDayInZone } from '../../src/commerce/zoned-time.js';

const berlin: ShopInfo = { name: 'Test', currency: 'EUR', returnWindowDays: 30, timeZone: 'Europe/Berlin' };

const product = (sku: string, overrides: Partial<Product> = {}): Product => ({
  sku,
  name: { en: sku },
  price: 10,
  currency: 'EUR',
  returnable: true,
  exchangeable: true,
  style: 'STYLE',
  color: null,
  size: null,
  category: null,
  ...overrides,
});
const catalogue = new Map([
  ['A', product('A')],
  ['B', product('B')],
  ['FINAL', product('FINAL', { returnable: false, exchangeable: false, style: null })],
]);
const productOf = (sku: string) => catalogue.get(sku);

function order(overrides: Partial<Order> = {}): Order {
  return {
    number: 'T1',
    customerId: 'c',
    status: 'delivered',
    placedAt: '2026-09-20T10:00:00Z',
    currency: 'EUR',
    total: 50,
    items: [
      { sku: 'A', qty: 2, unitPrice: 19.99 },
      { sku: 'FINAL', qty: 1, unitPrice: 10 },
    ],
    shippingAddress: { name: 'X', line1: 'Y', city: 'Z', postalCode: '1', country: 'DE' },
    shipments: [],
    deliveredAt: '2026-09-30T10:00:00+02:00',
    cancelledAt: null,
    payment: { method: 'card', refunds: [] },
    returns: [],
    exchanges: [],
    ...overrides,
  };
}

describe('calendar days in a time zone', () => {
  it('finds the start of a day across both DST changes', () => {
    expect(new Date(startOfDayInZone('2026-03-29', 'Europe/Berlin')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(startOfDayInZone('2026-03-30', 'Europe/Berlin')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(new Date(startOfDayInZone('2026-10-25', 'Europe/Berlin')).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(new Date(startOfDayInZone('2026-10-26', 'Europe/Berlin')).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(new Date(startOfDayInZone('2026-11-28', 'Asia/Tokyo')).toISOString()).toBe('2026-11-27T15:00:00.000Z');
    expect(new Date(startOfDayInZone('2026-11-02', 'America/Los_Angeles')).toISOString()).toBe('2026-11-02T08:00:00.000Z');
  });

  it('reads the calendar date of an instant in the zone', () => {
    expect(dateInZone(Date.parse('2026-10-27T23:30:00Z'), 'Europe/Berlin')).toBe('2026-10-28');
    expect(dateInZone(Date.parse('2026-10-27T23:30:00Z'), 'UTC')).toBe('2026-10-27');
    expect(dateInZone(Date.parse('2026-10-28T01:00:00+09:00'), 'Europe/Berlin')).toBe('2026-10-27');
    expect(addDays('2026-12-20', 30)).toBe('2027-01-19');
    expect(daysBetween('2026-11-27', '2026-12-10')).toBe(13);
    expect(daysBetween('2026-11-27', '2026-11-26')).toBe(-1);
  });
});

describe('return eligibility', () => {
  it('keeps the window open until midnight after the last day, in the shop zone, across a DST change', () => {
    // Delivered 30 Sep (CEST); the last day is 30 Oct (CET): the window closes at 23:00 UTC, not 22:00.
    const subject = order();
    const open = returnEligibilityOf(subject, berlin, productOf, Date.parse('2026-10-30T22:59:59.999Z'));
    expect(open).toMatchObject({ allowed: true, deliveredOn: '2026-09-30', lastDay: '2026-10-30', closesAt: '2026-10-30T23:00:00.000Z', daysLeft: 0 });
    const closed = returnEligibilityOf(subject, berlin, productOf, Date.parse('2026-10-30T23:00:00Z'));
    expect(closed).toMatchObject({ allowed: false, reason: 'window_expired', daysLeft: -1 });
    expect(closed.message).toContain('2026-10-30');
  });

  it('counts in the configured zone, not in UTC or the server zone', () => {
    const la: ShopInfo = { ...berlin, returnWindowDays: 14, timeZone: 'America/Los_Angeles' };
    // 06:00 UTC on 2 Nov is still 1 Nov in Los Angeles.
    const subject = order({ deliveredAt: '2026-11-02T06:00:00Z' });
    const result = returnEligibilityOf(subject, la, productOf, Date.parse('2026-11-15T12:00:00Z'));
    expect(result).toMatchObject({ deliveredOn: '2026-11-01', lastDay: '2026-11-15', closesAt: '2026-11-16T08:00:00.000Z', allowed: true, daysLeft: 0 });
  });

  it('gives a zero-day window to nothing but the delivery day', () => {
    const none: ShopInfo = { ...berlin, returnWindowDays: 0 };
    expect(returnEligibilityOf(order(), none, productOf, Date.parse('2026-09-30T21:59:00Z')).allowed).toBe(true);
    expect(returnEligibilityOf(order(), none, productOf, Date.parse('2026-09-30T22:00:00Z')).reason).toBe('window_expired');
  });

  it('subtracts returned and exchanged units but not rejected returns', () => {
    const subject = order({
      returns: [
        { number: 'R1', orderNumber: 'T1', status: 'received', method: 'drop_off', reason: '', items: [{ sku: 'A', qty: 1, refundAmount: 19.99 }], refundAmount: 19.99, currency: 'EUR', createdAt: '2026-10-01T10:00:00Z', handOverBy: null, pickupDate: null, label: null, instructions: null },
        { number: 'R2', orderNumber: 'T1', status: 'rejected', method: 'drop_off', reason: '', items: [{ sku: 'A', qty: 1, refundAmount: 19.99 }], refundAmount: 19.99, currency: 'EUR', createdAt: '2026-10-02T10:00:00Z', handOverBy: null, pickupDate: null, label: null, instructions: null },
      ],
    });
    const now = Date.parse('2026-10-10T10:00:00Z');
    expect(returnEligibilityOf(subject, berlin, productOf, now).items[0]).toMatchObject({ sku: 'A', ordered: 2, returned: 1, returnableQty: 1 });
    subject.exchanges.push({ number: 'X1', orderNumber: 'T1', status: 'authorized', sku: 'A', newSku: 'B', qty: 1, reason: '', createdAt: '2026-10-03T10:00:00Z', handOverBy: null, label: null, instructions: null });
    const none = returnEligibilityOf(subject, berlin, productOf, now);
    expect(none).toMatchObject({ allowed: false, reason: 'nothing_returnable' });
    expect(none.message).toContain('A is already in a return or exchange');
    expect(none.message).toContain('FINAL is final sale');
  });

  it('merges repeated order lines and refunds at the unit price, rounded to the currency', () => {
    const subject = order({ currency: 'JPY', items: [{ sku: 'A', qty: 1, unitPrice: 3300 }, { sku: 'A', qty: 2, unitPrice: 3300 }] });
    const eligibility = returnEligibilityOf(subject, berlin, productOf, Date.parse('2026-10-01T10:00:00Z'));
    expect(eligibility.items).toHaveLength(1);
    expect(checkReturnLines(subject, [{ sku: 'A', qty: 1 }, { sku: 'A', qty: 2 }], eligibility)).toEqual([{ sku: 'A', qty: 3, refundAmount: 9900 }]);
    expect(roundMoney(19.99 * 3, 'EUR')).toBe(59.97);
    expect(roundMoney(1234.5, 'JPY')).toBe(1235);
  });

  it('reports unknown products instead of failing', () => {
    const subject = order({ items: [{ sku: 'GONE', qty: 1, unitPrice: 5 }] });
    const result = returnEligibilityOf(subject, berlin, productOf, Date.parse('2026-10-01T10:00:00Z'));
    expect(result).toMatchObject({ allowed: false, reason: 'nothing_returnable', items: [{ sku: 'GONE', reason: 'unknown_product' }] });
  });
});

describe('exchange checks', () => {
  const now = Date.parse('2026-10-01T10:00:00Z');
  const check = (sku: string, newSku: string, qty = 1, stock: number | null = 5) =>
    checkExchange(order(), { sku, newSku, qty }, returnEligibilityOf(order(), berlin, productOf, now), productOf(sku), productOf(newSku), {
      sku: newSku,
      status: 'in_stock',
      quantity: stock,
      restockDate: stock === 0 ? '2026-12-01' : null,
    });
  const reason = (run: () => void): string => {
    try {
      run();
    } catch (error) {
      if (error instanceof NotAllowedError) return error.reason;
      throw error;
    }
    return 'allowed';
  };

  it('allows a variant of the same style while stock lasts', () => {
    expect(reason(() => check('A', 'B'))).toBe('allowed');
    expect(reason(() => check('A', 'B', 1, null))).toBe('allowed');
    expect(reason(() => check('A', 'B', 1, 0))).toBe('out_of_stock');
    expect(reason(() => check('A', 'B', 3))).toBe('quantity_exceeded');
    expect(reason(() => check('A', 'A'))).toBe('same_product');
    expect(reason(() => check('A', 'NOPE'))).toBe('unknown_sku');
    expect(reason(() => check('FINAL', 'A'))).toBe('not_exchangeable');
    expect(reason(() => check('B', 'A'))).toBe('not_in_order');
  });
});

describe('dispatch rule', () => {
  it('allows cancelling while processing with at most a label printed', () => {
    const labelOnly = order({ status: 'processing', deliveredAt: null, shipments: [{ id: 's', carrier: 'DHL', trackingNumber: '1', trackingUrl: 'https://x.example/1', status: 'label_created', estimatedDelivery: null, items: null, events: [] }] });
    expect(dispatchBlock(labelOnly)).toEqual({ allowed: true });
    labelOnly.shipments.push({ ...labelOnly.shipments[0]!, id: 's2', status: 'in_transit' });
    const blocked = dispatchBlock(labelOnly);
    expect(blocked).toMatchObject({ allowed: false, reason: 'already_shipped' });
    expect(!blocked.allowed && blocked.message).toContain('DHL 1 is in transit');
  });
});

describe('normalisation', () => {
  it('reads order numbers and phone numbers the way customers type them', () => {
    expect(normalizeOrderNumber(' #a 1043 ')).toBe('A1043');
    expect(normalizePhone('+49 (151) 2345-6789')).toBe('+4915123456789');
    expect(normalizePhone('0049 151 23456789')).toBe('+4915123456789');
    expect(normalizePhone('whatsapp:+4915123456789')).toBe('+4915123456789');
  });

  it('picks a product name for a locale with fallbacks', () => {
    const names = { name: { en: 'Jeans', pt: 'Calça jeans', 'pt-PT': 'Calças de ganga', zh: '牛仔裤', 'zh-Hant': '牛仔褲' }, sku: 'J' };
    expect(localizedName(names, 'pt-PT')).toBe('Calças de ganga');
    expect(localizedName(names, 'pt-BR')).toBe('Calça jeans');
    expect(localizedName(names, 'zh-Hant-TW')).toBe('牛仔褲');
    expect(localizedName(names, 'zh-TW')).toBe('牛仔褲');
    expect(localizedName(names, 'zh-CN')).toBe('牛仔裤');
    expect(localizedName(names, 'ja')).toBe('Jeans');
  });
});
