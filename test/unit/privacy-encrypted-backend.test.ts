import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VersionConflictError } from '../../src/core/errors.js';
import { encryptedBackend, isEncryptedBackend, SEALED_FIELD, type EncryptedBackend } from '../../src/privacy/encrypted-backend.js';
import { encryptedKeyId, isEncrypted } from '../../src/privacy/encryption.js';
import { EncryptionError, generateKeyEntry, loadKeyring } from '../../src/privacy/keyring.js';
import { PERSONAL_FIELDS } from '../../src/privacy/personal-fields.js';
import type { CollectionSpec, StorageBackend } from '../../src/storage/collection.js';
import { EmbeddedBackend } from '../../src/storage/embedded-backend.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { createStores } from '../../src/storage/stores.js';
import { ShopChangesStore } from '../../src/commerce/changes-store.js';
import type { ConversationRecord, InboxEntry, OutboxEntry } from '../../src/storage/records.js';
import { collectionContract } from '../contracts/collection-contract.js';

const keyring = loadKeyring({ keys: generateKeyEntry('ka') });

// The specs stores.ts opens these collections with.
const INBOX: CollectionSpec = { name: 'inbox', indexes: ['status', 'conversationId', 'receivedAt'] };
const OUTBOX: CollectionSpec = { name: 'outbox', indexes: ['status', 'conversationId', 'inboxId', 'seq', 'nextAttemptAt', 'createdAt'] };
const CONVERSATIONS: CollectionSpec = { name: 'conversations', indexes: ['customerId', 'updatedAt'] };

const PHONE = '+4915112345678';
const EMAIL = 'ana.schmidt@example.org';
const TEXT = 'My parcel 4711 arrived broken, please call me';
const SECRETS = [PHONE, EMAIL, TEXT, '4915112345678'];

function inboxEntry(id: string, conversationId = 'cv_1', receivedAt = 1): Omit<InboxEntry, 'version'> {
  return {
    id,
    conversationId,
    status: 'received',
    receivedAt,
    activity: {
      id: id.split(':')[1]!,
      channel: 'whatsapp',
      address: `whatsapp:${PHONE}`,
      conversationKey: `whatsapp:${PHONE}`,
      text: TEXT,
      attachments: [],
      timestamp: '2026-01-01T00:00:00.000Z',
      transport: 'emulator',
    },
  };
}

