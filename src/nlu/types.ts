/**
 * What Meridian understands of a message. Every NLU component returns one of these shapes, so the
 * pipeline, the dialogs, `POST /api/nlu/parse` and the evaluation commands share one vocabulary.
 */

export const INTENTS = [
  'order_status',
  'return_request',
  'exchange_request',
  'refund_status',
  'cancel_order',
  'change_address',
  'shipping_info',
  'payment_issue',
  'product_question',
  'complaint',
  'human_agent',
  'privacy_request',
  'greeting',
  'thanks',
  'goodbye',
] as const;
export type IntentName = (typeof INTENTS)[number];

export interface LanguageResult {
  /** Base language, one of the supported ones: 'en', 'zh', ... */
  language: string;
  /** Best locale for replies when the text shows it: 'zh-Hant', 'pt-BR', 'es-MX', 'fr-CA'; else the language. */
  locale: string;
  /** 0..1 */
  confidence: number;
  /** False for text too short or ambiguous to trust ("ok", "1", an order number, an emoji). */
  reliable: boolean;
}

export interface IntentResult {
  /** 'out_of_scope' when no intent is confident enough. */
  intent: IntentName | 'out_of_scope';
  confidence: number;
  /** Top candidates, best first. */
  ranking: { intent: IntentName; confidence: number }[];
}

export type EntityType =
  | 'order_number'
  | 'tracking_number'
  | 'email'
  | 'phone'
  | 'date'
  | 'amount'
  | 'sku'
  | 'product'
  | 'size'
  | 'color';

export interface Entity {
  type: EntityType;
  /** The text as written. */
  text: string;
  /** Normalized value: 'A1043', '+4915112345678', '2026-03-03', { amount: 12.5, currency: 'EUR' }, 'M', 'blue'. */
  value: string | number | { amount: number; currency: string | null };
  /** Character offsets in the original text. */
  start: number;
  end: number;
}

export interface EmotionResult {
  /** Each 0..1. */
  frustration: number;
  anger: number;
  urgency: number;
  /** -1 (very negative) .. 1 (very positive). */
  sentiment: number;
  /** Why: the cues found (words, caps, punctuation, emoji), for agents and debugging. */
  signals: string[];
}

export const SENSITIVE_TOPICS = ['religion', 'politics', 'territorial_dispute', 'self_harm', 'legal_threat', 'harassment'] as const;
export type SensitiveTopic = (typeof SENSITIVE_TOPICS)[number];

export interface SensitiveResult {
  topics: { topic: SensitiveTopic; score: number; matched: string[] }[];
  /** What the bot should do: nothing, answer with care, offer a human, or hand over now. */
  action: 'none' | 'care' | 'offer_human' | 'force_human';
}

export interface NluResult {
  text: string;
  /** After slang, abbreviation and typo normalization. */
  normalized: string;
  language: LanguageResult;
  intent: IntentResult;
  entities: Entity[];
  emotion: EmotionResult;
  sensitive: SensitiveResult;
}
