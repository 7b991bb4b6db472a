/**
 * Language identification for customer messages: script rules for CJK and Hangul, a small word list
 * for the one-to-three-word turns a model cannot judge ("merci", "muchas gracias"), and eld's medium
 * n-gram model for everything else, ranked over the supported languages only. Every answer says
 * whether it is reliable: "ok", "1", "A1043", an e-mail address or "👍" never is.
 */
import { MeridianError } from '../core/errors.js';
import type { LanguageDetector, LanguageGuess } from '../i18n/locale.js';
import { hanEvidence, regionalVariant } from './language-variants.js';
import type { LanguageResult } from './types.js';

export interface LanguageDetectorOptions {
  /** Locales the bot answers in ('en', 'pt', 'zh-Hant'...); detection ranks their base languages only. */
  supported: readonly string[];
  /** Language reported, with confidence 0, when a text shows none (default: the first supported). */
  fallback?: string;
}

/** Where an answer came from, for debugging and the evaluation report. */
export type LanguageEvidence = 'none' | 'script' | 'words' | 'model' | 'other-language';

export interface LanguageExplanation extends LanguageResult {
  evidence: LanguageEvidence;
  /** A language outside the supported set that the text is written in ('ko', 'nl', 'vi'...). */
  other?: string;
  /** Supported languages the model scored, best first (empty unless the model ran). */
  candidates: { language: string; score: number }[];
}

/** A LanguageDetector that also reports reliability and regional variants (see LanguageResult). */
export interface LanguageAnalyzer extends LanguageDetector {
  analyze(text: string): LanguageResult;
  explain(text: string): LanguageExplanation;
  /** Resolves once the n-gram model is loaded (loaded lazily, once per process). */
  ready(): Promise<void>;
  readonly loaded: boolean;
}

// ---------------------------------------------------------------------------------------------
// eld: loaded on first use and shared by every detector in the process (≈60 MB heap once loaded).

interface EldResult {
  language: string;
  getScores(): Record<string, number>;
}
interface EldEngine {
  detect(text: string): EldResult;
  newInstance(): EldEngine;
}

let engine: EldEngine | undefined;
let loading: Promise<EldEngine> | undefined;
let loadMs: number | undefined;

function loadEngine(): Promise<EldEngine> {
  loading ??= (async () => {
    const started = performance.now();
    try {
      const module = await import('eld/medium');
      // Our own instance, so a subset or cleanup setting someone sets on the shared one cannot leak in.
      engine = (module.eld as EldEngine).newInstance();
      loadMs = performance.now() - started;
      return engine;
    } catch (cause) {
      loading = undefined;
      throw new MeridianError('config_invalid', `the language model (eld/medium) could not be loaded: ${(cause as Error).message}`, { cause });
    }
  })();
  return loading;
}

/** How long loading the model took in this process (undefined until it is loaded). */
export function languageModelLoadMs(): number | undefined {
  return loadMs;
}

// ---------------------------------------------------------------------------------------------
// Text preparation: what is not language (links, addresses, order numbers, emoji) is removed first.

