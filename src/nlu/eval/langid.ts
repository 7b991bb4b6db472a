/**
 * Language identification evaluation on a JSONL file ({"text", "lang", "kind"} per line), for example
 * ../shared/eval/langid-dev.jsonl. Launch languages are scored on the label (sentences and word pairs
 * apart); languages outside the supported set should be rejected (marked unreliable) rather than mapped
 * onto a launch language, and the table says which happened.
 *
 * Run it: npm run build && node dist/src/nlu/eval/langid.js [data.jsonl | data dir]
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MeridianError } from '../../core/errors.js';
import { createLanguageDetector, languageModelLoadMs } from '../language.js';
import { LAUNCH_LANGUAGES, measureLanguageCost } from './cost.js';
import { formatTable, type EvalSummary } from './report.js';

export interface LangidRow {
  text: string;
  lang: string;
  kind: string;
}

export interface LangidEvalOptions {
  /** The JSONL file, or a folder holding langid-dev.jsonl. */
  data: string;
  /** Languages the detector may answer (default: the 8 launch languages). */
  supported?: readonly string[];
}

export interface LangidSummary extends EvalSummary {
  task: 'langid';
  /** Micro accuracy over the supported languages' sentences; macro over languages in sentenceMacro. */
  sentenceAccuracy: number;
  sentenceMacro: number;
  wordPairAccuracy: number;
  perKind: Record<string, Record<string, number>>;
  /** Sentences of supported languages the detector also called reliable. */
  reliableSentenceRate: number;
  /** Unsupported languages: share rejected (unreliable) and where the rest went. */
  unsupported: Record<string, { n: number; rejected: number; mappedTo: Record<string, number> }>;
  confusions: { gold: string; predicted: string; count: number }[];
  costUs: { p50: number; p99: number };
  modelLoadMs: number | null;
  model: string;
}

function readRows(data: string): LangidRow[] {
  const file = existsSync(data) && statSync(data).isDirectory() ? join(data, 'langid-dev.jsonl') : data;
  if (!existsSync(file)) throw new MeridianError('not_found', `language-ID data not found: ${file} (pass the JSONL file or set EVAL_DATA_DIR)`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const row = JSON.parse(line) as Partial<LangidRow>;
      if (typeof row.text !== 'string' || typeof row.lang !== 'string') throw new MeridianError('invalid_request', `${file}:${i + 1}: expected {"text", "lang", "kind"}`);
      return { text: row.text, lang: row.lang, kind: row.kind ?? 'sentence' };
    });
}

const pct = (x: number) => (x * 100).toFixed(1);
const round = (x: number) => Math.round(x * 10000) / 10000;

