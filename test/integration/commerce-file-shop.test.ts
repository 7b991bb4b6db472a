import { describe, it, expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/runtime.js';
import { NotAllowedError } from '../../src/commerce/errors.js';
import { FileShop } from '../../src/commerce/file-shop.js';
import { EmbeddedBackend } from '../../src/storage/embedded-backend.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';

const DEMO_FILE = 'commerce/demo-shop.json';
const DEMO_NOW = Date.parse('2026-11-27T12:00:00Z');
const digest = () => createHash('sha256').update(readFileSync(DEMO_FILE)).digest('hex');

describe('FileShop writes on the embedded store', () => {
  it('keeps returns, exchanges, cancellations and address changes across a restart, and never touches the file', async () => {
    const before = digest();
    const file = join(mkdtempSync(join(tmpdir(), 'meridian-shop-')), 'meridian.db');
    const clock = new ManualClock(DEMO_NOW);

    const first = new EmbeddedBackend({ file });
    const shop = new FileShop({ file: DEMO_FILE, backend: first, clock });
    const rma = await shop.createReturn({ orderNumber: 'A1024', items: [{ sku: 'MO-TEE-GRY-M', qty: 1 }], reason: 'too_big', method: 'drop_off', idempotencyKey: 'sms:m-7#0' });
    const exchange = await shop.createExchange({ orderNumber: 'A1030', sku: 'MO-SHIRT-WHT-M', qty: 1, newSku: 'MO-SHIRT-WHT-L', idempotencyKey: 'sms:m-8#0' });
    const cancellation = await shop.cancelOrder({ orderNumber: 'A1044', idempotencyKey: 'sms:m-9#0' });
    const address = { name: 'Camille Dubois', line1: '3 place des Vosges', city: 'Paris', postalCode: '75004', country: 'FR' };
    await shop.changeShippingAddress({ orderNumber: 'A1042', address, idempotencyKey: 'sms:m-10#0' });
    await first.close();

    clock.advance(86_400_000);
    const second = new EmbeddedBackend({ file });
    const restarted = new FileShop({ file: DEMO_FILE, backend: second, clock });
    const a1044 = await restarted.findOrder('A1044');
    expect(a1044).toMatchObject({ status: 'cancelled', cancelledAt: cancellation.cancelledAt });
    expect(a1044?.payment.refunds.at(-1)).toEqual(cancellation.refund);
    expect((await restarted.findOrder('A1024'))?.returns).toEqual([rma]);
    expect((await restarted.findOrder('A1030'))?.exchanges).toEqual([exchange]);
    expect((await restarted.findOrder('A1042'))?.shippingAddress).toEqual(address);
    expect((await restarted.availability('MO-SHIRT-WHT-L'))?.quantity).toBe(1);
    expect((await restarted.ordersOfCustomer('C1001')).find((o) => o.number === 'A1044')?.status).toBe('cancelled');

    // A turn re-run after the restart (same key) gets the same RMA; nothing is stored twice.
    expect(await restarted.createReturn({ orderNumber: 'A1024', items: [{ sku: 'MO-TEE-GRY-M', qty: 1 }], reason: 'too_big', method: 'drop_off', idempotencyKey: 'sms:m-7#0' })).toEqual(rma);
    expect(await restarted.changes.collection.count({ orderNumber: 'A1024' })).toBe(1);
    const next = await restarted.createReturn({ orderNumber: 'A1024', items: [{ sku: 'MO-TEE-GRY-M', qty: 1 }], reason: 'too_big', method: 'drop_off', idempotencyKey: 'sms:m-11#0' });
    expect(next.number).toBe('RMA-A1024-2');
    await second.close();

    expect(digest()).toBe(before);
  });

  it('lets only one of two concurrent returns take the last unit', async () => {
    const backend = new MemoryBackend();
    const shop = new FileShop({ file: DEMO_FILE, backend, clock: new ManualClock(DEMO_NOW) });
    const attempt = (key: string) => shop.createReturn({ orderNumber: 'A1029', items: [{ sku: 'MO-JEANS-IND-30', qty: 1 }], reason: '', method: 'drop_off', idempotencyKey: key });
    const results = await Promise.allSettled([attempt('race-a'), attempt('race-b'), attempt('race-c')]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(2);
    for (const loss of lost) {
      expect(loss.reason).toBeInstanceOf(NotAllowedError);
      expect((loss.reason as NotAllowedError).reason).toBe('nothing_returnable');
    }
    expect((await shop.findOrder('A1029'))?.returns.map((r) => r.number)).toEqual(['RMA-A1029-1', 'RMA-A1029-2']);
  });

  it('answers concurrent calls with the same key with one change', async () => {
    const backend = new MemoryBackend();
    const shop = new FileShop({ file: DEMO_FILE, backend, clock: new ManualClock(DEMO_NOW) });
    const request = { orderNumber: 'A1042', idempotencyKey: 'webchat:s-1:m-4' };
    const [a, b] = await Promise.all([shop.cancelOrder(request), shop.cancelOrder(request)]);
    expect(a).toEqual(b);
    expect(await shop.changes.collection.count({ orderNumber: 'A1042' })).toBe(1);
  });

  it('scopes keys per operation, so one turn can cancel and ask for an address change with one key', async () => {
    const shop = new FileShop({ file: DEMO_FILE, backend: new MemoryBackend(), clock: new ManualClock(DEMO_NOW) });
    const address = { name: 'Lucía Fernández García', line1: 'Calle de Alcalá 100', city: 'Madrid', postalCode: '28009', country: 'ES' };
    await shop.changeShippingAddress({ orderNumber: 'A1041', address, idempotencyKey: 'same' });
    const cancellation = await shop.cancelOrder({ orderNumber: 'A1041', idempotencyKey: 'same' });
    expect(cancellation.status).toBe('cancelled');
    expect((await shop.findOrder('A1041'))?.shippingAddress).toEqual(address);
  });

  it('hands out copies: changing a read order does not change the shop', async () => {
    const shop = new FileShop({ file: DEMO_FILE, backend: new MemoryBackend(), clock: new ManualClock(DEMO_NOW) });
    const order = await shop.findOrder('A1042');
    order!.status = 'cancelled';
    order!.items.push({ sku: 'MO-CAP-NVY', qty: 9, unitPrice: 0 });
    expect(await shop.findOrder('A1042')).toMatchObject({ status: 'processing', items: [{ sku: 'MO-JEANS-IND-32' }, { sku: 'MO-SHIRT-BLU-L' }] });
  });
});
