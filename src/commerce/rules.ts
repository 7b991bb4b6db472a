/**
 * The after-sales rules as pure functions over an order, so FileShop, HttpShop and tests share one
 * definition of "returnable", "cancellable" and why not.
 */
import { NotAllowedError } from './errors.js';
import type {
  Address,
  Availability,
  DispatchBlockReason,
  ExchangeRequest,
  ItemBlockReason,
  ItemEligibility,
  Order,
  Product,
  ReturnBlockReason,
  ReturnEligibility,
  ReturnLine,
  RuleResult,
  ShopInfo,
} from './types.js';
import { addDays, dateInZone, daysBetween, startOfDayInZone } from './zoned-time.js';

/** What customers type (`#a1043`, `A 1043`) to the form the shop stores (`A1043`). */
export function normalizeOrderNumber(input: string): string {
  return input.trim().replace(/^#/, '').replace(/\s+/g, '').toUpperCase();
}

export function normalizeEmail(input: string): string {
  return input.trim().toLowerCase();
}

/** `+49 151 2345-6789`, `0049151…` → `+4915123456789`; a number without a country code stays digits only. */
export function normalizePhone(input: string): string {
  const trimmed = input.trim().replace(/^(tel|sms|whatsapp):/i, '');
  const digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  return digits;
}

const fractionDigits = new Map<string, number>();

/** Rounds to the currency's minor unit (2 for EUR, 0 for JPY). */
export function roundMoney(amount: number, currency: string): number {
  let digits = fractionDigits.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigits.set(currency, digits);
  }
  const factor = 10 ** digits;
  return Math.round(amount * factor + Number.EPSILON) / factor;
}

/** The product's name in the locale, falling back es-MX → es → en → any. */
export function localizedName(product: Pick<Product, 'name' | 'sku'>, locale: string): string {
  const names = product.name;
  // zh-TW, zh-HK and zh-MO read Traditional characters: look for zh-Hant before plain zh.
  const tag = locale.replace(/^zh-(TW|HK|MO)\b/i, 'zh-Hant');
  const parts = tag.split('-');
  for (let n = parts.length; n > 0; n--) {
    const candidate = names[parts.slice(0, n).join('-')];
    if (candidate) return candidate;
  }
  return names['en'] ?? Object.values(names)[0] ?? product.sku;
}

/** Cancel and address change share one rule: only before the warehouse hands the parcel to a carrier. */
export function dispatchBlock(order: Order): RuleResult<DispatchBlockReason> {
  if (order.status === 'cancelled') return { allowed: false, reason: 'order_cancelled', message: `Order ${order.number} is already cancelled.` };
  if (order.status === 'delivered') return { allowed: false, reason: 'delivered', message: `Order ${order.number} was already delivered.` };
  const dispatched = order.shipments.find((shipment) => shipment.status !== 'label_created');
  if (order.status !== 'processing' || dispatched) {
    return {
      allowed: false,
      reason: 'already_shipped',
      message: `Order ${order.number} has left the warehouse${dispatched ? ` (${dispatched.carrier} ${dispatched.trackingNumber} is ${dispatched.status.replace(/_/g, ' ')})` : ''}.`,
    };
  }
  return { allowed: true };
}

export function addressChangeBlock(order: Order, address?: Address): RuleResult<DispatchBlockReason | 'different_country'> {
  const dispatch = dispatchBlock(order);
  if (!dispatch.allowed) return dispatch;
  if (address && address.country.toUpperCase() !== order.shippingAddress.country.toUpperCase()) {
    return {
      allowed: false,
      reason: 'different_country',
      message: `Order ${order.number} was priced with duties and taxes for ${order.shippingAddress.country}; it cannot be redirected to ${address.country}.`,
    };
  }
  return { allowed: true };
}

