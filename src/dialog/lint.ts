import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalogs } from '../i18n/catalog.js';
import type { Dialog, Step } from './types.js';

/**
 * Static checks and diagrams for dialogs. Transitions are read from the steps' code (the step names
 * passed to goto/wait/begin), which is what a designer writes; dynamic names cannot be followed and are
 * reported as such.
 */

export interface StepEdges {
  goto: string[];
  wait: string[];
  /** Dialogs begun from this step, with the step to come back to. */
  begin: { dialog: string; then?: string }[];
  ends: boolean;
  /** Waits at itself (a prompt, retry or stay). */
  waitsHere: boolean;
  prompt: boolean;
}

export type DialogGraph = Record<string, StepEdges>;

function sourcesOf(step: Step): string {
  const parts = [step.toString()];
  for (const value of Object.values(step.prompt ?? {})) if (typeof value === 'function') parts.push(value.toString());
  return parts.join('\n');
}

const quoted = String.raw`['"\x60]([\w-]+)['"\x60]`;
const GOTO = new RegExp(String.raw`\.goto\(\s*${quoted}`, 'g');
const WAIT = new RegExp(String.raw`\.wait\(\s*${quoted}`, 'g');
const BEGIN = new RegExp(String.raw`\.begin\(\s*(?:${quoted}|([A-Z_][A-Z0-9_]*))(?:\s*,[^,)]*(?:,\s*${quoted})?)?`, 'g');

export function dialogGraph(dialog: Dialog): DialogGraph {
  const graph: DialogGraph = {};
  for (const [name, step] of Object.entries(dialog.steps)) {
    const source = sourcesOf(step);
    graph[name] = {
      goto: [...source.matchAll(GOTO)].map((m) => m[1] as string).concat(step.leadsTo ?? []),
      wait: [...source.matchAll(WAIT)].map((m) => m[1] as string),
      begin: [...source.matchAll(BEGIN)].map((m) => ({ dialog: (m[1] ?? m[2]) as string, ...(m[3] ? { then: m[3] } : {}) })),
      ends: /\.end\(\)/.test(source),
      waitsHere: step.prompt !== undefined || /\.(retry|stay)\(\)/.test(source),
      prompt: step.prompt !== undefined,
    };
  }
  return graph;
}

export interface LintFinding {
  dialog: string;
  level: 'error' | 'warning';
  message: string;
}

/** Steps no path from the start reaches, transitions to missing steps, prompts that never retry, catalog keys missing in a language. */
export function lintDialog(dialog: Dialog, options: { catalogs: Catalogs; languages: readonly string[]; sourceDir?: string }): LintFinding[] {
  const findings: LintFinding[] = [];
  const graph = dialogGraph(dialog);
  const names = new Set(Object.keys(dialog.steps));
  const report = (level: LintFinding['level'], message: string) => findings.push({ dialog: dialog.id, level, message });

  for (const [name, edges] of Object.entries(graph)) {
    for (const target of [...edges.goto, ...edges.wait, ...edges.begin.flatMap((b) => (b.then ? [b.then] : []))]) {
      if (!names.has(target)) report('error', `step "${name}" leads to "${target}", which is not a step of this dialog`);
    }
    const step = dialog.steps[name] as Step;
    if (step.prompt && step.prompt.maxRetries === 0) report('warning', `prompt "${name}" has maxRetries 0: a misunderstood answer is not asked again`);
    if (!step.prompt && edges.wait.includes(name) && !edges.waitsHere) report('warning', `step "${name}" waits for an answer without a prompt: nothing validates or re-asks`);
  }

  const reached = new Set<string>([dialog.start]);
  const queue = [dialog.start];
  while (queue.length > 0) {
    const edges = graph[queue.pop() as string];
    if (!edges) continue;
    for (const next of [...edges.goto, ...edges.wait, ...edges.begin.flatMap((b) => (b.then ? [b.then] : []))]) {
      if (names.has(next) && !reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  // Helper functions outside the steps (called by them) may name steps too: those count as reached.
  const named = options.sourceDir ? transitionsIn(options.sourceDir) : new Set<string>();
  for (const name of names) if (!reached.has(name) && !named.has(name)) report('warning', `step "${name}" is not reachable from "${dialog.start}" (or only through a step name built at run time)`);

  if (options.sourceDir) {
    for (const key of catalogKeysIn(options.sourceDir)) {
      // A key used with a count may exist only in its CLDR plural forms (key.one, key.other).
      const missing = options.languages.filter((lang) => {
        const catalog = options.catalogs.get(lang);
        return catalog?.[key] === undefined && catalog?.[`${key}.other`] === undefined;
      });
      if (missing.length > 0) report('error', `catalog key "${key}" is missing in ${missing.join(', ')}`);
    }
  }
  return findings;
}

/** The source files of a dialog folder (code only, no tests or declarations). */
function sourceTexts(dir: string): string[] {
  const texts: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ts|js)$/.test(entry) && !/\.test\.|\.d\.ts$/.test(entry)) texts.push(readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return texts;
}

/** Literal catalog keys a dialog's source files use: t('key') and t("key"). */
export function catalogKeysIn(dir: string): string[] {
  const keys = new Set<string>();
  for (const text of sourceTexts(dir)) for (const match of text.matchAll(/\bt\(\s*['"]([\w.#-]+)['"]/g)) keys.add(match[1] as string);
  return [...keys].sort();
}

/** Step names that goto/wait/begin(..., then) name anywhere in a dialog's source files. */
function transitionsIn(dir: string): Set<string> {
  const names = new Set<string>();
  for (const text of sourceTexts(dir)) {
    for (const match of text.matchAll(GOTO)) names.add(match[1] as string);
    for (const match of text.matchAll(WAIT)) names.add(match[1] as string);
    for (const match of text.matchAll(/\.begin\([^;]*?,\s*['"]([\w-]+)['"]\s*\)/g)) names.add(match[1] as string);
  }
  return names;
}

/** A Mermaid flowchart of a dialog: steps, transitions, prompts (rounded) and dialogs begun. */
export function dialogMermaid(dialog: Dialog): string {
  const graph = dialogGraph(dialog);
  const id = (step: string) => `${dialog.id.replace(/\W/g, '_')}_${step.replace(/\W/g, '_')}`;
  const lines = ['flowchart TD', `  start((start)) --> ${id(dialog.start)}`];
  for (const [name, edges] of Object.entries(graph)) {
    lines.push(edges.prompt ? `  ${id(name)}(["${name} (prompt)"])` : `  ${id(name)}["${name}"]`);
    for (const target of new Set(edges.goto)) lines.push(`  ${id(name)} --> ${id(target)}`);
    for (const target of new Set(edges.wait)) if (target !== name) lines.push(`  ${id(name)} -. waits .-> ${id(target)}`);
    if (edges.waitsHere) lines.push(`  ${id(name)} -. re-asks .-> ${id(name)}`);
    for (const begun of edges.begin) {
      lines.push(`  ${id(name)} == begins ==> ${begun.dialog.replace(/\W/g, '_')}[["${begun.dialog}"]]`);
      if (begun.then) lines.push(`  ${begun.dialog.replace(/\W/g, '_')} -. then .-> ${id(begun.then)}`);
    }
    if (edges.ends) lines.push(`  ${id(name)} --> done((end))`);
  }
  return lines.join('\n');
}
