/**
 * Translation: the port (types.ts), the providers (DeepL, LibreTranslate, an OpenAI-compatible chat
 * endpoint), and the service that wraps one with term protection, a cache, a deadline and a fallback.
 * Call the service (createTranslationService / createTranslatorFromConfig), not a provider directly:
 * only the service keeps e-mail addresses and phone numbers from reaching the provider.
 */
export type { TranslationRequest, TranslationResult, Translator } from './types.js';
export type { FetchLike, PlaceholderSyntaxName, ProviderHttpOptions, ProviderTranslationRequest, SleepFn, TranslationProvider } from './provider.js';
export type { TranslationFailureReason } from './http.js';
export { createDeepLTranslator, deeplBaseUrlFor, DEEPL_FREE_URL, DEEPL_PRO_URL, type DeepLFormality, type DeepLTranslatorOptions } from './deepl.js';
export { createLibreTranslateTranslator, type LibreTranslateTranslatorOptions } from './libretranslate.js';
export { createOpenAICompatibleTranslator, type OpenAICompatibleTranslatorOptions } from './openai-compatible.js';
export { createTranslationService, type TranslationServiceOptions } from './service.js';
export {
  createPassthroughTranslator,
  createTranslatorFromConfig,
  TRANSLATION_PROVIDERS,
  type TranslationConfig,
  type TranslationProviderName,
  type TranslatorDependencies,
} from './config.js';
export { findProtectedSpans, type ProtectedKind, type ProtectedSpan, type TermOptions } from './terms.js';
export { deeplTargetLang, deeplSourceLang, libreTranslateLang, type DeepLTargetVariants } from './languages.js';
