/**
 * The shape of a shop file and of the HTTP shop's JSON, as zod schemas. Objects are loose (fields this
 * schema does not name are kept) and every message says what is expected, so a broken file reads as
 * `commerce/demo-shop.json: orders[3].items[0].qty: expected a positive integer`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MeridianError } from '../core/errors.js';
import { normalizeEmail, normalizeOrderNumber, orderedQuantities, roundMoney } from './rules.js';
import type {
  AddressChange,
  Availability,
  Cancellation,
  Customer,
  ExchangeAuthorization,
  Order,
  Product,
  RefundStatus,
  ReturnAuthorization,
  Shipment,
  ShopInfo,
} from './types.js';
import { isTimeZone } from './zoned-time.js';

type Issue = { path: PropertyKey[]; message: string };

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 37)}..."` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** A zod error function: "missing (expected X)" for absent fields, "expected X, got Y" otherwise. */
const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `missing: expected ${what}` : `expected ${what}, got ${describeValue(issue.input)}`;

const text = (what = 'a non-empty string') => z.string({ error: expected(what) }).trim().min(1, { error: `expected ${what}` });
const positiveInt = z.number({ error: expected('a positive integer') }).int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' });
const money = z.number({ error: expected('an amount (a number such as 59.9)') }).nonnegative({ error: 'expected an amount of 0 or more' });

const CURRENCY = /^[A-Z]{3}$/;
const currency = z.string({ error: expected('an ISO 4217 currency code such as EUR') }).refine((value) => CURRENCY.test(value) && knownCurrency(value), {
  error: (issue) => `expected an ISO 4217 currency code such as EUR, got ${describeValue(issue.input)}`,
});
function knownCurrency(code: string): boolean {
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return true;
  } catch {
    return false;
  }
}

const country = z.string({ error: expected('an ISO 3166-1 alpha-2 country code such as DE') }).regex(/^[A-Z]{2}$/, {
  error: (issue) => `expected an ISO 3166-1 alpha-2 country code such as DE, got ${describeValue(issue.input)}`,
});

function isLocale(tag: string): boolean {
  try {
    return /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag) && Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}
const locale = z.string({ error: expected('a BCP 47 language tag such as de or es-MX') }).refine(isLocale, {
  error: (issue) => `expected a BCP 47 language tag such as de or es-MX, got ${describeValue(issue.input)}`,
});
const timeZone = z.string({ error: expected('an IANA time zone such as Europe/Berlin') }).refine(isTimeZone, {
  error: (issue) => `expected an IANA time zone such as Europe/Berlin, got ${describeValue(issue.input)}`,
});

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_HINT = 'an ISO 8601 date-time with a zone, such as 2026-11-10T14:05:00+01:00';
const instant = z.string({ error: expected(INSTANT_HINT) }).refine((value) => INSTANT.test(value) && !Number.isNaN(Date.parse(value)), {
  error: (issue) => `expected ${INSTANT_HINT}, got ${describeValue(issue.input)}`,
});
const calendarDate = z.string({ error: expected('a date such as 2026-11-29') }).refine((value) => DATE.test(value) && !Number.isNaN(Date.parse(value)), {
  error: (issue) => `expected a date such as 2026-11-29, got ${describeValue(issue.input)}`,
});
const dateOrInstant = z
  .string({ error: expected('a date (2026-11-29) or a date-time with a zone') })
  .refine((value) => (DATE.test(value) || INSTANT.test(value)) && !Number.isNaN(Date.parse(value)), {
    error: (issue) => `expected a date (2026-11-29) or a date-time with a zone, got ${describeValue(issue.input)}`,
  });

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => `expected one of ${values.join(', ')}${issue.input === undefined ? ' (missing)' : `, got ${describeValue(issue.input)}`}` });

const email = z.string({ error: expected('an e-mail address') }).trim().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, {
  error: (issue) => `expected an e-mail address, got ${describeValue(issue.input)}`,
});
const phone = z.string({ error: expected('a phone number in E.164 form such as +4915123456789') }).regex(/^\+[1-9]\d{6,14}$/, {
  error: (issue) => `expected a phone number in E.164 form such as +4915123456789, got ${describeValue(issue.input)}`,
});
const url = z.string({ error: expected('an http(s) URL') }).regex(/^https?:\/\/\S+$/, { error: (issue) => `expected an http(s) URL, got ${describeValue(issue.input)}` });

