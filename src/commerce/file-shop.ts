/**
 * The file-backed shop, the default for `npm start`: catalogue, customers and orders come from one JSON
 * file (validated at start), and everything Meridian changes (returns, exchanges, cancellations,
 * address changes) goes to its own store (`shop_changes`), never into the file. Reads overlay those
 * changes, so a cancelled order reads as cancelled after a restart, and the file stays the shop's.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { MeridianError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/runtime.js';
import { packageRoot } from '../package-root.js';
import type { StorageBackend } from '../storage/collection.js';
import { fingerprint, ShopChangesStore, type ShopChangeKind, type ShopChangeRecord, type ShopChangeResults } from './changes-store.js';
import { idempotencyConflict, NotAllowedError, orderNotFound } from './errors.js';
import {
  addressChangeBlock,
  checkExchange,
  checkReturnLines,
  dispatchBlock,
  normalizeEmail,
  normalizeOrderNumber,
  normalizePhone,
  returnEligibilityOf,
  roundMoney,
} from './rules.js';
import { checkIdempotencyKey, loadShopFile, parseRequest, requestSchemas, type ProductRecord, type ShopData, type ShopFileInfo } from './schema.js';
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
  Refund,
  RefundStatus,
  ReturnAuthorization,
  ReturnEligibility,
  ReturnLabel,
  ReturnRequest,
  RuleResult,
  Shipment,
  Shop,
  ShopInfo,
} from './types.js';
import { addDays, dateInZone, isWeekday } from './zoned-time.js';

/** Where `npm start` finds the demo shop when MERIDIAN_SHOP_FILE is not set (relative to the package). */
export const DEFAULT_SHOP_FILE = 'commerce/demo-shop.json';

/** A set path resolves from the working folder; no path means the demo shop shipped with Meridian. */
export function resolveShopFile(file?: string): string {
  if (file) return resolve(file);
  const local = resolve(DEFAULT_SHOP_FILE);
  return existsSync(local) ? local : join(packageRoot(), DEFAULT_SHOP_FILE);
}

export interface FileShopOptions {
  /** The shop file; see resolveShopFile for the default. */
  file?: string;
  /** Already validated data instead of a file (generated shops, tests). */
  data?: ShopData;
  /** Meridian's store: writes go to its `shop_changes` collection. */
  backend: StorageBackend;
  /** "Now" for return windows and timestamps; inject a ManualClock for deterministic tests. */
  clock?: Clock;
  /** How many units count as low stock in availability(). */
  lowStockThreshold?: number;
}

/** Days a customer has to hand a return parcel over once the RMA exists. */
const HAND_OVER_DAYS = 14;
const MAX_WRITE_ATTEMPTS = 8;

export class FileShop implements Shop {
  readonly changes: ShopChangesStore;
  private readonly clock: Clock;
  private readonly data: ShopData;
  private readonly orders = new Map<string, Order>();
  private readonly products = new Map<string, ProductRecord>();
  private readonly lowStock: number;

  constructor(options: FileShopOptions) {
    if (options.data) this.data = options.data;
    else {
      const file = resolveShopFile(options.file);
      const shown = relative(process.cwd(), file);
      this.data = loadShopFile(file, shown.startsWith('..') || isAbsolute(shown) ? file : shown);
    }
    for (const order of this.data.orders) this.orders.set(order.number, order);
    for (const product of this.data.products) this.products.set(product.sku.toUpperCase(), product);
    this.changes = ShopChangesStore.open(options.backend);
    this.clock = options.clock ?? systemClock;
    this.lowStock = options.lowStockThreshold ?? 3;
  }

  async info(): Promise<ShopInfo> {
    return structuredClone(this.data.shop);
  }

  async findCustomer(query: CustomerQuery): Promise<Customer | undefined> {
    let found: Customer | undefined;
    if ('id' in query) found = this.data.customers.find((customer) => customer.id === query.id.trim());
    else if ('email' in query) {
      const email = normalizeEmail(query.email);
      found = this.data.customers.find((customer) => normalizeEmail(customer.email) === email);
    } else {
      const phone = normalizePhone(query.phone);
      found = phone.length >= 7 ? this.data.customers.find((customer) => customer.phone !== null && normalizePhone(customer.phone) === phone) : undefined;
    }
    return found && structuredClone(found);
  }

