import { MeridianError, VersionConflictError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/runtime.js';
import type { Collection, StorageBackend } from '../storage/collection.js';
import type { Translator } from '../translation/types.js';
import { sourceHash } from './hash.js';
import { KB_LANGUAGES, type ArticleInput, type ArticleTranslation, type KbArticle } from './types.js';

/** An article to write: the stored shape without version and updatedAt (the store sets both). */
export type ArticleDraft = Omit<KbArticle, 'version' | 'updatedAt'> & { updatedAt?: string };

export type KnowledgeChange = { type: 'put'; article: KbArticle } | { type: 'delete'; id: string };
export type KnowledgeListener = (change: KnowledgeChange) => void;

export interface RetranslateOptions {
  /** Target languages; default: the launch languages. */
  languages?: readonly string[];
  /** Only these articles; default: all. */
  ids?: readonly string[];
}

export interface RetranslateReport {
  translated: { id: string; language: string }[];
  failed: { id: string; language: string; error: string }[];
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const LANGUAGE_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const MAX_ATTEMPTS = 5;

/**
 * Knowledge-base articles over the Collection port. Every write names the version it read
 * (`expectedVersion`), and every write re-derives translation freshness from the source hash, so a
 * changed source can never leave a translation marked current.
 */
export class KnowledgeStore {
  private readonly listeners = new Set<KnowledgeListener>();

  constructor(
    readonly collection: Collection<KbArticle>,
    private readonly clock: Clock = systemClock,
  ) {}

  get(id: string): Promise<KbArticle | undefined> {
    return this.collection.get(id);
  }

  /** Every article, ordered by id. */
  async list(): Promise<KbArticle[]> {
    const all = await this.collection.find({});
    return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Inserts (`expectedVersion` undefined; DuplicateKeyError when the id exists) or replaces the article
   * stored at `expectedVersion` (VersionConflictError otherwise). Translations whose sourceHash differs
   * from the new source are stored as stale.
   */
  async put(draft: ArticleDraft, expectedVersion?: number): Promise<KbArticle> {
    validateDraft(draft);
    const now = new Date(this.clock.now()).toISOString();
    const hash = sourceHash(draft.title, draft.body);
    const translations: Record<string, ArticleTranslation> = {};
    for (const [lang, translation] of Object.entries(draft.translations)) {
      translations[lang] = translation.sourceHash === hash || translation.status === 'stale' ? { ...translation } : { ...translation, status: 'stale' };
    }
    const { version: _ignored, ...fields } = draft as ArticleDraft & { version?: number };
    const doc = { ...fields, tags: [...draft.tags], translations, updatedAt: now };
    const stored = expectedVersion === undefined ? await this.collection.insert(doc) : await this.collection.update({ ...doc, version: expectedVersion }, expectedVersion);
    this.emit({ type: 'put', article: stored });
    return stored;
  }

  /**
   * Writes an article as an author or an import file gives it, keeping what is already stored where it
   * is still valid: a translation whose text is unchanged keeps its source hash (so it turns stale
   * when only the source changed); a new or edited translation counts as made from the present source;
   * a stored translation the input does not mention is kept (and turns stale if the source changed).
   * Re-reads and retries when someone else wrote in between.
   */
  async save(input: ArticleInput): Promise<KbArticle> {
    for (let attempt = 1; ; attempt++) {
      const existing = await this.collection.get(input.id);
      const draft = draftFromInput(input, existing, new Date(this.clock.now()).toISOString());
      try {
        return await this.put(draft, existing?.version);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isWriteRace(error)) throw error;
      }
    }
  }

  /** Deletes the article (only at `expectedVersion` when given); returns whether something was deleted. */
  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    const deleted = await this.collection.delete(id, expectedVersion);
    if (deleted) this.emit({ type: 'delete', id });
    return deleted;
  }

  /** Stores a translation of the present source text (status `current` unless given). */
  async setTranslation(id: string, lang: string, text: { title: string; body: string; status?: 'current' | 'machine' }, expectedVersion?: number): Promise<KbArticle> {
    for (let attempt = 1; ; attempt++) {
      const article = await this.collection.get(id);
      if (!article) throw new MeridianError('not_found', `knowledge article ${id} does not exist`, { status: 404 });
      if (expectedVersion !== undefined && article.version !== expectedVersion) throw new VersionConflictError(this.collection.name, id, expectedVersion);
      if (lang === article.sourceLanguage) throw new MeridianError('invalid_request', `${id}: ${lang} is the source language of the article, not a translation`, { status: 400 });
      const translation: ArticleTranslation = {
        title: text.title,
        body: text.body,
        sourceHash: sourceHash(article.title, article.body),
        status: text.status ?? 'current',
        translatedAt: new Date(this.clock.now()).toISOString(),
      };
      try {
        return await this.put({ ...article, translations: { ...article.translations, [lang]: translation } }, article.version);
      } catch (error) {
        if (expectedVersion !== undefined || attempt >= MAX_ATTEMPTS || !(error instanceof VersionConflictError)) throw error;
      }
    }
  }

  /**
   * Machine-translates every stale or missing translation (one provider call per article and
   * language, title and body together) and stores it as `machine`. A failure for one article and
   * language is reported and the others go on.
   */
  async retranslateStale(translator: Translator, options: RetranslateOptions = {}): Promise<RetranslateReport> {
    const languages = options.languages ?? KB_LANGUAGES;
    const report: RetranslateReport = { translated: [], failed: [] };
    const articles = options.ids ? (await Promise.all(options.ids.map((id) => this.get(id)))).filter((a): a is KbArticle => a !== undefined) : await this.list();
    for (const first of articles) {
      for (const lang of languages) {
        let article = (await this.get(first.id)) ?? first;
        if (lang === article.sourceLanguage || !needsTranslation(article, lang)) continue;
        for (let attempt = 1; ; attempt++) {
          let result: { title: string; body: string };
          try {
            result = await translateArticle(translator, article, lang);
          } catch (error) {
            report.failed.push({ id: article.id, language: lang, error: error instanceof Error ? error.message : String(error) });
            break;
          }
          try {
            const hash = sourceHash(article.title, article.body);
            const translation: ArticleTranslation = { ...result, sourceHash: hash, status: 'machine', translatedAt: new Date(this.clock.now()).toISOString() };
            await this.put({ ...article, translations: { ...article.translations, [lang]: translation } }, article.version);
            report.translated.push({ id: article.id, language: lang });
            break;
          } catch (error) {
            if (attempt >= MAX_ATTEMPTS || !(error instanceof VersionConflictError)) throw error;
            const fresh = await this.get(article.id);
            if (!fresh || !needsTranslation(fresh, lang)) break;
            article = fresh;
          }
        }
      }
    }
    return report;
  }

  /** Calls `listener` after every successful write in this process; returns the unsubscribe function. */
  onChange(listener: KnowledgeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: KnowledgeChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

export interface KnowledgeStoreOptions {
  clock?: Clock;
}

/** Opens the `kb_articles` collection of a backend as a KnowledgeStore. */
export function createKnowledgeStore(backend: StorageBackend, options: KnowledgeStoreOptions = {}): KnowledgeStore {
  return new KnowledgeStore(backend.collection<KbArticle>({ name: 'kb_articles', indexes: ['sourceLanguage', 'updatedAt'] }), options.clock);
}

/** Whether `lang` has no translation, or only a stale one. */
export function needsTranslation(article: Pick<KbArticle, 'sourceLanguage' | 'translations'>, lang: string): boolean {
  if (lang === article.sourceLanguage) return false;
  const translation = article.translations[lang];
  return translation === undefined || translation.status === 'stale';
}

/** Whether a translation is one to show as it is (it was made from the present source text). */
export function isFresh(article: Pick<KbArticle, 'title' | 'body'>, translation: ArticleTranslation): boolean {
  return translation.status !== 'stale' && translation.sourceHash === sourceHash(article.title, article.body);
}

/** One provider call for title and body; Markdown is kept. */
export async function translateArticle(translator: Translator, article: Pick<KbArticle, 'id' | 'sourceLanguage' | 'title' | 'body'>, lang: string): Promise<{ title: string; body: string }> {
  const result = await translator.translate({ texts: [article.title, article.body], from: article.sourceLanguage, to: lang, format: 'markdown' });
  // 'none' means nothing was translated (no provider, or the provider failed and the original came back).
  if (result.provider === 'none') throw new MeridianError('send_failed', `no translation of ${article.id} into ${lang} is available`);
  const [title, body] = result.texts;
  if (typeof title !== 'string' || typeof body !== 'string' || title.trim() === '' || body.trim() === '') {
    throw new MeridianError('invalid_request', `translator ${translator.id} returned ${result.texts.length} texts for ${article.id} (${lang}); expected a title and a body`);
  }
  return { title, body };
}

/** The stored form of an input article, given what is stored under its id (if anything). */
export function draftFromInput(input: ArticleInput, existing: KbArticle | undefined, now: string): ArticleDraft {
  const hash = sourceHash(input.title, input.body);
  const sameSource = existing?.sourceLanguage === input.sourceLanguage;
  // Translations the input does not mention (machine translations made at run time, say) are kept.
  const translations: Record<string, ArticleTranslation> = sameSource ? { ...existing.translations } : {};
  for (const [lang, text] of Object.entries(input.translations)) {
    const previous = sameSource ? existing.translations[lang] : undefined;
    const unchanged = previous !== undefined && previous.title === text.title && previous.body === text.body;
    translations[lang] = unchanged
      ? { ...previous, status: text.status === 'stale' ? 'stale' : previous.status }
      : { title: text.title, body: text.body, sourceHash: hash, status: text.status ?? 'current', translatedAt: now };
  }
  return { id: input.id, tags: [...input.tags], sourceLanguage: input.sourceLanguage, title: input.title, body: input.body, translations, updatedAt: now };
}

function validateDraft(draft: ArticleDraft): void {
  const problems: string[] = [];
  if (!ID_PATTERN.test(draft.id)) problems.push(`id "${draft.id}" must be letters, digits, '.', '_' or '-' (at most 128)`);
  if (!LANGUAGE_PATTERN.test(draft.sourceLanguage)) problems.push(`sourceLanguage "${draft.sourceLanguage}" is not a language code`);
  if (draft.title.trim() === '') problems.push('title is empty');
  if (draft.body.trim() === '') problems.push('body is empty');
  for (const [lang, translation] of Object.entries(draft.translations)) {
    if (!LANGUAGE_PATTERN.test(lang)) problems.push(`translation language "${lang}" is not a language code`);
    if (lang === draft.sourceLanguage) problems.push(`translation ${lang} is the source language`);
    if (translation.title.trim() === '' || translation.body.trim() === '') problems.push(`translation ${lang} has an empty title or body`);
  }
  if (problems.length > 0) throw new MeridianError('invalid_request', `knowledge article ${draft.id}: ${problems.join('; ')}`, { status: 400 });
}

function isWriteRace(error: unknown): boolean {
  return error instanceof VersionConflictError || (error instanceof MeridianError && error.code === 'duplicate_key');
}
