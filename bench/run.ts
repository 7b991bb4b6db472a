/**
 * `npm run bench`: the same 3-step order-lookup conversation through (a) Meridian's core in process
 * (memory store) and (b) botbuilder's TestAdapter + waterfall, in one process run; then over HTTP
 * (c) Meridian's emulator endpoint with the embedded store against (d) a plain express hello route.
 * Prints a table and, as its last line, one JSON object.
 */
import { runBotbuilderBaseline } from './botbuilder-baseline.js';
import { loadConversations, loadHello, startTarget } from './http-load.js';
import { runMeridianInProcess } from './meridian-inprocess.js';
import { measureNluCost } from './nlu-cost.js';

const conversations = Number(process.env['BENCH_CONVERSATIONS'] ?? 10_000);
const memoryConversations = Number(process.env['BENCH_MEMORY_CONVERSATIONS'] ?? 2_000);
const httpSeconds = Number(process.env['BENCH_HTTP_SECONDS'] ?? 5);
const connections = 10;
const warmupConversations = Number(process.env['BENCH_WARMUP_CONVERSATIONS'] ?? 2_000);

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

progress(`in process: ${conversations} conversations × 3 turns each, Meridian then botbuilder (warm-up ${warmupConversations})`);
const meridian = await runMeridianInProcess({ conversations, memoryConversations, warmupConversations });
const botbuilder = await runBotbuilderBaseline({ conversations, memoryConversations, warmupConversations });

progress('NLU cost per message (language, normalization, intent, entities, emotion, sensitive topics)');
const nlu = await measureNluCost();

progress(`HTTP: ${connections} connections × ${httpSeconds}s each for express hello and the Meridian emulator endpoint (embedded store, with and without field encryption)`);
const express = await startTarget('express');
await loadHello(express.port, connections, 1);
const hello = await loadHello(express.port, connections, httpSeconds);
express.stop();
const server = await startTarget('meridian');
await loadConversations(server.port, connections, 1, 1_000_000);
const http = await loadConversations(server.port, connections, httpSeconds, 2_000_000);
server.stop();
const plainServer = await startTarget('meridian-plain');
await loadConversations(plainServer.port, connections, 1, 3_000_000);
const httpPlain = await loadConversations(plainServer.port, connections, httpSeconds, 4_000_000);
plainServer.stop();

const result = {
  meridianTurnsPerSec: Math.round(meridian.turnsPerSec),
  botbuilderTurnsPerSec: Math.round(botbuilder.turnsPerSec),
  ratio: Number((meridian.turnsPerSec / botbuilder.turnsPerSec).toFixed(2)),
  meridianP50Ms: Number(meridian.p50Ms.toFixed(4)),
  meridianP99Ms: Number(meridian.p99Ms.toFixed(4)),
  botbuilderP99Ms: Number(botbuilder.p99Ms.toFixed(4)),
  meridianBytesPerConversation: Math.round(meridian.bytesPerConversation),
  botbuilderBytesPerConversation: Math.round(botbuilder.bytesPerConversation),
  meridianEmbeddedHeapBytesPerConversation: Math.round(meridian.embeddedHeapBytesPerConversation),
  httpTurnsPerSec: Math.round(http.perSec),
  expressHelloPerSec: Math.round(hello.perSec),
  httpRatio: Number((http.perSec / hello.perSec).toFixed(2)),
  httpPlainTurnsPerSec: Math.round(httpPlain.perSec),
  httpPlainRatio: Number((httpPlain.perSec / hello.perSec).toFixed(2)),
  httpErrors: http.errors + httpPlain.errors + hello.errors,
  nluP50Ms: Number(nlu.p50Ms.toFixed(4)),
  nluP99Ms: Number(nlu.p99Ms.toFixed(4)),
};

const rows: [string, string, string][] = [
  ['in-process turns/s', String(result.meridianTurnsPerSec), String(result.botbuilderTurnsPerSec)],
  ['p50 / p99 ms per turn', `${result.meridianP50Ms} / ${result.meridianP99Ms}`, `${botbuilder.p50Ms.toFixed(4)} / ${result.botbuilderP99Ms}`],
  ['heap bytes per idle conversation', String(result.meridianBytesPerConversation), String(result.botbuilderBytesPerConversation)],
  ['  with the embedded SQLite store', String(result.meridianEmbeddedHeapBytesPerConversation), '–'],
];
console.log('\n                                   Meridian        botbuilder');
for (const [label, a, b] of rows) console.log(`${label.padEnd(35)}${a.padEnd(16)}${b}`);
console.log(`ratio (Meridian / botbuilder turns/s): ${result.ratio}   target >= 5`);
console.log(`HTTP turns/s, emulator + embedded store: ${result.httpTurnsPerSec}   express hello req/s: ${result.expressHelloPerSec}   ratio ${result.httpRatio} (target >= 0.3)`);
console.log(`  without field encryption: ${result.httpPlainTurnsPerSec} turns/s, ratio ${result.httpPlainRatio} (encryption at rest costs ${Math.round((1 - result.httpTurnsPerSec / result.httpPlainTurnsPerSec) * 100)}% of HTTP throughput)`);
console.log(`NLU per message: p50 ${result.nluP50Ms} ms, p99 ${result.nluP99Ms} ms (target p50 < 0.5 ms)`);
console.log(JSON.stringify(result));