/** Units per SKU already in a return or exchange that was not rejected. */
export function returnedQuantities(order: Order): Map<string, number> {
  const returned = new Map<string, number>();
  const add = (sku: string, qty: number) => returned.set(sku, (returned.get(sku) ?? 0) + qty);
  for (const rma of order.returns) if (rma.status !== 'rejected') for (const line of rma.items) add(line.sku, line.qty);
  for (const exchange of order.exchanges) if (exchange.status !== 'rejected') add(exchange.sku, exchange.qty);
  return returned;
}

/** Order lines merged by SKU (a shop may list the same SKU twice), keeping the first unit price. */
export function orderedQuantities(order: Pick<Order, 'items'>): Map<string, { qty: number; unitPrice: number }> {
  const lines = new Map<string, { qty: number; unitPrice: number }>();
  for (const item of order.items) {
    const line = lines.get(item.sku);
    if (line) line.qty += item.qty;
    else lines.set(item.sku, { qty: item.qty, unitPrice: item.unitPrice });
  }
  return lines;
}

const ITEM_MESSAGES: Record<ItemBlockReason, string> = {
  final_sale: 'is final sale and cannot be returned',
  already_returned: 'is already in a return or exchange',
  unknown_product: 'is not in the catalogue any more',
};

/**
 * Return eligibility: delivered, inside the window (counted in calendar days of the shop's zone from the
 * delivery date, open until midnight at the end of the last day), product returnable, units left.
 */
export function returnEligibilityOf(order: Order, info: ShopInfo, productOf: (sku: string) => Product | undefined, now: number): ReturnEligibility {
  let reason: ReturnBlockReason | null = null;
  let message: string | null = null;
  let deliveredOn: string | null = null;
  let lastDay: string | null = null;
  let closesAt: string | null = null;
  let daysLeft: number | null = null;

  if (order.status === 'cancelled') {
    reason = 'order_cancelled';
    message = `Order ${order.number} was cancelled: there is nothing to return.`;
  } else if (order.status !== 'delivered' || order.deliveredAt === null) {
    reason = 'not_delivered';
    message = `Order ${order.number} has not been delivered in full yet; returns open once it has arrived.`;
  } else {
    deliveredOn = dateInZone(Date.parse(order.deliveredAt), info.timeZone);
    lastDay = addDays(deliveredOn, info.returnWindowDays);
    const closes = startOfDayInZone(addDays(lastDay, 1), info.timeZone);
    closesAt = new Date(closes).toISOString();
    daysLeft = daysBetween(dateInZone(now, info.timeZone), lastDay);
    if (now >= closes) {
      reason = 'window_expired';
      message = `The ${info.returnWindowDays}-day return window of order ${order.number} closed at the end of ${lastDay} (${info.timeZone}); it was delivered on ${deliveredOn}.`;
    }
  }

  const returned = returnedQuantities(order);
  const items: ItemEligibility[] = [];
  for (const [sku, line] of orderedQuantities(order)) {
    const product = productOf(sku);
    const already = Math.min(returned.get(sku) ?? 0, line.qty);
    const remaining = line.qty - already;
    let itemReason: ItemBlockReason | null = null;
    if (!product) itemReason = 'unknown_product';
    else if (!product.returnable) itemReason = 'final_sale';
    else if (remaining <= 0) itemReason = 'already_returned';
    const returnable = reason === null && itemReason === null;
    items.push({
      sku,
      ordered: line.qty,
      returned: already,
      returnableQty: returnable ? remaining : 0,
      returnable,
      exchangeable: reason === null && product !== undefined && product.exchangeable && remaining > 0,
      reason: itemReason,
    });
  }

  if (reason === null && !items.some((item) => item.returnable)) {
    reason = 'nothing_returnable';
    message = `Nothing in order ${order.number} can be returned: ${items.map((item) => `${item.sku} ${ITEM_MESSAGES[item.reason ?? 'already_returned']}`).join('; ')}.`;
  }
  return { allowed: reason === null, reason, message, deliveredOn, lastDay, closesAt, daysLeft, items };
}

