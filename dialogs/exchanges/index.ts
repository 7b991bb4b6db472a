/**
 * Exchanges: verify the order, pick the item, pick another size or colour of the same article (with its
 * stock), confirm, and create the exchange. What cannot be exchanged (gift cards, final sale, sold out,
 * no other variant) gets a clear answer and, where the item can go back, the offer of a return instead,
 * which runs the returns dialog on top of this one.
 */
import type { Button, Dialog, ExchangeAuthorization, StepContext, StepOutcome, TurnContext } from '../../src/index.js';
import { NotAllowedError, parsers, prompt, recordCase } from '../../src/index.js';
import { orderSteps, shopOf } from '../shared/orders.js';
import {
  calendarDate,
  humanButton,
  type ItemOption,
  matchItem,
  matchVariant,
  mentions,
  mentionsSize,
  nameOf,
  orderOptions,
  productOption,
  readOptions,
  requestOf,
  saveOptions,
  yesNoButtons,
  createOnYes,
  eligibleOrder,
  startFromRequest,
} from '../returns/common.js';
import { asksForExchange, RETURNS_DIALOG } from '../returns/index.js';

export const EXCHANGES_DIALOG = 'exchanges';

/** Another size or colour of the article, with what the shop can promise now. */
interface VariantOption extends Pick<ItemOption, 'sku' | 'names' | 'color' | 'size' | 'colors'> {
  status: 'in_stock' | 'low_stock' | 'out_of_stock' | 'unknown';
  quantity: number | null;
  restockDate: string | null;
}

const optionsOf = (ctx: StepContext) => readOptions<ItemOption>(ctx.values, 'options');
const exchangeable = (ctx: StepContext) => optionsOf(ctx).filter((option) => option.exchangeable);
const optionOf = (ctx: StepContext, sku: unknown) => optionsOf(ctx).find((option) => option.sku === sku);
const variantsOf = (ctx: StepContext) => readOptions<VariantOption>(ctx.values, 'variants');
const variantOf = (ctx: StepContext, sku: unknown) => variantsOf(ctx).find((variant) => variant.sku === sku);
const currentItem = (ctx: StepContext) => optionOf(ctx, ctx.values['item']);

function itemButtons(ctx: StepContext): Button[] {
  return exchangeable(ctx).map((option) => ({
    title: option.remaining > 1 ? ctx.t('exchanges.item_with_qty', { name: nameOf(ctx, option), count: option.remaining }) : nameOf(ctx, option),
    value: option.sku,
  }));
}

function variantTitle(ctx: TurnContext, variant: VariantOption): string {
  const name = nameOf(ctx, variant);
  if (variant.status === 'out_of_stock') return ctx.t('exchanges.variant_out', { name });
  if (variant.status === 'low_stock' && variant.quantity !== null) return ctx.t('exchanges.variant_low', { name, count: variant.quantity });
  return name;
}

function variantButtons(ctx: StepContext): Button[] {
  return variantsOf(ctx).map((variant) => ({ title: variantTitle(ctx, variant), value: variant.sku }));
}

/** Why this line cannot be exchanged, as a sentence. */
function blockedSentence(ctx: TurnContext, option: ItemOption): string {
  return ctx.t(`exchanges.item_blocked.${option.blocked ?? 'not_exchangeable'}`, { name: nameOf(ctx, option) });
}

/** Offers to return `sku` instead (or something from the order when no single item is meant). */
function offerReturn(ctx: StepContext, sku: string | undefined): StepOutcome {
  if (sku) ctx.values['returnSku'] = sku;
  else delete ctx.values['returnSku'];
  return ctx.goto('offer_return');
}

const orderStepsForExchanges = orderSteps({ next: 'check', askKey: 'exchanges.ask_order' });

async function check(ctx: StepContext): Promise<StepOutcome> {
  const found = await eligibleOrder(ctx, 'exchanges');
  if (!found) return ctx.end();
  const { order, eligibility } = found;

  const options = await orderOptions(ctx, order, eligibility);
  saveOptions(ctx, 'options', options);

  const given = optionOf(ctx, ctx.values['item']);
  delete ctx.values['item'];
  const hinted = given ?? matchItem(ctx, options, requestOf(ctx));
  if (hinted && !hinted.exchangeable) {
    ctx.say(blockedSentence(ctx, hinted));
    return hinted.returnable ? offerReturn(ctx, hinted.sku) : ctx.end();
  }
  const open = options.filter((option) => option.exchangeable);
  if (open.length === 0) {
    ctx.say(options.map((option) => blockedSentence(ctx, option)).join(' '));
    const returnable = options.filter((option) => option.returnable);
    if (returnable.length === 0) return ctx.end();
    return offerReturn(ctx, returnable.length === 1 ? returnable[0]?.sku : undefined);
  }
  ctx.say(ctx.t(eligibility.daysLeft === 0 ? 'exchanges.window_today' : 'exchanges.window_open', { order: order.number, date: calendarDate(ctx, eligibility.lastDay ?? '') }));
  if (hinted) ctx.values['item'] = hinted.sku;
  else if (open[0] && open.length === 1) ctx.values['item'] = open[0].sku;
  return ctx.goto('item');
}

