import { describe, it, expect } from '@jest/globals';
import { containsCardNumber, detectPii, phoneRegionsFor, type PiiSpan, type PiiType } from '../../src/privacy/pii.js';
import {
  cardScheme, chineseIdValid, codiceFiscaleValid, cpfValid, frenchNirValid, germanTaxIdValid, ibanValid, luhnValid, myNumberValid,
  portugueseNifValid, spanishIdValid, ssnShapeValid,
} from '../../src/privacy/checksums.js';

const found = (text: string, lang?: string) => detectPii(text, lang).map((span) => [span.type, span.text] as [PiiType, string]);

describe('check digits', () => {
  it('Luhn and card schemes', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(cardScheme('4111111111111111')).toBe('visa');
    expect(cardScheme('5555555555554444')).toBe('mastercard');
    expect(cardScheme('2223003122003222')).toBe('mastercard');
    expect(cardScheme('378282246310005')).toBe('amex');
    expect(cardScheme('6011111111111117')).toBe('discover');
    expect(cardScheme('3530111333300000')).toBe('jcb');
    expect(cardScheme('6200000000000005')).toBe('unionpay');
    expect(cardScheme('9999999999999995')).toBeUndefined();
    // 13 digits starting with 4 is a German EAN-13 far more often than an obsolete Visa.
    expect(cardScheme('4006381333931')).toBeUndefined();
  });

  it('IBAN mod 97 with the length of each country', () => {
    for (const iban of ['DE89370400440532013000', 'GB82WEST12345698765432', 'ES9121000418450200051332', 'FR1420041010050500013M02606', 'IT60X0542811101000000123456', 'PT50000201231234567890154', 'NL91ABNA0417164300']) {
      expect(ibanValid(iban)).toBe(true);
    }
    expect(ibanValid('DE89370400440532013001')).toBe(false); // one digit off
    expect(ibanValid('DE98370400440532013000')).toBe(false); // check digits swapped
    expect(ibanValid('DE8937040044053201300')).toBe(false); // one short for DE
    expect(ibanValid('XX89370400440532013000')).toBe(false); // no such country
  });

  it('national ids', () => {
    expect(spanishIdValid('12345678Z')).toBe(true);
    expect(spanishIdValid('12345678A')).toBe(false);
    expect(spanishIdValid('X1234567L')).toBe(true);
    expect(spanishIdValid('X1234567M')).toBe(false);
    expect(codiceFiscaleValid('RSSMRA85T10A562S')).toBe(true);
    expect(codiceFiscaleValid('RSSMRA85T10A562T')).toBe(false);
    expect(portugueseNifValid('123456789')).toBe(true);
    expect(portugueseNifValid('123456780')).toBe(false);
    expect(cpfValid('52998224725')).toBe(true);
    expect(cpfValid('52998224726')).toBe(false);
    expect(cpfValid('11111111111')).toBe(false);
    expect(germanTaxIdValid('86095742719')).toBe(true);
    expect(germanTaxIdValid('86095742718')).toBe(false);
    expect(germanTaxIdValid('12345678903')).toBe(false); // no repeated digit
    expect(frenchNirValid('185057800608491')).toBe(true);
    expect(frenchNirValid('185057800608492')).toBe(false);
    expect(chineseIdValid('11010519491231002X')).toBe(true);
    expect(chineseIdValid('110105194912310021')).toBe(false);
    expect(chineseIdValid('110105194913310028')).toBe(false); // month 13
    expect(myNumberValid('123456789018')).toBe(true);
    expect(myNumberValid('123456789012')).toBe(false);
    expect(ssnShapeValid('123456789')).toBe(true);
    expect(ssnShapeValid('666456789')).toBe(false);
    expect(ssnShapeValid('123006789')).toBe(false);
  });
});

