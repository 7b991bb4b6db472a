import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AdapterRoute, WebhookRequest, WebhookResponse } from '../../src/core/adapter.js';
import { createTranslator, type Catalogs } from '../../src/i18n/catalog.js';

/**
 * UI strings the browser needs, by the name the widget uses, with the catalog key they come from and
 * an English fallback for keys the catalogs do not have yet (the widget must never show a raw key).
 */
const UI_STRINGS = {
  title: ['webchat.title', 'Customer service'],
  placeholder: ['webchat.placeholder', 'Type your message…'],
  send: ['webchat.send', 'Send'],
  typing: ['webchat.typing', 'Assistant is typing…'],
  language: ['webchat.language', 'Language'],
  automatic: ['webchat.automatic', 'Automatic'],
  reconnecting: ['webchat.reconnecting', 'Reconnecting…'],
  note: ['webchat.note', 'AI assistant · type “agent” for a human'],
  open: ['webchat.open', 'Open chat'],
  close: ['webchat.close', 'Close chat'],
  you: ['webchat.you', 'You'],
  assistant: ['webchat.assistant', 'Assistant'],
  welcome: ['disclosure.ai', "Hi! I'm an AI assistant. Type “agent” at any time to reach a human."],
  error: ['error.generic', 'Sorry, something went wrong. Please try again in a moment.'],
} as const satisfies Record<string, readonly [string, string]>;

export type UiStrings = Record<keyof typeof UI_STRINGS, string>;

export interface LocaleOption {
  code: string;
  /** The language's own name (Deutsch, 日本語), so people find theirs whatever the UI language is. */
  name: string;
  dir: 'ltr' | 'rtl';
}

/** What widget.js needs to render before it has a socket: inlined into the script when it is served. */
export interface WidgetConfig {
  /** The socket path relative to the script's folder, so a reverse proxy prefix keeps working. */
  wsPath: string;
  maxMessageLength: number;
  defaultLocale: string;
  locales: LocaleOption[];
  strings: Record<string, UiStrings>;
}

export interface StringsResult {
  strings: Record<string, UiStrings>;
  /** Catalog keys that fell back to English in at least one locale, for a start-up warning. */
  missing: string[];
}

export function buildStrings(catalogs: Catalogs, locales: readonly string[], defaultLocale: string): StringsResult {
  const strings: Record<string, UiStrings> = {};
  const missing = new Set<string>();
  for (const locale of locales) {
    const t = createTranslator(catalogs, locale, defaultLocale);
    const entry = {} as UiStrings;
    for (const [name, [key, fallback]] of Object.entries(UI_STRINGS) as [keyof UiStrings, readonly [string, string]][]) {
      const value = t(key);
      // The translator answers with the key itself when no catalog in the chain has it.
      if (value === key) missing.add(key);
      entry[name] = value === key ? fallback : value;
    }
    strings[locale] = entry;
  }
  return { strings, missing: [...missing].sort() };
}

const RTL_LANGUAGES = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb']);

export function localeOption(code: string): LocaleOption {
  let name = code;
  try {
    name = new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
  } catch {
    // An unusual tag keeps its code as its name.
  }
  // Autonyms come lower-case in several languages (español, français); a menu entry starts with a capital.
  name = name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
  return { code, name, dir: RTL_LANGUAGES.has(code.split('-')[0] ?? '') ? 'rtl' : 'ltr' };
}

/** JSON that is safe inside a <script> or a JS file: no `</script>`, no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const PUBLIC_DIR = new URL('./public/', import.meta.url);

function readPublic(name: string): string {
  return readFileSync(fileURLToPath(new URL(name, PUBLIC_DIR)), 'utf8');
}

const CONFIG_MARKER = '/*@meridian:config*/null';
const CSS_MARKER = '/*@meridian:css*/""';

// The chat page may be framed by a shop; scripts and sockets only from this server.
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' https: data:",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

interface StaticFile {
  body: string;
  etag: string;
  headers: Record<string, string>;
}

function staticFile(body: string, contentType: string, extra: Record<string, string> = {}): StaticFile {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return {
    body,
    etag,
    headers: {
      'Content-Type': contentType,
      // no-cache = revalidate every time: a deploy shows up at once, and the ETag keeps it cheap.
      'Cache-Control': 'no-cache',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
      ...extra,
    },
  };
}

function serve(file: StaticFile, request: WebhookRequest): WebhookResponse {
  const match = request.headers['if-none-match'];
  if (match !== undefined && match.split(',').some((tag) => tag.trim() === file.etag)) {
    return { status: 304, headers: { ETag: file.etag, 'Cache-Control': 'no-cache' } };
  }
  return { status: 200, headers: file.headers, body: file.body };
}

/** Reads the browser files once and returns the routes that serve them (page, widget script, CSS). */
export function webchatRoutes(config: WidgetConfig): AdapterRoute[] {
  const css = readPublic('webchat.css');
  const script = readPublic('widget.js');
  if (!script.includes(CONFIG_MARKER) || !script.includes(CSS_MARKER)) {
    throw new Error('adapters/webchat/public/widget.js lost its config or CSS marker');
  }
  // The widget is embedded in other sites' pages, so it carries its config and styles: one request, no CORS.
  const widget = script.replace(CONFIG_MARKER, () => scriptJson(config)).replace(CSS_MARKER, () => scriptJson(css));
  const files = {
    page: staticFile(readPublic('index.html'), 'text/html; charset=utf-8', { 'Content-Security-Policy': PAGE_CSP, 'Referrer-Policy': 'no-referrer' }),
    widget: staticFile(widget, 'text/javascript; charset=utf-8', { 'Access-Control-Allow-Origin': '*' }),
    css: staticFile(css, 'text/css; charset=utf-8', { 'Access-Control-Allow-Origin': '*' }),
  };
  return [
    { method: 'GET', path: '/', handle: (request) => serve(files.page, request) },
    { method: 'GET', path: '/widget.js', handle: (request) => serve(files.widget, request) },
    { method: 'GET', path: '/webchat.css', handle: (request) => serve(files.css, request) },
  ];
}
