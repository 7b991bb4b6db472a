import { describe, it, expect } from '@jest/globals';
import { createEntityExtractor, measureEntityCost, parseAmountNumber, productMatcher } from '../../src/nlu/entities/index.js';
import { foldText } from '../../src/nlu/entities/text.js';
import type { Entity, EntityType } from '../../src/nlu/types.js';

// Tuesday 10 March 2026, 12:00 UTC.
const NOW = new Date('2026-03-10T12:00:00Z');
const products = [
  { sku: 'LL-SHIRT-BLU-M', names: { en: 'blue shirt', es: 'camisa azul', fr: 'chemise bleue', de: 'blaues Hemd', ja: '青いシャツ', zh: '蓝色衬衫' } },
  { sku: 'LL-DRESS-LIN', names: { en: 'Linen dress', it: 'abito di lino', pt: 'vestido de linho' } },
];
const extractor = createEntityExtractor({ referenceDate: () => NOW, timeZone: 'Europe/Madrid', products });
const extract = (text: string, lang: string) => extractor.extract(text, lang);
const ofType = (entities: Entity[], type: EntityType) => entities.filter((e) => e.type === type);
const values = (text: string, lang: string, type: EntityType) => ofType(extract(text, lang), type).map((e) => e.value);

describe('the example sentence', () => {
  it('gives order_number A1043, color blue and the blue shirt product', () => {
    const text = "I want to return the blue shirt from order A1043 because it's too small";
    const entities = extract(text, 'en');
    expect(ofType(entities, 'order_number')).toEqual([{ type: 'order_number', text: 'A1043', value: 'A1043', start: 43, end: 48 }]);
    expect(ofType(entities, 'color').map((e) => [e.text, e.value])).toEqual([['blue', 'blue']]);
    expect(ofType(entities, 'product').map((e) => e.value)).toEqual(['LL-SHIRT-BLU-M']);
    // Without a product list there is no product, the rest is the same.
    const plain = createEntityExtractor({ referenceDate: () => NOW }).extract(text, 'en');
    expect(plain.map((e) => [e.type, e.value])).toEqual([['color', 'blue'], ['order_number', 'A1043']]);
  });
});

describe('order numbers', () => {
  it.each([
    ['en', 'Order #A1043 has not arrived', 'A1043'],
    ['en', 'my order is A-1043', 'A1043'],
    ['es', 'el número de pedido es 1043-55', '1043-55'],
    ['fr', 'Ma commande 48213 est en retard', '48213'],
    ['de', 'Meine Bestellnummer lautet 5512345', '5512345'],
    ['ja', '注文番号は20931です', '20931'],
    ['it', "l'ordine n. 77812 non è arrivato", '77812'],
    ['pt', 'a minha encomenda 99120 ainda não chegou', '99120'],
    ['zh', '我的订单号是66021', '66021'],
    ['zh', '訂單 B20931 還沒到', 'B20931'],
    ['en', 'where is #1043?', '1043'],
    ['ja', '注文番号：Ａ１０４３', 'A1043'],
  ])('%s: %s', (lang, text, expected) => {
    expect(values(text, lang, 'order_number')).toEqual([expected]);
  });

  it.each([
    ['en', 'I waited 4521 minutes for nothing'],
    ['es', 'Vivo en la calle Mayor 1234'],
    ['fr', 'Le code postal est 75011'],
    ['de', 'Ich wohne in 10115 Berlin'],
    ['ja', '郵便番号は1500001です'],
    ['it', 'Ho pagato con la carta 4321'],
    ['pt', 'O CEP é 01310100'],
    ['zh', '我在2025年买的'],
    ['en', 'I ordered it in 2025 and it broke'],
    ['en', 'on 2026-03-03 I wrote to you'],
  ])('%s: no order number in "%s"', (lang, text) => {
    expect(values(text, lang, 'order_number')).toEqual([]);
  });

  it('uses a shop pattern when configured, with a named id group', () => {
    const shop = createEntityExtractor({ orderNumberPattern: /\bLL-(?<id>\d{6})\b/ });
    expect(shop.extract('order LL-204411 please', 'en').filter((e) => e.type === 'order_number').map((e) => e.value)).toEqual(['204411']);
    // The default shapes are off: the shop's format is the only one.
    expect(shop.extract('order A1043', 'en').filter((e) => e.type === 'order_number')).toEqual([]);
    const fromString = createEntityExtractor({ orderNumberPattern: 'R\\d{7}' });
    expect(fromString.extract('R1234567', 'en').map((e) => [e.type, e.value])).toEqual([['order_number', 'R1234567']]);
  });
});

