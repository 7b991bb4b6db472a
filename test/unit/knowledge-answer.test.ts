import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/runtime.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import type { TranslationRequest, Translator } from '../../src/translation/types.js';
import {
  KB_LANGUAGES,
  createKnowledgeBase,
  createKnowledgeStore,
  kbStatus,
  runKbImport,
  runKbStatus,
  type KnowledgeBase,
  type KnowledgeStore,
} from '../../src/knowledge/index.js';

const DEMO = join(fileURLToPath(new URL('../../', import.meta.url)), 'knowledge', 'demo');

function fakeTranslator(options: { fail?: boolean } = {}): Translator & { calls: TranslationRequest[] } {
  const calls: TranslationRequest[] = [];
  return {
    id: 'fake',
    calls,
    async translate(request) {
      calls.push(request);
      if (options.fail) throw new Error('provider down');
      return { texts: request.texts.map((text) => `[${request.to}] ${text}`), provider: 'fake' };
    },
  };
}

describe('answers', () => {
  let store: KnowledgeStore;
  let kb: KnowledgeBase;

  beforeEach(async () => {
    store = createKnowledgeStore(new MemoryBackend(), { clock: new ManualClock() });
    await runKbImport(DEMO, store);
    kb = await createKnowledgeBase({ store });
  });
  afterEach(() => kb.close());

  it('answers in the article’s own language', async () => {
    const answer = await kb.answer('When will I get my refund?', 'en');
    expect(answer).toMatchObject({ articleId: 'refunds', kind: 'article', language: 'en', title: 'When will I get my refund?' });
    expect(answer?.note).toBeUndefined();
    expect(answer?.confidence).toBeGreaterThan(0.45);
  });

  it('answers with the current translation in the customer’s language', async () => {
    const answer = await kb.answer('¿Cuánto tarda en llegar mi reembolso a PayPal?', 'es');
    expect(answer).toMatchObject({ articleId: 'refunds', kind: 'translation', language: 'es', title: '¿Cuándo recibiré mi reembolso?' });
    expect(answer?.body).toContain('PayPal: normalmente en 24 horas.');
  });

  it('without a translation or translator, answers with the original and a note in the customer’s language', async () => {
    const answer = await kb.answer('Quando arriva il rimborso sulla carta di credito?', 'it');
    expect(answer).toMatchObject({ articleId: 'refunds', kind: 'untranslated', language: 'en', title: 'When will I get my refund?' });
    expect(answer?.note).toEqual({ key: 'kb.untranslated_note', text: 'Questo articolo non è ancora disponibile in italiano; eccolo in inglese.' });
  });

  it('with a translator, translates once, stores the result as machine and reuses it', async () => {
    const translator = fakeTranslator();
    const first = await kb.answer('Quando arriva il rimborso sulla carta di credito?', 'it', translator);
    expect(first).toMatchObject({ articleId: 'refunds', kind: 'machine', language: 'it', title: '[it] When will I get my refund?' });
    expect(first?.note).toEqual({ key: 'kb.machine_note', text: 'Questa risposta è stata tradotta automaticamente.' });
    expect(translator.calls).toEqual([expect.objectContaining({ from: 'en', to: 'it', format: 'markdown' })]);
    expect((await store.get('refunds'))?.translations['it']?.status).toBe('machine');

    const second = await kb.answer('Mi rimborsate la carta di credito?', 'it', translator);
    expect(second).toMatchObject({ articleId: 'refunds', kind: 'machine', title: '[it] When will I get my refund?' });
    expect(translator.calls).toHaveLength(1);
  });

  it('uses the translator configured on the knowledge base', async () => {
    const translator = fakeTranslator();
    const withTranslator = await createKnowledgeBase({ store, translator });
    const answer = await withTranslator.answer('Como faço para cancelar o meu pedido?', 'pt');
    withTranslator.close();
    expect(answer).toMatchObject({ articleId: 'cancellation', kind: 'machine', language: 'pt' });
  });

  it('falls back to the original when the translator fails', async () => {
    const answer = await kb.answer('Como faço para cancelar o meu pedido?', 'pt', fakeTranslator({ fail: true }));
    expect(answer).toMatchObject({ articleId: 'cancellation', kind: 'untranslated', language: 'en' });
    expect(answer?.note?.text).toBe('Este artigo ainda não está disponível em português; aqui está em inglês.');
    expect((await store.get('cancellation'))?.translations['pt']).toBeUndefined();
  });

  it('never shows a stale translation', async () => {
    const refunds = (await store.get('refunds'))!;
    await store.put({ ...refunds, body: refunds.body.replace('within **5 business days**', 'within **3 business days**') }, refunds.version);
    const question = '¿Cuánto tarda en llegar mi reembolso a PayPal?';
    const untranslated = await kb.answer(question, 'es');
    expect(untranslated).toMatchObject({ articleId: 'refunds', kind: 'untranslated', language: 'en' });
    expect(untranslated?.body).toContain('within **3 business days**');
    expect(untranslated?.note?.text).toBe('Este artículo aún no está disponible en español; aquí lo tienes en inglés.');
    const machine = await kb.answer(question, 'es', fakeTranslator());
    expect(machine).toMatchObject({ kind: 'machine', language: 'es' });
    expect(machine?.body).toContain('[es] We refund your return within **3 business days**');
  });

  it('answers a regional locale from its base language', async () => {
    const answer = await kb.answer('Como faço para devolver um produto?', 'pt-BR');
    expect(answer).toMatchObject({ articleId: 'returns', kind: 'translation', language: 'pt' });
  });

  it('says nothing rather than guess', async () => {
    expect(await kb.answer('Do you sell bicycles?', 'en')).toBeUndefined();
    expect(await kb.answer('明日の天気はどうですか', 'ja')).toBeUndefined();
    expect(await kb.answer('', 'de')).toBeUndefined();
  });

  it('follows the store: a new article is found, a deleted one is not', async () => {
    await store.save({ id: 'bikes', sourceLanguage: 'en', title: 'Bicycle repair service', body: 'We repair bicycles bought from us within 2 weeks.', tags: ['bicycle'], translations: {} });
    expect((await kb.answer('Can you repair my bicycle?', 'en'))?.articleId).toBe('bikes');
    await store.delete('bikes');
    expect((await kb.answer('Can you repair my bicycle?', 'en'))?.articleId).not.toBe('bikes');
  });
});

