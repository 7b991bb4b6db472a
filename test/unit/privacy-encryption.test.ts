import { describe, it, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { Collection, StoredDocument } from '../../src/storage/collection.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import {
  decryptDocumentFields, decryptField, decryptValue, encryptDocumentFields, encryptField, encryptValue, encryptedKeyId, isEncrypted,
  rotateCollection, rotateDocumentFields, type FieldContext, type RotationProgress,
} from '../../src/privacy/encryption.js';
import { EncryptionError, generateKeyEntry, keyringOptionsFromEnv, loadKeyring, type EncryptionFailure } from '../../src/privacy/keyring.js';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const OTHER = randomBytes(32).toString('base64');
const ring1 = loadKeyring({ keys: `k1:${K1}` });
const ring12 = loadKeyring({ keys: `k1:${K1},k2:${K2}`, active: 'k2' });
const ctx: FieldContext = { collection: 'customers', field: 'email', id: 'c-1' };

function failure(fn: () => unknown): EncryptionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EncryptionError) return error;
    throw error;
  }
  throw new Error('expected an EncryptionError');
}
const reasonOf = (fn: () => unknown): EncryptionFailure => failure(fn).reason;

/** Replaces one base64url character of part `index` of enc:v1:<key id>:<iv>:<body> (3 = iv, 4 = body). */
function alter(value: string, index: number, at?: number): string {
  const parts = value.split(':');
  const part = parts[index]!;
  const i = at ?? Math.floor(part.length / 2);
  parts[index] = part.slice(0, i) + (part[i] === 'A' ? 'B' : 'A') + part.slice(i + 1);
  return parts.join(':');
}

