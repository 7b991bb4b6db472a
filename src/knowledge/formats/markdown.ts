import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import matter from 'gray-matter';
import { stringify as stringifyYaml } from 'yaml';
import type { ArticleInput, TranslationStatus } from '../types.js';
import { isStatus, parseTags, type ImportProblem, type Origins } from './problems.js';

const FILE_NAME = /^(.+)\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.md$/;
const IGNORED = new Set(['readme.md', 'index.md']);

interface MarkdownFile {
  file: string;
  id: string;
  lang: string;
  title: string;
  body: string;
  tags: string[];
  source: boolean | undefined;
  status: TranslationStatus | undefined;
}

/** Every `*.md` file under `dir` (sorted), named as `dir` was given (so messages show the path the user typed). */
function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md') && !IGNORED.has(entry.name.toLowerCase())) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/**
 * A folder of Markdown files, one per article and language: `<id>.<lang>.md` with YAML front matter
 * `id`, `title`, `tags` and `source: true` on the source-language file (without any `source: true`,
 * the English file, or the only file, is the source). Translations may say `status: machine` or `stale`.
 */
export function parseMarkdownFolder(dir: string): { articles: ArticleInput[]; problems: ImportProblem[]; origins: Origins } {
  const problems: ImportProblem[] = [];
  const origins: Origins = new Map();
  const files: MarkdownFile[] = [];
  for (const path of markdownFiles(dir)) {
    const file = path;
    const add = (message: string, line = 1) => problems.push({ file, line, message });
    const name = FILE_NAME.exec(basename(path));
    if (!name) {
      problems.push({ file, message: 'file name must be <id>.<lang>.md, e.g. returns.en.md' });
      continue;
    }
    const [, fileId, fileLang] = name as unknown as [string, string, string];
    let parsed: { data: Record<string, unknown>; content: string };
    try {
      parsed = matter(readFileSync(path, 'utf8'), {}) as unknown as typeof parsed;
    } catch (error) {
      const e = error as Error & { mark?: { line?: number } };
      add(`front matter is not valid YAML: ${e.message.split('\n')[0]}`, typeof e.mark?.line === 'number' ? e.mark.line + 1 : 1);
      continue;
    }
    const data = parsed.data;
    if (Object.keys(data).length === 0) {
      add('missing front matter (--- id, title, tags, source ---)');
      continue;
    }
    const id = data['id'] === undefined ? fileId : String(data['id']);
    if (id !== fileId) add(`id "${id}" does not match the file name (${fileId})`);
    if (data['lang'] !== undefined && data['lang'] !== fileLang) add(`lang "${String(data['lang'])}" does not match the file name (${fileLang})`);
    const title = data['title'];
    if (typeof title !== 'string' && typeof title !== 'number') {
      add('front matter needs a title');
      continue;
    }
    const tags = parseTags(data['tags']);
    if (!tags) add('tags must be a list of strings');
    const source = data['source'];
    if (source !== undefined && typeof source !== 'boolean') add('source must be true or false');
    const status = data['status'];
    if (status !== undefined && !isStatus(status)) add('status must be current, stale or machine');
    files.push({
      file,
      id: fileId,
      lang: fileLang,
      title: String(title),
      body: parsed.content.replace(/^\s*\n/, '').trimEnd(),
      tags: tags ?? [],
      source: typeof source === 'boolean' ? source : undefined,
      status: isStatus(status) ? status : undefined,
    });
  }

  const byId = new Map<string, MarkdownFile[]>();
  for (const f of files) {
    const group = byId.get(f.id);
    if (group) group.push(f);
    else byId.set(f.id, [f]);
  }
  const articles: ArticleInput[] = [];
  for (const [id, group] of byId) {
    const flagged = group.filter((f) => f.source === true);
    if (flagged.length > 1) {
      problems.push({ file: flagged[1]!.file, line: 1, message: `article ${id} has more than one source file (${flagged.map((f) => f.file).join(', ')})` });
      continue;
    }
    const candidates = group.filter((f) => f.source !== false);
    const sourceFile = flagged[0] ?? (candidates.length === 1 ? candidates[0] : candidates.find((f) => f.lang === 'en'));
    if (!sourceFile) {
      problems.push({ file: group[0]!.file, line: 1, message: `article ${id}: no file says source: true` });
      continue;
    }
    origins.set(id, { file: sourceFile.file, line: 1 });
    const translations: ArticleInput['translations'] = {};
    for (const f of group) {
      if (f !== sourceFile) translations[f.lang] = { title: f.title, body: f.body, ...(f.status ? { status: f.status } : {}) };
    }
    articles.push({ id, sourceLanguage: sourceFile.lang, title: sourceFile.title, body: sourceFile.body, tags: sourceFile.tags, translations });
  }
  return { articles, problems, origins };
}

/** The files of one article: name -> content. */
export function formatMarkdown(article: ArticleInput): Map<string, string> {
  const files = new Map<string, string>();
  const write = (lang: string, front: Record<string, unknown>, body: string) => {
    files.set(`${article.id}.${lang}.md`, `---\n${stringifyYaml(front, { lineWidth: 0 })}---\n\n${body.trim()}\n`);
  };
  write(article.sourceLanguage, { id: article.id, title: article.title, tags: article.tags, source: true }, article.body);
  for (const [lang, t] of Object.entries(article.translations)) {
    write(lang, { id: article.id, title: t.title, source: false, ...(t.status && t.status !== 'current' ? { status: t.status } : {}) }, t.body);
  }
  return files;
}
