import type { Customer, Order, Shop } from '../../src/commerce/types.js';
import type { Dialog, Step, StepContext, TurnContext } from '../../src/index.js';
import { humanButton, MeridianError, offerHuman, parsers, prompt } from '../../src/index.js';
import { createFormatter, type Formatter } from '../../src/i18n/format.js';
import { channelContactOf } from '../../src/identity/middleware.js';
import { linkIdentity } from '../../src/identity/profiles.js';

/**
 * What every order dialog shares: asking for the order number (filled from the message when the
 * customer already said it), finding the order, and proving the customer may see it before anything
 * about it is shown.
 */

export const VERIFY_DIALOG = 'verify-order';

export function shopOf(ctx: TurnContext): Shop {
  const shop = ctx.services.shop;
  if (!shop) throw new MeridianError('dialog_error', 'this dialog needs a shop: configure services.shop (the file-backed demo shop is the default)');
  return shop;
}

/** Formats dates and money for this customer: their language, and their time zone when known. */
export function formatterFor(ctx: TurnContext, timeZone?: string): Formatter {
  return createFormatter(ctx.locale, timeZone ?? ctx.customer.timeZone ?? 'UTC');
}

function digits(phone: string): string {
  return phone.replace(/[^\d]/g, '');
}

/** The contact the channel itself vouches for: the WhatsApp/SMS/voice number or the e-mail address. */
export function channelContact(ctx: TurnContext): { phone: string } | { email: string } | undefined {
  return channelContactOf(ctx.activity.channel, ctx.activity.address);
}

/**
 * The shop customer this identity is proven to be: its linked profile's (any proof, on any channel),
 * else the one the channel's phone or e-mail belongs to.
 */
export async function provenCustomer(ctx: TurnContext): Promise<Customer | undefined> {
  const linked = ctx.customer.shopCustomerId;
  if (linked) return shopOf(ctx).findCustomer({ id: linked });
  const contact = channelContact(ctx);
  return contact ? shopOf(ctx).findCustomer(contact) : undefined;
}

/** Links this identity to the shop customer it just proved to be (order number + e-mail, a one-time code). */
export async function linkProven(ctx: TurnContext, customer: Customer, method: 'order_email' | 'one_time_code'): Promise<void> {
  try {
    ctx.customer = await linkIdentity(ctx.stores, { address: ctx.activity.address, shopCustomer: customer, method, by: 'customer', clock: ctx.clock, conversationId: ctx.conversation.id });
  } catch (error) {
    // Already linked to another customer: the proof still opens this order, the profiles stay apart.
    if (!(error instanceof MeridianError && error.code === 'identity_conflict')) throw error;
    ctx.log.warn('proof for a second customer on a linked identity; not linked');
  }
}

/** The channel identity itself proves ownership: the WhatsApp/SMS/voice number or the e-mail address on file. */
export function channelProvesOwnership(ctx: TurnContext, customer: Customer): boolean {
  const contact = channelContact(ctx);
  if (contact && 'phone' in contact) return customer.phone !== null && digits(contact.phone) === digits(customer.phone);
  if (contact) return contact.email.toLowerCase() === customer.email.toLowerCase();
  return false;
}

function verifiedList(ctx: TurnContext): string[] {
  const list = ctx.conversation.data['verifiedOrders'];
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
}

export function markVerified(ctx: TurnContext, orderNumber: string): void {
  ctx.conversation.data['verifiedOrders'] = [...new Set([...verifiedList(ctx), orderNumber])].slice(-20);
}

/** Whether this conversation may see the order: proven by the channel, or by the e-mail or postal code given earlier. */
export async function mayView(ctx: TurnContext, order: Order): Promise<boolean> {
  if (verifiedList(ctx).includes(order.number)) return true;
  // A profile proven on any channel sees its own orders everywhere.
  if (ctx.customer.shopCustomerId !== undefined && ctx.customer.shopCustomerId === order.customerId) return true;
  const customer = await shopOf(ctx).findCustomer({ id: order.customerId });
  if (customer && channelProvesOwnership(ctx, customer)) {
    markVerified(ctx, order.number);
    return true;
  }
  return false;
}