const list = <T extends z.ZodType>(item: T, what: string) => z.array(item, { error: expected(`a list of ${what}`) });
const loose = <T extends z.core.$ZodLooseShape>(shape: T, what: string) => z.looseObject(shape, { error: expected(what) });

export const SHIPMENT_STATUSES = ['label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception'] as const;
export const ORDER_STATUSES = ['processing', 'shipped', 'delivered', 'cancelled'] as const;

export const shopInfoSchema = loose(
  {
    name: text(),
    currency,
    returnWindowDays: z.number({ error: expected('a whole number of days') }).int({ error: 'expected a whole number of days' }).min(0, { error: 'expected 0 or more days' }),
    timeZone,
  },
  'an object with name, currency, returnWindowDays and timeZone',
);

export const customerSchema = loose(
  {
    id: text(),
    name: text(),
    email,
    phone: phone.nullable().default(null),
    country,
    locale,
    timeZone,
    tier: oneOf(['vip', 'standard']),
  },
  'a customer object',
);

const localizedText = z
  .record(locale, text(), { error: expected('an object of names per language, such as {"en": "Oxford shirt"}') })
  .refine((names) => Object.keys(names).length > 0, { error: 'expected at least one name, such as {"en": "Oxford shirt"}' });

const optionalText = text().nullable().default(null);

export const productSchema = loose(
  {
    sku: text(),
    name: localizedText,
    price: money,
    currency,
    returnable: z.boolean({ error: expected('true or false') }),
    exchangeable: z.boolean({ error: expected('true or false') }),
    style: optionalText,
    color: optionalText,
    size: optionalText,
    category: optionalText,
  },
  'a product object',
);

/** File-only product fields behind availability(). */
const stockFields = {
  stock: z.number({ error: expected('a whole number of units') }).int({ error: 'expected a whole number of units' }).min(0, { error: 'expected 0 or more units' }).nullable().default(null),
  restockDate: calendarDate.nullable().default(null),
};

export const addressSchema = loose(
  {
    name: text(),
    line1: text(),
    line2: text().optional(),
    city: text(),
    region: text().optional(),
    postalCode: text(),
    country,
  },
  'an address object with name, line1, city, postalCode and country',
);

const skuQty = loose({ sku: text(), qty: positiveInt }, 'an object with sku and qty');

export const trackingEventSchema = loose(
  { at: instant, status: oneOf(SHIPMENT_STATUSES), location: z.string({ error: expected('a place name (may be empty)') }), description: text() },
  'a tracking event with at, status, location and description',
);

export const shipmentSchema = loose(
  {
    id: text().optional(),
    carrier: text(),
    trackingNumber: text(),
    trackingUrl: url,
    status: oneOf(SHIPMENT_STATUSES),
    estimatedDelivery: dateOrInstant.nullable().default(null),
    items: list(skuQty, 'order lines (sku and qty)').nullable().default(null),
    events: list(trackingEventSchema, 'tracking events').default([]),
  },
  'a shipment object',
);

const refundSchema = loose(
  { amount: money, status: oneOf(['pending', 'completed', 'failed']), createdAt: instant, reason: text().optional() },
  'a refund with amount, status and createdAt',
);

const labelSchema = loose({ carrier: text(), trackingNumber: text(), url }, 'a label with carrier, trackingNumber and url');

export const returnSchema = loose(
  {
    number: text(),
    orderNumber: text().optional(),
    status: oneOf(['authorized', 'received', 'refunded', 'rejected']),
    method: oneOf(['drop_off', 'pickup']).default('drop_off'),
    reason: z.string({ error: expected('a reason (may be empty)') }).default(''),
    items: list(loose({ sku: text(), qty: positiveInt, refundAmount: money.optional() }, 'a return line with sku and qty'), 'return lines').min(1, {
      error: 'expected at least one returned line',
    }),
    refundAmount: money.optional(),
    currency: currency.optional(),
    createdAt: instant,
    handOverBy: calendarDate.nullable().default(null),
    pickupDate: calendarDate.nullable().default(null),
    label: labelSchema.nullable().default(null),
    instructions: text().nullable().default(null),
  },
  'a return object',
);

export const exchangeSchema = loose(
  {
    number: text(),
    orderNumber: text().optional(),
    status: oneOf(['authorized', 'received', 'shipped', 'rejected']),
    sku: text(),
    newSku: text(),
    qty: positiveInt,
    reason: z.string({ error: expected('a reason (may be empty)') }).default(''),
    createdAt: instant,
    handOverBy: calendarDate.nullable().default(null),
    label: labelSchema.nullable().default(null),
    instructions: text().nullable().default(null),
  },
  'an exchange object',
);

