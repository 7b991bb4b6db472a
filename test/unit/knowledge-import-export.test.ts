import { describe, it, expect } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import {
  createKnowledgeStore,
  detectFormat,
  exportArticles,
  importArticles,
  KnowledgeImportError,
  runKbExport,
  runKbImport,
  type ArticleInput,
  type KbFormat,
} from '../../src/knowledge/index.js';

const tmp = (prefix = 'meridian-kb-io-') => mkdtempSync(join(tmpdir(), prefix));

/** Articles with the awkward bits every format must carry: commas, quotes, new lines, Markdown, CJK, statuses, a non-English source. */
const articles: ArticleInput[] = [
  {
    id: 'gift-cards',
    sourceLanguage: 'en',
    title: 'Gift cards: "valid" for 3 years',
    body: 'Gift cards are valid for **3 years**.\n\n- Check the balance, any time\n- Use it on several orders',
    tags: ['gift card', 'voucher'],
    translations: {
      ja: { title: 'ギフトカード', body: 'ギフトカードの有効期限は**3年**です。', status: 'current' },
      es: { title: 'Tarjetas regalo', body: 'Las tarjetas regalo son válidas 3 años, "sin" excepciones.', status: 'machine' },
      de: { title: 'Geschenkkarten', body: 'Geschenkkarten gelten 2 Jahre.', status: 'stale' },
    },
  },
  {
    id: 'versand',
    sourceLanguage: 'de',
    title: 'Versandkosten',
    body: 'Der Versand kostet 4,90 €, ab 50 € ist er kostenlos.',
    tags: ['Versand'],
    translations: { en: { title: 'Shipping costs', body: 'Shipping costs €4.90, free from €50.', status: 'current' } },
  },
];

describe.each<[KbFormat, string]>([
  ['markdown', 'kb'],
  ['jsonl', 'kb.jsonl'],
  ['csv', 'kb.csv'],
])('%s round trip', (format, name) => {
  it('exports and imports the same articles, statuses included', () => {
    const path = join(tmp(), name);
    exportArticles(articles, format, path);
    expect(detectFormat(path)).toBe(format);
    const back = importArticles(path);
    // A translation without a status is current.
    const normalized = (list: ArticleInput[]) =>
      [...list]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((a) => ({ ...a, translations: Object.fromEntries(Object.entries(a.translations).map(([lang, t]) => [lang, { ...t, status: t.status ?? 'current' }])) }));
    expect(normalized(back)).toEqual(normalized(articles));
  });
});

describe('markdown layout', () => {
  it('writes one file per article and language with front matter', () => {
    const dir = join(tmp(), 'kb');
    exportArticles(articles, 'markdown', dir);
    expect(readdirSync(dir).sort()).toEqual(['gift-cards.de.md', 'gift-cards.en.md', 'gift-cards.es.md', 'gift-cards.ja.md', 'versand.de.md', 'versand.en.md']);
    const source = readFileSync(join(dir, 'gift-cards.en.md'), 'utf8');
    expect(source).toMatch(/^---\nid: gift-cards\ntitle: 'Gift cards: "valid" for 3 years'\ntags:\n {2}- gift card\n {2}- voucher\nsource: true\n---\n\nGift cards are valid/);
    expect(readFileSync(join(dir, 'gift-cards.es.md'), 'utf8')).toContain('status: machine');
  });

  it('takes the English file as the source when no file says source: true', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'faq.en.md'), '---\ntitle: Opening hours\ntags: [contact]\n---\nWe are open 9-18.\n');
    writeFileSync(join(dir, 'faq.fr.md'), '---\ntitle: Horaires\n---\nNous sommes ouverts de 9 h à 18 h.\n');
    writeFileSync(join(dir, 'README.md'), '# not an article\n');
    const [article] = importArticles(dir);
    expect(article).toEqual({
      id: 'faq',
      sourceLanguage: 'en',
      title: 'Opening hours',
      body: 'We are open 9-18.',
      tags: ['contact'],
      translations: { fr: { title: 'Horaires', body: 'Nous sommes ouverts de 9 h à 18 h.' } },
    });
  });
});

