/**
 * Meridian locales ('en', 'pt-BR', 'zh-Hant', 'es-MX'...) to each provider's language codes and back.
 */
import { MeridianError } from '../core/errors.js';

/** Parses a BCP 47 tag; a bad one is the caller's mistake. */
export function parseLocale(tag: string, field = 'language'): Intl.Locale {
  try {
    return new Intl.Locale(tag.trim().replace(/_/g, '-'));
  } catch (error) {
    throw new MeridianError('invalid_request', `${field} "${tag}" is not a language tag like "de" or "pt-BR"`, { status: 400, cause: error });
  }
}

/** Regions whose English is British rather than American spelling. */
const BRITISH_ENGLISH_REGIONS = new Set([
  'GB', 'UK', 'IE', 'AU', 'NZ', 'ZA', 'IN', 'SG', 'HK', 'MT', 'CY', 'GI', 'IM', 'JE', 'GG', 'KE', 'NG', 'PK', 'MY', 'LK', 'BD',
]);

/** Overrides for a bare language tag, e.g. `{ pt: 'PT-PT', en: 'EN-GB' }` for a shop in Lisbon or London. */
export interface DeepLTargetVariants {
  en?: 'EN-US' | 'EN-GB';
  pt?: 'PT-BR' | 'PT-PT';
  es?: 'ES' | 'ES-419';
  zh?: 'ZH-HANS' | 'ZH-HANT';
}

/**
 * DeepL target_lang. DeepL wants a variant for English and Portuguese (plain EN/PT are deprecated) and
 * offers ZH-HANS/ZH-HANT and ES-419: the region or script of the tag picks it; a bare tag takes the
 * likeliest one (en → EN-US, pt → PT-BR, zh → ZH-HANS, es → ES) unless `variants` says otherwise.
 */
export function deeplTargetLang(tag: string, variants: DeepLTargetVariants = {}): string {
  const locale = parseLocale(tag, 'target language');
  const bare = locale.region === undefined && locale.script === undefined;
  const max = locale.maximize();
  switch (locale.language) {
    case 'en':
      if (bare && variants.en) return variants.en;
      return BRITISH_ENGLISH_REGIONS.has(max.region ?? '') ? 'EN-GB' : 'EN-US';
    case 'pt':
      if (bare && variants.pt) return variants.pt;
      return (max.region ?? 'BR') === 'BR' ? 'PT-BR' : 'PT-PT';
    case 'zh':
      if (bare && variants.zh) return variants.zh;
      return max.script === 'Hant' ? 'ZH-HANT' : 'ZH-HANS';
    case 'es':
      if (bare && variants.es) return variants.es;
      return locale.region === undefined || locale.region === 'ES' || locale.region === 'GQ' ? 'ES' : 'ES-419';
    default:
      return locale.language.toUpperCase();
  }
}

/** DeepL source_lang: the base language only (variants are target-only). */
export function deeplSourceLang(tag: string): string {
  return parseLocale(tag, 'source language').language.toUpperCase();
}

/**
 * LibreTranslate language code. Simplified Chinese is sent as 'zh' (every version knows it; newer ones
 * alias it to zh-Hans), Traditional as 'zh-Hant'; Portuguese as 'pt' (a 'pt-BR' model is optional there).
 */
export function libreTranslateLang(tag: string): string {
  const locale = parseLocale(tag);
  if (locale.language === 'zh') return locale.maximize().script === 'Hant' ? 'zh-Hant' : 'zh';
  return locale.language;
}

const displayNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** "Traditional Chinese (zh-Hant)", for a prompt. */
export function describeLanguage(tag: string): string {
  const locale = parseLocale(tag);
  const canonical = locale.toString();
  let name: string | undefined;
  try {
    name = displayNames.of(canonical);
  } catch {
    name = undefined;
  }
  return name && name !== canonical ? `${name} (${canonical})` : canonical;
}

/** A provider's language code ('EN', 'zh-Hans', 'pt-BR') as a Meridian locale ('en', 'zh-Hans', 'pt-BR'). */
export function fromProviderLanguage(code: unknown): string | undefined {
  if (typeof code !== 'string' || code.trim() === '') return undefined;
  try {
    const [canonical] = Intl.getCanonicalLocales(code.trim().replace(/_/g, '-'));
    return canonical;
  } catch {
    return undefined;
  }
}

/** True when translating `from` into `to` would change nothing (same language; Chinese scripts differ). */
export function sameLanguage(from: string, to: string): boolean {
  const a = parseLocale(from, 'source language');
  const b = parseLocale(to, 'target language');
  if (a.language !== b.language) return false;
  if (a.language === 'zh') return a.maximize().script === b.maximize().script;
  return true;
}