export const orderSchema = loose(
  {
    number: text(),
    customerId: text(),
    status: oneOf(ORDER_STATUSES),
    placedAt: instant,
    currency,
    total: money,
    items: list(loose({ sku: text(), qty: positiveInt, unitPrice: money }, 'an order line with sku, qty and unitPrice'), 'order lines').min(1, {
      error: 'expected at least one order line',
    }),
    shippingAddress: addressSchema,
    shipments: list(shipmentSchema, 'shipments').default([]),
    deliveredAt: instant.nullable().default(null),
    cancelledAt: instant.nullable().default(null),
    payment: loose({ method: text(), refunds: list(refundSchema, 'refunds').default([]) }, 'a payment object with method and refunds').default({
      method: 'unknown',
      refunds: [],
    }),
    returns: list(returnSchema, 'returns').default([]),
    exchanges: list(exchangeSchema, 'exchanges').default([]),
  },
  'an order object',
).superRefine((order, ctx) => {
  // Rules that tie fields together; the rules module relies on them.
  if (order.status === 'delivered' && order.deliveredAt === null) ctx.addIssue({ code: 'custom', path: ['deliveredAt'], message: 'missing: expected the delivery date-time when status is delivered' });
  if (order.status !== 'delivered' && order.deliveredAt !== null) {
    ctx.addIssue({ code: 'custom', path: ['deliveredAt'], message: `expected null while status is ${order.status} (set status to delivered, or remove deliveredAt)` });
  }
  if (order.status !== 'cancelled' && order.cancelledAt !== null) ctx.addIssue({ code: 'custom', path: ['cancelledAt'], message: `expected null while status is ${order.status}` });
  if (order.status === 'shipped' && order.shipments.length === 0) ctx.addIssue({ code: 'custom', path: ['shipments'], message: 'expected at least one shipment when status is shipped' });
});

export const shopFileSchema = loose(
  {
    shop: shopInfoSchema,
    customers: list(customerSchema, 'customers'),
    products: list(productSchema.extend(stockFields), 'products'),
    orders: list(orderSchema, 'orders'),
  },
  'an object with shop, customers, products and orders',
);

export interface ProductRecord extends Product {
  stock: number | null;
  restockDate: string | null;
}

export interface ShopFileInfo extends ShopInfo {
  /** Where return labels are downloaded, `{rma}` replaced by the RMA number. */
  returnLabelUrl?: string;
}

/** A validated, normalised shop file. */
export interface ShopData {
  shop: ShopFileInfo;
  customers: Customer[];
  products: ProductRecord[];
  orders: Order[];
}

