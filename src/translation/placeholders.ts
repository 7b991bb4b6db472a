/**
 * Masking: protected spans become numbered placeholders in the provider's syntax, and come back from
 * the translation as the original text. A translation that lost, duplicated or invented a placeholder
 * is rejected (undefined), so the caller can keep the original text for that string.
 */
import type { PlaceholderSyntaxName } from './provider.js';
import type { ProtectedKind, ProtectedSpan } from './terms.js';

export interface PlaceholderSyntax {
  readonly name: PlaceholderSyntaxName;
  token(id: number): string;
  /** Finds tokens in a provider's answer; capture group `id`. Tolerates what engines do to them. */
  readonly pattern: RegExp;
  /** Escapes the translatable text around tokens (XML) and undoes it in the answer. */
  escape(text: string): string;
  unescape(text: string): string;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export const XML_SYNTAX: PlaceholderSyntax = {
  name: 'xml',
  token: (id) => `<x id="${id}"/>`,
  // <x id="3"/>, <x id='3' />, and the <x id="3"></x> form an XML engine may write back.
  pattern: /<x\s+id\s*=\s*(["'])(?<id>\d+)\1\s*(?:\/>|>\s*<\/x\s*>)/g,
  escape: (text) => text.replace(/[&<>]/g, (char) => XML_ESCAPES[char] ?? char),
  unescape: (text) =>
    text.replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g, (whole, dec?: string, hex?: string, name?: string) => {
      if (dec !== undefined) return safeCodePoint(Number(dec)) ?? whole;
      if (hex !== undefined) return safeCodePoint(parseInt(hex, 16)) ?? whole;
      return (name !== undefined ? XML_ENTITIES[name] : undefined) ?? whole;
    }),
};

export const CURLY_SYNTAX: PlaceholderSyntax = {
  name: 'curly',
  token: (id) => `{${id}}`,
  pattern: /\{\s*(?<id>\d+)\s*\}/g,
  escape: (text) => text,
  unescape: (text) => text,
};

export function placeholderSyntax(name: PlaceholderSyntaxName): PlaceholderSyntax {
  return name === 'xml' ? XML_SYNTAX : CURLY_SYNTAX;
}

function safeCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

export interface MaskedText {
  /** What the provider gets. */
  masked: string;
  /** The original text of placeholder n at index n - 1. */
  values: string[];
  kinds: ProtectedKind[];
  /** False when nothing but placeholders, digits, punctuation and space is left: no provider call needed. */
  translatable: boolean;
}

export function mask(text: string, spans: readonly ProtectedSpan[], syntax: PlaceholderSyntax): MaskedText {
  const values: string[] = [];
  const kinds: ProtectedKind[] = [];
  let masked = '';
  let plain = '';
  let cursor = 0;
  for (const span of spans) {
    const between = text.slice(cursor, span.start);
    masked += syntax.escape(between);
    plain += between;
    values.push(text.slice(span.start, span.end));
    kinds.push(span.kind);
    masked += syntax.token(values.length);
    cursor = span.end;
  }
  const rest = text.slice(cursor);
  masked += syntax.escape(rest);
  plain += rest;
  return { masked, values, kinds, translatable: /\p{L}/u.test(plain) };
}

/** The translation with every placeholder replaced by its original text, or undefined if any went missing. */
export function unmask(translated: string, masked: MaskedText, syntax: PlaceholderSyntax): string | undefined {
  const seen = new Array<number>(masked.values.length).fill(0);
  let out = '';
  let cursor = 0;
  syntax.pattern.lastIndex = 0;
  for (const match of translated.matchAll(syntax.pattern)) {
    const id = Number(match.groups?.['id']);
    const value = masked.values[id - 1];
    if (value === undefined) return undefined;
    seen[id - 1] = (seen[id - 1] ?? 0) + 1;
    out += syntax.unescape(translated.slice(cursor, match.index)) + value;
    cursor = match.index + match[0].length;
  }
  out += syntax.unescape(translated.slice(cursor));
  return seen.every((n) => n === 1) ? out : undefined;
}
