/**
 * Returns: verify the order, check the return window and what can go back, then which item(s), how many,
 * why (with a photo for faulty or damaged goods where the channel can send one), drop-off or pick-up,
 * a summary to confirm, and the RMA with its label and deadline.
 *
 * The customer's first message fills what it already says ("return the blue shirt from order A1020
 * because it's too small"): it is kept in values.request and read once the order is verified, because a
 * verification by e-mail happens in between.
 */
import type { Button, Dialog, ReturnAuthorization, ReturnMethod, StepContext, StepOutcome, TurnContext } from '../../src/index.js';
import { NotAllowedError, parsers, prompt, recordCase } from '../../src/index.js';
import { formatterFor, orderSteps, shopOf } from '../shared/orders.js';
import {
  calendarDate,
  channelTakesPhotos,
  firstMentioned,
  fold,
  humanButton,
  type ItemOption,
  matchItem,
  mentions,
  money,
  nameOf,
  orderOptions,
  readOptions,
  requestOf,
  saveOptions,
  yesNoButtons,
  createOnYes,
  eligibleOrder,
  startFromRequest,
} from './common.js';

export const RETURNS_DIALOG = 'returns';

export const RETURN_REASONS = ['too_small', 'too_big', 'defective', 'damaged', 'not_as_described', 'changed_mind', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];
/** Checked in this order: "arrived broken" is damage in transit before it is a defect. */
const DETECTED_REASONS: readonly ReturnReason[] = ['damaged', 'defective', 'too_small', 'too_big', 'not_as_described', 'changed_mind'];
const PHOTO_REASONS: ReadonlySet<string> = new Set(['defective', 'damaged']);
const METHODS: readonly ReturnMethod[] = ['drop_off', 'pickup'];

// Keyword fallbacks for when no classifier is configured (the intent `return_request` does the same).
const RETURN_WORDS =
  /(?<![\p{L}])(?:returns?|returning|send (?:it|them|this|these) back|devolver(?:lo|la|los|las)?|devuelvo|devoluci[oó]n|devolu[cç][aã]o|devolv[eê]-l[oa]|retourner|retour|renvoyer|zur[üu]ck(?:zu)?(?:senden|schicken|geben)|r[üu]cksendung|retoure|retournieren|restituire|restituirl[oaie]|restituzione|reso|rimandare indietro)(?![\p{L}])|返品|退货|退貨|退掉|退回|想退(?!款)|要退(?!款)/iu;
const SEPARABLE_DE = /(?<![\p{L}])(?:schick|send|geb)\p{L}*(?![\p{L}]).{0,40}(?<![\p{L}])zur[üu]ck(?![\p{L}])/iu;
const POLICY_WORDS = /polic|pol[ií]tica|politique|richtlinie|ポリシー|规定|規定|政策/iu;
/** "Where is my return?" asks about a parcel or a refund, not for a new return. */
const STATUS_WORDS =
  /(?<![\p{L}])(?:track\w*|where is|where's|status|wo ist|wo bleibt|d[oó]nde est[aá]|o[uù] en est|o[uù] est|dov'?[eè]|cad[eê]|onde est[aá])(?![\p{L}])|どこ|状況|在哪|进度|進度/iu;
/** "Where is the refund for my return?" belongs to the refund-status dialog. */
const REFUND_WORDS = /refund|reembolso|remboursement|r[üu]ckerstattung|erstattung|rimborso|estorno|返金|退款/iu;
export const EXCHANGE_WORDS =
  /(?<![\p{L}])(?:exchange|swap|[ée]changer|[ée]change|umtauschen|umtausch|umzutauschen|tauschen|cambiar(?:lo|la|los|las)?|cambiarl[oaie]|cambiare|trocar|troca|different size|another size|other size|different colou?r|another colou?r|otra talla|otro color|autre taille|autre couleur|andere gr[öo](?:ß|ss)e|andere farbe|altra taglia|altro colore|outro tamanho|outra cor)(?![\p{L}])|交換|サイズ違い|别的尺码|換貨|换货|调换|調換|换成|換成|换一个|換一個|换个|換個|换尺码|換尺碼|换颜色|換顏色/iu;
export const ADDRESS_WORDS = /address|direcci[oó]n|adresse|anschrift|indirizzo|endere[cç]o|morada|住所|地址|收货|收貨/iu;

export function asksForReturn(text: string): boolean {
  return (RETURN_WORDS.test(text) || SEPARABLE_DE.test(text)) && !POLICY_WORDS.test(text) && !REFUND_WORDS.test(text) && !STATUS_WORDS.test(text);
}

export function asksForExchange(text: string): boolean {
  return EXCHANGE_WORDS.test(text) && !ADDRESS_WORDS.test(text);
}