function conversation(id: string): Omit<ConversationRecord, 'version'> {
  return {
    id,
    key: `whatsapp:${PHONE}`,
    channel: 'whatsapp',
    address: `whatsapp:${PHONE}`,
    customerId: 'cu_1',
    locale: 'en',
    localeSource: 'detected',
    dialogs: [{ dialogId: 'returns', dialogVersion: 1, step: 'ask_email', values: { email: EMAIL }, retries: 0 }],
    lastInboxId: null,
    lastReplies: [{ text: `We will write to ${EMAIL}` }],
    turnCount: 1,
    handoff: null,
    data: { email: EMAIL },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

interface Setup {
  label: string;
  open(): { inner: StorageBackend; bytes?: () => Promise<string> };
}

let dirs: string[] = [];
const setups: Setup[] = [
  { label: 'memory', open: () => ({ inner: new MemoryBackend() }) },
  {
    label: 'embedded (SQLite)',
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), 'meridian-enc-'));
      dirs.push(dir);
      const inner = new EmbeddedBackend({ file: join(dir, 'meridian.db') });
      // Every byte SQLite wrote (database and WAL), once committed and checkpointed by close().
      const bytes = async (): Promise<string> => {
        await inner.close();
        return readdirSync(dir).map((name) => readFileSync(join(dir, name)).toString('latin1')).join('\n');
      };
      return { inner, bytes };
    },
  },
];

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe.each(setups)('encryptedBackend over $label', (setup) => {
  let inner: StorageBackend;
  let bytes: (() => Promise<string>) | undefined;
  let backend: EncryptedBackend;

  beforeEach(() => {
    ({ inner, bytes } = setup.open());
    backend = encryptedBackend(inner, { keyring });
  });
  afterEach(async () => {
    await backend.close();
  });

  it('stores no personal data in plain text, while callers read and write plain text', async () => {
    const inbox = backend.collection<InboxEntry>(INBOX);
    const outbox = backend.collection<OutboxEntry>(OUTBOX);
    const conversations = backend.collection<ConversationRecord>(CONVERSATIONS);
    // A collection without encrypted fields, as the control: the byte search must find this.
    const kb = backend.collection<{ id: string; version: number; body: string }>({ name: 'kb_articles', indexes: [] });
    await kb.insert({ id: 'a1', body: 'CANARY-plaintext-article' });

    const entry = inboxEntry('whatsapp:wamid1');
    const inserted = await inbox.insert(entry);
    expect(inserted).toEqual({ ...entry, version: 1 });
    const finished = await inbox.update({ ...inserted, status: 'done', replies: [{ text: `Sorry! We call ${PHONE}` }] }, 1);
    expect(finished.version).toBe(2);
    expect(finished.replies).toEqual([{ text: `Sorry! We call ${PHONE}` }]);
    await outbox.insert({
      id: 'whatsapp:wamid1#0', conversationId: 'cv_1', inboxId: 'whatsapp:wamid1', seq: 0, channel: 'whatsapp', transport: 'emulator',
      address: `whatsapp:${PHONE}`, locale: 'en', message: { text: `Reply to ${EMAIL}` }, status: 'pending', attempts: 0, nextAttemptAt: 1,
      createdAt: 1, sentAt: null, lastError: null,
    });
    await conversations.insert(conversation('cv_1'));

    expect(await inbox.get('whatsapp:wamid1')).toEqual(finished);
    expect((await outbox.get('whatsapp:wamid1#0'))!.message.text).toBe(`Reply to ${EMAIL}`);
    expect(await conversations.get('cv_1')).toEqual({ ...conversation('cv_1'), version: 1 });

    // What the inner backend holds: every listed field is a ciphertext, absent optional fields stay absent.
    // The personal fields are sealed together in one value; none of them is stored on its own.
    const raw = (await inner.collection<InboxEntry>(INBOX).get('whatsapp:wamid1'))! as unknown as Record<string, unknown>;
    expect(isEncrypted(raw[SEALED_FIELD])).toBe(true);
    expect(encryptedKeyId(raw[SEALED_FIELD])).toBe('ka');
    expect(['activity', 'replies', 'error'].filter((field) => field in raw)).toEqual([]);
    expect(raw['status']).toBe('done');
    const rawConversation = (await inner.collection(CONVERSATIONS).get('cv_1')) as unknown as Record<string, unknown>;
    expect(isEncrypted(rawConversation[SEALED_FIELD])).toBe(true);
    for (const field of PERSONAL_FIELDS['conversations']!) expect([field, field in rawConversation]).toEqual([field, false]);
    const stored = JSON.stringify([
      raw,
      rawConversation,
      await inner.collection(OUTBOX).get('whatsapp:wamid1#0'),
    ]);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);

    if (bytes) {
      const file = await bytes();
      expect(file).toContain('CANARY-plaintext-article');
      for (const secret of SECRETS) expect(file).not.toContain(secret);
    }
  });

  it('finds by index fields, decrypting every match, and keeps optimistic concurrency', async () => {
    const inbox = backend.collection<InboxEntry>(INBOX);
    for (let i = 1; i <= 4; i++) await inbox.insert(inboxEntry(`whatsapp:m${i}`, i <= 3 ? 'cv_a' : 'cv_b', i));
    const found = await inbox.find({ conversationId: 'cv_a' }, { orderBy: 'receivedAt', descending: true, limit: 2 });
    expect(found.map((e) => e.id)).toEqual(['whatsapp:m3', 'whatsapp:m2']);
    expect(found.map((e) => e.activity.text)).toEqual([TEXT, TEXT]);
    expect(await inbox.count({ conversationId: 'cv_a' })).toBe(3);

    const current = (await inbox.get('whatsapp:m1'))!;
    await inbox.update({ ...current, status: 'done' }, current.version);
    await expect(inbox.update({ ...current, status: 'failed' }, current.version)).rejects.toBeInstanceOf(VersionConflictError);
    expect(await inbox.deleteMany({ conversationId: 'cv_b' })).toBe(1);
    expect(await inbox.delete('whatsapp:m1', 2)).toBe(true);
    expect((await inbox.find({})).map((e) => e.id).sort()).toEqual(['whatsapp:m2', 'whatsapp:m3']);
  });

  it('refuses to decrypt a ciphertext moved to another document', async () => {
    const inbox = backend.collection<InboxEntry>(INBOX);
    await inbox.insert(inboxEntry('whatsapp:from'));
    await inbox.insert({ ...inboxEntry('whatsapp:to'), activity: { ...inboxEntry('whatsapp:to').activity, text: 'harmless' } });
    const rawInbox = inner.collection<InboxEntry>(INBOX);
    const from = (await rawInbox.get('whatsapp:from'))!;
    const to = (await rawInbox.get('whatsapp:to'))!;
    await rawInbox.update({ ...to, [SEALED_FIELD]: (from as unknown as Record<string, unknown>)[SEALED_FIELD] } as unknown as InboxEntry, to.version);

    const error = await inbox.get('whatsapp:to').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EncryptionError);
    expect((error as EncryptionError).reason).toBe('auth_failed');
    expect((error as EncryptionError).message).toMatch(/inbox\/whatsapp:to field _personal does not authenticate/);
    expect((error as EncryptionError).message).not.toContain(PHONE);
    expect((await inbox.get('whatsapp:from'))!.activity.text).toBe(TEXT);
  });

  it('keeps the sealed value when a save leaves the personal fields as they were, seals anew when they change, and still authenticates what another writer stored', async () => {
    const conversations = backend.collection<ConversationRecord>(CONVERSATIONS);
    const rawConversations = inner.collection<ConversationRecord>(CONVERSATIONS);
    const sealedOf = async (id: string) => ((await rawConversations.get(id))! as unknown as Record<string, string>)[SEALED_FIELD];
    const first = await conversations.insert(conversation('cv_memo'));
    const before = await sealedOf('cv_memo');
    const read = (await conversations.get('cv_memo'))!;
    // Callers get their own copies: changing one must not change what the next read returns.
    read.data['mutated'] = true;
    expect((await conversations.get('cv_memo'))!.data).toEqual(first.data);
    const fresh = (await conversations.get('cv_memo'))!;
    const counted = await conversations.update({ ...fresh, turnCount: fresh.turnCount + 1 }, fresh.version);
    expect(await sealedOf('cv_memo')).toBe(before);
    await conversations.update({ ...counted, data: { step: 'two' } }, counted.version);
    expect(await sealedOf('cv_memo')).not.toBe(before);
    expect((await conversations.get('cv_memo'))!.data).toEqual({ step: 'two' });

    // Another writer's value (here: another document's ciphertext) is not taken on trust from the memo.
    await conversations.insert(conversation('cv_other'));
    const other = await sealedOf('cv_other');
    const current = (await rawConversations.get('cv_memo'))!;
    await rawConversations.update({ ...current, [SEALED_FIELD]: other } as unknown as ConversationRecord, current.version);
    await expect(conversations.get('cv_memo')).rejects.toBeInstanceOf(EncryptionError);
  });

  it('reads documents written before encryption was turned on, and encrypts them on their next write', async () => {
    const legacy = { ...inboxEntry('whatsapp:old'), status: 'done' as const, replies: [{ text: 'hello' }] };
    await inner.collection<InboxEntry>(INBOX).insert(legacy);
    const inbox = backend.collection<InboxEntry>(INBOX);
    expect(await inbox.get('whatsapp:old')).toEqual({ ...legacy, version: 1 });
    expect(await inbox.find({ status: 'done' })).toEqual([{ ...legacy, version: 1 }]);

    const read = (await inbox.get('whatsapp:old'))!;
    await inbox.update({ ...read, error: `failed for ${EMAIL}` }, read.version);
    const raw = (await inner.collection(INBOX).get('whatsapp:old')) as unknown as Record<string, unknown>;
    expect(isEncrypted(raw[SEALED_FIELD])).toBe(true);
    expect(['activity', 'replies', 'error'].filter((field) => field in raw)).toEqual([]);
    expect((await inbox.get('whatsapp:old'))!.error).toBe(`failed for ${EMAIL}`);
  });

  it('refuses an encrypted field that is also an index or unique field', () => {
    // How stores.ts used to open customers (primaryAddress unique): that spec cannot be served encrypted.
    expect(() => backend.collection({ name: 'customers', indexes: [], unique: ['primaryAddress'] })).toThrow(
      /customers\.primaryAddress is both encrypted at rest .* and an index or unique field/,
    );
    expect(() => backend.collection({ name: 'outbox', indexes: ['status', 'address'] })).toThrow(/outbox\.address/);
    const custom = encryptedBackend(inner, { keyring, fields: { profiles: ['contact.email', 'phones[]'] } });
    expect(() => custom.collection({ name: 'profiles', indexes: ['contact'] })).toThrow(/profiles\.contact/);
    expect(() => custom.collection({ name: 'profiles', indexes: ['phones'] })).toThrow(/profiles\.phones/);
    expect(() => custom.collection({ name: 'profiles', indexes: ['tier'] })).not.toThrow();
  });

  it('passes collections without encrypted fields through and keeps kind, flush and ping', async () => {
    expect(backend.kind).toBe(inner.kind);
    expect(typeof backend.flush).toBe(typeof inner.flush);
    await backend.ping();
    await backend.flush?.();
    expect(isEncryptedBackend(backend)).toBe(true);
    expect(isEncryptedBackend(inner)).toBe(false);
    const spec: CollectionSpec = { name: 'kb_articles', indexes: [] };
    expect(backend.collection(spec)).toBe(inner.collection(spec));
  });
});

describe('encryptedBackend without a flush', () => {
  it('leaves flush undefined when the inner backend has none', () => {
    expect(encryptedBackend(new MemoryBackend(), { keyring }).flush).toBeUndefined();
  });
});

describe('PERSONAL_FIELDS against the stores', () => {
  it('names no field the stores index, so every store opens over the wrapper', () => {
    const backend = encryptedBackend(new MemoryBackend(), { keyring });
    expect(() => createStores(backend)).not.toThrow();
    expect(() => ShopChangesStore.open(backend)).not.toThrow();
  });
});

// The storage contract over the wrapper, with a field of the contract's own collection encrypted too.
const contractFields = { ...PERSONAL_FIELDS, things: ['payload'] };
collectionContract('encrypted over memory', async () => encryptedBackend(new MemoryBackend(), { keyring, fields: contractFields }));
collectionContract('encrypted over embedded (SQLite)', async () =>
  encryptedBackend(new EmbeddedBackend({ file: join(mkdtempSync(join(tmpdir(), 'meridian-enc-')), 'meridian.db') }), { keyring, fields: contractFields }),
);
