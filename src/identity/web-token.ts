import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { MeridianError } from '../core/errors.js';

/**
 * Web-chat login tokens: the shop, which knows who is logged in on its site, signs a short-lived JWT
 * (HS256, a secret shared with Meridian) naming its customer, and hands it to the widget. Meridian
 * links the web-chat session to that customer's profile only after checking the signature, the
 * algorithm, the audience and the expiry. Claims:
 *
 *   { "sub": "<shop customer id>", "aud": "meridian", "iat": <now>, "exp": <now + at most 1 h>, "iss"?: "<shop>" }
 */

export interface WebTokenOptions {
  /** The shared secret (MERIDIAN_WEBCHAT_TOKEN_SECRET); at least 32 characters. */
  secret: string;
  audience?: string;
  /** When set, tokens must name this issuer. */
  issuer?: string;
  /** Tokens issued longer ago than this are refused even if their exp is later. */
  maxAgeSeconds?: number;
  /** For tests with a manual clock: seconds since the epoch. */
  now?: () => number;
}

export interface WebIdentityClaims {
  shopCustomerId: string;
  expiresAt: string;
}

export type WebTokenVerifier = (token: string) => Promise<WebIdentityClaims>;

export const WEB_TOKEN_AUDIENCE = 'meridian';

function keyOf(secret: string): Uint8Array {
  if (secret.length < 32) throw new MeridianError('config_invalid', 'the web-chat token secret must be at least 32 characters');
  return new TextEncoder().encode(secret);
}

/** Verifies a shop's token; a refused token throws `unauthorized` with the reason (never the token). */
export function createWebTokenVerifier(options: WebTokenOptions): WebTokenVerifier {
  const key = keyOf(options.secret);
  return async (token) => {
    if (token.length > 4096) throw new MeridianError('unauthorized', 'the identity token is too long', { status: 401 });
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        audience: options.audience ?? WEB_TOKEN_AUDIENCE,
        ...(options.issuer ? { issuer: options.issuer } : {}),
        maxTokenAge: options.maxAgeSeconds ?? 3600,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 30,
        ...(options.now ? { currentDate: new Date(options.now() * 1000) } : {}),
      });
      const subject = payload.sub;
      if (!subject || subject.length > 200) throw new MeridianError('unauthorized', 'the identity token names no customer', { status: 401 });
      return { shopCustomerId: subject, expiresAt: new Date((payload.exp as number) * 1000).toISOString() };
    } catch (error) {
      if (error instanceof MeridianError) throw error;
      const reason = error instanceof joseErrors.JWTExpired ? 'it has expired' : error instanceof joseErrors.JOSEError ? `it is not valid (${error.code})` : 'it could not be read';
      throw new MeridianError('unauthorized', `the identity token was refused: ${reason}`, { status: 401, cause: error });
    }
  };
}

/** What a shop's back end does to log its customer into the chat (also used by tests and examples). */
export async function signWebIdentityToken(options: { secret: string; shopCustomerId: string; ttlSeconds?: number; audience?: string; issuer?: string; now?: number }): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.shopCustomerId)
    .setAudience(options.audience ?? WEB_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 900));
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  return jwt.sign(keyOf(options.secret));
}
