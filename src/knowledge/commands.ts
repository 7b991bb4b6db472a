/** What the `meridian kb ...` commands run; each returns the text to print. */
import { MeridianError } from '../core/errors.js';
import { exportArticles, importArticles, KB_FORMATS, detectFormat, type KbFormat } from './import-export.js';
import { draftFromInput, type KnowledgeStore } from './store.js';
import type { KbArticle } from './types.js';

export { runKbStatus } from './status.js';

/**
 * `meridian kb import <path>`: reads and validates the whole file or folder first (a malformed input
 * writes nothing), then writes each article that changed. Translations whose text is unchanged while
 * their source changed become stale; stored translations the input does not mention are kept.
 */
export async function runKbImport(path: string, store: KnowledgeStore): Promise<string> {
  const format = detectFormat(path);
  const articles = importArticles(path, format);
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  let staled = 0;
  for (const input of articles) {
    const existing = await store.get(input.id);
    if (existing && sameContent(existing, draftFromInput(input, existing, existing.updatedAt))) {
      unchanged++;
      continue;
    }
    const saved = await store.save(input);
    if (existing) updated++;
    else created++;
    staled += Object.entries(saved.translations).filter(([lang, t]) => t.status === 'stale' && existing?.translations[lang] !== undefined && existing.translations[lang].status !== 'stale').length;
  }
  const parts = [`${created} new`, `${updated} updated`, `${unchanged} unchanged`];
  return `Imported ${articles.length} article${articles.length === 1 ? '' : 's'} from ${path} (${format}): ${parts.join(', ')}${staled > 0 ? `; ${staled} translation${staled === 1 ? ' is' : 's are'} now stale` : ''}.`;
}

/** `meridian kb export <format> <path>`: every article with its translations and their status. */
export async function runKbExport(store: KnowledgeStore, format: string, path: string): Promise<string> {
  if (!(KB_FORMATS as readonly string[]).includes(format)) {
    throw new MeridianError('invalid_request', `unknown export format "${format}"; use ${KB_FORMATS.join(', ')}`, { status: 400 });
  }
  const articles = await store.list();
  const files = exportArticles(articles, format as KbFormat, path);
  const texts = articles.reduce((sum, a) => sum + 1 + Object.keys(a.translations).length, 0);
  return `Exported ${articles.length} article${articles.length === 1 ? '' : 's'} (${texts} texts) to ${path} (${format}, ${files.length} file${files.length === 1 ? '' : 's'}).`;
}

function sameContent(a: KbArticle, b: Omit<KbArticle, 'version' | 'updatedAt'>): boolean {
  const strip = (x: Omit<KbArticle, 'version' | 'updatedAt'>) => ({
    sourceLanguage: x.sourceLanguage,
    title: x.title,
    body: x.body,
    tags: x.tags,
    translations: Object.fromEntries(Object.entries(x.translations).sort(([l1], [l2]) => (l1 < l2 ? -1 : 1)).map(([lang, t]) => [lang, { title: t.title, body: t.body, status: t.status, sourceHash: t.sourceHash }])),
  });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
