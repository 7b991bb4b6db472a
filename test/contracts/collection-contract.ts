import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { DuplicateKeyError, VersionConflictError } from '../../src/core/errors.js';
import type { Collection, StorageBackend, StoredDocument } from '../../src/storage/collection.js';
import { createStores } from '../../src/storage/stores.js';

interface Thing extends StoredDocument {
  kind: string;
  rank: number;
  email: string | null;
  active: boolean;
  payload: { nested: string[] };
}

/**
 * The one contract every storage backend must keep. Each backend's test file calls this with a
 * factory that gives a fresh, empty backend.
 */
export function collectionContract(label: string, open: () => Promise<StorageBackend>): void {
  describe(`storage contract: ${label}`, () => {
    let backend: StorageBackend;
    let things: Collection<Thing>;
    const thing = (id: string, rank: number, kind = 'a', email: string | null = null) => ({
      id,
      kind,
      rank,
      email,
      active: rank % 2 === 0,
      payload: { nested: [id, 'ü日本'] },
    });

    beforeEach(async () => {
      backend = await open();
      things = backend.collection<Thing>({ name: 'things', indexes: ['kind', 'rank', 'active'], unique: ['email'] });
    });
    afterEach(async () => {
      await backend.close();
    });

    it('inserts at version 1 and reads back an equal, unshared copy', async () => {
      const stored = await things.insert(thing('t1', 1));
      expect(stored.version).toBe(1);
      const read = await things.get('t1');
      expect(read).toEqual(stored);
      read!.payload.nested.push('changed');
      expect((await things.get('t1'))!.payload.nested).toEqual(['t1', 'ü日本']);
    });

    it('returns undefined for a missing id', async () => {
      expect(await things.get('nope')).toBeUndefined();
    });

    it('rejects a second insert with the same id', async () => {
      await things.insert(thing('t1', 1));
      await expect(things.insert(thing('t1', 2))).rejects.toBeInstanceOf(DuplicateKeyError);
      expect((await things.get('t1'))!.rank).toBe(1);
    });

    it('enforces unique fields but allows many nulls', async () => {
      await things.insert(thing('t1', 1, 'a', 'ana@example.com'));
      await things.insert(thing('t2', 2, 'a', null));
      await things.insert(thing('t3', 3, 'a', null));
      await expect(things.insert(thing('t4', 4, 'a', 'ana@example.com'))).rejects.toBeInstanceOf(DuplicateKeyError);
      const t2 = (await things.get('t2'))!;
      await expect(things.update({ ...t2, email: 'ana@example.com' }, t2.version)).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await things.get('t4')).toBeUndefined();
    });

    it('updates only at the expected version and bumps it by one', async () => {
      const v1 = await things.insert(thing('t1', 1));
      const v2 = await things.update({ ...v1, rank: 10 }, 1);
      expect(v2.version).toBe(2);
      await expect(things.update({ ...v1, rank: 99 }, 1)).rejects.toBeInstanceOf(VersionConflictError);
      expect((await things.get('t1'))!.rank).toBe(10);
    });

    it('lets exactly one of two racing updates win', async () => {
      const v1 = await things.insert(thing('t1', 1));
      const results = await Promise.allSettled([things.update({ ...v1, rank: 2 }, 1), things.update({ ...v1, rank: 3 }, 1)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof VersionConflictError)).toHaveLength(1);
      expect((await things.get('t1'))!.version).toBe(2);
    });

    it('treats an update of a missing document as a conflict', async () => {
      await expect(things.update({ ...thing('ghost', 1), version: 1 }, 1)).rejects.toBeInstanceOf(VersionConflictError);
    });

    it('deletes, optionally only at a version', async () => {
      await things.insert(thing('t1', 1));
      expect(await things.delete('t1', 7)).toBe(false);
      expect(await things.delete('t1', 1)).toBe(true);
      expect(await things.delete('t1')).toBe(false);
      expect(await things.get('t1')).toBeUndefined();
    });

    it('finds by equality, lte and in, ordered and limited', async () => {
      for (let i = 1; i <= 6; i++) await things.insert(thing(`t${i}`, i, i <= 3 ? 'a' : 'b'));
      expect((await things.find({ kind: 'a' }, { orderBy: 'rank' })).map((t) => t.id)).toEqual(['t1', 't2', 't3']);
      expect((await things.find({ kind: 'b' }, { orderBy: 'rank', descending: true, limit: 2 })).map((t) => t.id)).toEqual(['t6', 't5']);
      expect((await things.find({ rank: { lte: 2 } }, { orderBy: 'rank' })).map((t) => t.id)).toEqual(['t1', 't2']);
      expect((await things.find({ rank: { in: [1, 5] } }, { orderBy: 'rank' })).map((t) => t.id)).toEqual(['t1', 't5']);
      expect((await things.find({ active: true }, { orderBy: 'rank' })).map((t) => t.id)).toEqual(['t2', 't4', 't6']);
      expect(await things.count({ kind: 'b' })).toBe(3);
      expect(await things.find({ kind: 'c' })).toEqual([]);
    });

    it('refuses to filter on a field that is not indexed', async () => {
      await expect(things.find({ payload: 'x' } as never)).rejects.toThrow(/not an indexed field/);
    });

    it('deletes many by filter', async () => {
      for (let i = 1; i <= 4; i++) await things.insert(thing(`t${i}`, i, i <= 2 ? 'a' : 'b'));
      expect(await things.deleteMany({ kind: 'a' })).toBe(2);
      expect(await things.count({})).toBe(2);
    });

    it('serves the purpose-named stores: inbox dedupe and idempotent outbox', async () => {
      const stores = createStores(backend);
      const entry = {
        id: 'sms:SM1',
        conversationId: 'c1',
        status: 'received' as const,
        receivedAt: 1,
        activity: { id: 'SM1', channel: 'sms', address: 'sms:+15551234567', conversationKey: 'sms:+15551234567', text: 'hi', attachments: [], timestamp: '2026-01-01T00:00:00.000Z', transport: 'emulator' },
      };
      expect(await stores.inbox.accept(entry)).toBe(true);
      expect(await stores.inbox.accept({ ...entry, receivedAt: 2 })).toBe(false);
      expect((await stores.inbox.unfinished()).map((e) => e.id)).toEqual(['sms:SM1']);
      const replies = [0, 1].map((seq) => ({
        id: `sms:SM1#${seq}`, conversationId: 'c1', inboxId: 'sms:SM1', seq, channel: 'sms', transport: 'emulator', address: 'sms:+15551234567',
        locale: 'en', message: { text: `reply ${seq}` }, status: 'pending' as const, attempts: 0, nextAttemptAt: 5, createdAt: 1, sentAt: null, lastError: null,
      }));
      await stores.outbox.enqueue(replies);
      expect(await stores.outbox.due(4, 10)).toEqual([]);
      const again = await stores.outbox.enqueue(replies);
      expect(again.map((e) => e.version)).toEqual([1, 1]);
      expect((await stores.outbox.due(10, 10)).map((e) => e.seq)).toEqual([0, 1]);
      expect((await stores.outbox.byTurn('sms:SM1')).map((e) => e.message.text)).toEqual(['reply 0', 'reply 1']);
    });
  });
}
