import * as chrono from 'chrono-node';

/**
 * Dates through chrono-node's parser for the message's language, relative to the injected clock and in
 * the shop's time zone ("yesterday" at 08:30 in Tokyo is still the day before in Tokyo, whatever the
 * server's zone). chrono is the most expensive extractor (15–30 µs a call), so it runs only when the
 * folded text has a date word of that language or a date-like number shape.
 */

type Parser = Pick<chrono.Chrono, 'parse'>;

const PARSERS: Readonly<Record<string, Parser>> = {
  en: chrono.en.casual,
  es: chrono.es.casual,
  fr: chrono.fr.casual,
  de: chrono.de.casual,
  ja: chrono.ja.casual,
  it: chrono.it.casual,
  pt: chrono.pt.casual,
  zh: chrono.zh.casual,
};

/** Date words per language (folded: lower case, no accents). */
const HINTS: Readonly<Record<string, RegExp>> = {
  en: /\b(?:today|tonight|tomorrow|yesterday|ago|mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday|jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december|week|weekend|month)\b/,
  es: /\b(?:hoy|manana|ayer|anteayer|anoche|pasado|lunes|martes|miercoles|jueves|viernes|sabado|domingo|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|semana|mes|hace)\b/,
  fr: /\b(?:aujourd'hui|demain|hier|avant-hier|apres-demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|semaine|mois|il y a)\b/,
  de: /\b(?:heute|morgen|gestern|vorgestern|ubermorgen|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|januar|jan|februar|feb|marz|april|mai|juni|juli|august|september|oktober|november|dezember|woche|monat|vor \d+)\b/,
  it: /\b(?:oggi|domani|ieri|dopodomani|altroieri|lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre|settimana|mese|fa)\b/,
  pt: /\b(?:hoje|amanha|ontem|anteontem|segunda|terca|quarta|quinta|sexta|sabado|domingo|janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|semana|mes|atras)\b/,
  ja: /今日|明日|昨日|一昨日|明後日|曜日|先週|来週|今週|先月|来月|今月|\d+\s*[月日]/,
  zh: /今天|明天|昨天|前天|后天|後天|星期|礼拜|禮拜|周[一二三四五六日天]|週[一二三四五六日天]|上周|下周|上週|下週|上个月|下个月|\d+\s*[月日号號]|[一二三四五六七八九十]+月/,
};
/** Numeric dates in any language: 3/3, 03.03., 2026-03-03, 3rd. */
const NUMERIC_HINT = /\d{1,4}\s?[/.-]\s?\d{1,2}|\d(?:st|nd|rd|th)\b/;

export interface DateMatch {
  start: number;
  end: number;
  /** YYYY-MM-DD */
  value: string;
}

export interface DateOptions {
  referenceDate?: () => Date;
  /** IANA zone ('Europe/Berlin'); default: the process's zone. */
  timeZone?: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC for `timeZone` at `instant` (chrono wants an offset, not a zone name). */
export function zoneOffsetMinutes(timeZone: string, instant: Date): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

const pad = (n: number) => String(n).padStart(2, '0');

const WINDOW = 30;
const FRACTION_GARMENT = /^\s?-?\s?(?:sleeve|arm|armel|manga|manche|manica|length|lange|lang|largo|longueur|lunghezza|pants|trousers|jeans|hose|pantalon|袖|丈)/;
const HINTS_G = new Map(Object.entries(HINTS).map(([lang, re]) => [lang, new RegExp(re.source, 'g')]));
const NUMERIC_HINT_G = new RegExp(NUMERIC_HINT.source, 'g');

/** Text ranges around the date hints, merged; chrono parses only these (its cost grows with the text). */
function windows(folded: string, lang: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const re of [HINTS_G.get(lang) ?? HINTS_G.get('en')!, NUMERIC_HINT_G]) {
    re.lastIndex = 0;
    for (let m = re.exec(folded); m !== null; m = re.exec(folded)) ranges.push([m.index, m.index + m[0].length]);
  }
  if (ranges.length === 0) return ranges;
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of ranges) {
    let start = Math.max(0, from - WINDOW);
    let end = Math.min(folded.length, to + WINDOW);
    // Do not cut a word in two.
    while (start > 0 && folded[start - 1] !== ' ') start--;
    while (end < folded.length && folded[end] !== ' ') end++;
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

export function createDateFinder(options: DateOptions) {
  const now = options.referenceDate ?? (() => new Date());
  if (options.timeZone) zoneOffsetMinutes(options.timeZone, new Date()); // fail fast on an unknown zone
  /** `text` and `folded` have the same length; `folded` is lower case without accents, for the hints. */
  return (text: string, folded: string, lang: string): DateMatch[] => {
    const ranges = windows(folded, lang);
    if (ranges.length === 0) return [];
    const parser = PARSERS[lang] ?? PARSERS['en']!;
    const instant = now();
    const reference = { instant, timezone: options.timeZone ? zoneOffsetMinutes(options.timeZone, instant) : undefined };
    const out: DateMatch[] = [];
    for (const [from, to] of ranges) {
      for (const result of parser.parse(text.slice(from, to), reference)) {
        const start = result.start;
        // A time alone ("at 3pm") is not a date; three letters alone are usually a word ("mar" = sea in Spanish, "sun").
        if (!start.isCertain('day') && !start.isCertain('weekday')) continue;
        if (/^\p{Script=Latin}{1,3}$/u.test(result.text)) continue;
        // 3/4 and 7/8 are also sleeve and trouser lengths.
        if (/^\d\/\d$/.test(result.text) && FRACTION_GARMENT.test(folded.slice(from + result.index + result.text.length))) continue;
        const year = start.get('year');
        const month = start.get('month');
        const day = start.get('day');
        if (year === null || month === null || day === null) continue;
        const at = from + result.index;
        out.push({ start: at, end: at + result.text.length, value: `${year}-${pad(month)}-${pad(day)}` });
      }
    }
    return out;
  };
}
