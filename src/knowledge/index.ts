/**
 * The multilingual knowledge base: articles with tracked translations (store), import/export
 * (Markdown folder, JSONL, CSV), cross-lingual search through a domain vocabulary, answers with
 * translation fallbacks, translation status, and the retrieval evaluation.
 */
export { KB_LANGUAGES, articleText, articleTexts, type KbArticle, type ArticleTranslation, type ArticleInput, type ArticleText, type ArticleLike, type TranslationStatus } from './types.js';
export { sourceHash } from './hash.js';
export {
  KnowledgeStore,
  createKnowledgeStore,
  needsTranslation,
  isFresh,
  translateArticle,
  draftFromInput,
  type ArticleDraft,
  type KnowledgeChange,
  type KnowledgeListener,
  type KnowledgeStoreOptions,
  type RetranslateOptions,
  type RetranslateReport,
} from './store.js';
export { importArticles, exportArticles, detectFormat, toArticleInput, KB_FORMATS, KnowledgeImportError, type KbFormat, type ImportProblem } from './import-export.js';
export { ConceptVocabulary, loadConcepts, parseConcepts, type ConceptDefinition, type ConceptKind, type ConceptCounts } from './concepts.js';
export { KnowledgeIndex, createKnowledgeIndex, type IndexableArticle, type KnowledgeIndexOptions, type SearchHit, type SearchOptions } from './search.js';
export { KnowledgeBase, createKnowledgeBase, KB_CONFIDENCE_THRESHOLD, languageName, type KbAnswer, type KbAnswerKind, type KnowledgeBaseOptions } from './knowledge-base.js';
export { kbStatus, textStatus, type KbStatusRow, type KbTextStatus } from './status.js';
export { runKbImport, runKbExport, runKbStatus } from './commands.js';
export { evalKb, readQuestions, type KbEvalOptions, type KbQuestion, type KbQuestionResult } from './eval.js';
export { normalize, words, stems, terms } from './text.js';
