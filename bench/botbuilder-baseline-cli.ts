/**
 * Runs the botbuilder baseline alone and prints its result as JSON.
 * Usage: node --expose-gc dist/bench/botbuilder-baseline-cli.js [conversations] [memoryConversations] [warmup]
 */
import { runBotbuilderBaseline } from './botbuilder-baseline.js';

function intArg(index: number, fallback: number): number {
  const raw = process.argv[index];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`argument ${index - 1} must be a non-negative integer, got ${raw}`);
  return n;
}

const result = await runBotbuilderBaseline({
  conversations: intArg(2, 3000),
  memoryConversations: intArg(3, 2000),
  warmupConversations: intArg(4, 500),
});
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