/** The reason the text gives, if any ("because it's too small", "llegó dañado", "太小了"). */
export function reasonIn(ctx: TurnContext, text: string, withOther = false): ReturnReason | undefined {
  if (!text.trim()) return undefined;
  return firstMentioned(ctx, 'returns.keywords', withOther ? [...DETECTED_REASONS, 'other'] : DETECTED_REASONS, text);
}

interface Line {
  sku: string;
  qty: number;
}

const returnable = (ctx: StepContext) => readOptions<ItemOption>(ctx.values, 'options').filter((option) => option.returnable);
const optionOf = (ctx: StepContext, sku: string) => readOptions<ItemOption>(ctx.values, 'options').find((option) => option.sku === sku);
const linesOf = (ctx: StepContext) => readOptions<Line>(ctx.values, 'lines');

function itemButtons(ctx: StepContext): Button[] {
  const options = returnable(ctx);
  const buttons: Button[] = options.map((option) => ({
    title: option.returnableQty > 1 ? ctx.t('returns.item_with_qty', { name: nameOf(ctx, option), count: option.returnableQty }) : nameOf(ctx, option),
    value: option.sku,
  }));
  if (options.length > 1) buttons.push({ title: ctx.t('returns.all_items'), value: 'all' });
  if (ctx.values['askAlways'] === true) buttons.push({ title: ctx.t('returns.nothing_button'), value: 'none' });
  return buttons;
}

function qtyButtons(max: number): Button[] {
  return max <= 5 ? Array.from({ length: max }, (_, i) => ({ title: String(i + 1), value: String(i + 1) })) : [];
}

function reasonButtons(ctx: TurnContext): Button[] {
  return RETURN_REASONS.map((reason) => ({ title: ctx.t(`returns.reason.${reason}`), value: reason }));
}

function methodButtons(ctx: TurnContext): Button[] {
  return METHODS.map((method) => ({ title: ctx.t(`returns.method.${method}`), value: method }));
}

/** Why one line cannot go back, as a sentence: "Swim shorts, coral, M is a final-sale item." */
function blockedSentence(ctx: TurnContext, option: ItemOption): string {
  return ctx.t(`returns.item_blocked.${option.blocked ?? 'already_returned'}`, { name: nameOf(ctx, option) });
}

function refundOf(ctx: StepContext, lines: readonly Line[]): string {
  let total = 0;
  let currency = 'EUR';
  for (const line of lines) {
    const option = optionOf(ctx, line.sku);
    if (!option) continue;
    total += option.unitPrice * line.qty;
    currency = option.currency;
  }
  return money(ctx, Math.round(total * 100) / 100, currency);
}

const orderStepsForReturns = orderSteps({ next: 'check', askKey: 'returns.ask_order' });

async function check(ctx: StepContext): Promise<StepOutcome> {
  const found = await eligibleOrder(ctx, 'returns');
  if (!found) return ctx.end();
  const { order, eligibility } = found;
  const options = await orderOptions(ctx, order, eligibility);
  saveOptions(ctx, 'options', options);

  switch (eligibility.reason) {
    case 'nothing_returnable':
      ctx.say(ctx.t('returns.blocked.nothing_returnable', { order: order.number, details: options.map((option) => blockedSentence(ctx, option)).join(' ') }));
      return ctx.end();
    default:
      break;
  }

  const lastDay = eligibility.lastDay ?? '';
  ctx.say(ctx.t(eligibility.daysLeft === 0 ? 'returns.window_today' : 'returns.window_open', { order: order.number, date: calendarDate(ctx, lastDay) }));

  const open = options.filter((option) => option.returnable);
  const blocked = options.filter((option) => !option.returnable);
  const given = typeof ctx.values['item'] === 'string' ? options.find((option) => option.sku === ctx.values['item']) : undefined;
  delete ctx.values['item'];
  const hinted = given ?? matchItem(ctx, options, requestOf(ctx));
  if (hinted && !hinted.returnable) {
    ctx.say(blockedSentence(ctx, hinted));
    ctx.values['askAlways'] = true;
  } else if (blocked.length > 0) {
    ctx.say(ctx.t('returns.some_blocked', { details: blocked.map((option) => blockedSentence(ctx, option)).join(' ') }));
  }
  if (hinted?.returnable) ctx.values['item'] = hinted.sku;
  else if (open[0] && open.length === 1 && ctx.values['askAlways'] !== true) ctx.values['item'] = open[0].sku;

  if (ctx.values['reason'] === undefined) {
    const reason = reasonIn(ctx, requestOf(ctx));
    if (reason) ctx.values['reason'] = reason;
  }
  return ctx.goto('item');
}

