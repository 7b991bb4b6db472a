import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { isMeridianError, type MeridianError } from '../../src/core/errors.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import { createDeepLTranslator } from '../../src/translation/deepl.js';
import { createLibreTranslateTranslator } from '../../src/translation/libretranslate.js';
import { createOpenAICompatibleTranslator } from '../../src/translation/openai-compatible.js';
import { createTranslationService, type TranslationServiceOptions } from '../../src/translation/service.js';
import { createTranslatorFromConfig } from '../../src/translation/config.js';
import type { Translator } from '../../src/translation/types.js';
import { startFakeDeepL, type FakeDeepLServer } from '../helpers/translation/deepl-server.js';
import type { RecordedRequest } from '../helpers/translation/fake-http.js';
import { startFakeLibreTranslate, type FakeLibreTranslateServer } from '../helpers/translation/libretranslate-server.js';
import { startFakeOpenAI, type FakeOpenAIServer } from '../helpers/translation/openai-server.js';

const DEEPL_KEY = 'd3e1f2a4-0000-4bcd-9e8f-0a0b0c0d0e0f:fx';
const LIBRE_KEY = 'lt-7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d';
const OPENAI_KEY = 'sk-proj-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2';
const GLOSSARY = ['AcmeWear', 'Meridian'];

const EMAIL = 'ana.lima@example.com';
const PHONE = '+49 151 2345 6789';
const CUSTOMER_TEXT = `Hello, my order #A1043 for AcmeWear shoes: please call ${PHONE} or mail ${EMAIL}.`;
const REPLY_TEXT = 'Your package TSH-BLK-42 has shipped. Track here: https://shop.example.com/track?o=A1043&lang=en. Thank you!';