/** Loads the other sizes and colours of the chosen article with their stock. */
async function variants(ctx: StepContext): Promise<StepOutcome> {
  const item = currentItem(ctx);
  if (!item) return ctx.goto('item');
  const shop = shopOf(ctx);
  const found: VariantOption[] = [];
  for (const product of await shop.variants(item.sku)) {
    if (product.sku.toUpperCase() === item.sku.toUpperCase()) continue;
    const availability = await shop.availability(product.sku);
    found.push({
      ...(await productOption(ctx, product.sku)),
      status: availability?.status ?? 'unknown',
      quantity: availability?.quantity ?? null,
      restockDate: availability?.restockDate ?? null,
    });
  }
  if (found.length === 0) {
    ctx.say(ctx.t('exchanges.no_variants', { name: nameOf(ctx, item) }));
    return item.returnable ? offerReturn(ctx, item.sku) : ctx.end();
  }
  saveOptions(ctx, 'variants', found);
  // Nothing to choose from: say so instead of listing only sold-out options.
  const inStock = found.filter((variant) => variant.status !== 'out_of_stock');
  if (inStock.length === 0) {
    if (found.length === 1 && found[0]) return soldOut(ctx, found[0], found[0].restockDate);
    ctx.say(ctx.t('exchanges.none_in_stock', { name: nameOf(ctx, item) }));
    return item.returnable ? offerReturn(ctx, item.sku) : ctx.end();
  }
  if (ctx.values['newSku'] === undefined && ctx.values['variantHintRead'] !== true) {
    ctx.values['variantHintRead'] = true;
    const hinted = matchVariant(ctx, found, item, requestOf(ctx));
    if (hinted) ctx.values['newSku'] = hinted.sku;
  }
  return ctx.goto('variant');
}

function soldOut(ctx: StepContext, variant: Pick<VariantOption, 'names' | 'sku'>, restockDate: string | null): StepOutcome {
  const name = nameOf(ctx, variant);
  ctx.say(restockDate ? ctx.t('exchanges.out_of_stock_until', { name, date: calendarDate(ctx, restockDate) }) : ctx.t('exchanges.out_of_stock', { name }));
  delete ctx.values['newSku'];
  const item = currentItem(ctx);
  return item?.returnable ? offerReturn(ctx, item.sku) : ctx.end();
}

async function create(ctx: StepContext): Promise<StepOutcome> {
  const item = currentItem(ctx);
  const variant = variantOf(ctx, ctx.values['newSku']);
  if (!item || !variant) return ctx.goto('item');
  let exchange: ExchangeAuthorization;
  try {
    exchange = await shopOf(ctx).createExchange({
      orderNumber: String(ctx.values['order']),
      sku: item.sku,
      qty: Number(ctx.values['qty'] ?? 1),
      newSku: variant.sku,
      reason: 'size_or_colour',
      idempotencyKey: ctx.idempotencyKey,
    });
  } catch (error) {
    if (error instanceof NotAllowedError) {
      ctx.log.info({ reason: error.reason }, 'exchange refused by the shop');
      if (error.reason === 'out_of_stock') {
        const restock = (await shopOf(ctx).availability(variant.sku))?.restockDate ?? null;
        return soldOut(ctx, variant, restock);
      }
      const key = `exchanges.refused.${error.reason}`;
      const text = ctx.t(key, { order: String(ctx.values['order']), name: nameOf(ctx, item) });
      ctx.ask(text === key ? ctx.t('exchanges.refused.other') : text, [humanButton(ctx)]);
      return ctx.end();
    }
    ctx.log.error({ err: error }, 'creating the exchange failed');
    delete ctx.values['confirmed'];
    ctx.ask(ctx.t('exchanges.failed'), [{ title: ctx.t('exchanges.retry_button'), value: 'yes' }, humanButton(ctx)]);
    return ctx.wait('confirm');
  }
  await recordCase(ctx, {
    kind: 'exchange',
    reference: exchange.number,
    orderNumber: exchange.orderNumber,
    status: exchange.status,
    summary: `exchange of ${exchange.qty} × ${exchange.sku} for ${exchange.newSku}`,
    promises: [{ key: 'exchanges.ships_when', vars: { name: nameOf(ctx, variant) }, dueAt: null, state: 'open' }],
  });
  const parts = [ctx.t('exchanges.created', { number: exchange.number })];
  if (exchange.label) parts.push(ctx.t('exchanges.label', { carrier: exchange.label.carrier, url: exchange.label.url }));
  if (exchange.handOverBy) parts.push(ctx.t('exchanges.send_by', { name: nameOf(ctx, item), date: calendarDate(ctx, exchange.handOverBy), number: exchange.number }));
  parts.push(ctx.t('exchanges.ships_when', { name: nameOf(ctx, variant) }));
  ctx.say(parts.join('\n'));
  return ctx.end();
}

