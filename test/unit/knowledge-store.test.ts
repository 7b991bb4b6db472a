import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAUNCH_LOCALES } from '../../src/bot.js';
import { DuplicateKeyError, VersionConflictError } from '../../src/core/errors.js';
import { ManualClock } from '../../src/core/runtime.js';
import type { StorageBackend } from '../../src/storage/collection.js';
import { EmbeddedBackend } from '../../src/storage/embedded-backend.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import type { Translator, TranslationRequest } from '../../src/translation/types.js';
import { KB_LANGUAGES, createKnowledgeStore, sourceHash, type ArticleInput, type KnowledgeChange, type KnowledgeStore } from '../../src/knowledge/index.js';

/** A translator that tags each text with its target language and records every call. */
function fakeTranslator(options: { failFor?: string } = {}): Translator & { calls: TranslationRequest[] } {
  const calls: TranslationRequest[] = [];
  return {
    id: 'fake',
    calls,
    async translate(request) {
      calls.push(request);
      if (request.to === options.failFor) throw new Error(`no ${request.to} today`);
      return { texts: request.texts.map((text) => `[${request.to}] ${text}`), provider: 'fake', from: request.from ?? 'en' };
    },
  };
}

const input = (overrides: Partial<ArticleInput> = {}): ArticleInput => ({
  id: 'returns',
  sourceLanguage: 'en',
  title: 'Returns',
  body: 'You can return items within 30 days.',
  tags: ['returns'],
  translations: {
    es: { title: 'Devoluciones', body: 'Puedes devolver artículos en 30 días.' },
    de: { title: 'Rücksendungen', body: 'Sie können Artikel innerhalb von 30 Tagen zurücksenden.' },
  },
  ...overrides,
});

const backends: [string, () => StorageBackend][] = [
  ['memory', () => new MemoryBackend()],
  ['embedded (SQLite)', () => new EmbeddedBackend({ file: join(mkdtempSync(join(tmpdir(), 'meridian-kb-')), 'kb.db') })],
];