function normalizedPostalCode(text: string): string {
  return text.replace(/[\s-]/g, '').toUpperCase();
}

/** Asks for the e-mail address or postal code on the order; values.order is set by the dialog that begins it. */
export const verifyOrderDialog: Dialog = {
  id: VERIFY_DIALOG,
  version: 1,
  start: 'proof',
  steps: {
    proof: prompt({
      slot: 'proof',
      maxRetries: 2,
      ask: (ctx) => ctx.say(ctx.t('orders.verify_ask', { order: String(ctx.values['order']) })),
      parse: (ctx) => parsers.freeText(ctx),
      then: async (ctx, proof) => {
        const order = await shopOf(ctx).findOrder(String(ctx.values['order']));
        const customer = order ? await shopOf(ctx).findCustomer({ id: order.customerId }) : undefined;
        const email = parsers.email(ctx);
        const matches =
          order !== undefined &&
          customer !== undefined &&
          ((email !== undefined && email === customer.email.toLowerCase()) || normalizedPostalCode(proof) === normalizedPostalCode(order.shippingAddress.postalCode));
        if (matches && order) {
          markVerified(ctx, order.number);
          // The e-mail on the order proves the account, not just the order: link the identity to it.
          if (email !== undefined && customer) await linkProven(ctx, customer, 'order_email');
          ctx.say(ctx.t('orders.verify_ok'));
          return ctx.end();
        }
        delete ctx.values['proof'];
        if (ctx.retries >= 2) {
          ctx.ask(ctx.t('orders.verify_failed'), [humanButton(ctx)]);
          // Forget the order so the calling dialog asks again instead of showing it.
          ctx.conversation.data['verificationFailed'] = String(ctx.values['order']);
          return ctx.end();
        }
        ctx.say(ctx.t('orders.verify_mismatch'));
        return ctx.retry();
      },
    }),
  },
};

/** Unknown order numbers before a person is offered. */
const MAX_NOT_FOUND = 2;

export interface OrderStepsOptions {
  /** The step to go to once the order is found and the customer verified; the order is in values.order. */
  next: string;
  /** Catalog key of the question, e.g. 'tracking.ask_order'. */
  askKey: string;
}

/**
 * Steps `order` (ask, prefilled from the message) and `lookup` (find, verify, continue at `next`).
 * Spread them into a dialog's steps and start the dialog at 'order'.
 */
export function orderSteps(options: OrderStepsOptions): Record<'order' | 'lookup', Step> {
  return {
    order: prompt({
      slot: 'order',
      ask: (ctx) => ctx.say(ctx.t(options.askKey)),
      parse: parsers.orderNumber,
      prefill: parsers.orderNumber,
      invalid: (ctx) => ctx.say(ctx.t('orders.number_invalid')),
      then: (ctx) => ctx.goto('lookup'),
    }),
    lookup: Object.assign(async (ctx: StepContext) => {
      const number = String(ctx.values['order']);
      if (ctx.conversation.data['verificationFailed'] === number) {
        delete ctx.conversation.data['verificationFailed'];
        return ctx.end();
      }
      const order = await shopOf(ctx).findOrder(number);
      if (!order) {
        delete ctx.values['order'];
        ctx.say(ctx.t('orders.not_found', { order: number }));
        // Wait for a new number (re-entering `order` would read the same one from this message again);
        // after a few misses the customer can also pick a person or start over.
        const misses = (typeof ctx.values['misses'] === 'number' ? ctx.values['misses'] : 0) + 1;
        ctx.values['misses'] = misses;
        if (misses > MAX_NOT_FOUND) offerHuman(ctx);
        return ctx.wait('order');
      }
      ctx.values['order'] = order.number;
      if (!(await mayView(ctx, order))) return ctx.begin(VERIFY_DIALOG, { order: order.number }, 'lookup');
      return ctx.goto(options.next);
    }, { leadsTo: [options.next] }),
  };
}
