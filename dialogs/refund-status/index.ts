import type { Order, Refund, RefundStatus } from '../../src/commerce/types.js';
import type { Dialog, StepContext, TurnContext } from '../../src/index.js';
import type { Formatter } from '../../src/i18n/format.js';
import { shopOf } from '../shared/orders.js';
import { findOrderSteps, formatterForOrder, humanButton, refundTiming, verifiedOrder } from '../order-tracking/order-flow.js';

/**
 * "Where is my refund?": after the customer is verified, what was refunded and when, what is still on
 * its way (with how long the payment method usually takes), and returns whose refund waits for the
 * parcel, in the order's currency formatted for the customer's locale.
 */

const TRIGGERS: readonly RegExp[] = [
  // en
  /\b(?:where|when|status|did|have|has|haven't|hasn't|received|get|got|still|yet|pending|check)\b.*\brefund|\brefund\b.*\b(?:status|yet|arrived|received|processed|pending)\b|\bmy refund\b/i,
  // es
  /(?:mi|el|del) reembolso|reembolso.*(?:estado|cu[aá]ndo|d[oó]nde|todav[ií]a|a[uú]n)|devolu?ci[oó]n de(?:l| mi)? dinero/i,
  // fr
  /(?:mon|le|du) remboursement|rembours.*(?:o[uù]|quand|statut|re[cç]u|toujours|pas encore)/i,
  // de
  /(?:meine|die|der) (?:r[üu]ckerstattung|erstattung|r[üu]ckzahlung|gutschrift)|(?:r[üu]ckerstattung|erstattung|gutschrift).*(?:status|wann|wo|noch|schon|erhalten|bekommen)|wo bleibt mein geld/i,
  // ja
  /返金.*(?:状況|いつ|まだ|確認|どう|され|届|反映)|返金状況/,
  // it
  /(?:il mio|il|del|al) rimborso|rimborso.*(?:stato|quando|dove|ancora|arrivato)/i,
  // pt
  /(?:meu|o|do) (?:reembolso|estorno)|(?:reembolso|estorno).*(?:status|quando|cad[eê]|onde|ainda|caiu)|cad[eê].*(?:reembolso|estorno)/i,
  // zh
  /退款.*(?:进度|進度|状态|狀態|到账|到帳|什么时候|什麼時候|在哪|到哪|了吗|了嗎|还没|還沒)|我的退款|退款呢/,
];

export function wantsRefundStatus(ctx: TurnContext): boolean {
  return TRIGGERS.some((pattern) => pattern.test(ctx.text));
}

/** What a refund was for, when the shop's reason says it in a form we know. */
function why(ctx: StepContext, refund: Refund): string {
  const reason = refund.reason ?? '';
  if (reason === 'order_cancelled') return ctx.t('refund.for_cancellation');
  const rma = /^return (RMA-\S+)/i.exec(reason)?.[1];
  if (rma) return ctx.t('refund.for_return', { rma });
  if (/^goodwill/i.test(reason)) return ctx.t('refund.for_goodwill');
  return '';
}

function describe(ctx: StepContext, order: Order, status: RefundStatus, format: Formatter): { text: string; failed: boolean } {
  const money = (amount: number) => format.money(amount, status.currency);
  const lines = [ctx.t('refund.header', { order: order.number, total: money(status.total) })];
  for (const refund of status.refunds) {
    lines.push(ctx.t(`refund.line_${refund.status}`, { amount: money(refund.amount), date: format.date(refund.createdAt, 'medium'), why: why(ctx, refund) }));
  }
  // A return whose refund is already listed (pending or done) is not "awaiting" any more.
  const listed = new Set(status.refunds.filter((refund) => refund.status !== 'failed').map((refund) => /^return (RMA-\S+)/i.exec(refund.reason ?? '')?.[1]));
  for (const rma of status.awaitingReturn.filter((entry) => !listed.has(entry.rma))) {
    lines.push(ctx.t(rma.status === 'received' ? 'refund.awaiting_received' : 'refund.awaiting_authorized', { rma: rma.rma, amount: money(rma.amount) }));
  }
  if (lines.length === 1) return { text: ctx.t(order.status === 'cancelled' ? 'refund.none_cancelled' : 'refund.none', { order: order.number }), failed: false };
  if (status.pending > 0) lines.push('', refundTiming(ctx, order.payment.method));
  return { text: lines.join('\n'), failed: status.refunds.some((refund) => refund.status === 'failed') };
}

export const refundStatusDialog: Dialog = {
  id: 'refund-status',
  version: 1,
  start: 'start',
  intents: ['refund_status'],
  triggers: wantsRefundStatus,
  steps: {
    ...findOrderSteps({
      next: 'show',
      askKey: 'refund.ask_order',
      pickKey: 'refund.pick_order',
      choiceKey: 'refund.order_choice',
      // Orders with money on the way back first.
      candidates: (orders) => {
        const open = (order: Order) => order.payment.refunds.length > 0 || order.returns.some((rma) => rma.status !== 'rejected') || order.status === 'cancelled';
        return orders.filter(open);
      },
    }),
    async show(ctx) {
      const order = await verifiedOrder(ctx);
      if (!order) return ctx.goto('order');
      const { text, failed } = describe(ctx, order, await shopOf(ctx).refundStatus(order.number), await formatterForOrder(ctx, order));
      if (failed) ctx.ask(`${text}\n\n${ctx.t('refund.failed_help')}`, [humanButton(ctx)]);
      else ctx.say(text);
      return ctx.end();
    },
  },
};
