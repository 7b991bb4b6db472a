import type { Address, Order } from '../../src/commerce/types.js';
import type { Dialog, JsonObject, StepContext, TurnContext } from '../../src/index.js';
import { capabilitiesFor, parsers, prompt, recordCase } from '../../src/index.js';
import { shopOf } from '../shared/orders.js';
import { findOrderSteps, formatterForOrder, humanButton, refusal, verifiedOrder, yesNoButtons } from '../order-tracking/order-flow.js';
import { formatAddress, parseAddress } from './parse-address.js';

/**
 * "Change my delivery address": possible only before the parcel leaves the warehouse and only within
 * the country the order was priced for (duties and taxes were paid for it). The new address is read
 * from free text, shown back for a yes/no, then written to the shop.
 */

const TRIGGERS: readonly RegExp[] = [
  // en
  /\b(?:change|update|correct|fix|edit|wrong)\b.*\baddress\b|\bship (?:it )?to (?:a |another |my )?(?:different|new|other) address|\bnew (?:delivery |shipping )?address\b/i,
  // es
  /(?:cambiar|modificar|corregir|actualizar) (?:la |mi )?direcci[oó]n|direcci[oó]n.*(?:incorrecta|equivocada|mal)|(?:otra|nueva) direcci[oó]n/i,
  // fr
  /(?:changer|modifier|corriger) (?:l'|l’|mon |d'|d’|mon adresse|adresse)|adresse.*(?:erron[ée]e|incorrecte|fausse)|(?:nouvelle|autre) adresse/i,
  // de
  /(?:liefer|versand)?adresse (?:ändern|korrigieren|aktualisieren)|adresse.*(?:falsch|ändern)|(?:andere|neue) (?:liefer)?adresse|adressänderung/i,
  // ja
  /(?:住所|届け先|配送先|お届け先).*(?:変更|変え|間違|修正)/,
  // it
  /(?:cambiare|modificare|correggere|aggiornare) (?:l'|l’|il mio |mio )?indirizzo|indirizzo.*(?:sbagliato|errato)|(?:nuovo|altro) indirizzo/i,
  // pt
  /(?:mudar|alterar|trocar|corrigir|atualizar) (?:o |meu |o meu |a |minha |a minha )?(?:endere[cç]o|morada)|(?:endere[cç]o|morada).*(?:errad[oa]|incorret[oa])|(?:novo|outro) endere[cç]o|nova morada/i,
  // zh
  /(?:修改|更改|改|变更|變更|更换|更換|修正).*地址|地址.*(?:错|錯|改)/,
];

export function wantsAddressChange(ctx: TurnContext): boolean {
  return TRIGGERS.some((pattern) => pattern.test(ctx.text));
}

function countryName(ctx: TurnContext, code: string): string {
  try {
    return new Intl.DisplayNames([ctx.locale], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

function toJson(address: Address): JsonObject {
  return Object.fromEntries(Object.entries(address).filter(([, value]) => typeof value === 'string')) as JsonObject;
}

function fromJson(value: unknown): Address | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined);
  const [name, line1, city, postalCode, country] = [text('name'), text('line1'), text('city'), text('postalCode'), text('country')];
  if (name === undefined || !line1 || !city || !postalCode || !country) return undefined;
  const line2 = text('line2');
  const region = text('region');
  return { name, line1, ...(line2 ? { line2 } : {}), city, ...(region ? { region } : {}), postalCode, country };
}

function shown(ctx: TurnContext, address: Address): string {
  return formatAddress(address, countryName(ctx, address.country));
}

/** Why the address cannot be changed, and what the customer can do instead. */
async function explainRefusal(ctx: StepContext, order: Order, reason: string, address?: Address): Promise<void> {
  switch (reason) {
    case 'already_shipped': {
      const parcel = order.shipments.find((shipment) => shipment.status !== 'label_created' && shipment.status !== 'delivered');
      const voice = capabilitiesFor(ctx.activity.channel).voice;
      if (parcel && !voice) ctx.say(ctx.t('address.already_shipped_link', { order: order.number, carrier: parcel.carrier, url: parcel.trackingUrl }));
      else ctx.say(ctx.t('address.already_shipped', { order: order.number }));
      return;
    }
    case 'delivered': {
      const format = await formatterForOrder(ctx, order);
      ctx.say(ctx.t('address.delivered', { order: order.number, date: format.date(order.deliveredAt ?? order.placedAt, 'long') }));
      return;
    }
    case 'order_cancelled':
      ctx.say(ctx.t('address.cancelled', { order: order.number }));
      return;
    case 'different_country':
      ctx.ask(
        ctx.t('address.different_country', {
          order: order.number,
          country: countryName(ctx, order.shippingAddress.country),
          other: countryName(ctx, address?.country ?? order.shippingAddress.country),
        }),
        [humanButton(ctx)],
      );
      return;
    default:
      ctx.ask(ctx.t('address.refused', { order: order.number }), [humanButton(ctx)]);
  }
}

export const changeAddressDialog: Dialog = {
  id: 'change-address',
  version: 1,
  start: 'start',
  intents: ['change_address'],
  triggers: wantsAddressChange,
  steps: {
    ...findOrderSteps({
      next: 'check',
      askKey: 'address.ask_order',
      pickKey: 'address.pick_order',
      choiceKey: 'address.order_choice',
      // Only orders still in the warehouse can be redirected.
      candidates: (orders) => orders.filter((order) => order.status === 'processing'),
    }),
    async check(ctx) {
      const order = await verifiedOrder(ctx);
      if (!order) return ctx.goto('order');
      const rule = await shopOf(ctx).canChangeAddress(order);
      if (!rule.allowed) {
        await explainRefusal(ctx, order, rule.reason);
        return ctx.end();
      }
      ctx.values['current'] = toJson(order.shippingAddress);
      return ctx.goto('address');
    },
    address: prompt({
      slot: 'address',
      ask: (ctx) => {
        const current = fromJson(ctx.values['current']);
        if (current && ctx.values['retry'] !== true) ctx.say(ctx.t('address.ask_new', { order: String(ctx.values['order']), current: shown(ctx, current) }));
        else ctx.say(ctx.t('address.ask_again'));
      },
      parse: (ctx) => {
        const current = fromJson(ctx.values['current']);
        const text = parsers.freeText(ctx);
        const parsed = text && current ? parseAddress(text, current.name, current.country) : undefined;
        return parsed && toJson(parsed);
      },
      invalid: (ctx) => ctx.say(ctx.t('address.invalid', { example: ctx.t('address.example') })),
      then: async (ctx, value) => {
        const address = fromJson(value);
        const order = await verifiedOrder(ctx);
        if (!order || !address) return ctx.end();
        const rule = await shopOf(ctx).canChangeAddress(order, address);
        if (!rule.allowed) {
          await explainRefusal(ctx, order, rule.reason, address);
          return ctx.end();
        }
        return ctx.goto('confirm');
      },
    }),
    confirm: prompt({
      slot: 'confirmed',
      ask: (ctx) => {
        const address = fromJson(ctx.values['address']);
        ctx.ask(
          ctx.t('address.confirm', { order: String(ctx.values['order']), address: address ? shown(ctx, address) : '' }),
          yesNoButtons(ctx, 'address.yes_button', 'address.no_button'),
        );
      },
      parse: parsers.yesNo,
      then: async (ctx, yes) => {
        const address = fromJson(ctx.values['address']);
        const order = await verifiedOrder(ctx);
        if (!order || !address) return ctx.end();
        if (!yes) {
          // Ask for the address again: forget the answer and the confirmation, so neither is reused.
          delete ctx.values['address'];
          delete ctx.values['confirmed'];
          ctx.values['retry'] = true;
          ctx.say(ctx.t('address.retry'));
          return ctx.goto('address');
        }
        try {
          const change = await shopOf(ctx).changeShippingAddress({ orderNumber: order.number, address, idempotencyKey: ctx.idempotencyKey });
          await recordCase(ctx, { kind: 'address_change', reference: `ADR-${order.number}`, orderNumber: order.number, status: 'done', open: false, summary: 'shipping address changed before dispatch' });
          ctx.say(ctx.t('address.done', { order: order.number, address: shown(ctx, change.address) }));
        } catch (error) {
          // The order left the warehouse between the question and the answer.
          const reason = refusal(error);
          if (reason === undefined) throw error;
          await explainRefusal(ctx, order, reason, address);
        }
        return ctx.end();
      },
    }),
  },
};