/** Merges request lines by SKU and checks them against the eligibility; returns the lines with refund amounts. */
export function checkReturnLines(order: Order, requested: readonly { sku: string; qty: number }[], eligibility: ReturnEligibility): ReturnLine[] {
  if (!eligibility.allowed) throw new NotAllowedError(eligibility.reason ?? 'nothing_returnable', eligibility.message ?? `Order ${order.number} cannot be returned.`);
  const merged = new Map<string, number>();
  for (const line of requested) merged.set(line.sku, (merged.get(line.sku) ?? 0) + line.qty);
  const ordered = orderedQuantities(order);
  const lines: ReturnLine[] = [];
  for (const [sku, qty] of merged) {
    const item = eligibility.items.find((candidate) => candidate.sku === sku);
    const line = ordered.get(sku);
    if (!item || !line) throw new NotAllowedError('not_in_order', `${sku} is not part of order ${order.number}.`, { sku });
    if (item.reason) throw new NotAllowedError(item.reason, `${sku} in order ${order.number} ${ITEM_MESSAGES[item.reason]}.`, { sku });
    if (qty > item.returnableQty) {
      throw new NotAllowedError(
        'quantity_exceeded',
        `Only ${item.returnableQty} of ${sku} in order ${order.number} can still be returned (${item.ordered} ordered, ${item.returned} already returned).`,
        { sku, returnableQty: item.returnableQty },
      );
    }
    lines.push({ sku, qty, refundAmount: roundMoney(line.unitPrice * qty, order.currency) });
  }
  return lines;
}

/** Exchanges: same window and units rules as returns, an exchangeable product, a variant of the same style in stock. */
export function checkExchange(
  order: Order,
  request: Pick<ExchangeRequest, 'sku' | 'newSku' | 'qty'>,
  eligibility: ReturnEligibility,
  product: Product | undefined,
  newProduct: Product | undefined,
  newAvailability: Availability | undefined,
): void {
  if (!eligibility.allowed && eligibility.reason !== 'nothing_returnable') {
    throw new NotAllowedError(eligibility.reason ?? 'not_delivered', eligibility.message ?? `Order ${order.number} cannot be exchanged.`);
  }
  const item = eligibility.items.find((candidate) => candidate.sku === request.sku);
  if (!item) throw new NotAllowedError('not_in_order', `${request.sku} is not part of order ${order.number}.`, { sku: request.sku });
  if (!product) throw new NotAllowedError('unknown_product', `${request.sku} is not in the catalogue any more.`, { sku: request.sku });
  if (!product.exchangeable) throw new NotAllowedError('not_exchangeable', `${request.sku} cannot be exchanged (it can only be returned, if at all).`, { sku: request.sku });
  const remaining = item.ordered - item.returned;
  if (remaining <= 0) throw new NotAllowedError('already_returned', `${request.sku} in order ${order.number} is already in a return or exchange.`, { sku: request.sku });
  if (request.qty > remaining) {
    throw new NotAllowedError('quantity_exceeded', `Only ${remaining} of ${request.sku} in order ${order.number} can still be exchanged.`, { sku: request.sku, remaining });
  }
  if (request.newSku === request.sku) throw new NotAllowedError('same_product', `The replacement is the same article (${request.sku}).`, { sku: request.sku });
  if (!newProduct) throw new NotAllowedError('unknown_sku', `There is no product ${request.newSku}.`, { newSku: request.newSku });
  if (product.style === null || product.style !== newProduct.style) {
    throw new NotAllowedError('different_product', `${request.newSku} is not a size or colour of ${request.sku}: exchanges stay within one article; return it and order the other one instead.`, {
      sku: request.sku,
      newSku: request.newSku,
    });
  }
  if (newAvailability && newAvailability.quantity !== null && newAvailability.quantity < request.qty) {
    throw new NotAllowedError('out_of_stock', `${request.newSku} is out of stock${newAvailability.restockDate ? ` until ${newAvailability.restockDate}` : ''}.`, {
      newSku: request.newSku,
      restockDate: newAvailability.restockDate,
    });
  }
}
