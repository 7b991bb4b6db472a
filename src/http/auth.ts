import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { errorBody } from './errors.js';

export function sameSecret(given: string, expected: string): boolean {
  // Hash both so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Checks `Authorization: Bearer <token>` in constant time, before the body is read; no token configured
 * means open (development only). `hint` names the setting the token comes from.
 */
export function bearerGuard(token: string | undefined, hint: string): RequestHandler {
  return (req, res, next) => {
    if (token === undefined) {
      next();
      return;
    }
    const header = req.get('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!given || !sameSecret(given, token)) {
      res.status(401).json(errorBody('unauthorized', `this route needs Authorization: Bearer <${hint}>`));
      return;
    }
    next();
  };
}
