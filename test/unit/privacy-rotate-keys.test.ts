import { describe, it, expect, afterEach } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MeridianError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { encryptedBackend, SEALED_FIELD } from '../../src/privacy/encrypted-backend.js';
import { encryptedKeyId, encryptValue, isEncrypted } from '../../src/privacy/encryption.js';
import { loadKeyring } from '../../src/privacy/keyring.js';
import { openKeyring } from '../../src/privacy/open-keyring.js';
import { rotateKeys } from '../../src/privacy/rotate-keys.js';
import type { Collection, CollectionSpec, StorageBackend, StoredDocument } from '../../src/storage/collection.js';
import { EmbeddedBackend } from '../../src/storage/embedded-backend.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';

const A = `ka:${randomBytes(32).toString('base64')}`;
const B = `kb:${randomBytes(32).toString('base64')}`;
const ringA = loadKeyring({ keys: A });
const ringAB = loadKeyring({ keys: `${A},${B}`, active: 'kb' });
const ringB = loadKeyring({ keys: B });

interface Note extends StoredDocument {
  topic: string;
  body: string;
  contact: { email: string } | null;
}
const NOTES: CollectionSpec = { name: 'notes', indexes: ['topic'] };
const FIELDS = { notes: ['body', 'contact'], memos: ['body'] };
const MEMOS: CollectionSpec = { name: 'memos', indexes: [] };

const note = (i: number): Omit<Note, 'version'> => ({ id: `n${i}`, topic: i % 2 ? 'odd' : 'even', body: `body ${i}`, contact: { email: `p${i}@example.org` } });

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-rot-'));
  dirs.push(dir);
  return dir;
};

/**
 * Key ids of every stored personal value in the raw collection ('plain' for plain text): the sealed
 * `_personal` value of documents written through the wrapper, the fields of rows stored one by one.
 */
async function storedKeys(inner: StorageBackend, spec: CollectionSpec, fields: readonly string[]): Promise<string[]> {
  const docs = await inner.collection<StoredDocument>(spec).find({});
  return docs.flatMap((doc) =>
    [...fields, SEALED_FIELD]
      .filter((field) => field in doc)
      .map((field) => {
        const value = (doc as unknown as Record<string, unknown>)[field];
        return isEncrypted(value) ? encryptedKeyId(value)! : 'plain';
      }),
  );
}

/** Six notes under key A, one legacy note in plain text, one memo under A. */
async function seed(inner: StorageBackend): Promise<void> {
  const old = encryptedBackend(inner, { keyring: ringA, fields: FIELDS });
  const notes = old.collection<Note>(NOTES);
  for (let i = 1; i <= 6; i++) await notes.insert(note(i));
  await inner.collection<Note>(NOTES).insert(note(7));
  await old.collection<Note>(MEMOS).insert({ ...note(8), topic: 'memo' });
}

