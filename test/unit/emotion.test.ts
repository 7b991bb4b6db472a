import { describe, it, expect } from '@jest/globals';
import { createEmotionAnalyzer, loadEmotionLexicons, type EmotionLexicon } from '../../src/nlu/emotion.js';

const LANGS = ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh'] as const;
const lexicons = loadEmotionLexicons();
const analyzer = createEmotionAnalyzer(lexicons);
const analyze = (text: string, lang: string) => analyzer.analyze(text, lang);

describe('emotion lexicons', () => {
  it.each(LANGS.map((l) => [l]))('%s has every cue category', (lang) => {
    const lexicon = lexicons[lang] as EmotionLexicon;
    for (const key of ['negative', 'positive', 'anger', 'urgency', 'indirect', 'repeat', 'threat', 'intensifiers', 'downtoners'] as const) {
      expect(Object.keys(lexicon[key] ?? {}).length).toBeGreaterThanOrEqual(5);
    }
    expect((lexicon.negators ?? []).length + (lexicon.negatorsAfter ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a weight outside 0..1', () => {
    expect(() => createEmotionAnalyzer({ en: { anger: { rude: 3 } } })).toThrow(/anger\."rude" must be a number from 0 to 1/);
    expect(() => createEmotionAnalyzer({ en: { negators: 'not' as unknown as string[] } })).toThrow(/"negators" must be a list of strings/);
  });
});

describe('calm messages stay calm', () => {
  it.each([
    ['en', 'Hi, where is my order A1043?'],
    ['es', 'Hola, ¿cuándo llega mi pedido?'],
    ['fr', 'Bonjour, je voudrais changer la taille de ma robe.'],
    ['de', 'Guten Morgen, wann kommt mein Paket an?'],
    ['ja', '注文した商品の配送状況を教えてください。'],
    ['it', 'Buongiorno, posso cambiare il colore della maglietta?'],
    ['pt', 'Olá, qual é o prazo de entrega para Lisboa?'],
    ['zh', '你好，请问这件衣服有M码吗？'],
  ])('%s: %s', (lang, text) => {
    const result = analyze(text, lang);
    expect(result.frustration).toBeLessThan(0.3);
    expect(result.anger).toBeLessThan(0.3);
    expect(result.urgency).toBeLessThan(0.4);
    expect(result.sentiment).toBeGreaterThanOrEqual(-0.2);
  });
});

describe('happy messages', () => {
  it.each([
    ['en', 'Thank you so much, the dress is perfect!'],
    ['es', 'Muchas gracias, me encanta el vestido'],
    ['fr', 'Merci beaucoup, je suis ravie de ma commande'],
    ['de', 'Vielen Dank, ich bin sehr zufrieden'],
    ['ja', 'とても満足しています。ありがとうございます'],
    ['it', 'Grazie mille, è tutto perfetto'],
    ['pt', 'Muito obrigada, adorei o vestido'],
    ['zh', '非常满意，谢谢你们'],
  ])('%s: %s', (lang, text) => {
    const result = analyze(text, lang);
    expect(result.sentiment).toBeGreaterThan(0.5);
    expect(result.frustration).toBe(0);
  });
});

describe('frustration', () => {
  it.each([
    ['en', 'I am very disappointed with this jacket'],
    ['es', 'Estoy muy decepcionada con la chaqueta'],
    ['fr', 'Je suis très déçu par cette veste'],
    ['de', 'Ich bin total enttäuscht von der Jacke'],
    ['ja', 'このジャケットには本当にがっかりしました'],
    ['it', 'Sono molto deluso da questa giacca'],
    ['pt', 'Estou muito decepcionado com a jaqueta'],
    ['zh', '这件外套让我非常失望'],
  ])('%s: %s', (lang, text) => {
    const result = analyze(text, lang);
    expect(result.frustration).toBeGreaterThanOrEqual(0.6);
    expect(result.sentiment).toBeLessThan(-0.4);
    expect(result.signals.some((s) => s.startsWith('intensifier:'))).toBe(true);
  });

  it.each([
    ['en', "I'm not happy with the fabric", 'happy'],
    ['es', 'No estoy contento con la tela', 'contento'],
    ['fr', 'Je ne suis pas content du tissu', 'content'],
    ['de', 'Ich bin mit dem Stoff nicht zufrieden', 'zufrieden'],
    ['ja', 'この生地は全然嬉しくないです', '嬉し'],
    ['it', 'Non sono soddisfatta del tessuto', 'soddisfatta'],
    ['pt', 'Não estou satisfeito com o tecido', 'satisfeito'],
    ['zh', '我对面料不太满意', '满意'],
  ])('%s: negation turns "%s" into a complaint', (lang, text, word) => {
    const result = analyze(text, lang);
    expect(result.signals).toContain(`negated:${word}`);
    expect(result.frustration).toBeGreaterThanOrEqual(0.4);
    expect(result.sentiment).toBeLessThan(0);
  });

  it.each([
    ['en', 'The colour is a bit disappointing, to be honest.'],
    ['es', 'El color es un poco decepcionante, la verdad.'],
    ['fr', "La couleur est un peu décevante, pas ce que j'attendais."],
    ['de', 'Die Farbe ist etwas enttäuschend, ehrlich gesagt.'],
    ['ja', '色がちょっと残念でした。'],
    ['it', 'Il colore è un po\' deludente, sinceramente.'],
    ['pt', 'A cor é um pouco decepcionante, para ser sincero.'],
    ['zh', '颜色有点失望，说实话。'],
  ])('%s: an indirect complaint counts: %s', (lang, text) => {
    const result = analyze(text, lang);
    expect(result.frustration).toBeGreaterThanOrEqual(0.35);
    expect(result.sentiment).toBeLessThan(0);
    expect(result.anger).toBeLessThan(0.3);
  });

  it.each([
    ['en', 'This is the third time I write about this'],
    ['es', 'Ya es la tercera vez que escribo por esto'],
    ['fr', "C'est la troisième fois que je vous écris"],
    ['de', 'Ich schreibe Ihnen schon zum dritten Mal'],
    ['ja', '問い合わせるのはこれで三回目です'],
    ['it', 'È la terza volta che vi scrivo'],
    ['pt', 'É a terceira vez que escrevo'],
    ['zh', '这是我第三次联系你们了'],
    ['en', 'I have written 4 times already'],
    ['zh', '我已经第4次问了'],
  ])('%s: repeated contact: %s', (lang, text) => {
    const result = analyze(text, lang);
    expect(result.signals.some((s) => s.startsWith('repeat:'))).toBe(true);
    expect(result.frustration).toBeGreaterThanOrEqual(0.55);
  });

  it('does not take a plain count for a repeated contact', () => {
    expect(analyze('我下了2次单', 'zh').signals.some((s) => s.startsWith('repeat:'))).toBe(false);
    expect(analyze('I ordered 2 shirts', 'en').signals).toEqual([]);
  });
});

describe('anger', () => {
  it.each([
    ['en', 'This is ridiculous, you are a scam'],
    ['es', 'Esto es una vergüenza, sois unos estafadores'],
    ['fr', "C'est scandaleux, une vraie arnaque"],
    ['de', 'Das ist eine Frechheit, reine Abzocke'],
    ['ja', 'ふざけないでください、詐欺ですか'],
    ['it', 'È una vergogna, siete dei truffatori'],
    ['pt', 'Que palhaçada, isso é golpe'],
    ['zh', '太过分了，你们就是骗子'],
  ])('%s: %s', (lang, text) => {
    const result = analyze(text, lang);
    expect(result.anger).toBeGreaterThanOrEqual(0.7);
    expect(result.sentiment).toBeLessThan(-0.6);
  });

  it('hears shouting, repeated punctuation and emoji', () => {
    const calm = analyze('where is my refund', 'en');
    const loud = analyze('WHERE IS MY REFUND!!! 😡', 'en');
    expect(loud.signals).toEqual(expect.arrayContaining(['caps', 'exclamations', 'emoji:😡']));
    expect(loud.anger).toBeGreaterThanOrEqual(0.7);
    expect(calm.anger).toBe(0);
    expect(analyze('¿¿¿Dónde está mi pedido???', 'es').signals).toContain('repeated_question');
    expect(analyze('まだですか！！！', 'ja').signals).toContain('exclamations');
    expect(analyze('Danke 😊👍', 'de').sentiment).toBeGreaterThan(0.5);
    // Acronyms and order numbers are not shouting.
    expect(analyze('My UPS parcel A1043 from the EU is OK', 'en').signals).not.toContain('caps');
  });

  it.each([
    ['en', 'If you do not refund me I will do a chargeback and never order again'],
    ['es', 'Si no me devolvéis el dinero haré un contracargo'],
    ['fr', 'Je vais faire opposition bancaire, plus jamais chez vous'],
    ['de', 'Ich mache eine Rückbuchung und bestelle nie wieder'],
    ['ja', '返金がなければチャージバックします。二度と買いません'],
    ['it', 'Aprirò una controversia PayPal, mai più'],
    ['pt', 'Vou contestar a compra no cartão, nunca mais compro'],
    ['zh', '不退款我就拒付，再也不买了'],
  ])('%s: a threat to leave or charge back: %s', (lang, text) => {
    const result = analyze(text, lang);
    expect(result.signals.some((s) => s.startsWith('threat:'))).toBe(true);
    expect(result.anger).toBeGreaterThanOrEqual(0.5);
    expect(result.frustration).toBeGreaterThanOrEqual(0.7);
  });
});

describe('urgency', () => {
  it.each([
    ['en', 'I need it asap, it is for a wedding on Saturday'],
    ['es', 'Es urgente, lo necesito para una boda'],
    ['fr', "C'est urgent, j'en ai besoin pour un mariage"],
    ['de', 'Es ist dringend, ich brauche es bis Freitag'],
    ['ja', '至急送ってください、結婚式に間に合わないです'],
    ['it', 'È urgente, mi serve entro venerdì'],
    ['pt', 'É urgente, preciso até sexta'],
    ['zh', '很急，请尽快发货'],
  ])('%s: %s', (lang, text) => {
    expect(analyze(text, lang).urgency).toBeGreaterThanOrEqual(0.7);
  });

  it('a negated deadline is not urgent', () => {
    expect(analyze('it is not urgent', 'en').urgency).toBe(0);
    expect(analyze('no es urgente', 'es').urgency).toBe(0);
    expect(analyze("ce n'est pas urgent", 'fr').urgency).toBe(0);
  });
});

describe('languages and scale', () => {
  it('uses the base language of a locale and English for a language without lexicon', () => {
    expect(analyze('Estou muito decepcionado', 'pt-BR').frustration).toBeGreaterThan(0.5);
    expect(analyze('I am very disappointed', 'nl').frustration).toBeGreaterThan(0.5);
    expect(createEmotionAnalyzer({}).analyze('WHY IS IT SO LATE!!!', 'en').signals).toContain('caps');
  });

  it('keeps every score in its range', () => {
    const worst = analyze('THIS IS THE FIFTH TIME!!! You are incompetent thieves, absolutely disgusting, chargeback NOW, urgent!!! 🤬😡😤', 'en');
    for (const score of [worst.frustration, worst.anger, worst.urgency]) {
      expect(score).toBeGreaterThan(0.8);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(worst.sentiment).toBeGreaterThanOrEqual(-1);
    expect(worst.sentiment).toBeLessThan(-0.8);
  });
});
