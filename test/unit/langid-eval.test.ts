import { describe, it, expect } from '@jest/globals';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalLangid } from '../../src/nlu/eval/langid.js';
import { ROOT } from '../helpers/bot.js';

const DATA = join(process.env['EVAL_DATA_DIR'] ?? join(ROOT, '..', 'shared', 'eval'), 'langid-dev.jsonl');

describe('evalLangid', () => {
  it('scores sentences and word pairs apart, and reports unsupported languages as rejected or mapped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'langid-'));
    const rows = [
      { text: 'The delivery was late again this week.', lang: 'en', kind: 'sentence' },
      { text: 'Das Paket ist heute nicht gekommen.', lang: 'de', kind: 'sentence' },
      { text: 'muchas gracias', lang: 'es', kind: 'word-pair' },
      // Wrong on purpose: the evaluation must count it as a miss.
      { text: 'Merci pour votre aide rapide.', lang: 'de', kind: 'sentence' },
      { text: 'Mijn pakket is nog niet aangekomen.', lang: 'nl', kind: 'sentence' },
    ];
    writeFileSync(join(dir, 'langid-dev.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const { table, summary } = await evalLangid({ data: dir });
    expect(summary.task).toBe('langid');
    expect(summary.n).toBe(4);
    expect(summary.overall).toBe(0.75);
    expect(summary.perLanguage).toEqual({ en: 1, es: 1, de: 0.5 });
    expect(summary.perKind['word-pair']).toEqual({ es: 1 });
    expect(summary.unsupported['nl']).toEqual({ n: 1, rejected: 1, mappedTo: {} });
    expect(summary.confusions).toEqual([{ gold: 'de', predicted: 'fr', count: 1 }]);
    expect(table).toMatch(/sentence %/);
    expect(table).toMatch(/word-pair %/);
    expect(table).toMatch(/^nl\s+1\s+100\.0/m);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('says which file is missing', async () => {
    await expect(evalLangid({ data: join(tmpdir(), 'no-such-langid.jsonl') })).rejects.toThrow(/language-ID data not found/);
  });

  const dev = existsSync(DATA) ? it : it.skip;
  if (!existsSync(DATA)) console.log(`langid dev set not found at ${DATA} (set EVAL_DATA_DIR): skipping the accuracy gate`);
  dev('reaches the launch targets on the shared dev set (>= 99.5% sentences, >= 90% word pairs)', async () => {
    const { summary } = await evalLangid({ data: DATA });
    expect(summary.sentenceAccuracy).toBeGreaterThanOrEqual(0.995);
    expect(summary.wordPairAccuracy).toBeGreaterThanOrEqual(0.9);
    for (const lang of ['nl', 'ko', 'id', 'vi']) {
      const entry = summary.unsupported[lang];
      if (entry) expect(entry.rejected / entry.n).toBeGreaterThanOrEqual(0.95);
    }
  }, 60000);
});
