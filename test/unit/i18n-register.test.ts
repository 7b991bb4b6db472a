import { describe, it, expect } from '@jest/globals';
import { createTranslator, type Catalog } from '../../src/i18n/catalog.js';

const catalogs = new Map<string, Catalog>([
  ['en', { help: 'How can I help you?', 'items.one': 'one item', 'items.other': '{count} items' }],
  [
    'de',
    {
      help: 'Wie kann ich Ihnen helfen?',
      'help#informal': 'Wie kann ich dir helfen?',
      'items.one': 'ein Artikel',
      'items.other': '{count} Artikel',
      'items.other#informal': '{count} Teile',
      bye: 'Auf Wiedersehen!',
    },
  ],
  ['de-AT', { help: 'Wie kann ich Ihnen behilflich sein?' }],
  ['ja', { help: 'どのようなご用件でしょうか？', 'help#informal': 'どうしたの？', 'help#formal': 'ご用件をお伺いいたします。' }],
]);

describe('createTranslator: register', () => {
  it('keeps the three-argument signature and the formal default', () => {
    expect(createTranslator(catalogs, 'de', 'en')('help')).toBe('Wie kann ich Ihnen helfen?');
    expect(createTranslator(catalogs, 'de')('help')).toBe('Wie kann ich Ihnen helfen?');
  });

  it('prefers the #informal variant when asked', () => {
    const t = createTranslator(catalogs, 'de', 'en', { register: 'informal' });
    expect(t('help')).toBe('Wie kann ich dir helfen?');
    expect(t('bye')).toBe('Auf Wiedersehen!'); // no variant: the plain key
    expect(t('items', { count: 3 })).toBe('3 Teile');
    expect(t('items', { count: 1 })).toBe('ein Artikel');
  });

  it('prefers the #formal variant when asked and one exists', () => {
    expect(createTranslator(catalogs, 'ja', 'en', { register: 'formal' })('help')).toBe('ご用件をお伺いいたします。');
    expect(createTranslator(catalogs, 'de', 'en', { register: 'formal' })('help')).toBe('Wie kann ich Ihnen helfen?');
  });

  it('lets a more specific locale win over a register variant of its parent', () => {
    expect(createTranslator(catalogs, 'de-AT', 'en', { register: 'informal' })('help')).toBe('Wie kann ich Ihnen behilflich sein?');
    expect(createTranslator(catalogs, 'de-AT', 'en', { register: 'informal' })('bye')).toBe('Auf Wiedersehen!');
  });

  it('falls back to English, and to the key, as before', () => {
    const t = createTranslator(catalogs, 'fr', 'en', { register: 'informal' });
    expect(t('help')).toBe('How can I help you?');
    expect(t('missing.key')).toBe('missing.key');
  });
});
