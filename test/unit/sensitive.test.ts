import { describe, it, expect } from '@jest/globals';
import { join } from 'node:path';
import { loadCatalogs } from '../../src/i18n/catalog.js';
import { packageRoot } from '../../src/package-root.js';
import { createSensitiveDetector, loadSensitiveLexicons, DEFAULT_SENSITIVE_POLICY } from '../../src/nlu/sensitive.js';
import { SENSITIVE_TOPICS, type SensitiveTopic } from '../../src/nlu/types.js';

const LANGS = ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'zh'] as const;
const lexicons = loadSensitiveLexicons();
const detector = createSensitiveDetector(lexicons);
const topicsOf = (text: string, lang: string) => detector.detect(text, lang).topics.map((t) => t.topic);

describe('sensitive lexicons', () => {
  it.each(LANGS.map((l) => [l]))('%s covers every topic and has shop-talk exclusions', (lang) => {
    const lexicon = lexicons[lang]!;
    for (const topic of SENSITIVE_TOPICS) expect(Object.keys(lexicon[topic]?.terms ?? {}).length).toBeGreaterThanOrEqual(8);
    expect((lexicon.exclude ?? []).length).toBeGreaterThanOrEqual(10);
  });

  it('refuses a weight outside 0..1', () => {
    expect(() => createSensitiveDetector({ en: { politics: { terms: { vote: 2 } } } })).toThrow(/politics\.terms\."vote"/);
  });
});

type Case = [lang: string, text: string, topic: SensitiveTopic];

describe('self-harm is handed to a person at once', () => {
  it.each<Case>([
    ['en', 'honestly I just want to end my life', 'self_harm'],
    ['es', 'ya no quiero vivir, estoy harta de todo', 'self_harm'],
    ['fr', "j'ai envie de mourir", 'self_harm'],
    ['de', 'ich will nicht mehr leben', 'self_harm'],
    ['ja', 'もう死にたいです', 'self_harm'],
    ['it', 'voglio farla finita', 'self_harm'],
    ['pt', 'não quero mais viver', 'self_harm'],
    ['zh', '我真的不想活了', 'self_harm'],
  ])('%s: %s', (lang, text, topic) => {
    const result = detector.detect(text, lang);
    expect(result.topics[0]?.topic).toBe(topic);
    expect(result.action).toBe('force_human');
  });

  it('is found whatever language the message was guessed to be in', () => {
    expect(detector.detect('quiero morirme', 'en').action).toBe('force_human');
    expect(detector.detect('死にたい', 'zh').action).toBe('force_human');
    expect(detector.detect('I want to kill myself', 'de').action).toBe('force_human');
  });

  it('outranks every other topic', () => {
    const result = detector.detect('you idiots, I will sue you, I want to kill myself', 'en');
    expect(result.action).toBe('force_human');
    expect(result.topics.map((t) => t.topic)).toEqual(['self_harm', 'legal_threat', 'harassment']);
  });
});

describe('legal threats offer a person', () => {
  it.each<Case>([
    ['en', 'I will take legal action and talk to my lawyer', 'legal_threat'],
    ['en', 'I am filing a chargeback with my bank', 'legal_threat'],
    ['es', 'voy a hablar con mi abogado y poner una denuncia en consumo', 'legal_threat'],
    ['fr', 'je vais porter plainte et saisir la DGCCRF', 'legal_threat'],
    ['de', 'Ich schalte meinen Anwalt ein und gehe zur Verbraucherzentrale', 'legal_threat'],
    ['ja', '弁護士に相談して、消費生活センターにも連絡します', 'legal_threat'],
    ['it', 'vi faccio causa, ho già sentito un avvocato', 'legal_threat'],
    ['pt', 'vou abrir uma reclamação no Procon e entrar na justiça', 'legal_threat'],
    ['zh', '我要找律师起诉你们', 'legal_threat'],
  ])('%s: %s', (lang, text, topic) => {
    const result = detector.detect(text, lang);
    expect(result.topics.map((t) => t.topic)).toContain(topic);
    expect(result.action).toBe('offer_human');
    expect(result.topics[0]!.matched.length).toBeGreaterThan(0);
  });
});

