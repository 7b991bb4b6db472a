/**
 * A shop's own back end behind the REST contract in HTTP-SHOP.md. Answers are validated against the
 * same schemas as the shop file, so a back end that drifts from the contract fails at this edge with the
 * endpoint and the field, not somewhere inside a dialog. The rule helpers run here, on the back end's
 * data, with the same code as the file shop; the back end still has the last word on every write.
 */
import type { z } from 'zod';
import { MeridianError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/runtime.js';
import { invalidRequest, NotAllowedError, orderNotFound } from './errors.js';
import { addressChangeBlock, dispatchBlock, normalizeOrderNumber, returnEligibilityOf } from './rules.js';
import { checkIdempotencyKey, formatPath, normalizeOrder, wire } from './schema.js';
import type {
  Address,
  AddressChange,
  AddressChangeRequest,
  Availability,
  CancelRequest,
  Cancellation,
  Customer,
  CustomerQuery,
  DispatchBlockReason,
  ExchangeAuthorization,
  ExchangeRequest,
  Instant,
  Order,
  Product,
  RefundStatus,
  ReturnAuthorization,
  ReturnEligibility,
  ReturnRequest,
  RuleResult,
  Shipment,
  Shop,
  ShopInfo,
} from './types.js';

export interface HttpShopOptions {
  /** The contract's base URL, e.g. https://shop.example.com/meridian/v1 (no trailing slash needed). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`; read it from a secret (MERIDIAN_SHOP_TOKEN), never from a file in git. */
  token?: string;
  /** Injected for tests and proxies; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Per attempt; default 5000 ms. */
  timeoutMs?: number;
  /** Pause before the one retry of a failed attempt; default 250 ms. */
  retryDelayMs?: number;
  /** How long info() is cached; default 5 minutes. */
  infoTtlMs?: number;
  clock?: Clock;
}

type Schema = z.ZodType;

interface Call {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  idempotencyKey?: string;
}

const NOT_FOUND = Symbol('not found');

export class HttpShop implements Shop {
  private readonly baseUrl: string;
  private readonly fetch: typeof globalThis.fetch;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly infoTtlMs: number;
  private readonly clock: Clock;
  private cachedInfo: { value: ShopInfo; until: number } | undefined;

  constructor(private readonly options: HttpShopOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new MeridianError('shop_invalid', `The HTTP shop's base URL "${options.baseUrl}" is not an http(s) URL: set it to the address of your shop's Meridian API.`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.infoTtlMs = options.infoTtlMs ?? 300_000;
    this.clock = options.clock ?? systemClock;
  }

  async info(): Promise<ShopInfo> {
    const now = this.clock.now();
    if (this.cachedInfo && this.cachedInfo.until > now) return structuredClone(this.cachedInfo.value);
    const value = await this.required<ShopInfo>({ method: 'GET', path: '/shop' }, wire.info);
    this.cachedInfo = { value, until: now + this.infoTtlMs };
    return structuredClone(value);
  }

  async findCustomer(query: CustomerQuery): Promise<Customer | undefined> {
    if ('id' in query) {
      const found = await this.call<Customer>({ method: 'GET', path: `/customers/${segment(query.id)}` }, wire.customer);
      return found === NOT_FOUND ? undefined : found;
    }
    const found = await this.call<{ customers: Customer[] }>({ method: 'GET', path: '/customers', query: 'email' in query ? { email: query.email.trim() } : { phone: query.phone.trim() } }, wire.customers);
    return found === NOT_FOUND ? undefined : found.customers[0];
  }

  async findOrder(number: string): Promise<Order | undefined> {
    const normalized = normalizeOrderNumber(number);
    if (!normalized) return undefined;
    const found = await this.call<z.output<typeof wire.order>>({ method: 'GET', path: `/orders/${segment(normalized)}` }, wire.order);
    return found === NOT_FOUND ? undefined : normalizeOrder(found);
  }

  async ordersOfCustomer(customerId: string): Promise<Order[]> {
    const found = await this.call<z.output<typeof wire.orders>>({ method: 'GET', path: `/customers/${segment(customerId)}/orders` }, wire.orders);
    if (found === NOT_FOUND) return [];
    return found.orders.map(normalizeOrder).sort((a, b) => Date.parse(b.placedAt) - Date.parse(a.placedAt));
  }

  async shipments(orderNumber: string): Promise<Shipment[]> {
    const normalized = normalizeOrderNumber(orderNumber);
    const found = await this.call<{ shipments: Shipment[] }>({ method: 'GET', path: `/orders/${segment(normalized)}/shipments` }, wire.shipments);
    if (found === NOT_FOUND) throw orderNotFound(normalized);
    return found.shipments.map((shipment, index) => ({
      ...shipment,
      id: shipment.id ?? `${normalized}-${index + 1}`,
      events: [...shipment.events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    }));
  }

  async refundStatus(orderNumber: string): Promise<RefundStatus> {
    const normalized = normalizeOrderNumber(orderNumber);
    const found = await this.call<RefundStatus>({ method: 'GET', path: `/orders/${segment(normalized)}/refunds` }, wire.refundStatus);
    if (found === NOT_FOUND) throw orderNotFound(normalized);
    return found;
  }

  async product(sku: string): Promise<Product | undefined> {
    const found = await this.call<Product>({ method: 'GET', path: `/products/${segment(sku.trim())}` }, wire.product);
    return found === NOT_FOUND ? undefined : found;
  }

  async variants(sku: string): Promise<Product[]> {
    const found = await this.call<{ products: Product[] }>({ method: 'GET', path: `/products/${segment(sku.trim())}/variants` }, wire.products);
    return found === NOT_FOUND ? [] : found.products;
  }

  async availability(sku: string): Promise<Availability | undefined> {
    const found = await this.call<Availability>({ method: 'GET', path: `/products/${segment(sku.trim())}/availability` }, wire.availability);
    return found === NOT_FOUND ? undefined : found;
  }

  async returnEligibility(order: Order, now?: Instant): Promise<ReturnEligibility> {
    const skus = [...new Set(order.items.map((item) => item.sku))];
    const [info, ...products] = await Promise.all([this.info(), ...skus.map((sku) => this.product(sku))]);
    const bySku = new Map(products.filter((product): product is Product => product !== undefined).map((product) => [product.sku, product]));
    const at = now === undefined ? this.clock.now() : typeof now === 'number' ? now : now.getTime();
    return returnEligibilityOf(order, info, (sku) => bySku.get(sku), at);
  }

  async canCancel(order: Order): Promise<RuleResult<DispatchBlockReason>> {
    return dispatchBlock(order);
  }

  async canChangeAddress(order: Order, address?: Address): Promise<RuleResult<DispatchBlockReason | 'different_country'>> {
    return addressChangeBlock(order, address);
  }

  createReturn(request: ReturnRequest): Promise<ReturnAuthorization> {
    const { idempotencyKey, ...body } = request;
    return this.write<ReturnAuthorization>({ method: 'POST', path: '/returns', body, idempotencyKey: checkIdempotencyKey(idempotencyKey) }, wire.returnAuthorization, body.orderNumber);
  }

  createExchange(request: ExchangeRequest): Promise<ExchangeAuthorization> {
    const { idempotencyKey, ...body } = request;
    return this.write<ExchangeAuthorization>({ method: 'POST', path: '/exchanges', body, idempotencyKey: checkIdempotencyKey(idempotencyKey) }, wire.exchange, body.orderNumber);
  }

  cancelOrder(request: CancelRequest): Promise<Cancellation> {
    const { idempotencyKey, orderNumber, ...body } = request;
    const number = normalizeOrderNumber(orderNumber);
    return this.write<Cancellation>({ method: 'POST', path: `/orders/${segment(number)}/cancel`, body, idempotencyKey: checkIdempotencyKey(idempotencyKey) }, wire.cancellation, number);
  }

  changeShippingAddress(request: AddressChangeRequest): Promise<AddressChange> {
    const number = normalizeOrderNumber(request.orderNumber);
    return this.write<AddressChange>(
      { method: 'POST', path: `/orders/${segment(number)}/shipping-address`, body: { address: request.address }, idempotencyKey: checkIdempotencyKey(request.idempotencyKey) },
      wire.addressChange,
      number,
    );
  }

  private async write<T>(call: Call, schema: Schema, orderNumber: string): Promise<T> {
    const result = await this.call<T>(call, schema);
    if (result === NOT_FOUND) throw orderNotFound(normalizeOrderNumber(orderNumber));
    return result;
  }

  private async required<T>(call: Call, schema: Schema): Promise<T> {
    const result = await this.call<T>(call, schema);
    if (result === NOT_FOUND) throw new MeridianError('shop_unavailable', `${this.describe(call)} answered 404: the shop back end does not implement ${call.path} (see HTTP-SHOP.md).`, { status: 502 });
    return result;
  }

  /**
   * One request with the contract's error mapping. Network errors, timeouts, 429 and 5xx are retried once
   * (writes too: the idempotency key makes the retry safe), then reported as `shop_unavailable`.
   */
  private async call<T>(call: Call, schema: Schema): Promise<T | typeof NOT_FOUND> {
    const url = new URL(this.baseUrl + call.path);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers['authorization'] = `Bearer ${this.options.token}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;

    let failure = '';
    let cause: unknown;
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (attempt === 2 && this.retryDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
      let response: Response;
      try {
        response = await this.fetch(url, {
          method: call.method,
          headers,
          ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        cause = error;
        failure = isTimeout(error) ? `did not answer within ${this.timeoutMs} ms` : `could not be reached (${describeFetchError(error)})`;
        continue;
      }
      if (response.status >= 500 || response.status === 429) {
        failure = `answered ${response.status}${await errorSuffix(response)}`;
        continue;
      }
      return this.handle<T>(call, response, schema);
    }
    throw new MeridianError('shop_unavailable', `The shop back end ${failure} on ${this.describe(call)}, twice: the shop is unavailable; try again later or hand over to a person.`, {
      status: 503,
      cause,
      details: { method: call.method, path: call.path },
    });
  }

  private async handle<T>(call: Call, response: Response, schema: Schema): Promise<T | typeof NOT_FOUND> {
    if (response.status === 404) {
      await response.body?.cancel();
      return NOT_FOUND;
    }
    if (response.ok) {
      let body: unknown;
      try {
        body = await response.json();
      } catch (cause) {
        throw new MeridianError('shop_invalid', `${this.describe(call)} answered ${response.status} with a body that is not JSON: the back end breaks the contract in HTTP-SHOP.md.`, { cause, status: 502 });
      }
      const parsed = schema.safeParse(body, { reportInput: true });
      if (!parsed.success) {
        const problems = parsed.error.issues.slice(0, 5).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
        throw new MeridianError('shop_invalid', `${this.describe(call)} answered a body that breaks the contract in HTTP-SHOP.md: ${problems.join('; ')}`, {
          status: 502,
          details: { problems },
        });
      }
      return parsed.data as T;
    }
    const error = await readError(response);
    if (error.code === 'idempotency_conflict') {
      throw new MeridianError('idempotency_conflict', error.message ?? `The idempotency key ${call.idempotencyKey ?? ''} was used for a different request.`, { status: 422 });
    }
    if (error.code === 'order_not_found') return NOT_FOUND;
    if (response.status === 409 || response.status === 422) {
      throw new NotAllowedError(error.reason ?? 'not_allowed', error.message ?? `The shop refused ${this.describe(call)} (${response.status}).`, { httpStatus: response.status });
    }
    if (response.status === 400) throw invalidRequest(`The shop rejected ${this.describe(call)} as invalid: ${error.message ?? 'no reason given'}`, { backend: error });
    if (response.status === 401 || response.status === 403) {
      throw new MeridianError('shop_unavailable', `The shop back end refused Meridian's token (${response.status}) on ${this.describe(call)}: check the token the shop issued (MERIDIAN_SHOP_TOKEN).`, {
        status: 503,
        details: { httpStatus: response.status },
      });
    }
    throw new MeridianError('shop_unavailable', `${this.describe(call)} answered an unexpected ${response.status}${error.message ? `: ${error.message}` : ''}.`, { status: 502 });
  }

  private describe(call: Call): string {
    return `${call.method} ${call.path}`;
  }
}

/** A path segment: order numbers and SKUs are escaped, so `A/1` cannot reach another route. */
function segment(value: string): string {
  return encodeURIComponent(value);
}

// Duck-typed: the DOMException fetch throws may come from another realm (it does under Jest's VM modules).
function isTimeout(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null && 'name' in error ? (error as { name: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && 'code' in cause) return `${String((cause as Error & { code: unknown }).code)}`;
    return error.message;
  }
  return String(error);
}

interface BackendError {
  code?: string;
  reason?: string;
  message?: string;
}

async function readError(response: Response): Promise<BackendError> {
  try {
    const body = (await response.json()) as { error?: BackendError };
    const error = body?.error;
    if (error && typeof error === 'object') {
      return {
        ...(typeof error.code === 'string' ? { code: error.code } : {}),
        ...(typeof error.reason === 'string' ? { reason: error.reason } : {}),
        ...(typeof error.message === 'string' ? { message: error.message.slice(0, 500) } : {}),
      };
    }
  } catch {
    // Not JSON: the status alone has to do.
  }
  return {};
}

async function errorSuffix(response: Response): Promise<string> {
  const error = await readError(response);
  return error.message ? ` (${error.message})` : '';
}