describe('translation status', () => {
  it('shows source, current, machine, stale and missing per article and language', async () => {
    const store = createKnowledgeStore(new MemoryBackend());
    await runKbImport(DEMO, store);
    const refunds = (await store.get('refunds'))!;
    await store.put({ ...refunds, title: 'Refunds: when will I get my money back?' }, refunds.version);
    await store.setTranslation('cancellation', 'it', { title: 'Annullare un ordine', body: 'Puoi annullare un ordine finché non è stato spedito.', status: 'machine' });

    const rows = await kbStatus(store, KB_LANGUAGES);
    expect(rows).toHaveLength(16);
    expect(rows.find((r) => r.id === 'returns')?.languages).toEqual({ en: 'source', es: 'current', fr: 'current', de: 'current', ja: 'current', it: 'current', pt: 'current', zh: 'current' });
    expect(rows.find((r) => r.id === 'refunds')?.languages).toEqual({ en: 'source', es: 'stale', fr: 'stale', de: 'stale', ja: 'stale', it: 'missing', pt: 'stale', zh: 'missing' });
    expect(rows.find((r) => r.id === 'cancellation')?.languages['it']).toBe('machine');

    const table = await runKbStatus(store, KB_LANGUAGES);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^article\s+en\s+es\s+fr\s+de\s+ja\s+it\s+pt\s+zh$/);
    expect(lines.find((l) => l.startsWith('refunds'))).toMatch(/^refunds\s+source\s+STALE\s+STALE\s+STALE\s+STALE\s+-\s+STALE\s+-$/);
    expect(lines.find((l) => l.startsWith('cancellation'))).toMatch(/\s+machine\s+-\s+-$/);
    // Totals per language: source, current, machine, stale, missing.
    expect(lines.find((l) => /^it\s/.test(l))).toMatch(/^it\s+0\s+3\s+1\s+0\s+12$/);
    expect(lines.find((l) => /^es\s/.test(l))).toMatch(/^es\s+0\s+15\s+0\s+1\s+0$/);
  });

  it('says so when the knowledge base is empty', async () => {
    expect(await runKbStatus(createKnowledgeStore(new MemoryBackend()), ['en'])).toMatch(/empty/);
  });
});
