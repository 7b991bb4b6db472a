import type { RequestHandler } from 'express';
import type { Bot } from '../bot.js';
import { MeridianError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { eraseSubject, exportSubject, type SubjectOptions } from '../privacy/subject-rights.js';
import { adminName, auditAdminRead } from './admin-auth.js';

function customerParam(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 320) {
    throw new MeridianError('invalid_request', 'customer: give a customer id (cu_...) or an address such as whatsapp:+4915112345678', { status: 400 });
  }
  return value;
}

function shopOption(bot: Bot): SubjectOptions {
  return bot.services.shop ? { shop: bot.services.shop } : {};
}

/** GET /api/privacy/export?customer=...: the right of access. Every read of personal data is logged (without the data). */
export function privacyExportRoute(bot: Bot, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    try {
      const result = await exportSubject(bot.stores, customerParam(req.query['customer']), bot.clock, shopOption(bot));
      await auditAdminRead(bot.stores.events, res, { action: 'privacy.export', subjectIds: result.subject.customerIds, records: result.messages.length, at: bot.clock.now() });
      logger.info({ audit: 'privacy.export', admin: adminName(res), requestId: res.getHeader('x-request-id'), records: result.messages.length }, 'personal data exported');
      res.json(result);
    } catch (error) {
      next(error);
    }
  };
}

/** POST /api/privacy/erase {"customer": ...}: the right of erasure; answers the receipt (counts and a request id). */
export function privacyEraseRoute(bot: Bot, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    try {
      const body = req.body as { customer?: unknown } | undefined;
      const receipt = await eraseSubject(bot.stores, customerParam(body?.customer), bot.clock, shopOption(bot));
      logger.info({ audit: 'privacy.erase', admin: adminName(res), requestId: receipt.requestId, counts: receipt.counts }, 'personal data erased');
      res.json(receipt);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * GET /api/privacy/requests: privacy requests customers made in chat that wait for the team (copies of
 * their data) or for the privacy job (erasures), without personal data: reference, kind, status, date,
 * and the customer id to export or erase with.
 */
export function privacyRequestsRoute(bot: Bot): RequestHandler {
  return async (_req, res, next) => {
    try {
      const waiting = [
        ...(await bot.stores.cases.byKind('privacy_access', 'open')),
        ...(await bot.stores.cases.byKind('privacy_erasure', 'verified')),
      ];
      res.json({
        requests: waiting.map((request) => ({ reference: request.reference, kind: request.kind, status: request.status, customer: request.identityId, openedAt: request.openedAt })),
      });
    } catch (error) {
      next(error);
    }
  };
}
