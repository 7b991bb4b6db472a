import type { Order, Shipment } from '../../src/commerce/types.js';
import type { Dialog, StepContext, TurnContext } from '../../src/index.js';
import { capabilitiesFor, parsers, prompt } from '../../src/index.js';
import type { Formatter } from '../../src/i18n/format.js';
import { dayOf, findOrderSteps, formatDay, formatterForOrder, itemList, verifiedOrder, yesNoButtons } from './order-flow.js';

/**
 * "Where is my order?": after the customer is verified, the status of each parcel with its carrier,
 * tracking link, latest events and estimated delivery, in the customer's date format and time zone.
 * A late parcel or one the carrier reports a problem with gets an apology and the offer of a case
 * (a person takes over).
 */

const TRIGGERS: readonly RegExp[] = [
  // en
  /\bwhere(?:'s| is| are)\b.*\b(?:order|parcel|package|delivery|shipment)/i,
  /\btrack(?:ing)?\b/i,
  /\b(?:order|parcel|package|delivery|shipping) status\b/i,
  /\bstatus of (?:my |the )?(?:order|parcel|package)/i,
  /\bwhen will (?:my|the) (?:order|parcel|package|delivery)\b/i,
  /\bhas my (?:order|parcel|package) (?:shipped|been shipped|arrived)/i,
  // es
  /d[oó]nde (?:est[aá]|anda) (?:mi|el) (?:pedido|paquete|env[ií]o)/i,
  /\b(?:seguimiento|rastrear)\b/i,
  /estado (?:de|del) (?:mi )?(?:pedido|env[ií]o)/i,
  /cu[aá]ndo (?:llega|llegar[aá]) (?:mi|el) (?:pedido|paquete)/i,
  // fr
  /o[uù] (?:en )?est (?:ma commande|mon colis|mon paquet)/i,
  /\bsuivi\b|suivre (?:ma commande|mon colis)/i,
  /statut de (?:ma )?commande/i,
  /quand (?:vais-je recevoir|arrive) (?:ma commande|mon colis)/i,
  // de
  /wo (?:ist|bleibt) (?:meine bestellung|mein paket|meine sendung|meine lieferung)/i,
  /sendungsverfolgung|bestellung verfolgen|paket verfolgen|bestellstatus|status meiner bestellung/i,
  /wann kommt (?:meine bestellung|mein paket)/i,
  // ja
  /(?:注文|荷物|商品).*(?:どこ|届かない|届いていない|まだ届|いつ届|状況|追跡)|追跡|配送状況|いつ届/,
  // it
  /dov'?[eè] (?:il mio|l'?) ?(?:ordine|pacco|spedizione)|dove si trova (?:il mio )?(?:ordine|pacco)/i,
  /\btraccia(?:re|mento)?\b/i,
  /stato (?:del(?:l'| )?(?:mio )?)?ordine/i,
  /quando arriva (?:il mio )?(?:ordine|pacco)/i,
  // pt
  /cad[eê] (?:o )?meu (?:pedido|pacote)|onde est[aá] (?:o )?meu (?:pedido|pacote)|onde est[aá] a (?:minha )?encomenda/i,
  /\brastre(?:ar|io|amento)\b/i,
  /status do (?:meu )?pedido|estado da (?:minha )?encomenda/i,
  /quando chega (?:o )?meu (?:pedido|pacote)/i,
  // zh
  /(?:订单|訂單|包裹|快递|快遞).*(?:在哪|到哪|状态|狀態|进度|進度|物流)|查询订单|查詢訂單|物流信息|什么时候到|什麼時候到/,
];

export function wantsTracking(ctx: TurnContext): boolean {
  return TRIGGERS.some((pattern) => pattern.test(ctx.text));
}

/** A parcel is late when it has not arrived and its estimated day is before today in the customer's zone. */
function isLate(shipment: Shipment, format: Formatter, now: number): boolean {
  if (shipment.status === 'delivered' || !shipment.estimatedDelivery) return false;
  return dayOf(format, shipment.estimatedDelivery) < dayOf(format, now);
}

/** The lines about one parcel: status, carrier and link, latest events, estimated delivery. */
function describeShipment(ctx: StepContext, shipment: Shipment, format: Formatter, late: boolean): string[] {
  const caps = capabilitiesFor(ctx.activity.channel);
  const lines: string[] = [];
  const last = shipment.events.at(-1);
  if (shipment.status === 'delivered') {
    const at = last?.status === 'delivered' ? last.at : undefined;
    lines.push(
      at
        ? ctx.t('tracking.parcel_delivered_at', { carrier: shipment.carrier, date: format.date(at, 'long'), time: format.time(at) })
        : ctx.t('tracking.parcel_delivered', { carrier: shipment.carrier }),
    );
    return lines;
  }
  lines.push(ctx.t(`tracking.status_${shipment.status}`, { carrier: shipment.carrier }));
  if (caps.voice) lines.push(ctx.t('tracking.number_voice', { number: shipment.trackingNumber }));
  else lines.push(ctx.t('tracking.link', { number: shipment.trackingNumber, url: shipment.trackingUrl }));
  // Plain-text channels pay per segment: the latest event there, the last three elsewhere.
  const events = shipment.events.slice(caps.maxTextLength <= 2000 ? -1 : -3).reverse();
  if (events.length > 0) {
    lines.push(ctx.t('tracking.events_title'));
    for (const event of events) {
      lines.push(
        ctx.t('tracking.event', {
          date: format.dateTime(event.at, 'medium'),
          status: ctx.t(`tracking.event_${event.status}`),
          location: event.location,
        }),
      );
    }
  }
  if (shipment.status === 'exception' && last?.status === 'exception') lines.push(ctx.t('tracking.carrier_note', { note: last.description }));
  if (shipment.estimatedDelivery) {
    const eta = formatDay(format, shipment.estimatedDelivery, 'full');
    lines.push(ctx.t(late ? 'tracking.eta_missed' : 'tracking.eta', { date: eta }));
  }
  return lines;
}

async function showOrder(ctx: StepContext, order: Order): Promise<'case' | 'done'> {
  const format = await formatterForOrder(ctx, order);
  const now = ctx.clock.now();
  if (order.status === 'cancelled') {
    if (order.cancelledAt) ctx.say(ctx.t('tracking.cancelled_on', { order: order.number, date: format.date(order.cancelledAt, 'long') }));
    else ctx.say(ctx.t('tracking.cancelled', { order: order.number }));
    return 'done';
  }
  if (order.status === 'delivered' && order.deliveredAt) {
    ctx.say(ctx.t('tracking.delivered', { order: order.number, date: format.date(order.deliveredAt, 'full'), time: format.time(order.deliveredAt) }));
    return 'done';
  }
  const shipments = order.shipments;
  if (shipments.length === 0) {
    ctx.say(ctx.t('tracking.processing', { order: order.number, date: format.date(order.placedAt, 'long') }));
    return 'done';
  }
  const late = shipments.filter((shipment) => isLate(shipment, format, now));
  const troubled = shipments.filter((shipment) => shipment.status === 'exception' || late.includes(shipment));
  const blocks: string[] = [];
  if (shipments.length === 1) {
    const shipment = shipments[0] as Shipment;
    blocks.push([ctx.t('tracking.header', { order: order.number }), ...describeShipment(ctx, shipment, format, late.includes(shipment))].join('\n'));
  } else {
    blocks.push(ctx.t('tracking.split_header', { order: order.number, count: shipments.length }));
    for (const [index, shipment] of shipments.entries()) {
      const items = shipment.items && shipment.items.length > 0 ? await itemList(ctx, shipment.items, 'tracking', format) : undefined;
      const title = items
        ? ctx.t('tracking.parcel_title_items', { n: index + 1, count: shipments.length, items })
        : ctx.t('tracking.parcel_title', { n: index + 1, count: shipments.length });
      blocks.push([title, ...describeShipment(ctx, shipment, format, late.includes(shipment))].join('\n'));
    }
  }
  ctx.say(blocks.join('\n\n'));
  if (troubled.length === 0) return 'done';
  const exception = troubled.some((shipment) => shipment.status === 'exception');
  ctx.ask(ctx.t(exception ? 'tracking.sorry_exception' : 'tracking.sorry_late', { order: order.number }), yesNoButtons(ctx, 'tracking.case_button', 'tracking.case_no_button'));
  return 'case';
}

export const orderTrackingDialog: Dialog = {
  id: 'order-tracking',
  version: 1,
  start: 'start',
  intents: ['order_status'],
  triggers: wantsTracking,
  steps: {
    ...findOrderSteps({
      next: 'show',
      askKey: 'tracking.ask_order',
      pickKey: 'tracking.pick_order',
      choiceKey: 'tracking.order_choice',
      // Orders still on their way first, then delivered ones (cancelled ones have nothing to track).
      candidates: (orders) => [...orders.filter((order) => order.status === 'processing' || order.status === 'shipped'), ...orders.filter((order) => order.status === 'delivered')],
    }),
    async show(ctx) {
      const order = await verifiedOrder(ctx);
      if (!order) return ctx.goto('order');
      return (await showOrder(ctx, order)) === 'case' ? ctx.wait('case') : ctx.end();
    },
    case: prompt({
      slot: 'openCase',
      // Asked by `show` with the apology; when resumed after an interruption, ask again.
      ask: (ctx) => ctx.ask(ctx.t('tracking.case_ask', { order: String(ctx.values['order']) }), yesNoButtons(ctx, 'tracking.case_button', 'tracking.case_no_button')),
      parse: parsers.yesNo,
      then: (ctx, open) => {
        if (open) ctx.handoff('delayed_shipment', ctx.t('tracking.case_opened', { order: String(ctx.values['order']) }));
        else ctx.say(ctx.t('tracking.case_declined'));
        return ctx.end();
      },
    }),
  },
};
