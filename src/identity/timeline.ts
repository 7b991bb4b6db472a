import type { ChannelName } from '../core/activity.js';
import type { CaseRecord, CustomerRecord } from '../storage/records.js';
import type { Stores } from '../storage/stores.js';
import type { Shop } from '../commerce/types.js';
import { identityIdsOf, resolveCustomer } from './profiles.js';

/**
 * One customer's history across every channel: messages both ways (with the channel and what was
 * understood), cases and the promises made in them, and the identity links. What an agent reads when a
 * case is handed over, and what the CRM view (GET /api/customers/:id) serves.
 */

export type TimelineEntry =
  | { at: string; kind: 'message_in'; channel: ChannelName; conversationId: string; text: string; intent: string | null }
  | { at: string; kind: 'message_out'; channel: ChannelName; conversationId: string; text: string }
  | { at: string; kind: 'case'; channel: ChannelName; case: Pick<CaseRecord, 'kind' | 'reference' | 'orderNumber' | 'status' | 'open' | 'summary' | 'promises'> }
  | { at: string; kind: 'identity'; event: string; method: string | null };

export interface CustomerValue {
  orders: number;
  /** Per currency: orders can be in the customer's currency. Cancelled orders do not count. */
  lifetimeSpend: { currency: string; amount: number }[];
  tier: string;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
}

export interface CustomerView {
  profile: Pick<CustomerRecord, 'id' | 'displayName' | 'locale' | 'timeZone' | 'createdAt' | 'updatedAt'> & { shopCustomerId: string | null };
  identities: { identityId: string; address: string; linkMethod: string | null; linkedAt: string | null }[];
  value: CustomerValue | null;
  timeline: TimelineEntry[];
}

/** The newest `limit` entries, oldest first. */
export async function customerTimeline(stores: Stores, customer: CustomerRecord, limit = 200): Promise<TimelineEntry[]> {
  const identityIds = identityIdsOf(customer);
  const conversations = (await Promise.all(identityIds.map((id) => stores.conversations.listByCustomer(id)))).flat();
  const entries: TimelineEntry[] = [];
  if (conversations.length > 0) {
    const turns = await stores.inbox.collection.find({ conversationId: { in: conversations.map((c) => c.id) } }, { orderBy: 'receivedAt', descending: true, limit });
    for (const turn of turns) {
      const at = new Date(turn.receivedAt).toISOString();
      const { channel } = turn.activity;
      entries.push({ at, kind: 'message_in', channel, conversationId: turn.conversationId, text: turn.activity.text, intent: turn.intent?.name ?? null });
      for (const reply of turn.replies ?? []) entries.push({ at, kind: 'message_out', channel, conversationId: turn.conversationId, text: reply.text });
    }
  }
  for (const record of await stores.cases.ofIdentities(identityIds, limit)) {
    const { kind, reference, orderNumber, status, open, summary, promises } = record;
    entries.push({ at: record.openedAt, kind: 'case', channel: record.channel, case: { kind, reference, orderNumber, status, open, summary, promises } });
  }
  for (const event of await stores.events.collection.find({ customerId: customer.id }, { orderBy: 'at', descending: true, limit })) {
    if (!event.type.startsWith('identity.')) continue;
    entries.push({ at: new Date(event.at).toISOString(), kind: 'identity', event: event.type, method: typeof event.data['method'] === 'string' ? event.data['method'] : null });
  }
  // Stable: a turn's message stays before its replies.
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(-limit);
}

/** Orders, spend and tier from the shop: what routing by customer value reads. */
export async function customerValue(shop: Shop | undefined, shopCustomerId: string | null | undefined): Promise<CustomerValue | null> {
  if (!shop || !shopCustomerId) return null;
  const customer = await shop.findCustomer({ id: shopCustomerId });
  if (!customer) return null;
  const orders = (await shop.ordersOfCustomer(shopCustomerId)).filter((order) => order.status !== 'cancelled');
  const spend = new Map<string, number>();
  for (const order of orders) spend.set(order.currency, (spend.get(order.currency) ?? 0) + order.total);
  const placed = orders.map((order) => order.placedAt).sort();
  return {
    orders: orders.length,
    lifetimeSpend: [...spend].map(([currency, amount]) => ({ currency, amount: Math.round(amount * 100) / 100 })),
    tier: customer.tier,
    firstOrderAt: placed[0] ?? null,
    lastOrderAt: placed.at(-1) ?? null,
  };
}

/** The CRM view of a customer: the profile a record is linked into (or the record itself), its identities, value and timeline. */
export async function customerView(stores: Stores, shop: Shop | undefined, record: CustomerRecord, limit?: number): Promise<CustomerView> {
  const customer = await resolveCustomer(stores, record);
  const identities = customer.shopCustomerId
    ? (await stores.customers.linkedTo(customer.id)).map((identity) => ({
        identityId: identity.id,
        address: identity.primaryAddress,
        linkMethod: identity.link?.method ?? null,
        linkedAt: identity.link?.at ?? null,
      }))
    : [{ identityId: customer.id, address: customer.primaryAddress, linkMethod: null, linkedAt: null }];
  return {
    profile: {
      id: customer.id,
      displayName: customer.displayName,
      locale: customer.locale,
      timeZone: customer.timeZone,
      shopCustomerId: customer.shopCustomerId ?? null,
      createdAt: customer.createdAt,
      updatedAt: customer.updatedAt,
    },
    identities,
    value: await customerValue(shop, customer.shopCustomerId),
    timeline: await customerTimeline(stores, customer, limit),
  };
}
