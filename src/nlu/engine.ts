import { matchLocale } from '../i18n/locale.js';
import type { EmotionResult, Entity, IntentResult, LanguageResult, NluResult, SensitiveResult } from './types.js';

/** The parts an NLU engine is made of; each is optional so a deployment can swap or leave one out. */
export interface NluComponents {
  language?: { analyze(text: string): LanguageResult };
  normalizer?: { normalize(text: string, lang: string): string };
  intents?: { classify(text: string, lang: string): IntentResult };
  entities?: { extract(text: string, lang: string): Entity[] };
  emotion?: { analyze(text: string, lang: string): EmotionResult };
  sensitive?: { detect(text: string, lang: string): SensitiveResult };
}

export interface ParseOptions {
  /** The conversation's language so far: an unreliable detection ("ok", "A1043") does not override it. */
  locale?: string;
}

export interface NluEngine {
  parse(text: string, options?: ParseOptions): NluResult;
}

const NO_INTENT: IntentResult = { intent: 'out_of_scope', confidence: 0, ranking: [] };
const CALM: EmotionResult = { frustration: 0, anger: 0, urgency: 0, sentiment: 0, signals: [] };
const NOTHING_SENSITIVE: SensitiveResult = { topics: [], action: 'none' };

/**
 * One pass over a message: language (sticky to the conversation unless the text clearly says
 * otherwise), normalization, intent, entities, emotion and sensitive topics.
 */
export function createNluEngine(components: NluComponents, options: { supported: readonly string[]; defaultLocale: string }): NluEngine {
  const base = (locale: string) => locale.split('-')[0] ?? locale;
  return {
    parse(text, parseOptions = {}) {
      const conversationLocale = parseOptions.locale ? matchLocale(parseOptions.locale, options.supported) ?? parseOptions.locale : undefined;
      const detected = components.language?.analyze(text);
      const language: LanguageResult =
        detected && (detected.reliable || !conversationLocale)
          ? detected
          : {
              language: base(conversationLocale ?? options.defaultLocale),
              locale: conversationLocale ?? options.defaultLocale,
              confidence: detected?.confidence ?? 0,
              reliable: false,
            };
      const lang = language.language;
      const normalized = components.normalizer ? components.normalizer.normalize(text, lang) : text.toLowerCase();
      return {
        text,
        normalized,
        language,
        intent: components.intents?.classify(text, lang) ?? NO_INTENT,
        entities: components.entities?.extract(text, lang) ?? [],
        emotion: components.emotion?.analyze(text, lang) ?? CALM,
        sensitive: components.sensitive?.detect(text, lang) ?? NOTHING_SENSITIVE,
      };
    },
  };
}
