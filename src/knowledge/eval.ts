/**
 * Retrieval evaluation on a JSONL article file and a JSONL question file ({text, lang, article}):
 * recall@1, recall@3 and MRR per language, for the questions whose language has the gold article's
 * text ("translated") and for those where it does not ("cross-lingual"), plus the query cost.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { formatTable, type EvalSummary } from '../nlu/eval/report.js';
import { MeridianError } from '../core/errors.js';
import { importArticles } from './import-export.js';
import { createKnowledgeIndex, type KnowledgeIndexOptions } from './search.js';
import { articleText } from './types.js';

export interface KbQuestion {
  text: string;
  lang: string;
  article: string;
}

export interface KbEvalOptions {
  /** JSONL (or any importable) articles. */
  articles: string;
  /** JSONL questions: {text (or question), lang, article}. */
  questions: string;
  /** Index options (for experiments); default: the shipped vocabulary and weights. */
  index?: KnowledgeIndexOptions;
}

export interface KbQuestionResult {
  question: KbQuestion;
  crossLingual: boolean;
  /** 1-based rank of the gold article, or undefined when it is not among the results. */
  rank: number | undefined;
  top: string | undefined;
  confidence: number;
}

export function readQuestions(path: string): KbQuestion[] {
  const out: KbQuestion[] = [];
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((line, index) => {
      if (line.trim() === '') return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch (cause) {
        throw new MeridianError('invalid_request', `${path}:${index + 1}: not valid JSON`, { cause });
      }
      // "question" is accepted for "text".
      const q = row as Partial<KbQuestion> & { question?: unknown };
      const text = q.text ?? q.question;
      if (typeof text !== 'string' || typeof q.lang !== 'string' || typeof q.article !== 'string') {
        throw new MeridianError('invalid_request', `${path}:${index + 1}: expected {"text", "lang", "article"}`);
      }
      out.push({ text, lang: q.lang, article: q.article });
    });
  return out;
}

export async function evalKb(options: KbEvalOptions): Promise<{ table: string; summary: EvalSummary; results: KbQuestionResult[] }> {
  const articles = importArticles(options.articles);
  const questions = readQuestions(options.questions);
  const byId = new Map(articles.map((a) => [a.id, a]));
  const index = createKnowledgeIndex(articles, options.index);

  // One untimed pass first, so the timings are of a warm process (as in a running server).
  for (const question of questions) index.search(question.text, question.lang, { limit: articles.length });
  const results: KbQuestionResult[] = [];
  const times: number[] = [];
  for (const question of questions) {
    const gold = byId.get(question.article);
    if (!gold) throw new MeridianError('invalid_request', `${options.questions}: question "${question.text}" names unknown article ${question.article}`);
    const started = performance.now();
    const hits = index.search(question.text, question.lang, { limit: articles.length });
    times.push(performance.now() - started);
    const at = hits.findIndex((h) => h.articleId === question.article);
    results.push({
      question,
      crossLingual: articleText(gold, question.lang) === undefined,
      rank: at < 0 ? undefined : at + 1,
      top: hits[0]?.articleId,
      confidence: hits[0]?.confidence ?? 0,
    });
  }

  const stats = (subset: KbQuestionResult[]) => {
    const n = subset.length;
    const at = (k: number) => (n === 0 ? 0 : subset.filter((r) => r.rank !== undefined && r.rank <= k).length / n);
    const mrr = n === 0 ? 0 : subset.reduce((sum, r) => sum + (r.rank ? 1 / r.rank : 0), 0) / n;
    return { n, r1: at(1), r3: at(3), mrr };
  };
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const languages = [...new Set(questions.map((q) => q.lang))];
  const rows: (string | number)[][] = [];
  const perLanguage: Record<string, number> = {};
  for (const lang of languages) {
    const s = stats(results.filter((r) => r.question.lang === lang));
    perLanguage[lang] = s.r1;
    rows.push([lang, s.n, pct(s.r1), pct(s.r3), s.mrr.toFixed(3)]);
  }
  const translated = stats(results.filter((r) => !r.crossLingual));
  const cross = stats(results.filter((r) => r.crossLingual));
  const all = stats(results);
  rows.push(['translated', translated.n, pct(translated.r1), pct(translated.r3), translated.mrr.toFixed(3)]);
  rows.push(['cross-lingual', cross.n, pct(cross.r1), pct(cross.r3), cross.mrr.toFixed(3)]);
  rows.push(['all', all.n, pct(all.r1), pct(all.r3), all.mrr.toFixed(3)]);

  const sorted = [...times].sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const p50Ms = quantile(0.5);
  const p95Ms = quantile(0.95);
  const table = `${formatTable(['language', 'n', 'r@1', 'r@3', 'MRR'], rows)}\nquery time (warm): p50 ${p50Ms.toFixed(3)} ms, p95 ${p95Ms.toFixed(3)} ms (${articles.length} articles)`;
  const summary: EvalSummary = {
    task: 'kb',
    n: all.n,
    overall: all.r1,
    perLanguage,
    recallAt1: all.r1,
    recallAt3: all.r3,
    mrr: all.mrr,
    translatedRecallAt1: translated.r1,
    translatedRecallAt3: translated.r3,
    crossLingualN: cross.n,
    crossLingualRecallAt1: cross.r1,
    crossLingualRecallAt3: cross.r3,
    p50Ms,
    p95Ms,
  };
  return { table, summary, results };
}
