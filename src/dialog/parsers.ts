import type { Button } from '../core/activity.js';
import type { TurnContext } from '../conversation/context.js';
import type { Entity, EntityType } from '../nlu/types.js';

/**
 * Reading answers out of a message. Parsers prefer what the NLU found (entities) and fall back to
 * patterns, so prompts work with or without an NLU engine configured.
 */

function entity(ctx: TurnContext, type: EntityType): Entity | undefined {
  return ctx.nlu?.entities.find((candidate) => candidate.type === type);
}

const ORDER_NUMBER = /(?:^|[^\p{L}\p{N}])#?([A-Z]{1,3}-?\d{3,10}|\d{4,10})(?=$|[^\p{L}\p{N}])/iu;
const EMAIL = /[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>().,;:!?]{2,}/u;

export function orderNumber(ctx: TurnContext): string | undefined {
  const found = entity(ctx, 'order_number');
  if (found) return String(found.value);
  const match = ORDER_NUMBER.exec(ctx.text);
  return match?.[1] ? match[1].replace('-', '').toUpperCase() : undefined;
}

export function email(ctx: TurnContext): string | undefined {
  const found = entity(ctx, 'email');
  if (found) return String(found.value).toLowerCase();
  return EMAIL.exec(ctx.text)?.[0].toLowerCase();
}

/** A phone number in E.164 (+4915123456789): the NLU's entity, else a number typed with its country code. */
export function phone(ctx: TurnContext): string | undefined {
  const found = entity(ctx, 'phone');
  if (found) return String(found.value);
  const compact = ctx.text.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : undefined;
}

export function wholeNumber(ctx: TurnContext): number | undefined {
  const match = /^\D*?(\d{1,6})\D*$/u.exec(ctx.text.trim());
  return match?.[1] ? Number(match[1]) : undefined;
}

export function isoDate(ctx: TurnContext): string | undefined {
  const found = entity(ctx, 'date');
  return found ? String(found.value) : undefined;
}

export function freeText(ctx: TurnContext): string | undefined {
  const text = ctx.text.trim();
  return text.length > 0 ? text : undefined;
}

function words(ctx: TurnContext, key: string): string[] {
  const list = ctx.t(key);
  return list === key ? [] : list.split('|').map((word) => normalize(word)).filter(Boolean);
}

export function normalize(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\s!?.¡¿。！？、,，]+/gu, ' ')
    .trim();
}

// Words that mean yes or no whatever the conversation's language (customers mix).
const UNIVERSAL_YES = ['yes', 'y', 'ok', 'okay', 'sí', 'si', 'oui', 'ja', 'はい', '是', '好', 'sim', '👍'];
const UNIVERSAL_NO = ['no', 'n', 'non', 'nein', 'いいえ', '不', '不是', '否', 'não', 'nao', '👎'];

/** true for yes, false for no, undefined when the message is neither. */
export function yesNo(ctx: TurnContext): boolean | undefined {
  const text = normalize(ctx.text);
  if (text === 'yes' || text === 'no') return text === 'yes';
  const yes = [...words(ctx, 'keywords.yes'), ...UNIVERSAL_YES];
  const no = [...words(ctx, 'keywords.no'), ...UNIVERSAL_NO];
  if (yes.includes(text)) return true;
  if (no.includes(text)) return false;
  const startsWith = (list: string[]) => list.some((word) => text.startsWith(`${word} `));
  if (startsWith(no)) return false;
  if (startsWith(yes)) return true;
  return undefined;
}

/** The value of the chosen button: by value, title, or number (the choice middleware maps numbers and titles). */
export function choice(ctx: TurnContext, buttons: readonly Button[]): string | undefined {
  const text = normalize(ctx.text);
  const byNumber = /^\d{1,2}$/.test(text) ? buttons[Number(text) - 1] : undefined;
  const chosen = byNumber ?? buttons.find((button) => normalize(button.value) === text || normalize(button.title) === text);
  return chosen?.value;
}

/** Whether the message is one of the catalog's words for a key, in the conversation's language or any other. */
export function isKeyword(ctx: TurnContext, key: string, allLanguages: ReadonlySet<string>): boolean {
  const text = normalize(ctx.text);
  return words(ctx, key).includes(text) || allLanguages.has(text);
}
