import type { Customer } from '../../src/commerce/types.js';
import type { Dialog, StepContext, TurnContext } from '../../src/index.js';
import { parsers, prompt } from '../../src/index.js';
import { checkCode, CODE_MAX_ATTEMPTS, newCode, pendingCode, typedCode, type PendingCode } from '../../src/identity/one-time-code.js';
import { linkProven, shopOf } from '../shared/orders.js';

/**
 * "It's me": proving on this channel that the customer holds the e-mail address or phone number on their
 * shop account, with a one-time code sent there. Once the code matches, this identity is linked to the
 * customer's profile and sees their orders and cases from every channel. The answer never says whether
 * an account exists for what was typed.
 */

/** The value of the "Confirm it's me" button other dialogs offer. */
export const LINK_ACCOUNT_VALUE = 'link my account';

const TRIGGERS: readonly RegExp[] = [
  /^link my account$|\b(?:link|connect|verify|confirm) (?:my )?(?:account|identity)\b|\bit'?s (?:really )?me\b/i,
  /\b(?:vincular|verificar|confirmar) (?:mi )?(?:cuenta|identidad)\b|\bsoy yo\b/i,
  /\b(?:lier|v[ée]rifier|confirmer) (?:mon )?(?:compte|identit[ée])\b|\bc'est (?:bien )?moi\b/i,
  /\b(?:konto|identit[äa]t) (?:verkn[üu]pfen|verifizieren|best[äa]tigen)\b|\bich bin es\b/i,
  /アカウント(?:を)?(?:連携|認証|確認)|本人確認/,
  /\b(?:collegare|verificare|confermare) (?:il mio )?(?:account|identit[àa])\b|\bsono io\b/i,
  /\b(?:vincular|verificar|confirmar) (?:minha )?(?:conta|identidade)\b|\bsou eu\b/i,
  /(?:绑定|綁定|验证|驗證|确认|確認)(?:我的)?(?:账户|賬戶|帳戶|账号|帳號|身份)|是我本人/,
];

function wantsToLink(ctx: TurnContext): boolean {
  return TRIGGERS.some((pattern) => pattern.test(ctx.text));
}

type Contact = { email: string } | { phone: string };

function contactOf(ctx: StepContext): Contact | undefined {
  const email = parsers.email(ctx);
  if (email) return { email };
  const phone = parsers.phone(ctx);
  return phone ? { phone } : undefined;
}

/** Where the code goes: the e-mail address, or the phone by SMS (else WhatsApp), if Meridian can reach it. */
function destination(ctx: StepContext, contact: Contact, customer: Customer | undefined): { address: string; channel: string } | undefined {
  const outbound = ctx.services.outbound;
  if (!outbound) return undefined;
  if ('email' in contact) return outbound.canReach('email') ? { address: `email:${customer?.email.toLowerCase() ?? contact.email}`, channel: 'email' } : undefined;
  const phone = customer?.phone ?? contact.phone;
  for (const channel of ['sms', 'whatsapp']) if (outbound.canReach(channel)) return { address: `${channel}:${phone}`, channel };
  return undefined;
}

const MAX_CODES_PER_DAY = 5;
const DAY_MS = 86_400_000;

function recentCodes(ctx: StepContext): number[] {
  const list = ctx.conversation.data['codesSent'];
  const now = ctx.clock.now();
  return Array.isArray(list) ? list.filter((at): at is number => typeof at === 'number' && now - at < DAY_MS) : [];
}

function pending(ctx: StepContext): PendingCode | undefined {
  const value = ctx.values['pending'];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as PendingCode) : undefined;
}

export const linkAccountDialog: Dialog = {
  id: 'link-account',
  version: 1,
  start: 'check',
  triggers: wantsToLink,
  steps: {
    check(ctx) {
      if (ctx.customer.shopCustomerId) {
        ctx.say(ctx.t('link.already'));
        return ctx.end();
      }
      return ctx.goto('contact');
    },
    contact: prompt({
      slot: 'contact',
      ask: (ctx) => ctx.say(ctx.t('link.ask_contact')),
      parse: (ctx) => contactOf(ctx),
      invalid: (ctx) => ctx.say(ctx.t('link.contact_invalid')),
      then: async (ctx, contact) => {
        delete ctx.values['contact'];
        // Three tries per code, and a few codes a day per conversation: guessing stays hopeless and
        // nobody's inbox can be flooded with codes from here.
        const sent = recentCodes(ctx);
        if (sent.length >= MAX_CODES_PER_DAY) {
          ctx.say(ctx.t('link.too_many'));
          return ctx.end();
        }
        ctx.conversation.data['codesSent'] = [...sent, ctx.clock.now()];
        const customer = await shopOf(ctx).findCustomer(contact);
        const target = destination(ctx, contact, customer);
        if (!target) {
          ctx.say(ctx.t('link.cannot_send'));
          return ctx.end();
        }
        const code = newCode();
        // Unknown contacts get the same answer and a code that can never match: nothing tells them apart.
        ctx.values['pending'] = pendingCode(customer ? code : `x${code}`, customer?.id ?? '', target.channel, ctx.clock.now());
        // In the conversation's language: the person reading the code is the one typing here.
        if (customer) await ctx.services.outbound?.send(target.address, { text: ctx.t('link.code_message', { code }) }, ctx.locale, `${ctx.idempotencyKey}:code`);
        ctx.say(ctx.t('link.code_sent'));
        return ctx.goto('code');
      },
    }),
    code: prompt({
      slot: 'code',
      maxRetries: 3,
      ask: () => undefined,
      parse: (ctx) => typedCode(ctx.text),
      invalid: (ctx) => ctx.say(ctx.t('link.code_invalid')),
      then: async (ctx, typed) => {
        delete ctx.values['code'];
        const waiting = pending(ctx);
        const verdict = waiting ? checkCode(waiting, typed, ctx.clock.now()) : 'expired';
        if (verdict === 'ok' && waiting) {
          const customer = await shopOf(ctx).findCustomer({ id: waiting.shopCustomerId });
          if (customer) {
            await linkProven(ctx, customer, 'one_time_code');
            ctx.say(ctx.t('link.linked'));
            return ctx.end();
          }
        }
        if (verdict === 'wrong' && waiting && waiting.attempts + 1 < CODE_MAX_ATTEMPTS) {
          ctx.values['pending'] = { ...waiting, attempts: waiting.attempts + 1 };
          ctx.say(ctx.t('link.code_wrong'));
          return ctx.stay();
        }
        ctx.say(ctx.t('link.code_expired'));
        return ctx.end();
      },
    }),
  },
};
