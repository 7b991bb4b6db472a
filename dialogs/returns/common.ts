/**
 * What the returns and exchanges dialogs share: reading keywords from the catalogs, finding which item
 * of an order a customer means ("the blue shirt", "die T-Shirts", "青いシャツ"), which size or colour
 * they want instead, and formatting the shop's calendar dates.
 */
import type { Entity, JsonObject, JsonValue, Order, Product, ReturnEligibility, StepContext, StepOutcome, TurnContext } from '../../src/index.js';
import { capabilitiesFor, humanButton, localizedName, parsers, yesNoButtons } from '../../src/index.js';
import { createEntityExtractor } from '../../src/nlu/entities/index.js';
import { findAnswer, sayAnswer } from '../faq/index.js';
import { formatterFor, shopOf } from '../shared/orders.js';

/** Without the NLU middleware, the same extractor reads colours and sizes, so the flows work either way. */
const fallbackExtractor = createEntityExtractor();

/** Entities of a text: the NLU's when it parsed this very text, else our own extraction. */
export function entitiesOf(ctx: TurnContext, text: string): Entity[] {
  if (ctx.nlu && ctx.nlu.text === text) return ctx.nlu.entities;
  return text.trim() ? fallbackExtractor.extract(text, ctx.locale) : [];
}

