import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalKb, readQuestions } from '../../src/knowledge/index.js';

const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

describe('evalKb', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-kb-eval-'));
  const articles = join(dir, 'articles.jsonl');
  writeFileSync(
    articles,
    jsonl([
      { id: 'k1', title: 'Refunds', body: 'We refund your money within 5 days of receiving the return.', tags: ['refund'], translations: { es: { title: 'Reembolsos', body: 'Te devolvemos el dinero en 5 días.' } } },
      { id: 'k2', title: 'Customs duties', body: 'Outside the EU you may pay customs duties and import taxes.', tags: ['customs'], translations: {} },
      { id: 'k3', title: 'Gift cards', body: 'Gift cards are valid for 3 years.', tags: ['gift card'], translations: {} },
    ]),
  );

  it('reports recall per language and for the cross-lingual questions separately', async () => {
    const questions = join(dir, 'questions.jsonl');
    writeFileSync(
      questions,
      jsonl([
        { text: 'when do I get my refund?', lang: 'en', article: 'k1' },
        { text: '¿Cuándo me devolvéis el reembolso?', lang: 'es', article: 'k1' },
        { text: 'Devo pagare la dogana?', lang: 'it', article: 'k2' },
        // Deliberately pointing at the wrong article: a miss must show up.
        { question: 'quanto dura una carta regalo?', lang: 'it', article: 'k1' },
      ]),
    );
    const { table, summary, results } = await evalKb({ articles, questions });
    expect(results.map((r) => [r.question.article, r.top, r.crossLingual])).toEqual([
      ['k1', 'k1', false],
      ['k1', 'k1', false],
      ['k2', 'k2', true],
      ['k1', 'k3', true],
    ]);
    expect(summary).toMatchObject({
      task: 'kb',
      n: 4,
      overall: 0.75,
      recallAt1: 0.75,
      perLanguage: { en: 1, es: 1, it: 0.5 },
      crossLingualRecallAt1: 0.5,
      translatedRecallAt1: 1,
    });
    expect(summary['recallAt3']).toBeGreaterThanOrEqual(summary['recallAt1'] as number);
    expect(table).toMatch(/^language\s+n\s+r@1\s+r@3\s+MRR\n/);
    expect(table).toMatch(/\ncross-lingual\s+2\s+50\.0%/);
    expect(table).toMatch(/query time \(warm\): p50 [\d.]+ ms/);
  });

  it('names the line of a malformed question and an unknown article', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": "hi", "lang": "en", "article": "k1"}\n{"text": 3}\n');
    expect(() => readQuestions(bad)).toThrow(`${bad}:2: expected {"text", "lang", "article"}`);
    const unknown = join(dir, 'unknown.jsonl');
    writeFileSync(unknown, jsonl([{ text: 'hi', lang: 'en', article: 'k9' }]));
    await expect(evalKb({ articles, questions: unknown })).rejects.toThrow(/unknown article k9/);
  });
});