  async findOrder(number: string): Promise<Order | undefined> {
    const base = this.orders.get(normalizeOrderNumber(number));
    if (!base) return undefined;
    return overlay(base, await this.changes.forOrder(base.number));
  }

  async ordersOfCustomer(customerId: string): Promise<Order[]> {
    const mine = this.data.orders.filter((order) => order.customerId === customerId);
    const changes = await this.changes.forOrders(mine.map((order) => order.number));
    return mine.map((order) => overlay(order, changes.get(order.number) ?? [])).sort((a, b) => Date.parse(b.placedAt) - Date.parse(a.placedAt));
  }

  async shipments(orderNumber: string): Promise<Shipment[]> {
    return (await this.requireOrder(orderNumber)).shipments;
  }

  async refundStatus(orderNumber: string): Promise<RefundStatus> {
    return refundStatusOf(await this.requireOrder(orderNumber));
  }

  /** Every product in the file (names in all languages), e.g. for recognising product mentions. */
  allProducts(): readonly Product[] {
    return this.data.products;
  }

  async product(sku: string): Promise<Product | undefined> {
    const record = this.record(sku);
    return record && toProduct(record);
  }

  async variants(sku: string): Promise<Product[]> {
    const record = this.record(sku);
    if (!record) return [];
    if (record.style === null) return [toProduct(record)];
    return this.data.products.filter((product) => product.style === record.style).map(toProduct);
  }

  async availability(sku: string): Promise<Availability | undefined> {
    const record = this.record(sku);
    if (!record) return undefined;
    if (record.stock === null) return { sku: record.sku, status: 'unknown', quantity: null, restockDate: record.restockDate };
    const quantity = Math.max(0, record.stock - (await this.changes.reserved(record.sku)));
    const status = quantity === 0 ? 'out_of_stock' : quantity <= this.lowStock ? 'low_stock' : 'in_stock';
    return { sku: record.sku, status, quantity, restockDate: quantity === 0 ? record.restockDate : null };
  }

  async returnEligibility(order: Order, now?: Instant): Promise<ReturnEligibility> {
    return returnEligibilityOf(order, this.data.shop, (sku) => this.record(sku), instant(now ?? this.clock.now()));
  }

  async canCancel(order: Order): Promise<RuleResult<DispatchBlockReason>> {
    return dispatchBlock(order);
  }

  async canChangeAddress(order: Order, address?: Address): Promise<RuleResult<DispatchBlockReason | 'different_country'>> {
    return addressChangeBlock(order, address);
  }

  async createReturn(request: ReturnRequest): Promise<ReturnAuthorization> {
    const key = checkIdempotencyKey(request.idempotencyKey);
    const body = parseRequest(requestSchemas.return, stripKey(request), 'return request');
    return this.write('return', key, body, body.orderNumber, async (order, now) => {
      const lines = checkReturnLines(order, body.items, await this.returnEligibility(order, now));
      const number = nextNumber('RMA', order.number, order.returns.map((rma) => rma.number));
      const logistics = this.logistics(order, number, now, body.method);
      const qty = lines.reduce((sum, line) => sum + line.qty, 0);
      const result: ReturnAuthorization = {
        number,
        orderNumber: order.number,
        status: 'authorized',
        method: body.method,
        reason: body.reason,
        items: lines,
        refundAmount: roundMoney(lines.reduce((sum, line) => sum + line.refundAmount, 0), order.currency),
        currency: order.currency,
        createdAt: new Date(now).toISOString(),
        ...logistics,
        instructions:
          body.method === 'pickup'
            ? `${logistics.label.carrier} collects the parcel (${qty} item${qty === 1 ? '' : 's'}) on ${logistics.pickupDate}; the courier brings the label. Write ${number} on the parcel.`
            : `Print the label, pack ${qty} item${qty === 1 ? '' : 's'} and hand the parcel to ${logistics.label.carrier} by ${logistics.handOverBy}. Write ${number} on the parcel.`,
      };
      return { result };
    });
  }

