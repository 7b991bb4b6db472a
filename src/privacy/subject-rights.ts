import { randomUUID } from 'node:crypto';
import { parseAddress } from '../core/address.js';
import { MeridianError } from '../core/errors.js';
import type { Clock } from '../core/runtime.js';
import { customerIdFor } from '../conversation/conversation-id.js';
import type { CaseRecord, ConversationRecord, CustomerRecord, EventRecord, InboxEntry, OutboxEntry } from '../storage/records.js';
import type { Stores } from '../storage/stores.js';
import { ShopChangesStore, type ShopChangeRecord } from '../commerce/changes-store.js';
import type { Shop } from '../commerce/types.js';

/**
 * The rights of access and erasure (GDPR art. 15 and 17, CCPA): everything Meridian holds about one
 * person, across every store, as one JSON document; and its removal, leaving an audit record that holds
 * no personal data.
 */

export interface SubjectData {
  /** The identities' own records and the profile they are linked into. */
  customers: CustomerRecord[];
  cases: CaseRecord[];
  conversations: ConversationRecord[];
  messages: InboxEntry[];
  pendingReplies: OutboxEntry[];
  events: EventRecord[];
  /** What Meridian changed in the shop for the person's orders (returns, exchanges, address changes). */
  shopChanges: ShopChangeRecord[];
}

/** The shop, when one is configured: it says which orders are the person's, for their shop changes. */
export interface SubjectOptions {
  shop?: Pick<Shop, 'ordersOfCustomer'>;
}

export interface SubjectExport extends SubjectData {
  exportedAt: string;
  subject: { customerIds: string[]; addresses: string[] };
}

export interface ErasureReceipt {
  requestId: string;
  erasedAt: string;
  counts: Record<keyof SubjectData, number>;
}

/** Who the request is about: a customer id (cu_...) or a channel address (whatsapp:+49..., email:ana@...). */
export function subjectIds(query: string): string[] {
  const value = query.trim();
  if (/^cu_[\w-]{10,}$/.test(value)) return [value];
  const address = parseAddress(value.includes(':') ? value : value.includes('@') ? `email:${value.toLowerCase()}` : `whatsapp:${value}`);
  const formatted = `${address.channel}:${address.id}`;
  // A phone number is the same person on WhatsApp, SMS and voice.
  if (['whatsapp', 'sms', 'voice'].includes(address.channel)) return ['whatsapp', 'sms', 'voice'].map((channel) => customerIdFor(`${channel}:${address.id}`));
  return [customerIdFor(formatted)];
}

/**
 * The person's records: the identities the query names, the profile any of them is linked into, and
 * every other identity proven to belong to that profile (a linked person is one person everywhere).
 */
async function subjectCustomers(stores: Stores, query: string): Promise<CustomerRecord[]> {
  const found = new Map<string, CustomerRecord>();
  const add = (record: CustomerRecord | undefined) => {
    if (record) found.set(record.id, record);
  };
  for (const id of subjectIds(query)) add(await stores.customers.get(id));
  const profileIds = new Set([...found.values()].map((record) => (record.shopCustomerId ? record.id : record.linkedProfileId)).filter((id): id is string => Boolean(id)));
  for (const profileId of profileIds) {
    add(await stores.customers.get(profileId));
    for (const identity of await stores.customers.linkedTo(profileId)) add(identity);
  }
  return [...found.values()];
}

/** The shop changes on the orders of the shop customers the person's profiles are linked to. */
async function subjectShopChanges(stores: Stores, customers: readonly CustomerRecord[], options: SubjectOptions): Promise<ShopChangeRecord[]> {
  const shopIds = [...new Set(customers.map((c) => c.shopCustomerId).filter((id): id is string => Boolean(id)))];
  if (!options.shop || shopIds.length === 0) return [];
  const orderNumbers = (await Promise.all(shopIds.map((id) => options.shop!.ordersOfCustomer(id)))).flat().map((order) => order.number);
  if (orderNumbers.length === 0) return [];
  return ShopChangesStore.open(stores.backend).collection.find({ orderNumber: { in: orderNumbers } }, { orderBy: 'seq' });
}