export const exchangesDialog: Dialog = {
  id: EXCHANGES_DIALOG,
  version: 1,
  start: 'start',
  intents: ['exchange_request'],
  triggers: (ctx) => asksForExchange(ctx.text),
  steps: {
    start: startFromRequest('exchanges.after_answer'),
    ...orderStepsForExchanges,
    check,

    item: prompt<string>({
      slot: 'item',
      ask: (ctx) => ctx.ask(ctx.t('exchanges.ask_item'), itemButtons(ctx)),
      parse: (ctx) => {
        const chosen = parsers.choice(ctx, itemButtons(ctx));
        if (chosen) return chosen;
        // Any line of the order, so "the gift card" gets its answer rather than "I didn't get that".
        return matchItem(ctx, optionsOf(ctx), ctx.text)?.sku;
      },
      invalid: (ctx) => ctx.say(ctx.t('exchanges.item_invalid')),
      then: (ctx, sku) => {
        const option = optionOf(ctx, sku);
        if (!option) return ctx.goto('check');
        if (!option.exchangeable) {
          ctx.say(blockedSentence(ctx, option));
          delete ctx.values['item'];
          return option.returnable ? offerReturn(ctx, option.sku) : ctx.end();
        }
        return option.remaining > 1 ? ctx.goto('qty') : ctx.goto('variants');
      },
    }),

    qty: prompt<number>({
      slot: 'qty',
      ask: (ctx) => {
        const max = currentItem(ctx)?.remaining ?? 1;
        const item = currentItem(ctx);
        ctx.ask(
          ctx.t('exchanges.ask_qty', { name: item ? nameOf(ctx, item) : '', max }),
          max <= 5 ? Array.from({ length: max }, (_, i) => ({ title: String(i + 1), value: String(i + 1) })) : [],
        );
      },
      parse: (ctx) => {
        const max = currentItem(ctx)?.remaining ?? 1;
        if (mentions(ctx, 'returns.keywords.all', ctx.text)) return max;
        const count = parsers.wholeNumber(ctx);
        return count !== undefined && count >= 1 && count <= max ? count : undefined;
      },
      invalid: (ctx) => ctx.say(ctx.t('returns.qty_invalid', { max: currentItem(ctx)?.remaining ?? 1 })),
      then: (ctx) => ctx.goto('variants'),
    }),

    variants,

    variant: prompt<string>({
      slot: 'newSku',
      ask: (ctx) => {
        const item = currentItem(ctx);
        ctx.ask(ctx.t('exchanges.ask_variant', { name: item ? nameOf(ctx, item) : '' }), variantButtons(ctx));
      },
      parse: (ctx) => {
        const item = currentItem(ctx);
        const chosen = parsers.choice(ctx, variantButtons(ctx));
        if (chosen) return chosen;
        return item ? matchVariant(ctx, variantsOf(ctx), item, ctx.text)?.sku : undefined;
      },
      invalid: (ctx) => {
        const item = currentItem(ctx);
        const same = item !== undefined && item.size !== null && mentionsSize(ctx, ctx.text, item.size);
        ctx.say(ctx.t(same ? 'exchanges.refused.same_product' : 'exchanges.variant_invalid'));
      },
      then: (ctx, sku) => {
        const variant = variantOf(ctx, sku);
        if (!variant) {
          delete ctx.values['newSku'];
          return ctx.goto('variants');
        }
        if (variant.status === 'out_of_stock') return soldOut(ctx, variant, variant.restockDate);
        return ctx.goto('confirm');
      },
    }),

    confirm: prompt<boolean>({
      slot: 'confirmed',
      ask: (ctx) => {
        const item = currentItem(ctx);
        const variant = variantOf(ctx, ctx.values['newSku']);
        ctx.ask(
          ctx.t('exchanges.summary', {
            qty: Number(ctx.values['qty'] ?? 1),
            name: item ? nameOf(ctx, item) : '',
            newName: variant ? nameOf(ctx, variant) : '',
          }),
          yesNoButtons(ctx, 'exchanges.confirm_button', 'returns.no'),
        );
      },
      parse: parsers.yesNo,
      invalid: (ctx) => ctx.say(ctx.t('returns.confirm_invalid')),
      then: createOnYes('exchanges.declined'),
    }),

    create,

    offer_return: prompt<boolean>({
      slot: 'returnInstead',
      ask: (ctx) => {
        const option = optionOf(ctx, ctx.values['returnSku']);
        ctx.ask(
          option ? ctx.t('exchanges.offer_return', { name: nameOf(ctx, option) }) : ctx.t('exchanges.offer_return_any'),
          yesNoButtons(ctx, 'exchanges.return_button', 'returns.no'),
        );
      },
      parse: parsers.yesNo,
      then: (ctx, yes) => {
        if (!yes) {
          ctx.say(ctx.t('exchanges.no_return'));
          return ctx.end();
        }
        const sku = ctx.values['returnSku'];
        return ctx.begin(RETURNS_DIALOG, { order: String(ctx.values['order']), request: '', ...(typeof sku === 'string' ? { item: sku } : {}) }, 'finish');
      },
    }),

    /** Where this dialog continues once the return it began has ended. */
    finish: (ctx) => ctx.end(),
  },
};

