import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeridianError } from '../../src/core/errors.js';
import { FileShop } from '../../src/commerce/file-shop.js';
import { loadShopFile, parseShopData } from '../../src/commerce/schema.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';

type Json = Record<string, unknown>;
interface EditableOrder extends Json {
  number: string;
  items: Json[];
  shipments: (Json & { items: Json[] })[];
  returns: (Json & { items: Json[] })[];
}
interface EditableShop {
  shop: Json;
  customers: Json[];
  products: Json[];
  orders: EditableOrder[];
}

const demo = (): EditableShop => JSON.parse(readFileSync('commerce/demo-shop.json', 'utf8')) as EditableShop;
const byNumber = (data: EditableShop, number: string): EditableOrder => data.orders.find((order) => order.number === number)!;
const dir = mkdtempSync(join(tmpdir(), 'meridian-shop-'));

function writeShop(name: string, edit: (data: EditableShop) => void): string {
  const data = demo();
  edit(data);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}

function loadError(file: string): MeridianError {
  try {
    loadShopFile(file);
  } catch (error) {
    if (error instanceof MeridianError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without an error`);
}

describe('shop file validation', () => {
  it('accepts the demo shop', () => {
    const data = loadShopFile('commerce/demo-shop.json');
    expect(data.shop.name).toBe('Meridian Outfitters');
    expect(data.orders.length).toBeGreaterThanOrEqual(40);
  });

  it('names the file, the JSON path and what is expected', () => {
    const file = writeShop('qty.json', (data) => {
      data.orders[3]!.items[0]!['qty'] = 0;
    });
    const error = loadError(file);
    expect(error.code).toBe('shop_invalid');
    expect(error.message).toBe(`${file}: orders[3].items[0].qty: expected a positive integer`);
  });

  it('reports every problem of a file at once, with the value it found', () => {
    const file = writeShop('many.json', (data) => {
      data.orders[0]!.items[0]!['qty'] = '2';
      data.orders[1]!['status'] = 'sent';
      data.orders[2]!['placedAt'] = '12/03/2026';
      delete data.customers[4]!['email'];
      data.customers[5]!['timeZone'] = 'Europe/Atlantis';
      data.products[2]!['currency'] = 'EURO';
      data.shop['returnWindowDays'] = -1;
    });
    const lines = loadError(file).message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        `${file}: orders[0].items[0].qty: expected a positive integer, got "2"`,
        `${file}: orders[1].status: expected one of processing, shipped, delivered, cancelled, got "sent"`,
        `${file}: orders[2].placedAt: expected an ISO 8601 date-time with a zone, such as 2026-11-10T14:05:00+01:00, got "12/03/2026"`,
        `${file}: customers[4].email: missing: expected an e-mail address`,
        `${file}: customers[5].timeZone: expected an IANA time zone such as Europe/Berlin, got "Europe/Atlantis"`,
        `${file}: products[2].currency: expected an ISO 4217 currency code such as EUR, got "EURO"`,
        `${file}: shop.returnWindowDays: expected 0 or more days`,
      ]),
    );
    expect(lines).toHaveLength(7);
  });

  it('checks fields that depend on each other', () => {
    const file = writeShop('status.json', (data) => {
      delete byNumber(data, 'A1024')['deliveredAt'];
      const shipped = byNumber(data, 'A1035');
      shipped.shipments = [];
      shipped['deliveredAt'] = '2026-11-26T10:00:00Z';
    });
    const message = loadError(file).message;
    expect(message).toContain('orders[23].deliveredAt: missing: expected the delivery date-time when status is delivered');
    expect(message).toContain('orders[34].shipments: expected at least one shipment when status is shipped');
    expect(message).toContain('orders[34].deliveredAt: expected null while status is shipped');
  });

  it('checks references between customers, products and orders, and unique keys', () => {
    const file = writeShop('refs.json', (data) => {
      data.orders[5]!['customerId'] = 'C9999';
      data.orders[6]!.items[0]!['sku'] = 'MO-NOPE-XL';
      data.orders[7]!.number = 'a1001';
      data.products[1]!['sku'] = data.products[0]!['sku'];
      data.customers[2]!['email'] = 'LENA.HOFFMANN@example.com';
      byNumber(data, 'A1032').shipments[0]!.items[0]!['sku'] = 'MO-CAP-NVY';
      byNumber(data, 'A1029').returns[0]!.items[0]!['qty'] = 3;
    });
    const lines = loadError(file).message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        `${file}: orders[5].customerId: unknown customer "C9999" (not in customers)`,
        `${file}: orders[6].items[0].sku: unknown product "MO-NOPE-XL" (not in products)`,
        `${file}: orders[7].number: duplicate order number "A1001" (also orders[0])`,
        `${file}: products[1].sku: duplicate SKU "MO-SHIRT-BLU-S" (also products[0])`,
        `${file}: customers[2].email: duplicate e-mail address "lena.hoffmann@example.com" (also customers[0])`,
        `${file}: orders[31].shipments[0].items[0].sku: "MO-CAP-NVY" is not one of this order's items`,
        `${file}: orders[28].returns: 3 units of MO-JEANS-IND-30 are returned or exchanged but only 2 were ordered`,
      ]),
    );
  });

  it('says where broken JSON breaks, by line and column', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{\n  "shop": {\n    "name": "X",,\n  }\n}\n');
    const error = loadError(file);
    expect(error.code).toBe('shop_invalid');
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON: .* at line 3, column 17$`));
  });

  it('says how to fix a missing file', () => {
    const error = loadError(join(dir, 'nope.json'));
    expect(error.code).toBe('shop_unreadable');
    expect(error.message).toContain('ENOENT');
    expect(error.message).toContain('MERIDIAN_SHOP_FILE');
  });

  it('names the file relative to the working folder when FileShop loads it', () => {
    expect(() => new FileShop({ file: join(dir, 'qty.json'), backend: new MemoryBackend() })).toThrow(/qty\.json: orders\[3\]\.items\[0\]\.qty: expected a positive integer/);
  });

  it('accepts the minimal shape and fills defaults, keeping unknown fields', () => {
    const data = parseShopData(
      {
        shop: { name: 'Tiny', currency: 'USD', returnWindowDays: 14, timeZone: 'America/Los_Angeles', loyaltyProgram: 'stars' },
        customers: [{ id: 'c1', name: 'Sam', email: 'sam@example.com', phone: '+14155550100', country: 'US', locale: 'en-US', timeZone: 'America/Los_Angeles', tier: 'standard' }],
        products: [{ sku: 'T1', name: { en: 'Tee' }, price: 20, currency: 'USD', returnable: true, exchangeable: false, material: 'cotton' }],
        orders: [
          {
            number: 'o-1',
            customerId: 'c1',
            status: 'processing',
            placedAt: '2026-11-20T10:00:00-08:00',
            currency: 'USD',
            total: 20,
            items: [{ sku: 'T1', qty: 1, unitPrice: 20 }],
            shippingAddress: { name: 'Sam', line1: '1 Main St', city: 'Oakland', postalCode: '94607', country: 'US' },
            payment: { method: 'card' },
            giftMessage: 'Happy birthday',
          },
        ],
      },
      'inline',
    );
    const order = data.orders[0]!;
    expect(order).toMatchObject({ number: 'O-1', shipments: [], deliveredAt: null, cancelledAt: null, returns: [], exchanges: [], payment: { method: 'card', refunds: [] } });
    expect((order as unknown as Json)['giftMessage']).toBe('Happy birthday');
    expect(data.products[0]).toMatchObject({ style: null, stock: null, material: 'cotton' });
    expect((data.shop as unknown as Json)['loyaltyProgram']).toBe('stars');
  });

  it('rejects a file that is not a shop at all', () => {
    expect(() => parseShopData([], 'list.json')).toThrow('list.json: (top level): expected an object with shop, customers, products and orders, got a list');
    expect(() => parseShopData({}, 'empty.json')).toThrow('empty.json: shop: missing: expected an object with name, currency, returnWindowDays and timeZone');
  });
});
