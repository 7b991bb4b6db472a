/**
 * Built-in word lists for the entity extractor: colours, size words, and the context words that tell an
 * order number from a tracking number or a phone number. Written in folded form where it matters (lower
 * case; accents may be kept, the matcher folds them away).
 */

/** English canonical colour values. */
export const COLORS = [
  'black', 'white', 'red', 'blue', 'navy', 'green', 'yellow', 'orange', 'pink', 'purple',
  'brown', 'gray', 'beige', 'gold', 'silver', 'burgundy', 'turquoise', 'khaki',
] as const;
export type Color = (typeof COLORS)[number];

/** `roj{o,a,os,as}` -> rojo roja rojos rojas; words separated by spaces or `|`. */
function expand(spec: string): string[] {
  const out: string[] = [];
  for (const word of spec.split('|')) {
    const match = /^(.*)\{([^}]*)\}(.*)$/.exec(word.trim());
    if (!match) {
      if (word.trim()) out.push(word.trim());
      continue;
    }
    for (const suffix of match[2]!.split(',')) out.push(`${match[1]}${suffix}${match[3]}`);
  }
  return out;
}

/** German adjective endings: blau, blaue, blauen, blauer, blaues, blauem. */
const de = (stem: string) => `${stem}{,e,en,er,es,em}`;