  async createExchange(request: ExchangeRequest): Promise<ExchangeAuthorization> {
    const key = checkIdempotencyKey(request.idempotencyKey);
    const body = parseRequest(requestSchemas.exchange, stripKey(request), 'exchange request');
    const sku = body.sku;
    const newSku = this.record(body.newSku)?.sku ?? body.newSku;
    return this.write('exchange', key, { ...body, sku, newSku }, body.orderNumber, async (order, now) => {
      checkExchange(
        order,
        { sku, newSku, qty: body.qty },
        await this.returnEligibility(order, now),
        this.record(sku),
        this.record(newSku),
        await this.availability(newSku),
      );
      const number = nextNumber('EXC', order.number, order.exchanges.map((exchange) => exchange.number));
      const { label, handOverBy } = this.logistics(order, number, now, 'drop_off');
      const result: ExchangeAuthorization = {
        number,
        orderNumber: order.number,
        status: 'authorized',
        sku,
        newSku,
        qty: body.qty,
        reason: body.reason ?? '',
        createdAt: new Date(now).toISOString(),
        handOverBy,
        label,
        instructions: `Send ${body.qty} × ${sku} back with the label by ${handOverBy}; ${newSku} ships as soon as ${label.carrier} scans the parcel. Write ${number} on the parcel.`,
      };
      return { result, reservedSku: newSku, reservedQty: body.qty };
    });
  }

  async cancelOrder(request: CancelRequest): Promise<Cancellation> {
    const key = checkIdempotencyKey(request.idempotencyKey);
    const body = parseRequest(requestSchemas.cancel, stripKey(request), 'cancel request');
    return this.write('cancellation', key, body, body.orderNumber, async (order, now) => {
      throwUnlessAllowed(dispatchBlock(order));
      const at = new Date(now).toISOString();
      // Refund what has not been refunded yet (a goodwill refund may already have gone out).
      const refunded = order.payment.refunds.filter((refund) => refund.status !== 'failed').reduce((sum, refund) => sum + refund.amount, 0);
      const amount = roundMoney(Math.max(0, order.total - refunded), order.currency);
      const refund: Refund | null = amount > 0 ? { amount, status: 'pending', createdAt: at, reason: 'order_cancelled' } : null;
      return { result: { orderNumber: order.number, status: 'cancelled', cancelledAt: at, refund, ...(body.reason ? { reason: body.reason } : {}) } };
    });
  }

  async changeShippingAddress(request: AddressChangeRequest): Promise<AddressChange> {
    const key = checkIdempotencyKey(request.idempotencyKey);
    const body = parseRequest(requestSchemas.address, stripKey(request), 'address change request');
    return this.write('address_change', key, body, body.orderNumber, async (order, now) => {
      throwUnlessAllowed(addressChangeBlock(order, body.address));
      return { result: { orderNumber: order.number, address: body.address as Address, changedAt: new Date(now).toISOString() } };
    });
  }

  /** SKUs match case-insensitively: dialogs may pass what a customer typed. */
  private record(sku: string): ProductRecord | undefined {
    return this.products.get(sku.trim().toUpperCase());
  }

  private async requireOrder(orderNumber: string): Promise<Order> {
    const order = await this.findOrder(orderNumber);
    if (!order) throw orderNotFound(normalizeOrderNumber(orderNumber));
    return order;
  }

