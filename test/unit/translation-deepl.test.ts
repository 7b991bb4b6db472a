import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { MeridianError } from '../../src/core/errors.js';
import { DEEPL_FREE_URL, DEEPL_PRO_URL, createDeepLTranslator, deeplBaseUrlFor, type DeepLTranslatorOptions } from '../../src/translation/deepl.js';
import { startFakeDeepL, type FakeDeepLServer } from '../helpers/translation/deepl-server.js';

const KEY = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890:fx';

async function failureOf(promise: Promise<unknown>): Promise<MeridianError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MeridianError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('DeepL translator against the fake DeepL API', () => {
  let server: FakeDeepLServer;
  let delays: number[];

  beforeAll(async () => {
    server = await startFakeDeepL({ authKey: KEY });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.transform = undefined;
    delays = [];
  });

  const translator = (options: Partial<DeepLTranslatorOptions> = {}) =>
    createDeepLTranslator({
      apiKey: KEY,
      baseUrl: server.url,
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...options,
    });

  it('picks the Free or Pro host from the key, as DeepL clients do', () => {
    expect(deeplBaseUrlFor('abc:fx')).toBe(DEEPL_FREE_URL);
    expect(deeplBaseUrlFor('abc')).toBe(DEEPL_PRO_URL);
  });

  it('translates a batch in one request with the documented body and header', async () => {
    const result = await translator().translate({ texts: ['Hello', 'Your order has shipped', ''], to: 'pt-BR' });
    expect(result).toEqual({ texts: ['Olá', 'Seu encomenda tem enviada', ''], provider: 'deepl', from: 'en' });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v2/translate');
    expect(request?.headers['authorization']).toBe(`DeepL-Auth-Key ${KEY}`);
    expect(request?.json).toEqual({ text: ['Hello', 'Your order has shipped'], target_lang: 'PT-BR', preserve_formatting: true });
    // The key travels only in the Authorization header.
    expect(request?.path).not.toContain(KEY);
    expect(request?.body).not.toContain(KEY);
  });

  it('sends source_lang, formality as prefer_*, glossary_id only with a source, and tag_handling for XML markup', async () => {
    const withGlossary = translator({ formality: 'more', glossaryId: 'g-123' });
    await withGlossary.translate({ texts: ['Hello <x id="1"/>'], from: 'en-GB', to: 'de', markup: 'xml' });
    await withGlossary.translate({ texts: ['Hello'], to: 'zh-TW' });
    expect(server.requests.map((request) => request.json)).toEqual([
      { text: ['Hello <x id="1"/>'], target_lang: 'DE', source_lang: 'EN', formality: 'prefer_more', glossary_id: 'g-123', tag_handling: 'xml', preserve_formatting: true },
      { text: ['Hello'], target_lang: 'ZH-HANT', formality: 'prefer_more', preserve_formatting: true },
    ]);
  });

  it('splits more than 50 texts into requests of at most 50, keeping the order', async () => {
    const texts = Array.from({ length: 120 }, (_, i) => `hello ${i}`);
    const result = await translator().translate({ texts, to: 'de' });
    expect(server.requests.map((request) => (request.json as { text: string[] }).text.length)).toEqual([50, 50, 20]);
    expect(result.texts[0]).toBe('hallo 0');
    expect(result.texts[119]).toBe('hallo 119');
  });

  it('reports a rejected key as auth, without the key, and does not retry', async () => {
    const wrong = createDeepLTranslator({ apiKey: 'wrong-key-0000:fx', baseUrl: server.url });
    const error = await failureOf(wrong.translate({ texts: ['Hello'], to: 'de' }));
    expect(error.code).toBe('send_failed');
    expect(error.details).toMatchObject({ provider: 'deepl', reason: 'auth', status: 403, attempts: 1 });
    expect(error.message).toMatch(/^DeepL rejected the API key \(HTTP 403\)/);
    expect(error.message).not.toContain('wrong-key');
    expect(JSON.stringify(error.details)).not.toContain('wrong-key');
    expect(server.requests).toHaveLength(1);
  });

  it('handles 401 like 403', async () => {
    const strict = await startFakeDeepL({ authKey: KEY, authFailureStatus: 401 });
    try {
      const error = await failureOf(createDeepLTranslator({ apiKey: 'other', baseUrl: strict.url }).translate({ texts: ['Hi'], to: 'de' }));
      expect(error.details).toMatchObject({ reason: 'auth', status: 401 });
    } finally {
      await strict.close();
    }
  });

  it('reports 456 as quota exceeded and does not retry it', async () => {
    const limited = await startFakeDeepL({ authKey: KEY, characterLimit: 10 });
    try {
      const client = createDeepLTranslator({ apiKey: KEY, baseUrl: limited.url });
      await client.translate({ texts: ['Hello'], to: 'de' });
      const error = await failureOf(client.translate({ texts: ['Hello world'], to: 'de' }));
      expect(error.details).toMatchObject({ reason: 'quota', status: 456, attempts: 1 });
      expect(error.message).toContain('quota exceeded (HTTP 456)');
      expect(error.status).toBe(503);
      expect(limited.requests).toHaveLength(2);
      expect(limited.charactersBilled).toBe(5);
    } finally {
      await limited.close();
    }
  });

  it('retries a 429 after the Retry-After it was given', async () => {
    server.enqueue({ status: 429, body: { message: 'Too many requests' }, headers: { 'retry-after': '1' } });
    const result = await translator().translate({ texts: ['Hello'], to: 'fr' });
    expect(result.texts).toEqual(['Bonjour']);
    expect(delays).toEqual([1000]);
    expect(server.requests).toHaveLength(2);
  });

  it('does not wait for a Retry-After longer than it may, and reports it', async () => {
    server.enqueue({ status: 429, body: { message: 'Too many requests' }, headers: { 'retry-after': '120' } });
    const error = await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }));
    expect(error.details).toMatchObject({ reason: 'rate_limited', status: 429, retryAfterMs: 120_000, attempts: 1 });
    expect(delays).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('retries 5xx with back-off and gives up after maxRetries', async () => {
    server.enqueue({ status: 500, body: { message: 'Internal error' } }, { status: 529, body: { message: 'Too many requests' } }, { status: 503 });
    const error = await failureOf(translator({ maxRetries: 2 }).translate({ texts: ['Hello'], to: 'fr' }));
    expect(error.details).toMatchObject({ reason: 'server_error', status: 503, attempts: 3 });
    expect(delays).toEqual([250, 500]);
    expect(server.requests).toHaveLength(3);

    server.enqueue({ status: 502, body: 'Bad gateway' });
    expect((await translator().translate({ texts: ['Hello'], to: 'fr' })).texts).toEqual(['Bonjour']);
  });

  it('times out a slow answer', async () => {
    server.enqueue({ delayMs: 2000 });
    const started = Date.now();
    const error = await failureOf(translator({ timeoutMs: 150 }).translate({ texts: ['Hello'], to: 'fr' }));
    expect(error.details).toMatchObject({ reason: 'timeout' });
    expect(error.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports a malformed body or a wrong number of translations as bad_response', async () => {
    server.enqueue({ status: 200, body: '{"translations": [', headers: { 'content-type': 'application/json' } });
    expect((await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }))).details).toMatchObject({ reason: 'bad_response' });
    server.enqueue({ status: 200, body: { translations: [] } });
    expect((await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }))).details).toMatchObject({ reason: 'bad_response' });
    server.enqueue({ status: 200, body: { translations: [{ detected_source_language: 'EN' }] } });
    expect((await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }))).details).toMatchObject({ reason: 'bad_response' });
  });

  it('retries a dropped connection once, then reports a network error', async () => {
    server.enqueue({ destroy: true });
    expect((await translator().translate({ texts: ['Hello'], to: 'it' })).texts).toEqual(['Ciao']);
    server.enqueue({ destroy: true }, { destroy: true });
    const error = await failureOf(translator().translate({ texts: ['Hello'], to: 'it' }));
    expect(error.details).toMatchObject({ reason: 'network', attempts: 2 });
  });

  it('passes DeepL 400 messages on, and the fake enforces DeepL rules the client relies on', async () => {
    // A plain "more" for English would be refused by DeepL; the client sends prefer_more instead (above).
    const response = await fetch(`${server.url}/v2/translate`, {
      method: 'POST',
      headers: { authorization: `DeepL-Auth-Key ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: ['Hi'], target_lang: 'EN-US', formality: 'more' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: "'formality' is not supported for given 'target_lang'." });

    const error = await failureOf(translator().translate({ texts: ['Tom & Jerry'], to: 'de', markup: 'xml' }));
    expect(error.details).toMatchObject({ reason: 'rejected', status: 400 });
    expect(error.message).toContain('not well-formed XML');
  });

  it('scrubs the key from a provider message that echoes it', async () => {
    server.enqueue({ status: 400, body: { message: `Invalid auth_key ${KEY} in request` } });
    const error = await failureOf(translator().translate({ texts: ['Hello'], to: 'fr' }));
    expect(error.details).toMatchObject({ reason: 'rejected', status: 400 });
    expect(error.message).toContain('Invalid auth_key [redacted] in request');
    expect(error.message).not.toContain(KEY);
  });

  it('refuses to start without a key or with a bad base URL', () => {
    expect(() => createDeepLTranslator({ apiKey: ' ' })).toThrow(/DeepL needs an API key/);
    expect(() => createDeepLTranslator({ apiKey: KEY, baseUrl: 'ftp://example.com' })).toThrow(/must be http/);
    expect(() => createDeepLTranslator({ apiKey: KEY, baseUrl: 'https://user:pw@example.com' })).toThrow(/credentials/);
  });
});