/** Lower case, full-width folded, Latin accents removed (CJK kana keep their marks), one kind of apostrophe. */
export function fold(text: string): string {
  return text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/[’‘`´]/g, "'")
    .toLowerCase();
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the (folded) text contains the phrase: as a substring for CJK, as whole words otherwise. */
export function hasPhrase(folded: string, phrase: string): boolean {
  const wanted = fold(phrase).trim();
  if (!wanted) return false;
  if (CJK.test(wanted)) return folded.includes(wanted);
  // A plural ending on the last word still counts ("different from the pictures").
  return new RegExp(`(?<![\\p{L}\\p{N}])${escape(wanted).replace(/\s+/g, '\\s+')}(?:e?s)?(?![\\p{L}\\p{N}])`, 'u').test(folded);
}

/** The `|`-separated words of a catalog key in the conversation's language (none when the key is missing). */
export function keywords(ctx: TurnContext, key: string): string[] {
  const list = ctx.t(key);
  return list === key ? [] : list.split('|').map((word) => word.trim()).filter(Boolean);
}

export function mentions(ctx: TurnContext, key: string, text: string): boolean {
  const folded = fold(text);
  return keywords(ctx, key).some((word) => hasPhrase(folded, word));
}

/** The first of `candidates` whose keywords (`<prefix>.<candidate>`) the text mentions. */
export function firstMentioned<T extends string>(ctx: TurnContext, prefix: string, candidates: readonly T[], text: string): T | undefined {
  return candidates.find((candidate) => mentions(ctx, `${prefix}.${candidate}`, text));
}

/** Whether the customer can send a photo on this channel (web chat, WhatsApp, e-mail; not SMS or voice). */
export function channelTakesPhotos(ctx: TurnContext): boolean {
  const caps = capabilitiesFor(ctx.activity.channel);
  return caps.attachments && !caps.voice;
}

/** A calendar date of the shop (YYYY-MM-DD) in the customer's words: "10 December 2026", "2026年12月10日". */
export function calendarDate(ctx: TurnContext, day: string): string {
  // The catalog picks the style its sentences need: Italian uses the weekday ("entro venerdì 11 dicembre")
  // so that no article has to agree with the day ("l'11", "il 12").
  const wanted = ctx.t('returns.date_style');
  const style = wanted === 'full' || wanted === 'medium' ? wanted : 'long';
  return formatterFor(ctx, 'UTC').date(`${day.slice(0, 10)}T12:00:00Z`, style);
}

export function money(ctx: TurnContext, amount: number, currency: string): string {
  return formatterFor(ctx).money(amount, currency);
}

// The buttons returns and exchanges share come from the dialog kit.
export { humanButton, yesNoButtons };

// ---------------------------------------------------------------------------------------------------
// Order lines as options the customer picks from.

/** One line of an order as the dialogs keep it in their values (JSON). */
export interface ItemOption {
  sku: string;
  names: Record<string, string>;
  color: string | null;
  size: string | null;
  /** Canonical colours (blue, gray...) read from the product's names in every language. */
  colors: string[];
  unitPrice: number;
  currency: string;
  ordered: number;
  /** Units not yet in a return or exchange. */
  remaining: number;
  /** Units that may be returned now. */
  returnableQty: number;
  returnable: boolean;
  exchangeable: boolean;
  /** final_sale, already_returned, unknown_product, or not_exchangeable. */
  blocked: string | null;
}

/** Colours the product's names mention, in any language ("heather grey" -> gray, "verde oliva" -> green). */
function colorsOf(names: Record<string, string>, color: string | null): string[] {
  const found = new Set<string>();
  const texts: [string, string][] = [...Object.entries(names)];
  if (color) texts.push(['en', color]);
  for (const [lang, text] of texts) {
    for (const entity of fallbackExtractor.extract(text, lang)) if (entity.type === 'color') found.add(String(entity.value));
  }
  return [...found];
}

function nameMap(product: Product | undefined, sku: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [lang, name] of Object.entries(product?.name ?? {})) if (typeof name === 'string') names[lang] = name;
  if (Object.keys(names).length === 0) names['en'] = sku;
  return names;
}

export async function productOption(ctx: TurnContext, sku: string): Promise<Pick<ItemOption, 'sku' | 'names' | 'color' | 'size' | 'colors'>> {
  const product = await shopOf(ctx).product(sku);
  const names = nameMap(product, sku);
  return { sku: product?.sku ?? sku, names, color: product?.color ?? null, size: product?.size ?? null, colors: colorsOf(names, product?.color ?? null) };
}

/** Every line of the order with what may be done with it. */
export async function orderOptions(ctx: TurnContext, order: Order, eligibility: ReturnEligibility): Promise<ItemOption[]> {
  const shop = shopOf(ctx);
  const options: ItemOption[] = [];
  for (const item of eligibility.items) {
    const product = await shop.product(item.sku);
    const line = order.items.find((candidate) => candidate.sku === item.sku);
    const names = nameMap(product, item.sku);
    const exchangeBlock = item.exchangeable ? null : product && !product.exchangeable ? (product.returnable ? 'not_exchangeable' : 'final_sale') : item.reason;
    options.push({
      sku: item.sku,
      names,
      color: product?.color ?? null,
      size: product?.size ?? null,
      colors: colorsOf(names, product?.color ?? null),
      unitPrice: line?.unitPrice ?? 0,
      currency: order.currency,
      ordered: item.ordered,
      remaining: Math.max(0, item.ordered - item.returned),
      returnableQty: item.returnableQty,
      returnable: item.returnable,
      exchangeable: item.exchangeable,
      blocked: item.returnable ? exchangeBlock : item.reason,
    });
  }
  return options;
}

export function saveOptions(ctx: StepContext, key: string, options: readonly object[]): void {
  ctx.values[key] = options as unknown as JsonValue;
}

export function readOptions<T extends object>(values: JsonObject, key: string): T[] {
  const list = values[key];
  return Array.isArray(list) ? (list as unknown as T[]) : [];
}

/** The product's name in the conversation's language (es-MX -> es -> en). */
export function nameOf(ctx: TurnContext, option: Pick<ItemOption, 'names' | 'sku'>): string {
  return localizedName({ name: option.names, sku: option.sku }, ctx.locale);
}

// ---------------------------------------------------------------------------------------------------
// Which item does the customer mean?

const STOPWORDS = new Set([
  'the', 'and', 'for', 'with', 'aus', 'und', 'mit', 'con', 'per', 'com', 'pour', 'avec', 'des', 'les', 'der', 'die', 'das', 'del', 'della', 'tipo',
  'lot', 'paar', 'paia', 'pares', 'pairs', 'bio', 'size', 'one',
]);

function words(folded: string): Set<string> {
  const out = new Set<string>();
  // Apostrophes separate words too: "l'écharpe", "dell'ordine".
  for (const word of folded.split(/[^\p{L}\p{N}-]+/u)) {
    if (!word) continue;
    out.add(word);
    if (word.includes('-')) for (const part of word.split('-')) if (part) out.add(part);
  }
  return out;
}

function latinTokens(folded: string): Set<string> {
  const out = new Set<string>();
  for (const word of words(folded)) if (word.length >= 3 && !/\d/.test(word) && !CJK.test(word) && !STOPWORDS.has(word)) out.add(word);
  return out;
}

function cjkSegments(name: string): string[] {
  return fold(name)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((segment) => CJK.test(segment));
}

/** Longest run of 2+ characters a segment shares with the text (シャツ in オックスフォードシャツ). */
function sharesCjk(folded: string, segment: string): boolean {
  for (let length = Math.min(segment.length, 6); length >= 2; length--) {
    for (let start = 0; start + length <= segment.length; start++) {
      const piece = segment.slice(start, start + length);
      if (CJK.test(piece) && folded.includes(piece)) return true;
    }
  }
  return false;
}

function plural(word: string, seen: Set<string>): boolean {
  return seen.has(word) || seen.has(`${word}s`) || seen.has(`${word}es`) || (word.endsWith('s') && seen.has(word.slice(0, -1)));
}

/** How many words of the product's names (any language) the text uses. */
function nameScore(folded: string, names: Record<string, string>): number {
  const seen = words(folded);
  let best = 0;
  for (const name of Object.values(names)) {
    let score = 0;
    for (const token of latinTokens(fold(name))) if (plural(token, seen)) score++;
    for (const segment of cjkSegments(name)) if (sharesCjk(folded, segment)) score++;
    best = Math.max(best, score);
  }
  return best;
}

export function normalizeSize(size: string): string {
  return size.toUpperCase().replace(/^EU\s*/, '').replace(/\s+/g, ' ').trim();
}

/** Whether the text names this size ("42", "size M", "Lサイズ"). */
export function mentionsSize(ctx: TurnContext, text: string, size: string | null): boolean {
  return sizeMentioned(fold(text), sizesIn(ctx, text, entitiesOf(ctx, text)), size);
}

/** Brazilian letter sizes: P, M, G, GG. */
const PT_SIZES: Record<string, string> = { pp: 'XS', p: 'S', m: 'M', g: 'L', gg: 'XL' };

function sizesIn(ctx: TurnContext, text: string, entities: readonly Entity[]): Set<string> {
  const sizes = new Set<string>();
  for (const entity of entities) if (entity.type === 'size') sizes.add(normalizeSize(String(entity.value)));
  const folded = fold(text);
  const bare = /^\D*?(\d{2}(?:[.,]5)?)\D*$/u.exec(folded);
  if (bare?.[1] && !/[a-z]\d|\d{3}/i.test(folded)) sizes.add(bare[1].replace(',', '.'));
  // "in L", "an M", "talla S": a lone letter size after a small word, or a message of a few words.
  const letter = /(?:^|[\s,])(?:(?:in|an|a|for|to|into|size|en|la|el|una|un|une|taille|talla|grosse|große|größe|taglia|tamanho|em|um|uma|de|di|da|auf|eine|ein|the|le|il|o)\s+)(xxs|xs|s|m|l|xl|xxl|xxxl)(?=$|[\s,.!?])/u.exec(folded);
  const short = folded.split(/\s+/).length <= 3 ? /(?:^|\s)(xxs|xs|s|m|l|xl|xxl|xxxl)(?=$|[\s,.!?])/u.exec(folded) : null;
  const found = letter?.[1] ?? short?.[1];
  if (found) sizes.add(found.toUpperCase());
  if (ctx.locale.startsWith('pt')) {
    const pt = /(?:tamanho|tam\.?)\s*(pp|p|m|g|gg)(?![\p{L}])/u.exec(folded);
    if (pt?.[1]) sizes.add(PT_SIZES[pt[1]] ?? pt[1].toUpperCase());
  }
  return sizes;
}

function colorsIn(entities: readonly Entity[]): Set<string> {
  return new Set(entities.filter((entity) => entity.type === 'color').map((entity) => String(entity.value)));
}

function sizeMentioned(folded: string, sizes: Set<string>, size: string | null): boolean {
  if (!size) return false;
  const normalized = normalizeSize(size);
  if (sizes.has(normalized)) return true;
  // Jeans: "W32" or "W32 L32" written out.
  const first = normalized.split(' ')[0] ?? '';
  return /^W\d{2}$/.test(first) && hasPhrase(folded, first);
}

function skuMentioned(ctx: TurnContext, text: string, entities: readonly Entity[], sku: string): boolean {
  if (entities.some((entity) => (entity.type === 'sku' || entity.type === 'product') && String(entity.value).toUpperCase() === sku.toUpperCase())) return true;
  return fold(text).includes(fold(sku));
}

/**
 * The order line the text is about: its SKU or product entity, else the best unique score of name words,
 * colour and size ("the blue shirt", "las zapatillas", "青いシャツ"). Undefined when nothing or several fit.
 */
export function matchItem<T extends Pick<ItemOption, 'sku' | 'names' | 'colors' | 'size'>>(ctx: TurnContext, options: readonly T[], text: string): T | undefined {
  if (!text.trim() || options.length === 0) return undefined;
  const entities = entitiesOf(ctx, text);
  const direct = options.find((option) => skuMentioned(ctx, text, entities, option.sku));
  if (direct) return direct;
  const folded = fold(text);
  const colors = colorsIn(entities);
  const sizes = sizesIn(ctx, text, entities);
  const scored = options.map((option) => {
    let score = nameScore(folded, option.names);
    if (option.colors.some((color) => colors.has(color))) score += 2;
    if (sizeMentioned(folded, sizes, option.size)) score += 1;
    return { option, score };
  });
  const best = Math.max(...scored.map((entry) => entry.score));
  if (best <= 0) return undefined;
  const top = scored.filter((entry) => entry.score === best);
  return top.length === 1 ? top[0]?.option : undefined;
}

/**
 * The variant the customer wants instead of `current`: a size or colour that differs from the current
 * one ("in L", "talla 44", "the black ones"); what they leave unsaid stays as it is.
 */
export function matchVariant<T extends Pick<ItemOption, 'sku' | 'color' | 'colors' | 'size'>>(
  ctx: TurnContext,
  variants: readonly T[],
  current: Pick<ItemOption, 'color' | 'colors' | 'size'>,
  text: string,
): T | undefined {
  if (!text.trim() || variants.length === 0) return undefined;
  const entities = entitiesOf(ctx, text);
  const direct = variants.find((variant) => skuMentioned(ctx, text, entities, variant.sku));
  if (direct) return direct;
  const folded = fold(text);
  const colors = colorsIn(entities);
  const sizes = sizesIn(ctx, text, entities);
  // Colours the vocabulary does not know (indigo, coral) still compare by the shop's own colour name.
  const sameColor = (variant: T) =>
    (variant.color ?? '').toLowerCase() === (current.color ?? '').toLowerCase() || variant.colors.some((color) => current.colors.includes(color));
  const sameSize = (variant: T) => (variant.size ?? '') === (current.size ?? '');
  const scored = variants.map((variant) => {
    const sizeMatch = sizeMentioned(folded, sizes, variant.size);
    const colorMatch = variant.colors.some((color) => colors.has(color));
    const asked = (sizeMatch && !sameSize(variant) ? 3 : 0) + (colorMatch && !sameColor(variant) ? 3 : 0);
    if (asked === 0) return { variant, score: 0 };
    // What the customer did not ask to change stays as it is: "in L" keeps the colour.
    const keepsColor = sameColor(variant) && (colors.size === 0 || colorMatch) ? 1 : 0;
    const keepsSize = sameSize(variant) && (sizes.size === 0 || sizeMatch) ? 1 : 0;
    return { variant, score: asked + keepsColor + keepsSize };
  });
  const best = Math.max(...scored.map((entry) => entry.score));
  if (best <= 0) return undefined;
  const top = scored.filter((entry) => entry.score === best);
  return top.length === 1 ? top[0]?.variant : undefined;
}

// ---------------------------------------------------------------------------------------------------
// The customer's first message.

/**
 * "What is your return policy?" starts the flow too (by keyword or intent). A question without an order
 * number gets the knowledge base's answer first, then `followUpKey` invites the order number.
 */
export async function answeredQuestion(ctx: StepContext, followUpKey: string): Promise<boolean> {
  const question = /[?？]/u.test(ctx.input) || mentions(ctx, 'returns.keywords.question', ctx.input);
  if (!question || parsers.orderNumber(ctx) !== undefined) return false;
  const answer = await findAnswer(ctx);
  if (!answer) return false;
  sayAnswer(ctx, answer);
  ctx.say(ctx.t(followUpKey));
  return true;
}

/** The customer's first message of the flow, kept to fill later questions from it after verification. */
export function rememberRequest(ctx: StepContext): void {
  if (typeof ctx.values['request'] !== 'string') ctx.values['request'] = ctx.input;
}

export function requestOf(ctx: StepContext): string {
  const request = ctx.values['request'];
  return typeof request === 'string' ? request : '';
}

/** After a summary question: yes goes on to the `create` step, no says `declinedKey` and ends. */
export function createOnYes(declinedKey: string): (ctx: StepContext, yes: boolean) => StepOutcome {
  return (ctx, yes) => {
    if (!yes) {
      ctx.say(ctx.t(declinedKey));
      return ctx.end();
    }
    return ctx.goto('create');
  };
}

/**
 * Loads the order and its return eligibility for the returns and exchanges flows. When the order is
 * gone, cancelled, not (fully) delivered or past the window, it says so with `<prefix>.blocked.*` and
 * gives undefined: the caller ends the dialog.
 */
export async function eligibleOrder(
  ctx: StepContext,
  prefix: 'returns' | 'exchanges',
): Promise<{ order: Order; eligibility: ReturnEligibility; vars: { order: string; days: number } } | undefined> {
  const shop = shopOf(ctx);
  const orderNumber = String(ctx.values['order']);
  const order = await shop.findOrder(orderNumber);
  if (!order) {
    ctx.say(ctx.t('orders.not_found', { order: orderNumber }));
    return undefined;
  }
  const [eligibility, info] = await Promise.all([shop.returnEligibility(order), shop.info()]);
  const vars = { order: order.number, days: info.returnWindowDays };
  switch (eligibility.reason) {
    case 'order_cancelled':
      ctx.say(ctx.t(`${prefix}.blocked.order_cancelled`, vars));
      return undefined;
    case 'not_delivered': {
      const partly = order.shipments.some((shipment) => shipment.status === 'delivered');
      ctx.say(ctx.t(partly ? `${prefix}.blocked.partly_delivered` : `${prefix}.blocked.not_delivered`, vars));
      return undefined;
    }
    case 'window_expired':
      ctx.ask(
        ctx.t(`${prefix}.blocked.window_expired`, {
          ...vars,
          date: calendarDate(ctx, eligibility.lastDay ?? ''),
          delivered: calendarDate(ctx, eligibility.deliveredOn ?? ''),
        }),
        [humanButton(ctx)],
      );
      return undefined;
    default:
      return { order, eligibility, vars };
  }
}

/** The first step of returns and exchanges: keep the request for later, answer a question first if it is one. */
export function startFromRequest(followUpKey: string): (ctx: StepContext) => Promise<StepOutcome> {
  return async (ctx) => {
    rememberRequest(ctx);
    if (await answeredQuestion(ctx, followUpKey)) return ctx.wait('order');
    return ctx.goto('order');
  };
}
