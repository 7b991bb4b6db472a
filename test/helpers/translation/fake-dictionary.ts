/**
 * The deterministic "engine" behind the fake translation servers: a small word map from English to the
 * seven other launch languages (and back through English), applied word by word. Words it does not
 * know stay as they are, so order numbers, placeholders (`{1}`, `<x id="1"/>`), URLs and punctuation
 * pass through untouched, which is what tests need to check term protection. Capitalisation of a word's
 * first letter is kept.
 */

export type FakeLanguage = 'en' | 'de' | 'fr' | 'es' | 'it' | 'pt' | 'ja' | 'zh';
export const FAKE_LANGUAGES: readonly FakeLanguage[] = ['en', 'de', 'fr', 'es', 'it', 'pt', 'ja', 'zh'];

type Row = [en: string, de: string, fr: string, es: string, it: string, pt: string, ja: string, zh: string];

// prettier-ignore
const ROWS: Row[] = [
  ['hello', 'hallo', 'bonjour', 'hola', 'ciao', 'olá', 'こんにちは', '你好'],
  ['your', 'ihre', 'votre', 'su', 'tuo', 'seu', 'あなたの', '你的'],
  ['order', 'bestellung', 'commande', 'pedido', 'ordine', 'encomenda', '注文', '订单'],
  ['has', 'hat', 'a', 'ha', 'ha', 'tem', 'が', '已'],
  ['shipped', 'versandt', 'expédiée', 'enviado', 'spedito', 'enviada', '発送済み', '发货'],
  ['thank', 'danke', 'merci', 'gracias', 'grazie', 'obrigado', 'ありがとう', '谢谢'],
  ['you', 'sie', 'vous', 'usted', 'lei', 'você', 'あなた', '你'],
  ['please', 'bitte', 'veuillez', 'favor', 'prego', 'favor', 'ください', '请'],
  ['track', 'verfolgen', 'suivre', 'rastrear', 'tracciare', 'rastrear', '追跡', '跟踪'],
  ['here', 'hier', 'ici', 'aquí', 'qui', 'aqui', 'ここ', '这里'],
  ['is', 'ist', 'est', 'está', 'è', 'está', 'です', '是'],
  ['package', 'paket', 'colis', 'paquete', 'pacco', 'pacote', '荷物', '包裹'],
  ['delivered', 'zugestellt', 'livré', 'entregado', 'consegnato', 'entregue', '配達済み', '已送达'],
  ['return', 'rücksendung', 'retour', 'devolución', 'reso', 'devolução', '返品', '退货'],
  ['contact', 'kontaktieren', 'contacter', 'contactar', 'contattare', 'contatar', '連絡', '联系'],
  ['us', 'uns', 'nous', 'nosotros', 'noi', 'nós', '私たち', '我们'],
  ['at', 'unter', 'à', 'en', 'presso', 'em', 'で', '在'],
  ['visit', 'besuchen', 'visitez', 'visite', 'visita', 'visitar', '訪問', '访问'],
  ['for', 'für', 'pour', 'para', 'per', 'por', 'ために', '为'],
  ['and', 'und', 'et', 'y', 'e', 'e', 'と', '和'],
  ['my', 'meine', 'ma', 'mi', 'mio', 'meu', '私の', '我的'],
  ['where', 'wo', 'où', 'dónde', 'dove', 'onde', 'どこ', '哪里'],
  ['new', 'neu', 'nouveau', 'nuevo', 'nuovo', 'novo', '新しい', '新'],
  ['today', 'heute', "aujourd'hui", 'hoy', 'oggi', 'hoje', '今日', '今天'],
  ['help', 'hilfe', 'aide', 'ayuda', 'aiuto', 'ajuda', '助け', '帮助'],
  ['call', 'anrufen', 'appeler', 'llamar', 'chiamare', 'ligar', '電話', '打电话'],
  ['link', 'verknüpfung', 'lien', 'enlace', 'collegamento', 'ligação', 'リンク', '链接'],
  ['size', 'größe', 'taille', 'talla', 'taglia', 'tamanho', 'サイズ', '尺码'],
  ['good', 'gut', 'bon', 'bueno', 'buono', 'bom', '良い', '好'],
  ['morning', 'morgen', 'matin', 'mañana', 'mattina', 'manhã', '朝', '早上'],
  ['shoes', 'schuhe', 'chaussures', 'zapatos', 'scarpe', 'sapatos', '靴', '鞋'],
];

const COLUMN: Record<FakeLanguage, number> = { en: 0, de: 1, fr: 2, es: 3, it: 4, pt: 5, ja: 6, zh: 7 };

/** english word -> row */
const BY_ENGLISH = new Map(ROWS.map((row) => [row[0], row]));
/** language -> word in that language -> english word (the first row wins) */
const TO_ENGLISH = new Map<FakeLanguage, Map<string, string>>(
  FAKE_LANGUAGES.map((language) => {
    const map = new Map<string, string>();
    for (const row of ROWS) {
      const word = row[COLUMN[language]] ?? row[0];
      if (!map.has(word)) map.set(word, row[0]);
    }
    return [language, map];
  }),
);

/** The fake's base language for a provider code: 'EN-GB' -> 'en', 'zh-Hant' -> 'zh', 'zt' -> 'zh'; undefined if unknown. */
export function fakeLanguage(code: string): FakeLanguage | undefined {
  const base = code.toLowerCase().split(/[-_]/)[0] ?? '';
  if (base === 'zt') return 'zh';
  if (base === 'pb') return 'pt';
  return (FAKE_LANGUAGES as readonly string[]).includes(base) ? (base as FakeLanguage) : undefined;
}

const WORD = /[\p{L}\p{M}]+(?:'[\p{L}\p{M}]+)?/gu;

/** Script first (kana: ja, Han: zh), then the language whose words the text uses most; English on a tie. */
export function fakeDetect(text: string): FakeLanguage {
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return 'ja';
  if (/\p{Script=Han}/u.test(text)) return 'zh';
  const words = (text.match(WORD) ?? []).map((word) => word.toLowerCase());
  let best: FakeLanguage = 'en';
  let bestScore = 0;
  for (const language of FAKE_LANGUAGES) {
    const lexicon = TO_ENGLISH.get(language);
    const score = words.filter((word) => lexicon?.has(word)).length;
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}

/** Word-by-word translation of plain text. */
export function fakeTranslate(text: string, from: FakeLanguage, to: FakeLanguage): string {
  if (from === to) return text;
  const fromLexicon = TO_ENGLISH.get(from);
  return text.replace(WORD, (word) => {
    const lower = word.toLowerCase();
    const english = from === 'en' ? (BY_ENGLISH.has(lower) ? lower : undefined) : fromLexicon?.get(lower);
    if (english === undefined) return word;
    const row = BY_ENGLISH.get(english);
    const translated = row ? row[COLUMN[to]] : undefined;
    if (translated === undefined) return word;
    const first = word[0] ?? '';
    return first !== first.toLowerCase() ? translated.charAt(0).toUpperCase() + translated.slice(1) : translated;
  });
}