export async function evalLangid(options: LangidEvalOptions): Promise<{ table: string; summary: LangidSummary }> {
  const rows = readRows(options.data);
  const supported = options.supported ?? LAUNCH_LANGUAGES;
  const bases = new Set(supported.map((l) => l.split('-')[0] as string));
  const heapBefore = process.memoryUsage().heapUsed;
  const detector = createLanguageDetector({ supported });
  await detector.ready();
  const heapDelta = process.memoryUsage().heapUsed - heapBefore;

  const kinds = [...new Set(rows.map((r) => r.kind))].sort((a, b) => (a === 'sentence' ? -1 : b === 'sentence' ? 1 : a.localeCompare(b)));
  const launch = [...bases].filter((l) => rows.some((r) => r.lang === l));
  const others = [...new Set(rows.map((r) => r.lang))].filter((l) => !bases.has(l));

  const hits = new Map<string, { n: number; ok: number; reliable: number }>();
  const cell = (key: string) => hits.get(key) ?? (hits.set(key, { n: 0, ok: 0, reliable: 0 }), hits.get(key)!);
  const confusion = new Map<string, number>();
  const unsupported: LangidSummary['unsupported'] = {};
  const identifiedAs = new Map<string, Map<string, number>>();

  for (const row of rows) {
    const result = detector.explain(row.text);
    const predicted = result.confidence > 0 ? result.language : 'none';
    if (bases.has(row.lang)) {
      for (const key of [`${row.lang}|${row.kind}`, `${row.lang}|*`, `*|${row.kind}`, '*|*']) {
        const c = cell(key);
        c.n++;
        if (predicted === row.lang) c.ok++;
        if (result.reliable) c.reliable++;
      }
      if (predicted !== row.lang) confusion.set(`${row.lang}|${predicted}`, (confusion.get(`${row.lang}|${predicted}`) ?? 0) + 1);
    } else {
      const entry = (unsupported[row.lang] ??= { n: 0, rejected: 0, mappedTo: {} });
      entry.n++;
      if (!result.reliable) entry.rejected++;
      else entry.mappedTo[result.language] = (entry.mappedTo[result.language] ?? 0) + 1;
      const seen = identifiedAs.get(row.lang) ?? new Map<string, number>();
      const as = result.other ?? (result.confidence > 0 ? result.language : 'none');
      seen.set(as, (seen.get(as) ?? 0) + 1);
      identifiedAs.set(row.lang, seen);
    }
  }

  const acc = (key: string) => {
    const c = hits.get(key);
    return c && c.n > 0 ? c.ok / c.n : NaN;
  };
  const perLanguage: Record<string, number> = {};
  const perKind: Record<string, Record<string, number>> = {};
  for (const kind of kinds) perKind[kind] = {};
  const languageRows: (string | number)[][] = [];
  for (const lang of launch) {
    perLanguage[lang] = round(acc(`${lang}|*`));
    const row: (string | number)[] = [lang];
    for (const kind of kinds) {
      const c = hits.get(`${lang}|${kind}`);
      if (c) perKind[kind]![lang] = round(c.ok / c.n);
      row.push(c ? pct(c.ok / c.n) : '-', c?.n ?? 0);
    }
    const sentences = hits.get(`${lang}|sentence`);
    row.push(pct(acc(`${lang}|*`)), sentences ? pct(sentences.reliable / sentences.n) : '-');
    languageRows.push(row);
  }
  const macro = (kind: string) => {
    const values = launch.map((l) => perKind[kind]?.[l]).filter((v): v is number => v !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
  };
  const allRow: (string | number)[] = ['all (micro)'];
  const macroRow: (string | number)[] = ['all (macro)'];
  for (const kind of kinds) {
    allRow.push(pct(acc(`*|${kind}`)), hits.get(`*|${kind}`)?.n ?? 0);
    macroRow.push(pct(macro(kind)), hits.get(`*|${kind}`)?.n ?? 0);
  }
  const sentenceCell = hits.get('*|sentence');
  allRow.push(pct(acc('*|*')), sentenceCell ? pct(sentenceCell.reliable / sentenceCell.n) : '-');
  macroRow.push('', '');
  languageRows.push(allRow, macroRow);

  const unsupportedRows = others.map((lang) => {
    const entry = unsupported[lang]!;
    const mapped = Object.entries(entry.mappedTo)
      .sort((a, b) => b[1] - a[1])
      .map(([l, n]) => `${l} ${n}`)
      .join(', ');
    const seen = [...(identifiedAs.get(lang) ?? new Map<string, number>()).entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([l, n]) => `${l} ${n}`)
      .join(', ');
    return [lang, entry.n, pct(entry.rejected / entry.n), mapped || '-', seen];
  });

  const confusions = [...confusion.entries()]
    .map(([key, count]) => {
      const [gold, predicted] = key.split('|') as [string, string];
      return { gold, predicted, count };
    })
    .sort((a, b) => b.count - a.count || a.gold.localeCompare(b.gold));

  const cost = await measureLanguageCost(
    rows.map((r) => r.text),
    { detector },
  );
  const loadMs = languageModelLoadMs();

  const headers = ['language', ...kinds.flatMap((k) => [`${k} %`, 'n']), 'all %', 'reliable %'];
  const table = [
    formatTable(headers, languageRows),
    '',
    others.length ? formatTable(['unsupported', 'n', 'rejected %', 'mapped to (reliable)', 'identified as'], unsupportedRows) : 'no unsupported languages in the data',
    '',
    confusions.length ? formatTable(['gold', 'predicted', 'count'], confusions.slice(0, 20).map((c) => [c.gold, c.predicted, c.count])) : 'no confusions',
    '',
    `eld/medium + script rules + short-word list; detection p50 ${cost.p50Us} µs, p99 ${cost.p99Us} µs; model load ${
      loadMs === undefined ? '?' : loadMs.toFixed(0)
    } ms, heap +${(heapDelta / 1048576).toFixed(0)} MB (0 when it was already loaded)`,
  ].join('\n');

  const n = hits.get('*|*')?.n ?? 0;
  return {
    table,
    summary: {
      task: 'langid',
      n,
      overall: round(acc('*|*')),
      perLanguage,
      sentenceAccuracy: round(acc('*|sentence')),
      sentenceMacro: round(macro('sentence')),
      wordPairAccuracy: round(acc('*|word-pair')),
      perKind,
      reliableSentenceRate: sentenceCell ? round(sentenceCell.reliable / sentenceCell.n) : 0,
      unsupported,
      confusions,
      costUs: { p50: cost.p50Us, p99: cost.p99Us },
      modelLoadMs: loadMs === undefined ? null : Math.round(loadMs),
      model: 'eld/medium',
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const data = process.argv[2] ?? join(process.env['EVAL_DATA_DIR'] ?? '../shared/eval', 'langid-dev.jsonl');
  const { table, summary } = await evalLangid({ data });
  console.log(table);
  console.log(JSON.stringify(summary));
}