describe('detectPii finds personal data in every launch language', () => {
  const cases: [string, string, [PiiType, string][]][] = [
    ['en', 'Email me at ana.lopez@example.com or call (415) 555-2671.', [['email', 'ana.lopez@example.com'], ['phone', '(415) 555-2671']]],
    ['en', 'My SSN is 123-45-6789, I live at 221B Baker Street, London NW1 6XE, IP 192.168.1.20', [['national_id', '123-45-6789'], ['address', '221B Baker Street, London NW1 6XE'], ['ip', '192.168.1.20']]],
    ['en', 'card 4111 1111 1111 1111 exp 12/28', [['card', '4111 1111 1111 1111']]],
    ['en', 'amex 3782-822463-10005 and mc 5555555555554444', [['card', '3782-822463-10005'], ['card', '5555555555554444']]],
    [
      'es',
      'Mi DNI es 12345678Z, vivo en Calle de Alcalá 45, 3º B, 28014 Madrid, móvil 612 34 56 78',
      [['national_id', '12345678Z'], ['address', 'Calle de Alcalá 45, 3º B, 28014 Madrid'], ['phone', '612 34 56 78']],
    ],
    ['es', 'NIE X1234567L, IBAN ES91 2100 0418 4502 0005 1332 gracias', [['national_id', 'X1234567L'], ['iban', 'ES91 2100 0418 4502 0005 1332']]],
    ['es', 'envíalo a calle mayor, 5 o a C/ Mayor, 5, 2ºA', [['address', 'calle mayor, 5'], ['address', 'C/ Mayor, 5, 2ºA']]],
    ['en', 'Ship to 1600 Pennsylvania Avenue NW, Washington, DC 20500', [['address', '1600 Pennsylvania Avenue NW, Washington, DC 20500']]],
    ['fr', 'livrer au 5 bis, avenue Victor Hugo', [['address', '5 bis, avenue Victor Hugo']]],
    ['pt', 'Rua 25 de Março, 1000', [['address', 'Rua 25 de Março, 1000']]],
    ['zh', '请寄到广东省深圳市南山区科技园路1号', [['address', '广东省深圳市南山区科技园路1号']]],
    [
      'fr',
      'Mon adresse : 12 rue de la Paix, 75002 Paris. Tél 06 12 34 56 78. NIR 1 85 05 78 006 084 91',
      [['address', '12 rue de la Paix, 75002 Paris'], ['phone', '06 12 34 56 78'], ['national_id', '1 85 05 78 006 084 91']],
    ],
    ['fr', 'IBAN FR14 2004 1010 0505 0001 3M02 606, mail: jean@exemple.fr', [['iban', 'FR14 2004 1010 0505 0001 3M02 606'], ['email', 'jean@exemple.fr']]],
    [
      'de',
      'Ich wohne in der Hauptstraße 5, 10115 Berlin. Handy 0151 12345678. Steuer-ID 86095742719.',
      [['address', 'Hauptstraße 5, 10115 Berlin'], ['phone', '0151 12345678'], ['national_id', '86095742719']],
    ],
    ['de', 'IBAN DE89 3704 0044 0532 0130 00, Konrad-Adenauer-Straße 3', [['iban', 'DE89 3704 0044 0532 0130 00'], ['address', 'Konrad-Adenauer-Straße 3']]],
    [
      'ja',
      '住所は〒150-0041 東京都渋谷区神南1丁目2番3号です。電話は０９０－１２３４－５６７８。マイナンバー 1234 5678 9018',
      [['address', '〒150-0041 東京都渋谷区神南1丁目2番3号'], ['phone', '０９０－１２３４－５６７８'], ['national_id', '1234 5678 9018']],
    ],
    ['ja', '大阪市北区梅田3-1-1に送ってください。メールはtaro＠example.jpです', [['address', '大阪市北区梅田3-1-1'], ['email', 'taro＠example.jp']]],
    [
      'it',
      'Abito in Via Roma 10, 00184 Roma. Codice fiscale RSSMRA85T10A562S, cell. 347 123 4567',
      [['address', 'Via Roma 10, 00184 Roma'], ['national_id', 'RSSMRA85T10A562S'], ['phone', '347 123 4567']],
    ],
    ['it', 'IBAN IT60 X054 2811 1010 0000 0123 456', [['iban', 'IT60 X054 2811 1010 0000 0123 456']]],
    [
      'pt',
      'Moro na Rua Augusta, 123, 2º Esq., 1100-048 Lisboa. NIF 123456789. telemóvel 912 345 678',
      [['address', 'Rua Augusta, 123, 2º Esq., 1100-048 Lisboa'], ['national_id', '123456789'], ['phone', '912 345 678']],
    ],
    [
      'pt-BR',
      'Meu CPF é 529.982.247-25, endereço Av. Paulista, 1578, apto 52, 01310-200 São Paulo, cel (11) 98765-4321',
      [['national_id', '529.982.247-25'], ['address', 'Av. Paulista, 1578, apto 52, 01310-200 São Paulo'], ['phone', '(11) 98765-4321']],
    ],
    [
      'zh',
      '我的地址是北京市朝阳区建国路88号，手机号13800138000，身份证号11010519491231002X。',
      [['address', '北京市朝阳区建国路88号'], ['phone', '13800138000'], ['national_id', '11010519491231002X']],
    ],
    ['zh', '寄到上海市黄浦区南京东路100号3楼，卡号6200 0000 0000 0005', [['address', '上海市黄浦区南京东路100号3楼'], ['card', '6200 0000 0000 0005']]],
  ];

  it.each(cases)('%s: %s', (lang, text, expected) => {
    expect(found(text, lang)).toEqual(expected);
  });

  it('reports offsets into the original text, full-width characters included', () => {
    for (const [lang, text] of cases) {
      for (const span of detectPii(text, lang)) expect(text.slice(span.start, span.end)).toBe(span.text);
    }
  });

  it('finds international numbers whatever the language, and without one', () => {
    expect(found('whatsapp:+4915112345678', 'ja')).toEqual([['phone', '+4915112345678']]);
    expect(found('ring +34 612 34 56 78')).toEqual([['phone', '+34 612 34 56 78']]);
  });

  it('uses the region of the locale for national numbers', () => {
    expect(phoneRegionsFor('pt-BR')).toEqual(['BR']);
    expect(phoneRegionsFor('de')).toEqual(['DE']);
    expect(phoneRegionsFor('zh-Hant')).toEqual(['TW']);
    expect(found('手機 0912-345-678', 'zh-Hant')).toEqual([['phone', '0912-345-678']]);
    expect(found('ligue (11) 98765-4321', 'pt-BR')).toEqual([['phone', '(11) 98765-4321']]);
    // A German mobile in national format is not a number in a US conversation.
    expect(found('0151 12345678', 'en-US')).toEqual([]);
  });

  it('reads a number after an order word as the order, unless the customer says it is a phone', () => {
    expect(found('my order number is 912345678', 'pt')).toEqual([]);
    expect(found('about my order: call me on 415-555-2671', 'en')).toEqual([['phone', '415-555-2671']]);
  });

  it('flags ids whose digits alone are too common only with their keyword', () => {
    expect(found('o número é 123456789', 'pt')).toEqual([]);
    expect(found('o meu NIF é 123456789', 'pt')).toEqual([['national_id', '123456789']]);
    expect(found('番号 1234 5678 9018', 'ja')).toEqual([]);
    expect(found('個人番号は1234 5678 9018です', 'ja')).toEqual([['national_id', '1234 5678 9018']]);
    expect(found('86095742719', 'de')).toEqual([]);
  });

  it('keeps confidence low for heuristic addresses and high for check-digit matches', () => {
    const [address] = detectPii('Via Roma 10', 'it');
    const [card] = detectPii('4111111111111111');
    expect(address!.confidence).toBeLessThan(0.8);
    expect(card!.confidence).toBeGreaterThan(0.9);
    expect(detectPii('Via Roma 10, card 4111111111111111', 'it', { minConfidence: 0.8 }).map((s: PiiSpan) => s.type)).toEqual(['card']);
    expect(detectPii('Via Roma 10, card 4111111111111111', 'it', { types: ['address'] }).map((s: PiiSpan) => s.type)).toEqual(['address']);
  });
});

