import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { MeridianError } from '../core/errors.js';

export type Catalog = Readonly<Record<string, string>>;
export type Catalogs = ReadonlyMap<string, Catalog>;
export type Vars = Readonly<Record<string, string | number>>;
export type Translate = (key: string, vars?: Vars) => string;

/**
 * Reads every locales/<lang>/*.json (messages.json, and one file per area such as dialogs.json) into
 * one flat catalog per language. A broken file names itself; a key defined twice is an error.
 * Subfolders (locales/<lang>/nlu/) hold training data, not messages.
 */
export function loadCatalogs(localesDir: string): Map<string, Catalog> {
  const catalogs = new Map<string, Catalog>();
  if (!existsSync(localesDir)) return catalogs;
  for (const lang of readdirSync(localesDir, { withFileTypes: true })) {
    if (!lang.isDirectory()) continue;
    const merged: Record<string, string> = {};
    const origin = new Map<string, string>();
    const files = readdirSync(join(localesDir, lang.name), { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => join(localesDir, lang.name, entry.name))
      .sort();
    for (const file of files) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (cause) {
        throw new MeridianError('config_invalid', `${file} is not valid JSON: ${(cause as Error).message}`, { cause });
      }
      for (const [key, value] of Object.entries(flatten(parsed, file))) {
        const first = origin.get(key);
        if (first !== undefined) throw new MeridianError('config_invalid', `message key "${key}" is defined in both ${first} and ${file}`);
        origin.set(key, file);
        merged[key] = value;
      }
    }
    if (files.length > 0) catalogs.set(lang.name, merged);
  }
  return catalogs;
}

function flatten(value: unknown, file: string, prefix = '', into: Record<string, string> = {}): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MeridianError('config_invalid', `${file}: "${prefix || '(root)'}" must be an object of strings`);
  }
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'string') into[path] = child;
    else flatten(child, file, path, into);
  }
  return into;
}

/** es-MX -> es -> (default) -> en: the chain a missing key falls back along. */
export function fallbackChain(locale: string, defaultLocale = 'en'): string[] {
  const chain: string[] = [];
  const parts = locale.split('-');
  for (let i = parts.length; i > 0; i--) chain.push(parts.slice(0, i).join('-'));
  for (const extra of [defaultLocale, 'en']) if (!chain.includes(extra)) chain.push(extra);
  return chain;
}

const pluralRulesCache = new Map<string, Intl.PluralRules>();
function pluralCategory(locale: string, count: number): string {
  let rules = pluralRulesCache.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    pluralRulesCache.set(locale, rules);
  }
  return rules.select(count);
}

export type Register = 'formal' | 'informal';

export interface TranslatorOptions {
  /**
   * Tone of address. When set, `<key>#informal` (or `#formal`) wins over `<key>` in the same catalog, so
   * a shop can speak "du"/"tu"/casual Japanese where its customers expect it. The plain keys are the
   * formal default where the culture expects it (Sie, vous, polite Japanese).
   */
  register?: Register;
}

/**
 * A translate function for one locale. `{name}` placeholders are filled from vars; when vars.count is a
 * number, `key.<CLDR plural category>` is preferred over `key` (e.g. messages.one / messages.other).
 * With a register, `key#informal` beats `key` within each catalog of the chain; a more specific locale
 * still beats a register variant of a less specific one (zh-Hant's `key` over zh's `key#informal`).
 */
export function createTranslator(catalogs: Catalogs, locale: string, defaultLocale = 'en', options: TranslatorOptions = {}): Translate {
  const chain = fallbackChain(locale, defaultLocale)
    .map((lang) => catalogs.get(lang))
    .filter((catalog): catalog is Catalog => catalog !== undefined);
  const suffix = options.register ? `#${options.register}` : undefined;
  const lookup = (key: string): string | undefined => {
    for (const catalog of chain) {
      const found = (suffix === undefined ? undefined : catalog[key + suffix]) ?? catalog[key];
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return (key, vars) => {
    let template: string | undefined;
    if (vars && typeof vars['count'] === 'number') template = lookup(`${key}.${pluralCategory(locale, vars['count'])}`) ?? lookup(`${key}.other`);
    template ??= lookup(key);
    if (template === undefined) return key;
    if (!vars) return template;
    return template.replace(/\{(\w+)\}/g, (match, name: string) => (vars[name] === undefined ? match : String(vars[name])));
  };
}
