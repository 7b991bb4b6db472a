/** Load on 127.0.0.1 with autocannon (bounded in time, self-stopping); servers run in their own process. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { conversationScript, expectedFinalReply } from './order-fixture.js';

export interface LoadResult {
  perSec: number;
  errors: number;
}

interface Target {
  port: number;
  stop(): void;
}

export async function startTarget(kind: 'meridian' | 'meridian-plain' | 'express'): Promise<Target> {
  const child = fork(fileURLToPath(new URL('./http-target.js', import.meta.url)), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${kind} target exited with ${code}`)));
  });
  return { port, stop: () => child.kill() };
}

/** Plain GET /hello as fast as the connections allow. */
export async function loadHello(port: number, connections: number, seconds: number): Promise<LoadResult> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/hello`, connections, duration: seconds });
  return { perSec: result.requests.total / seconds, errors: result.errors + result.non2xx };
}

/**
 * Whole 3-turn order-lookup conversations through POST /api/emulator/messages: each connection
 * starts a new conversation after the third turn, and every final reply is checked.
 */
export async function loadConversations(port: number, connections: number, seconds: number, firstConversation: number): Promise<LoadResult> {
  let next = firstConversation;
  let wrong = 0;
  const turn = (step: 0 | 1 | 2) => ({
    method: 'POST',
    path: '/api/emulator/messages',
    headers: { 'content-type': 'application/json' },
    setupRequest(request: { body?: string }, context: Record<string, unknown>) {
      if (step === 0) context['conversation'] = next++;
      const i = context['conversation'] as number;
      return { ...request, body: JSON.stringify({ channel: 'webchat', from: `bench-${i}`, text: conversationScript(i)[step] }) };
    },
    onResponse(status: number, body: string, context: Record<string, unknown>) {
      if (step === 2 && (status !== 200 || !body.includes(expectedFinalReply(context['conversation'] as number)))) wrong++;
    },
  });
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections, duration: seconds, requests: [turn(0), turn(1), turn(2)] });
  return { perSec: result.requests.total / seconds, errors: result.errors + result.non2xx + wrong };
}
