import { createHash } from 'node:crypto';
import { DuplicateKeyError } from '../core/errors.js';
import type { Collection, StorageBackend, StoredDocument } from '../storage/collection.js';
import type { AddressChange, Cancellation, ExchangeAuthorization, ReturnAuthorization } from './types.js';

interface ChangeBase extends StoredDocument {
  /** `<orderNumber>#<seq>`: one sequence per order, so two writes racing on one order collide and the loser re-checks the rules. */
  id: string;
  /** `<kind>:<caller's key>`, unique: keys are scoped per operation. */
  idempotencyKey: string;
  /** Hash of the request, to refuse the same key with a different request. */
  fingerprint: string;
  orderNumber: string;
  seq: number;
  /** The SKU this change holds back from stock (an exchange's replacement), for availability(). */
  reservedSku: string | null;
  reservedQty: number;
  createdAt: string;
}

/** Everything the file-backed shop changed: the file is never written, reads overlay these. */
export type ShopChangeRecord =
  | (ChangeBase & { kind: 'return'; result: ReturnAuthorization })
  | (ChangeBase & { kind: 'exchange'; result: ExchangeAuthorization })
  | (ChangeBase & { kind: 'cancellation'; result: Cancellation })
  | (ChangeBase & { kind: 'address_change'; result: AddressChange });

export type ShopChangeKind = ShopChangeRecord['kind'];

/** What each kind of change records as its result. */
export interface ShopChangeResults {
  return: ReturnAuthorization;
  exchange: ExchangeAuthorization;
  cancellation: Cancellation;
  address_change: AddressChange;
}

export type AppendOutcome = { stored: ShopChangeRecord } | { existing: ShopChangeRecord } | { seqTaken: true };

/** Stable hash of a request (object keys sorted), for idempotency checks. */
export function fingerprint(value: unknown): string {
  const canonical = (input: unknown): unknown => {
    if (Array.isArray(input)) return input.map(canonical);
    if (input !== null && typeof input === 'object') {
      return Object.fromEntries(
        Object.entries(input as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => [k, canonical(v)]),
      );
    }
    return input;
  };
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex').slice(0, 32);
}

/** The `shop_changes` collection: returns, exchanges, cancellations and address changes Meridian made. */
export class ShopChangesStore {
  constructor(readonly collection: Collection<ShopChangeRecord>) {}

  static open(backend: StorageBackend): ShopChangesStore {
    return new ShopChangesStore(
      backend.collection<ShopChangeRecord>({ name: 'shop_changes', indexes: ['orderNumber', 'seq', 'reservedSku', 'kind'], unique: ['idempotencyKey'] }),
    );
  }

  async byKey(kind: ShopChangeKind, key: string): Promise<ShopChangeRecord | undefined> {
    const [found] = await this.collection.find({ idempotencyKey: `${kind}:${key}` }, { limit: 1 });
    return found;
  }

  forOrder(orderNumber: string): Promise<ShopChangeRecord[]> {
    return this.collection.find({ orderNumber }, { orderBy: 'seq' });
  }

  async forOrders(orderNumbers: readonly string[]): Promise<Map<string, ShopChangeRecord[]>> {
    const byOrder = new Map<string, ShopChangeRecord[]>();
    if (orderNumbers.length === 0) return byOrder;
    for (const change of await this.collection.find({ orderNumber: { in: orderNumbers } }, { orderBy: 'seq' })) {
      const list = byOrder.get(change.orderNumber) ?? [];
      list.push(change);
      byOrder.set(change.orderNumber, list);
    }
    return byOrder;
  }

  async reserved(sku: string): Promise<number> {
    const changes = await this.collection.find({ reservedSku: sku });
    return changes.reduce((sum, change) => sum + change.reservedQty, 0);
  }

  /**
   * Inserts the change. When the key was used already the earlier change comes back (`existing`); when
   * another write took this order's sequence number first, `seqTaken` tells the caller to re-read and retry.
   */
  async append(change: Omit<ShopChangeRecord, 'version'>): Promise<AppendOutcome> {
    try {
      return { stored: await this.collection.insert(change) };
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      const [existing] = await this.collection.find({ idempotencyKey: change.idempotencyKey }, { limit: 1 });
      return existing ? { existing } : { seqTaken: true };
    }
  }
}
