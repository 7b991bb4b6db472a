import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Bot } from '../bot.js';
import { CHANNELS, type RenderedMessage } from '../core/activity.js';
import { normalizeSenderId } from '../core/address.js';
import { renderForCapabilities } from '../core/capabilities.js';
import { MeridianError, describeError } from '../core/errors.js';

/**
 * Transcript tests a designer writes without code: a channel, a sender, optional locale, shop file and
 * clock, then `user:` lines with expectations on the bot's replies.
 */
const expectation = z
  .object({
    contains: z.union([z.string(), z.array(z.string())]).optional(),
    not_contains: z.union([z.string(), z.array(z.string())]).optional(),
    regex: z.union([z.string(), z.array(z.string())]).optional(),
    buttons: z.array(z.string()).optional(),
    no_buttons: z.boolean().optional(),
    handoff: z.boolean().optional(),
    locale: z.string().optional(),
    replies: z.number().int().min(0).optional(),
  })
  .strict();

const turnSchema = z.object({ user: z.string(), bot: expectation.optional() }).strict();

const transcriptSchema = z
  .object({
    name: z.string().min(1),
    channel: z.enum(CHANNELS).default('webchat'),
    from: z.string().min(1).default('transcript-user'),
    locale: z.string().optional(),
    shop: z.string().optional(),
    now: z.string().datetime({ offset: true }).optional(),
    turns: z.array(turnSchema).min(1),
  })
  .strict();

const manySchema = z.object({ transcripts: z.array(transcriptSchema).min(1) }).strict();

export type Transcript = z.infer<typeof transcriptSchema>;
export type TurnExpectation = z.infer<typeof expectation>;

/** What a transcript needs from the bot it runs against. */
export interface TranscriptEnvironment {
  shop?: string;
  /** Epoch milliseconds. */
  now?: number;
}

export type BotFactory = (environment: TranscriptEnvironment) => Promise<Bot>;

export interface TurnFailure {
  turn: number;
  user: string;
  problems: string[];
  replies: string[];
}

export interface TranscriptResult {
  file: string;
  name: string;
  passed: boolean;
  failures: TurnFailure[];
  error?: string;
}

/** Reads a transcript file (one transcript, or `transcripts:` with several); errors name the file and key. */
export function loadTranscripts(file: string): Transcript[] {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new MeridianError('invalid_request', `${file}: not readable YAML: ${describeError(cause).split('\n')[0]}`, { cause });
  }
  // Pick the schema by shape so errors point at the exact key instead of "no union member matched".
  const many = typeof raw === 'object' && raw !== null && 'transcripts' in raw;
  const parsed = many ? manySchema.safeParse(raw) : transcriptSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MeridianError('invalid_request', `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid transcript'}`);
  }
  return 'transcripts' in parsed.data ? parsed.data.transcripts : [parsed.data];
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Runs one transcript against a fresh bot; every turn's problems are collected, not just the first. */
export async function runTranscript(file: string, transcript: Transcript, makeBot: BotFactory): Promise<TranscriptResult> {
  const environment: TranscriptEnvironment = {};
  if (transcript.shop) environment.shop = transcript.shop;
  if (transcript.now) environment.now = Date.parse(transcript.now);
  const bot = await makeBot(environment);
  const failures: TurnFailure[] = [];
  try {
    const sender = normalizeSenderId(transcript.channel, transcript.from);
    const address = `${transcript.channel}:${sender}`;
    const caps = bot.capabilitiesOf(transcript.channel);
    for (const [index, turn] of transcript.turns.entries()) {
      const result = await bot.receive({
        id: `transcript-${index + 1}`,
        channel: transcript.channel,
        address,
        conversationKey: address,
        text: turn.user,
        attachments: [],
        timestamp: new Date(bot.clock.now()).toISOString(),
        transport: 'emulator',
        ...(transcript.locale ? { localeHint: transcript.locale, localeExplicit: true } : {}),
      });
      const rendered = result.replies.flatMap((reply) => renderForCapabilities(reply, caps));
      const problems = turn.bot ? check(turn.bot, rendered, result.locale) : [];
      if (problems.length > 0) failures.push({ turn: index + 1, user: turn.user, problems, replies: rendered.map(show) });
    }
  } catch (error) {
    return { file, name: transcript.name, passed: false, failures, error: describeError(error) };
  } finally {
    await bot.stop();
  }
  return { file, name: transcript.name, passed: failures.length === 0, failures };
}

function show(message: RenderedMessage): string {
  const buttons = message.buttons?.map((button) => `[${button.title}]`).join(' ');
  return buttons ? `${message.text} ${buttons}` : message.text;
}

function check(expected: TurnExpectation, replies: RenderedMessage[], locale: string): string[] {
  const text = replies.map((reply) => reply.text).join('\n');
  const folded = text.toLocaleLowerCase();
  const buttons = replies.flatMap((reply) => reply.buttons ?? []).map((button) => button.title);
  const problems: string[] = [];
  for (const needle of list(expected.contains)) if (!folded.includes(needle.toLocaleLowerCase())) problems.push(`expected the reply to contain "${needle}"`);
  for (const needle of list(expected.not_contains)) if (folded.includes(needle.toLocaleLowerCase())) problems.push(`expected the reply NOT to contain "${needle}"`);
  for (const pattern of list(expected.regex)) if (!new RegExp(pattern, 'iu').test(text)) problems.push(`expected the reply to match /${pattern}/`);
  for (const title of expected.buttons ?? []) if (!buttons.includes(title)) problems.push(`expected a button "${title}" (buttons: ${buttons.map((b) => `"${b}"`).join(', ') || 'none'})`);
  if (expected.no_buttons && buttons.length > 0) problems.push(`expected no buttons, got ${buttons.join(', ')}`);
  const handedOff = replies.some((reply) => reply.handoff !== undefined);
  if (expected.handoff !== undefined && expected.handoff !== handedOff) problems.push(expected.handoff ? 'expected a handoff to a human' : 'expected no handoff');
  if (expected.locale !== undefined && expected.locale !== locale) problems.push(`expected locale ${expected.locale}, got ${locale}`);
  if (expected.replies !== undefined && expected.replies !== replies.length) problems.push(`expected ${expected.replies} replies, got ${replies.length}`);
  return problems;
}

/** A readable report: ✓/✗ per transcript and, for failures, each turn's problems and what the bot said. */
export function formatResults(results: readonly TranscriptResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`${result.passed ? '✓' : '✗'} ${result.name}  (${result.file})`);
    if (result.error) lines.push(`    error: ${result.error}`);
    for (const failure of result.failures) {
      lines.push(`    turn ${failure.turn}, user: "${failure.user}"`);
      for (const problem of failure.problems) lines.push(`      - ${problem}`);
      lines.push(`      bot said:`);
      for (const reply of failure.replies.length > 0 ? failure.replies : ['(nothing)']) lines.push(`        | ${reply.replace(/\n/g, '\n        | ')}`);
    }
  }
  const passed = results.filter((result) => result.passed).length;
  lines.push(`transcripts: ${passed} passed, ${results.length - passed} failed`);
  return lines.join('\n');
}