describe('tracking numbers', () => {
  it.each([
    ['en', 'UPS says 1Z999AA10123456784', '1Z999AA10123456784'],
    ['en', 'USPS 9400 1000 0000 0000 0000 00', '9400100000000000000000'],
    ['en', 'Royal Mail AB123456789GB', 'AB123456789GB'],
    ['zh', 'EMS单号 EE123456789CN', 'EE123456789CN'],
    ['pt', 'o código é RR123456785PT', 'RR123456785PT'],
    ['pt', 'rastreio Correios LB123456789BR', 'LB123456789BR'],
    ['de', 'DHL Sendungsnummer JJD000390007827723780', 'JJD000390007827723780'],
    ['de', 'die DHL Sendungsnummer ist 1234567890', '1234567890'],
    ['zh', '顺丰单号SF1234567890123', 'SF1234567890123'],
    ['ja', 'ヤマトの伝票番号は 1234-5678-9012 です', '123456789012'],
    ['ja', '追跡番号 123456789012', '123456789012'],
  ])('%s: %s', (lang, text, expected) => {
    expect(values(text, lang, 'tracking_number')).toEqual([expected]);
  });

  it('tells a tracking number from an order number by the words around it', () => {
    const both = extract('Order 1043-55 was shipped, tracking number 1234567890 with DHL', 'en');
    expect(ofType(both, 'order_number').map((e) => e.value)).toEqual(['1043-55']);
    expect(ofType(both, 'tracking_number').map((e) => e.value)).toEqual(['1234567890']);
    expect(values('my order number is 1234567890', 'en', 'tracking_number')).toEqual([]);
    expect(values('my order number is 1234567890', 'en', 'order_number')).toEqual(['1234567890']);
    // Twelve digits alone are not a tracking number outside Japanese.
    expect(values('the code 123456789012', 'en', 'tracking_number')).toEqual([]);
  });
});

describe('e-mail and phone', () => {
  it('finds e-mail addresses and lower-cases the domain only', () => {
    expect(values('write to Ana.Perez+shop@Example.COM please', 'en', 'email')).toEqual(['Ana.Perez+shop@example.com']);
    expect(values('メールは taro@example.jp です', 'ja', 'email')).toEqual(['taro@example.jp']);
    expect(values('no e-mail here @ all', 'en', 'email')).toEqual([]);
  });

  it.each([
    ['de', 'Rufen Sie mich an: 0151 12345678', '+4915112345678'],
    ['fr', 'mon portable : 06 12 34 56 78', '+33612345678'],
    ['es', 'mi móvil es 612 345 678', '+34612345678'],
    ['ja', '電話番号は090-1234-5678です', '+819012345678'],
    ['it', 'chiamatemi al 312 345 6789', '+393123456789'],
    ['pt', 'o meu telemóvel é 912 345 678', '+351912345678'],
    ['pt-BR', 'meu celular é (11) 91234-5678', '+5511912345678'],
    ['zh', '我的手机号13812345678', '+8613812345678'],
    ['en', 'call me at +49 151 12345678', '+4915112345678'],
    ['en', 'call me at (415) 555-2671', '+14155552671'],
  ])('%s: %s', (lang, text, expected) => {
    expect(values(text, lang, 'phone')).toEqual([expected]);
  });

  it('does not read order numbers or dates as phone numbers', () => {
    expect(values('Bestellung 12345678', 'de', 'phone')).toEqual([]);
    expect(values('am 03.03.2026 bestellt', 'de', 'phone')).toEqual([]);
  });
});

