/** (a) Meridian's core in process with the memory store: the same conversation as the botbuilder baseline. */
import { join } from 'node:path';
import { createBot, loadCatalogs, type Bot, type InboundActivity } from '../src/index.js';
import { packageRoot } from '../src/package-root.js';
import { conversationScript, expectedReplies } from './order-fixture.js';
import { LatencyRecorder, measureHeapPerItem } from './measure.js';
import { orderLookupDialog } from './order-lookup-dialog.js';

export interface InProcessResult {
  turns: number;
  turnsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  bytesPerConversation: number;
}

const catalogs = loadCatalogs(join(packageRoot(), 'locales'));

export function benchBot(): Bot {
  // The greeting already says it is an AI assistant (as the baseline's does), so the built-in
  // disclosure would only duplicate it; everything else in the default pipeline stays on.
  return createBot({ dialogs: [orderLookupDialog], catalogs, disable: ['aiDisclosure'] });
}

let messageSeq = 0;
function smsActivity(conversation: number, text: string): InboundActivity {
  const address = `sms:+1555${String(conversation).padStart(7, '0')}`;
  return {
    id: `bench-${++messageSeq}`,
    channel: 'sms',
    address,
    conversationKey: address,
    text,
    attachments: [],
    timestamp: '2026-01-15T10:00:00.000Z',
    transport: 'emulator',
  };
}

async function turn(bot: Bot, conversation: number, text: string): Promise<string> {
  const result = await bot.receive(smsActivity(conversation, text));
  return result.replies.map((reply) => reply.text).join('\n');
}

export async function runMeridianInProcess(opts: { conversations: number; memoryConversations: number; warmupConversations?: number }): Promise<InProcessResult> {
  const bot = benchBot();
  const warmup = opts.warmupConversations ?? Math.min(500, opts.conversations);
  const recorder = new LatencyRecorder();
  const run = async (first: number, count: number, record: boolean) => {
    for (let i = first; i < first + count; i++) {
      const script = conversationScript(i);
      const expected = expectedReplies(i);
      for (let step = 0; step < 3; step++) {
        const started = process.hrtime.bigint();
        const reply = await turn(bot, i, script[step] as string);
        if (record) recorder.record(process.hrtime.bigint() - started);
        if (reply !== expected[step]) throw new Error(`conversation ${i} turn ${step + 1}: expected "${expected[step]}", got "${reply}"`);
      }
    }
  };
  await run(0, warmup, false);
  const started = process.hrtime.bigint();
  await run(warmup, opts.conversations, true);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const summary = recorder.summary();

  // Memory: conversations left idle after turn 2 (waiting for the e-mail), in a fresh bot.
  const memoryBot = benchBot();
  const heap = await measureHeapPerItem(opts.memoryConversations, async (i) => {
    const script = conversationScript(i);
    await turn(memoryBot, i, script[0]);
    await turn(memoryBot, i, script[1]);
    return i;
  });
  const idle = await memoryBot.stores.conversations.collection.count({});
  if (idle !== opts.memoryConversations) throw new Error(`expected ${opts.memoryConversations} idle conversations, found ${idle}`);
  void heap.keep;
  return {
    turns: summary.count,
    turnsPerSec: summary.count / seconds,
    p50Ms: summary.p50Ms,
    p99Ms: summary.p99Ms,
    bytesPerConversation: heap.bytesPerItem,
  };
}