function afterItem(ctx: StepContext, sku: string): StepOutcome {
  const option = optionOf(ctx, sku);
  if (!option) return ctx.goto('item');
  if (option.returnableQty > 1) return ctx.goto('qty');
  ctx.values['lines'] = [{ sku, qty: 1 }];
  return ctx.goto('reason');
}

async function create(ctx: StepContext): Promise<StepOutcome> {
  const lines = linesOf(ctx);
  const method = String(ctx.values['method']) as ReturnMethod;
  let rma: ReturnAuthorization;
  try {
    rma = await shopOf(ctx).createReturn({
      orderNumber: String(ctx.values['order']),
      items: lines.map((line) => ({ sku: line.sku, qty: line.qty })),
      reason: String(ctx.values['reason']),
      method,
      idempotencyKey: ctx.idempotencyKey,
    });
  } catch (error) {
    if (error instanceof NotAllowedError) {
      ctx.log.info({ reason: error.reason }, 'return refused by the shop');
      const key = `returns.refused.${error.reason}`;
      const text = ctx.t(key, { order: String(ctx.values['order']) });
      ctx.ask(text === key ? ctx.t('returns.refused.other') : text, [humanButton(ctx)]);
      return ctx.end();
    }
    ctx.log.error({ err: error }, 'creating the return failed');
    delete ctx.values['confirmed'];
    ctx.ask(ctx.t('returns.failed'), [{ title: ctx.t('returns.retry_button'), value: 'yes' }, humanButton(ctx)]);
    return ctx.wait('confirm');
  }

  const photos = ctx.values['photos'];
  if (Array.isArray(photos) && photos.length > 0) {
    // Kept with the conversation so an agent who handles the return sees the evidence.
    const kept = ctx.conversation.data['returnPhotos'];
    ctx.conversation.data['returnPhotos'] = { ...(kept && typeof kept === 'object' && !Array.isArray(kept) ? kept : {}), [rma.number]: photos };
  }
  await recordCase(ctx, {
    kind: 'return',
    reference: rma.number,
    orderNumber: rma.orderNumber,
    status: rma.status,
    summary: `return of ${lines.reduce((sum, line) => sum + line.qty, 0)} item(s) by ${rma.method}, reason: ${rma.reason}`,
    promises: [{ key: 'returns.refund_after', vars: { amount: { amount: rma.refundAmount, currency: rma.currency } }, dueAt: null, state: 'open' }],
  });
  const parts = [ctx.t('returns.created', { rma: rma.number })];
  if (rma.method === 'pickup' && rma.pickupDate) {
    parts.push(ctx.t('returns.pickup_on', { carrier: rma.label?.carrier ?? '', date: calendarDate(ctx, rma.pickupDate) }));
  } else if (rma.label) {
    parts.push(ctx.t('returns.label', { carrier: rma.label.carrier, url: rma.label.url }));
    if (rma.handOverBy) parts.push(ctx.t('returns.drop_off_by', { carrier: rma.label.carrier, date: calendarDate(ctx, rma.handOverBy) }));
  } else if (rma.handOverBy) {
    parts.push(ctx.t('returns.no_label', { date: calendarDate(ctx, rma.handOverBy) }));
  }
  parts.push(ctx.t('returns.write_number', { rma: rma.number }));
  parts.push(ctx.t('returns.refund_after', { amount: formatterFor(ctx).money(rma.refundAmount, rma.currency) }));
  ctx.say(parts.join('\n'));
  return ctx.end();
}

