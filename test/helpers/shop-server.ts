/**
 * A shop back end implementing the REST contract of src/commerce/HTTP-SHOP.md over any Shop (the tests
 * use a FileShop on the demo file), on 127.0.0.1 with node:http. It can be told to fail or stall, so the
 * HttpShop's retries and timeouts are tested against a real socket.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMeridianError } from '../../src/core/errors.js';
import { NotAllowedError } from '../../src/commerce/errors.js';
import type { Address, ExchangeRequest, ReturnRequest, Shop } from '../../src/commerce/types.js';

export interface ShopServerOptions {
  shop: Shop;
  /** Required bearer token; requests without it get 401. */
  token?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface RunningShopServer {
  /** Base URL of the contract, e.g. http://127.0.0.1:51234/api */
  url: string;
  requests: RecordedRequest[];
  /** The next `times` requests answer `status` (after running nothing). */
  failNext(status: number, times?: number, body?: unknown): void;
  /** The next `times` requests run normally but answer only after `ms`. */
  stallNext(ms: number, times?: number): void;
  /** The next request runs (the write happens) but the connection is dropped before the answer. */
  dropNextAnswer(): void;
  /** Replaces the next answer's body (for contract-break tests). */
  corruptNext(body: unknown): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 100_000) throw new HttpError(413, 'payload_too_large', 'body over 100 kB');
    chunks.push(chunk as Buffer);
  }
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'body is not JSON');
  }
}

function idempotencyKey(request: IncomingMessage): string {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) throw new HttpError(400, 'invalid_request', 'Idempotency-Key header is required on writes');
  return key;
}

const object = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

export async function startShopServer(options: ShopServerOptions): Promise<RunningShopServer> {
  const { shop } = options;
  const requests: RecordedRequest[] = [];
  const failures: { status: number; body: unknown }[] = [];
  const stalls: number[] = [];
  let drop = false;
  let corrupt: { body: unknown } | undefined;

  async function route(method: string, url: URL, request: IncomingMessage, body: unknown): Promise<[number, unknown]> {
    const parts = url.pathname.replace(/^\/api/, '').split('/').filter(Boolean).map(decodeURIComponent);
    const orderOr404 = async (number: string) => {
      const order = await shop.findOrder(number);
      if (!order) throw new HttpError(404, 'order_not_found', `no order ${number}`);
      return order;
    };
    if (method === 'GET') {
      if (parts.length === 1 && parts[0] === 'shop') return [200, await shop.info()];
      if (parts[0] === 'customers' && parts.length === 1) {
        const email = url.searchParams.get('email');
        const phone = url.searchParams.get('phone');
        const found = email ? await shop.findCustomer({ email }) : phone ? await shop.findCustomer({ phone }) : undefined;
        return [200, { customers: found ? [found] : [] }];
      }
      if (parts[0] === 'customers' && parts.length === 2) {
        const found = await shop.findCustomer({ id: parts[1]! });
        if (!found) throw new HttpError(404, 'customer_not_found', `no customer ${parts[1]}`);
        return [200, found];
      }
      if (parts[0] === 'customers' && parts[2] === 'orders' && parts.length === 3) {
        const found = await shop.findCustomer({ id: parts[1]! });
        if (!found) throw new HttpError(404, 'customer_not_found', `no customer ${parts[1]}`);
        return [200, { orders: await shop.ordersOfCustomer(parts[1]!) }];
      }
      if (parts[0] === 'orders' && parts.length === 2) return [200, await orderOr404(parts[1]!)];
      if (parts[0] === 'orders' && parts[2] === 'shipments') return [200, { shipments: (await orderOr404(parts[1]!)).shipments }];
      if (parts[0] === 'orders' && parts[2] === 'refunds') return [200, await shop.refundStatus((await orderOr404(parts[1]!)).number)];
      if (parts[0] === 'products' && parts.length >= 2) {
        const product = await shop.product(parts[1]!);
        if (!product) throw new HttpError(404, 'product_not_found', `no product ${parts[1]}`);
        if (parts.length === 2) return [200, product];
        if (parts[2] === 'availability') return [200, await shop.availability(parts[1]!)];
        if (parts[2] === 'variants') return [200, { products: await shop.variants(parts[1]!) }];
      }
    }
    if (method === 'POST') {
      const key = idempotencyKey(request);
      const input = object(body);
      if (parts.length === 1 && parts[0] === 'returns') {
        return [201, await shop.createReturn({ ...(input as Omit<ReturnRequest, 'idempotencyKey'>), idempotencyKey: key })];
      }
      if (parts.length === 1 && parts[0] === 'exchanges') {
        return [201, await shop.createExchange({ ...(input as Omit<ExchangeRequest, 'idempotencyKey'>), idempotencyKey: key })];
      }
      if (parts[0] === 'orders' && parts.length === 3 && parts[2] === 'cancel') {
        return [200, await shop.cancelOrder({ ...(input as { reason?: string }), orderNumber: parts[1]!, idempotencyKey: key })];
      }
      if (parts[0] === 'orders' && parts.length === 3 && parts[2] === 'shipping-address') {
        return [200, await shop.changeShippingAddress({ address: input['address'] as Address, orderNumber: parts[1]!, idempotencyKey: key })];
      }
    }
    throw new HttpError(404, 'route_not_found', `${method} ${url.pathname} is not part of the contract`);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let status: number;
    let payload: unknown;
    try {
      const body = request.method === 'POST' ? await readBody(request) : undefined;
      requests.push({ method: request.method ?? '', path: url.pathname + url.search, headers: request.headers, body });
      if (options.token && request.headers.authorization !== `Bearer ${options.token}`) throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token');
      const failure = failures.shift();
      if (failure) {
        status = failure.status;
        payload = failure.body;
      } else {
        [status, payload] = await route(request.method ?? 'GET', url, request, body);
      }
    } catch (error) {
      if (error instanceof HttpError) {
        status = error.status;
        payload = { error: { code: error.code, message: error.message, ...(error.reason ? { reason: error.reason } : {}) } };
      } else if (error instanceof NotAllowedError) {
        status = 422;
        payload = { error: { code: 'not_allowed', reason: error.reason, message: error.message } };
      } else if (isMeridianError(error)) {
        status = error.code === 'order_not_found' ? 404 : error.code === 'idempotency_conflict' ? 422 : error.code === 'invalid_request' ? 400 : 500;
        payload = { error: { code: error.code, message: error.message } };
      } else {
        status = 500;
        payload = { error: { code: 'internal', message: String(error) } };
      }
    }
    const stall = stalls.shift();
    if (stall) await new Promise((resolve) => setTimeout(resolve, stall));
    if (drop) {
      drop = false;
      request.socket.destroy();
      return;
    }
    if (corrupt) {
      payload = corrupt.body;
      corrupt = undefined;
    }
    if (response.destroyed) return;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(payload === undefined ? '' : JSON.stringify(payload));
  }

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    requests,
    failNext(status, times = 1, body = { error: { code: 'unavailable', message: 'maintenance' } }) {
      for (let n = 0; n < times; n++) failures.push({ status, body });
    },
    stallNext(ms, times = 1) {
      for (let n = 0; n < times; n++) stalls.push(ms);
    },
    dropNextAnswer() {
      drop = true;
    },
    corruptNext(body) {
      corrupt = { body };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
