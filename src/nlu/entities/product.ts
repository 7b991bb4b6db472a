import type { Entity } from '../types.js';
import { PhraseMatcher } from './phrase-matcher.js';
import { foldText, wordClass } from './text.js';

export interface ProductName {
  sku: string;
  /** Names by language: { en: 'Blue linen shirt', es: 'Camisa de lino azul', ja: '青いリネンシャツ' }. */
  names: Readonly<Partial<Record<string, string>>>;
}

export interface ProductMatcher {
  /** Product mentions in any language (case and accents do not matter), longest name first. */
  find(text: string): Entity[];
  /** The same on text already folded with foldText (the extractor folds once for all its matchers). */
  findFolded(text: string, folded: string): Entity[];
}

/**
 * Finds the shop's product names in a message, whatever the language of the message: customers often use
 * the English product name in another language ("quiero devolver el Linen Shirt"). A Latin-script name
 * also matches with a plural -s / -es on its last word ("two blue shirts").
 */
export function productMatcher(products: readonly ProductName[]): ProductMatcher {
  const matcher = new PhraseMatcher<string>();
  for (const product of products) {
    for (const name of Object.values(product.names)) {
      const trimmed = name?.trim();
      if (!trimmed) continue;
      matcher.add(trimmed, product.sku);
      if (wordClass(trimmed[trimmed.length - 1]) === 1 && /[a-z]$/i.test(trimmed)) {
        matcher.add(`${trimmed}s`, product.sku);
        matcher.add(`${trimmed}es`, product.sku);
      }
    }
  }
  const findFolded = (text: string, folded: string): Entity[] =>
    matcher.findAll(folded).map((hit) => ({ type: 'product', text: text.slice(hit.start, hit.end), value: hit.data, start: hit.start, end: hit.end }));
  return { find: (text) => findFolded(text, foldText(text)), findFolded };
}
