/**
 * The translator the app builds from its configuration (`translation:` in meridian.config.yaml).
 */
import { MeridianError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createDeepLTranslator, type DeepLFormality } from './deepl.js';
import type { DeepLTargetVariants } from './languages.js';
import { createLibreTranslateTranslator } from './libretranslate.js';
import { createOpenAICompatibleTranslator } from './openai-compatible.js';
import type { FetchLike, SleepFn, TranslationProvider } from './provider.js';
import { createTranslationService } from './service.js';
import type { TranslationRequest, TranslationResult, Translator } from './types.js';

export type TranslationProviderName = 'none' | 'deepl' | 'libretranslate' | 'openai-compatible';

export const TRANSLATION_PROVIDERS: readonly TranslationProviderName[] = ['none', 'deepl', 'libretranslate', 'openai-compatible'];

/**
 * Settings for the translator. Only the block of the chosen provider is read. API keys are secrets:
 * they belong in the environment (or a *_FILE), never in the config file.
 */
export interface TranslationConfig {
  provider: TranslationProviderName;
  /** Brand and product names that must never be translated. */
  glossary?: string[];
  /** Cached strings (default 1000; 0 turns the cache off). */
  cacheSize?: number;
  /** Deadline for one translation, retries included, in ms (default 10000); also each HTTP attempt's limit. */
  timeoutMs?: number;
  /** On failure: 'original' (default) answers the untranslated text, 'throw' raises. */
  fallback?: 'original' | 'throw';
  /** Extra attempts after 429 / 5xx / network errors (default 1). */
  maxRetries?: number;
  deepl?: {
    /** Secret. */
    apiKey?: string;
    /** Default: https://api-free.deepl.com for keys ending in ':fx', else https://api.deepl.com. */
    baseUrl?: string;
    formality?: DeepLFormality;
    glossaryId?: string;
    targetVariants?: DeepLTargetVariants;
  };
  libretranslate?: {
    /** e.g. http://localhost:5000 */
    baseUrl?: string;
    /** Secret; needed by servers started with --api-keys and by libretranslate.com. */
    apiKey?: string;
  };
  openaiCompatible?: {
    /** e.g. http://localhost:11434/v1 (Ollama), http://localhost:8000/v1 (vLLM), https://api.openai.com/v1 */
    baseUrl?: string;
    /** Secret; local servers usually need none. */
    apiKey?: string;
    model?: string;
    temperature?: number;
  };
}

/** What the composition root injects. */
export interface TranslatorDependencies {
  fetch?: FetchLike;
  logger?: Logger;
  sleep?: SleepFn;
}

/** A translator that translates nothing: the texts come back as they are, with provider 'none'. */
export function createPassthroughTranslator(): Translator {
  return {
    id: 'none',
    translate(request: TranslationRequest): Promise<TranslationResult> {
      return Promise.resolve({ texts: [...request.texts], provider: 'none', ...(request.from !== undefined ? { from: request.from } : {}) });
    },
  };
}

/**
 * Builds the configured translator: the chosen provider wrapped in the translation service (term
 * protection, cache, deadline, fallback), or the passthrough for 'none'.
 */
export function createTranslatorFromConfig(config: TranslationConfig, dependencies: TranslatorDependencies = {}): Translator {
  if (config.provider === 'none') return createPassthroughTranslator();
  const http = {
    ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
    ...(dependencies.sleep ? { sleep: dependencies.sleep } : {}),
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.maxRetries !== undefined ? { maxRetries: config.maxRetries } : {}),
  };
  let provider: TranslationProvider;
  switch (config.provider) {
    case 'deepl': {
      const deepl = config.deepl ?? {};
      if (!deepl.apiKey) throw missing('translation.deepl.apiKey', 'deepl');
      provider = createDeepLTranslator({
        ...http,
        apiKey: deepl.apiKey,
        ...(deepl.baseUrl ? { baseUrl: deepl.baseUrl } : {}),
        ...(deepl.formality ? { formality: deepl.formality } : {}),
        ...(deepl.glossaryId ? { glossaryId: deepl.glossaryId } : {}),
        ...(deepl.targetVariants ? { targetVariants: deepl.targetVariants } : {}),
      });
      break;
    }
    case 'libretranslate': {
      const libre = config.libretranslate ?? {};
      if (!libre.baseUrl) throw missing('translation.libretranslate.baseUrl', 'libretranslate');
      provider = createLibreTranslateTranslator({ ...http, baseUrl: libre.baseUrl, ...(libre.apiKey ? { apiKey: libre.apiKey } : {}) });
      break;
    }
    case 'openai-compatible': {
      const llm = config.openaiCompatible ?? {};
      if (!llm.baseUrl) throw missing('translation.openaiCompatible.baseUrl', 'openai-compatible');
      if (!llm.model) throw missing('translation.openaiCompatible.model', 'openai-compatible');
      provider = createOpenAICompatibleTranslator({
        ...http,
        baseUrl: llm.baseUrl,
        model: llm.model,
        ...(llm.apiKey ? { apiKey: llm.apiKey } : {}),
        ...(llm.temperature !== undefined ? { temperature: llm.temperature } : {}),
      });
      break;
    }
    default:
      throw new MeridianError('config_invalid', `translation.provider must be one of ${TRANSLATION_PROVIDERS.join(', ')}`, {
        details: { provider: String((config as { provider: unknown }).provider) },
      });
  }
  return createTranslationService({
    provider,
    ...(config.glossary ? { glossary: config.glossary } : {}),
    ...(config.cacheSize !== undefined ? { cacheSize: config.cacheSize } : {}),
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.fallback ? { fallback: config.fallback } : {}),
    ...(dependencies.logger ? { logger: dependencies.logger } : {}),
  });
}

function missing(key: string, provider: string): MeridianError {
  return new MeridianError('config_invalid', `${key} is required when translation.provider is "${provider}"`, { details: { key, provider } });
}
