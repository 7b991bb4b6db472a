import type { Button, CaseRecord, Dialog, StepContext, TurnContext } from '../../src/index.js';
import { casesOf, humanButton, promiseText } from '../../src/index.js';
import { formatterFor, shopOf } from '../shared/orders.js';
import { LINK_ACCOUNT_VALUE } from '../link-account/index.js';
import { wantsRefundStatus } from '../refund-status/index.js';

/**
 * "Any news?": the status of the customer's open cases (returns, exchanges, requests to a person or
 * about their data) from every channel their identity is proven on, refreshed from the shop, with the
 * promises still open; no order number asked. An unproven identity sees only its own cases and is
 * offered a code to prove who it is.
 */

const TRIGGERS: readonly RegExp[] = [
  // en
  /\b(?:any|some)\s+(?:news|updates?|progress)\b|\bwhat'?s the (?:latest|status)\b|\b(?:where|how) is my (?:return|exchange|request|case|ticket)\b|\bstatus of my (?:return|exchange|request|case|ticket)\b/i,
  // es
  /\b(?:alguna|hay|tienes?|ten[ée]is)\s+(?:novedad(?:es)?|noticias?)\b|\bc[oó]mo va (?:mi|la) (?:devoluci[oó]n|solicitud|cambio)|\bestado de (?:mi|la) (?:devoluci[oó]n|solicitud|cambio)/i,
  // fr
  /\bdes nouvelles\b|\bdu nouveau\b|\bo[uù] en est (?:mon|ma) (?:retour|[ée]change|demande|dossier)/i,
  // de
  /\b(?:gibt es |schon )?neuigkeiten\b|\bgibt es (?:was|etwas) neues\b|\b(?:wie ist der )?stand (?:meiner|meines|der|des) (?:r[üu]cksendung|umtauschs?|anfrage)|\bwas ist mit meiner (?:r[üu]cksendung|anfrage)/i,
  // ja
  /(?:何か|なにか)?(?:進展|進捗|最新情報)(?:は|あり)|どうなりました|その後(?:どう|いかが)|返品(?:の状況|はどうなって)/,
  // it ("novità": \b after a non-ASCII letter never matches, so the accented form ends the word itself)
  /\b(?:ci sono |qualche )?novit(?:à|a\b)|\bnotizie\b|\baggiornament[oi]\b|\ba che punto [èe] (?:il mio|la mia) (?:reso|cambio|richiesta)/i,
  // pt
  /\b(?:alguma|tem|h[áa]) (?:novidade|not[íi]cia|atualiza[çc][ãa]o)s?\b|\bcomo est[áa] (?:minha|meu|a|o) (?:devolu[çc][ãa]o|troca|pedido de devolu[çc][ãa]o|solicita[çc][ãa]o)/i,
  // zh (Hans and Hant)
  /有(?:什么|什麼)?(?:消息|进展|進展|更新)|(?:进展|進展|进度|進度)(?:如何|怎么样|怎麼樣)|(?:我的)?(?:退货|退貨|换货|換貨)(?:怎么样了|怎麼樣了|进度|進度|到哪)/,
];

/** "Any news?" — unless it is about a refund, which the refund-status flow answers in full. */
export function asksForNews(ctx: TurnContext): boolean {
  return TRIGGERS.some((pattern) => pattern.test(ctx.text)) && !wantsRefundStatus(ctx);
}

/** Cases shown in one answer; older ones are counted. */
const MAX_SHOWN = 3;

/** Returns and exchanges change in the shop (parcel received, refunded): read their state from there. */
async function refreshed(ctx: StepContext, record: CaseRecord): Promise<CaseRecord> {
  if (!record.open || !record.orderNumber || (record.kind !== 'return' && record.kind !== 'exchange')) return record;
  const order = await shopOf(ctx).findOrder(record.orderNumber);
  const current = record.kind === 'return' ? order?.returns.find((r) => r.number === record.reference) : order?.exchanges.find((e) => e.number === record.reference);
  if (!current || current.status === record.status) return record;
  const finished = ['refunded', 'rejected', 'shipped'].includes(current.status);
  const promises = record.promises.map((promise) => (finished && promise.state === 'open' ? { ...promise, state: current.status === 'rejected' ? ('broken' as const) : ('kept' as const) } : promise));
  const { version: _version, ...fields } = record;
  return ctx.stores.cases.upsert(record.id, () => ({ ...fields, status: current.status, open: !finished, promises, updatedAt: new Date(ctx.clock.now()).toISOString() }));
}

function describe(ctx: StepContext, record: CaseRecord): string {
  const stateKey = `cases.state.${record.status}`;
  const state = ctx.t(stateKey);
  return ctx.t(`cases.line.${record.kind}`, { reference: record.reference, order: record.orderNumber ?? '', state: state === stateKey ? record.status : state });
}

function nothingOpen(ctx: StepContext, proven: boolean, canSendCode: boolean): void {
  const buttons: Button[] = [
    { title: ctx.t('cases.track_button'), value: 'track order' },
    { title: ctx.t('cases.return_button'), value: 'return item' },
    humanButton(ctx),
  ];
  if (!proven && canSendCode) ctx.ask(ctx.t('cases.none_unverified'), [{ title: ctx.t('cases.confirm_button'), value: LINK_ACCOUNT_VALUE }, humanButton(ctx)]);
  else ctx.ask(ctx.t('cases.none'), buttons);
}

export const caseStatusDialog: Dialog = {
  id: 'case-status',
  version: 1,
  start: 'show',
  triggers: asksForNews,
  steps: {
    async show(ctx) {
      const all = await casesOf(ctx);
      const open = all.filter((record) => record.open);
      const current = await Promise.all(open.slice(0, MAX_SHOWN).map((record) => refreshed(ctx, record)));
      if (current.length === 0) {
        const proven = Boolean(ctx.customer.shopCustomerId);
        nothingOpen(ctx, proven, ctx.services.outbound?.canReach('email') === true || ctx.services.outbound?.canReach('sms') === true);
        return ctx.end();
      }
      const format = formatterFor(ctx);
      const lines = [ctx.t('cases.header')];
      for (const record of current) {
        lines.push(`• ${describe(ctx, record)}`);
        for (const promise of record.promises.filter((p) => p.state === 'open' && record.open)) lines.push(`  ${ctx.t('cases.promise', { promise: promiseText(ctx, promise, format) })}`);
      }
      if (open.length > MAX_SHOWN) lines.push(ctx.t('cases.more', { count: open.length - MAX_SHOWN }));
      ctx.ask(lines.join('\n'), [humanButton(ctx)]);
      return ctx.end();
    },
  },
};
