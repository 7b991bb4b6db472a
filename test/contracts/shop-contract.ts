import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import type { ManualClock } from '../../src/core/runtime.js';
import { isMeridianError } from '../../src/core/errors.js';
import { NotAllowedError } from '../../src/commerce/errors.js';
import type { Order, Shop } from '../../src/commerce/types.js';

export interface OpenedShop {
  shop: Shop;
  /** Set to 2026-11-27T12:00:00Z by the factory. */
  clock: ManualClock;
  close(): Promise<void>;
}

/** 13:00 in Berlin on Friday 27 November 2026: the date the demo shop's README notes are written for. */
export const DEMO_NOW = Date.parse('2026-11-27T12:00:00Z');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  if (!(error instanceof NotAllowedError)) throw new Error(`expected NotAllowedError, got ${String(error)}`);
  return error.reason;
}

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  if (!isMeridianError(error)) throw new Error(`expected MeridianError, got ${String(error)}`);
  return error.code;
}

/**
 * What every Shop must do with the demo shop (commerce/demo-shop.json) at DEMO_NOW. FileShop runs it
 * directly; HttpShop runs it through the REST contract against test/helpers/shop-server.ts.
 */
export function shopContract(label: string, open: () => Promise<OpenedShop>): void {
  describe(`shop contract: ${label}`, () => {
    let opened: OpenedShop;
    let shop: Shop;
    const order = async (number: string): Promise<Order> => {
      const found = await shop.findOrder(number);
      if (!found) throw new Error(`demo order ${number} missing`);
      return found;
    };

    beforeEach(async () => {
      opened = await open();
      shop = opened.shop;
    });
    afterEach(async () => {
      await opened.close();
    });

    describe('reads', () => {
      it('describes the shop', async () => {
        expect(await shop.info()).toMatchObject({ name: 'Meridian Outfitters', currency: 'EUR', returnWindowDays: 30, timeZone: 'Europe/Berlin' });
      });

      it('finds customers by id, e-mail (any case) and phone (any spacing), and nobody else', async () => {
        expect((await shop.findCustomer({ id: 'C1007' }))?.locale).toBe('ja');
        expect((await shop.findCustomer({ email: '  Lena.Hoffmann@EXAMPLE.com ' }))?.id).toBe('C1001');
        expect((await shop.findCustomer({ phone: '+49 151 2345-6789' }))?.id).toBe('C1001');
        expect((await shop.findCustomer({ phone: '0034 612 345 678' }))?.id).toBe('C1003');
        expect(await shop.findCustomer({ id: 'C9999' })).toBeUndefined();
        expect(await shop.findCustomer({ email: 'nobody@example.com' })).toBeUndefined();
        expect(await shop.findCustomer({ phone: '+4915100000000' })).toBeUndefined();
      });

      it('finds an order by what customers type, with every field the contract names', async () => {
        const found = await order('#a 1024');
        expect(found.number).toBe('A1024');
        expect(found).toMatchObject({ customerId: 'C1001', status: 'delivered', currency: 'EUR', total: 188.8, deliveredAt: '2026-11-10T14:05:00+01:00' });
        expect(found.items).toEqual([
          { sku: 'MO-SNEAKER-WHT-42', qty: 1, unitPrice: 129 },
          { sku: 'MO-TEE-GRY-M', qty: 2, unitPrice: 29.9 },
        ]);
        expect(found.shippingAddress).toMatchObject({ city: 'Berlin', country: 'DE' });
        expect(found.payment.method).toBe('klarna');
        expect(found.returns).toEqual([]);
        expect(await shop.findOrder('A9999')).toBeUndefined();
      });

      it('keeps fields the contract does not name', async () => {
        expect((await order('A1040')) as unknown as Record<string, unknown>).toHaveProperty('note');
        expect((await order('A1024')) as unknown as Record<string, unknown>).toHaveProperty('shippingCost', 0);
      });

      it("lists a customer's orders newest first, and none for an unknown customer", async () => {
        expect((await shop.ordersOfCustomer('C1001')).map((o) => o.number)).toEqual(['A1044', 'A1024', 'A1016', 'A1001']);
        expect(await shop.ordersOfCustomer('C9999')).toEqual([]);
      });

      it('gives shipments with tracking events, oldest first: a split order has two parcels', async () => {
        const parcels = await shop.shipments('A1032');
        expect(parcels.map((p) => [p.carrier, p.status])).toEqual([
          ['SF Express', 'delivered'],
          ['SF Express', 'in_transit'],
        ]);
        expect(parcels[1]!.items).toEqual([{ sku: 'MO-JACKET-OLV-M', qty: 1 }]);
        for (const parcel of parcels) {
          const times = parcel.events.map((event) => Date.parse(event.at));
          expect(times).toEqual([...times].sort((a, b) => a - b));
          expect(parcel.trackingUrl).toContain(parcel.trackingNumber);
        }
        const delayed = await shop.shipments('A1034');
        expect(delayed[0]!.status).toBe('exception');
        expect(delayed[0]!.events.at(-1)).toMatchObject({ status: 'exception', location: 'Guarulhos, SP, BR' });
        expect(await code(shop.shipments('A9999'))).toBe('order_not_found');
      });

      it('reports refunds: pending, completed, and returns still to be refunded', async () => {
        expect(await shop.refundStatus('A1029')).toMatchObject({
          currency: 'EUR',
          refunded: 0,
          pending: 89.9,
          awaitingReturn: [{ rma: 'RMA-A1029-1', status: 'received', amount: 89.9 }],
        });
        expect(await shop.refundStatus('A1025')).toMatchObject({ currency: 'TWD', refunded: 5920, pending: 0, awaitingReturn: [] });
        expect(await shop.refundStatus('A1039')).toMatchObject({ pending: 148.9, refunded: 0 });
        expect(await code(shop.refundStatus('A9999'))).toBe('order_not_found');
      });

      it('gives products with names per language, their variants and availability', async () => {
        const shirt = await shop.product('MO-SHIRT-BLU-M');
        expect(shirt).toMatchObject({ price: 59.9, currency: 'EUR', returnable: true, exchangeable: true, style: 'MO-SHIRT', size: 'M' });
        expect(shirt?.name['de']).toBe('Oxford-Hemd, blau, M');
        expect(shirt?.name['ja']).toContain('オックスフォードシャツ');
        expect((await shop.variants('MO-SHIRT-BLU-M')).map((p) => p.sku).sort()).toEqual(['MO-SHIRT-BLU-L', 'MO-SHIRT-BLU-M', 'MO-SHIRT-BLU-S', 'MO-SHIRT-WHT-L', 'MO-SHIRT-WHT-M']);
        expect(await shop.availability('MO-BOOT-BRN-41')).toEqual({ sku: 'MO-BOOT-BRN-41', status: 'out_of_stock', quantity: 0, restockDate: '2026-12-15' });
        expect(await shop.availability('MO-SHIRT-WHT-L')).toMatchObject({ status: 'low_stock', quantity: 2 });
        expect(await shop.availability('MO-GIFT-50')).toMatchObject({ status: 'unknown', quantity: null });
        expect(await shop.product('MO-NOPE')).toBeUndefined();
        expect(await shop.availability('MO-NOPE')).toBeUndefined();
        expect(await shop.variants('MO-NOPE')).toEqual([]);
      });
    });

    describe('rules', () => {
      it('allows returns inside the window and counts the days in the shop zone', async () => {
        const result = await shop.returnEligibility(await order('A1024'));
        expect(result).toMatchObject({ allowed: true, reason: null, deliveredOn: '2026-11-10', lastDay: '2026-12-10', daysLeft: 13, closesAt: '2026-12-10T23:00:00.000Z' });
        expect(result.items.map((item) => [item.sku, item.returnableQty])).toEqual([
          ['MO-SNEAKER-WHT-42', 1],
          ['MO-TEE-GRY-M', 2],
        ]);
      });

      it("uses the shop's zone at the window edge: 23:30 UTC on the 27th is the 28th in Berlin", async () => {
        expect(await shop.returnEligibility(await order('A1019'))).toMatchObject({ allowed: true, deliveredOn: '2026-10-28', lastDay: '2026-11-27', daysLeft: 0 });
        // 01:00 in Tokyo on the 28th is still the 27th in Berlin: closed yesterday.
        expect(await shop.returnEligibility(await order('A1018'))).toMatchObject({ allowed: false, reason: 'window_expired', deliveredOn: '2026-10-27', daysLeft: -1 });
        expect(await shop.returnEligibility(await order('A1020'))).toMatchObject({ allowed: true, daysLeft: 1 });
      });

      it('refuses cancelled, undelivered and long-delivered orders, and says why', async () => {
        expect(await shop.returnEligibility(await order('A1039'))).toMatchObject({ allowed: false, reason: 'order_cancelled' });
        expect(await shop.returnEligibility(await order('A1032'))).toMatchObject({ allowed: false, reason: 'not_delivered' });
        expect(await shop.returnEligibility(await order('A1035'))).toMatchObject({ allowed: false, reason: 'not_delivered' });
        const old = await shop.returnEligibility(await order('A1001'));
        expect(old).toMatchObject({ allowed: false, reason: 'window_expired' });
        expect(old.message).toContain('30-day');
        expect(old.items.every((item) => item.returnableQty === 0)).toBe(true);
      });

      it('marks final-sale lines, gift cards and partly or fully returned lines', async () => {
        const mixed = await shop.returnEligibility(await order('A1028'));
        expect(mixed.allowed).toBe(true);
        expect(mixed.items.find((item) => item.sku === 'MO-SWIM-CRL-M')).toMatchObject({ returnable: false, reason: 'final_sale', returnableQty: 0 });
        expect(mixed.items.find((item) => item.sku === 'MO-SCARF-RED')).toMatchObject({ returnable: true, returnableQty: 1 });
        expect(await shop.returnEligibility(await order('A1031'))).toMatchObject({ allowed: false, reason: 'nothing_returnable' });
        const gift = await shop.returnEligibility(await order('A1027'));
        expect(gift.items.find((item) => item.sku === 'MO-GIFT-50')).toMatchObject({ returnable: true, exchangeable: false });
        const partly = await shop.returnEligibility(await order('A1029'));
        expect(partly.items[0]).toMatchObject({ ordered: 2, returned: 1, returnableQty: 1 });
        const fully = await shop.returnEligibility(await order('A1025'));
        expect(fully).toMatchObject({ allowed: false, reason: 'nothing_returnable' });
        expect(fully.items[0]).toMatchObject({ reason: 'already_returned', returnableQty: 0 });
      });

      it('takes an explicit instant', async () => {
        const a1024 = await order('A1024');
        expect((await shop.returnEligibility(a1024, new Date('2026-12-10T22:59:59Z'))).allowed).toBe(true);
        expect((await shop.returnEligibility(a1024, Date.parse('2026-12-10T23:00:00Z'))).reason).toBe('window_expired');
      });

      it('allows cancelling and redirecting only before dispatch', async () => {
        expect(await shop.canCancel(await order('A1042'))).toEqual({ allowed: true });
        expect(await shop.canCancel(await order('A1041'))).toEqual({ allowed: true }); // label printed, not handed over
        expect(await shop.canCancel(await order('A1040'))).toMatchObject({ allowed: false, reason: 'already_shipped' }); // status lags, carrier has it
        expect(await shop.canCancel(await order('A1035'))).toMatchObject({ allowed: false, reason: 'already_shipped' });
        expect(await shop.canCancel(await order('A1024'))).toMatchObject({ allowed: false, reason: 'delivered' });
        expect(await shop.canCancel(await order('A1039'))).toMatchObject({ allowed: false, reason: 'order_cancelled' });
        const a1042 = await order('A1042');
        expect(await shop.canChangeAddress(a1042)).toEqual({ allowed: true });
        expect(await shop.canChangeAddress(a1042, { ...a1042.shippingAddress, city: 'Bruxelles', postalCode: '1000', country: 'BE' })).toMatchObject({
          allowed: false,
          reason: 'different_country',
        });
        expect(await shop.canChangeAddress(await order('A1037'))).toMatchObject({ allowed: false, reason: 'already_shipped' });
      });
    });

    describe('writes', () => {
      it('creates a return once per idempotency key, with a label, and the order reads it back', async () => {
        const request = { orderNumber: 'A1024', items: [{ sku: 'MO-SNEAKER-WHT-42', qty: 1 }], reason: 'too_small', method: 'drop_off' as const, idempotencyKey: 'webchat:m-1#return' };
        const rma = await shop.createReturn(request);
        expect(rma).toMatchObject({
          number: 'RMA-A1024-1',
          orderNumber: 'A1024',
          status: 'authorized',
          items: [{ sku: 'MO-SNEAKER-WHT-42', qty: 1, refundAmount: 129 }],
          refundAmount: 129,
          currency: 'EUR',
          handOverBy: '2026-12-11',
          pickupDate: null,
        });
        expect(rma.label).toMatchObject({ carrier: 'DHL' });
        expect(rma.label?.url).toContain('RMA-A1024-1');
        expect(rma.instructions).toContain('RMA-A1024-1');
        expect(await shop.createReturn(request)).toEqual(rma);
        const after = await order('A1024');
        expect(after.returns.map((r) => r.number)).toEqual(['RMA-A1024-1']);
        const eligibility = await shop.returnEligibility(after);
        expect(eligibility.items.find((item) => item.sku === 'MO-SNEAKER-WHT-42')).toMatchObject({ returned: 1, reason: 'already_returned' });
        expect(await refusal(shop.createReturn({ ...request, idempotencyKey: 'webchat:m-2#return' }))).toBe('already_returned');
        expect((await shop.refundStatus('A1024')).awaitingReturn).toEqual([{ rma: 'RMA-A1024-1', status: 'authorized', amount: 129 }]);
      });

      it('refuses the same key for a different request', async () => {
        await shop.createReturn({ orderNumber: 'A1024', items: [{ sku: 'MO-TEE-GRY-M', qty: 1 }], reason: '', method: 'drop_off', idempotencyKey: 'k-1' });
        expect(await code(shop.createReturn({ orderNumber: 'A1024', items: [{ sku: 'MO-TEE-GRY-M', qty: 2 }], reason: '', method: 'drop_off', idempotencyKey: 'k-1' }))).toBe('idempotency_conflict');
      });

      it('numbers returns per order and schedules pick-ups on the next working day', async () => {
        const rma = await shop.createReturn({ orderNumber: 'a1029', items: [{ sku: 'MO-JEANS-IND-30', qty: 1 }], reason: 'too_big', method: 'pickup', idempotencyKey: 'k-2' });
        expect(rma).toMatchObject({ number: 'RMA-A1029-2', method: 'pickup', pickupDate: '2026-11-30', refundAmount: 89.9 });
        expect(rma.label?.carrier).toBe('Correos');
      });

      it('refuses returns the rules forbid, with the reason', async () => {
        const base = { reason: 'changed my mind', method: 'drop_off' as const };
        expect(await refusal(shop.createReturn({ ...base, orderNumber: 'A1028', items: [{ sku: 'MO-SWIM-CRL-M', qty: 1 }], idempotencyKey: 'r-1' }))).toBe('final_sale');
        expect(await refusal(shop.createReturn({ ...base, orderNumber: 'A1018', items: [{ sku: 'MO-SNEAKER-WHT-40', qty: 1 }], idempotencyKey: 'r-2' }))).toBe('window_expired');
        expect(await refusal(shop.createReturn({ ...base, orderNumber: 'A1029', items: [{ sku: 'MO-JEANS-IND-30', qty: 2 }], idempotencyKey: 'r-3' }))).toBe('quantity_exceeded');
        expect(await refusal(shop.createReturn({ ...base, orderNumber: 'A1024', items: [{ sku: 'MO-CAP-NVY', qty: 1 }], idempotencyKey: 'r-4' }))).toBe('not_in_order');
        expect(await refusal(shop.createReturn({ ...base, orderNumber: 'A1042', items: [{ sku: 'MO-SHIRT-BLU-L', qty: 1 }], idempotencyKey: 'r-5' }))).toBe('not_delivered');
        expect(await refusal(shop.createReturn({ ...base, orderNumber: 'A1039', items: [{ sku: 'MO-SOCKS-MIX-3P', qty: 1 }], idempotencyKey: 'r-6' }))).toBe('order_cancelled');
        expect(await code(shop.createReturn({ ...base, orderNumber: 'A9999', items: [{ sku: 'MO-CAP-NVY', qty: 1 }], idempotencyKey: 'r-7' }))).toBe('order_not_found');
        expect(await code(shop.createReturn({ ...base, orderNumber: 'A1024', items: [{ sku: 'MO-TEE-GRY-M', qty: 0 }], idempotencyKey: 'r-8' }))).toBe('invalid_request');
        expect((await order('A1028')).returns).toEqual([]);
      });

      it('exchanges for another size of the same article while stock lasts', async () => {
        expect((await shop.availability('MO-SHIRT-WHT-L'))?.quantity).toBe(2);
        const exchange = await shop.createExchange({ orderNumber: 'A1030', sku: 'MO-SHIRT-WHT-M', qty: 1, newSku: 'MO-SHIRT-WHT-L', idempotencyKey: 'x-1' });
        expect(exchange).toMatchObject({ number: 'EXC-A1030-1', status: 'authorized', sku: 'MO-SHIRT-WHT-M', newSku: 'MO-SHIRT-WHT-L', qty: 1 });
        expect(exchange.label?.carrier).toBe('USPS');
        expect(await shop.createExchange({ orderNumber: 'A1030', sku: 'MO-SHIRT-WHT-M', qty: 1, newSku: 'MO-SHIRT-WHT-L', idempotencyKey: 'x-1' })).toEqual(exchange);
        expect((await shop.availability('MO-SHIRT-WHT-L'))?.quantity).toBe(1);
        expect((await order('A1030')).exchanges.map((x) => x.number)).toEqual(['EXC-A1030-1']);
        expect(await refusal(shop.createReturn({ orderNumber: 'A1030', items: [{ sku: 'MO-SHIRT-WHT-M', qty: 1 }], reason: '', method: 'drop_off', idempotencyKey: 'x-2' }))).toBe(
          'nothing_returnable',
        );
      });

      it('refuses exchanges out of stock, across articles, of gift cards and after the window', async () => {
        expect(await refusal(shop.createExchange({ orderNumber: 'A1022', sku: 'MO-BOOT-BRN-43', qty: 1, newSku: 'MO-BOOT-BRN-41', idempotencyKey: 'y-1' }))).toBe('out_of_stock');
        expect(await refusal(shop.createExchange({ orderNumber: 'A1023', sku: 'MO-JACKET-OLV-L', qty: 1, newSku: 'MO-SHIRT-BLU-L', idempotencyKey: 'y-2' }))).toBe('different_product');
        expect(await refusal(shop.createExchange({ orderNumber: 'A1027', sku: 'MO-GIFT-50', qty: 1, newSku: 'MO-CAP-NVY', idempotencyKey: 'y-3' }))).toBe('not_exchangeable');
        expect(await refusal(shop.createExchange({ orderNumber: 'A1017', sku: 'MO-SHIRT-WHT-M', qty: 1, newSku: 'MO-SHIRT-WHT-L', idempotencyKey: 'y-4' }))).toBe('window_expired');
        expect(await refusal(shop.createExchange({ orderNumber: 'A1023', sku: 'MO-JACKET-OLV-L', qty: 1, newSku: 'MO-JACKET-OLV-L', idempotencyKey: 'y-5' }))).toBe('same_product');
        const ok = await shop.createExchange({ orderNumber: 'A1023', sku: 'MO-JACKET-OLV-L', qty: 1, newSku: 'MO-JACKET-OLV-M', idempotencyKey: 'y-6' });
        expect(ok.label?.carrier).toBe('Yamato Transport');
      });

      it('cancels before dispatch once, starts the refund, and the order reads as cancelled', async () => {
        const request = { orderNumber: 'A1042', reason: 'ordered by mistake', idempotencyKey: 'c-1' };
        const cancellation = await shop.cancelOrder(request);
        expect(cancellation).toMatchObject({ orderNumber: 'A1042', status: 'cancelled', cancelledAt: '2026-11-27T12:00:00.000Z', refund: { amount: 149.8, status: 'pending' } });
        expect(await shop.cancelOrder(request)).toEqual(cancellation);
        const after = await order('A1042');
        expect(after).toMatchObject({ status: 'cancelled', cancelledAt: '2026-11-27T12:00:00.000Z' });
        expect(await shop.canCancel(after)).toMatchObject({ allowed: false, reason: 'order_cancelled' });
        expect(await refusal(shop.cancelOrder({ ...request, idempotencyKey: 'c-2' }))).toBe('order_cancelled');
        expect(await shop.refundStatus('A1042')).toMatchObject({ pending: 149.8, refunded: 0 });
        expect(await refusal(shop.cancelOrder({ orderNumber: 'A1040', idempotencyKey: 'c-3' }))).toBe('already_shipped');
        expect(await refusal(shop.cancelOrder({ orderNumber: 'A1024', idempotencyKey: 'c-4' }))).toBe('delivered');
        expect(await code(shop.cancelOrder({ orderNumber: 'A9999', idempotencyKey: 'c-5' }))).toBe('order_not_found');
      });

      it('changes the shipping address before dispatch, within the country', async () => {
        const address = { name: 'Emily Carter', line1: '88 Bedford St', line2: 'Apt 2', city: 'New York', region: 'NY', postalCode: '10014', country: 'US' };
        const change = await shop.changeShippingAddress({ orderNumber: 'A1043', address, idempotencyKey: 'a-1' });
        expect(change).toMatchObject({ orderNumber: 'A1043', address });
        expect((await order('A1043')).shippingAddress).toMatchObject(address);
        expect(await refusal(shop.changeShippingAddress({ orderNumber: 'A1043', address: { ...address, city: 'Toronto', region: 'ON', postalCode: 'M5V 2T6', country: 'CA' }, idempotencyKey: 'a-2' }))).toBe(
          'different_country',
        );
        expect(await refusal(shop.changeShippingAddress({ orderNumber: 'A1037', address, idempotencyKey: 'a-3' }))).toBe('already_shipped');
        expect(await code(shop.changeShippingAddress({ orderNumber: 'A1043', address: { ...address, postalCode: '' }, idempotencyKey: 'a-4' }))).toBe('invalid_request');
      });
    });
  });
}