describe.each(backends)('knowledge store over %s', (_label, open) => {
  let backend: StorageBackend;
  let store: KnowledgeStore;
  let clock: ManualClock;

  beforeEach(() => {
    backend = open();
    clock = new ManualClock(Date.UTC(2026, 2, 1, 9, 0, 0));
    store = createKnowledgeStore(backend, { clock });
  });
  afterEach(async () => {
    await backend.close();
  });

  it('saves an article with current translations stamped with the source hash', async () => {
    const saved = await store.save(input());
    expect(saved.version).toBe(1);
    expect(saved.updatedAt).toBe('2026-03-01T09:00:00.000Z');
    const hash = sourceHash('Returns', 'You can return items within 30 days.');
    expect(saved.translations['es']).toEqual({ title: 'Devoluciones', body: 'Puedes devolver artículos en 30 días.', sourceHash: hash, status: 'current', translatedAt: '2026-03-01T09:00:00.000Z' });
    expect(await store.get('returns')).toEqual(saved);
  });

  it('stamps updatedAt on every write', async () => {
    const first = await store.save(input());
    clock.advance(86_400_000);
    const second = await store.put({ ...first, tags: ['returns', 'policy'] }, first.version);
    expect(second.updatedAt).toBe('2026-03-02T09:00:00.000Z');
    expect(second.version).toBe(2);
  });

  it('lists by id and deletes at a version', async () => {
    await store.save(input({ id: 'b' }));
    const a = await store.save(input({ id: 'a' }));
    expect((await store.list()).map((x) => x.id)).toEqual(['a', 'b']);
    expect(await store.delete('a', a.version + 1)).toBe(false);
    expect(await store.delete('a', a.version)).toBe(true);
    expect((await store.list()).map((x) => x.id)).toEqual(['b']);
    expect(await store.get('a')).toBeUndefined();
  });

  it('refuses a write at an old version and a second insert of the same id', async () => {
    const first = await store.save(input());
    await store.put({ ...first, title: 'Returns and refunds' }, first.version);
    await expect(store.put({ ...first, title: 'Lost update' }, first.version)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(store.put({ ...first })).rejects.toBeInstanceOf(DuplicateKeyError);
    expect((await store.get('returns'))?.title).toBe('Returns and refunds');
  });

  it('marks every translation stale when the source title or body changes, and only then', async () => {
    const first = await store.save(input());
    const tagsOnly = await store.put({ ...first, tags: ['returns', 'policy'] }, first.version);
    expect(Object.values(tagsOnly.translations).map((t) => t.status)).toEqual(['current', 'current']);
    const whitespace = await store.put({ ...tagsOnly, body: `${tagsOnly.body}\n` }, tagsOnly.version);
    expect(whitespace.translations['es']?.status).toBe('current');

    const edited = await store.put({ ...whitespace, body: 'You can return items within 45 days.' }, whitespace.version);
    expect(edited.translations['es']?.status).toBe('stale');
    expect(edited.translations['de']?.status).toBe('stale');
    // The stale translation keeps its text and the hash of the text it was made from.
    expect(edited.translations['es']?.title).toBe('Devoluciones');
    expect(edited.translations['es']?.sourceHash).toBe(first.translations['es']?.sourceHash);
  });

  it('re-importing a changed source with unchanged translations makes them stale; an edited translation is current', async () => {
    await store.save(input());
    const changed = await store.save(
      input({
        body: 'You can return items within 45 days.',
        translations: {
          es: { title: 'Devoluciones', body: 'Puedes devolver artículos en 45 días.' },
          de: { title: 'Rücksendungen', body: 'Sie können Artikel innerhalb von 30 Tagen zurücksenden.' },
        },
      }),
    );
    expect(changed.version).toBe(2);
    expect(changed.translations['es']?.status).toBe('current');
    expect(changed.translations['de']?.status).toBe('stale');
  });

  it('keeps stored translations an import does not mention', async () => {
    await store.save(input());
    await store.setTranslation('returns', 'it', { title: 'Resi', body: 'Puoi restituire gli articoli entro 30 giorni.', status: 'machine' });
    const again = await store.save(input());
    expect(again.translations['it']?.status).toBe('machine');
  });

  it('stores a translation of the present source and refuses one into the source language', async () => {
    await store.save(input());
    clock.advance(60_000);
    const withFr = await store.setTranslation('returns', 'fr', { title: 'Retours', body: 'Vous pouvez retourner les articles sous 30 jours.' });
    expect(withFr.translations['fr']).toMatchObject({ status: 'current', sourceHash: sourceHash(withFr.title, withFr.body), translatedAt: '2026-03-01T09:01:00.000Z' });
    await expect(store.setTranslation('returns', 'en', { title: 'x', body: 'y' })).rejects.toThrow(/source language/);
    await expect(store.setTranslation('missing', 'fr', { title: 'x', body: 'y' })).rejects.toThrow(/does not exist/);
  });

  it('validates what it stores', async () => {
    await expect(store.save(input({ id: 'has space' }))).rejects.toThrow(/id "has space"/);
    await expect(store.save(input({ title: ' ' }))).rejects.toThrow(/title is empty/);
    await expect(store.save(input({ sourceLanguage: 'English' }))).rejects.toThrow(/not a language code/);
    expect(await store.list()).toEqual([]);
  });

  it('re-translates stale and missing translations as machine translations', async () => {
    const first = await store.save(input());
    await store.put({ ...first, body: 'You can return items within 45 days.' }, first.version);
    const translator = fakeTranslator();
    clock.advance(3_600_000);
    const report = await store.retranslateStale(translator, { languages: ['en', 'es', 'de', 'fr'] });

    expect(report.failed).toEqual([]);
    expect(report.translated).toEqual([
      { id: 'returns', language: 'es' },
      { id: 'returns', language: 'de' },
      { id: 'returns', language: 'fr' },
    ]);
    const after = (await store.get('returns'))!;
    const hash = sourceHash(after.title, after.body);
    for (const lang of ['es', 'de', 'fr']) {
      expect(after.translations[lang]).toEqual({
        title: `[${lang}] Returns`,
        body: `[${lang}] You can return items within 45 days.`,
        sourceHash: hash,
        status: 'machine',
        translatedAt: '2026-03-01T10:00:00.000Z',
      });
    }
    // One call per article and language, title and body together, from the source language, keeping Markdown.
    expect(translator.calls).toHaveLength(3);
    expect(translator.calls[0]).toEqual({ texts: ['Returns', 'You can return items within 45 days.'], from: 'en', to: 'es', format: 'markdown' });

    // Nothing is stale any more: a second run does nothing.
    expect(await store.retranslateStale(translator, { languages: ['es', 'de', 'fr'] })).toEqual({ translated: [], failed: [] });
    expect(translator.calls).toHaveLength(3);
  });

  it('reports a failed translation and goes on with the others', async () => {
    await store.save(input({ translations: {} }));
    const report = await store.retranslateStale(fakeTranslator({ failFor: 'ja' }), { languages: ['ja', 'pt'] });
    expect(report.translated).toEqual([{ id: 'returns', language: 'pt' }]);
    expect(report.failed).toEqual([{ id: 'returns', language: 'ja', error: 'no ja today' }]);
    const after = (await store.get('returns'))!;
    expect(Object.keys(after.translations)).toEqual(['pt']);
  });

  it('tells listeners about every write', async () => {
    const changes: KnowledgeChange[] = [];
    const stop = store.onChange((change) => changes.push(change));
    const saved = await store.save(input());
    await store.delete(saved.id);
    stop();
    await store.save(input());
    expect(changes.map((c) => (c.type === 'put' ? `put ${c.article.id}@${c.article.version}` : `delete ${c.id}`))).toEqual(['put returns@1', 'delete returns']);
  });
});

describe('knowledge languages', () => {
  it('are the launch languages', () => {
    expect([...KB_LANGUAGES]).toEqual([...LAUNCH_LOCALES]);
  });
});
