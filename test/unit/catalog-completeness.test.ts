import { describe, it, expect } from '@jest/globals';
import { LAUNCH_LOCALES } from '../../src/bot.js';
import { catalogs } from '../helpers/bot.js';

/** Every message key exists in every launch language, with the same placeholders. */
describe('locale catalogs are complete', () => {
  const allKeys = new Set<string>();
  // Register variants (key#informal) are optional per language: the plain key is the fallback.
  for (const lang of LAUNCH_LOCALES) for (const key of Object.keys(catalogs.get(lang) ?? {})) if (!key.includes('#')) allKeys.add(key);
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it.each(LAUNCH_LOCALES.map((lang) => [lang]))('%s has every key', (lang) => {
    const catalog = catalogs.get(lang) ?? {};
    const missing = [...allKeys].filter((key) => catalog[key] === undefined && !hasPluralForm(catalog, key));
    expect(missing).toEqual([]);
  });

  it.each(LAUNCH_LOCALES.map((lang) => [lang]))('%s uses the same placeholders as English', (lang) => {
    const en = catalogs.get('en') ?? {};
    const catalog = catalogs.get(lang) ?? {};
    const mismatched = Object.keys(en).filter((key) => catalog[key] !== undefined && placeholders(catalog[key]!).join() !== placeholders(en[key]!).join());
    expect(mismatched).toEqual([]);
  });
});

/** A plural key (items.one) may be absent where the language has no such category (ja, zh have only "other"). */
function hasPluralForm(catalog: Readonly<Record<string, string>>, key: string): boolean {
  const match = /^(.*)\.(zero|one|two|few|many)$/.exec(key);
  return match !== null && catalog[`${match[1]}.other`] !== undefined;
}

describe('regional catalogs', () => {
  it('zh-Hant has every key of zh with the same placeholders', () => {
    const zh = catalogs.get('zh') ?? {};
    const hant = catalogs.get('zh-Hant') ?? {};
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join();
    expect(Object.keys(zh).filter((key) => hant[key] === undefined)).toEqual([]);
    expect(Object.keys(zh).filter((key) => hant[key] !== undefined && placeholders(hant[key]!) !== placeholders(zh[key]!))).toEqual([]);
  });
});
