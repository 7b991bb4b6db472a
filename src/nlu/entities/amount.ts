/**
 * Money amounts: a number with a currency symbol, code or word before or after it (€12.50, 12,50 €,
 * R$ 49,90, CHF 20.–, 3.000 yenes, 3000円, 1万円, 100元, 50 euros). A number without a currency counts only
 * when it has cents and a money word comes just before it ("I paid 59.90", "me cobraron 49,90"): then
 * the currency is the shop's default, or null. "12.50" alone may be a time, a size or a quantity.
 *
 * Decimal commas vs thousands separators: one rule works for every launch language because prices have
 * at most two decimals. The last separator followed by one or two digits is the decimal mark; a
 * separator followed by exactly three digits groups thousands ("3.000 yenes" = 3000, "¥3,000" = 3000,
 * "1.234,56 €" = 1234.56, "$1,234.56" = 1234.56, "1 299,99 €" = 1299.99).
 */

const NUM = String.raw`(?:\d{1,3}(?:[.,'’\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?!\d)`;
const PREFIX = String.raw`US\$|U\$S|CA\$|C\$|AU\$|A\$|MX\$|NZ\$|HK\$|NT\$|S\$|R\$|\$|€|£|¥|￥|₩|₹|CHF|SFr\.|Fr\.|EUR|USD|GBP|JPY|CNY|RMB|BRL|MXN|CAD|AUD|HKD|TWD|KRW|INR|ARS|CLP|COP`;
const SUFFIX = [
  '€', String.raw`\$`, '£', '¥', '￥', '円', '元', '块', '塊', '人民币', '人民幣', '日元', '日圓', '美元', '美金', '欧元', '歐元', '英镑', '英鎊',
  '港币', '港幣', 'ドル', 'ユーロ', 'ポンド', '人民元', 'euros?', 'eur', 'dollars?', 'd[oó]lar(?:es)?', 'dollari', 'dollaro', 'usd', 'pounds?',
  'libras? esterlinas?', 'livres? sterling', 'sterlin[ae]', 'gbp', 'yen(?:es)?', 'jpy', 'rmb', 'cny', 'yuan', 'reais', 'real', 'brl',
  'francs?', 'franken', 'franchi', 'francos?', 'chf', 'pesos?', 'mxn', 'cad', 'aud',
].join('|');
const MULTIPLIER = '万|萬|千';
const DASH = String.raw`(?:[.,][-–—]{1,2})`;

const AMOUNT_RE = new RegExp(
  String.raw`(?<![A-Za-zÀ-ɏ\d]|\d[.,])(?:(${PREFIX})\s?(${NUM})${DASH}?|(${NUM})\s?(${MULTIPLIER})?\s?(${SUFFIX})(?![A-Za-zÀ-ɏ]))`,
  'giu',
);

const DOLLARS = new Set(['USD', 'CAD', 'AUD', 'NZD', 'HKD', 'SGD', 'TWD', 'MXN', 'ARS', 'CLP', 'COP']);
const PESOS = new Set(['MXN', 'ARS', 'CLP', 'COP', 'UYU', 'PHP', 'DOP']);

const FIXED: Readonly<Record<string, string>> = {
  'us$': 'USD', u$s: 'USD', 'ca$': 'CAD', c$: 'CAD', 'au$': 'AUD', a$: 'AUD', 'mx$': 'MXN', 'nz$': 'NZD', 'hk$': 'HKD', 'nt$': 'TWD',
  's$': 'SGD', 'r$': 'BRL', '€': 'EUR', '£': 'GBP', '₩': 'KRW', '₹': 'INR', 'sfr.': 'CHF', 'fr.': 'CHF', '円': 'JPY', '元': 'CNY',
  块: 'CNY', 塊: 'CNY', 人民币: 'CNY', 人民幣: 'CNY', 人民元: 'CNY', 日元: 'JPY', 日圓: 'JPY', 美元: 'USD', 美金: 'USD', 欧元: 'EUR', 歐元: 'EUR',
  英镑: 'GBP', 英鎊: 'GBP', 港币: 'HKD', 港幣: 'HKD', ドル: 'USD', ユーロ: 'EUR', ポンド: 'GBP', euro: 'EUR', euros: 'EUR', pound: 'GBP',
  pounds: 'GBP', sterline: 'GBP', sterlina: 'GBP', yen: 'JPY', yenes: 'JPY', yuan: 'CNY', rmb: 'CNY', reais: 'BRL', real: 'BRL',
  franken: 'CHF', franchi: 'CHF',
};

export interface AmountValue {
  amount: number;
  currency: string | null;
}

export interface AmountMatch {
  start: number;
  end: number;
  value: AmountValue;
}