describe('csv details', () => {
  it('reads tags separated by semicolons, quoted fields over several lines, and takes English as source', () => {
    const file = join(tmp(), 'kb.csv');
    writeFileSync(file, 'id,lang,title,body,tags\nfaq,fr,Horaires,"Ouvert\nde 9 h à 18 h",\nfaq,en,Hours,"Open, 9-18","contact; hours"\n');
    expect(importArticles(file)).toEqual([
      { id: 'faq', sourceLanguage: 'en', title: 'Hours', body: 'Open, 9-18', tags: ['contact', 'hours'], translations: { fr: { title: 'Horaires', body: 'Ouvert\nde 9 h à 18 h' } } },
    ]);
  });
});

describe('jsonl details', () => {
  it('reads the shape of the evaluation articles, English as the source', () => {
    const file = join(tmp(), 'kb.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'kb-1', title: 'Returns', body: 'Within 30 days.', tags: ['returns'], translations: { es: { title: 'Devoluciones', body: 'En 30 días.' } } })}\n\n`);
    expect(importArticles(file)).toEqual([
      { id: 'kb-1', sourceLanguage: 'en', title: 'Returns', body: 'Within 30 days.', tags: ['returns'], translations: { es: { title: 'Devoluciones', body: 'En 30 días.' } } },
    ]);
  });
});

/** The error of a failing import, for its message and problems. */
function importError(path: string): KnowledgeImportError {
  try {
    importArticles(path);
  } catch (error) {
    if (error instanceof KnowledgeImportError) return error;
    throw error;
  }
  throw new Error(`importing ${path} did not fail`);
}

describe('malformed input', () => {
  it('jsonl: names the file and line of bad JSON, missing fields and duplicate ids, all at once', () => {
    const file = join(tmp(), 'bad.jsonl');
    const ok = JSON.stringify({ id: 'a', title: 'A', body: 'Body', tags: [] });
    writeFileSync(file, [ok, '{"id": "b", "title": "B", body: oops}', JSON.stringify({ id: 'c', body: 'x', tags: [] }), ok, JSON.stringify({ id: 'd', title: 'D', body: ' ', tags: 'x', translations: { en: { title: 'D', body: 'd' } } })].join('\n'));
    const error = importError(file);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('nothing was imported');
    const lines = error.problems.map((p) => `${p.line}: ${p.message}`);
    expect(lines).toEqual([
      expect.stringMatching(/^2: not valid JSON/),
      '3: article c: "title" must be a string',
      '4: article a appears twice (first on line 1)',
      '5: article d: body is empty',
      '5: article d: has a translation into its source language en',
    ]);
    expect(error.message).toContain(`${file}:2: not valid JSON`);
  });

  it('csv: names a missing column, an unclosed quote, a duplicate row and a bad status', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'cols.csv'), 'id,lang,title,text\n1,en,T,B\n');
    expect(importError(join(dir, 'cols.csv')).message).toMatch(/cols\.csv:1: header must be id,lang,title,body,tags .*missing column\(s\) body, tags; unknown column\(s\) text/);

    writeFileSync(join(dir, 'quote.csv'), 'id,lang,title,body,tags\nfaq,en,"Hours,Open,x\n');
    expect(importError(join(dir, 'quote.csv')).message).toMatch(/quote\.csv:2: not valid CSV: Quote Not Closed/);

    writeFileSync(join(dir, 'dup.csv'), 'id,lang,title,body,tags,status\nfaq,en,Hours,Open,x,\nfaq,fr,Horaires,Ouvert,,current\nfaq,fr,Heures,Ouvert,,\nfaq,es,Horario,Abierto,,maybe\n');
    const problems = importError(join(dir, 'dup.csv')).problems.map((p) => `${p.line}: ${p.message}`);
    expect(problems).toEqual(['4: article faq has a second fr row (first on line 3)', '5: article faq: status "maybe" must be current, stale or machine']);
  });

  it('markdown: names the file and line of broken YAML, a missing title and a bad file name', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.en.md'), '---\ntitle: Fine\ntags: [one, two\nsource: true\n---\nBody\n');
    writeFileSync(join(dir, 'b.en.md'), '---\ntags: [x]\n---\nBody\n');
    writeFileSync(join(dir, 'notes.md'), '---\ntitle: x\n---\ny\n');
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'more', 'c.en.md'), '---\ntitle: C\nsource: true\n---\nBody\n');
    writeFileSync(join(dir, 'more', 'c.fr.md'), '---\ntitle: C\nsource: true\n---\nCorps\n');
    const problems = importError(dir)
      .problems.map((p) => `${p.file.slice(p.file.lastIndexOf('/') + 1)}${p.line ? `:${p.line}` : ''}: ${p.message}`)
      .sort();
    expect(problems).toEqual([
      expect.stringMatching(/^a\.en\.md:4: front matter is not valid YAML/),
      'b.en.md:1: front matter needs a title',
      expect.stringMatching(/^c\.fr\.md:1: article c has more than one source file/),
      'notes.md: file name must be <id>.<lang>.md, e.g. returns.en.md',
    ]);
  });

  it('an empty input and an unknown format are errors too', () => {
    const dir = tmp();
    expect(importError(dir).message).toContain('no articles found');
    writeFileSync(join(dir, 'kb.txt'), 'hello');
    expect(() => importArticles(join(dir, 'kb.txt'))).toThrow(/cannot tell its format/);
    expect(() => importArticles(join(dir, 'missing.csv'))).toThrow(/does not exist/);
  });

  it('imports nothing into the store when any article is malformed', async () => {
    const store = createKnowledgeStore(new MemoryBackend());
    const file = join(tmp(), 'half.jsonl');
    writeFileSync(file, [JSON.stringify({ id: 'good', title: 'Good', body: 'Fine.', tags: [] }), JSON.stringify({ id: 'bad', title: 'Bad', body: '', tags: [] })].join('\n'));
    await expect(runKbImport(file, store)).rejects.toThrow(/half\.jsonl:2: article bad: body is empty/);
    expect(await store.list()).toEqual([]);
  });
});

