/**
 * The knowledge base as dialogs use it: search and `answer` over the store, with an index built once
 * at start and kept current on every write through the store (in this process).
 */
import { join } from 'node:path';
import { createTranslator, loadCatalogs, type Catalogs } from '../i18n/catalog.js';
import { packageRoot } from '../package-root.js';
import type { Translator } from '../translation/types.js';
import { createKnowledgeIndex, type KnowledgeIndex, type KnowledgeIndexOptions, type SearchHit, type SearchOptions } from './search.js';
import { isFresh, translateArticle, type KnowledgeStore } from './store.js';
import type { KbArticle } from './types.js';

/**
 * Below this confidence `answer` returns undefined (the dialog says it does not know and offers a
 * person). Measured with the shared/eval articles: of the 138 questions (of 90 dev and 61 written for
 * this check) whose top hit is right, 136 score at or above it; of 36 out-of-scope questions in the eight
 * languages ("what's the weather tomorrow?", "do you sell bicycles?"), 28 against the eval articles and
 * 8 against the demo ones, none does (the highest scored 0.41).
 */
export const KB_CONFIDENCE_THRESHOLD = 0.45;

/**
 * - article: the article's own language is the customer's
 * - translation: a translation made from the present source text
 * - machine: a machine translation (stored earlier, or made now and stored)
 * - untranslated: no usable translation and no translator: the source text, with a note
 */
export type KbAnswerKind = 'article' | 'translation' | 'machine' | 'untranslated';

export interface KbAnswer {
  articleId: string;
  title: string;
  body: string;
  /** Language of title and body. */
  language: string;
  kind: KbAnswerKind;
  /** One line to show before the answer (untranslated or machine-translated), in the customer's language. */
  note?: { key: string; text: string };
  /** 0..1 (see KnowledgeIndex.search). */
  confidence: number;
  /** Other articles above the threshold, best first, for "see also". */
  related: string[];
}

export interface KnowledgeBaseOptions {
  store: KnowledgeStore;
  index?: KnowledgeIndexOptions;
  /** Message catalogs for the notes; default: the package's locales/. */
  catalogs?: Catalogs;
  /** Used by answer() when no translator is passed to it. */
  translator?: Translator;
  /** Default KB_CONFIDENCE_THRESHOLD. */
  threshold?: number;
}

let packageCatalogs: Catalogs | undefined;

export class KnowledgeBase {
  private readonly unsubscribe: () => void;
  private readonly catalogs: Catalogs;
  private readonly threshold: number;

  private constructor(
    readonly store: KnowledgeStore,
    private index: KnowledgeIndex,
    private readonly options: KnowledgeBaseOptions,
  ) {
    this.catalogs = options.catalogs ?? (packageCatalogs ??= loadCatalogs(join(packageRoot(), 'locales')));
    this.threshold = options.threshold ?? KB_CONFIDENCE_THRESHOLD;
    this.unsubscribe = store.onChange((change) => {
      if (change.type === 'put') this.index.upsert(change.article);
      else this.index.remove(change.id);
    });
  }

  /** Loads every article from the store and builds the index. */
  static async open(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
    const articles = await options.store.list();
    return new KnowledgeBase(options.store, createKnowledgeIndex(articles, options.index), options);
  }

  /** Rebuilds the index from the store (after another process imported articles). */
  async refresh(): Promise<void> {
    this.index = createKnowledgeIndex(await this.store.list(), this.options.index);
  }

  get size(): number {
    return this.index.size;
  }

  search(question: string, lang: string, options?: SearchOptions): SearchHit[] {
    return this.index.search(question, lang, options);
  }

  /**
   * The best article for a question, in the customer's language when possible: the source or a current
   * translation; else a machine translation (made now by `translator`, or the configured one, and
   * stored as `machine`); else the source text with a one-line note. Undefined when no article is
   * confident enough: never a guess.
   */
  async answer(question: string, lang: string, translator?: Translator): Promise<KbAnswer | undefined> {
    // The best-ranked article must itself be confident: a less relevant one never stands in for it.
    const [top, ...others] = this.index.search(question, lang, { limit: 3 });
    if (!top || top.confidence < this.threshold) return undefined;
    const article = await this.store.get(top.articleId);
    if (!article) return undefined;
    const base = lang.split('-')[0] ?? lang;
    const common = { articleId: article.id, confidence: top.confidence, related: others.filter((hit) => hit.confidence >= this.threshold).map((hit) => hit.articleId) };
    const t = createTranslator(this.catalogs, lang);

    if (article.sourceLanguage === lang || article.sourceLanguage === base) {
      return { ...common, title: article.title, body: article.body, language: article.sourceLanguage, kind: 'article' };
    }
    const translationLang = article.translations[lang] ? lang : base;
    const translation = article.translations[translationLang];
    if (translation && isFresh(article, translation)) {
      const machine = translation.status === 'machine';
      return {
        ...common,
        title: translation.title,
        body: translation.body,
        language: translationLang,
        kind: machine ? 'machine' : 'translation',
        ...(machine ? { note: { key: 'kb.machine_note', text: t('kb.machine_note') } } : {}),
      };
    }
    const provider = translator ?? this.options.translator;
    if (provider) {
      const translated = await this.translateAndStore(article, base, provider);
      if (translated) {
        return { ...common, ...translated, language: base, kind: 'machine', note: { key: 'kb.machine_note', text: t('kb.machine_note') } };
      }
    }
    return {
      ...common,
      title: article.title,
      body: article.body,
      language: article.sourceLanguage,
      kind: 'untranslated',
      note: { key: 'kb.untranslated_note', text: t('kb.untranslated_note', { language: languageName(article.sourceLanguage, lang) }) },
    };
  }

  /** Stops following the store's writes. */
  close(): void {
    this.unsubscribe();
  }

  /** A translation failure is not the customer's problem: the caller falls back to the source text. */
  private async translateAndStore(article: KbArticle, lang: string, translator: Translator): Promise<{ title: string; body: string } | undefined> {
    let text: { title: string; body: string };
    try {
      text = await translateArticle(translator, article, lang);
    } catch {
      return undefined;
    }
    try {
      await this.store.setTranslation(article.id, lang, { ...text, status: 'machine' }, article.version);
    } catch {
      // Someone changed the article meanwhile; the answer still stands, the next one will translate again.
    }
    return text;
  }
}

/** Opens the knowledge base over a store (index built once, then kept current on writes). */
export function createKnowledgeBase(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
  return KnowledgeBase.open(options);
}

/** "English" in the customer's language ("inglés", "英語"); the code itself when the runtime does not know it. */
export function languageName(code: string, inLanguage: string): string {
  try {
    return new Intl.DisplayNames([inLanguage], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}