const COLOR_SPEC: Record<string, Partial<Record<Color, string>>> = {
  en: {
    black: 'black', white: 'white|off-white|off white', red: 'red|scarlet', blue: 'blue|light blue|sky blue|royal blue|baby blue',
    navy: 'navy|navy blue|dark blue', green: 'green|olive green|mint green|khaki green', yellow: 'yellow|mustard',
    orange: 'orange', pink: 'pink|rose pink|hot pink', purple: 'purple|violet|lilac|lavender', brown: 'brown|tan|camel|chocolate brown',
    gray: 'gray|grey|charcoal|light grey|dark grey|light gray|dark gray', beige: 'beige|ivory|ecru|cream-colored|cream coloured', gold: 'gold|golden',
    silver: 'silver', burgundy: 'burgundy|maroon|wine red', turquoise: 'turquoise|teal', khaki: 'khaki',
  },
  es: {
    black: 'negr{o,a,os,as}', white: 'blanc{o,a,os,as}', red: 'roj{o,a,os,as}', blue: 'azul|azules|celeste|celestes|azul claro',
    navy: 'azul marino|azul oscuro', green: 'verde|verdes|verde oliva', yellow: 'amarill{o,a,os,as}', orange: 'naranja|naranjas|anaranjad{o,a,os,as}',
    pink: 'rosa|rosas|rosad{o,a,os,as}', purple: 'morad{o,a,os,as}|violeta|violetas|lila|lilas', brown: 'marrón|marrones|castañ{o,a,os,as}',
    gray: 'gris|grises', beige: 'beige|beis|color crema', gold: 'dorad{o,a,os,as}', silver: 'plateado|plateada|plateados|plateadas',
    burgundy: 'burdeos|granate|granates', turquoise: 'turquesa|turquesas', khaki: 'caqui|kaki',
  },
  fr: {
    black: 'noir{,e,s,es}', white: 'blanc|blanche|blancs|blanches', red: 'rouge|rouges', blue: 'bleu{,e,s,es}|bleu clair|bleu ciel',
    navy: 'bleu marine|bleu foncé', green: 'vert{,e,s,es}', yellow: 'jaune|jaunes', orange: 'orange|oranges',
    pink: 'rose|roses', purple: 'violet{,te,s,tes}|mauve|mauves|lilas', brown: 'marron|marrons|brun{,e,s,es}|camel', gray: 'gris|grise|grises',
    beige: 'beige|beiges|écru', gold: 'doré{,e,s,es}', silver: 'argenté{,e,s,es}', burgundy: 'bordeaux', turquoise: 'turquoise|turquoises',
    khaki: 'kaki',
  },
  de: {
    black: de('schwarz'), white: `${de('weiß')}|${de('weiss')}`, red: `${de('rot')}|weinrot`, blue: `${de('blau')}|${de('hellblau')}`,
    navy: `${de('dunkelblau')}|${de('marineblau')}|navy`, green: `${de('grün')}|${de('gruen')}|oliv`, yellow: de('gelb'), orange: 'orange|orangefarben|orangefarbene|orangefarbenen',
    pink: 'pink|rosa|rosé', purple: `lila|${de('violett')}`, brown: de('braun'), gray: de('grau'), beige: 'beige|cremefarben', gold: `gold|${de('golden')}`,
    silver: `silber|${de('silbern')}|silberne|silbernen`, burgundy: 'bordeaux|bordeauxrot', turquoise: 'türkis', khaki: 'khaki',
  },
  it: {
    black: 'ner{o,a,i,e}', white: 'bianc{o,a,hi,he}', red: 'ross{o,a,i,e}', blue: 'blu|azzurr{o,a,i,e}|celeste|celesti', navy: 'blu navy|blu scuro|blu notte',
    green: 'verde|verdi', yellow: 'giall{o,a,i,e}', orange: 'arancione|arancioni|arancio', pink: 'rosa', purple: 'viola|lilla', brown: 'marrone|marroni',
    gray: 'grigi{o,a,e}|grigi', beige: 'beige|color panna', gold: 'oro|dorat{o,a,i,e}', silver: 'argento|argentat{o,a,i,e}', burgundy: 'bordeaux|bordò',
    turquoise: 'turchese|turchesi', khaki: 'cachi|kaki',
  },
  pt: {
    black: 'pret{o,a,os,as}', white: 'branc{o,a,os,as}', red: 'vermelh{o,a,os,as}', blue: 'azul|azuis|azul claro|azul-claro|azul bebê|azul bebé',
    navy: 'azul-marinho|azul marinho|azul escuro', green: 'verde|verdes', yellow: 'amarel{o,a,os,as}', orange: 'laranja|laranjas',
    pink: 'rosa|rosas|cor-de-rosa|cor de rosa', purple: 'rox{o,a,os,as}|lilás|violeta', brown: 'marrom|marrons|castanh{o,a,os,as}', gray: 'cinza|cinzas|cinzent{o,a,os,as}',
    beige: 'bege|beges|cor creme', gold: 'dourad{o,a,os,as}', silver: 'pratead{o,a,os,as}', burgundy: 'bordô|cor de vinho', turquoise: 'turquesa', khaki: 'cáqui',
  },
  // Single-kanji colours (赤, 白, …) are matched by a separate rule: as substrings they hide in other words (面白い, 赤ちゃん).
  ja: {
    black: 'ブラック|黒色', white: 'ホワイト|白色|オフホワイト', red: 'レッド|赤色|真っ赤', blue: 'ブルー|青色|水色|ライトブルー|スカイブルー',
    navy: 'ネイビー|紺色|ダークブルー', green: 'グリーン|緑色|オリーブ|ミントグリーン', yellow: 'イエロー|黄色|きいろ', orange: 'オレンジ|橙色',
    pink: 'ピンク|桃色', purple: 'パープル|紫色|ラベンダー|バイオレット', brown: 'ブラウン|茶色|キャメル', gray: 'グレー|グレイ|灰色|チャコール',
    beige: 'ベージュ|アイボリー|クリーム色', gold: 'ゴールド|金色', silver: 'シルバー|銀色', burgundy: 'ボルドー|ワインレッド|えんじ色',
    turquoise: 'ターコイズ', khaki: 'カーキ',
  },
  zh: {
    black: '黑色', white: '白色|米白色', red: '红色|紅色|大红色|大紅色', blue: '蓝色|藍色|浅蓝色|淺藍色|天蓝色|天藍色|宝蓝色|寶藍色',
    navy: '藏青色|藏青|海军蓝|海軍藍|深蓝色|深藍色', green: '绿色|綠色|军绿色|軍綠色', yellow: '黄色|黃色', orange: '橙色|橘色',
    pink: '粉色|粉红色|粉紅色', purple: '紫色', brown: '棕色|咖啡色|褐色|驼色|駝色', gray: '灰色|深灰色|浅灰色|淺灰色',
    beige: '米色|杏色', gold: '金色', silver: '银色|銀色', burgundy: '酒红色|酒紅色', turquoise: '青绿色|青綠色', khaki: '卡其色',
  },
};