describe('detectPii does not flag shop talk', () => {
  const negatives: Record<string, string[]> = {
    en: [
      'Order A1043 total $1,299.00 on 3/3/2026 at 10:30',
      'tracking 1Z999AA10123456784',
      'USPS 9400 1000 0000 0000 0000 00 and Amazon TBA123456789012',
      'SKU MO-SHIRT-BLU-M, SKU-12345, 2 x 59,90 €',
      'EAN 4006381333931',
      'date 2026-03-03, invoice 2026-0042-17, ref 2125551234',
      'I bought 2 shirts on the way home, 3 items in total, size EU 42',
      'I Waited 3 Days On The Way, Size 38 Way Too Small, Bought 2 Road Bikes',
      'card ending 1111, call 112',
      'card 4111 1111 1111 1112', // fails Luhn
      'IBAN DE89 3704 0044 0532 0130 01', // fails mod 97
    ],
    es: ['Pedido A1043 del 03/03/2026 por 1.299,00 €', 'mi pedido es 100234567', 'Correos PQ4F6P0701234560128001E', 'la calle y me dijeron que en 3 días', 'talla 42, 59,90 €'],
    fr: ['Commande A1043 du 03.03.2026, 1 299,00 €', 'facture 20260303', '3 cours de yoga, 2 places', 'colis 6A12345678901'],
    de: ['Ich hätte gern 2 Platz 3 Tickets', 'Bestellung A1043 vom 03.03.2026 über 59,90 €', 'Bestellnummer 1043556677', 'Datum 2026-03-03, 20260303', 'Lieferung am 03.03.2026, 20260303', 'am 03.03.2026 um 0930 Uhr', 'DHL JJD0123456789012345', 'Ohrring 585 Gold', 'PLZ 10115'],
    ja: ['注文番号A1043、合計12,800円、2026年3月3日', '追跡番号1234-5678-9012', '９号サイズを２つ', '日時 2026/03/03 10:30'],
    it: ['Ordine A1043 del 03/03/2026, totale 59,90 €', 'ti scrivo via email 2 volte', 'codice MO-SHIRT-BLU-M, taglia 42'],
    pt: ['Encomenda A1043 de 03/03/2026, total R$ 1.234,56', 'encomenda 912345678', 'CTT RR123456785PT'],
    zh: ['订单号20260303123，3月3号，¥12,800', '快递单号 SF1234567890123', '尺码42，2件', '运单号 773123456789012'],
  };

  it.each(Object.entries(negatives).flatMap(([lang, texts]) => texts.map((text) => [lang, text])))('%s: %s', (lang, text) => {
    expect(found(text, lang)).toEqual([]);
  });

  it('nor without a language (every launch region tried)', () => {
    for (const text of Object.values(negatives).flat()) expect([text, found(text)]).toEqual([text, []]);
  });

  it('returns nothing quickly for text without digits or @', () => {
    expect(detectPii('Hola, ¿dónde está mi pedido?', 'es')).toEqual([]);
    expect(detectPii('')).toEqual([]);
  });
});

describe('containsCardNumber', () => {
  it('sees a card number however it is written', () => {
    expect(containsCardNumber('my card is 4111111111111111')).toBe(true);
    expect(containsCardNumber('4111-1111-1111-1111')).toBe(true);
    expect(containsCardNumber('カード番号：４１１１　１１１１　１１１１　１１１１')).toBe(true);
    expect(containsCardNumber('卡号6200000000000005')).toBe(true);
  });

  it('does not see one in order numbers, tracking numbers or a Luhn failure', () => {
    expect(containsCardNumber('order A1043 / 1Z999AA10123456784')).toBe(false);
    expect(containsCardNumber('4111 1111 1111 1112')).toBe(false);
    expect(containsCardNumber('9400 1000 0000 0000 0000 00')).toBe(false);
    // Mixed separators are not how a card is written.
    expect(containsCardNumber('4111 1111-1111 1111')).toBe(false);
  });
});
