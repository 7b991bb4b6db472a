/**
 * Import and export of knowledge articles in three formats: a folder of Markdown files, JSON Lines and
 * CSV (see formats/). Imports validate the whole input before returning anything, so a malformed file
 * never leaves a half-imported knowledge base.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { MeridianError } from '../core/errors.js';
import { formatCsv, parseCsv } from './formats/csv.js';
import { formatJsonl, parseJsonl } from './formats/jsonl.js';
import { formatMarkdown, parseMarkdownFolder } from './formats/markdown.js';
import { KnowledgeImportError, validateArticles, type ImportProblem, type Origins } from './formats/problems.js';
import type { ArticleInput, KbArticle } from './types.js';

export type KbFormat = 'markdown' | 'jsonl' | 'csv';
export const KB_FORMATS: readonly KbFormat[] = ['markdown', 'jsonl', 'csv'];

/** The format of `path`: a folder is Markdown; .jsonl/.ndjson/.json is JSON Lines; .csv is CSV; otherwise the content decides. */
export function detectFormat(path: string): KbFormat {
  if (!existsSync(path)) throw new MeridianError('not_found', `${path} does not exist`, { status: 404 });
  if (statSync(path).isDirectory()) return 'markdown';
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  if (ext === '.csv') return 'csv';
  const head = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('{')) return 'jsonl';
  if (/^"?id"?\s*,/.test(head)) return 'csv';
  throw new MeridianError('invalid_request', `${path}: cannot tell its format; use a folder of <id>.<lang>.md files, a .jsonl file or a .csv file`, { status: 400 });
}

/**
 * Reads and validates every article at `path` (format detected). Throws KnowledgeImportError listing
 * each problem as file:line when anything is wrong; returns nothing partial.
 */
export function importArticles(path: string, format: KbFormat = detectFormat(path)): ArticleInput[] {
  let parsed: { articles: ArticleInput[]; problems: ImportProblem[]; origins: Origins };
  switch (format) {
    case 'markdown':
      parsed = parseMarkdownFolder(path);
      break;
    case 'jsonl':
      parsed = parseJsonl(readFileSync(path, 'utf8'), path);
      break;
    case 'csv':
      parsed = parseCsv(readFileSync(path, 'utf8'), path);
      break;
  }
  const problems = [...parsed.problems, ...validateArticles(parsed.articles, parsed.origins)];
  if (problems.length > 0) throw new KnowledgeImportError(problems);
  if (parsed.articles.length === 0) throw new KnowledgeImportError([{ file: path, message: 'no articles found' }]);
  return parsed.articles;
}

/** The import shape of a stored article (statuses kept). */
export function toArticleInput(article: ArticleInput | KbArticle): ArticleInput {
  return {
    id: article.id,
    sourceLanguage: article.sourceLanguage,
    title: article.title,
    body: article.body,
    tags: [...article.tags],
    translations: Object.fromEntries(
      Object.entries(article.translations).map(([lang, t]) => [lang, { title: t.title, body: t.body, ...(t.status ? { status: t.status } : {}) }]),
    ),
  };
}

/**
 * Writes articles at `path`: a folder of `<id>.<lang>.md` files (created if needed; other files are
 * left alone), or one .jsonl / .csv file. Returns the files written.
 */
export function exportArticles(articles: readonly (ArticleInput | KbArticle)[], format: KbFormat, path: string): string[] {
  const inputs = articles.map(toArticleInput).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  switch (format) {
    case 'markdown': {
      mkdirSync(path, { recursive: true });
      const written: string[] = [];
      for (const article of inputs) {
        for (const [name, content] of formatMarkdown(article)) {
          writeFileSync(join(path, name), content);
          written.push(join(path, name));
        }
      }
      return written;
    }
    case 'jsonl':
    case 'csv':
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, format === 'jsonl' ? formatJsonl(inputs) : formatCsv(inputs));
      return [path];
  }
}

export { KnowledgeImportError, type ImportProblem } from './formats/problems.js';
