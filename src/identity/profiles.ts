import { randomUUID } from 'node:crypto';
import { customerIdFor } from '../conversation/conversation-id.js';
import { DuplicateKeyError, MeridianError, VersionConflictError } from '../core/errors.js';
import type { Clock } from '../core/runtime.js';
import type { Customer } from '../commerce/types.js';
import type { CustomerRecord, LinkMethod } from '../storage/records.js';
import type { Stores } from '../storage/stores.js';
import type { ResidencyBackend } from '../privacy/residency.js';

/**
 * One customer across channels. Each channel identity (`whatsapp:+34...`, `email:ana@...`,
 * `webchat:<session>`) has a record of its own. When the identity proves it is a shop customer (the
 * phone or e-mail on file, a one-time code, a signed web-chat token, order number + e-mail), it is
 * linked into that customer's profile, and every linked identity then shares one timeline, one set of
 * cases and the shop customer's orders. Links are explicit, audited (`identity.linked` events) and
 * undone with `unlinkIdentity`, which leaves the identity's own history where it was: nothing is
 * moved or copied by a link, so undoing one is exact.
 */

/** The profile id of a shop customer: the same on every process, no shop id in clear. */
export function profileIdFor(shopCustomerId: string): string {
  return customerIdFor(`shop:${shopCustomerId}`);
}

/** The identity ids (customer ids of the addresses) whose conversations and cases a customer record covers. */
export function identityIdsOf(customer: CustomerRecord): string[] {
  if (customer.shopCustomerId) return customer.identities.map((address) => customerIdFor(address));
  return [customer.id];
}

/** Reads, changes and saves a record, again on a concurrent change (a turn of another channel). */
async function updateRecord(stores: Stores, id: string, change: (record: CustomerRecord) => CustomerRecord | undefined): Promise<CustomerRecord | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await stores.customers.get(id);
    if (!current) return undefined;
    const next = change(current);
    if (!next) return current;
    try {
      return await stores.customers.save(next, current.version);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
  throw new MeridianError('identity_conflict', `customer ${id} kept changing; try again`, { status: 409 });
}

/** The record with that id, created from `make` when there is none (another turn may create it first). */
async function getOrCreate(stores: Stores, id: string, make: (now: string) => Omit<CustomerRecord, 'version'>, clock: Clock): Promise<CustomerRecord> {
  const existing = await stores.customers.get(id);
  if (existing) return existing;
  try {
    return await stores.customers.create(make(new Date(clock.now()).toISOString()));
  } catch (error) {
    // Two first messages from one person on two conversations: the other turn created it.
    if (!(error instanceof DuplicateKeyError)) throw error;
    const created = await stores.customers.get(id);
    if (!created) throw error;
    return created;
  }
}

/**
 * The identity's own record, created on first sight. `id` is customerIdFor(address); a caller that has
 * it already (the turn runner: the conversation's customerId) passes it, which saves a hash per turn.
 */
export function identityRecord(stores: Stores, address: string, clock: Clock, id = customerIdFor(address)): Promise<CustomerRecord> {
  return getOrCreate(stores, id, (now) => ({ id, identities: [address], primaryAddress: address, displayName: null, locale: null, timeZone: null, createdAt: now, updatedAt: now }), clock);
}

function ensureProfile(stores: Stores, shopCustomer: Customer, clock: Clock): Promise<CustomerRecord> {
  const id = profileIdFor(shopCustomer.id);
  return getOrCreate(
    stores,
    id,
    (now) => ({
      id,
      identities: [],
      primaryAddress: `shop:${shopCustomer.id}`,
      displayName: shopCustomer.name,
      locale: shopCustomer.locale,
      timeZone: shopCustomer.timeZone,
      shopCustomerId: shopCustomer.id,
      country: shopCustomer.country,
      createdAt: now,
      updatedAt: now,
    }),
    clock,
  );
}

