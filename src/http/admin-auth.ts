import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options as RateLimitOptions, type RateLimitRequestHandler } from 'express-rate-limit';
import { MeridianError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { EventsStore } from '../storage/stores.js';
import { errorBody } from './errors.js';

/**
 * The admin API's security: named bearer tokens with scopes, a guard per route, rate limits against
 * token guessing and overuse, and an audit event for every admin read of personal data.
 *
 * Mount order on every admin route (limiters once per request, created at start-up):
 *   app.get(path, limits.failedAuth, requireScope(tokens, scope), limits.perToken, express.json(...), handler)
 * failedAuth comes first so a client that keeps failing is stopped before its token is even checked;
 * perToken comes after requireScope because it counts by the token's name, which only the guard knows.
 */

export const ADMIN_SCOPES = ['customers:read', 'customers:write', 'privacy:export', 'privacy:erase', 'nlu:parse'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

/** Who is calling: what the guard puts in `res.locals['admin']`. The secret is never part of it. */
export interface AdminToken {
  name: string;
  scopes: readonly AdminScope[];
}

/** One token to configure; `source` names where it came from in error messages (e.g. "MERIDIAN_ADMIN_TOKENS entry 2"). */
export interface AdminTokenSpec {
  name: string;
  scopes: readonly AdminScope[];
  secret: string;
  source?: string;
}

const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
export const MIN_TOKEN_LENGTH = 24;
const ADMIN_TOKEN_NAME = 'admin';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function isScope(value: string): value is AdminScope {
  return (ADMIN_SCOPES as readonly string[]).includes(value);
}

/**
 * Quotes a name or scope in an error message only when it has that shape and is too short to be a token:
 * a misplaced secret (or a piece of one) must not reach a log.
 */
function shown(value: string, shape: RegExp): string {
  return value.length < MIN_TOKEN_LENGTH && shape.test(value) ? JSON.stringify(value) : `(${value.length} characters, not shown)`;
}
const NAME_SHAPE = /^[\w-]+$/;

/** "where" plus the token's name, when the name is safe to show (a secret pasted as a name can look like one). */
function labelled(where: string, name: string): string {
  return NAME_PATTERN.test(name) && name.length < MIN_TOKEN_LENGTH ? `${where} ("${name}")` : where;
}
const SCOPE_SHAPE = /^[a-z]+(:[a-z]+)?$/;

function invalid(message: string): MeridianError {
  return new MeridianError('config_invalid', message);
}

interface Entry {
  token: AdminToken;
  digest: Buffer;
}

/** The configured tokens. Only sha256 digests of the secrets are kept, in a private field. */
export class AdminTokenSet {
  readonly #entries: readonly Entry[];

  constructor(specs: readonly AdminTokenSpec[]) {
    const entries: Entry[] = [];
    specs.forEach((spec, index) => {
      const label = spec.source ?? `admin token ${index + 1}`;
      const entry = checkedEntry(spec, label);
      const clash = entries.find((other) => other.token.name === entry.token.name);
      if (clash) throw invalid(`${label}: the name ${shown(entry.token.name, NAME_SHAPE)} is used twice; every token needs its own name`);
      const twin = entries.find((other) => other.digest.equals(entry.digest));
      if (twin) throw invalid(`${labelled(label, entry.token.name)}: same token as ${shown(twin.token.name, NAME_SHAPE)}; give every token its own secret`);
      entries.push(entry);
    });
    this.#entries = entries;
  }

  /** The token whose secret was presented. Compares against every digest, with no early exit, so timing tells nothing. */
  authenticate(presented: string): AdminToken | undefined {
    const digest = sha256(presented);
    let match: AdminToken | undefined;
    for (const entry of this.#entries) {
      if (timingSafeEqual(digest, entry.digest)) match ??= entry.token;
    }
    return match;
  }

  get size(): number {
    return this.#entries.length;
  }

  names(): string[] {
    return this.#entries.map((entry) => entry.token.name);
  }

  /** Names and scopes only, for diagnostics. */
  toJSON(): AdminToken[] {
    return this.#entries.map((entry) => entry.token);
  }
}

function checkedEntry(spec: AdminTokenSpec, label: string): Entry {
  if (!NAME_PATTERN.test(spec.name)) {
    throw invalid(`${label}: the name ${shown(spec.name, NAME_SHAPE)} must be 1-32 of a-z, 0-9, _ and -, starting with a letter`);
  }
  const where = labelled(label, spec.name);
  if (spec.scopes.length === 0) throw invalid(`${where}: no scopes; give one or more of ${ADMIN_SCOPES.join(', ')} or *`);
  const unknown = spec.scopes.find((scope) => !isScope(scope));
  if (unknown !== undefined) throw invalid(`${where}: unknown scope ${shown(unknown, SCOPE_SHAPE)}; known scopes: ${ADMIN_SCOPES.join(', ')}`);
  if (spec.secret.length < MIN_TOKEN_LENGTH) throw invalid(`${where}: the token is shorter than ${MIN_TOKEN_LENGTH} characters`);
  // The token travels in an Authorization header: printable ASCII without spaces.
  if (!/^[\x21-\x7e]+$/.test(spec.secret)) throw invalid(`${where}: the token must be printable ASCII without spaces`);
  const scopes = Object.freeze(ADMIN_SCOPES.filter((scope) => spec.scopes.includes(scope)));
  return { token: Object.freeze({ name: spec.name, scopes }), digest: sha256(spec.secret) };
}

type Env = Readonly<Record<string, string | undefined>>;

interface Setting {
  text: string;
  /** How error messages name it: the variable, and the file for a _FILE variable. */
  source: string;
  fromFile: boolean;
}

/** A variable or its _FILE twin (not both); empty means unset. */
function readSetting(env: Env, name: string, readFile: (path: string) => string): Setting | undefined {
  const value = env[name] || undefined;
  const path = env[`${name}_FILE`] || undefined;
  if (value !== undefined && path !== undefined) throw invalid(`set ${name} or ${name}_FILE, not both`);
  if (value !== undefined) return { text: value, source: name, fromFile: false };
  if (path === undefined) return undefined;
  try {
    return { text: readFile(path), source: `${name}_FILE (${path})`, fromFile: true };
  } catch (cause) {
    throw new MeridianError('config_unreadable', `${name}_FILE names ${path}, which cannot be read: ${(cause as Error).message}`, { cause });
  }
}

function parseScopes(text: string, where: string): AdminScope[] {
  const items = text.split('+').map((item) => item.trim()).filter(Boolean);
  if (items.includes('*')) return [...ADMIN_SCOPES];
  const unknown = items.find((item) => !isScope(item));
  if (unknown !== undefined) throw invalid(`${where}: unknown scope ${shown(unknown, SCOPE_SHAPE)}; known scopes: ${ADMIN_SCOPES.join(', ')} (or * for all)`);
  return items.filter(isScope);
}

/**
 * `<name>:<scope>+<scope>:<token>`. Scopes hold colons themselves, so the name ends at the first colon and
 * the token starts after the last one (a token here cannot contain ':' or ',').
 */
function parseEntry(raw: string, where: string): AdminTokenSpec {
  const first = raw.indexOf(':');
  const last = raw.lastIndexOf(':');
  if (first < 0 || last === first) throw invalid(`${where}: expected <name>:<scope>+<scope>:<token>`);
  const name = raw.slice(0, first).trim();
  const label = labelled(where, name);
  return { name, scopes: parseScopes(raw.slice(first + 1, last), label), secret: raw.slice(last + 1).trim(), source: where };
}

/** Entries separated by commas or newlines; in a file, lines starting with # are comments. */
function parseEntries(setting: Setting): AdminTokenSpec[] {
  const specs: AdminTokenSpec[] = [];
  let position = 0;
  setting.text.split(/\r?\n/).forEach((line, index) => {
    if (setting.fromFile && line.trim().startsWith('#')) return;
    for (const raw of line.split(',')) {
      if (raw.trim() === '') continue;
      position += 1;
      const where = setting.fromFile ? `${setting.source} line ${index + 1}` : `${setting.source} entry ${position}`;
      specs.push(parseEntry(raw.trim(), where));
    }
  });
  return specs;
}

function adminSpec(setting: Setting): AdminTokenSpec {
  const secret = setting.text.trim();
  if (secret === '') throw invalid(`${setting.source} is empty`);
  return { name: ADMIN_TOKEN_NAME, scopes: ADMIN_SCOPES, secret, source: setting.source };
}

/**
 * Reads MERIDIAN_ADMIN_TOKEN (all scopes, named "admin") and MERIDIAN_ADMIN_TOKENS
 * (`<name>:<scope>+<scope>:<token>`, comma- or newline-separated), or their _FILE variants.
 * Throws a config_invalid MeridianError that names the variable and entry, never the secret.
 */
export function adminTokensFromEnv(env: Env, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): AdminTokenSet {
  const admin = readSetting(env, 'MERIDIAN_ADMIN_TOKEN', readFile);
  const more = readSetting(env, 'MERIDIAN_ADMIN_TOKENS', readFile);
  return new AdminTokenSet([...(admin ? [adminSpec(admin)] : []), ...(more ? parseEntries(more) : [])]);
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

// RFC 6750 section 3: a refused bearer request says why in WWW-Authenticate.
function refuse(res: Response, status: 401 | 403, message: string, error?: string): void {
  res.setHeader('WWW-Authenticate', `Bearer realm="meridian-admin"${error ? `, error="${error}"` : ''}`);
  res.status(status).json(errorBody(status === 401 ? 'unauthorized' : 'forbidden', message));
}

/**
 * Lets a request through only with a configured token that holds `scope`; runs before the body is read.
 * There is no open mode: without any configured token every request is refused.
 */
export function requireScope(tokens: AdminTokenSet, scope: AdminScope): RequestHandler {
  if (!isScope(scope)) throw new TypeError(`requireScope: unknown scope ${scope}`);
  return (req, res, next) => {
    if (tokens.size === 0) {
      refuse(res, 401, 'no admin token is configured; set MERIDIAN_ADMIN_TOKEN (or MERIDIAN_ADMIN_TOKENS) to use the admin API');
      return;
    }
    const presented = bearerToken(req.get('authorization'));
    if (presented === undefined) {
      refuse(res, 401, 'this route needs an Authorization: Bearer <admin token> header');
      return;
    }
    const token = tokens.authenticate(presented);
    if (!token) {
      refuse(res, 401, 'the admin token in the Authorization header is not valid', 'invalid_token');
      return;
    }
    if (!token.scopes.includes(scope)) {
      refuse(res, 403, `the token "${token.name}" lacks the scope ${scope} that this route needs`, 'insufficient_scope');
      return;
    }
    res.locals['admin'] = { name: token.name, scopes: token.scopes } satisfies AdminToken;
    next();
  };
}

function adminOf(res: Response): AdminToken | undefined {
  const admin: unknown = res.locals['admin'];
  if (typeof admin !== 'object' || admin === null || typeof (admin as { name?: unknown }).name !== 'string') return undefined;
  return admin as AdminToken;
}

/** The calling token's name; refuses (401) when requireScope did not run, so a route mounted without the guard fails closed. */
export function adminName(res: Response): string {
  const admin = adminOf(res);
  if (!admin) throw new MeridianError('unauthorized', 'this admin route is not guarded; requireScope must run before it', { status: 401 });
  return admin.name;
}

export interface AdminRateLimitOptions {
  /** Per-token window (default one minute). */
  windowMs?: number;
  /** Admin requests per token per window (default 600). */
  limit?: number;
  /** Refused (401/403) requests per client IP per failedWindowMs (default 20). */
  failedLimit?: number;
  /** Window of failedLimit (default 15 minutes). */
  failedWindowMs?: number;
  /** Receives the limiter's own errors and configuration warnings (the library writes to the console otherwise). */
  logger?: Logger;
}

export interface AdminRateLimits {
  failedAuth: RateLimitRequestHandler;
  perToken: RateLimitRequestHandler;
}

/** The token's name once requireScope has run, else the client IP (IPv6 grouped by subnet, so one host cannot rotate addresses). */
function rateKey(req: Request, res: Response): string {
  const admin = adminOf(res);
  if (admin) return `token:${admin.name}`;
  return `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`;
}

function limiter(name: string, message: string, settings: Pick<RateLimitOptions, 'windowMs' | 'limit'> & Partial<RateLimitOptions>, logger?: Logger): RateLimitRequestHandler {
  return rateLimit({
    ...settings,
    identifier: name,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: rateKey,
    ...(logger ? { logger } : {}),
    handler: (_req, res, _next, options) => {
      const retryAfter = res.getHeader('retry-after');
      res.status(options.statusCode).json(errorBody('rate_limited', `${message}; try again in ${String(retryAfter ?? Math.ceil(options.windowMs / 1000))} seconds`));
    },
  });
}

/** The two admin limiters; see the module comment for where each is mounted. Create them once, at start-up. */
export function adminRateLimits(options: AdminRateLimitOptions = {}): AdminRateLimits {
  const failedAuth = limiter(
    'admin-failed-auth',
    'too many refused admin requests from this address',
    {
      windowMs: options.failedWindowMs ?? 15 * 60_000,
      limit: options.failedLimit ?? 20,
      // Only refusals count, so token guessing is stopped while a working client is never slowed.
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode !== 401 && res.statusCode !== 403,
    },
    options.logger,
  );
  const perToken = limiter('admin-per-token', 'too many admin requests with this token', { windowMs: options.windowMs ?? 60_000, limit: options.limit ?? 600 }, options.logger);
  return { failedAuth, perToken };
}

export interface AdminAccessEntry {
  /** What was done, as an identifier such as "privacy.export" (no free text). */
  action: string;
  /** The token's name (adminName(res)). */
  admin: string;
  /** Pseudonymous customer ids (cu_...) whose data was read. */
  subjectIds: readonly string[];
  requestId: string | undefined;
  records: number;
  at: number;
}

const CUSTOMER_ID = /^cu_[\w-]{10,}$/;
const ACTION = /^[a-z][a-z0-9_.:-]{0,63}$/;
const REQUEST_ID = /^[\w.-]{1,128}$/;

/**
 * Records an admin read of personal data as `admin.access` events, one per subject under its
 * pseudonymous id; nothing else about them is stored, and anything that is not a cu_ id is refused
 * rather than written.
 */
export async function auditAdminAccess(events: EventsStore, entry: AdminAccessEntry): Promise<void> {
  const notPseudonymous = entry.subjectIds.find((id) => !CUSTOMER_ID.test(id));
  if (notPseudonymous !== undefined) throw new MeridianError('invalid_request', 'auditAdminAccess: subjectIds must be customer ids (cu_...), not addresses or names');
  if (!ACTION.test(entry.action)) throw new MeridianError('invalid_request', 'auditAdminAccess: action must be an identifier such as privacy.export');
  if (!NAME_PATTERN.test(entry.admin)) throw new MeridianError('invalid_request', 'auditAdminAccess: admin must be a token name');
  if (!Number.isSafeInteger(entry.records) || entry.records < 0) throw new MeridianError('invalid_request', 'auditAdminAccess: records must be a count');
  // One event per subject, filed under that customer: their export then lists who read their data
  // (the recipients GDPR art. 15 asks for), and erasing them erases these pseudonymous traces too.
  for (const subject of new Set(entry.subjectIds)) {
    await events.append({
      id: `adm_${randomUUID()}`,
      type: 'admin.access',
      at: entry.at,
      conversationId: null,
      customerId: subject,
      data: {
        action: entry.action,
        admin: entry.admin,
        requestId: entry.requestId !== undefined && REQUEST_ID.test(entry.requestId) ? entry.requestId : null,
        records: entry.records,
      },
    });
  }
}

/** auditAdminAccess for the request being answered: the token's name and the request id come from `res`. */
export function auditAdminRead(events: EventsStore, res: Response, read: { action: string; subjectIds: readonly string[]; records: number; at: number }): Promise<void> {
  return auditAdminAccess(events, { ...read, admin: adminName(res), requestId: String(res.getHeader('x-request-id') ?? '') });
}