describe('dates', () => {
  it.each([
    ['en', 'I ordered it yesterday', '2026-03-09'],
    ['en', 'delivered on March 3', '2026-03-03'],
    ['fr', "j'ai commandé le 3 mars", '2026-03-03'],
    ['fr', 'commandé hier', '2026-03-09'],
    ['de', 'ich habe am 3. März bestellt', '2026-03-03'],
    ['de', 'gestern bestellt', '2026-03-09'],
    ['ja', '3月3日に注文しました', '2026-03-03'],
    ['ja', '昨日注文しました', '2026-03-09'],
    ['es', 'lo pedí ayer', '2026-03-09'],
    ['es', 'llegó el 3 de marzo', '2026-03-03'],
    ['it', "l'ho ordinato ieri", '2026-03-09'],
    ['pt', 'encomendei ontem', '2026-03-09'],
    ['zh', '我昨天下的单', '2026-03-09'],
    ['zh', '3月3日买的', '2026-03-03'],
  ])('%s: %s', (lang, text, expected) => {
    expect(values(text, lang, 'date')).toEqual([expected]);
  });

  it('reads relative dates in the shop time zone', () => {
    // 23:30 UTC on 10 March is already 11 March in Tokyo.
    const late = new Date('2026-03-10T23:30:00Z');
    const tokyo = createEntityExtractor({ referenceDate: () => late, timeZone: 'Asia/Tokyo' });
    const newYork = createEntityExtractor({ referenceDate: () => late, timeZone: 'America/New_York' });
    expect(tokyo.extract('昨日届くはずでした', 'ja').find((e) => e.type === 'date')?.value).toBe('2026-03-10');
    expect(newYork.extract('ayer', 'es').find((e) => e.type === 'date')?.value).toBe('2026-03-09');
  });

  it.each([
    ['en', 'call me at 3pm'],
    ['es', 'el mar está precioso'],
    ['en', 'the sun is out'],
    ['de', 'Bestellung 12345'],
    ['fr', 'taille 38 en bleu'],
    ['en', 'a 3/4 sleeve top'],
    ['de', 'Bluse mit 3/4 Ärmeln'],
  ])('%s: no date in "%s"', (lang, text) => {
    expect(values(text, lang, 'date')).toEqual([]);
  });
});

describe('amounts', () => {
  it.each([
    ['es', 'pagué 12,50 €', 12.5, 'EUR'],
    ['en', 'it was €12.50', 12.5, 'EUR'],
    ['en', 'I paid $30', 30, 'USD'],
    ['es', 'me costó 3.000 yenes', 3000, 'JPY'],
    ['ja', '¥3,000でした', 3000, 'JPY'],
    ['ja', '3000円払いました', 3000, 'JPY'],
    ['ja', '１万円です', 10000, 'JPY'],
    ['pt', 'paguei R$ 49,90', 49.9, 'BRL'],
    ['de', 'es kostet CHF 20.–', 20, 'CHF'],
    ['zh', '付了100元', 100, 'CNY'],
    ['zh', '一共￥299', 299, 'CNY'],
    ['fr', 'remboursez mes 50 euros', 50, 'EUR'],
    ['fr', 'total 1 299,99 €', 1299.99, 'EUR'],
    ['de', '1.234,56 EUR', 1234.56, 'EUR'],
    ['en', 'USD 1,234.56 charged', 1234.56, 'USD'],
    ['it', 'ho pagato 20 euro', 20, 'EUR'],
    ['en', '£15 for shipping', 15, 'GBP'],
  ])('%s: %s', (lang, text, amount, currency) => {
    expect(values(text, lang, 'amount')).toEqual([{ amount, currency }]);
  });

  it('uses the shop currency for "$" and "pesos", and null when nothing tells', () => {
    const mx = createEntityExtractor({ defaultCurrency: 'MXN' });
    expect(mx.extract('pagué $450', 'es').map((e) => e.value)).toEqual([{ amount: 450, currency: 'MXN' }]);
    expect(mx.extract('son 450 pesos', 'es').map((e) => e.value)).toEqual([{ amount: 450, currency: 'MXN' }]);
    expect(values('son 450 pesos', 'es', 'amount')).toEqual([{ amount: 450, currency: null }]);
  });

  it('takes a number with cents after a money word as an amount in the shop currency, or null', () => {
    expect(values('I paid 59.90 and was charged twice', 'en', 'amount')).toEqual([{ amount: 59.9, currency: null }]);
    expect(values('me cobraron 49,90 dos veces', 'es', 'amount')).toEqual([{ amount: 49.9, currency: null }]);
    const eur = createEntityExtractor({ defaultCurrency: 'EUR' });
    expect(eur.extract('Betrag: 39,95', 'de').map((e) => e.value)).toEqual([{ amount: 39.95, currency: 'EUR' }]);
    expect(values('paid on 12.03', 'en', 'amount')).toEqual([]);
    expect(values('I ordered 2.50 metres of fabric', 'en', 'amount')).toEqual([]);
  });

  it('treats a separator before three digits as grouping and before one or two as decimals', () => {
    expect(parseAmountNumber('3.000')).toBe(3000);
    expect(parseAmountNumber('3,000')).toBe(3000);
    expect(parseAmountNumber('12,5')).toBe(12.5);
    expect(parseAmountNumber('1.234,56')).toBe(1234.56);
    expect(parseAmountNumber('1,234.56')).toBe(1234.56);
    expect(parseAmountNumber("1'234.50")).toBe(1234.5);
  });

  it.each([
    ['en', 'size 12.5 please'],
    ['de', 'ich brauche 3 Stück'],
    ['ja', '3個ください'],
    ['pt', 'tenho 50 anos'],
    ['en', 'I need 50 real answers'],
  ])('%s: no amount in "%s"', (lang, text) => {
    expect(values(text, lang, 'amount')).toEqual([]);
  });
});

