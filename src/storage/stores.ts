import { DuplicateKeyError, VersionConflictError } from '../core/errors.js';
import type { Collection, StorageBackend } from './collection.js';
import type { OutboundMessage } from '../core/activity.js';
import type { CaseRecord, ConversationRecord, CustomerRecord, EventRecord, InboxEntry, OutboxEntry } from './records.js';
import { customerIdFor } from '../conversation/conversation-id.js';

/** Conversation documents; every save names the version it read. */
export class ConversationsStore {
  constructor(readonly collection: Collection<ConversationRecord>) {}
  get(id: string): Promise<ConversationRecord | undefined> {
    return this.collection.get(id);
  }
  create(record: Omit<ConversationRecord, 'version'>): Promise<ConversationRecord> {
    return this.collection.insert(record);
  }
  save(record: ConversationRecord, expectedVersion: number): Promise<ConversationRecord> {
    return this.collection.update(record, expectedVersion);
  }
  listByCustomer(customerId: string): Promise<ConversationRecord[]> {
    return this.collection.find({ customerId });
  }
}

export class CustomersStore {
  constructor(readonly collection: Collection<CustomerRecord>) {}
  get(id: string): Promise<CustomerRecord | undefined> {
    return this.collection.get(id);
  }
  /** The record of a channel identity; its id is the hash of the address, so no address is ever indexed. */
  findByAddress(address: string): Promise<CustomerRecord | undefined> {
    return this.collection.get(customerIdFor(address));
  }
  /** The identities linked into a profile. */
  linkedTo(profileId: string): Promise<CustomerRecord[]> {
    return this.collection.find({ linkedProfileId: profileId });
  }
  create(record: Omit<CustomerRecord, 'version'>): Promise<CustomerRecord> {
    return this.collection.insert(record);
  }
  save(record: CustomerRecord, expectedVersion: number): Promise<CustomerRecord> {
    return this.collection.update(record, expectedVersion);
  }
}

/** Every inbound message, keyed by (channel, message id) so a redelivery is recognised. */
export class InboxStore {
  constructor(readonly collection: Collection<InboxEntry>) {}
  /** Stores the entry; returns false (and stores nothing) when that message was seen before. */
  async accept(entry: Omit<InboxEntry, 'version'>): Promise<boolean> {
    try {
      await this.collection.insert(entry);
      return true;
    } catch (error) {
      if (error instanceof DuplicateKeyError) return false;
      throw error;
    }
  }
  get(id: string): Promise<InboxEntry | undefined> {
    return this.collection.get(id);
  }
  /** Records the end of a turn: its replies (the turn log that history and redeliveries read) or its error. */
  async finish(entry: InboxEntry, status: 'done' | 'failed', replies: OutboundMessage[], error?: string, intent?: InboxEntry['intent']): Promise<InboxEntry> {
    const next: InboxEntry = { ...entry, status, replies };
    if (error !== undefined) next.error = error;
    if (intent !== undefined) next.intent = intent;
    return this.collection.update(next, entry.version);
  }
  unfinished(): Promise<InboxEntry[]> {
    return this.collection.find({ status: 'received' }, { orderBy: 'receivedAt' });
  }
  recent(conversationId: string, limit: number): Promise<InboxEntry[]> {
    return this.collection.find({ conversationId }, { orderBy: 'receivedAt', descending: true, limit });
  }
}