describe('keyring', () => {
  it('reads keys inline, from a file (one per line, comments) and from the environment', () => {
    expect(ring12.keyIds).toEqual(['k1', 'k2']);
    expect(ring12.activeKeyId).toBe('k2');
    expect(ring1.activeKeyId).toBe('k1'); // one key: it is the active one
    const dir = mkdtempSync(join(tmpdir(), 'meridian-keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, `# rotated 2026-03\nk1:${K1}\nk2:${K2}\n`);
    expect(loadKeyring({ keysFile: file, active: 'k1' }).keyIds).toEqual(['k1', 'k2']);
    expect(loadKeyring({ keys: file, active: 'k2' }).activeKeyId).toBe('k2');
    const options = keyringOptionsFromEnv({ MERIDIAN_ENCRYPTION_KEYS_FILE: file, MERIDIAN_ENCRYPTION_ACTIVE_KEY: 'k2' });
    expect(options).toEqual({ keys: undefined, keysFile: file, active: 'k2' });
    expect(keyringOptionsFromEnv({})).toBeUndefined();
    // base64url keys work too.
    expect(loadKeyring({ keys: `u:${randomBytes(32).toString('base64url')}` }).keyIds).toEqual(['u']);
    expect(loadKeyring({ keys: generateKeyEntry('fresh') }).activeKeyId).toBe('fresh');
  });

  it('refuses bad keys with errors that name the problem and never the key', () => {
    const short = randomBytes(16).toString('base64');
    const cases: [string, () => unknown, RegExp][] = [
      ['short key', () => loadKeyring({ keys: `k1:${short}` }), /k1.*16 bytes.*32/],
      ['not base64', () => loadKeyring({ keys: `k1:${K1.slice(0, 20)}!!${K1.slice(22)}` }), /k1.*not base64/],
      ['duplicate id', () => loadKeyring({ keys: `k1:${K1},k1:${K2}` }), /"k1" is defined twice/],
      ['no active key among several', () => loadKeyring({ keys: `k1:${K1},k2:${K2}` }), /several.*k1, k2.*MERIDIAN_ENCRYPTION_ACTIVE_KEY/],
      ['unknown active key', () => loadKeyring({ keys: `k1:${K1}`, active: 'k9' }), /"k9".*not among/],
      ['a key as the active id', () => loadKeyring({ keys: `k1:${K1}`, active: K2 }), /must be a key id/],
      ['a key without its id', () => loadKeyring({ keys: K1 }), /without an id/],
      ['id and key swapped', () => loadKeyring({ keys: `${K1}:k1` }), /invalid key id/],
      ['placeholder key', () => loadKeyring({ keys: `k1:${Buffer.alloc(32).toString('base64')}` }), /placeholder/],
      ['no keys at all', () => loadKeyring({}), /MERIDIAN_ENCRYPTION_KEYS/],
      ['missing file', () => loadKeyring({ keysFile: '/nonexistent/keys' }), /ENOENT/],
    ];
    for (const [name, fn, message] of cases) {
      const error = failure(fn);
      expect([name, error.reason, error.code]).toEqual([name, 'key_invalid', 'config_invalid']);
      expect(error.message).toMatch(message);
      const shown = `${error.message} ${String(error.stack)} ${JSON.stringify(error)} ${inspect(error)}`;
      for (const secret of [K1, K2, short, K1.slice(0, 12), K2.slice(0, 12)]) expect(shown).not.toContain(secret);
    }
  });

  it('never shows key material when printed or serialised', () => {
    const shown = `${JSON.stringify(ring12)} ${inspect(ring12, { showHidden: true, depth: 10 })} ${String(ring12)}`;
    expect(shown).toContain('k2');
    for (const secret of [K1, K2, Buffer.from(K1, 'base64').toString('hex')]) expect(shown).not.toContain(secret);
  });
});

describe('encryptField / decryptField', () => {
  it('round-trips any text in the compact format, with a fresh IV each time', () => {
    for (const text of ['ana.lopez@example.com', '', 'Müller – 東京都渋谷区 🙂', 'x'.repeat(5000)]) {
      const sealed = encryptField(text, ctx, ring1);
      expect(sealed).toMatch(/^enc:v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
      expect(isEncrypted(sealed)).toBe(true);
      expect(encryptedKeyId(sealed)).toBe('k1');
      expect(decryptField(sealed, ctx, ring1)).toBe(text);
    }
    const a = encryptField('same', ctx, ring1);
    const b = encryptField('same', ctx, ring1);
    expect(a).not.toBe(b);
    expect(a.split(':')[3]).not.toBe(b.split(':')[3]);
  });

  it('round-trips JSON values with their type', () => {
    const identity = { channel: 'whatsapp', address: '+34612345678', verified: true };
    expect(decryptValue(encryptValue(identity, ctx, ring1), ctx, ring1)).toEqual(identity);
    expect(decryptValue(encryptValue(42, ctx, ring1), ctx, ring1)).toBe(42);
    expect(decryptValue(encryptField('42', ctx, ring1), ctx, ring1)).toBe('42');
    expect(reasonOf(() => decryptField(encryptValue(42, ctx, ring1), ctx, ring1))).toBe('malformed');
  });

  it('detects tampering with the IV, the tag, the ciphertext or the key id', () => {
    const sealed = encryptField('ana.lopez@example.com', ctx, ring12);
    const body = sealed.split(':')[4]!;
    expect(reasonOf(() => decryptField(alter(sealed, 3), ctx, ring12))).toBe('auth_failed'); // IV
    expect(reasonOf(() => decryptField(alter(sealed, 4, 2), ctx, ring12))).toBe('auth_failed'); // ciphertext
    expect(reasonOf(() => decryptField(alter(sealed, 4, body.length - 5), ctx, ring12))).toBe('auth_failed'); // tag
    // Another key id the keyring holds: the associated data names the key, so it fails even before the key matters.
    expect(reasonOf(() => decryptField(sealed.replace(':k2:', ':k1:'), ctx, ring12))).toBe('auth_failed');
    // Truncated or padded values are rejected as malformed.
    expect(reasonOf(() => decryptField(sealed.slice(0, -20), ctx, ring12))).toMatch(/auth_failed|malformed/);
    expect(reasonOf(() => decryptField(`${sealed}==`, ctx, ring12))).toBe('malformed');
    expect(reasonOf(() => decryptField('ana.lopez@example.com', ctx, ring12))).toBe('malformed');
  });

  it('binds the value to its record: another id, field or collection does not decrypt', () => {
    const sealed = encryptField('ana.lopez@example.com', ctx, ring1);
    for (const moved of [{ ...ctx, id: 'c-2' }, { ...ctx, field: 'phone' }, { ...ctx, collection: 'tickets' }]) {
      expect(reasonOf(() => decryptField(sealed, moved, ring1))).toBe('auth_failed');
    }
  });

  it('fails with the wrong key and names an unknown key id without leaking anything', () => {
    const sealed = encryptField('ana.lopez@example.com', ctx, ring1);
    const impostor = loadKeyring({ keys: `k1:${OTHER}` });
    expect(reasonOf(() => decryptField(sealed, ctx, impostor))).toBe('auth_failed');
    const error = failure(() => decryptField(sealed, ctx, loadKeyring({ keys: `k2:${K2}` })));
    expect(error.reason).toBe('key_unknown');
    expect(error.message).toMatch(/"k1".*k2/);
    expect(error.message).not.toContain('example.com');
  });
});

interface Customer extends StoredDocument {
  displayName: string | null;
  email?: string;
  identities: ({ channel: string; address: string } | string)[];
  tier: string;
}

const FIELDS = ['displayName', 'email', 'identities[].address'];

function customer(i: number): Omit<Customer, 'version'> {
  return {
    id: `c-${i}`,
    displayName: `Customer ${i}`,
    email: `c${i}@example.com`,
    identities: [{ channel: 'whatsapp', address: `+3461234${String(i).padStart(4, '0')}` }, { channel: 'email', address: `c${i}@example.com` }],
    tier: 'gold',
  };
}

describe('document fields', () => {
  it('encrypts nested paths and array elements, without mutating the input, and decrypts them back', () => {
    const doc = { ...customer(1), version: 3 };
    const before = structuredClone(doc);
    const sealed = encryptDocumentFields(doc, FIELDS, { collection: 'customers' }, ring1);
    expect(doc).toEqual(before);
    expect(isEncrypted(sealed.displayName)).toBe(true);
    expect(isEncrypted(sealed.email)).toBe(true);
    expect(sealed.identities.map((identity) => typeof identity === 'object' && isEncrypted(identity.address))).toEqual([true, true]);
    expect(sealed.tier).toBe('gold');
    expect(JSON.stringify(sealed)).not.toContain('example.com');
    expect(decryptDocumentFields(sealed, FIELDS, { collection: 'customers' }, ring1)).toEqual(doc);
    // The field path is part of what is authenticated: an element cannot be read as another field.
    const first = sealed.identities[0] as { address: string };
    expect(reasonOf(() => decryptField(first.address, { collection: 'customers', field: 'email', id: 'c-1' }, ring1))).toBe('auth_failed');
  });

  it('encrypts whole array elements, keeps nulls and absent fields, and is idempotent', () => {
    const doc = { id: 'c-9', version: 1, displayName: null, identities: ['whatsapp:+34612345678', 'email:ana@example.com'], tier: 'new' };
    const sealed = encryptDocumentFields(doc, ['displayName', 'email', 'identities[]'], { collection: 'customers' }, ring1);
    expect(sealed.displayName).toBeNull();
    expect('email' in sealed).toBe(false);
    expect(sealed.identities.every((value) => isEncrypted(value))).toBe(true);
    expect(encryptDocumentFields(sealed, ['identities[]'], { collection: 'customers' }, ring1)).toEqual(sealed);
    // A value that only looks encrypted (typed by a customer) is encrypted, not trusted.
    const lookalike = { ...doc, displayName: `enc:v1:k1:${'A'.repeat(16)}:${'B'.repeat(30)}` };
    const resealed = encryptDocumentFields(lookalike, ['displayName'], { collection: 'customers' }, ring1);
    expect(decryptDocumentFields(resealed, ['displayName'], { collection: 'customers' }, ring1).displayName).toBe(lookalike.displayName);
  });

  it('passes legacy plaintext through on read and encrypts it on rotation', () => {
    const legacy = { ...customer(2), version: 1 };
    expect(decryptDocumentFields(legacy, FIELDS, { collection: 'customers' }, ring1)).toEqual(legacy);
    const { doc, rotated } = rotateDocumentFields(legacy, FIELDS, { collection: 'customers' }, ring12);
    expect(rotated).toBe(4);
    expect(encryptedKeyId(doc.email)).toBe('k2');
    expect(rotateDocumentFields(legacy, FIELDS, { collection: 'customers' }, ring12, { encryptPlaintext: false }).rotated).toBe(0);
  });

  it('re-encrypts only values under a key that is not the active one', () => {
    const old = encryptDocumentFields({ ...customer(3), version: 1 }, FIELDS, { collection: 'customers' }, ring1);
    const partly = { ...old, displayName: encryptField('New Name', { collection: 'customers', field: 'displayName', id: 'c-3' }, ring12) };
    const { doc, rotated } = rotateDocumentFields(partly, FIELDS, { collection: 'customers' }, ring12);
    expect(rotated).toBe(3);
    expect(doc.displayName).toBe(partly.displayName);
    expect(decryptDocumentFields(doc, FIELDS, { collection: 'customers' }, ring12)).toEqual({ ...customer(3), version: 1, displayName: 'New Name' });
    expect(rotateDocumentFields(doc, FIELDS, { collection: 'customers' }, ring12).rotated).toBe(0);
  });
});

describe('rotateCollection', () => {
  async function seeded(count: number): Promise<Collection<Customer>> {
    const collection = new MemoryBackend().collection<Customer>({ name: 'customers', indexes: ['tier'] });
    for (let i = 1; i <= count; i++) {
      const plain = customer(i);
      // Two legacy documents were written before encryption was turned on.
      await collection.insert(i <= 2 ? plain : encryptDocumentFields(plain, FIELDS, { collection: 'customers' }, ring1));
    }
    return collection;
  }

  it('re-encrypts a collection in batches, reporting progress, while a concurrent update wins and is kept', async () => {
    const store = await seeded(25);
    // The bot (already on the new keyring) changes c-7 between the rotation's read and its write.
    let raced = false;
    const racing: Collection<Customer> = {
      name: store.name,
      get: (id) => store.get(id),
      insert: (doc) => store.insert(doc),
      find: (filter, options) => store.find(filter, options),
      count: (filter) => store.count(filter),
      delete: (id, version) => store.delete(id, version),
      deleteMany: (filter) => store.deleteMany(filter),
      async update(doc, expectedVersion) {
        if (doc.id === 'c-7' && !raced) {
          raced = true;
          const live = (await store.get('c-7'))!;
          const opened = decryptDocumentFields(live, FIELDS, { collection: 'customers' }, ring12);
          await store.update(encryptDocumentFields({ ...opened, displayName: 'Changed During Rotation', tier: 'platinum' }, FIELDS, { collection: 'customers' }, ring12), live.version);
        }
        if (doc.id === 'c-9') await store.delete('c-9'); // deleted by an erasure meanwhile
        return store.update(doc, expectedVersion);
      },
    };
    const progress: RotationProgress[] = [];
    const result = await rotateCollection(racing, FIELDS, ring12, { batchSize: 10, onProgress: (p) => progress.push(p) });

    expect(raced).toBe(true);
    expect(progress.map((p) => p.scanned)).toEqual([10, 20, 25]);
    expect(result).toMatchObject({ total: 25, scanned: 25, updated: 23, conflicts: 2, gone: 1, failed: 0, aborted: false, failures: [] });
    const all = await store.find({});
    expect(all).toHaveLength(24);
    for (const doc of all) {
      const values = [doc.displayName, doc.email, ...doc.identities.map((identity) => (typeof identity === 'string' ? identity : identity.address))];
      expect(values.map((value) => encryptedKeyId(value))).toEqual(values.map(() => 'k2'));
    }
    const c7 = decryptDocumentFields((await store.get('c-7'))!, FIELDS, { collection: 'customers' }, ring12);
    expect(c7).toMatchObject({ displayName: 'Changed During Rotation', tier: 'platinum', email: 'c7@example.com' });
    expect(decryptDocumentFields((await store.get('c-1'))!, FIELDS, { collection: 'customers' }, ring12)).toMatchObject({ email: 'c1@example.com' });

    // Nothing left: a dry run counts zero and a second run writes nothing.
    expect(await rotateCollection(store, FIELDS, ring12, { dryRun: true })).toMatchObject({ updated: 0, values: 0 });
    const versions = all.map((doc) => doc.version);
    await rotateCollection(store, FIELDS, ring12);
    expect((await store.find({})).map((doc) => doc.version)).toEqual(versions);
  });

  it('dry-runs without writing, stops on abort, and reports documents it cannot decrypt', async () => {
    const store = await seeded(6);
    const dry = await rotateCollection(store, FIELDS, ring12, { dryRun: true });
    expect(dry).toMatchObject({ total: 6, updated: 6, values: 24 });
    expect((await store.get('c-3'))!.version).toBe(1);

    const controller = new AbortController();
    const stopped = await rotateCollection(store, FIELDS, ring12, { batchSize: 2, signal: controller.signal, onProgress: () => controller.abort() });
    expect(stopped).toMatchObject({ scanned: 2, aborted: true });

    const broken = (await store.get('c-5'))!;
    await store.update({ ...broken, email: encryptField('x@example.com', { collection: 'customers', field: 'email', id: 'c-6' }, ring1) }, broken.version);
    const result = await rotateCollection(store, FIELDS, ring12);
    expect(result.failed).toBe(1);
    expect(result.failures).toEqual([{ id: 'c-5', reason: expect.stringMatching(/customers\/c-5 field email does not authenticate/) }]);
    expect(JSON.stringify(result)).not.toContain('example.com');
  });
});
