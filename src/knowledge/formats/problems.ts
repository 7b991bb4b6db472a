import { MeridianError } from '../../core/errors.js';
import type { ArticleInput, TranslationStatus } from '../types.js';

/** One thing wrong with an import file, located so a person can fix it. */
export interface ImportProblem {
  file: string;
  /** 1-based; absent when the problem is about the file as a whole. */
  line?: number;
  message: string;
}

/**
 * Raised when an import file (or folder) is malformed. It lists every problem found (up to 50), each as
 * `file:line: message`, and nothing has been written when it is thrown.
 */
export class KnowledgeImportError extends MeridianError {
  readonly problems: readonly ImportProblem[];

  constructor(problems: readonly ImportProblem[]) {
    const shown = problems.slice(0, 50).map(formatProblem);
    const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
    super('invalid_request', `cannot import knowledge articles (nothing was imported):\n  ${shown.join('\n  ')}${more}`, {
      status: 400,
      details: { problems: problems.slice(0, 50).map((p) => ({ ...p })) },
    });
    this.name = 'KnowledgeImportError';
    this.problems = problems;
  }
}

export function formatProblem(problem: ImportProblem): string {
  return `${problem.file}${problem.line !== undefined ? `:${problem.line}` : ''}: ${problem.message}`;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const LANGUAGE_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const STATUSES: readonly string[] = ['current', 'stale', 'machine'];

/** Where each article came from, for messages about the article as a whole. */
export type Origins = Map<string, { file: string; line?: number }>;

/** Problems of parsed articles that every format shares (ids, languages, empty texts, duplicates). */
export function validateArticles(articles: readonly ArticleInput[], origins: Origins): ImportProblem[] {
  const problems: ImportProblem[] = [];
  for (const article of articles) {
    const at = origins.get(article.id) ?? { file: '(input)' };
    const add = (message: string) => problems.push({ ...at, message: `article ${article.id}: ${message}` });
    if (!ID_PATTERN.test(article.id)) add(`id must be letters, digits, '.', '_' or '-' (at most 128)`);
    if (!LANGUAGE_PATTERN.test(article.sourceLanguage)) add(`"${article.sourceLanguage}" is not a language code`);
    if (article.title.trim() === '') add('title is empty');
    if (article.body.trim() === '') add('body is empty');
    for (const [lang, text] of Object.entries(article.translations)) {
      if (!LANGUAGE_PATTERN.test(lang)) add(`translation language "${lang}" is not a language code`);
      if (lang === article.sourceLanguage) add(`has a translation into its source language ${lang}`);
      if (text.title.trim() === '') add(`${lang} title is empty`);
      if (text.body.trim() === '') add(`${lang} body is empty`);
      if (text.status !== undefined && !STATUSES.includes(text.status)) add(`${lang} status "${String(text.status)}" must be current, stale or machine`);
    }
  }
  return problems;
}

export function isStatus(value: unknown): value is TranslationStatus {
  return typeof value === 'string' && STATUSES.includes(value);
}

/** Tags from a list or a `;`-separated string. */
export function parseTags(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return value.split(';').map((t) => t.trim()).filter(Boolean);
  if (Array.isArray(value) && value.every((t) => typeof t === 'string' || typeof t === 'number')) return value.map((t) => String(t).trim()).filter(Boolean);
  return undefined;
}
