import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { ManualClock } from '../../src/core/runtime.js';
import { isMeridianError, type MeridianError } from '../../src/core/errors.js';
import { NotAllowedError } from '../../src/commerce/errors.js';
import { FileShop } from '../../src/commerce/file-shop.js';
import { HttpShop, type HttpShopOptions } from '../../src/commerce/http-shop.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { startShopServer, type RunningShopServer } from '../helpers/shop-server.js';

const DEMO_NOW = Date.parse('2026-11-27T12:00:00Z');
const TOKEN = 'shop-secret-token';

async function failure(promise: Promise<unknown>): Promise<MeridianError> {
  try {
    await promise;
  } catch (error) {
    if (isMeridianError(error)) return error;
    throw error;
  }
  throw new Error('expected a MeridianError');
}

describe('HttpShop over a real socket', () => {
  let server: RunningShopServer;
  let backend: MemoryBackend;
  let fileShop: FileShop;
  const clock = new ManualClock(DEMO_NOW);
  const client = (options: Partial<HttpShopOptions> = {}) => new HttpShop({ baseUrl: server.url, token: TOKEN, clock, timeoutMs: 1000, retryDelayMs: 0, ...options });

  beforeEach(async () => {
    backend = new MemoryBackend();
    fileShop = new FileShop({ file: 'commerce/demo-shop.json', backend, clock });
    server = await startShopServer({ shop: fileShop, token: TOKEN });
  });
  afterEach(async () => {
    await server.close();
    await backend.close();
  });

  it('sends the bearer token, JSON and the idempotency key', async () => {
    await client().createReturn({ orderNumber: 'A1024', items: [{ sku: 'MO-TEE-GRY-M', qty: 1 }], reason: 'too_big', method: 'drop_off', idempotencyKey: 'webchat:m-1' });
    const post = server.requests.find((request) => request.method === 'POST')!;
    expect(post.path).toBe('/api/returns');
    expect(post.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(post.headers['idempotency-key']).toBe('webchat:m-1');
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.body).toEqual({ orderNumber: 'A1024', items: [{ sku: 'MO-TEE-GRY-M', qty: 1 }], reason: 'too_big', method: 'drop_off' });
  });

  it('escapes path segments and query values', async () => {
    expect(await client().findOrder('A1024/../../shop')).toBeUndefined();
    expect(server.requests.at(-1)!.path).toBe('/api/orders/A1024%2F..%2F..%2FSHOP');
    expect((await client().findCustomer({ phone: '+4915123456789' }))?.id).toBe('C1001');
    expect(server.requests.at(-1)!.path).toBe('/api/customers?phone=%2B4915123456789');
  });

  it('says the token was refused, without retrying', async () => {
    const error = await failure(client({ token: 'wrong' }).findOrder('A1024'));
    expect(error.code).toBe('shop_unavailable');
    expect(error.message).toContain('refused');
    expect(error.message).toContain('401');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 5xx once and then succeeds', async () => {
    server.failNext(503);
    expect((await client().findOrder('A1024'))?.number).toBe('A1024');
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after the retry with shop_unavailable naming the endpoint', async () => {
    server.failNext(500, 2, { error: { code: 'internal', message: 'database down' } });
    const error = await failure(client().findOrder('A1024'));
    expect(error.code).toBe('shop_unavailable');
    expect(error.message).toContain('GET /orders/A1024');
    expect(error.message).toContain('500 (database down)');
    expect(server.requests).toHaveLength(2);
  });

  it('times out a stalled back end, retries, then reports it', async () => {
    server.stallNext(400, 2);
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 150 }).findOrder('A1024'));
    expect(error.code).toBe('shop_unavailable');
    expect(error.message).toContain('did not answer within 150 ms');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('retries a write whose answer was lost, and the idempotency key makes it one return', async () => {
    server.dropNextAnswer();
    const rma = await client().createReturn({ orderNumber: 'A1024', items: [{ sku: 'MO-SNEAKER-WHT-42', qty: 1 }], reason: '', method: 'pickup', idempotencyKey: 'lost-answer' });
    expect(rma.number).toBe('RMA-A1024-1');
    expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
    expect((await fileShop.findOrder('A1024'))?.returns).toHaveLength(1);
  });

  it("passes the back end's reason on 409 and 422", async () => {
    server.failNext(409, 1, { error: { code: 'not_allowed', reason: 'fraud_review', message: 'Order is under fraud review.' } });
    const conflict = await failure(client().cancelOrder({ orderNumber: 'A1042', idempotencyKey: 'k' }));
    expect(conflict).toBeInstanceOf(NotAllowedError);
    expect((conflict as NotAllowedError).reason).toBe('fraud_review');
    expect(conflict.message).toBe('Order is under fraud review.');
    const refused = await failure(client().cancelOrder({ orderNumber: 'A1040', idempotencyKey: 'k2' }));
    expect((refused as NotAllowedError).reason).toBe('already_shipped');
  });

  it('maps 404 on writes to order_not_found and a reused key to idempotency_conflict', async () => {
    expect((await failure(client().cancelOrder({ orderNumber: 'A9999', idempotencyKey: 'k' }))).code).toBe('order_not_found');
    await client().cancelOrder({ orderNumber: 'A1042', idempotencyKey: 'k3' });
    expect((await failure(client().cancelOrder({ orderNumber: 'A1043', idempotencyKey: 'k3' }))).code).toBe('idempotency_conflict');
  });

  it('rejects answers that break the contract, naming the field', async () => {
    server.corruptNext({ number: 'A1024', status: 'lost' });
    const error = await failure(client().findOrder('A1024'));
    expect(error.code).toBe('shop_invalid');
    expect(error.message).toContain('GET /orders/A1024');
    expect(error.message).toContain('status: expected one of processing, shipped, delivered, cancelled, got "lost"');
  });

  it('reports a back end without the route', async () => {
    const error = await failure(new HttpShop({ baseUrl: `${server.url}/v9`, token: TOKEN, retryDelayMs: 0 }).info());
    expect(error.code).toBe('shop_unavailable');
    expect(error.message).toContain('does not implement /shop');
  });

  it('caches the shop info for the configured time', async () => {
    const shop = client({ infoTtlMs: 60_000 });
    await shop.info();
    await shop.info();
    expect(server.requests.filter((request) => request.path === '/api/shop')).toHaveLength(1);
    clock.advance(60_000);
    await shop.info();
    expect(server.requests.filter((request) => request.path === '/api/shop')).toHaveLength(2);
    clock.set(DEMO_NOW);
  });
});

describe('HttpShop with an injected fetch', () => {
  it('uses it for every call and reports network errors after one retry', async () => {
    const calls: string[] = [];
    const fetch: typeof globalThis.fetch = async (input) => {
      calls.push(String(input));
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    };
    const shop = new HttpShop({ baseUrl: 'http://127.0.0.1:9/api/', fetch, retryDelayMs: 0 });
    const error = await failure(shop.product('MO-CAP-NVY'));
    expect(error.code).toBe('shop_unavailable');
    expect(error.message).toContain('could not be reached (ECONNREFUSED)');
    expect(calls).toEqual(['http://127.0.0.1:9/api/products/MO-CAP-NVY', 'http://127.0.0.1:9/api/products/MO-CAP-NVY']);
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => new HttpShop({ baseUrl: 'shop.example.com' })).toThrow(/not an http\(s\) URL/);
  });
});