export async function collectSubjectData(stores: Stores, query: string, options: SubjectOptions = {}): Promise<SubjectData & { addresses: string[]; customerIds: string[] }> {
  const customers = await subjectCustomers(stores, query);
  const customerIds = [...new Set([...subjectIds(query), ...customers.map((c) => c.id)])];
  const conversations = (await Promise.all(customerIds.map((id) => stores.conversations.listByCustomer(id)))).flat();
  const conversationIds = conversations.map((conversation) => conversation.id);
  const byConversation = async <T>(find: (ids: string[]) => Promise<T[]>) => (conversationIds.length > 0 ? find(conversationIds) : []);
  const messages = await byConversation((ids) => stores.inbox.collection.find({ conversationId: { in: ids } }, { orderBy: 'receivedAt' }));
  const pendingReplies = await byConversation((ids) => stores.outbox.collection.find({ conversationId: { in: ids } }, { orderBy: 'createdAt' }));
  const cases = await stores.cases.ofIdentities(customerIds, 10_000);
  const events = [
    ...(await byConversation((ids) => stores.events.collection.find({ conversationId: { in: ids } }))),
    ...(await stores.events.collection.find({ customerId: { in: customerIds } })),
  ].filter((event, index, all) => all.findIndex((other) => other.id === event.id) === index);
  const addresses = [...new Set([...customers.flatMap((c) => c.identities), ...conversations.map((c) => c.address)])];
  const shopChanges = await subjectShopChanges(stores, customers, options);
  return { customers, cases, conversations, messages, pendingReplies, events, shopChanges, addresses, customerIds: customers.map((c) => c.id) };
}

/** Everything held about the person, as one JSON-ready document. */
export async function exportSubject(stores: Stores, query: string, clock: Clock, options: SubjectOptions = {}): Promise<SubjectExport> {
  const data = await collectSubjectData(stores, query, options);
  if (data.customers.length === 0 && data.conversations.length === 0) {
    throw new MeridianError('not_found', `Meridian holds no data about ${query.includes('@') || query.includes(':') ? 'that address' : query}`, { status: 404 });
  }
  const { addresses, customerIds, ...rest } = data;
  return { exportedAt: new Date(clock.now()).toISOString(), subject: { customerIds, addresses }, ...rest };
}

/**
 * Deletes everything held about the person in every store, then records an audit event with counts
 * and a request id only (no id, address or text of the person).
 */
export async function eraseSubject(stores: Stores, query: string, clock: Clock, options: SubjectOptions & { request?: string } = {}): Promise<ErasureReceipt> {
  const data = await collectSubjectData(stores, query, options);
  const remove = async (collection: { delete(id: string): Promise<boolean> }, ids: string[]) => {
    for (const id of ids) await collection.delete(id);
    return ids.length;
  };
  const counts = {
    messages: await remove(stores.inbox.collection, data.messages.map((m) => m.id)),
    pendingReplies: await remove(stores.outbox.collection, data.pendingReplies.map((r) => r.id)),
    events: await remove(stores.events.collection, data.events.map((e) => e.id)),
    cases: await remove(stores.cases.collection, data.cases.map((c) => c.id)),
    shopChanges: await anonymizeShopChanges(stores, data.shopChanges),
    conversations: await remove(stores.conversations.collection, data.conversations.map((c) => c.id)),
    customers: await remove(stores.customers.collection, data.customers.map((c) => c.id)),
  };
  const receipt: ErasureReceipt = { requestId: `er_${randomUUID()}`, erasedAt: new Date(clock.now()).toISOString(), counts };
  await stores.events.append({ id: receipt.requestId, type: 'privacy.erased', at: clock.now(), conversationId: null, customerId: null, data: { counts, ...(options.request ? { request: options.request } : {}) } });
  await stores.backend.flush?.();
  return receipt;
}

const ERASED = '[erased]';

/**
 * Returns, exchanges and cancellations stay (the shop settles refunds from them) and hold no personal
 * data beyond an order number; an address change holds the new address, which is replaced by a marker
 * (country kept: the order's duties were paid for it). Returns how many records were anonymized.
 */
async function anonymizeShopChanges(stores: Stores, changes: readonly ShopChangeRecord[]): Promise<number> {
  const collection = ShopChangesStore.open(stores.backend).collection;
  let anonymized = 0;
  for (const change of changes) {
    if (change.kind !== 'address_change' || change.result.address.line1 === ERASED) continue;
    const { country } = change.result.address;
    await collection.update({ ...change, result: { ...change.result, address: { name: ERASED, line1: ERASED, city: ERASED, postalCode: ERASED, country } } }, change.version);
    anonymized++;
  }
  return anonymized;
}