export const returnsDialog: Dialog = {
  id: RETURNS_DIALOG,
  version: 1,
  start: 'start',
  intents: ['return_request'],
  triggers: (ctx) => asksForReturn(ctx.text) && !asksForExchange(ctx.text),
  steps: {
    start: startFromRequest('returns.after_answer'),
    ...orderStepsForReturns,
    check,

    item: prompt<string>({
      slot: 'item',
      ask: (ctx) => ctx.ask(ctx.t(ctx.values['askAlways'] === true ? 'returns.ask_item_other' : 'returns.ask_item'), itemButtons(ctx)),
      parse: (ctx) => {
        const buttons = itemButtons(ctx);
        const chosen = parsers.choice(ctx, buttons) ?? matchItem(ctx, returnable(ctx), ctx.text)?.sku;
        if (chosen) return chosen;
        if (buttons.some((button) => button.value === 'all') && mentions(ctx, 'returns.keywords.all', ctx.text)) return 'all';
        if (ctx.values['askAlways'] === true && parsers.yesNo(ctx) === false) return 'none';
        return undefined;
      },
      invalid: (ctx) => ctx.say(ctx.t('returns.item_invalid')),
      then: (ctx, value) => {
        if (value === 'none') {
          ctx.say(ctx.t('returns.nothing_else'));
          return ctx.end();
        }
        if (value === 'all') {
          ctx.values['lines'] = returnable(ctx).map((option) => ({ sku: option.sku, qty: option.returnableQty }));
          return ctx.goto('reason');
        }
        return afterItem(ctx, value);
      },
    }),

    qty: prompt<number>({
      slot: 'qty',
      ask: (ctx) => {
        const option = optionOf(ctx, String(ctx.values['item']));
        const max = option?.returnableQty ?? 1;
        ctx.ask(ctx.t('returns.ask_qty', { name: option ? nameOf(ctx, option) : '', max }), qtyButtons(max));
      },
      parse: (ctx) => {
        const max = optionOf(ctx, String(ctx.values['item']))?.returnableQty ?? 1;
        if (mentions(ctx, 'returns.keywords.all', ctx.text)) return max;
        const count = parsers.wholeNumber(ctx);
        return count !== undefined && count >= 1 && count <= max ? count : undefined;
      },
      invalid: (ctx) => ctx.say(ctx.t('returns.qty_invalid', { max: optionOf(ctx, String(ctx.values['item']))?.returnableQty ?? 1 })),
      then: (ctx, qty) => {
        ctx.values['lines'] = [{ sku: String(ctx.values['item']), qty }];
        return ctx.goto('reason');
      },
    }),

    reason: prompt<string>({
      slot: 'reason',
      ask: (ctx) => ctx.ask(ctx.t('returns.ask_reason'), reasonButtons(ctx)),
      parse: (ctx) => parsers.choice(ctx, reasonButtons(ctx)) ?? reasonIn(ctx, ctx.text, true),
      // "The sneakers, they're defective" answers the item question and this one.
      prefill: (ctx) => reasonIn(ctx, ctx.text),
      invalid: (ctx) => ctx.say(ctx.t('returns.reason_invalid')),
      then: (ctx, reason) => (PHOTO_REASONS.has(reason) && channelTakesPhotos(ctx) ? ctx.goto('photo') : ctx.goto('method')),
    }),

    photo: prompt<number>({
      slot: 'photo',
      maxRetries: 1,
      ask: (ctx) => ctx.ask(ctx.t('returns.ask_photo'), [{ title: ctx.t('returns.skip_button'), value: 'skip' }]),
      parse: (ctx) => {
        const images = ctx.activity.attachments.length;
        if (images > 0) return images;
        const text = fold(ctx.text).trim();
        if (text === 'skip' || mentions(ctx, 'returns.keywords.skip', ctx.text) || parsers.yesNo(ctx) === false) return 0;
        return undefined;
      },
      invalid: (ctx) => ctx.say(ctx.t('returns.photo_missing')),
      then: (ctx, count) => {
        if (count > 0) {
          ctx.values['photos'] = ctx.activity.attachments.map((attachment) => ({
            contentType: attachment.contentType,
            ...(attachment.url ? { url: attachment.url } : {}),
            ...(attachment.name ? { name: attachment.name } : {}),
          }));
          ctx.say(ctx.t('returns.photo_thanks', { count }));
        }
        return ctx.goto('method');
      },
    }),

    method: prompt<string>({
      slot: 'method',
      ask: (ctx) => ctx.ask(ctx.t('returns.ask_method'), methodButtons(ctx)),
      parse: (ctx) => parsers.choice(ctx, methodButtons(ctx)) ?? firstMentioned(ctx, 'returns.keywords', METHODS, ctx.text),
      invalid: (ctx) => ctx.say(ctx.t('returns.method_invalid')),
      then: (ctx) => ctx.goto('confirm'),
    }),

    confirm: prompt<boolean>({
      slot: 'confirmed',
      ask: (ctx) => {
        const lines = linesOf(ctx);
        const items = lines
          .map((line) => {
            const option = optionOf(ctx, line.sku);
            return ctx.t('returns.summary_line', { qty: line.qty, name: option ? nameOf(ctx, option) : line.sku });
          })
          .join('\n');
        ctx.ask(
          ctx.t('returns.summary', {
            items,
            reason: ctx.t(`returns.reason.${String(ctx.values['reason'])}`),
            method: ctx.t(`returns.method.${String(ctx.values['method'])}`),
            amount: refundOf(ctx, lines),
          }),
          yesNoButtons(ctx, 'returns.confirm_button', 'returns.no'),
        );
      },
      parse: parsers.yesNo,
      invalid: (ctx) => ctx.say(ctx.t('returns.confirm_invalid')),
      then: createOnYes('returns.declined'),
    }),

    create,
  },
};
