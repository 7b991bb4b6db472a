import type { JsonObject, JsonValue } from '../core/activity.js';
import type { TurnContext } from '../conversation/context.js';
import type { Formatter } from '../i18n/format.js';
import type { CaseKind, CasePromise, CaseRecord } from '../storage/records.js';
import { identityIdsOf } from './profiles.js';

/**
 * Cases: the work a customer has open with the shop (returns, exchanges, tickets with a person, privacy
 * requests), recorded by the dialogs that open them and read by every channel. A case belongs to the
 * identity that opened it; a profile sees the cases of all its proven identities, an unproven identity
 * only its own.
 */

export interface NewCase {
  kind: CaseKind;
  reference: string;
  orderNumber?: string | null;
  status: string;
  open?: boolean;
  summary: string;
  promises?: CasePromise[];
}

/** The case id: one per kind and reference, so recording it again (a re-run turn) replaces it. */
export function caseIdFor(kind: CaseKind, reference: string): string {
  return `${kind}:${reference}`;
}

/** Records (or updates) a case opened in this turn, for this conversation's identity. */
export function recordCase(ctx: TurnContext, input: NewCase): Promise<CaseRecord> {
  const now = new Date(ctx.clock.now()).toISOString();
  const id = caseIdFor(input.kind, input.reference);
  return ctx.stores.cases.upsert(id, (existing) => ({
    id,
    identityId: existing?.identityId ?? ctx.conversation.customerId,
    kind: input.kind,
    reference: input.reference,
    orderNumber: input.orderNumber ?? null,
    status: input.status,
    open: input.open ?? true,
    channel: existing?.channel ?? ctx.activity.channel,
    conversationId: existing?.conversationId ?? ctx.conversation.id,
    openedAt: existing?.openedAt ?? now,
    updatedAt: now,
    summary: input.summary,
    promises: input.promises ?? existing?.promises ?? [],
  }));
}

/** The cases this customer may see: every proven identity's for a profile, else only this identity's. */
export function casesOf(ctx: TurnContext, limit = 20): Promise<CaseRecord[]> {
  const ids = new Set(identityIdsOf(ctx.customer));
  // The conversation's own identity always counts, linked or not.
  ids.add(ctx.conversation.customerId);
  return ctx.stores.cases.ofIdentities([...ids], limit);
}

/** A money value kept in a promise's variables, formatted when shown (in the reader's locale). */
export interface MoneyVar extends JsonObject {
  amount: number;
  currency: string;
}

function isMoney(value: JsonValue | undefined): value is MoneyVar {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value['amount'] === 'number' && typeof value['currency'] === 'string';
}

/** A promise's sentence in the reader's language: money variables formatted, the rest as stored. */
export function promiseText(ctx: TurnContext, promise: CasePromise, format: Formatter): string {
  const vars: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(promise.vars)) {
    if (isMoney(value)) vars[name] = format.money(value.amount, value.currency);
    else if (typeof value === 'string' || typeof value === 'number') vars[name] = value;
  }
  return ctx.t(promise.key, vars);
}