const URLS = /(?:https?:\/\/|www\.)[\x21-\x7e]+/giu;
const EMAILS = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu;
// Any Latin token with a digit: order numbers (A1043, #A-7731), times (10h30), quantities (2x). Latin
// letters only, so "订单123在哪里" keeps its Chinese.
const CODES = /[A-Za-z0-9_#/-]*\p{N}[A-Za-z0-9_/-]*/gu;
const HANDLES = /[@#][\p{L}\p{N}_]+/gu;
const TOKENS = /[\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*/gu;

/** Tokens that carry no language: chat noise written the same way in every launch language. */
const NEUTRAL = new Set(
  'ok okay okey oki okk okok k kk kay lol lmao haha hahaha jaja jajaja jeje hehe hihi xd xdd hmm hm mmm mm ah oh eh uh ha wow yay oops ops super top cool bravo wifi email e-mail mail sms app online web link pdf ups dhl fedex gls amazon paypal visa iphone android'.split(
    ' ',
  ),
);

/**
 * Short turns the model cannot judge: greetings, thanks, yes/no, goodbyes. A word in several languages
 * lists them all, so "no" or "si" stay ambiguous instead of becoming a guess.
 */
const WORDS_BY_LANGUAGE: Readonly<Record<string, string>> = {
  en: 'hi hello hey hiya thanks thank you thx ty please pls plz yes yeah yep yup nope bye goodbye cheers sorry help good morning evening afternoon night great fine no',
  es: 'hola gracias muchas mil adiós adios buenas buenos buen día dia días dias tardes noches sí si porfa favor por vale chao hasta luego pronto perdón perdon disculpa disculpe ayuda claro bueno bien muy va ahorita órale saludos de nada no',
  fr: 'bonjour bonsoir salut merci beaucoup mille oui non ouais au revoir bientôt svp stp pardon désolé désolée aide allô allo coucou bonne journée soirée bien très de rien si ça va',
  de: 'hallo servus moin danke schön dankeschön bitte ja nein tschüss tschüs tschau auf wiedersehen guten morgen tag abend hilfe genau doch vielen dank gut alles',
  it: 'ciao buongiorno buonasera grazie mille prego sì si arrivederci presto per favore aiuto salve perfetto va bene certo no non',
  pt: 'olá ola oi obrigado obrigada obg tchau adeus até logo bom boa dia tarde noite sim não nao ajuda valeu beleza por favor de nada tudo bem no',
};
const LEXICON = new Map<string, Set<string>>();
for (const [language, words] of Object.entries(WORDS_BY_LANGUAGE)) {
  for (const word of words.split(' ')) {
    const set = LEXICON.get(word) ?? new Set<string>();
    set.add(language);
    LEXICON.set(word, set);
  }
}

/** Letters only some launch languages write: a text with "ñ" is unlikely to be Italian, "ß" only German. */
const LETTER_LANGUAGES: Readonly<Record<string, string>> = {
  ñ: 'es', '¿': 'es', '¡': 'es', ã: 'pt', õ: 'pt', ß: 'de', ä: 'de', ö: 'de', ü: 'de es fr', œ: 'fr', æ: 'fr', ç: 'fr pt',
  ì: 'it', ò: 'it', ù: 'fr it', è: 'fr it', à: 'fr it pt', â: 'fr pt', ê: 'fr pt', ô: 'fr pt', î: 'fr', û: 'fr', ë: 'fr',
  ï: 'fr', ÿ: 'fr', á: 'es pt', í: 'es pt it', ó: 'es pt it', ú: 'es pt', é: 'es fr it pt',
};
const LETTER_SETS = new Map(Object.entries(LETTER_LANGUAGES).map(([letter, langs]) => [letter, new Set(langs.split(' '))]));
// Mild: names and loanwords ("José", "café") cross languages; the n-gram margin usually dwarfs it.
const FOREIGN_LETTER_PENALTY = 0.93;
// An unsupported language must beat the best supported one by this much before the text is called foreign.
const OTHER_LANGUAGE_RATIO = 1.1;
// Per known word of a short turn, for each language the word belongs to.
const SHORT_WORD_BOOST = 0.1;
// Han-only text: the model must prefer one of Chinese / Japanese by this ratio to be believed.
const HAN_MODEL_RATIO = 0.8;

interface Scripts {
  latin: number;
  kana: number;
  han: number;
  hangul: number;
  other: number;
}

const OTHER_LETTER = /\p{L}/u;

function countScripts(text: string): Scripts {
  const counts: Scripts = { latin: 0, kana: 0, han: 0, hangul: 0, other: 0 };
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) counts.latin++;
    else if (code < 0xc0) continue;
    else if (code <= 0x24f || (code >= 0x1e00 && code <= 0x1eff)) {
      if (code !== 0xd7 && code !== 0xf7) counts.latin++;
    } else if ((code >= 0x3041 && code <= 0x30fa) || (code >= 0x31f0 && code <= 0x31ff) || (code >= 0xff66 && code <= 0xff9d)) counts.kana++;
    else if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0x20000 && code <= 0x3134f)) counts.han++;
    else if ((code >= 0xac00 && code <= 0xd7af) || (code >= 0x1100 && code <= 0x11ff) || (code >= 0x3130 && code <= 0x318f)) counts.hangul++;
    else if (OTHER_LETTER.test(char)) counts.other++;
  }
  return counts;
}

