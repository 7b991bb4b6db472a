/** Picks the best supported locale for a requested one: es-MX -> es-MX if supported, else es. */
export function matchLocale(requested: string | undefined | null, supported: readonly string[]): string | undefined {
  if (!requested) return undefined;
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(requested.replace('_', '-'))[0] ?? '';
  } catch {
    return undefined;
  }
  if (supported.includes(canonical)) return canonical;
  const language = canonical.split('-')[0] ?? '';
  return supported.includes(language) ? language : undefined;
}

/** Parses an Accept-Language header into locales, best first. */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: (tag ?? '').trim(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.tag !== '' && entry.tag !== '*' && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q)
    .map((entry) => entry.tag);
}

export interface LanguageGuess {
  language: string;
  /** 0..1; only confident guesses may change a conversation's language. */
  confidence: number;
}

/** Detects a message's language. The default only reads scripts; the NLU module plugs a real model in. */
export interface LanguageDetector {
  detect(text: string): LanguageGuess | undefined;
}

const KANA = /[\u3040-\u30ff]/;
const HAN = /[\u4e00-\u9fff]/;
const LETTERS = /\p{L}/gu;

/** Script rules: kana means Japanese, Han without kana means Chinese. Latin text stays undecided. */
export const scriptLanguageDetector: LanguageDetector = {
  detect(text) {
    const letters = text.match(LETTERS)?.length ?? 0;
    if (letters < 2) return undefined;
    if (KANA.test(text)) return { language: 'ja', confidence: 0.95 };
    if (HAN.test(text)) return { language: 'zh', confidence: 0.9 };
    return undefined;
  },
};