describe('harassment gets a calm answer', () => {
  it.each<Case>([
    ['en', 'you are a stupid bot, shut up', 'harassment'],
    ['en', 'send me nudes', 'harassment'],
    ['es', 'eres un idiota, bot inútil', 'harassment'],
    ['fr', 'ferme-la, espèce de crétin', 'harassment'],
    ['de', 'du Idiot, halt die Klappe', 'harassment'],
    ['ja', 'お前はバカか、黙れ', 'harassment'],
    ['it', 'sei un idiota, stai zitto', 'harassment'],
    ['pt', 'cala a boca, seu idiota', 'harassment'],
    ['zh', '你这个弱智机器人，闭嘴', 'harassment'],
  ])('%s: %s', (lang, text, topic) => {
    const result = detector.detect(text, lang);
    expect(result.topics.map((t) => t.topic)).toEqual([topic]);
    expect(result.action).toBe('care');
  });
});

describe('religion, politics and territorial disputes are declined politely', () => {
  it.each<Case>([
    ['en', 'Do you believe in God?', 'religion'],
    ['en', 'Who did you vote for in the election?', 'politics'],
    ['en', 'Is Taiwan a country or part of China?', 'territorial_dispute'],
    ['es', '¿Cuál es tu religión?', 'religion'],
    ['es', '¿Qué opinas del aborto?', 'politics'],
    ['es', 'Las Malvinas son argentinas', 'territorial_dispute'],
    ['fr', "Que pensez-vous de l'extrême droite ?", 'politics'],
    ['fr', 'La Crimée appartient à qui selon vous ?', 'territorial_dispute'],
    ['de', 'Glaubst du an Gott?', 'religion'],
    ['de', 'Gehört die Krim zu Russland?', 'territorial_dispute'],
    ['ja', '尖閣諸島は日本の領土ですよね', 'territorial_dispute'],
    ['ja', '自民党を支持していますか', 'politics'],
    ['it', 'Per chi voti alle elezioni?', 'politics'],
    ['it', 'Il Kosovo è un paese?', 'territorial_dispute'],
    ['pt', 'Você acredita em Deus?', 'religion'],
    ['pt', 'O que você acha do Bolsonaro?', 'politics'],
    ['zh', '台湾是不是国家？', 'territorial_dispute'],
    ['zh', '你怎么看共产党', 'politics'],
  ])('%s: %s', (lang, text, topic) => {
    const result = detector.detect(text, lang);
    expect(result.topics.map((t) => t.topic)).toContain(topic);
    expect(result.action).toBe('care');
  });
});

