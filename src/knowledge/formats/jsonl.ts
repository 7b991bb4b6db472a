import type { ArticleInput } from '../types.js';
import { isStatus, parseTags, type ImportProblem, type Origins } from './problems.js';

/**
 * JSON Lines, one article per line (the shape of shared/eval/kb-articles.jsonl):
 * `{"id", "title", "body", "tags": [...], "translations": {"es": {"title", "body"}}}`, English as the
 * source language unless the line has `sourceLanguage`; a translation may carry `status`.
 */
export function parseJsonl(text: string, file: string): { articles: ArticleInput[]; problems: ImportProblem[]; origins: Origins } {
  const articles: ArticleInput[] = [];
  const problems: ImportProblem[] = [];
  const origins: Origins = new Map();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const add = (message: string) => problems.push({ file, line, message });
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      add(`not valid JSON (${(error as Error).message})`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return add('expected a JSON object');
    const row = value as Record<string, unknown>;
    const id = row['id'];
    if (typeof id !== 'string' || id === '') return add('"id" must be a non-empty string');
    const previous = origins.get(id);
    if (previous) return add(`article ${id} appears twice (first on line ${previous.line})`);
    origins.set(id, { file, line });
    const title = row['title'];
    const body = row['body'];
    if (typeof title !== 'string') add(`article ${id}: "title" must be a string`);
    if (typeof body !== 'string') add(`article ${id}: "body" must be a string`);
    const tags = parseTags(row['tags']);
    if (!tags) add(`article ${id}: "tags" must be a list of strings`);
    const sourceLanguage = row['sourceLanguage'] ?? 'en';
    if (typeof sourceLanguage !== 'string') add(`article ${id}: "sourceLanguage" must be a string`);
    const translations: ArticleInput['translations'] = {};
    const rawTranslations = row['translations'] ?? {};
    if (typeof rawTranslations !== 'object' || rawTranslations === null || Array.isArray(rawTranslations)) {
      add(`article ${id}: "translations" must be an object of {title, body} by language`);
    } else {
      for (const [lang, entry] of Object.entries(rawTranslations as Record<string, unknown>)) {
        const t = entry as Record<string, unknown> | null;
        if (typeof t !== 'object' || t === null || typeof t['title'] !== 'string' || typeof t['body'] !== 'string') {
          add(`article ${id}: translation "${lang}" must be {"title": string, "body": string}`);
          continue;
        }
        if (t['status'] !== undefined && !isStatus(t['status'])) add(`article ${id}: translation "${lang}" status must be current, stale or machine`);
        translations[lang] = { title: t['title'], body: t['body'], ...(isStatus(t['status']) ? { status: t['status'] } : {}) };
      }
    }
    if (typeof title === 'string' && typeof body === 'string' && tags && typeof sourceLanguage === 'string') {
      articles.push({ id, sourceLanguage, title, body, tags, translations });
    }
  });
  return { articles, problems, origins };
}

export function formatJsonl(articles: readonly ArticleInput[]): string {
  return articles
    .map((a) =>
      JSON.stringify({
        id: a.id,
        sourceLanguage: a.sourceLanguage,
        title: a.title,
        body: a.body,
        tags: a.tags,
        translations: Object.fromEntries(Object.entries(a.translations).map(([lang, t]) => [lang, { title: t.title, body: t.body, ...(t.status && t.status !== 'current' ? { status: t.status } : {}) }])),
      }),
    )
    .join('\n')
    .concat(articles.length > 0 ? '\n' : '');
}