  /**
   * One write: replay on a known key, else check the rules on the order as it stands and append under the
   * order's next sequence number. Losing that number to a concurrent write means re-reading and re-checking
   * (so two returns racing for the last unit cannot both win).
   */
  private async write<K extends ShopChangeKind>(
    kind: K,
    key: string,
    request: object,
    orderNumberInput: string,
    build: (order: Order, now: number) => Promise<{ result: ShopChangeResults[K]; reservedSku?: string; reservedQty?: number }>,
  ): Promise<ShopChangeResults[K]> {
    const orderNumber = normalizeOrderNumber(orderNumberInput);
    const print = fingerprint({ ...request, orderNumber });
    const replay = (change: ShopChangeRecord) => {
      if (change.fingerprint !== print) throw idempotencyConflict(kind.replace('_', ' '), key);
      return change.result as ShopChangeResults[K];
    };
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const known = await this.changes.byKey(kind, key);
      if (known) return replay(known);
      const base = this.orders.get(orderNumber);
      if (!base) throw orderNotFound(orderNumber);
      const changes = await this.changes.forOrder(orderNumber);
      const order = overlay(base, changes);
      const seq = changes.reduce((max, change) => Math.max(max, change.seq), 0) + 1;
      const now = this.clock.now();
      const built = await build(order, now);
      const outcome = await this.changes.append({
        id: `${orderNumber}#${seq}`,
        kind,
        idempotencyKey: `${kind}:${key}`,
        fingerprint: print,
        orderNumber,
        seq,
        reservedSku: built.reservedSku ?? null,
        reservedQty: built.reservedQty ?? 0,
        createdAt: new Date(now).toISOString(),
        result: built.result,
      } as Omit<ShopChangeRecord, 'version'>);
      if ('stored' in outcome) return built.result;
      if ('existing' in outcome) return replay(outcome.existing);
    }
    throw new MeridianError('shop_unavailable', `Order ${orderNumber} is being changed by many requests at once; try again in a moment.`, { status: 503 });
  }

  /** Label, hand-over day and pick-up day for a return or exchange; the carrier that delivered takes it back. */
  private logistics(order: Order, number: string, now: number, method: 'drop_off' | 'pickup'): { label: ReturnLabel; handOverBy: string; pickupDate: string | null } {
    const today = dateInZone(now, this.data.shop.timeZone);
    let pickup = addDays(today, 1);
    while (!isWeekday(pickup)) pickup = addDays(pickup, 1);
    return {
      label: returnLabel(this.data.shop, order, number),
      handOverBy: addDays(today, HAND_OVER_DAYS),
      pickupDate: method === 'pickup' ? pickup : null,
    };
  }
}

function instant(value: Instant): number {
  return typeof value === 'number' ? value : value.getTime();
}

function stripKey<T extends { idempotencyKey: string }>(request: T): Omit<T, 'idempotencyKey'> {
  const { idempotencyKey: _key, ...rest } = request;
  return rest;
}

function throwUnlessAllowed<R extends string>(rule: RuleResult<R>): void {
  if (!rule.allowed) throw new NotAllowedError(rule.reason, rule.message);
}

function toProduct(record: ProductRecord): Product {
  const { stock: _stock, restockDate: _restock, ...product } = record;
  return structuredClone(product);
}

/** `RMA-A1043-2`: the order's next free number of that kind. */
function nextNumber(prefix: string, orderNumber: string, taken: readonly string[]): string {
  let n = taken.length + 1;
  while (taken.includes(`${prefix}-${orderNumber}-${n}`)) n++;
  return `${prefix}-${orderNumber}-${n}`;
}

function returnLabel(shop: ShopFileInfo, order: Order, number: string): ReturnLabel {
  const carrier = order.shipments[0]?.carrier ?? 'DHL';
  const digits = BigInt(`0x${fingerprint(number).slice(0, 12)}`).toString().padStart(14, '0').slice(-12);
  const template = shop.returnLabelUrl ?? 'https://returns.example.com/labels/{rma}.pdf';
  return { carrier, trackingNumber: `RT${digits}`, url: template.replace('{rma}', encodeURIComponent(number)) };
}

/** The file's order with Meridian's changes applied, as a fresh copy the caller may keep. */
export function overlay(base: Order, changes: readonly ShopChangeRecord[]): Order {
  const order = structuredClone(base);
  for (const change of changes) {
    switch (change.kind) {
      case 'return':
        order.returns.push(structuredClone(change.result));
        break;
      case 'exchange':
        order.exchanges.push(structuredClone(change.result));
        break;
      case 'cancellation':
        order.status = 'cancelled';
        order.cancelledAt = change.result.cancelledAt;
        if (change.result.refund) order.payment.refunds.push(structuredClone(change.result.refund));
        break;
      case 'address_change':
        order.shippingAddress = structuredClone(change.result.address);
        break;
    }
  }
  return order;
}

export function refundStatusOf(order: Order): RefundStatus {
  const sum = (state: Refund['status']) => roundMoney(order.payment.refunds.filter((refund) => refund.status === state).reduce((total, refund) => total + refund.amount, 0), order.currency);
  return {
    orderNumber: order.number,
    currency: order.currency,
    total: order.total,
    refunded: sum('completed'),
    pending: sum('pending'),
    refunds: order.payment.refunds,
    awaitingReturn: order.returns
      .filter((rma) => rma.status === 'authorized' || rma.status === 'received')
      .map((rma) => ({ rma: rma.number, status: rma.status, amount: rma.refundAmount })),
  };
}