export interface LinkRequest {
  address: string;
  shopCustomer: Customer;
  method: LinkMethod;
  /** Who made the link: 'customer' (a proof given in a conversation) or an admin token's name. */
  by: string;
  clock: Clock;
  conversationId?: string | null;
}

/**
 * Links the identity into the shop customer's profile (creating it) and records an audit event. An
 * identity already linked to another profile is moved only by an admin; a customer's proof for a second
 * shop account is refused, so one proof cannot silently pull an identity out of someone else's profile.
 */
export async function linkIdentity(stores: Stores, request: LinkRequest): Promise<CustomerRecord> {
  const identity = await identityRecord(stores, request.address, request.clock);
  const profile = await ensureProfile(stores, request.shopCustomer, request.clock);
  if (identity.linkedProfileId === profile.id) return profile;
  if (identity.linkedProfileId && request.method !== 'admin') {
    throw new MeridianError('identity_conflict', 'this identity is linked to another customer; an admin must unlink it first', { status: 409 });
  }
  const now = new Date(request.clock.now()).toISOString();
  const previous = identity.linkedProfileId ?? null;
  if (previous) await detachAddress(stores, previous, request.address, now);
  await updateRecord(stores, identity.id, (record) => ({ ...record, linkedProfileId: profile.id, link: { method: request.method, at: now }, updatedAt: now }));
  const linked = (await updateRecord(stores, profile.id, (record) =>
    record.identities.includes(request.address) ? undefined : { ...record, identities: [...record.identities, request.address], updatedAt: now },
  )) as CustomerRecord;
  await followProfileRegion(stores, identity.id, profile.id);
  await stores.events.append({
    id: `ev_${randomUUID()}`,
    type: 'identity.linked',
    at: request.clock.now(),
    conversationId: request.conversationId ?? null,
    customerId: profile.id,
    data: { identityId: identity.id, profileId: profile.id, method: request.method, by: request.by, previousProfileId: previous },
  });
  return linked;
}

/**
 * With data residency, a linked identity's data joins its profile's region: a German customer's web
 * chat (no phone number to place it by) moves to the EU once the session is proven to be them.
 */
async function followProfileRegion(stores: Stores, identityId: string, profileId: string): Promise<void> {
  const backend = stores.backend as Partial<ResidencyBackend>;
  if (typeof backend.migrateCustomer !== 'function' || typeof backend.regionOfCustomer !== 'function') return;
  const [target, current] = await Promise.all([backend.regionOfCustomer(profileId), backend.regionOfCustomer(identityId)]);
  if (target !== undefined && target !== current) await backend.migrateCustomer(identityId, target);
}

async function detachAddress(stores: Stores, profileId: string, address: string, now: string): Promise<void> {
  await updateRecord(stores, profileId, (record) =>
    record.identities.includes(address) ? { ...record, identities: record.identities.filter((item) => item !== address), updatedAt: now } : undefined,
  );
}

/**
 * Undoes a link: the identity is on its own again and sees only its own conversations and cases. The
 * profile keeps its other identities. Returns false when the identity was not linked.
 */
export async function unlinkIdentity(stores: Stores, identityId: string, by: string, clock: Clock): Promise<boolean> {
  const identity = await stores.customers.get(identityId);
  const profileId = identity?.linkedProfileId;
  if (!identity || !profileId) return false;
  const now = new Date(clock.now()).toISOString();
  await updateRecord(stores, identityId, (record) => ({ ...record, linkedProfileId: null, link: null, updatedAt: now }));
  await detachAddress(stores, profileId, identity.primaryAddress, now);
  await stores.events.append({
    id: `ev_${randomUUID()}`,
    type: 'identity.unlinked',
    at: clock.now(),
    conversationId: null,
    customerId: profileId,
    data: { identityId, profileId, by },
  });
  return true;
}

/** The record a turn works with: the linked profile, else the identity's own record. */
export async function resolveCustomer(stores: Stores, identity: CustomerRecord): Promise<CustomerRecord> {
  if (!identity.linkedProfileId) return identity;
  return (await stores.customers.get(identity.linkedProfileId)) ?? identity;
}
