import type { Button } from '../core/activity.js';
import type { Middleware } from '../core/compose.js';
import type { Catalogs } from '../i18n/catalog.js';
import { matchLocale, type LanguageDetector } from '../i18n/locale.js';
import type { TurnContext } from './context.js';

export interface LanguageOptions {
  supported: readonly string[];
  defaultLocale: string;
  detector: LanguageDetector;
  /** Confidence a detection needs to switch a conversation that already has a language. */
  switchConfidence?: number;
}

/**
 * Chooses the language of the turn. An explicit choice (a picker) wins; otherwise the conversation's
 * language sticks unless a confident detection says the customer switched; a new conversation takes
 * the detection, then the channel's hint, then the customer's profile, then the default.
 */
export function languageMiddleware(options: LanguageOptions): Middleware<TurnContext> {
  const switchConfidence = options.switchConfidence ?? 0.9;
  return async (ctx, next) => {
    const { activity, conversation } = ctx;
    const hinted = matchLocale(activity.localeHint, options.supported);
    const guess = options.detector.detect(ctx.text);
    const detected = guess ? matchLocale(guess.language, options.supported) : undefined;
    if (activity.localeExplicit && hinted) {
      conversation.locale = hinted;
      conversation.localeSource = 'explicit';
    } else if (conversation.locale) {
      const sameLanguage = detected?.split('-')[0] === conversation.locale.split('-')[0];
      if (detected && !sameLanguage && conversation.localeSource !== 'explicit' && (guess?.confidence ?? 0) >= switchConfidence) {
        conversation.locale = detected;
        conversation.localeSource = 'detected';
      }
    } else {
      const profile = matchLocale(ctx.customer.locale, options.supported);
      const [locale, source] = detected
        ? [detected, 'detected' as const]
        : hinted
          ? [hinted, 'hint' as const]
          : profile
            ? [profile, 'profile' as const]
            : [options.defaultLocale, 'default' as const];
      conversation.locale = locale;
      conversation.localeSource = source;
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
