/** (a) Meridian's core in process with the memory store: the same conversation as the botbuilder baseline. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBot, createStores, EmbeddedBackend, loadCatalogs, type Bot, type InboundActivity, type Stores } from '../src/index.js';
import { packageRoot } from '../src/package-root.js';
import { conversationScript, expectedReplies } from './order-fixture.js';
import { LatencyRecorder, measureHeapPerItem } from './measure.js';
import { orderLookupDialog } from './order-lookup-dialog.js';

export interface InProcessResult {
  turns: number;
  turnsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Heap per idle conversation with the memory store (state, customer and turn log all in the heap). */
  bytesPerConversation: number;
  /** Heap per idle conversation with the embedded SQLite store, as `npm start` runs (state on disk). */
  embeddedHeapBytesPerConversation: number;
}

const catalogs = loadCatalogs(join(packageRoot(), 'locales'));

export function benchBot(stores?: Stores): Bot {
  // The greeting already says it is an AI assistant (as the baseline's does), so the built-in
  // disclosure would only duplicate it; everything else in the default pipeline stays on.
  return createBot({ dialogs: [orderLookupDialog], catalogs, disable: ['aiDisclosure'], ...(stores ? { stores } : {}) });
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

  return {
    turns: summary.count,
    turnsPerSec: summary.count / seconds,
    p50Ms: summary.p50Ms,
    p99Ms: summary.p99Ms,
    bytesPerConversation: await idleHeap(benchBot(), opts.memoryConversations),
    embeddedHeapBytesPerConversation: await idleHeap(
      benchBot(createStores(new EmbeddedBackend({ file: join(mkdtempSync(join(tmpdir(), 'meridian-bench-')), 'bench.db') }))),
      opts.memoryConversations,
    ),
  };
}

/** Heap per conversation left idle after turn 2 (waiting for the e-mail), in a fresh bot. */
async function idleHeap(bot: Bot, conversations: number): Promise<number> {
  // Warm the code paths first so compiled code is not charged to the conversations.
  for (let i = 0; i < 50; i++) await turn(bot, 9_000_000 + i, 'hi');
  const heap = await measureHeapPerItem(conversations, async (i) => {
    const script = conversationScript(i);
    await turn(bot, i, script[0]);
    await turn(bot, i, script[1]);
    return i;
  });
  const idle = await bot.stores.conversations.collection.count({});
  if (idle !== conversations + 50) throw new Error(`expected ${conversations} idle conversations, found ${idle - 50}`);
  await bot.stop();
  return heap.bytesPerItem;
}
