import { formatTable } from '../nlu/eval/report.js';
import { isFresh, type KnowledgeStore } from './store.js';
import type { KbArticle } from './types.js';

/** source: the article's own language; current: translated from the present source; stale: the source changed since; machine: machine-translated; missing: none. */
export type KbTextStatus = 'source' | 'current' | 'stale' | 'machine' | 'missing';

export interface KbStatusRow {
  id: string;
  title: string;
  sourceLanguage: string;
  languages: Record<string, KbTextStatus>;
}

/** The state of one article in one language (a translation whose source hash no longer matches is stale whatever it says). */
export function textStatus(article: KbArticle, lang: string): KbTextStatus {
  if (article.sourceLanguage === lang) return 'source';
  const translation = article.translations[lang];
  if (!translation) return 'missing';
  if (!isFresh(article, translation)) return 'stale';
  return translation.status;
}

/** Per article and language: source / current / stale / machine / missing. */
export async function kbStatus(store: KnowledgeStore, languages: readonly string[]): Promise<KbStatusRow[]> {
  const articles = await store.list();
  return articles.map((article) => ({
    id: article.id,
    title: article.title,
    sourceLanguage: article.sourceLanguage,
    languages: Object.fromEntries(languages.map((lang) => [lang, textStatus(article, lang)])),
  }));
}

const SHORT: Record<KbTextStatus, string> = { source: 'source', current: 'ok', stale: 'STALE', machine: 'machine', missing: '-' };

/** `meridian kb status`: one row per article, one column per language, then totals per language. */
export async function runKbStatus(store: KnowledgeStore, languages: readonly string[]): Promise<string> {
  const rows = await kbStatus(store, languages);
  if (rows.length === 0) return 'The knowledge base is empty (import articles with `meridian kb import <path>`).';
  const table = formatTable(
    ['article', ...languages],
    rows.map((row) => [row.id, ...languages.map((lang) => SHORT[row.languages[lang]!])]),
  );
  const totals = formatTable(
    ['language', 'source', 'current', 'machine', 'stale', 'missing'],
    languages.map((lang) => {
      const count = (status: KbTextStatus) => rows.filter((row) => row.languages[lang] === status).length;
      return [lang, count('source'), count('current'), count('machine'), count('stale'), count('missing')];
    }),
  );
  const legend = 'ok = translated from the current source; STALE = the source changed since; machine = machine-translated; - = missing';
  return `${table}\n\n${totals}\n\n${legend}`;
}
