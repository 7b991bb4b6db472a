/**
 * Finds the parts of a text that must come back from translation unchanged: order numbers, SKUs,
 * tracking numbers, URLs, e-mail addresses, phone numbers, glossary terms (brand names) and, in
 * Markdown, code. E-mail addresses and phone numbers are personal data: protected spans are replaced by
 * placeholders before a provider sees the text, so they never leave Meridian.
 */

export type ProtectedKind = 'code' | 'url' | 'email' | 'phone' | 'tracking' | 'order' | 'sku' | 'glossary' | 'literal';

export interface ProtectedSpan {
  start: number;
  end: number;
  kind: ProtectedKind;
}

export interface TermOptions {
  /** Brand and product names that must not be translated; matched case-insensitively as whole words. */
  glossary?: readonly string[];
  /** Protect Markdown code spans and fenced code blocks too. */
  markdown?: boolean;
}

interface Recognizer {
  kind: ProtectedKind;
  pattern: RegExp;
  /** Adjusts or rejects a match; returns the kept [start, end) or undefined. */
  accept?(text: string, start: number, end: number): [number, number] | undefined;
  /** Refines the kind of an accepted match. */
  kindOf?(match: string): ProtectedKind;
}

const URL_TRAILING = /[.,;:!?'"»”’)\]}>]+$/;

const RECOGNIZERS: Recognizer[] = [
  { kind: 'url', pattern: /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/giu, accept: trimUrl },
  {
    kind: 'email',
    pattern: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*\.\p{L}{2,}/gu,
  },
  // UPS 1Z…, S10 (RR123456785DE), SKUs, order numbers: upper-case letters and digits, at least one of each.
  {
    kind: 'sku',
    pattern: /(?<![\p{L}\p{N}_#-])#?(?=[A-Z0-9_-]*\d)(?=[A-Z0-9_-]*[A-Z])[A-Z0-9]+(?:[-_][A-Z0-9]+)*(?![\p{L}\p{N}_-])/gu,
    accept: (text, start, end) => {
      const match = text.slice(start, end).replace(/^#/, '');
      // "A1043", "ORD-1043", "SKU-TSH-42", "1Z999AA10123456784"; not "MP3" or "4K".
      return match.length >= 5 || (match.length >= 4 && /[-_]/.test(match)) ? [start, end] : undefined;
    },
    kindOf: (match) => (/^1Z[0-9A-Z]{16}$/.test(match) || /^[A-Z]{2}\d{9}[A-Z]{2}$/.test(match) ? 'tracking' : /^#?[A-Z]{1,4}-?\d{3,}$/.test(match) ? 'order' : 'sku'),
  },
  // Shopify-style order names: #1043.
  { kind: 'order', pattern: /#\d{3,}(?![\p{L}\p{N}])/gu },
  // Phone numbers, long digit runs (tracking numbers), with the separators people type.
  {
    kind: 'phone',
    pattern: /(?<![\p{L}\p{N}])(?:\+|00)?\(?\d[\d ()./-]*\d\)?(?![\p{L}\p{N}])/gu,
    accept: (text, start, end) => {
      let s = start;
      let e = end;
      // Keep a bracket only when its partner is inside.
      if (text[s] === '(' && !text.slice(s, e).includes(')')) s++;
      if (text[e - 1] === ')' && !text.slice(s, e).includes('(')) e--;
      const match = text.slice(s, e);
      const digits = match.replace(/\D/g, '').length;
      if (digits < 7) return undefined;
      // A date or a time range is not personal data, and a translation engine keeps it anyway.
      if (/^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/.test(match)) return undefined;
      return [s, e];
    },
    kindOf: (match) => (match.replace(/\D/g, '').length > 15 && !/[ ()+]/.test(match) ? 'tracking' : 'phone'),
  },
  // Text that already looks like a placeholder token must come back verbatim too.
  { kind: 'literal', pattern: /\{\s*\d+\s*\}/g },
];

const MARKDOWN_RECOGNIZERS: Recognizer[] = [
  { kind: 'code', pattern: /```[\s\S]*?```|~~~[\s\S]*?~~~/g },
  { kind: 'code', pattern: /`[^`\n]+`/g },
];

function trimUrl(text: string, start: number, end: number): [number, number] | undefined {
  let e = end;
  for (;;) {
    const tail = URL_TRAILING.exec(text.slice(start, e));
    if (!tail) break;
    // Keep a closing bracket that closes one opened inside the URL (Wikipedia-style links).
    const candidate = text.slice(start, e);
    const last = candidate[candidate.length - 1] ?? '';
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    const opener = pairs[last];
    if (opener !== undefined && count(candidate, opener) >= count(candidate, last)) break;
    e--;
  }
  return e - start > 'www.'.length ? [start, e] : undefined;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Letters of scripts that separate words with spaces: a glossary term must not touch one of these. */
const WORD_CHAR = '[\\p{Script=Latin}\\p{Script=Cyrillic}\\p{Script=Greek}\\p{N}_]';
const STARTS_WITH_WORD_CHAR = new RegExp(`^${WORD_CHAR}`, 'u');
const ENDS_WITH_WORD_CHAR = new RegExp(`${WORD_CHAR}$`, 'u');

function glossaryRecognizers(glossary: readonly string[]): Recognizer[] {
  const terms = [...new Set(glossary.map((term) => term.trim()).filter((term) => term !== ''))].sort((a, b) => b.length - a.length);
  if (terms.length === 0) return [];
  const alternatives = terms.map((term) => {
    const before = STARTS_WITH_WORD_CHAR.test(term) ? `(?<!${WORD_CHAR})` : '';
    const after = ENDS_WITH_WORD_CHAR.test(term) ? `(?!${WORD_CHAR})` : '';
    return `${before}${escapeRegExp(term).replace(/\s+/g, '\\s+')}${after}`;
  });
  return [{ kind: 'glossary', pattern: new RegExp(alternatives.join('|'), 'giu') }];
}

/**
 * The protected spans of `text`, sorted and never overlapping. Where candidates overlap, the one that
 * starts first wins, then the longer one, then the earlier recognizer (code, URL, e-mail, ... glossary).
 */
export function findProtectedSpans(text: string, options: TermOptions = {}): ProtectedSpan[] {
  const recognizers = [
    ...(options.markdown ? MARKDOWN_RECOGNIZERS : []),
    ...RECOGNIZERS,
    ...glossaryRecognizers(options.glossary ?? []),
  ];
  const candidates: Array<ProtectedSpan & { rank: number }> = [];
  recognizers.forEach((recognizer, rank) => {
    recognizer.pattern.lastIndex = 0;
    for (const match of text.matchAll(recognizer.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (end === start) continue;
      const kept = recognizer.accept ? recognizer.accept(text, start, end) : ([start, end] as [number, number]);
      if (!kept) continue;
      const kind = recognizer.kindOf ? recognizer.kindOf(text.slice(kept[0], kept[1])) : recognizer.kind;
      candidates.push({ start: kept[0], end: kept[1], kind, rank });
    }
  });
  candidates.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || a.rank - b.rank);
  const spans: ProtectedSpan[] = [];
  let lastEnd = 0;
  for (const candidate of candidates) {
    if (candidate.start < lastEnd) continue;
    spans.push({ start: candidate.start, end: candidate.end, kind: candidate.kind });
    lastEnd = candidate.end;
  }
  return spans;
}
