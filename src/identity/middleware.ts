import type { Middleware } from '../core/compose.js';
import { describeError, MeridianError } from '../core/errors.js';
import type { TurnContext } from '../conversation/context.js';
import type { CustomerQuery } from '../commerce/types.js';
import { linkIdentity } from './profiles.js';
import { recordCase } from './cases.js';

/** How long a "this phone is not on file" answer is trusted before the shop is asked again. */
const RECHECK_MS = 24 * 3_600_000;

/** The contact the channel itself vouches for: the WhatsApp/SMS/voice number or the e-mail sender. */
export function channelContactOf(channel: string, address: string): { phone: string } | { email: string } | undefined {
  const id = address.slice(address.indexOf(':') + 1);
  if (channel === 'whatsapp' || channel === 'sms' || channel === 'voice') return { phone: id };
  if (channel === 'email') return { email: id.toLowerCase() };
  return undefined;
}

/**
 * Links the sender's identity into a shop customer's profile when there is proof: a signed login token
 * the adapter verified, or a WhatsApp/SMS number or e-mail address the shop has on file
 * for a customer. Runs before the dialogs, so the first message of a known customer already sees their
 * profile. A shop that cannot be reached costs the link, never the turn.
 */
export const identityMiddleware: Middleware<TurnContext> = async (ctx, next) => {
  const shop = ctx.services.shop;
  if (shop && !ctx.customer.shopCustomerId) {
    try {
      const proof = ctx.activity.identityProof;
      if (proof) {
        const customer = await shop.findCustomer({ id: proof.shopCustomerId });
        if (customer) ctx.customer = await linkIdentity(ctx.stores, { address: ctx.activity.address, shopCustomer: customer, method: 'signed_token', by: 'customer', clock: ctx.clock, conversationId: ctx.conversation.id });
        else ctx.log.warn('a signed identity token names a customer the shop does not know');
      } else {
        await linkByChannelContact(ctx, shop.findCustomer.bind(shop));
      }
    } catch (error) {
      if (error instanceof MeridianError && error.code === 'identity_conflict') ctx.log.warn({ reason: error.message }, 'identity not linked');
      else ctx.log.warn({ err: describeError(error) }, 'identity check failed; continuing without a profile');
    }
  }
  await next();
};

async function linkByChannelContact(ctx: TurnContext, findCustomer: (query: CustomerQuery) => ReturnType<NonNullable<TurnContext['services']['shop']>['findCustomer']>): Promise<void> {
  const contact = channelContactOf(ctx.activity.channel, ctx.activity.address);
  if (!contact) return;
  const checkedAt = ctx.conversation.data['identityCheckedAt'];
  if (typeof checkedAt === 'number' && ctx.clock.now() - checkedAt < RECHECK_MS) return;
  ctx.conversation.data['identityCheckedAt'] = ctx.clock.now();
  const customer = await findCustomer(contact);
  if (!customer) return;
  ctx.customer = await linkIdentity(ctx.stores, { address: ctx.activity.address, shopCustomer: customer, method: 'shop_contact', by: 'customer', clock: ctx.clock, conversationId: ctx.conversation.id });
}

/**
 * Records a hand-over to a person as a case, so the customer's other channels (and "any news?") know a
 * person has it. One case per conversation and hand-over time: asking twice in a row is one case.
 */
export const handoffCaseMiddleware: Middleware<TurnContext> = async (ctx, next) => {
  const before = ctx.conversation.handoff?.at;
  await next();
  const handoff = ctx.conversation.handoff;
  if (!handoff || handoff.at === before) return;
  const reference = `HO-${ctx.conversation.id.slice(3, 9).toUpperCase()}-${ctx.conversation.turnCount + 1}`;
  await recordCase(ctx, { kind: 'handoff', reference, status: 'open', summary: `handed to a person: ${handoff.reason}` });
};
