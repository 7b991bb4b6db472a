import type { Button } from '../core/activity.js';
import type { Middleware } from '../core/compose.js';
import type { Catalogs } from '../i18n/catalog.js';
import type { LanguageDetector } from '../i18n/locale.js';
import { localeFromAddress, replyLocale } from '../nlu/language-hints.js';
import type { LanguageResult } from '../nlu/types.js';
import type { TurnContext } from './context.js';

export interface LanguageOptions {
  supported: readonly string[];
  defaultLocale: string;
  detector: LanguageDetector;
  /** Confidence a detection needs to switch a conversation that already has a language. */
  switchConfidence?: number;
}

/**
 * Chooses the language of the turn.
 * - An explicit choice (a picker) wins and sticks.
 * - A conversation keeps its language: only a reliable detection switches it (with confidence >=
 *   switchConfidence), so "ok", "merci", "1", "A1043" or "👍" never do; a reliable regional variant of
 *   the same language refines it ("zh" -> "zh-Hant", "pt" -> "pt-BR").
 * - A new conversation takes a reliable detection, then the channel's hint (browser language), then the
 *   customer's profile, then a plausible detection of a short turn ("hola", "merci"), then the phone
 *   number's country, then the default. The words a customer writes say more than where their SIM
 *   was issued, so a plausible guess ranks above the phone country.
 * Regional variants survive even when only the base language is supported (zh-Hant with "zh"), so a
 * zh-Hant catalog answers when one exists and the translator falls back to zh otherwise. A detector with
 * `analyze()` (createLanguageDetector) is asked for reliability and variants; the turn's result is left
 * in ctx.turnState under "languageResult" for later middleware.
 */
export function languageMiddleware(options: LanguageOptions): Middleware<TurnContext> {
  const switchConfidence = options.switchConfidence ?? 0.9;
  const plausibleConfidence = 0.6;
  const detector: LanguageDetector & { analyze?: (text: string) => LanguageResult; ready?: () => Promise<void> } = options.detector;
  const base = (locale: string) => locale.split('-')[0] ?? locale;
  let modelUnavailable = false;

  const detect = (text: string): LanguageResult | undefined => {
    if (detector.analyze) {
      const result = detector.analyze(text);
      return result.confidence > 0 ? result : undefined;
    }
    const guess = detector.detect(text);
    if (!guess) return undefined;
    // A plain detector only gives a confidence: trust it as far as a switch would.
    return { language: base(guess.language), locale: guess.language, confidence: guess.confidence, reliable: guess.confidence >= switchConfidence };
  };

  return async (ctx, next) => {
    const { activity, conversation } = ctx;
    if (detector.ready && !modelUnavailable) {
      try {
        await detector.ready();
      } catch (error) {
        // Script rules and the word list still work; say so once instead of failing every turn.
        modelUnavailable = true;
        ctx.log.warn({ err: error }, 'language model unavailable; detecting by script and short words only');
      }
    }
    const detection = detect(ctx.text);
    if (detection) ctx.turnState.set('languageResult', detection);
    const detected = detection ? replyLocale(detection.locale, options.supported) : undefined;
    const hinted = replyLocale(activity.localeHint, options.supported);
    const set = (locale: string, source: NonNullable<typeof conversation.localeSource>) => {
      conversation.locale = locale;
      conversation.localeSource = source;
    };

    if (activity.localeExplicit && hinted) {
      set(hinted, 'explicit');
    } else if (conversation.locale) {
      const current = conversation.locale;
      if (detected && detection?.reliable && conversation.localeSource !== 'explicit') {
        if (base(detected) !== base(current)) {
          if (detection.confidence >= switchConfidence) set(detected, 'detected');
        } else if (detected !== current && detected !== base(detected)) {
          set(detected, 'detected');
        }
      }
    } else {
      const profile = replyLocale(ctx.customer.locale, options.supported);
      const plausible = detected && detection && detection.confidence >= plausibleConfidence ? detected : undefined;
      if (detected && detection?.reliable) set(detected, 'detected');
      else if (hinted) set(hinted, 'hint');
      else if (profile) set(profile, 'profile');
      else if (plausible) set(plausible, 'detected');
      else {
        // Parsing the phone number is the costly hint (libphonenumber): only when nothing better is known.
        const phone = replyLocale(localeFromAddress(activity.address), options.supported);
        set(phone ?? options.defaultLocale, phone ? 'hint' : 'default');
      }
    }
    if (conversation.locale !== ctx.locale) ctx.setLocale(conversation.locale ?? options.defaultLocale);
    await next();
  };
}

/** "2" or a button's title after a reply with buttons means that button's value (SMS shows them as a numbered list). */
export const choiceMiddleware: Middleware<TurnContext> = async (ctx, next) => {
  const replies = ctx.conversation.lastReplies;
  let choices: readonly Button[] = [];
  for (let i = replies.length - 1; i >= 0 && choices.length === 0; i--) choices = replies[i]?.buttons ?? [];
  if (choices.length > 0) {
    const text = ctx.text.trim();
    const byNumber = /^\d{1,2}$/.test(text) ? choices[Number(text) - 1] : undefined;
    const byTitle = choices.find((choice) => choice.title.localeCompare(text, undefined, { sensitivity: 'base' }) === 0);
    const chosen = byNumber ?? byTitle;
    if (chosen) ctx.text = chosen.value;
  }
  await next();
};

/**
 * The first reply of every conversation says that this is an AI assistant and how to reach a human.
 * It is merged into the first message, so SMS customers do not pay for an extra segment.
 */
export const aiDisclosureMiddleware: Middleware<TurnContext> = async (ctx, next) => {
  await next();
  if (!ctx.isNewConversation) return;
  const disclosure = ctx.t('disclosure.ai');
  const first = ctx.replies[0];
  if (first) ctx.replies[0] = { ...first, text: `${disclosure}\n\n${first.text}` };
  else ctx.replies.push({ text: disclosure });
};

/** Tells a customer who sent a card number not to; the number itself was removed before anything was stored. */
export const cardWarningMiddleware: Middleware<TurnContext> = async (ctx, next) => {
  if (ctx.activity.cardNumberRemoved) ctx.say(ctx.t('privacy.card_warning'));
  await next();
};

/** Words for "human" in every catalog: asking for a person works in every state and every language. */
export function humanRequestMiddleware(catalogs: Catalogs): Middleware<TurnContext> {
  const words = new Set<string>();
  for (const catalog of catalogs.values()) {
    for (const word of (catalog['keywords.human'] ?? '').split('|')) if (word.trim()) words.add(normalize(word));
  }
  return async (ctx, next) => {
    const text = normalize(ctx.text);
    if (words.has(text) || text === 'handoff') {
      ctx.handoff('customer_request');
      return;
    }
    await next();
  };
}

function normalize(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\s!?.¡¿。！？、,]+/g, ' ')
    .trim();
}
