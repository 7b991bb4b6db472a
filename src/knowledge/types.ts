/**
 * The knowledge base's data model: one article per topic, written in a source language, with one
 * translation per other language. A translation remembers the hash of the source text it was made
 * from, so a change of the source makes it stale without anyone having to remember to flag it.
 */
import type { StoredDocument } from '../storage/collection.js';

/** The launch languages (the same list as LAUNCH_LOCALES in src/bot.ts; a test keeps them equal). */
export const KB_LANGUAGES = ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh'] as const;

/**
 * - current: translated (by a person or imported) from the present source text
 * - stale: the source changed after the translation was made
 * - machine: produced by a translation provider from the present source text
 */
export type TranslationStatus = 'current' | 'stale' | 'machine';

export interface ArticleTranslation {
  title: string;
  body: string;
  /** sourceHash() of the source title and body this translation was made from. */
  sourceHash: string;
  status: TranslationStatus;
  /** ISO 8601. */
  translatedAt: string;
}

export interface KbArticle extends StoredDocument {
  tags: string[];
  /** Language of `title` and `body`. */
  sourceLanguage: string;
  title: string;
  body: string;
  /** Keyed by language; never holds the source language. */
  translations: Record<string, ArticleTranslation>;
  /** ISO 8601; changes on every write. */
  updatedAt: string;
}

/** An article as written by a person or an import file: no version, hashes or timestamps needed. */
export interface ArticleInput {
  id: string;
  sourceLanguage: string;
  title: string;
  body: string;
  tags: string[];
  translations: Record<string, { title: string; body: string; status?: TranslationStatus }>;
}

/** An article's text in one language. */
export interface ArticleText {
  language: string;
  title: string;
  body: string;
}

/** What reading an article's texts needs: a stored KbArticle or an ArticleInput. */
export interface ArticleLike {
  sourceLanguage: string;
  title: string;
  body: string;
  translations: Readonly<Record<string, { title: string; body: string }>>;
}

/** The text of an article in `lang`, whatever its status (source or translation), or undefined. */
export function articleText(article: ArticleLike, lang: string): ArticleText | undefined {
  if (article.sourceLanguage === lang) return { language: lang, title: article.title, body: article.body };
  const translation = article.translations[lang];
  return translation ? { language: lang, title: translation.title, body: translation.body } : undefined;
}

/** Every text of an article, source first. */
export function articleTexts(article: ArticleLike): ArticleText[] {
  const texts: ArticleText[] = [{ language: article.sourceLanguage, title: article.title, body: article.body }];
  for (const [language, translation] of Object.entries(article.translations)) {
    if (language !== article.sourceLanguage) texts.push({ language, title: translation.title, body: translation.body });
  }
  return texts;
}