/** `orders[3].items[0].qty` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(top level)';
}

function invalid(source: string, issues: readonly Issue[]): MeridianError {
  const shown = issues.slice(0, 25).map((issue) => `${source}: ${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > shown.length) shown.push(`${source}: ... and ${issues.length - shown.length} more problems`);
  return new MeridianError('shop_invalid', shown.join('\n'), {
    details: { file: source, issues: issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })) },
  });
}

type ParsedOrder = z.output<typeof orderSchema>;

/** Fills what a file may leave out (shipment ids, return amounts) so every reader sees complete orders. */
export function normalizeOrder(parsed: ParsedOrder): Order {
  const number = normalizeOrderNumber(parsed.number);
  const prices = orderedQuantities(parsed);
  const shipments: Shipment[] = parsed.shipments.map((shipment, index) => ({
    ...shipment,
    id: shipment.id ?? `${number}-${index + 1}`,
    events: [...shipment.events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
  }));
  const returns: ReturnAuthorization[] = parsed.returns.map((rma) => {
    const items = rma.items.map((line) => ({
      ...line,
      refundAmount: line.refundAmount ?? roundMoney((prices.get(line.sku)?.unitPrice ?? 0) * line.qty, parsed.currency),
    }));
    return {
      ...rma,
      orderNumber: number,
      currency: rma.currency ?? parsed.currency,
      items,
      refundAmount: rma.refundAmount ?? roundMoney(items.reduce((sum, line) => sum + line.refundAmount, 0), parsed.currency),
    };
  });
  const exchanges: ExchangeAuthorization[] = parsed.exchanges.map((exchange) => ({ ...exchange, orderNumber: number }));
  return { ...parsed, number, shipments, returns, exchanges };
}

/** Cross-record checks zod cannot see: unique keys and references between customers, products and orders. */
function referenceIssues(data: z.output<typeof shopFileSchema>): Issue[] {
  const issues: Issue[] = [];
  const firstIndex = <T>(items: readonly T[], key: (item: T) => string, section: string, field: string, what: string) => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const value = key(item);
      const first = seen.get(value);
      if (first !== undefined) issues.push({ path: [section, index, field], message: `duplicate ${what} "${value}" (also ${section}[${first}])` });
      else seen.set(value, index);
    });
    return seen;
  };
  const customers = firstIndex(data.customers, (c) => c.id, 'customers', 'id', 'customer id');
  firstIndex(data.customers, (c) => normalizeEmail(c.email), 'customers', 'email', 'e-mail address');
  const products = firstIndex(data.products, (p) => p.sku.toUpperCase(), 'products', 'sku', 'SKU');
  firstIndex(data.orders, (o) => normalizeOrderNumber(o.number), 'orders', 'number', 'order number');
  const rmas = new Map<string, string>();

  data.orders.forEach((order, o) => {
    if (!customers.has(order.customerId)) issues.push({ path: ['orders', o, 'customerId'], message: `unknown customer "${order.customerId}" (not in customers)` });
    const ordered = new Map<string, number>();
    order.items.forEach((item, i) => {
      if (!products.has(item.sku.toUpperCase())) issues.push({ path: ['orders', o, 'items', i, 'sku'], message: `unknown product "${item.sku}" (not in products)` });
      ordered.set(item.sku, (ordered.get(item.sku) ?? 0) + item.qty);
    });
    const inOrder = (sku: string, path: PropertyKey[]) => {
      if (!ordered.has(sku)) issues.push({ path, message: `"${sku}" is not one of this order's items` });
    };
    order.shipments.forEach((shipment, s) => shipment.items?.forEach((line, l) => inOrder(line.sku, ['orders', o, 'shipments', s, 'items', l, 'sku'])));
    const returned = new Map<string, number>();
    order.returns.forEach((rma, r) => {
      const elsewhere = rmas.get(rma.number);
      if (elsewhere) issues.push({ path: ['orders', o, 'returns', r, 'number'], message: `duplicate return number "${rma.number}" (also in order ${elsewhere})` });
      rmas.set(rma.number, order.number);
      rma.items.forEach((line, l) => {
        inOrder(line.sku, ['orders', o, 'returns', r, 'items', l, 'sku']);
        if (rma.status !== 'rejected') returned.set(line.sku, (returned.get(line.sku) ?? 0) + line.qty);
      });
    });
    order.exchanges.forEach((exchange, x) => {
      inOrder(exchange.sku, ['orders', o, 'exchanges', x, 'sku']);
      if (!products.has(exchange.newSku.toUpperCase())) issues.push({ path: ['orders', o, 'exchanges', x, 'newSku'], message: `unknown product "${exchange.newSku}" (not in products)` });
      if (exchange.status !== 'rejected') returned.set(exchange.sku, (returned.get(exchange.sku) ?? 0) + exchange.qty);
    });
    for (const [sku, qty] of returned) {
      const max = ordered.get(sku);
      if (max !== undefined && qty > max) issues.push({ path: ['orders', o, 'returns'], message: `${qty} units of ${sku} are returned or exchanged but only ${max} were ordered` });
    }
  });
  return issues;
}

/** Validates parsed JSON as a shop file; `source` names it in error messages. Throws `shop_invalid`. */
export function parseShopData(raw: unknown, source: string): ShopData {
  const result = shopFileSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw invalid(source, result.error.issues);
  const issues = referenceIssues(result.data);
  if (issues.length > 0) throw invalid(source, issues);
  const data = result.data;
  return {
    shop: data.shop,
    customers: data.customers,
    products: data.products,
    orders: data.orders.map(normalizeOrder),
  };
}