export function colorEntries(lang: string): [string, Color][] {
  const spec = COLOR_SPEC[lang];
  if (!spec) return [];
  const entries: [string, Color][] = [];
  for (const [color, words] of Object.entries(spec) as [Color, string][]) for (const word of expand(words)) entries.push([word, color]);
  return entries;
}

/** Japanese single-kanji colours, only when followed by a colour ending (い, 色, の, …) and not inside a longer kanji word. */
export const JA_KANJI_COLOR: Readonly<Record<string, Color>> = { 黒: 'black', 白: 'white', 赤: 'red', 青: 'blue', 緑: 'green', 紫: 'purple', 紺: 'navy' };
export const JA_KANJI_COLOR_RE = /(?<![\p{sc=Han}々])([黒白赤青緑紫紺])(?=[いかくの系地がはをもっでとにやへ]|$|[\s、。！？!?）)])/gu;
/** Chinese one-character colour + 的 ("要蓝的"), except where the character ends another word (明白的, 网红的). */
export const ZH_COLOR_DE: Readonly<Record<string, Color>> = { 黑: 'black', 白: 'white', 红: 'red', 紅: 'red', 蓝: 'blue', 藍: 'blue', 绿: 'green', 綠: 'green', 黄: 'yellow', 黃: 'yellow', 灰: 'gray', 紫: 'purple', 粉: 'pink' };
export const ZH_COLOR_DE_RE = /(?<![明坦空告表洁潔雪苍蒼网網走眼火通天漆乌烏漂])([黑白红紅蓝藍绿綠黄黃灰紫粉])(?=的)/gu;

/** Words that introduce an order number (folded; ja/zh match as substrings). */
export const ORDER_CONTEXT =
  /(?:\b(?:orders?|ordered|order#|purchase|pedidos?|commandes?|bestell\w*|auftrag\w*|ordine|ordini|ordinazione|encomendas?|compra)\b|注文|受注|オーダー|订单|訂單|单号|單號|订购|訂購|下单|下單)/;
/** Words that introduce a tracking number: tracking words and carriers. */
export const TRACKING_CONTEXT =
  /(?:\b(?:track\w*|shipment|parcel|package|carrier|waybill|ups|dhl|fedex|usps|royal mail|correos|ctt|seur|mrw|gls|dpd|hermes|colissimo|chronopost|la poste|poste italiane|brt|sda|sendung\w*|paket\w*|seguimiento|rastreo|envio|suivi|colis|spedizione|tracciamento|pacco|rastreio|rastreamento|sedex|objeto)\b|追跡|伝票|送り状|問い合わせ番号|お問合せ番号|ヤマト|佐川|日本郵便|ゆうパック|快递|快遞|运单|運單|物流|顺丰|順豐|邮政|郵政|包裹|中通|圆通|申通|韵达)/;
/** Words that say a number is a phone number. */
export const PHONE_CONTEXT =
  /(?:\b(?:call|phone|tel|telephone|mobile|cell|whatsapp|sms|text me|llam\w*|telefono|movil|celular|appel\w*|portable|telephone|anruf\w*|telefon\w*|handy|ruf|chiam\w*|cellulare|ligar|telemovel)\b|電話|携帯|ケータイ|电话|電話|手机|手機)/;

/** Size words after a size keyword ("talla mediana") -> letter size. */
export const SIZE_WORDS: Readonly<Record<string, string>> = {
  'extra small': 'XS', 'x-small': 'XS', small: 'S', medium: 'M', large: 'L', 'extra large': 'XL', 'x-large': 'XL',
  chica: 'S', pequena: 'S', pequeno: 'S', mediana: 'M', mediano: 'M', grande: 'L', 'extra grande': 'XL',
  petite: 'S', petit: 'S', moyenne: 'M', moyen: 'M', grand: 'L',
  klein: 'S', mittel: 'M', gross: 'L', 'große': 'L', 'grosse': 'L',
  piccola: 'S', piccolo: 'S', media: 'M', medio: 'M',
};