describe('sku', () => {
  it('finds the default SKU shapes', () => {
    expect(values('is SKU-12345 in stock?', 'en', 'sku')).toEqual(['SKU-12345']);
    expect(values('sku 12345', 'en', 'sku')).toEqual(['SKU-12345']);
    expect(values('tengo LL-SHIRT-BLU-M', 'es', 'sku')).toEqual(['LL-SHIRT-BLU-M']);
    // Inside a SKU, "BLU" is not the Italian colour and M is not a size.
    expect(extract('avete LL-SHIRT-BLU-M?', 'it').map((e) => e.type)).toEqual(['sku']);
  });

  it('uses a shop pattern when configured', () => {
    const shop = createEntityExtractor({ skuPattern: /\bART\d{5}\b/ });
    expect(shop.extract('art. ART10492', 'de').filter((e) => e.type === 'sku').map((e) => e.value)).toEqual(['ART10492']);
    expect(shop.extract('SKU-12345', 'en').filter((e) => e.type === 'sku')).toEqual([]);
  });
});

describe('sizes', () => {
  it.each([
    ['en', 'do you have it in size M?', 'M'],
    ['en', 'I need an XL', 'XL'],
    ['en', 'size medium please', 'M'],
    ['en', 'a 2XL', 'XXL'],
    ['es', 'quiero la talla 42', '42'],
    ['fr', 'pointure 42', '42'],
    ['fr', 'en taille S', 'S'],
    ['de', 'Größe 42', '42'],
    ['de', 'in Größe L bitte', 'L'],
    ['ja', 'サイズ M はありますか', 'M'],
    ['ja', 'Mサイズをください', 'M'],
    ['zh', '我要42号的鞋', '42'],
    ['zh', '有M码吗', 'M'],
    ['it', 'la taglia 44', '44'],
    ['pt', 'tamanho 38', '38'],
    ['en', 'for my son, 3-4 years', '3-4Y'],
    ['es', 'para un bebé de 6-12 meses', '6-12M'],
    ['en', 'toddler 4T', '4T'],
    ['en', 'UK 8 or EU 42', 'UK 8'],
    ['fr', 'je fais du 38 en général', '38'],
    ['pt', 'eu calço 38', '38'],
    ['ja', '２５．５ｃｍの靴', '25.5'],
  ])('%s: %s', (lang, text, expected) => {
    expect(values(text, lang, 'size')[0]).toBe(expected);
  });

  it('answers a bare size', () => {
    expect(values('M', 'en', 'size')).toEqual(['M']);
    expect(values(' l ', 'fr', 'size')).toEqual(['L']);
  });

  it.each([
    ['en', "I'm happy, it's a small thing"],
    ['en', 'I have been a customer for 3 years'],
    ['zh', '我3月5号下的单'],
    ['es', 'M de Madrid, no la talla'],
    ['de', 'Mein Sohn ist 6 Jahre alt'],
  ])('%s: no size in "%s"', (lang, text) => {
    expect(values(text, lang, 'size')).toEqual([]);
  });
});

