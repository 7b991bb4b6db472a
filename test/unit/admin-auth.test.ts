import { describe, it, expect, afterEach } from '@jest/globals';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import {
  ADMIN_SCOPES,
  AdminTokenSet,
  adminName,
  adminRateLimits,
  adminTokensFromEnv,
  auditAdminAccess,
  requireScope,
  type AdminRateLimits,
} from '../../src/http/admin-auth.js';
import { errorHandler } from '../../src/http/errors.js';
import { customerIdFor } from '../../src/conversation/conversation-id.js';
import { MeridianError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { createStores } from '../../src/storage/stores.js';

const ADMIN = 'admin-secret-0123456789abcdefXYZ';
const READER = 'reader-secret-0123456789abcdef';
const NLU = 'nlu-secret-0123456789abcdef0123';
const TOKENS = adminTokensFromEnv({ MERIDIAN_ADMIN_TOKEN: ADMIN, MERIDIAN_ADMIN_TOKENS: `reader:customers:read:${READER},nlu:nlu:parse:${NLU}` });

interface Served {
  url: string;
  close(): Promise<void>;
}
const servers: Served[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A protected GET /customers (customers:read) and POST /erase (privacy:erase, JSON body), optionally rate limited. */
async function serve(tokens: AdminTokenSet, limits?: AdminRateLimits): Promise<Served> {
  const app = express();
  app.set('trust proxy', 'loopback');
  const guard = (scope: 'customers:read' | 'privacy:erase'): RequestHandler[] =>
    limits ? [limits.failedAuth, requireScope(tokens, scope), limits.perToken] : [requireScope(tokens, scope)];
  app.get('/customers', ...guard('customers:read'), (_req, res) => {
    res.json({ admin: adminName(res), locals: res.locals['admin'] as unknown });
  });
  app.post('/erase', ...guard('privacy:erase'), express.json(), (req, res) => {
    res.json({ admin: adminName(res), body: req.body as unknown });
  });
  app.get('/unguarded', (_req, res) => {
    res.json({ admin: adminName(res) });
  });
  app.use(errorHandler(silentLogger()));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const served = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  servers.push(served);
  return served;
}

async function get(url: string, token?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

function errorOf(json: Record<string, unknown>): { code: string; message: string } {
  return json['error'] as { code: string; message: string };
}

function thrown(run: () => unknown): MeridianError {
  try {
    run();
  } catch (error) {
    if (error instanceof MeridianError) return error;
    throw error;
  }
  throw new Error('expected a MeridianError');
}

describe('requireScope', () => {
  it('answers 401 with WWW-Authenticate without an Authorization header', async () => {
    const { url } = await serve(TOKENS);
    const { status, json, headers } = await get(`${url}/customers`);
    expect(status).toBe(401);
    expect(errorOf(json)).toEqual({ code: 'unauthorized', message: expect.stringMatching(/Authorization: Bearer/) });
    expect(headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('answers 401 for a wrong token, another scheme or an empty bearer', async () => {
    const { url } = await serve(TOKENS);
    const wrong = await get(`${url}/customers`, `${READER}x`);
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong.json).message).toMatch(/not valid/);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    expect((await get(`${url}/customers`, undefined, { authorization: `Basic ${READER}` })).status).toBe(401);
    expect((await get(`${url}/customers`, '')).status).toBe(401);
  });

  it('has no open mode: with no token configured it refuses and says how to configure one', async () => {
    const empty = adminTokensFromEnv({});
    expect(empty.size).toBe(0);
    const { url } = await serve(empty);
    const { status, json, headers } = await get(`${url}/customers`, READER);
    expect(status).toBe(401);
    expect(errorOf(json).message).toMatch(/no admin token is configured.*MERIDIAN_ADMIN_TOKEN/);
    expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 403 naming the missing scope for a valid token without it', async () => {
    const { url } = await serve(TOKENS);
    const { status, json, headers } = await get(`${url}/customers`, NLU);
    expect(status).toBe(403);
    expect(errorOf(json)).toEqual({ code: 'forbidden', message: expect.stringMatching(/"nlu".*customers:read/) });
    expect(headers.get('www-authenticate')).toMatch(/insufficient_scope/);
  });

  it('lets a token with the scope through and puts its name and scopes in res.locals', async () => {
    const { url } = await serve(TOKENS);
    const reader = await get(`${url}/customers`, READER);
    expect(reader.status).toBe(200);
    expect(reader.json).toEqual({ admin: 'reader', locals: { name: 'reader', scopes: ['customers:read'] } });
    const admin = await get(`${url}/customers`, ADMIN, {});
    expect(admin.json['admin']).toBe('admin');
    // The scheme name is case-insensitive (RFC 7235).
    expect((await get(`${url}/customers`, undefined, { authorization: `bearer ${READER}` })).status).toBe(200);
  });

  it('refuses before the body is read: a broken JSON body without a token is a 401, not a 400', async () => {
    const { url } = await serve(TOKENS);
    const post = (token: string) => fetch(`${url}/erase`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{broken' });
    expect((await post('nope')).status).toBe(401);
    expect((await post(READER)).status).toBe(403);
    expect((await post(ADMIN)).status).toBe(400);
  });

  it('adminName fails closed (401) on a route without the guard', async () => {
    const { url } = await serve(TOKENS);
    expect((await get(`${url}/unguarded`, ADMIN)).status).toBe(401);
  });
});

describe('adminTokensFromEnv', () => {
  it('reads the admin token with every scope and the named tokens with theirs', () => {
    expect(TOKENS.size).toBe(3);
    expect(TOKENS.names()).toEqual(['admin', 'reader', 'nlu']);
    expect(TOKENS.authenticate(ADMIN)).toEqual({ name: 'admin', scopes: [...ADMIN_SCOPES] });
    expect(TOKENS.authenticate(READER)).toEqual({ name: 'reader', scopes: ['customers:read'] });
    expect(TOKENS.authenticate(NLU)).toEqual({ name: 'nlu', scopes: ['nlu:parse'] });
    expect(TOKENS.authenticate(READER.slice(0, -1))).toBeUndefined();
    expect(TOKENS.authenticate('')).toBeUndefined();
  });

  it('reads several scopes, * for all, newlines and blank entries', () => {
    const set = adminTokensFromEnv({ MERIDIAN_ADMIN_TOKENS: `ops:privacy:export+privacy:erase:${READER}\n\nall:*:${NLU},` });
    expect(set.authenticate(READER)?.scopes).toEqual(['privacy:export', 'privacy:erase']);
    expect(set.authenticate(NLU)?.scopes).toEqual([...ADMIN_SCOPES]);
  });

  it('reads the _FILE variants through readFile, with comments and a trimmed admin token', () => {
    const files: Record<string, string> = {
      '/run/secrets/admin': `${ADMIN}\n`,
      '/run/secrets/tokens': `# support desk\nreader:customers:read:${READER}\r\n  # parsing only\nnlu:nlu:parse:${NLU}\n`,
    };
    const readFile = (path: string): string => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    };
    const set = adminTokensFromEnv({ MERIDIAN_ADMIN_TOKEN_FILE: '/run/secrets/admin', MERIDIAN_ADMIN_TOKENS_FILE: '/run/secrets/tokens' }, readFile);
    expect(set.names()).toEqual(['admin', 'reader', 'nlu']);
    expect(set.authenticate(ADMIN)?.name).toBe('admin');
    const missing = thrown(() => adminTokensFromEnv({ MERIDIAN_ADMIN_TOKENS_FILE: '/nope' }, readFile));
    expect(missing.code).toBe('config_unreadable');
    expect(missing.message).toMatch(/MERIDIAN_ADMIN_TOKENS_FILE names \/nope/);
    const badLine = thrown(() => adminTokensFromEnv({ MERIDIAN_ADMIN_TOKENS_FILE: '/bad' }, () => `# c\nok:nlu:parse:${NLU}\nBad:nlu:parse:${READER}`));
    expect(badLine.message).toMatch(/MERIDIAN_ADMIN_TOKENS_FILE \(\/bad\) line 3: the name "Bad"/);
    expect(thrown(() => adminTokensFromEnv({ MERIDIAN_ADMIN_TOKEN_FILE: '/e' }, () => ' \n')).message).toMatch(/MERIDIAN_ADMIN_TOKEN_FILE \(\/e\) is empty/);
  });

  const cases: [string, Record<string, string>, RegExp][] = [
    ['a short admin token', { MERIDIAN_ADMIN_TOKEN: 'short-admin-token' }, /MERIDIAN_ADMIN_TOKEN \("admin"\): the token is shorter than 24/],
    ['a variable and its _FILE twin', { MERIDIAN_ADMIN_TOKEN: ADMIN, MERIDIAN_ADMIN_TOKEN_FILE: '/x' }, /set MERIDIAN_ADMIN_TOKEN or MERIDIAN_ADMIN_TOKEN_FILE, not both/],
    ['an entry without the three parts', { MERIDIAN_ADMIN_TOKENS: `ok:nlu:parse:${NLU},${READER}` }, /MERIDIAN_ADMIN_TOKENS entry 2: expected <name>:<scope>\+<scope>:<token>/],
    ['a bad name', { MERIDIAN_ADMIN_TOKENS: `9lives:nlu:parse:${NLU}` }, /entry 1: the name "9lives" must be/],
    ['a name longer than 32', { MERIDIAN_ADMIN_TOKENS: `${'a'.repeat(33)}:nlu:parse:${NLU}` }, /entry 1: the name \(33 characters, not shown\)/],
    ['a duplicate name', { MERIDIAN_ADMIN_TOKENS: `ops:nlu:parse:${NLU},ops:customers:read:${READER}` }, /entry 2: the name "ops" is used twice/],
    ['the reserved admin name twice', { MERIDIAN_ADMIN_TOKEN: ADMIN, MERIDIAN_ADMIN_TOKENS: `admin:nlu:parse:${NLU}` }, /entry 1: the name "admin" is used twice/],
    ['an unknown scope', { MERIDIAN_ADMIN_TOKENS: `ops:customers:delete:${NLU}` }, /entry 1 \("ops"\): unknown scope "customers:delete"; known scopes: customers:read/],
    ['no scopes', { MERIDIAN_ADMIN_TOKENS: `ops::${NLU}` }, /entry 1 \("ops"\): no scopes/],
    ['a short token', { MERIDIAN_ADMIN_TOKENS: 'ops:nlu:parse:tooshort-secret' }, /entry 1 \("ops"\): the token is shorter than 24 characters/],
    ['a token with a space', { MERIDIAN_ADMIN_TOKENS: 'ops:nlu:parse:secret with spaces 0123456789' }, /entry 1 \("ops"\): the token must be printable ASCII without spaces/],
    ['one secret for two tokens', { MERIDIAN_ADMIN_TOKEN: NLU, MERIDIAN_ADMIN_TOKENS: `nlu:nlu:parse:${NLU}` }, /entry 1 \("nlu"\): same token as "admin"/],
  ];
  it.each(cases)('refuses %s with config_invalid naming the variable and entry', (_name, env, message) => {
    const error = thrown(() => adminTokensFromEnv(env));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(message);
    for (const secret of [ADMIN, READER, NLU, 'tooshort-secret', 'secret with spaces']) expect(error.message).not.toContain(secret);
  });

  it('never echoes a secret, even a misplaced one or a piece of one', () => {
    const misplaced = thrown(() => adminTokensFromEnv({ MERIDIAN_ADMIN_TOKENS: `${READER}:ops:nlu:parse` }));
    expect(misplaced.message).not.toContain(READER);
    // A secret pasted twice in the name position looks like a valid name: still not shown.
    const twice = thrown(() => adminTokensFromEnv({ MERIDIAN_ADMIN_TOKENS: `${READER}:*:${NLU},${READER}:*:${ADMIN}` }));
    expect(twice.message).toMatch(/entry 2: the name \(30 characters, not shown\) is used twice/);
    // A token with a colon: its first piece lands among the scopes.
    const colon = thrown(() => adminTokensFromEnv({ MERIDIAN_ADMIN_TOKENS: `ops:nlu:parse:abc:${READER}` }));
    expect(colon.message).toMatch(/unknown scope \(\d+ characters, not shown\)/);
    expect(colon.message).not.toMatch(/abc/);
  });

  it('keeps secrets out of JSON.stringify and util.inspect of the set', async () => {
    const { inspect } = await import('node:util');
    for (const text of [JSON.stringify(TOKENS), inspect(TOKENS, { depth: 10, showHidden: true }), JSON.stringify(TOKENS.authenticate(ADMIN))]) {
      for (const secret of [ADMIN, READER, NLU]) expect(text).not.toContain(secret);
    }
    expect(JSON.parse(JSON.stringify(TOKENS))).toEqual([
      { name: 'admin', scopes: [...ADMIN_SCOPES] },
      { name: 'reader', scopes: ['customers:read'] },
      { name: 'nlu', scopes: ['nlu:parse'] },
    ]);
  });

  it('can be built directly from specs, with the same checks', () => {
    const set = new AdminTokenSet([{ name: 'ci', scopes: ['nlu:parse'], secret: NLU }]);
    expect(set.authenticate(NLU)?.name).toBe('ci');
    expect(thrown(() => new AdminTokenSet([{ name: 'ci', scopes: [], secret: NLU }])).message).toMatch(/admin token 1 \("ci"\): no scopes/);
  });
});

describe('adminRateLimits', () => {
  it('stops an address after too many refusals, while other addresses and successes are not counted', async () => {
    const { url } = await serve(TOKENS, adminRateLimits({ failedLimit: 3 }));
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    // Successes do not count towards the limit.
    for (let i = 0; i < 5; i += 1) expect((await get(`${url}/customers`, READER, from('203.0.113.7'))).status).toBe(200);
    expect((await get(`${url}/customers`, 'guess-1', from('203.0.113.7'))).status).toBe(401);
    expect((await get(`${url}/customers`, NLU, from('203.0.113.7'))).status).toBe(403);
    expect((await get(`${url}/customers`, undefined, from('203.0.113.7'))).status).toBe(401);
    const blocked = await get(`${url}/customers`, 'guess-4', from('203.0.113.7'));
    expect(blocked.status).toBe(429);
    expect(errorOf(blocked.json)).toEqual({ code: 'rate_limited', message: expect.stringMatching(/too many refused admin requests.*try again in \d+ seconds/) });
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(blocked.headers.get('ratelimit-policy')).toMatch(/"admin-failed-auth"; q=3; w=900/);
    expect(blocked.headers.get('x-ratelimit-limit')).toBeNull();
    // Even the right token is refused from the guessing address ...
    expect((await get(`${url}/customers`, READER, from('203.0.113.7'))).status).toBe(429);
    // ... but works from another one, IPv6 included.
    expect((await get(`${url}/customers`, READER, from('198.51.100.2'))).status).toBe(200);
    expect((await get(`${url}/customers`, READER, from('2001:db8::1'))).status).toBe(200);
  });

  it('groups IPv6 addresses by subnet so a host cannot rotate addresses to keep guessing', async () => {
    const { url } = await serve(TOKENS, adminRateLimits({ failedLimit: 2 }));
    for (const ip of ['2001:db8:1:1::1', '2001:db8:1:1::2']) expect((await get(`${url}/customers`, 'guess', { 'x-forwarded-for': ip })).status).toBe(401);
    expect((await get(`${url}/customers`, 'guess', { 'x-forwarded-for': '2001:db8:1:1::3' })).status).toBe(429);
  });

  it('limits each token by name, whatever the address, without touching other tokens', async () => {
    const { url } = await serve(TOKENS, adminRateLimits({ limit: 2, windowMs: 60_000 }));
    expect((await get(`${url}/customers`, READER, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(200);
    expect((await get(`${url}/customers`, READER, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(200);
    const blocked = await get(`${url}/customers`, READER, { 'x-forwarded-for': '203.0.113.3' });
    expect(blocked.status).toBe(429);
    expect(errorOf(blocked.json)).toEqual({ code: 'rate_limited', message: expect.stringMatching(/too many admin requests with this token/) });
    expect(blocked.headers.get('ratelimit')).toMatch(/"admin-per-token"; r=0/);
    expect((await get(`${url}/customers`, ADMIN, { 'x-forwarded-for': '203.0.113.3' })).status).toBe(200);
    // A per-token 429 is not a refused authentication: it does not lock the address out.
    const limits = adminRateLimits({ limit: 1, failedLimit: 1 });
    const second = await serve(TOKENS, limits);
    for (let i = 0; i < 3; i += 1) await get(`${second.url}/customers`, READER);
    expect((await get(`${second.url}/customers`, ADMIN)).status).toBe(200);
  });
});

describe('auditAdminAccess', () => {
  it('appends one admin.access event per subject, filed under its pseudonymous id, and nothing else about them', async () => {
    const stores = createStores(new MemoryBackend());
    const subject = customerIdFor('email:ana@example.com');
    const other = customerIdFor('sms:+4915112345678');
    await auditAdminAccess(stores.events, { action: 'privacy.export', admin: 'reader', subjectIds: [subject, subject, other], requestId: 'req-1', records: 12, at: 1_700_000_000_000 });
    const events = await stores.events.byType('admin.access');
    expect(events.map((e) => e.customerId).sort()).toEqual([subject, other].sort());
    const event = events.find((e) => e.customerId === subject);
    expect(event).toMatchObject({
      id: expect.stringMatching(/^adm_[0-9a-f-]{36}$/),
      type: 'admin.access',
      at: 1_700_000_000_000,
      conversationId: null,
      data: { action: 'privacy.export', admin: 'reader', requestId: 'req-1', records: 12 },
    });
    expect(JSON.stringify(event)).not.toMatch(/ana|example\.com/);
  });

  it('refuses an address, free text or a bad count instead of writing it', async () => {
    const stores = createStores(new MemoryBackend());
    const entry = { action: 'privacy.export', admin: 'reader', subjectIds: [customerIdFor('whatsapp:+4915112345678')], requestId: undefined, records: 1, at: 1 };
    await expect(auditAdminAccess(stores.events, { ...entry, subjectIds: ['email:ana@example.com'] })).rejects.toThrow(/customer ids \(cu_/);
    await expect(auditAdminAccess(stores.events, { ...entry, action: 'read Ana Lopez data' })).rejects.toThrow(/action must be an identifier/);
    await expect(auditAdminAccess(stores.events, { ...entry, records: -1 })).rejects.toThrow(/records must be a count/);
    expect(await stores.events.byType('admin.access')).toEqual([]);
    await auditAdminAccess(stores.events, { ...entry, requestId: 'x y <script>' });
    const [event] = await stores.events.byType('admin.access');
    expect(event?.data['requestId']).toBeNull();
  });
});
