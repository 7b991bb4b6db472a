import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { MeridianError } from '../../src/core/errors.js';
import { createLibreTranslateTranslator, type LibreTranslateTranslatorOptions } from '../../src/translation/libretranslate.js';
import { startFakeLibreTranslate, type FakeLibreTranslateServer } from '../helpers/translation/libretranslate-server.js';

const KEY = 'lt-4f9c2e11-0d7b-4c55-9a3e-1b2c3d4e5f60';

async function failureOf(promise: Promise<unknown>): Promise<MeridianError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MeridianError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('LibreTranslate translator against the fake LibreTranslate', () => {
  let server: FakeLibreTranslateServer;
  let delays: number[];

  beforeAll(async () => {
    server = await startFakeLibreTranslate({ apiKeys: [KEY], requireApiKey: true, batchLimit: 10 });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.transform = undefined;
    delays = [];
  });

  const translator = (options: Partial<LibreTranslateTranslatorOptions> = {}) =>
    createLibreTranslateTranslator({
      baseUrl: `${server.url}/`,
      apiKey: KEY,
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...options,
    });

  it('translates a batch with q as an array and reads the detected language', async () => {
    const result = await translator().translate({ texts: ['Hallo', 'Ihre Bestellung {1}', '  '], to: 'en' });
    expect(result).toEqual({ texts: ['Hello', 'Your Order {1}', '  '], provider: 'libretranslate', from: 'de' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.path).toBe('/translate');
    expect(server.requests[0]?.json).toEqual({ q: ['Hallo', 'Ihre Bestellung {1}'], source: 'auto', target: 'en', format: 'text', api_key: KEY });
    expect(server.requests[0]?.path).not.toContain(KEY);
  });

  it('sends LibreTranslate language codes and no detection when the source is given', async () => {
    const result = await translator().translate({ texts: ['Hello'], from: 'en-US', to: 'zh-TW' });
    expect(result).toEqual({ texts: ['你好'], provider: 'libretranslate', from: 'en-US' });
    expect(server.requests[0]?.json).toMatchObject({ source: 'en', target: 'zh-Hant' });
    await translator().translate({ texts: ['Hello'], from: 'en', to: 'pt-BR' });
    expect(server.requests[1]?.json).toMatchObject({ target: 'pt' });
  });

  it('keeps batches within the batch size it was given', async () => {
    const texts = Array.from({ length: 23 }, (_, i) => `thank you ${i}`);
    const result = await translator({ maxBatchSize: 10 }).translate({ texts, to: 'es' });
    expect(server.requests.map((request) => (request.json as { q: string[] }).q.length)).toEqual([10, 10, 3]);
    expect(result.texts[22]).toBe('gracias usted 22');
  });

  it('reports the server limit when a batch is too large', async () => {
    const error = await failureOf(translator({ maxBatchSize: 50 }).translate({ texts: Array.from({ length: 11 }, () => 'hi there'), to: 'es' }));
    expect(error.details).toMatchObject({ reason: 'rejected', status: 400 });
    expect(error.message).toContain('exceeds text limit (10)');
  });

  it('reports a missing key and an invalid key as auth, without the key', async () => {
    const missing = await failureOf(createLibreTranslateTranslator({ baseUrl: server.url }).translate({ texts: ['Hello'], to: 'de' }));
    expect(missing.details).toMatchObject({ provider: 'libretranslate', reason: 'auth', status: 400 });
    expect(missing.message).toContain('requires an API key');

    const invalid = await failureOf(createLibreTranslateTranslator({ baseUrl: server.url, apiKey: 'lt-wrong-key-123456' }).translate({ texts: ['Hello'], to: 'de' }));
    expect(invalid.details).toMatchObject({ reason: 'auth', status: 403, attempts: 1 });
    expect(invalid.message).not.toContain('lt-wrong-key');
  });

  it('retries 429 (Slowdown) and 500, honouring Retry-After', async () => {
    server.enqueue({ status: 429, body: { error: 'Slowdown: 10 per 1 minute' }, headers: { 'retry-after': '2' } });
    expect((await translator().translate({ texts: ['Hello'], to: 'fr' })).texts).toEqual(['Bonjour']);
    expect(delays).toEqual([2000]);

    server.enqueue({ status: 500, body: { error: 'Cannot translate text: boom' } }, { status: 500, body: { error: 'Cannot translate text: boom' } });
    const error = await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }));
    expect(error.details).toMatchObject({ reason: 'server_error', status: 500, attempts: 2 });
    expect(error.message).toContain('Cannot translate text: boom');
  });

  it('reports a ban (403 "Too many request limits violations") as rate_limited without retrying', async () => {
    server.enqueue({ status: 403, body: { error: 'Too many request limits violations' } });
    const error = await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }));
    expect(error.details).toMatchObject({ reason: 'rate_limited', status: 403, attempts: 1 });
  });

  it('times out, and reports malformed bodies', async () => {
    server.enqueue({ delayMs: 1000 });
    expect((await failureOf(translator({ timeoutMs: 100 }).translate({ texts: ['Hello'], to: 'fr' }))).details).toMatchObject({ reason: 'timeout' });

    server.enqueue({ status: 200, body: 'Internal Server Error' });
    expect((await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }))).details).toMatchObject({ reason: 'bad_response' });
    server.enqueue({ status: 200, body: { translatedText: ['one', 'two'] } });
    expect((await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }))).details).toMatchObject({ reason: 'bad_response' });
  });

  it('answers 404 at a wrong base URL with a hint, not the HTML page', async () => {
    const error = await failureOf(createLibreTranslateTranslator({ baseUrl: `${server.url}/api`, apiKey: KEY }).translate({ texts: ['Hello'], to: 'fr' }));
    expect(error.details).toMatchObject({ reason: 'rejected', status: 404 });
    expect(error.message).toContain('check translation.libretranslate.baseUrl');
    expect(error.message).not.toContain('<');
  });

  it('the fake answers like LibreTranslate for a single q and for unsupported languages', async () => {
    const single = await fetch(`${server.url}/translate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ q: 'Hallo', source: 'auto', target: 'en', api_key: KEY }),
    });
    expect(await single.json()).toEqual({ translatedText: 'Hello', detectedLanguage: { confidence: 90, language: 'de' } });
    const unsupported = await fetch(`${server.url}/translate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ q: ['Hallo'], source: 'de', target: 'pt-BR', api_key: KEY }),
    });
    expect(unsupported.status).toBe(400);
    expect(await unsupported.json()).toEqual({ error: 'pb is not supported' });
  });
});
