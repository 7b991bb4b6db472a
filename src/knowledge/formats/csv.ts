import { parse } from 'csv-parse/sync';
import type { ArticleInput, TranslationStatus } from '../types.js';
import { isStatus, type ImportProblem, type Origins } from './problems.js';

const REQUIRED = ['id', 'lang', 'title', 'body', 'tags'] as const;
const OPTIONAL = ['source', 'status'] as const;

interface Row {
  line: number;
  id: string;
  lang: string;
  title: string;
  body: string;
  tags: string[];
  source: boolean | undefined;
  status: TranslationStatus | undefined;
}

/**
 * CSV with a header, one row per article and language: `id,lang,title,body,tags` (tags `;`-separated).
 * Optional columns: `source` (true on the source-language row; without it English is the source, or
 * the article's first row when it has no English one) and `status` (current, stale, machine).
 */
export function parseCsv(text: string, file: string): { articles: ArticleInput[]; problems: ImportProblem[]; origins: Origins } {
  const problems: ImportProblem[] = [];
  const origins: Origins = new Map();
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, info: true, bom: true, skip_empty_lines: true, trim: false }) as typeof records;
  } catch (error) {
    const e = error as Error & { lines?: number };
    problems.push({ file, ...(typeof e.lines === 'number' ? { line: e.lines } : {}), message: `not valid CSV: ${e.message}` });
    return { articles: [], problems, origins };
  }
  const header = firstLine(text)
    .split(',')
    .map((h) => h.trim().replace(/^"|"$/g, ''));
  const missing = REQUIRED.filter((column) => !header.includes(column));
  const unknown = header.filter((column) => !(REQUIRED as readonly string[]).includes(column) && !(OPTIONAL as readonly string[]).includes(column));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [missing.length > 0 ? `missing column(s) ${missing.join(', ')}` : '', unknown.length > 0 ? `unknown column(s) ${unknown.join(', ')}` : ''].filter(Boolean);
    problems.push({ file, line: 1, message: `header must be ${REQUIRED.join(',')} (optionally ${OPTIONAL.join(', ')}): ${parts.join('; ')}` });
    return { articles: [], problems, origins };
  }

  const rows: Row[] = [];
  const seen = new Map<string, number>();
  let previousEnd = 1;
  for (const { record, info } of records) {
    const line = previousEnd + 1;
    previousEnd = info.lines;
    const add = (message: string) => problems.push({ file, line, message });
    const id = (record['id'] ?? '').trim();
    const lang = (record['lang'] ?? '').trim();
    if (id === '') {
      add('id is empty');
      continue;
    }
    if (lang === '') {
      add(`article ${id}: lang is empty`);
      continue;
    }
    const sourceText = (record['source'] ?? '').trim().toLowerCase();
    let source: boolean | undefined;
    if (['true', 'yes', '1', 'y', 'x'].includes(sourceText)) source = true;
    else if (['false', 'no', '0', 'n'].includes(sourceText)) source = false;
    else if (sourceText === '') source = undefined;
    else add(`article ${id}: source "${record['source']}" must be true or false`);
    const statusText = (record['status'] ?? '').trim();
    if (statusText !== '' && !isStatus(statusText)) add(`article ${id}: status "${statusText}" must be current, stale or machine`);
    const earlier = seen.get(`${id}\u0000${lang}`);
    if (earlier !== undefined) {
      add(`article ${id} has a second ${lang} row (first on line ${earlier})`);
      continue;
    }
    seen.set(`${id}\u0000${lang}`, line);
    rows.push({
      line,
      id,
      lang,
      title: record['title'] ?? '',
      body: record['body'] ?? '',
      tags: (record['tags'] ?? '').split(';').map((t) => t.trim()).filter(Boolean),
      source,
      status: isStatus(statusText) ? statusText : undefined,
    });
  }

  const articles: ArticleInput[] = [];
  const byId = new Map<string, Row[]>();
  for (const row of rows) {
    const group = byId.get(row.id);
    if (group) group.push(row);
    else byId.set(row.id, [row]);
  }
  for (const [id, group] of byId) {
    const flagged = group.filter((r) => r.source === true);
    if (flagged.length > 1) {
      problems.push({ file, line: flagged[1]!.line, message: `article ${id} has more than one source row (lines ${flagged.map((r) => r.line).join(', ')})` });
      continue;
    }
    const candidates = group.filter((r) => r.source !== false);
    const sourceRow = flagged[0] ?? candidates.find((r) => r.lang === 'en') ?? candidates[0];
    if (!sourceRow) {
      problems.push({ file, line: group[0]!.line, message: `article ${id} has no row with source=true` });
      continue;
    }
    origins.set(id, { file, line: sourceRow.line });
    const translations: ArticleInput['translations'] = {};
    for (const row of group) {
      if (row === sourceRow) continue;
      translations[row.lang] = { title: row.title, body: row.body, ...(row.status ? { status: row.status } : {}) };
    }
    articles.push({ id, sourceLanguage: sourceRow.lang, title: sourceRow.title, body: sourceRow.body, tags: sourceRow.tags.length > 0 ? sourceRow.tags : [...new Set(group.flatMap((r) => r.tags))], translations });
  }
  return { articles, problems, origins };
}

export function formatCsv(articles: readonly ArticleInput[]): string {
  const lines = [[...REQUIRED, ...OPTIONAL].join(',')];
  for (const a of articles) {
    lines.push([a.id, a.sourceLanguage, a.title, a.body, a.tags.join(';'), 'true', ''].map(quote).join(','));
    for (const [lang, t] of Object.entries(a.translations)) {
      lines.push([a.id, lang, t.title, t.body, a.tags.join(';'), 'false', t.status ?? 'current'].map(quote).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

function quote(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function firstLine(text: string): string {
  const clean = text.replace(/^\uFEFF/, '');
  const end = clean.search(/\r?\n/);
  return end < 0 ? clean : clean.slice(0, end);
}
