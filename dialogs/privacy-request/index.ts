import { randomBytes } from 'node:crypto';
import type { Dialog, StepContext, TurnContext } from '../../src/index.js';
import { parsers, prompt, recordCase, yesNoButtons } from '../../src/index.js';

/**
 * "Delete my data" / "send me my data", in every launch language: the rights of erasure and access asked
 * for in chat. The request comes from the identity it is about (the WhatsApp number, e-mail address or
 * chat session itself, and every identity proven to be the same customer), so confirming it here is the
 * verification. Erasure is carried out by the privacy job (src/privacy/requests.ts) shortly after; a
 * request for a copy goes to the team, who send the export to a confirmed contact.
 */

// Any form of the verb (borra, borréis, supprimez, cancellate...) before the data words.
const ERASE: readonly RegExp[] = [
  /\b(?:delete|erase|remove|wipe)\p{L}*\b.*\b(?:data|details|information|account|everything about me)\b|\bright to (?:be forgotten|erasure)\b/iu,
  /\b(?:borr|elimin|suprim)\p{L}*\b.*\b(?:datos|informaci[oó]n|cuenta)\b|derecho al olvido/iu,
  /\b(?:supprim|effac)\p{L}*\b.*\b(?:donn[ée]es|informations|compte)\b|droit à l'oubli/iu,
  /\b(?:daten|informationen|konto)\b.*\bl[öo]sch|\bl[öo]sch\p{L}*\b.*\b(?:daten|informationen|konto)\b|recht auf l[öo]schung/iu,
  /(?:データ|個人情報|アカウント)(?:を|の)?(?:全部|すべて)?(?:削除|消去|消して)/u,
  /\b(?:cancell|elimin|rimuov)\p{L}*\b.*\b(?:dati|informazioni|account)\b|diritto all'oblio/iu,
  /\b(?:apag|exclu|delet|remov)\p{L}*\b.*\b(?:dados|informa[çc][õo]es|conta)\b|direito ao esquecimento/iu,
  // zh also with the object first, as in 把我的个人信息都删掉.
  /(?:删除|刪除|清除)(?:我的)?(?:所有)?(?:数据|數據|资料|資料|个人信息|個人資訊|账户|帳戶)|(?:数据|數據|资料|資料|个人信息|個人資訊|个人资料|個人資料|我的信息|我的資訊|账户|帳戶|账号|帳號)(?:全部|都|全都)?(?:删除|刪除|删掉|刪掉|删了|刪了|清除|清空)/u,
];

const EXPORT: readonly RegExp[] = [
  /\b(?:copy|export|download)\b.*\b(?:my )?(?:data|information)\b|\bwhat (?:data|information) do you (?:have|hold|keep)\b|\bsubject access request\b/i,
  /\b(?:copia|exportar|descargar)\b.*\b(?:mis )?datos\b|qu[eé] datos (?:ten[eé]is|tienen|tienes)/i,
  /\b(?:copie|exporter|t[ée]l[ée]charger)\b.*\b(?:mes )?donn[ée]es\b|quelles donn[ée]es (?:avez-vous|conservez-vous)/i,
  /\b(?:kopie|auskunft|exportieren|herunterladen)\b.*\b(?:meine[rn]? )?daten\b|welche daten (?:habt ihr|haben sie|speichert ihr)/i,
  /(?:私の)?(?:データ|個人情報)(?:の)?(?:コピー|開示|エクスポート|ダウンロード)/,
  /\b(?:copia|esportare|scaricare)\b.*\b(?:i miei )?dati\b|quali dati (?:avete|conservate)/i,
  /\b(?:c[óo]pia|exportar|baixar)\b.*\b(?:meus )?dados\b|quais dados (?:voc[êe]s t[êe]m|guardam)/i,
  /(?:导出|導出|下载|下載|复制|複製|副本)(?:我的)?(?:数据|數據|资料|資料|个人信息|個人資訊)|(?:数据|數據|资料|資料|个人信息|個人資訊)(?:的)?(?:副本|拷贝|拷貝)|(?:你们|你們)(?:有|保存了)(?:我)?(?:哪些|什么|什麼)(?:数据|數據|资料|資料)/,
];

const matches = (patterns: readonly RegExp[], ctx: TurnContext) => patterns.some((pattern) => pattern.test(ctx.text));

function reference(): string {
  return `PR-${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** The erasure promise: the privacy job runs every minute by default; this is the commitment to the customer. */
const ERASURE_HOURS = 24;

async function recordErasure(ctx: StepContext) {
  const ref = reference();
  await recordCase(ctx, { kind: 'privacy_erasure', reference: ref, status: 'verified', summary: 'erasure requested in chat and confirmed by the customer' });
  ctx.say(ctx.t('privacy.erase_recorded', { reference: ref, hours: ERASURE_HOURS }));
  return ctx.end();
}

async function recordAccess(ctx: StepContext) {
  const ref = reference();
  await recordCase(ctx, { kind: 'privacy_access', reference: ref, status: 'open', summary: 'copy of personal data requested in chat' });
  ctx.say(ctx.t('privacy.export_recorded', { reference: ref }));
  return ctx.end();
}

export const privacyRequestDialog: Dialog = {
  id: 'privacy-request',
  version: 1,
  start: 'start',
  intents: ['privacy_request'],
  minConfidence: 0.6,
  triggers: (ctx) => matches(ERASE, ctx) || matches(EXPORT, ctx),
  steps: {
    start(ctx) {
      if (matches(ERASE, ctx)) return ctx.goto('confirm');
      if (matches(EXPORT, ctx)) return ctx.goto('access');
      return ctx.goto('choice');
    },
    choice: prompt({
      slot: 'choice',
      ask: (ctx) =>
        ctx.ask(ctx.t('privacy.request_choice'), [
          { title: ctx.t('privacy.erase_button'), value: 'erase' },
          { title: ctx.t('privacy.export_button'), value: 'export' },
        ]),
      parse: (ctx) => (ctx.text === 'erase' || matches(ERASE, ctx) ? 'erase' : ctx.text === 'export' || matches(EXPORT, ctx) ? 'export' : undefined),
      then: (ctx, choice) => ctx.goto(choice === 'erase' ? 'confirm' : 'access'),
    }),
    access: (ctx) => recordAccess(ctx),
    confirm: prompt({
      slot: 'confirmed',
      ask: (ctx) => ctx.ask(ctx.t('privacy.erase_confirm'), yesNoButtons(ctx, 'privacy.erase_yes', 'privacy.erase_no')),
      parse: parsers.yesNo,
      then: (ctx, yes) => {
        if (!yes) {
          ctx.say(ctx.t('privacy.kept'));
          return ctx.end();
        }
        return recordErasure(ctx);
      },
    }),
  },
};
