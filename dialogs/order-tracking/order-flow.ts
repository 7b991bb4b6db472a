import type { Customer, Order } from '../../src/commerce/types.js';
import type { Button, Step, StepContext, TurnContext } from '../../src/index.js';
import { createFormatter, humanButton, localizedName, NotAllowedError, parsers, yesNoButtons } from '../../src/index.js';
import type { Formatter } from '../../src/i18n/format.js';
import { orderSteps, provenCustomer, shopOf } from '../shared/orders.js';

/**
 * What the four order flows (tracking, refund status, cancel, change address) share on top of
 * dialogs/shared/orders.ts: offering the customer's own recent orders when the channel proves who they
 * are, a lookup that survives unknown order numbers, and formatting in the customer's locale and zone.
 */

/** Orders offered as buttons (WhatsApp shows three reply buttons). */
const MAX_CHOICES = 3;

export interface FindOrderOptions {
  /** The step that shows the verified order (ctx.values.order holds its number). */
  next: string;
  /** Catalog key of "which order?" (asked when nothing is known). */
  askKey: string;
  /** Catalog key of "which of these orders?" (asked with the customer's recent orders as buttons). */
  pickKey: string;
  /** Catalog key of a button title, with {order} and {date}. */
  choiceKey: string;
  /** Which of the customer's orders make sense for this flow (newest first); default: all. */
  candidates?(orders: Order[]): Order[];
}


/**
 * Steps `start` (offer the customer's recent orders when the channel proves who they are), `order`
 * (ask, prefilled from the message) and `lookup` (find, verify, continue at `next`). Start the dialog at
 * 'start'.
 */
export function findOrderSteps(options: FindOrderOptions): Record<'start' | 'order' | 'lookup', Step> {
  const shared = orderSteps({ next: options.next, askKey: options.askKey });
  return {
    async start(ctx: StepContext) {
      if (parsers.orderNumber(ctx) !== undefined) return ctx.goto('order');
      const customer = await provenCustomer(ctx);
      if (!customer) return ctx.goto('order');
      const orders = await shopOf(ctx).ordersOfCustomer(customer.id);
      const offered = (options.candidates ? options.candidates(orders) : orders).slice(0, MAX_CHOICES);
      if (offered.length === 0) return ctx.goto('order');
      const format = formatterOf(ctx, customer);
      const buttons: Button[] = offered.map((order) => ({
        title: ctx.t(options.choiceKey, { order: order.number, date: format.date(order.placedAt, 'medium') }),
        value: order.number,
      }));
      ctx.ask(ctx.t(options.pickKey), buttons);
      // The choice middleware turns a button (or its number on SMS) into the order number; `order` parses it.
      return ctx.wait('order');
    },
    order: shared.order,
    // Unknown numbers are asked again (and a person offered) by the shared step.
    lookup: shared.lookup,
  };
}

/** The order found by `lookup`; it exists (lookup checked), unless it vanished from the shop since. */
export async function verifiedOrder(ctx: StepContext): Promise<Order | undefined> {
  return shopOf(ctx).findOrder(String(ctx.values['order']));
}

/**
 * Dates and money for this customer: the conversation's language, refined by the customer's regional
 * variant when it is the same language (en-GB writes 27/11/2026, pt-BR R$), and their time zone.
 */
export function formatterOf(ctx: TurnContext, customer: Customer | undefined): Formatter {
  const base = (tag: string) => tag.split('-')[0]?.toLowerCase();
  const locale = customer && base(customer.locale) === base(ctx.locale) && customer.locale.includes('-') ? customer.locale : ctx.locale;
  return createFormatter(locale, customer?.timeZone ?? ctx.customer.timeZone ?? 'UTC');
}

export async function formatterForOrder(ctx: TurnContext, order: Order): Promise<Formatter> {
  return formatterOf(ctx, await shopOf(ctx).findCustomer({ id: order.customerId }));
}

/** A calendar date (YYYY-MM-DD) shown as the same day everywhere; an instant in the customer's zone. */
export function formatDay(format: Formatter, value: string, style: 'full' | 'long' | 'medium' = 'medium'): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return createFormatter(format.locale, 'UTC').date(`${value}T00:00:00Z`, style);
  return format.date(value, style);
}

/** The calendar day of a date or instant in the formatter's zone, as YYYY-MM-DD. */
export function dayOf(format: Formatter, value: string | number): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  return new Intl.DateTimeFormat('en-CA', { timeZone: format.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(value));
}

/** Yes/no buttons whose values the yes/no parser reads in any language. */
// The buttons the order flows share come from the dialog kit.
export { humanButton, yesNoButtons };

/** How long a refund takes for a payment method: `refund.timing.<method>`, else the general sentence. */
export function refundTiming(ctx: TurnContext, method: string): string {
  const key = `refund.timing.${method.toLowerCase()}`;
  const sentence = ctx.t(key);
  return sentence === key ? ctx.t('refund.timing.other') : sentence;
}

/**
 * "Oxford shirt, blue, M; 2 × Socks" in the customer's language. Product names contain commas, so the
 * flow's catalog gives the separator (`<flow>.item_separator`) and the quantity form (`<flow>.item_qty`).
 */
export async function itemList(ctx: TurnContext, items: readonly { sku: string; qty: number }[], flow: string, format: Formatter): Promise<string> {
  // Names follow the conversation's script (zh vs zh-Hant) and otherwise the customer's variant (pt-PT).
  const nameLocale = ctx.locale.includes('-') || ctx.locale.startsWith('zh') ? ctx.locale : format.locale;
  const names: string[] = [];
  for (const item of items) {
    const product = await shopOf(ctx).product(item.sku);
    const name = product ? localizedName(product, nameLocale) : item.sku;
    names.push(item.qty > 1 ? ctx.t(`${flow}.item_qty`, { name, qty: item.qty }) : name);
  }
  return names.join(ctx.t(`${flow}.item_separator`));
}

/** The reason code of a refused shop write, or undefined for any other error. */
export function refusal(error: unknown): string | undefined {
  return error instanceof NotAllowedError ? error.reason : undefined;
}