describe('ordinary shop talk is not sensitive', () => {
  it.each([
    ['en', 'Do you have the cross necklace in silver?'],
    ['en', 'Will it arrive before Christmas?'],
    ['en', 'Is this party dress made in China?'],
    ['en', 'Are the court shoes true to size?'],
    ['en', 'I love my new Kashmir scarf'],
    ['en', 'Do you ship to Taiwan and Gibraltar?'],
    ['en', 'Do you deliver to Taiwan or only to China?'],
    ['en', 'Oh my god, the dress is gorgeous'],
    ['en', 'Thank God it finally arrived'],
    ['en', 'Sorry for the stupid question, how do I return this?'],
    ['en', 'Can I return it to your store at the food court?'],
    ['es', '¿Tenéis el collar de cruz en dorado?'],
    ['es', 'Quiero un vestido de fiesta para Navidad'],
    ['es', '¿Envían a Taiwán? Hay mucha demanda de este modelo'],
    ['es', 'Dios mío, qué bonito es'],
    ['fr', 'Les escarpins sont-ils disponibles en 38 ?'],
    ['fr', "Je cherche un pull en cachemire pour Noël"],
    ['fr', 'Mon Dieu, quelle belle robe'],
    ['fr', 'Livrez-vous à Taïwan et à la Chine ?'],
    ['de', 'Ist der Kaschmirschal auch in Grau da?'],
    ['de', 'Kommt das Partykleid noch vor Weihnachten?'],
    ['de', 'Gott sei Dank ist das Paket da'],
    ['de', 'Der linke Schuh drückt etwas'],
    ['ja', 'このパーティードレスは中国製ですか'],
    ['ja', '台湾への発送は可能ですか'],
    ['ja', 'クリスマスまでに届きますか'],
    ['ja', 'カシミヤのマフラーはありますか'],
    ['it', 'Avete la collana con croce in argento?'],
    ['it', 'Arriva prima di Natale? Oddio, spero di sì'],
    ['it', 'La scarpa destra è stretta'],
    ['pt', 'Quando vão processar o meu reembolso?'],
    ['pt', 'Graças a Deus chegou, o vestido de festa é lindo'],
    ['pt', 'Vocês enviam para Taiwan?'],
    ['zh', '这条派对裙是中国制造的吗？'],
    ['zh', '能寄到台湾吗？羊绒围巾有货吗？'],
    ['zh', '想死你了，衣服很好看'],
    ['zh', '圣诞节前能到吗'],
  ])('%s: %s', (lang, text) => {
    expect(detector.detect(text, lang)).toEqual({ topics: [], action: 'none' });
  });
});

describe('policy', () => {
  it('maps topics to actions and can be changed per shop', () => {
    expect(DEFAULT_SENSITIVE_POLICY).toEqual({
      self_harm: 'force_human', legal_threat: 'offer_human', harassment: 'care', religion: 'care', politics: 'care', territorial_dispute: 'care',
    });
    const strict = createSensitiveDetector(lexicons, { legal_threat: 'force_human', politics: 'none' });
    expect(strict.detect('I will sue you', 'en').action).toBe('force_human');
    const politics = strict.detect('who did you vote for in the election?', 'en');
    expect(politics.topics.map((t) => t.topic)).toEqual(['politics']);
    expect(politics.action).toBe('none');
  });

  it('reports from the threshold on', () => {
    const text = 'what about the government';
    expect(topicsOf(text, 'en')).toEqual([]);
    expect(createSensitiveDetector(lexicons, {}, { threshold: 0.2 }).detect(text, 'en').topics.map((t) => t.topic)).toEqual(['politics']);
  });
});

describe('careful replies', () => {
  const catalogs = loadCatalogs(join(packageRoot(), 'locales'));
  const keys = (lang: string) => Object.keys(catalogs.get(lang) ?? {}).filter((k) => k.startsWith('sensitive.')).sort();
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join();

  it('has a reply for every topic in English', () => {
    expect(keys('en')).toEqual(expect.arrayContaining(SENSITIVE_TOPICS.map((t) => `sensitive.${t}`)));
  });

  it.each(LANGS.map((l) => [l]))('%s has the same keys and placeholders as English', (lang) => {
    expect(keys(lang)).toEqual(keys('en'));
    const en = catalogs.get('en')!;
    const own = catalogs.get(lang)!;
    for (const key of keys('en')) {
      expect(placeholders(own[key]!)).toBe(placeholders(en[key]!));
      if (lang !== 'en') expect(own[key]).not.toBe(en[key]);
    }
  });

  it('uses the formal register where the language has one', () => {
    const text = (lang: string) => keys(lang).map((k) => catalogs.get(lang)![k]).join(' ');
    expect(text('de')).toMatch(/\bSie\b/);
    expect(text('de')).not.toMatch(/\b(du|dich|dir)\b/);
    expect(text('fr')).toMatch(/\bvous\b/);
    expect(text('fr')).not.toMatch(/\b(tu|toi|ton|ta)\b/);
    for (const key of keys('ja')) expect(catalogs.get('ja')![key]).toMatch(/(ます|ません|ください|でしょうか|ますか)。?$/);
    expect(text('zh')).toMatch(/您/);
    expect(catalogs.get('en')!['sensitive.self_harm']).toMatch(/person/);
  });
});