const base = (locale: string) => locale.split('-')[0]?.toLowerCase() ?? locale;

// ---------------------------------------------------------------------------------------------

/**
 * Creates a detector for the given locales. The model loads on the first detection (or `ready()`);
 * until it has loaded, Latin-script text is judged by the word list only.
 */
export function createLanguageDetector(options: LanguageDetectorOptions): LanguageAnalyzer {
  const languages = [...new Set(options.supported.map(base))];
  const supported = new Set(languages);
  const fallback = base(options.fallback ?? languages[0] ?? 'en');

  const result = (language: string, confidence: number, reliable: boolean, evidence: LanguageEvidence, text: string, extra: Partial<LanguageExplanation> = {}): LanguageExplanation => ({
    language,
    locale: confidence > 0 ? regionalVariant(language, text) : language,
    confidence: Math.round(confidence * 1000) / 1000,
    reliable,
    evidence,
    candidates: [],
    ...extra,
  });
  const none = (text: string, other?: string): LanguageExplanation =>
    result(fallback, 0, false, other ? 'other-language' : 'none', text, other ? { other } : {});

  /** A language known by script alone; outside the supported set it is foreign. */
  const byScript = (language: string, confidence: number, reliable: boolean, text: string) =>
    supported.has(language) ? result(language, confidence, reliable, 'script', text) : none(text, language);
  const byModel = (language: string, confidence: number, reliable: boolean, text: string) =>
    supported.has(language) ? result(language, confidence, reliable, 'model', text) : none(text, language);

  function explain(raw: string): LanguageExplanation {
    const text = raw.slice(0, 1000).normalize('NFC');
    const cleaned = text.replace(URLS, ' ').replace(EMAILS, ' ').replace(HANDLES, ' ').replace(CODES, ' ');
    const scripts = countScripts(cleaned);
    const cjk = scripts.kana + scripts.han;
    const letters = scripts.latin + cjk + scripts.hangul + scripts.other;
    if (letters < 2) return none(text);

    // A CJK character carries about as much as a short Latin word, so it counts three letters.
    if (cjk * 3 >= scripts.latin + scripts.other && cjk >= scripts.hangul) {
      if (scripts.kana > 0) return byScript('ja', cjk >= 2 ? 0.97 : 0.5, cjk >= 2, text);
      const evidence = hanEvidence(cleaned);
      if (evidence.japaneseOnly > 0 && evidence.chineseOnly === 0) return byScript('ja', 0.8, scripts.han >= 4, text);
      if (evidence.chineseOnly > 0) return byScript('zh', 0.95, scripts.han >= 2, text);
      // Kanji-only Japanese ("注文番号", "配送状況") looks like Chinese: without a telling character, Chinese is
      // trusted only when the model clearly prefers it over Japanese.
      const scores = engine?.detect(cleaned).getScores();
      const zh = scores?.['zh'] ?? 0;
      const ja = scores?.['ja'] ?? 0;
      // 0.85: enough to open a conversation in Chinese, not to switch one away from Japanese ("返金状況").
      if (zh > 0 && ja <= zh * HAN_MODEL_RATIO) return byModel('zh', 0.85, scripts.han >= 4, text);
      if (ja > 0 && zh <= ja * HAN_MODEL_RATIO) return byModel('ja', 0.7, false, text);
      return byScript('zh', scripts.han >= 4 ? 0.8 : 0.6, false, text);
    }
    if (scripts.hangul * 2 > scripts.latin + scripts.other) return byScript('ko', scripts.hangul >= 2 ? 0.97 : 0.5, scripts.hangul >= 2, text);

    const tokens = (cleaned.toLowerCase().match(TOKENS) ?? []).filter((token) => !NEUTRAL.has(token));
    const wordLetters = tokens.reduce((sum, token) => sum + token.length, 0);
    if (tokens.length === 0 || wordLetters < 2) return none(text);

    // Short turns: the word list decides when it knows every word.
    let allowed: Set<string> | undefined;
    if (tokens.length <= 3 && tokens.every((token) => LEXICON.has(token))) {
      allowed = new Set(languages.filter((language) => tokens.every((token) => LEXICON.get(token)?.has(language))));
      if (allowed.size === 1) {
        const language = [...allowed][0] as string;
        return tokens.length === 1 ? result(language, 0.7, false, 'words', text) : result(language, 0.92, wordLetters >= 6, 'words', text);
      }
      if (allowed.size === 0) allowed = undefined;
    }

    if (!engine) {
      void loadEngine().catch(() => undefined);
      return none(text);
    }
    // In a short turn, the words the list knows ("merci" in "merci ben!") lean the model their way.
    const votes = new Map<string, number>();
    if (tokens.length <= 3) for (const token of tokens) for (const language of LEXICON.get(token) ?? []) votes.set(language, (votes.get(language) ?? 0) + 1);
    const scores = engine.detect(cleaned).getScores();
    const specials = new Set<string>();
    for (const char of cleaned.toLowerCase()) if (LETTER_SETS.has(char)) specials.add(char);
    const candidates: { language: string; score: number }[] = [];
    let other: { language: string; score: number } | undefined;
    for (const [language, score] of Object.entries(scores)) {
      if (!supported.has(language)) {
        if (!other || score > other.score) other = { language, score };
        continue;
      }
      if (allowed && !allowed.has(language)) continue;
      let adjusted = score;
      for (const letter of specials) if (!LETTER_SETS.get(letter)?.has(language)) adjusted *= FOREIGN_LETTER_PENALTY;
      adjusted *= 1 + SHORT_WORD_BOOST * (votes.get(language) ?? 0);
      candidates.push({ language, score: adjusted });
    }
    candidates.sort((a, b) => b.score - a.score);
    const top = candidates[0];
    if (!top) return none(text, other?.language);
    const second = candidates[1]?.score ?? 0;
    // The margin between the two best supported languages, weighed by how many words back it.
    const margin = 1 - second / top.score;
    const weight = tokens.length >= 3 ? 1.5 : tokens.length === 2 ? 1 : 0.6;
    let confidence = 1 - 0.5 * Math.exp(-(margin * weight) / 0.037);
    if (tokens.length === 1) confidence = Math.min(confidence, 0.7);
    if (allowed) confidence = Math.min(confidence, 0.3);
    const rounded = candidates.map((c) => ({ language: c.language, score: Math.round(c.score * 1000) / 1000 }));
    if (other && other.score > top.score * OTHER_LANGUAGE_RATIO) {
      return result(top.language, Math.min(confidence * 0.5, 0.4), false, 'other-language', text, { other: other.language, candidates: rounded });
    }
    const reliable = tokens.length >= 2 && wordLetters >= 6 && confidence >= 0.75 && !allowed;
    return result(top.language, confidence, reliable, 'model', text, { candidates: rounded });
  }

  return {
    explain,
    analyze(text) {
      const { language, locale, confidence, reliable } = explain(text);
      return { language, locale, confidence, reliable };
    },
    detect(text): LanguageGuess | undefined {
      const { language, confidence } = explain(text);
      return confidence > 0 ? { language, confidence } : undefined;
    },
    async ready() {
      await loadEngine();
    },
    get loaded() {
      return engine !== undefined;
    },
  };
}

/** Creates a detector and waits for its model, for start-up code that prefers to pay the load up front. */
export async function loadLanguageDetector(options: LanguageDetectorOptions): Promise<LanguageAnalyzer> {
  const detector = createLanguageDetector(options);
  await detector.ready();
  return detector;
}
