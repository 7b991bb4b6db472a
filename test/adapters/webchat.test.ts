import { afterEach, describe, expect, it } from '@jest/globals';
import { WebSocket, WebSocketServer } from 'ws';
import { isSessionId, newSessionId, type ServerFrame } from '../../adapters/webchat/index.js';
import { ManualClock } from '../../src/core/runtime.js';
import { startWebchatHarness, type WebchatHarness } from './webchat-harness.js';

/** A ws client that records frames and hands them out in arrival order. */
class Client {
  readonly frames: ServerFrame[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;
  closed: { code: number } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as ServerFrame);
      this.wake?.();
    });
    socket.on('close', (code) => {
      this.closed = { code };
      this.wake?.();
    });
  }

  static open(url: string, options: { autoPong?: boolean } = {}): Promise<Client> {
    const socket = new WebSocket(url, options);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new Client(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame (after those already taken) that matches; frames skipped over stay skipped. */
  async next<T extends ServerFrame['type']>(type: T, where: (frame: Extract<ServerFrame, { type: T }>) => boolean = () => true, timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (; this.cursor < this.frames.length; this.cursor++) {
        const frame = this.frames[this.cursor] as ServerFrame;
        if (frame.type === type && where(frame as Extract<ServerFrame, { type: T }>)) {
          this.cursor++;
          return frame as Extract<ServerFrame, { type: T }>;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`no "${type}" frame; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async hello(extra: Record<string, unknown> = {}) {
    this.send({ type: 'hello', ...extra });
    return this.next('ready');
  }

  async waitClosed(timeoutMs = 3000): Promise<{ code: number }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!this.closed) throw new Error('socket stayed open');
    return this.closed;
  }

  close(): void {
    this.socket.close();
  }
}

let harness: WebchatHarness | undefined;
const clients: Client[] = [];
const clock = new ManualClock();

async function start(adapter: Parameters<typeof startWebchatHarness>[0] = {}) {
  harness = await startWebchatHarness({ bot: { clock }, ...adapter });
  return harness;
}

async function connect(options: { autoPong?: boolean } = {}): Promise<Client> {
  const client = await Client.open(`${harness!.url.replace('http', 'ws')}/webchat/ws`, options);
  clients.push(client);
  return client;
}

let counter = 0;
function message(text: string, extra: Record<string, unknown> = {}) {
  return { type: 'message', text, clientMessageId: `msg-${Date.now()}-${++counter}`, ...extra };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await harness?.stop();
  harness = undefined;
});

describe('webchat adapter: protocol', () => {
  it('issues a new 128-bit session on hello', async () => {
    await start();
    const client = await connect();
    const ready = await client.hello({ browserLocale: 'en-US' });
    expect(isSessionId(ready.sessionId)).toBe(true);
    expect(Buffer.from(ready.sessionId, 'base64url')).toHaveLength(16);
    expect(ready.history).toEqual([]);
    expect(harness!.adapter.connections).toBe(1);
    const other = await (await connect()).hello();
    expect(other.sessionId).not.toBe(ready.sessionId);
  });

  it('answers a message with typing on, the reply with the AI disclosure and buttons, typing off', async () => {
    await start();
    const client = await connect();
    await client.hello({ browserLocale: 'en-US' });
    client.send(message('hello'));
    await client.next('typing', (f) => f.on);
    const reply = await client.next('message');
    expect(reply.direction).toBe('out');
    expect(reply.text).toMatch(/AI assistant/);
    expect(reply.text).toContain('How can I help you today?');
    expect(reply.buttons).toEqual([
      { title: 'Track an order', value: 'track order' },
      { title: 'Return an item', value: 'return item' },
      { title: 'Talk to a human', value: 'agent' },
    ]);
    expect(reply.locale).toBe('en');
    await client.next('typing', (f) => !f.on);
    // Nothing else arrives: one reply for one message.
    expect(client.frames.filter((f) => f.type === 'message')).toHaveLength(1);
  });

  it('shows the history in both directions, in order, after a reconnect with the same session', async () => {
    await start();
    const first = await connect();
    const { sessionId } = await first.hello();
    first.send(message('hello'));
    await first.next('typing', (f) => !f.on);
    clock.advance(1000);
    first.send(message('track order'));
    await first.next('typing', (f) => !f.on);
    first.close();

    const again = await connect();
    const ready = await again.hello({ sessionId });
    expect(ready.sessionId).toBe(sessionId);
    expect(ready.history.map((item) => [item.direction, item.text.split('\n').at(-1)])).toEqual([
      ['in', 'hello'],
      ['out', 'How can I help you today?'],
      ['in', 'track order'],
      ['out', expect.stringContaining("I'm not sure I know the answer")],
    ]);
    expect(ready.history[1]!.buttons?.map((b) => b.value)).toEqual(['track order', 'return item', 'agent']);
    // History ids are the ids live frames carried, so a client can deduplicate.
    const live = first.frames.filter((f) => f.type === 'message').map((f) => f.id);
    expect(ready.history.filter((item) => item.direction === 'out').map((item) => item.id)).toEqual(live);
  });

  it('rejects bad frames with error frames and keeps the socket usable', async () => {
    await start({ adapter: { maxMessageLength: 100 } });
    const client = await connect();
    client.send({ type: 'message', text: 'too early', clientMessageId: 'early-0001' });
    expect((await client.next('error')).code).toBe('not_ready');

    const forged = await (async () => {
      client.send({ type: 'hello', sessionId: 'AAAAAAAAAAAAAAAAAAAAAB' }); // right length, impossible last character
      return client.next('error');
    })();
    expect(forged.code).toBe('invalid_session');
    const ready = await client.next('ready');
    expect(isSessionId(ready.sessionId)).toBe(true);
    expect(ready.history).toEqual([]);

    const cases: [unknown, string][] = [
      ['{not json', 'invalid_json'],
      ['[1,2]', 'invalid_frame'],
      [{ type: 'subscribe' }, 'invalid_frame'],
      [{ type: 'hello' }, 'invalid_frame'],
      [message(''), 'empty_message'],
      [message('   \n '), 'empty_message'],
      [message('x'.repeat(101)), 'text_too_long'],
      [{ type: 'message', text: 42, clientMessageId: 'numeric-text' }, 'invalid_message'],
      [{ type: 'message', text: 'hi' }, 'invalid_message_id'],
      [{ type: 'message', text: 'hi', clientMessageId: 'bad id with spaces' }, 'invalid_message_id'],
      [message('hi', { locale: '<script>' }), 'invalid_locale'],
      [message('hi\u0000there'), 'invalid_activity'],
    ];
    for (const [frame, code] of cases) {
      client.send(frame);
      const error = await client.next('error');
      expect([frame, error.code]).toEqual([frame, code]);
      expect(typeof error.message).toBe('string');
    }
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await client.next('error')).code).toBe('invalid_frame');

    // The id of a rejected message comes back, so the client can mark that bubble.
    client.send({ type: 'message', text: '', clientMessageId: 'mark-me-0001' });
    expect(await client.next('error')).toMatchObject({ code: 'empty_message', clientMessageId: 'mark-me-0001' });

    client.send(message('still here'));
    expect((await client.next('message')).text).toMatch(/AI assistant/);
    expect(client.closed).toBeUndefined();
  });

  it('pushes replies to every socket of a session and echoes the customer message to the other tab', async () => {
    await start();
    const tabA = await connect();
    const { sessionId } = await tabA.hello();
    const tabB = await connect();
    await tabB.hello({ sessionId });
    const stranger = await connect();
    await stranger.hello();

    tabA.send(message('hello'));
    const echoed = await tabB.next('message', (f) => f.direction === 'in');
    expect(echoed.text).toBe('hello');
    const [a, b] = await Promise.all([tabA.next('message'), tabB.next('message', (f) => f.direction === 'out')]);
    expect(a.id).toBe(b.id);
    expect(b.text).toMatch(/AI assistant/);
    await tabB.next('typing', (f) => !f.on);
    expect(tabA.frames.some((f) => f.type === 'message' && f.direction === 'in')).toBe(false);
    expect(stranger.frames.filter((f) => f.type !== 'ready')).toEqual([]);
  });

  it('answers in the language picked, and follows the browser language on Automatic', async () => {
    await start();
    const picked = await connect();
    await picked.hello({ locale: 'de', browserLocale: 'en-US' });
    picked.send(message('hello', { locale: 'de' }));
    const german = await picked.next('message');
    expect(german.text).toContain('KI-Assistent');
    expect(german.buttons?.[0]?.title).toBe('Bestellung verfolgen');
    expect(german.locale).toBe('de');

    const automatic = await connect();
    await automatic.hello({ browserLocale: 'fr-FR' });
    automatic.send(message('hello'));
    expect((await automatic.next('message')).text).toContain('assistant IA');
  });

  it('keeps a reply for a session with no socket open and shows it on the next connect', async () => {
    const { adapter, bot } = await start();
    const sessionId = newSessionId();
    const address = `webchat:${sessionId}`;
    await expect(
      adapter.send({ idempotencyKey: 'k1', conversationId: 'cv', channel: 'webchat', address, locale: 'en', messages: [{ text: 'nobody listens' }], attempt: 1 }),
    ).resolves.toBeUndefined();

    await bot.receive({
      id: 'offline-1',
      channel: 'webchat',
      address,
      conversationKey: address,
      text: 'hello',
      attachments: [],
      timestamp: new Date().toISOString(),
      transport: 'webchat',
    });
    const client = await connect();
    const ready = await client.hello({ sessionId });
    expect(ready.history.map((item) => item.direction)).toEqual(['in', 'out']);
    expect(ready.history[1]!.text).toMatch(/AI assistant/);
  });

  it('deduplicates a resent message id within its session only', async () => {
    await start();
    const one = await connect();
    await one.hello();
    const frame = message('hello');
    one.send(frame);
    await one.next('typing', (f) => !f.on);
    one.send(frame);
    await one.next('typing', (f) => !f.on);
    expect(one.frames.filter((f) => f.type === 'message')).toHaveLength(1);

    // Another browser using the same id is a different message, not a duplicate.
    const two = await connect();
    await two.hello();
    two.send(frame);
    expect((await two.next('message')).text).toMatch(/AI assistant/);
  });

  it('limits the message rate per socket', async () => {
    await start();
    const client = await connect();
    await client.hello();
    for (let i = 0; i < 14; i++) client.send(message(`flood ${i}`));
    expect((await client.next('error')).code).toBe('rate_limited');
    expect(client.closed).toBeUndefined();
  });
});

describe('webchat adapter: sockets and HTTP', () => {
  it('drops a socket that stops answering pings', async () => {
    await start({ adapter: { heartbeatMs: 40 } });
    const healthy = await connect();
    const dead = await connect({ autoPong: false });
    await dead.waitClosed();
    expect(harness!.adapter.connections).toBe(1);
    expect(healthy.closed).toBeUndefined();
  });

  it('closes a socket that sends a frame over the payload limit, and the server carries on', async () => {
    await start();
    const client = await connect();
    await client.hello();
    client.send(message('x'.repeat(70 * 1024)));
    expect((await client.waitClosed()).code).toBe(1009);
    const next = await connect();
    await next.hello();
  });

  it('leaves upgrades on other paths to other listeners', async () => {
    await start();
    const other = new WebSocketServer({ noServer: true });
    harness!.server.on('upgrade', (request, socket, head) => {
      if (request.url === '/other') other.handleUpgrade(request, socket, head, (ws) => ws.send('other'));
    });
    const socket = new WebSocket(`${harness!.url.replace('http', 'ws')}/other`);
    const first = await new Promise<string>((resolve, reject) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.once('error', reject);
    });
    expect(first).toBe('other');
    expect(harness!.adapter.connections).toBe(0);
    socket.close();
    other.close();
  });

  it('closes sockets with "service restart" on stop', async () => {
    await start();
    const client = await connect();
    await client.hello();
    await harness!.adapter.stop();
    expect((await client.waitClosed()).code).toBe(1012);
    expect(harness!.adapter.connections).toBe(0);
  });

  it('serves the page, the widget with its config inlined, and the CSS, revalidated by ETag', async () => {
    const { url } = await start();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="widget.js" data-mode="page">');

    const widget = await fetch(`${url}/widget.js`);
    expect(widget.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const source = await widget.text();
    expect(source).not.toContain('@meridian:config');
    const config = JSON.parse(/var CONFIG = (\{.*?\});\n/.exec(source)![1]!) as {
      wsPath: string;
      maxMessageLength: number;
      locales: { code: string; name: string }[];
      strings: Record<string, Record<string, string>>;
    };
    expect(config.wsPath).toBe('webchat/ws');
    expect(config.maxMessageLength).toBe(4000);
    expect(config.locales.map((l) => l.name)).toEqual(['English', 'Español', 'Français', 'Deutsch', '日本語', 'Italiano', 'Português', '中文']);
    expect(config.strings['de']).toMatchObject({ title: 'Kundenservice', send: 'Senden', automatic: 'Automatisch' });
    expect(config.strings['ja']!['welcome']).toContain('AIアシスタント');
    for (const strings of Object.values(config.strings)) for (const value of Object.values(strings)) expect(value).not.toMatch(/^(webchat|disclosure|error)\./);

    const css = await fetch(`${url}/webchat.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const etag = css.headers.get('etag')!;
    const again = await fetch(`${url}/webchat.css`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
  });
});

describe('signed login (identityToken in hello)', () => {
  const secret = 'shop-signing-secret-for-webchat-0001';
  const now = Math.floor(Date.now() / 1000);

  async function proofsSeen(token: string | undefined, verify: boolean) {
    const { createWebTokenVerifier, signWebIdentityToken } = await import('../../src/identity/web-token.js');
    const h = await start({ adapter: verify ? { verifyIdentityToken: createWebTokenVerifier({ secret }) } : {} });
    const seen: unknown[] = [];
    h.bot.use(async (ctx, next) => {
      seen.push(ctx.activity.identityProof ?? null);
      await next();
    });
    const client = await connect();
    const value = token === 'valid' ? await signWebIdentityToken({ secret, shopCustomerId: 'C1003', now }) : token;
    client.send({ type: 'hello', ...(value ? { identityToken: value } : {}) });
    await client.next('ready');
    client.send(message('hello'));
    await client.next('message', (frame) => frame.direction === 'out');
    return { seen, errors: client.frames.filter((frame) => frame.type === 'error') };
  }

  it('puts the verified customer on every message of the socket', async () => {
    const { seen, errors } = await proofsSeen('valid', true);
    expect(errors).toEqual([]);
    expect(seen).toEqual([{ method: 'signed_token', shopCustomerId: 'C1003' }]);
  });

  it('reports a forged token and goes on anonymously', async () => {
    const { signWebIdentityToken } = await import('../../src/identity/web-token.js');
    const forged = await signWebIdentityToken({ secret: 'not-the-shop-secret-but-long-enough-00', shopCustomerId: 'C1003', now });
    const { seen, errors } = await proofsSeen(forged, true);
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid_identity_token' })]);
    expect(seen).toEqual([null]);
  });

  it('refuses tokens where signed login is not configured', async () => {
    const { seen, errors } = await proofsSeen('valid', false);
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid_identity_token', message: expect.stringMatching(/not configured/) })]);
    expect(seen).toEqual([null]);
  });
});
