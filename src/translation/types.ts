/**
 * The translation port: the knowledge base, agent handoff (two-way translation) and dialogs call this,
 * never a provider directly. Providers (DeepL, LibreTranslate, an OpenAI-compatible chat endpoint)
 * implement it; the caching, term-protecting wrapper implements it too.
 */
export interface TranslationRequest {
  texts: readonly string[];
  /** Source language ('en', 'zh-Hant'...); undefined lets the provider detect it. */
  from?: string;
  to: string;
  /** 'text' (default) or 'markdown' (keep formatting). */
  format?: 'text' | 'markdown';
}

export interface TranslationResult {
  texts: string[];
  /** The provider's id, e.g. 'deepl', 'libretranslate', 'openai-compatible', or 'none'. */
  provider: string;
  /** Source language as detected or given. */
  from?: string;
}

export interface Translator {
  readonly id: string;
  translate(request: TranslationRequest): Promise<TranslationResult>;
}