describe('kb import / export commands', () => {
  it('imports, reports what changed, and exports every format', async () => {
    const store = createKnowledgeStore(new MemoryBackend());
    const dir = join(tmp(), 'kb');
    exportArticles(articles, 'markdown', dir);
    expect(await runKbImport(dir, store)).toBe(`Imported 2 articles from ${dir} (markdown): 2 new, 0 updated, 0 unchanged.`);
    expect(await runKbImport(dir, store)).toBe(`Imported 2 articles from ${dir} (markdown): 0 new, 0 updated, 2 unchanged.`);
    expect((await store.get('versand'))?.version).toBe(1);

    writeFileSync(join(dir, 'versand.de.md'), readFileSync(join(dir, 'versand.de.md'), 'utf8').replace('4,90 €', '5,90 €'));
    expect(await runKbImport(dir, store)).toBe(`Imported 2 articles from ${dir} (markdown): 0 new, 1 updated, 1 unchanged; 1 translation is now stale.`);
    expect((await store.get('versand'))?.translations['en']?.status).toBe('stale');

    const out = tmp();
    expect(await runKbExport(store, 'jsonl', join(out, 'kb.jsonl'))).toBe(`Exported 2 articles (6 texts) to ${join(out, 'kb.jsonl')} (jsonl, 1 file).`);
    expect(await runKbExport(store, 'markdown', join(out, 'md'))).toMatch(/\(markdown, 6 files\)\.$/);
    await expect(runKbExport(store, 'xml', join(out, 'kb.xml'))).rejects.toThrow(/unknown export format "xml"; use markdown, jsonl, csv/);
    const reimported = importArticles(join(out, 'kb.jsonl'));
    expect(reimported.find((a) => a.id === 'versand')?.translations['en']?.status).toBe('stale');
  });
});