/** Reads and validates a shop file; `shown` is how the file is named in errors (relative to the working folder). */
export function loadShopFile(file: string, shown = file): ShopData {
  let textContent: string;
  try {
    textContent = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new MeridianError(
      'shop_unreadable',
      `${shown}: cannot read the shop file (${code}). Set MERIDIAN_SHOP_FILE to a shop file, or restore ${shown} (the demo shop ships as commerce/demo-shop.json).`,
      { cause, details: { file: shown } },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(textContent);
  } catch (cause) {
    throw new MeridianError('shop_invalid', `${shown}: not valid JSON: ${describeJsonError(cause, textContent)}`, { cause, details: { file: shown } });
  }
  return parseShopData(raw, shown);
}

/** Node says "at position 1234"; people want a line and column. */
function describeJsonError(cause: unknown, source: string): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const position = /at position (\d+)/.exec(message);
  if (!position) return message;
  const before = source.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message.replace(/\s*(in JSON )?at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

// The HTTP shop validates what a back end answers with these, so a contract break is caught at the edge.
export const wire = {
  info: shopInfoSchema,
  customer: customerSchema,
  customers: loose({ customers: list(customerSchema, 'customers') }, 'an object with customers'),
  order: orderSchema,
  orders: loose({ orders: list(orderSchema, 'orders') }, 'an object with orders'),
  shipments: loose({ shipments: list(shipmentSchema, 'shipments') }, 'an object with shipments'),
  product: productSchema,
  products: loose({ products: list(productSchema, 'products') }, 'an object with products'),
  availability: loose(
    {
      sku: text(),
      status: oneOf(['in_stock', 'low_stock', 'out_of_stock', 'unknown']),
      quantity: z.number({ error: expected('a whole number of units or null') }).int().min(0).nullable().default(null),
      restockDate: calendarDate.nullable().default(null),
    },
    'an availability object',
  ),
  refundStatus: loose(
    {
      orderNumber: text(),
      currency,
      total: money,
      refunded: money,
      pending: money,
      refunds: list(refundSchema, 'refunds'),
      awaitingReturn: list(loose({ rma: text(), status: oneOf(['authorized', 'received', 'refunded', 'rejected']), amount: money }, 'a pending return'), 'pending returns').default([]),
    },
    'a refund status object',
  ),
  returnAuthorization: returnSchema,
  exchange: exchangeSchema,
  cancellation: loose(
    { orderNumber: text(), status: z.literal('cancelled', { error: expected('"cancelled"') }), cancelledAt: instant, refund: refundSchema.nullable().default(null), reason: z.string().optional() },
    'a cancellation object',
  ),
  addressChange: loose({ orderNumber: text(), address: addressSchema, changedAt: instant }, 'an address change object'),
} as const;

// Compile-time proof that the schemas produce the port's types (a drift fails `tsc`).
type Assignable<T, U extends T> = U;
export type _SchemaMatchesTypes = [
  Assignable<ShopInfo, z.output<typeof shopInfoSchema>>,
  Assignable<Customer, z.output<typeof customerSchema>>,
  Assignable<Product, z.output<typeof productSchema>>,
  Assignable<Availability, z.output<(typeof wire)['availability']>>,
  Assignable<RefundStatus, z.output<(typeof wire)['refundStatus']>>,
  Assignable<Cancellation, z.output<(typeof wire)['cancellation']>>,
  Assignable<AddressChange, z.output<(typeof wire)['addressChange']>>,
];

/** Request bodies of the writes, shared by FileShop (argument checks) and the HTTP contract. */
export const requestSchemas = {
  return: loose(
    {
      orderNumber: text(),
      items: list(skuQty, 'lines to return (sku and qty)').min(1, { error: 'expected at least one line to return' }),
      reason: z.string({ error: expected('a reason') }).trim().max(500, { error: 'expected at most 500 characters' }),
      method: oneOf(['drop_off', 'pickup']),
    },
    'a return request',
  ),
  exchange: loose({ orderNumber: text(), sku: text(), qty: positiveInt, newSku: text(), reason: z.string().trim().max(500).optional() }, 'an exchange request'),
  cancel: loose({ orderNumber: text(), reason: z.string().trim().max(500).optional() }, 'a cancel request'),
  address: loose({ orderNumber: text(), address: addressSchema }, 'an address change request'),
} as const;

/** Checks a write's arguments; throws `invalid_request` naming the field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new MeridianError('invalid_request', `Invalid ${what}: ${problems.join('; ')}`, { status: 400, details: { problems } });
}

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function checkIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw new MeridianError('invalid_request', 'idempotencyKey: expected 1 to 255 visible ASCII characters (use ctx.idempotencyKey, plus a suffix per write in one turn)', {
      status: 400,
    });
  }
  return key;
}