function currencyOf(unit: string, lang: string, defaultCurrency: string | undefined): string | null {
  const key = unit.toLowerCase().replace(/\s+/g, ' ');
  const fixed = FIXED[key];
  if (fixed) return fixed;
  if (/^[a-z]{3}$/.test(key)) return key.toUpperCase();
  // "$" and "dollars" are the shop's own dollar (or peso written with $) when it has one, else US dollars.
  if (key === '$' || key.startsWith('dollar') || key.startsWith('dólar') || key.startsWith('dolar')) {
    return defaultCurrency && DOLLARS.has(defaultCurrency) ? defaultCurrency : 'USD';
  }
  // ¥ is yen in Japan and yuan in China.
  if (key === '¥' || key === '￥') {
    if (lang === 'zh') return 'CNY';
    if (lang === 'ja') return 'JPY';
    return defaultCurrency === 'CNY' ? 'CNY' : 'JPY';
  }
  if (key.startsWith('libra') || key.startsWith('livre')) return 'GBP';
  if (key.startsWith('franc')) return defaultCurrency === 'XOF' || defaultCurrency === 'XAF' ? defaultCurrency : 'CHF';
  // Several countries write "pesos"; without a peso shop currency we cannot tell which.
  if (key.startsWith('peso')) return defaultCurrency && PESOS.has(defaultCurrency) ? defaultCurrency : null;
  return null;
}

/** Parses "1.234,56", "3.000", "12,5", "1 299,99" per the rule in the module comment. */
export function parseAmountNumber(raw: string): number {
  const compact = raw.replace(/[\s\u00a0\u202f'’]/g, '');
  const last = Math.max(compact.lastIndexOf('.'), compact.lastIndexOf(','));
  if (last === -1) return Number(compact);
  const decimals = compact.length - last - 1;
  if (decimals === 3) return Number(compact.replace(/[.,]/g, ''));
  return Number(`${compact.slice(0, last).replace(/[.,]/g, '')}.${compact.slice(last + 1)}`);
}

const BARE_NUMBER_RE = /(?<![\d.,/A-Za-z€$£¥])(\d{1,3}(?:[.,]\d{3})+[.,]\d{2}|\d+[.,]\d{2})(?![.,/]?\d|\s?%|[A-Za-z])/g;
/** Money words (folded), at the end of the text before a bare number. */
const MONEY_BEFORE =
  /(?:\b(?:paid|pay|charged?|refund(?:ed)?|costs?|price|total|pague|pagado|cobrad[oa]s?|cobraron|cobro|reembolso|precio|importe|paye|payee|facture|debite|rembourse(?:ment)?|prix|montant|bezahlt|berechnet|abgebucht|preis|betrag|erstattung|pagato|addebitat[oi]|rimborso|prezzo|importo|paguei|pago|cobraram|preco|valor)\b|払|支払|請求|返金|価格|金額|付了|付款|扣了|退款|价格|價格|金额)[^.!?。！？\d]{0,12}$/;
const DATE_BEFORE = /\b(?:on|am|le|el|il|em|del|du|vom|dal|since|desde|depuis|seit|at|um|a las|alle|as)\s*$/;

/** Finds amounts in width-folded text (`folded` is the same text folded by foldText, for the money words). */
export function findAmounts(text: string, folded: string, lang: string, defaultCurrency: string | undefined): AmountMatch[] {
  if (!/\d/.test(text)) return [];
  const out: AmountMatch[] = [];
  AMOUNT_RE.lastIndex = 0;
  for (let m = AMOUNT_RE.exec(text); m !== null; m = AMOUNT_RE.exec(text)) {
    const unit = (m[1] ?? m[5])!;
    const lowerUnit = unit.toLowerCase();
    // "real" and "pounds" are ordinary words outside Portuguese and English.
    if (lowerUnit === 'real' && lang !== 'pt') continue;
    if (lowerUnit.startsWith('pound') && lang !== 'en') continue;
    let amount = parseAmountNumber((m[2] ?? m[3])!);
    if (m[4]) amount *= m[4] === '千' ? 1000 : 10000;
    if (!Number.isFinite(amount)) continue;
    out.push({
      start: m.index,
      end: m.index + m[0].length,
      value: { amount: Math.round(amount * 100) / 100, currency: currencyOf(unit, lang, defaultCurrency) },
    });
  }
  BARE_NUMBER_RE.lastIndex = 0;
  for (let m = BARE_NUMBER_RE.exec(text); m !== null; m = BARE_NUMBER_RE.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (out.some((a) => a.start < end && start < a.end)) continue;
    const before = folded.slice(Math.max(0, start - 30), start);
    if (!MONEY_BEFORE.test(before) || DATE_BEFORE.test(before)) continue;
    out.push({ start, end, value: { amount: parseAmountNumber(m[0]), currency: defaultCurrency ?? null } });
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}
