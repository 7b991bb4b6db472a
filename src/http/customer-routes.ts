import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Bot } from '../bot.js';
import { customerIdFor } from '../conversation/conversation-id.js';
import { MeridianError } from '../core/errors.js';
import { linkIdentity, unlinkIdentity } from '../identity/profiles.js';
import { customerView } from '../identity/timeline.js';
import type { CustomerRecord } from '../storage/records.js';
import { adminName, auditAdminRead } from './admin-auth.js';

/** A customer id (cu_...) or a channel address (whatsapp:+34..., email:ana@...), as in the privacy API. */
async function findRecord(bot: Bot, param: string | undefined): Promise<CustomerRecord> {
  const value = (param ?? '').trim();
  if (!value || value.length > 320) throw new MeridianError('invalid_request', 'give a customer id (cu_...) or an address such as whatsapp:+4915112345678', { status: 400 });
  const id = /^cu_[\w-]{10,}$/.test(value) ? value : customerIdFor(value.toLowerCase().startsWith('email:') ? value.toLowerCase() : value);
  const record = await bot.stores.customers.get(id);
  if (!record) throw new MeridianError('not_found', 'no customer with that id or address', { status: 404 });
  return record;
}

function param(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * GET /api/customers/:id — the CRM view: profile, linked identities, value (orders, lifetime spend,
 * tier) and the timeline across channels. Every read is audited under the customer's ids.
 */
export function customerViewRoute(bot: Bot): RequestHandler {
  return async (req, res, next) => {
    try {
      const record = await findRecord(bot, param(req.params['id']));
      const limit = Math.min(1000, Math.max(1, Number(req.query['limit'] ?? 200) || 200));
      const view = await customerView(bot.stores, bot.services.shop, record, limit);
      await auditAdminRead(bot.stores.events, res, {
        action: 'customers.read',
        subjectIds: [view.profile.id, ...view.identities.map((identity) => identity.identityId)],
        records: view.timeline.length,
        at: bot.clock.now(),
      });
      res.json(view);
    } catch (error) {
      next(error);
    }
  };
}

const linkBody = z.object({ address: z.string().min(3).max(320) }).strict();

/**
 * POST /api/customers/:id/identities {"address": "email:ana@..."} — an agent links an identity into this
 * shop customer's profile after checking it out of band (method "admin", audited; undone by DELETE).
 */
export function linkIdentityRoute(bot: Bot): RequestHandler {
  return async (req, res, next) => {
    try {
      const record = await findRecord(bot, param(req.params['id']));
      const profileId = record.linkedProfileId ?? record.id;
      const profile = profileId === record.id ? record : await bot.stores.customers.get(profileId);
      const shopCustomerId = profile?.shopCustomerId;
      if (!shopCustomerId) throw new MeridianError('invalid_request', 'identities can only be linked into a profile of a shop customer', { status: 409 });
      const shopCustomer = await bot.services.shop?.findCustomer({ id: shopCustomerId });
      if (!shopCustomer) throw new MeridianError('not_found', 'the shop no longer knows this customer', { status: 404 });
      const body = linkBody.safeParse(req.body);
      if (!body.success) throw new MeridianError('invalid_request', 'body: {"address": "<channel>:<id>"} expected', { status: 400 });
      const linked = await linkIdentity(bot.stores, { address: body.data.address, shopCustomer, method: 'admin', by: adminName(res), clock: bot.clock });
      res.status(201).json({ profileId: linked.id, identityId: customerIdFor(body.data.address) });
    } catch (error) {
      next(error);
    }
  };
}

/** DELETE /api/customers/:id/identities/:identityId — undoes a link (the identity keeps its own history). */
export function unlinkIdentityRoute(bot: Bot): RequestHandler {
  return async (req, res, next) => {
    try {
      const identityId = param(req.params['identityId']) ?? '';
      const identity = await bot.stores.customers.get(identityId);
      const record = await findRecord(bot, param(req.params['id']));
      if (!identity || identity.linkedProfileId !== (record.linkedProfileId ?? record.id)) {
        throw new MeridianError('not_found', 'that identity is not linked to this customer', { status: 404 });
      }
      await unlinkIdentity(bot.stores, identityId, adminName(res), bot.clock);
      res.status(204).end();
    } catch (error) {
      next(error);
    }
  };
}