describe('colours', () => {
  it.each([
    ['en', 'the navy blue one', 'navy'],
    ['es', 'la quiero en azul', 'blue'],
    ['es', 'las camisetas rojas', 'red'],
    ['fr', 'la robe bleue', 'blue'],
    ['fr', 'des chaussures blanches', 'white'],
    ['de', 'den blauen Pullover', 'blue'],
    ['de', 'in Grün', 'green'],
    ['ja', '青いシャツ', 'blue'],
    ['ja', 'ブルーのシャツ', 'blue'],
    ['ja', '色は黒です', 'black'],
    ['it', 'la gonna blu', 'blue'],
    ['it', 'scarpe nere', 'black'],
    ['pt', 'a camisa azul', 'blue'],
    ['pt', 'vestido vermelho', 'red'],
    ['zh', '我要蓝色的', 'blue'],
    ['zh', '有藍色嗎', 'blue'],
    ['zh', '要黑的', 'black'],
  ])('%s: %s', (lang, text, expected) => {
    expect(values(text, lang, 'color')).toEqual([expected]);
  });

  it.each([
    ['ja', 'この映画は面白いです'],
    ['ja', '赤ちゃん用です'],
    ['ja', 'ブルーベリー味'],
    ['zh', '我明白的'],
    ['en', 'I ordered an ice cream maker'],
    ['es', 'me gusta la red social'],
    ['de', 'Ich habe mich blamiert'],
    ['fr', 'la Marine nationale'],
  ])('%s: no colour in "%s"', (lang, text) => {
    expect(values(text, lang, 'color')).toEqual([]);
  });
});

describe('products', () => {
  it('finds product names in any language, without case or accents', () => {
    const matcher = productMatcher(products);
    expect(matcher.find('Quiero devolver la CAMISA AZUL').map((e) => e.value)).toEqual(['LL-SHIRT-BLU-M']);
    expect(matcher.find('two blue shirts please').map((e) => e.text)).toEqual(['blue shirts']);
    expect(matcher.find('je rends la chemise bleue').map((e) => e.value)).toEqual(['LL-SHIRT-BLU-M']);
    expect(matcher.find('das blaue Hemd').map((e) => e.value)).toEqual([]);
    expect(matcher.find('青いシャツを返品したい').map((e) => e.value)).toEqual(['LL-SHIRT-BLU-M']);
    expect(matcher.find('o vestido de linho chegou').map((e) => e.value)).toEqual(['LL-DRESS-LIN']);
    expect(matcher.find('a linen dresser').map((e) => e.value)).toEqual([]);
  });
});

describe('every result', () => {
  const samples: [string, string][] = [
    ['en', 'Order #A1043 (2x blue shirt, size M, $59.90) was shipped yesterday with UPS 1Z999AA10123456784, mail me at ana@example.com'],
    ['es', 'Pedido 104355: 2 camisas azules talla L, 49,90 €, llegó el 3 de marzo, mi móvil 612 345 678'],
    ['fr', 'Commande 1043-55, robe bleue taille 38, 89,00 €, reçue hier, colis RR123456785FR'],
    ['de', 'Bestellung 55123 vom 3. März, blaues Hemd in Größe XL, 39,95 €, Handy 0151 12345678'],
    ['ja', '注文番号A1043、3月3日に注文した青いシャツ（Mサイズ）、3,000円、電話090-1234-5678'],
    ['zh', '订单12345，3月3日买的蓝色衬衫，M码，100元，顺丰SF1234567890123'],
    ['it', 'ordine 77812 di ieri, abito di lino nero taglia 44, 120 euro'],
    ['pt', 'encomenda 99120 de ontem, vestido de linho preto tamanho 38, R$ 199,90'],
  ];
  it.each(samples)('%s is sorted, inside the text and without overlaps (a product may hold its colour and size)', (lang, text) => {
    const entities = extract(text, lang);
    expect(entities.length).toBeGreaterThanOrEqual(4);
    for (const [i, e] of entities.entries()) {
      expect(text.slice(e.start, e.end)).toBe(e.text);
      const next = entities[i + 1];
      if (!next) continue;
      expect(next.start).toBeGreaterThanOrEqual(e.start);
      const nested = e.type === 'product' && (next.type === 'color' || next.type === 'size') && next.end <= e.end;
      if (!nested) expect(next.start).toBeGreaterThanOrEqual(e.end);
    }
  });

  it('is cheap enough for the per-message budget', () => {
    const p50 = measureEntityCost(samples.map(([lang, text]) => ({ lang, text })), { rounds: 5 });
    expect(p50).toBeGreaterThan(0);
    expect(measureEntityCost([])).toBe(0);
  });
});

describe('folding', () => {
  it('keeps the length, so offsets stay valid', () => {
    for (const text of ['Größe ＸＬ，お願いします', 'DÉJÀ VU', 'naïve café 😡 ¡Ñandú!']) expect(foldText(text)).toHaveLength(text.length);
    expect(foldText('Ｃａｆé ＡＢ')).toBe('cafe ab');
    expect(foldText('がぎ')).toBe('がぎ');
  });
});