function logSink(): { logger: Logger; lines: () => Array<Record<string, unknown>>; raw: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    logger: createLogger({ level: 'warn', destination }),
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Everything a fake server saw: paths, headers and bodies, as one string. */
function everythingSent(requests: RecordedRequest[], options: { withoutAuthorization?: boolean } = {}): string {
  return requests
    .map((request) => {
      const headers = { ...request.headers };
      if (options.withoutAuthorization) delete headers['authorization'];
      return `${request.method} ${request.path}\n${JSON.stringify(headers)}\n${request.body}`;
    })
    .join('\n');
}

describe('translation service', () => {
  let deepl: FakeDeepLServer;
  let libre: FakeLibreTranslateServer;
  let openai: FakeOpenAIServer;
  const noSleep = async (): Promise<void> => {};

  beforeAll(async () => {
    [deepl, libre, openai] = await Promise.all([
      startFakeDeepL({ authKey: DEEPL_KEY }),
      startFakeLibreTranslate({ apiKeys: [LIBRE_KEY], requireApiKey: true }),
      startFakeOpenAI({ apiKey: OPENAI_KEY }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([deepl.close(), libre.close(), openai.close()]);
  });
  beforeEach(() => {
    for (const server of [deepl, libre, openai]) server.requests.length = 0;
    deepl.transform = undefined;
    libre.transform = undefined;
  });

  const providers = () => ({
    deepl: createDeepLTranslator({ apiKey: DEEPL_KEY, baseUrl: deepl.url, sleep: noSleep }),
    libretranslate: createLibreTranslateTranslator({ baseUrl: libre.url, apiKey: LIBRE_KEY, sleep: noSleep }),
    'openai-compatible': createOpenAICompatibleTranslator({ baseUrl: openai.url, apiKey: OPENAI_KEY, model: 'test-model', sleep: noSleep }),
  });
  const serverOf = (id: string): FakeDeepLServer | FakeLibreTranslateServer | FakeOpenAIServer => (id === 'deepl' ? deepl : id === 'libretranslate' ? libre : openai);

  describe.each(['deepl', 'libretranslate', 'openai-compatible'] as const)('with %s', (id) => {
    const service = (options: Partial<TranslationServiceOptions> = {}) => createTranslationService({ provider: providers()[id], glossary: GLOSSARY, ...options });

    it('round-trips order numbers, SKUs, URLs, e-mail, phone and brand names while translating the words', async () => {
      const result = await service().translate({ texts: [CUSTOMER_TEXT, REPLY_TEXT], from: 'en', to: 'de' });
      expect(result.provider).toBe(id);
      expect(result.from).toBe('en');
      const [customer, reply] = result.texts;
      expect(customer).toContain('#A1043');
      expect(customer).toContain('AcmeWear');
      expect(customer).toContain(PHONE);
      expect(customer).toContain(EMAIL);
      expect(customer).toMatch(/^Hallo, meine bestellung #A1043 für AcmeWear schuhe: bitte anrufen/i);
      expect(reply).toContain('TSH-BLK-42');
      expect(reply).toContain('https://shop.example.com/track?o=A1043&lang=en');
      expect(reply).toMatch(/Paket TSH-BLK-42 hat versandt\. Verfolgen hier: https:\/\/shop\.example\.com\/track\?o=A1043&lang=en\. Danke sie!$/i);
    });

    it('never sends e-mail addresses, phone numbers, order numbers or brand names to the provider', async () => {
      await service().translate({ texts: [CUSTOMER_TEXT, REPLY_TEXT], to: 'fr' });
      const sent = everythingSent(serverOf(id).requests);
      expect(serverOf(id).requests.length).toBeGreaterThan(0);
      for (const secret of [EMAIL, 'ana.lima', '2345 6789', '6789', 'A1043', 'AcmeWear', 'TSH-BLK-42', 'shop.example.com']) {
        expect(sent).not.toContain(secret);
      }
    });

    it('keeps the original of a string whose placeholder the engine lost, and translates the others', async () => {
      const sink = logSink();
      const lose = (text: string): string => text.replace(/<x id="1"\/>|\{1\}/, '');
      if (id === 'deepl') deepl.transform = (text, index) => (index === 0 ? lose(text) : text);
      else if (id === 'libretranslate') libre.transform = (text, index) => (index === 0 ? lose(text) : text);
      else openai.enqueueReply((t) => JSON.stringify(t.map((text, index) => (index === 0 ? lose(text) : text))));
      const translator = service({ logger: sink.logger });
      const texts = ['Your order A1043 has shipped', 'Thank you'];
      const result = await translator.translate({ texts, from: 'en', to: 'es' });
      expect(result.texts).toEqual(['Your order A1043 has shipped', 'Gracias usted']);
      expect(result.provider).toBe(id);
      expect(sink.lines()).toEqual([expect.objectContaining({ level: 40, provider: id, texts: 1 })]);
      expect(sink.raw()).not.toContain('A1043');
      // Not cached: the next call asks again (and now gets it right).
      deepl.transform = undefined;
      libre.transform = undefined;
      const again = await translator.translate({ texts, from: 'en', to: 'es' });
      expect(again.texts).toEqual(['Su pedido A1043 ha enviado', 'Gracias usted']);
    });

    it('serves repeated texts from the cache: no second request', async () => {
      const translator = service();
      await translator.translate({ texts: ['Hello', 'Thank you'], from: 'en', to: 'it' });
      expect(serverOf(id).requests).toHaveLength(1);
      const cached = await translator.translate({ texts: ['Thank you', 'Hello', 'Thank you'], from: 'en', to: 'it' });
      expect(cached).toEqual({ texts: ['Grazie lei', 'Ciao', 'Grazie lei'], provider: id, from: 'en' });
      expect(serverOf(id).requests).toHaveLength(1);
      // Another target language, or an unseen text, is a miss; only the misses are sent, once each.
      await translator.translate({ texts: ['Hello', 'Good morning', 'Good morning'], from: 'en', to: 'it' });
      await translator.translate({ texts: ['Hello'], from: 'en', to: 'pt' });
      expect(serverOf(id).requests).toHaveLength(3);
      expect(everythingSent(serverOf(id).requests.slice(1, 2)).match(/Good morning/g)).toHaveLength(1);
    });
  });

  it('sends texts that differ only in protected terms once, and caches them for every order number', async () => {
    const service = createTranslationService({ provider: providers().deepl });
    const result = await service.translate({ texts: ['Your order A1043 has shipped', 'Your order B2000 has shipped'], from: 'en', to: 'de' });
    expect(result.texts).toEqual(['Ihre bestellung A1043 hat versandt', 'Ihre bestellung B2000 hat versandt']);
    expect(deepl.requests).toHaveLength(1);
    expect((deepl.requests[0]?.json as { text: string[] }).text).toEqual(['Your order <x id="1"/> has shipped']);
    expect((await service.translate({ texts: ['Your order C3000 has shipped'], from: 'en', to: 'de' })).texts).toEqual(['Ihre bestellung C3000 hat versandt']);
    expect(deepl.requests).toHaveLength(1);
  });

  it('escapes XML for DeepL, so "&" and "<" survive strict tag handling', async () => {
    const service = createTranslationService({ provider: providers().deepl });
    const result = await service.translate({ texts: ['Tom & Jerry <3 order A1043'], from: 'en', to: 'de' });
    expect(result).toEqual({ texts: ['Tom & Jerry <3 bestellung A1043'], provider: 'deepl', from: 'en' });
    expect(deepl.requests[0]?.json).toMatchObject({ text: ['Tom &amp; Jerry &lt;3 order <x id="1"/>'], tag_handling: 'xml' });
  });

  it('keeps Markdown code, links and emphasis', async () => {
    const service = createTranslationService({ provider: providers()['openai-compatible'] });
    const text = '**Thank you!** Run `track A1043` or visit [your order](https://shop.example.com/o/A1043).';
    const result = await service.translate({ texts: [text], from: 'en', to: 'fr', format: 'markdown' });
    expect(result.texts).toEqual(['**Merci vous!** Run `track A1043` or visitez [votre commande](https://shop.example.com/o/A1043).']);
    const body = openai.requests[0]?.json as { messages: Array<{ content: string }> };
    expect(body.messages[0]?.content).toContain('Keep Markdown formatting');
    expect(body.messages[1]?.content).not.toContain('track A1043');
  });

  it('does not call the provider for the same language or for text with nothing to translate', async () => {
    const service = createTranslationService({ provider: providers().deepl });
    expect(await service.translate({ texts: ['Colour'], from: 'en-GB', to: 'en-US' })).toEqual({ texts: ['Colour'], provider: 'none', from: 'en-GB' });
    expect(await service.translate({ texts: ['#A1043', '', ' 42 '], from: 'de', to: 'en' })).toEqual({ texts: ['#A1043', '', ' 42 '], provider: 'none', from: 'de' });
    expect(await service.translate({ texts: [], to: 'en' })).toEqual({ texts: [], provider: 'deepl' });
    expect(deepl.requests).toHaveLength(0);
  });

  it('reports the detected source language', async () => {
    const service = createTranslationService({ provider: providers().deepl });
    expect(await service.translate({ texts: ['Hallo, meine Bestellung'], to: 'en' })).toEqual({ texts: ['Hello, my Order'], provider: 'deepl', from: 'de' });
    // and remembers it with the cached text
    expect((await service.translate({ texts: ['Hallo, meine Bestellung'], to: 'en' })).from).toBe('de');
    expect(deepl.requests).toHaveLength(1);
  });

  it('with cacheSize 0 always asks the provider', async () => {
    const service = createTranslationService({ provider: providers().deepl, cacheSize: 0 });
    await service.translate({ texts: ['Hello'], to: 'de' });
    await service.translate({ texts: ['Hello'], to: 'de' });
    expect(deepl.requests).toHaveLength(2);
  });

  it('evicts the least recently used entry when the cache is full', async () => {
    const service = createTranslationService({ provider: providers().deepl, cacheSize: 2 });
    await service.translate({ texts: ['Hello', 'Thank you'], to: 'de' });
    await service.translate({ texts: ['Hello'], to: 'de' }); // Hello is now the newest
    await service.translate({ texts: ['Good morning'], to: 'de' }); // evicts Thank you
    expect(deepl.requests).toHaveLength(2);
    await service.translate({ texts: ['Hello'], to: 'de' });
    expect(deepl.requests).toHaveLength(2);
    await service.translate({ texts: ['Thank you'], to: 'de' });
    expect(deepl.requests).toHaveLength(3);
  });

  it('falls back to the original texts with provider "none" and a warning when the provider fails', async () => {
    const sink = logSink();
    deepl.enqueue({ status: 503, body: { message: 'Service unavailable' } }, { status: 503, body: { message: 'Service unavailable' } });
    const service = createTranslationService({ provider: providers().deepl, logger: sink.logger });
    const result = await service.translate({ texts: [CUSTOMER_TEXT], from: 'en', to: 'de' });
    expect(result).toEqual({ texts: [CUSTOMER_TEXT], provider: 'none', from: 'en' });
    const [line] = sink.lines();
    expect(line).toMatchObject({ level: 40, provider: 'deepl', code: 'send_failed', reason: 'server_error', status: 503, texts: 1 });
    expect(String(line?.['msg'])).toContain('DeepL had a server error (HTTP 503)');
    for (const secret of [DEEPL_KEY, EMAIL, PHONE, 'A1043']) expect(sink.raw()).not.toContain(secret);
  });

  it('with fallback "throw" raises the MeridianError instead', async () => {
    deepl.enqueue({ status: 456, body: { message: 'Quota Exceeded' } });
    const service = createTranslationService({ provider: providers().deepl, fallback: 'throw' });
    const error = await service.translate({ texts: ['Hello'], to: 'de' }).catch((e: unknown) => e);
    expect(isMeridianError(error, 'send_failed')).toBe(true);
    expect((error as MeridianError).details).toMatchObject({ reason: 'quota' });
  });

  it('keeps API keys out of errors and logs when a key is rejected', async () => {
    const sink = logSink();
    const bad = [
      createDeepLTranslator({ apiKey: 'deepl-secret-key-1111:fx', baseUrl: deepl.url }),
      createLibreTranslateTranslator({ baseUrl: libre.url, apiKey: 'lt-secret-key-2222' }),
      createOpenAICompatibleTranslator({ baseUrl: openai.url, apiKey: 'sk-secret-key-3333abcd', model: 'test-model' }),
    ];
    for (const provider of bad) {
      const error = await createTranslationService({ provider, fallback: 'throw' })
        .translate({ texts: ['Hello'], to: 'de' })
        .catch((e: unknown) => e);
      expect(isMeridianError(error, 'send_failed')).toBe(true);
      const text = `${(error as Error).message} ${JSON.stringify((error as MeridianError).details)}`;
      expect(text).not.toMatch(/secret|1111|2222|3333/);
      await createTranslationService({ provider, logger: sink.logger }).translate({ texts: ['Hello'], to: 'de' });
    }
    expect(sink.lines()).toHaveLength(3);
    expect(sink.raw()).not.toMatch(/secret|1111|2222|3333/);
    // The key travelled only where each protocol puts it.
    expect(everythingSent(deepl.requests, { withoutAuthorization: true })).not.toContain('deepl-secret-key');
    expect(everythingSent(openai.requests, { withoutAuthorization: true })).not.toContain('sk-secret-key');
    expect(libre.requests.at(-1)?.path).not.toContain('lt-secret-key');
  });

  it('meets its deadline: a slow provider gives the original text on time', async () => {
    deepl.enqueue({ delayMs: 3000 });
    const service = createTranslationService({ provider: providers().deepl, timeoutMs: 150 });
    const started = Date.now();
    expect(await service.translate({ texts: ['Hello'], to: 'de' })).toEqual({ texts: ['Hello'], provider: 'none' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('meets its deadline with a Translator that never answers, and reports a timeout with fallback "throw"', async () => {
    const stuck: Translator = { id: 'stuck', translate: () => new Promise(() => {}) };
    const service = createTranslationService({ provider: stuck, timeoutMs: 50, fallback: 'throw' });
    const error = await service.translate({ texts: ['Hello'], to: 'de' }).catch((e: unknown) => e);
    expect(isMeridianError(error, 'send_failed')).toBe(true);
    expect((error as MeridianError).details).toMatchObject({ provider: 'stuck', reason: 'timeout' });
  });

  it('gives any Translator curly placeholders and checks its answer length', async () => {
    const seen: string[][] = [];
    const echo: Translator = {
      id: 'echo',
      translate: async (request) => {
        seen.push([...request.texts]);
        return { texts: request.texts.map((text) => text.toUpperCase()), provider: 'echo' };
      },
    };
    const result = await createTranslationService({ provider: echo }).translate({ texts: [`mail ${EMAIL} about #A1043`], to: 'de' });
    expect(seen).toEqual([['mail {1} about {2}']]);
    expect(result.texts).toEqual([`MAIL ${EMAIL} ABOUT #A1043`]);

    const short: Translator = { id: 'short', translate: async () => ({ texts: [], provider: 'short' }) };
    const error = await createTranslationService({ provider: short, fallback: 'throw' })
      .translate({ texts: ['Hello'], to: 'de' })
      .catch((e: unknown) => e);
    expect((error as MeridianError).details).toMatchObject({ reason: 'bad_response' });
  });

  it('refuses a malformed request even with fallback "original"', async () => {
    const service = createTranslationService({ provider: providers().deepl });
    const bad = [{ texts: 'Hello', to: 'de' }, { texts: ['Hello'], to: '' }, { texts: ['Hello'], to: 'not a tag' }, { texts: [1], to: 'de' }];
    for (const request of bad) {
      const error = await service.translate(request as never).catch((e: unknown) => e);
      expect(isMeridianError(error, 'invalid_request')).toBe(true);
    }
    expect(deepl.requests).toHaveLength(0);
  });

  describe('createTranslatorFromConfig', () => {
    it('builds a passthrough for "none"', async () => {
      const translator = createTranslatorFromConfig({ provider: 'none' });
      expect(translator.id).toBe('none');
      expect(await translator.translate({ texts: ['Hallo'], from: 'de', to: 'en' })).toEqual({ texts: ['Hallo'], provider: 'none', from: 'de' });
    });

    it('builds the configured provider inside the service (glossary, cache, fallback)', async () => {
      const sink = logSink();
      const translator = createTranslatorFromConfig(
        { provider: 'deepl', glossary: ['Meridian'], cacheSize: 10, timeoutMs: 2000, maxRetries: 0, deepl: { apiKey: DEEPL_KEY, baseUrl: deepl.url, formality: 'less' } },
        { logger: sink.logger },
      );
      expect(translator.id).toBe('deepl');
      expect((await translator.translate({ texts: ['Hello from Meridian'], to: 'de' })).texts).toEqual(['Hallo from Meridian']);
      expect(deepl.requests[0]?.json).toMatchObject({ text: ['Hello from <x id="1"/>'], formality: 'prefer_less' });
      await translator.translate({ texts: ['Hello from Meridian'], to: 'de' });
      expect(deepl.requests).toHaveLength(1);
      deepl.enqueue({ status: 500 });
      expect((await translator.translate({ texts: ['Good morning'], to: 'de' })).provider).toBe('none');
      expect(deepl.requests).toHaveLength(2);
      expect(sink.lines()).toHaveLength(1);
    });

    it('builds LibreTranslate and OpenAI-compatible translators', async () => {
      const lt = createTranslatorFromConfig({ provider: 'libretranslate', libretranslate: { baseUrl: libre.url, apiKey: LIBRE_KEY } });
      expect((await lt.translate({ texts: ['Hello'], to: 'de' })).texts).toEqual(['Hallo']);
      const llm = createTranslatorFromConfig({ provider: 'openai-compatible', openaiCompatible: { baseUrl: openai.url, apiKey: OPENAI_KEY, model: 'test-model', temperature: 0.2 } });
      expect((await llm.translate({ texts: ['Hello'], to: 'de' })).texts).toEqual(['Hallo']);
      expect((openai.requests[0]?.json as { temperature: number }).temperature).toBe(0.2);
    });

    it('names the missing setting', () => {
      const attempts: Array<[() => unknown, string]> = [
        [() => createTranslatorFromConfig({ provider: 'deepl' }), 'translation.deepl.apiKey'],
        [() => createTranslatorFromConfig({ provider: 'libretranslate', libretranslate: {} }), 'translation.libretranslate.baseUrl'],
        [() => createTranslatorFromConfig({ provider: 'openai-compatible', openaiCompatible: { baseUrl: 'http://127.0.0.1:1/v1' } }), 'translation.openaiCompatible.model'],
        [() => createTranslatorFromConfig({ provider: 'google' } as never), 'translation.provider'],
      ];
      for (const [build, key] of attempts) {
        let caught: unknown;
        try {
          build();
        } catch (error) {
          caught = error;
        }
        expect(isMeridianError(caught, 'config_invalid')).toBe(true);
        expect((caught as Error).message).toContain(key);
      }
    });
  });
});