describe('rotateKeys over memory', () => {
  it('re-encrypts old-key and plain-text values under the active key; dry runs and repeat runs write nothing', async () => {
    const inner = new MemoryBackend();
    await seed(inner);
    const backend = encryptedBackend(inner, { keyring: ringAB, fields: FIELDS });
    const notes = backend.collection<Note>(NOTES); // the live stores opened first, as in a running bot
    const versions = async () => (await inner.collection<Note>(NOTES).find({})).map((doc) => doc.version);
    const before = await versions();

    const dry = await rotateKeys(backend, { dryRun: true });
    expect(dry).toEqual([
      { collection: 'notes', scanned: 7, rotated: 0, remaining: 7, failures: [] },
      { collection: 'memos', scanned: 1, rotated: 0, remaining: 1, failures: [] },
    ]);
    expect(await versions()).toEqual(before);
    expect(await storedKeys(inner, NOTES, FIELDS.notes)).toContain('ka');

    const progress: { collection: string; scanned: number; rotated: number }[] = [];
    const result = await rotateKeys(backend, { batchSize: 3, onProgress: (p) => progress.push(p) });
    expect(result).toEqual([
      { collection: 'notes', scanned: 7, rotated: 7, remaining: 0, failures: [] },
      { collection: 'memos', scanned: 1, rotated: 1, remaining: 0, failures: [] },
    ]);
    expect(progress).toEqual([
      { collection: 'notes', scanned: 3, rotated: 3 },
      { collection: 'notes', scanned: 6, rotated: 6 },
      { collection: 'notes', scanned: 7, rotated: 7 },
      { collection: 'memos', scanned: 1, rotated: 1 },
    ]);
    expect(new Set(await storedKeys(inner, NOTES, FIELDS.notes))).toEqual(new Set(['kb']));
    expect(new Set(await storedKeys(inner, MEMOS, FIELDS.memos))).toEqual(new Set(['kb']));

    // The data reads, even with key A gone.
    expect((await notes.find({ topic: 'odd' })).map((n) => n.contact!.email)).toEqual(['p1@example.org', 'p3@example.org', 'p5@example.org', 'p7@example.org']);
    const onlyB = encryptedBackend(inner, { keyring: ringB, fields: FIELDS });
    expect((await onlyB.collection<Note>(NOTES).get('n2'))!.body).toBe('body 2');

    const rotatedVersions = await versions();
    expect(await rotateKeys(backend)).toEqual([
      { collection: 'notes', scanned: 7, rotated: 0, remaining: 0, failures: [] },
      { collection: 'memos', scanned: 1, rotated: 0, remaining: 0, failures: [] },
    ]);
    expect(await versions()).toEqual(rotatedVersions);
  });

  it('keeps a turn that saves a document between the rotation read and its write', async () => {
    const memory = new MemoryBackend();
    await seed(memory);
    let raced = 0;
    // An inner backend whose find() lets a turn run after the rotation has read its documents.
    const inner: StorageBackend = {
      kind: 'memory',
      ping: () => memory.ping(),
      close: () => memory.close(),
      collection<T extends StoredDocument>(spec: CollectionSpec): Collection<T> {
        const collection = memory.collection<T>(spec);
        return {
          ...bind(collection),
          async find(filter, options) {
            const docs = await collection.find(filter, options);
            if (spec.name === 'notes' && raced === 0) {
              raced++;
              // An instance still on key A (rolling deploy) saves n3 and n7.
              const old = encryptedBackend(memory, { keyring: ringA, fields: FIELDS }).collection<Note>(NOTES);
              for (const id of ['n3', 'n7']) {
                const current = (await old.get(id))!;
                await old.update({ ...current, body: `${current.body} changed during rotation` }, current.version);
              }
            }
            return docs;
          },
        };
      },
    };
    const live = encryptedBackend(inner, { keyring: ringAB, fields: FIELDS });
    const notes = live.collection<Note>(NOTES);

    const [result] = await rotateKeys(live, { collections: ['notes'] });
    expect(raced).toBe(1);
    expect(result).toEqual({ collection: 'notes', scanned: 7, rotated: 7, remaining: 0, failures: [] });
    expect((await notes.get('n3'))!.body).toBe('body 3 changed during rotation');
    expect((await notes.get('n7'))!.body).toBe('body 7 changed during rotation');
    expect((await notes.get('n3'))!.version).toBe(3);
    expect(new Set(await storedKeys(memory, NOTES, FIELDS.notes))).toEqual(new Set(['kb']));
  });

  it('refuses collections without encrypted fields, and a store opened after an index-less rotation', async () => {
    const backend = encryptedBackend(new MemoryBackend(), { keyring: ringAB, fields: FIELDS });
    await expect(rotateKeys(backend, { collections: ['notes', 'kb_articles'] })).rejects.toThrow(/no encrypted fields .* kb_articles/);
    await rotateKeys(backend, { collections: ['notes'] });
    expect(() => backend.collection(NOTES)).toThrow(/opened for key rotation without its indexes/);
    expect(() => backend.collection(MEMOS)).not.toThrow();
  });
});

describe('rotateKeys over embedded (SQLite), as the CLI runs it: a fresh process that opened no store', () => {
  it('rotates without touching the schema, and the stores find by index afterwards', async () => {
    const file = join(tempDir(), 'meridian.db');
    const first = new EmbeddedBackend({ file });
    await seed(first);
    await first.close();

    const cli = encryptedBackend(new EmbeddedBackend({ file }), { keyring: ringAB, fields: FIELDS });
    expect((await rotateKeys(cli, { dryRun: true })).map((r) => r.remaining)).toEqual([7, 1]);
    expect((await rotateKeys(cli)).map((r) => [r.collection, r.rotated, r.remaining])).toEqual([['notes', 7, 0], ['memos', 1, 0]]);
    expect((await rotateKeys(cli)).map((r) => r.rotated)).toEqual([0, 0]);
    await cli.close();

    const inner = new EmbeddedBackend({ file });
    const bot = encryptedBackend(inner, { keyring: ringB, fields: FIELDS });
    const notes = bot.collection<Note>(NOTES);
    expect((await notes.find({ topic: 'even' })).map((n) => n.body)).toEqual(['body 2', 'body 4', 'body 6']);
    expect(new Set(await storedKeys(inner, NOTES, FIELDS.notes))).toEqual(new Set(['kb']));
    expect(JSON.stringify(await inner.collection(NOTES).find({}))).not.toContain('p7@example.org');
    await bot.close();
    // Not checked on the file's bytes: SQLite keeps the legacy plain-text row in a free page until it
    // is reused or the file is vacuumed (secure_delete is off).
  });
});