/** Replies that could not be sent straight away, retried from here until delivered or given up. */
export class OutboxStore {
  constructor(readonly collection: Collection<OutboxEntry>) {}
  /**
   * Adds a committed turn's replies. Ids are deterministic per turn, so writing the same turn again
   * (crash recovery) keeps the entries already there instead of duplicating them.
   */
  async enqueue(entries: readonly Omit<OutboxEntry, 'version'>[]): Promise<OutboxEntry[]> {
    const stored: OutboxEntry[] = [];
    for (const entry of entries) {
      try {
        stored.push(await this.collection.insert(entry));
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
        const existing = await this.collection.get(entry.id);
        if (existing) stored.push(existing);
      }
    }
    return stored;
  }
  byTurn(inboxId: string): Promise<OutboxEntry[]> {
    return this.collection.find({ inboxId }, { orderBy: 'seq' });
  }
  /** Pending replies whose retry time has come, oldest first (ids order a turn's replies). */
  due(now: number, limit: number): Promise<OutboxEntry[]> {
    return this.collection.find({ status: 'pending', nextAttemptAt: { lte: now } }, { orderBy: 'createdAt', limit });
  }
  pending(limit: number): Promise<OutboxEntry[]> {
    return this.collection.find({ status: 'pending' }, { orderBy: 'createdAt', limit });
  }
  async oldestPending(conversationId: string): Promise<OutboxEntry | undefined> {
    const [oldest] = await this.collection.find({ conversationId, status: 'pending' }, { orderBy: 'createdAt', limit: 1 });
    return oldest;
  }
  pendingCount(conversationId: string): Promise<number> {
    return this.collection.count({ conversationId, status: 'pending' });
  }
  save(entry: OutboxEntry, expectedVersion: number): Promise<OutboxEntry> {
    return this.collection.update(entry, expectedVersion);
  }
  get(id: string): Promise<OutboxEntry | undefined> {
    return this.collection.get(id);
  }
}

export class EventsStore {
  constructor(readonly collection: Collection<EventRecord>) {}
  append(event: Omit<EventRecord, 'version'>): Promise<EventRecord> {
    return this.collection.insert(event);
  }
  byType(type: string, limit = 100): Promise<EventRecord[]> {
    return this.collection.find({ type }, { orderBy: 'at', descending: true, limit });
  }
}

/** Returns, exchanges, tickets and privacy requests per identity: what "any news?" and the timeline read. */
export class CasesStore {
  constructor(readonly collection: Collection<CaseRecord>) {}
  get(id: string): Promise<CaseRecord | undefined> {
    return this.collection.get(id);
  }
  /**
   * Inserts the case `build` makes from the stored one (undefined when new), or replaces it; a turn re-run
   * after a conflict records the same case again. On a concurrent change it reads and builds again.
   */
  async upsert(id: string, build: (existing: CaseRecord | undefined) => Omit<CaseRecord, 'version'>): Promise<CaseRecord> {
    for (;;) {
      const existing = await this.collection.get(id);
      const record = build(existing);
      try {
        return existing ? await this.collection.update({ ...record, version: existing.version }, existing.version) : await this.collection.insert(record);
      } catch (error) {
        if (!(error instanceof DuplicateKeyError) && !(error instanceof VersionConflictError)) throw error;
      }
    }
  }
  /** Newest first, over every identity of a profile. */
  ofIdentities(identityIds: readonly string[], limit = 50): Promise<CaseRecord[]> {
    if (identityIds.length === 0) return Promise.resolve([]);
    return this.collection.find({ identityId: { in: identityIds } }, { orderBy: 'openedAt', descending: true, limit });
  }
  byKind(kind: CaseRecord['kind'], status: string): Promise<CaseRecord[]> {
    return this.collection.find({ kind, status }, { orderBy: 'openedAt' });
  }
}

export interface Stores {
  backend: StorageBackend;
  conversations: ConversationsStore;
  customers: CustomersStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  events: EventsStore;
  cases: CasesStore;
}

/** Opens the purpose-named stores over one backend (collection names and indexes are fixed here). */
export function createStores(backend: StorageBackend): Stores {
  return {
    backend,
    conversations: new ConversationsStore(
      backend.collection<ConversationRecord>({ name: 'conversations', indexes: ['customerId', 'updatedAt'] }),
    ),
    // Addresses are never indexed (ids are their hashes), so they can be encrypted at rest.
    customers: new CustomersStore(backend.collection<CustomerRecord>({ name: 'customers', indexes: ['linkedProfileId'] })),
    inbox: new InboxStore(backend.collection<InboxEntry>({ name: 'inbox', indexes: ['status', 'conversationId', 'receivedAt'] })),
    outbox: new OutboxStore(
      backend.collection<OutboxEntry>({ name: 'outbox', indexes: ['status', 'conversationId', 'inboxId', 'seq', 'nextAttemptAt', 'createdAt'] }),
    ),
    events: new EventsStore(backend.collection<EventRecord>({ name: 'events', indexes: ['type', 'at', 'conversationId', 'customerId'] })),
    cases: new CasesStore(backend.collection<CaseRecord>({ name: 'cases', indexes: ['identityId', 'kind', 'status', 'openedAt', 'updatedAt', 'open'] })),
  };
}
