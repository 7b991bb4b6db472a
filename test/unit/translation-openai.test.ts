import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { MeridianError } from '../../src/core/errors.js';
import { createOpenAICompatibleTranslator, parseStringArray, type OpenAICompatibleTranslatorOptions } from '../../src/translation/openai-compatible.js';
import { startFakeOpenAI, type FakeOpenAIServer } from '../helpers/translation/openai-server.js';

const KEY = 'sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

async function failureOf(promise: Promise<unknown>): Promise<MeridianError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MeridianError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

interface ChatBody {
  model: string;
  temperature: number;
  stream: boolean;
  messages: Array<{ role: string; content: string }>;
}

describe('OpenAI-compatible translator against the fake chat endpoint', () => {
  let server: FakeOpenAIServer;
  let delays: number[];

  beforeAll(async () => {
    server = await startFakeOpenAI({ apiKey: KEY, models: ['test-model'] });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    delays = [];
  });

  const translator = (options: Partial<OpenAICompatibleTranslatorOptions> = {}) =>
    createOpenAICompatibleTranslator({
      baseUrl: server.url,
      apiKey: KEY,
      model: 'test-model',
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...options,
    });

  it('asks for a JSON array translation with a system prompt and reads the array back', async () => {
    const result = await translator().translate({ texts: ['Your order {1} has shipped', 'Thank you', ''], from: 'en', to: 'zh-Hant' });
    expect(result).toEqual({ texts: ['你的 订单 {1} 已 发货', '谢谢 你', ''], provider: 'openai-compatible', from: 'en' });
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers['authorization']).toBe(`Bearer ${KEY}`);
    const body = request?.json as ChatBody;
    expect(body.model).toBe('test-model');
    expect(body.temperature).toBe(0);
    expect(body.stream).toBe(false);
    expect(body.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(body.messages[0]?.content).toContain('Target language: Traditional Chinese (zh-Hant).');
    expect(body.messages[0]?.content).toContain('Source language: English (en).');
    expect(body.messages[0]?.content).toContain('{1}');
    expect(JSON.parse(body.messages[1]?.content ?? '')).toEqual(['Your order {1} has shipped', 'Thank you']);
    expect(request?.body).not.toContain(KEY);
  });

  it('works without an API key against a server that needs none (Ollama)', async () => {
    const open = await startFakeOpenAI();
    try {
      const result = await createOpenAICompatibleTranslator({ baseUrl: open.url, model: 'test-model' }).translate({ texts: ['Hello'], to: 'ja' });
      expect(result.texts).toEqual(['こんにちは']);
      expect(open.requests[0]?.headers['authorization']).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  it('reads an answer wrapped in code fences, prose or a <think> block', async () => {
    server.enqueueReply((t) => '```json\n' + JSON.stringify(t) + '\n```');
    expect((await translator().translate({ texts: ['Hello'], to: 'de' })).texts).toEqual(['Hallo']);
    server.enqueueReply((t) => `<think>The user wants ["German"].</think>Here you go: ${JSON.stringify(t)} Hope this helps!`);
    expect((await translator().translate({ texts: ['Hello'], to: 'de' })).texts).toEqual(['Hallo']);
    server.enqueueReply((t) => JSON.stringify({ translations: t }));
    expect((await translator().translate({ texts: ['Hello'], to: 'de' })).texts).toEqual(['Hallo']);
    expect(server.requests).toHaveLength(3);
  });

  it('retries once on a malformed answer, showing the model its answer', async () => {
    server.enqueueReply(() => 'Sure! Hallo and Danke.');
    const result = await translator().translate({ texts: ['Hello', 'Thank you'], to: 'de' });
    expect(result.texts).toEqual(['Hallo', 'Danke sie']);
    expect(server.requests).toHaveLength(2);
    const retry = server.requests[1]?.json as ChatBody;
    expect(retry.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry.messages[2]?.content).toBe('Sure! Hallo and Danke.');
    expect(retry.messages[3]?.content).toContain('exactly 2 strings');
  });

  it('fails after a second malformed answer, and on a wrong length', async () => {
    server.enqueueReply((t) => JSON.stringify([...t, 'extra']));
    server.enqueueReply((t) => JSON.stringify(t.slice(1)));
    const error = await failureOf(translator().translate({ texts: ['Hello', 'Thank you'], to: 'de' }));
    expect(error.code).toBe('send_failed');
    expect(error.details).toMatchObject({ provider: 'openai-compatible', reason: 'bad_response' });
    expect(server.requests).toHaveLength(2);
  });

  it('reports a wrong key as auth without echoing the masked key OpenAI sends back', async () => {
    const wrongKey = 'sk-live-0123456789abcdefWXYZ';
    const error = await failureOf(translator({ apiKey: wrongKey }).translate({ texts: ['Hello'], to: 'de' }));
    expect(error.details).toMatchObject({ reason: 'auth', status: 401, attempts: 1 });
    expect(error.message).not.toContain('sk-li');
    expect(error.message).not.toContain('WXYZ');
    expect(error.message).not.toContain('***');
  });

  it('tells an unknown model apart (404) and passes the provider message on', async () => {
    const error = await failureOf(translator({ model: 'llama-nope' }).translate({ texts: ['Hello'], to: 'de' }));
    expect(error.details).toMatchObject({ reason: 'rejected', status: 404 });
    expect(error.message).toContain('The model `llama-nope` does not exist');
  });

  it('retries 429 rate limits after retry-after-ms, but not insufficient_quota', async () => {
    server.enqueue({
      status: 429,
      body: { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
      headers: { 'retry-after-ms': '300', 'retry-after': '1' },
    });
    expect((await translator().translate({ texts: ['Hello'], to: 'fr' })).texts).toEqual(['Bonjour']);
    expect(delays).toEqual([300]);

    server.enqueue({
      status: 429,
      body: { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
    });
    const error = await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }));
    expect(error.details).toMatchObject({ reason: 'quota', status: 429, attempts: 1 });
  });

  it('retries a 500 and times out a slow model', async () => {
    server.enqueue({ status: 500, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } } });
    expect((await translator().translate({ texts: ['Hello'], to: 'es' })).texts).toEqual(['Hola']);
    expect(delays).toEqual([250]);

    server.enqueue({ delayMs: 1000 });
    const error = await failureOf(translator({ timeoutMs: 100 }).translate({ texts: ['Hello'], to: 'es' }));
    expect(error.details).toMatchObject({ reason: 'timeout' });
  });

  it('treats a non-JSON 200 as bad_response', async () => {
    server.enqueue({ status: 200, body: 'upstream connect error', headers: { 'content-type': 'text/plain' } });
    expect((await failureOf(translator().translate({ texts: ['Hello'], to: 'es' }))).details).toMatchObject({ reason: 'bad_response' });
  });

  it('refuses a config without model or with a bad temperature', () => {
    expect(() => createOpenAICompatibleTranslator({ baseUrl: server.url, model: '' })).toThrow(/needs a model name/);
    expect(() => createOpenAICompatibleTranslator({ baseUrl: server.url, model: 'm', temperature: 3 })).toThrow(/between 0 and 2/);
  });
});

describe('parseStringArray', () => {
  it('accepts only an array of strings of the right length', () => {
    expect(parseStringArray('["a","b"]', 2)).toEqual(['a', 'b']);
    expect(parseStringArray('```\n["a"]\n```', 1)).toEqual(['a']);
    expect(parseStringArray('["a",2]', 2)).toBeUndefined();
    expect(parseStringArray('["a"]', 2)).toBeUndefined();
    expect(parseStringArray('[a, b]', 2)).toBeUndefined();
    expect(parseStringArray(undefined, 1)).toBeUndefined();
  });
});
