import type { Order } from '../../src/commerce/types.js';
import type { Button, Dialog, StepContext, TurnContext } from '../../src/index.js';
import { parsers, prompt, recordCase } from '../../src/index.js';
import { shopOf } from '../shared/orders.js';
import {
  findOrderSteps,
  formatterForOrder,
  humanButton,
  itemList,
  refundTiming,
  refusal,
  verifiedOrder,
  yesNoButtons,
} from '../order-tracking/order-flow.js';

/**
 * "Cancel my order": after the customer is verified, an order that has not left the warehouse is
 * cancelled once they confirm, and they hear what happens to their money. Otherwise they hear why not
 * and what they can do instead (track it, return it once delivered).
 */

const TRIGGERS: readonly RegExp[] = [
  // en
  /\bcancel\b.*\b(?:order|purchase)|\b(?:order|purchase)\b.*\bcancel\b|\bcancel(?:ling|ing)? (?:it|my order)/i,
  // es
  /(?:cancelar|anular) (?:mi |el |la |este |ese )?(?:pedido|compra|orden)|(?:pedido|compra).*(?:cancelar|anular)/i,
  // fr
  /annuler (?:ma |la |cette )?commande|annulation (?:de )?(?:ma |la )?commande|commande.*annuler/i,
  // de
  /(?:bestellung|auftrag).*(?:stornieren|storno|abbrechen|zur[üu]ckziehen)|stornier|\bstorno\b/i,
  // ja
  /(?:注文|オーダー).*(?:キャンセル|取り消|取消)|キャンセルしたい/,
  // it
  /(?:annullare|annulla|cancellare|disdire) (?:il mio |l'|l’|quest'|questo )?ordine|ordine.*(?:annullare|cancellare)/i,
  // pt
  /cancelar (?:o |meu |o meu |a |minha |a minha |esse |este )?(?:pedido|encomenda|compra)|(?:pedido|encomenda).*cancelar/i,
  // zh
  /取消.*(?:订单|訂單)|(?:订单|訂單).*取消|我要取消/,
];

export function wantsCancel(ctx: TurnContext): boolean {
  return TRIGGERS.some((pattern) => pattern.test(ctx.text));
}

/** A button that asks the tracking dialog for this order (its trigger reads "track" and the number). */
function trackButton(ctx: StepContext, order: Order): Button {
  return { title: ctx.t('cancel.track_button'), value: `track ${order.number}` };
}

/** Why the order cannot be cancelled, and what the customer can do instead. */
async function explainRefusal(ctx: StepContext, order: Order, reason: string): Promise<void> {
  const format = await formatterForOrder(ctx, order);
  const days = (await shopOf(ctx).info()).returnWindowDays;
  switch (reason) {
    case 'order_cancelled':
      ctx.say(ctx.t('cancel.already_cancelled', { order: order.number, date: format.date(order.cancelledAt ?? order.placedAt, 'long') }));
      return;
    case 'already_shipped':
      ctx.ask(ctx.t('cancel.already_shipped', { order: order.number, days }), [trackButton(ctx, order)]);
      return;
    case 'delivered':
      ctx.say(ctx.t('cancel.delivered', { order: order.number, date: format.date(order.deliveredAt ?? order.placedAt, 'long'), days }));
      return;
    default:
      ctx.ask(ctx.t('cancel.refused', { order: order.number }), [humanButton(ctx)]);
  }
}

/** What the confirmation names: the items and the total, kept so the question can be asked again after an interruption. */
async function confirmDetails(ctx: StepContext, order: Order): Promise<{ items: string; total: string }> {
  const format = await formatterForOrder(ctx, order);
  return { items: await itemList(ctx, order.items, 'cancel', format), total: format.money(order.total, order.currency) };
}

function askConfirm(ctx: StepContext): void {
  const details = ctx.values['details'];
  const vars = typeof details === 'object' && details !== null && !Array.isArray(details) ? details : {};
  ctx.ask(
    ctx.t('cancel.confirm', { order: String(ctx.values['order']), items: String(vars['items'] ?? ''), total: String(vars['total'] ?? '') }),
    yesNoButtons(ctx, 'cancel.yes_button', 'cancel.no_button'),
  );
}

export const cancelOrderDialog: Dialog = {
  id: 'cancel-order',
  version: 1,
  start: 'start',
  intents: ['cancel_order'],
  triggers: wantsCancel,
  steps: {
    ...findOrderSteps({
      next: 'check',
      askKey: 'cancel.ask_order',
      pickKey: 'cancel.pick_order',
      choiceKey: 'cancel.order_choice',
      // Only orders that are still being prepared can be cancelled.
      candidates: (orders) => orders.filter((order) => order.status === 'processing'),
    }),
    async check(ctx) {
      const order = await verifiedOrder(ctx);
      if (!order) return ctx.goto('order');
      const rule = await shopOf(ctx).canCancel(order);
      if (!rule.allowed) {
        await explainRefusal(ctx, order, rule.reason);
        return ctx.end();
      }
      ctx.values['details'] = await confirmDetails(ctx, order);
      return ctx.goto('confirm');
    },
    confirm: prompt({
      slot: 'confirmed',
      ask: askConfirm,
      parse: parsers.yesNo,
      then: async (ctx, yes) => {
        const number = String(ctx.values['order']);
        if (!yes) {
          ctx.say(ctx.t('cancel.kept', { order: number }));
          return ctx.end();
        }
        const order = await verifiedOrder(ctx);
        if (!order) return ctx.end();
        try {
          const cancellation = await shopOf(ctx).cancelOrder({ orderNumber: number, idempotencyKey: ctx.idempotencyKey });
          await recordCase(ctx, {
            kind: 'cancellation',
            reference: `CAN-${number}`,
            orderNumber: number,
            status: cancellation.refund ? 'refund_pending' : 'done',
            open: cancellation.refund !== null,
            summary: 'order cancelled before dispatch',
            promises: cancellation.refund
              ? [{ key: 'cases.promise_refund', vars: { amount: { amount: cancellation.refund.amount, currency: order.currency } }, dueAt: null, state: 'open' }]
              : [],
          });
          const format = await formatterForOrder(ctx, order);
          const money = cancellation.refund
            ? ctx.t('cancel.refund', { amount: format.money(cancellation.refund.amount, order.currency), timing: refundTiming(ctx, order.payment.method) })
            : ctx.t('cancel.no_refund');
          ctx.say(`${ctx.t('cancel.done', { order: number })}\n${money}`);
        } catch (error) {
          // The order changed between the check and the confirmation (it shipped in the meantime).
          const reason = refusal(error);
          if (reason === undefined) throw error;
          await explainRefusal(ctx, order, reason);
        }
        return ctx.end();
      },
    }),
  },
};
