import { describe, it, expect } from '@jest/globals';
import { compose } from '../../src/core/compose.js';
import { formatAddress, normalizeSenderId, parseAddress } from '../../src/core/address.js';
import { CHANNEL_CAPABILITIES, renderForCapabilities, splitText } from '../../src/core/capabilities.js';
import { KeyedQueue } from '../../src/conversation/keyed-queue.js';
import { createTranslator, fallbackChain } from '../../src/i18n/catalog.js';
import { matchLocale, parseAcceptLanguage, scriptLanguageDetector } from '../../src/i18n/locale.js';

describe('compose', () => {
  it('runs middleware onion-style', async () => {
    const order: string[] = [];
    const run = compose<string[]>([
      async (_ctx, next) => {
        order.push('a>');
        await next();
        order.push('<a');
      },
      async (_ctx, next) => {
        order.push('b');
        await next();
      },
    ]);
    await run(order, async () => {
      order.push('end');
    });
    expect(order).toEqual(['a>', 'b', 'end', '<a']);
  });

  it('reports next() called twice', async () => {
    const run = compose<object>([
      async (_ctx, next) => {
        await next();
        await next();
      },
    ]);
    await expect(run({})).rejects.toMatchObject({ code: 'middleware_error' });
  });

  it('lets a middleware stop the chain by not calling next', async () => {
    let reached = false;
    await compose<object>([() => undefined, () => void (reached = true)])({});
    expect(reached).toBe(false);
  });
});

describe('addresses', () => {
  it.each(['whatsapp:+4915112345678', 'email:ana@example.com', 'sms:+15551234567', 'webchat:Zx9-abc_123', 'teams:29:1a2b3c'])('round-trips %s', (value) => {
    expect(formatAddress(parseAddress(value))).toBe(value);
  });

  it('rejects strings that are not addresses', () => {
    expect(() => parseAddress('no-colon')).toThrow(/not an address/);
    expect(() => parseAddress('SMS:+1')).toThrow(/not an address/);
    expect(() => parseAddress('sms:')).toThrow(/not an address/);
  });

  it('normalizes what people type for phone and e-mail senders', () => {
    expect(normalizeSenderId('whatsapp', '+49 (151) 1234-5678')).toBe('+4915112345678');
    expect(normalizeSenderId('sms', '15551234567')).toBe('+15551234567');
    expect(normalizeSenderId('email', ' Ana@Example.COM ')).toBe('ana@example.com');
    expect(() => normalizeSenderId('sms', 'call me')).toThrow(/not a phone number/);
    expect(() => normalizeSenderId('email', 'ana')).toThrow(/not an e-mail/);
  });
});

describe('rendering for channel capabilities', () => {
  const message = { text: 'Pick **one**:', buttons: [1, 2, 3, 4].map((n) => ({ title: `Option ${n}`, value: `o${n}` })) };

  it('keeps buttons where the channel has enough of them', () => {
    const [rendered] = renderForCapabilities(message, CHANNEL_CAPABILITIES['webchat']!);
    expect(rendered!.buttons).toHaveLength(4);
    expect(rendered!.text).toBe('Pick **one**:');
  });

  it('turns buttons into a numbered list and strips markdown on SMS', () => {
    const [rendered] = renderForCapabilities(message, CHANNEL_CAPABILITIES['sms']!);
    expect(rendered!.buttons).toBeUndefined();
    expect(rendered!.text).toBe('Pick one:\n1. Option 1\n2. Option 2\n3. Option 3\n4. Option 4');
  });

  it('falls back to a list when WhatsApp would need more than three buttons', () => {
    expect(renderForCapabilities(message, CHANNEL_CAPABILITIES['whatsapp']!)[0]!.buttons).toBeUndefined();
    expect(renderForCapabilities({ ...message, buttons: message.buttons.slice(0, 3) }, CHANNEL_CAPABILITIES['whatsapp']!)[0]!.buttons).toHaveLength(3);
  });

  it('reads choices aloud on voice', () => {
    expect(renderForCapabilities(message, CHANNEL_CAPABILITIES['voice']!)[0]!.text).toContain('1: Option 1. 2: Option 2.');
  });

  it('splits long text at word boundaries within the limit', () => {
    const parts = splitText('word '.repeat(1000).trim(), 1600);
    expect(parts.length).toBe(4);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(1600);
    expect(parts.join(' ')).toBe('word '.repeat(1000).trim());
  });
});

describe('keyed queue', () => {
  it('serializes tasks per key and runs different keys concurrently', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const task = (key: string, n: number, ms: number) =>
      queue.run(key, async () => {
        log.push(`${key}${n} start`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`${key}${n} end`);
      });
    await Promise.all([task('a', 1, 20), task('a', 2, 1), task('b', 1, 5)]);
    expect(log.indexOf('a1 end')).toBeLessThan(log.indexOf('a2 start'));
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
    await queue.idle();
    expect(queue.size).toBe(0);
  });

  it('keeps going after a task fails', async () => {
    const queue = new KeyedQueue();
    await expect(queue.run('k', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(queue.run('k', async () => 'ok')).resolves.toBe('ok');
  });
});

describe('i18n', () => {
  const catalogs = new Map<string, Record<string, string>>([
    ['en', { hello: 'Hello {name}', items: 'items', 'items.one': '{count} item', 'items.other': '{count} items', only: 'English only' }],
    ['es', { hello: 'Hola {name}', 'items.one': '{count} artículo', 'items.other': '{count} artículos' }],
    ['es-MX', { hello: '¡Quiubo {name}!' }],
  ]);

  it('falls back es-MX -> es -> en', () => {
    expect(fallbackChain('es-MX')).toEqual(['es-MX', 'es', 'en']);
    const t = createTranslator(catalogs, 'es-MX');
    expect(t('hello', { name: 'Ana' })).toBe('¡Quiubo Ana!');
    expect(t('items', { count: 2 })).toBe('2 artículos');
    expect(t('only')).toBe('English only');
    expect(t('missing.key')).toBe('missing.key');
  });

  it('uses CLDR plural categories', () => {
    const t = createTranslator(catalogs, 'en');
    expect(t('items', { count: 1 })).toBe('1 item');
    expect(t('items', { count: 5 })).toBe('5 items');
  });

  it('matches locales and Accept-Language', () => {
    expect(matchLocale('es-MX', ['en', 'es'])).toBe('es');
    expect(matchLocale('pt_BR', ['pt-BR', 'pt'])).toBe('pt-BR');
    expect(matchLocale('xx-!!', ['en'])).toBeUndefined();
    expect(parseAcceptLanguage('de-CH,de;q=0.9,en;q=0.8,*;q=0.1')).toEqual(['de-CH', 'de', 'en']);
  });

  it('tells Japanese from Chinese by script and stays undecided on short Latin text', () => {
    expect(scriptLanguageDetector.detect('注文はどこですか')?.language).toBe('ja');
    expect(scriptLanguageDetector.detect('我的订单在哪里')?.language).toBe('zh');
    expect(scriptLanguageDetector.detect('ok')).toBeUndefined();
    expect(scriptLanguageDetector.detect('A1043')).toBeUndefined();
  });
});