describe('openKeyring', () => {
  const base = { environment: 'development' as const, storage: 'embedded' as const };

  it('takes the keys from the environment when they are set', () => {
    const { keyring, source } = openKeyring({ ...base, env: { MERIDIAN_ENCRYPTION_KEYS: `${A},${B}`, MERIDIAN_ENCRYPTION_ACTIVE_KEY: 'kb' }, dataDir: tempDir() });
    expect(source).toBe('env');
    expect(keyring.keyIds).toEqual(['ka', 'kb']);
    expect(keyring.activeKeyId).toBe('kb');
    const dir = tempDir();
    writeFileSync(join(dir, 'keys'), `${B}\n`);
    expect(openKeyring({ ...base, environment: 'production', env: { MERIDIAN_ENCRYPTION_KEYS_FILE: join(dir, 'keys') }, dataDir: tempDir() }).keyring.keyIds).toEqual(['kb']);
  });

  it('refuses to start in production without a key, naming the variables and no key', () => {
    const dataDir = tempDir();
    // A development key file in the data directory must not be picked up in production.
    openKeyring({ ...base, env: {}, dataDir });
    const devKey = readFileSync(join(dataDir, 'encryption.keys'), 'utf8').split('\n')[1]!.split(':')[1]!;
    for (const storage of ['embedded', 'memory', 'mongodb'] as const) {
      let error: unknown;
      try {
        openKeyring({ environment: 'production', storage, env: { MERIDIAN_ENCRYPTION_ACTIVE_KEY: 'kb' }, dataDir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MeridianError);
      expect((error as MeridianError).code).toBe('config_invalid');
      const message = (error as MeridianError).message;
      expect(message).toMatch(/encrypted at rest/);
      expect(message).toContain('MERIDIAN_ENCRYPTION_KEYS ');
      expect(message).toContain('MERIDIAN_ENCRYPTION_KEYS_FILE');
      expect(message).toContain('meridian privacy new-key');
      expect(message).not.toContain(devKey);
      expect(message).not.toMatch(/[A-Za-z0-9+/]{43}=/);
    }
  });

  it('uses a throw-away key for the memory store and writes nothing', () => {
    const dataDir = tempDir();
    const first = openKeyring({ ...base, storage: 'memory', env: {}, dataDir });
    const second = openKeyring({ ...base, environment: 'test', storage: 'memory', env: {}, dataDir });
    expect([first.source, second.source]).toEqual(['ephemeral', 'ephemeral']);
    expect(first.keyring.activeKeyId).toMatch(/^k\d{8}$/);
    const ctx = { collection: 'c', field: 'f', id: 'i' };
    expect(() => encryptValue('x', ctx, first.keyring)).not.toThrow();
    expect(existsSync(join(dataDir, 'encryption.keys'))).toBe(false);
  });

  it('generates a key file (0600) once for a development file store, warns, and re-uses it', async () => {
    const dataDir = join(tempDir(), 'data'); // not there yet
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } }) });
    const first = openKeyring({ ...base, env: {}, dataDir, logger });
    expect(first.source).toBe('generated-file');
    const file = join(dataDir, 'encryption.keys');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = readFileSync(file, 'utf8');
    expect(content.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).toEqual([expect.stringMatching(/^k\d{8}:[A-Za-z0-9+/]{43}=$/)]);
    expect(lines.join('')).toMatch(/"level":40.*production must provide its own/);
    expect(lines.join('')).not.toContain(content.split('\n')[1]!.split(':')[1]!);

    lines.length = 0;
    const again = openKeyring({ ...base, environment: 'test', env: {}, dataDir, logger });
    expect(again.source).toBe('generated-file');
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(lines).toEqual([]);
    // Same key: what the first start wrote, the second reads.
    const inner = new MemoryBackend();
    await encryptedBackend(inner, { keyring: first.keyring, fields: FIELDS }).collection<Note>(NOTES).insert(note(1));
    expect((await encryptedBackend(inner, { keyring: again.keyring, fields: FIELDS }).collection<Note>(NOTES).get('n1'))!.body).toBe('body 1');
  });
});

/** A collection's methods bound to it, to override one. */
function bind<T extends StoredDocument>(c: Collection<T>): Collection<T> {
  return {
    name: c.name,
    get: (id) => c.get(id),
    insert: (doc) => c.insert(doc),
    update: (doc, version) => c.update(doc, version),
    delete: (id, version) => c.delete(id, version),
    find: (filter, options) => c.find(filter, options),
    count: (filter) => c.count(filter),
    deleteMany: (filter) => c.deleteMany(filter),
  };
}
