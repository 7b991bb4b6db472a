import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/runtime.js';
import type { Stores } from '../storage/stores.js';
import { eraseSubject, type ErasureReceipt, type SubjectOptions } from './subject-rights.js';

/**
 * Carries out erasure requests customers confirmed in chat (cases of kind `privacy_erasure`, status
 * `verified`): everything about the identity that asked, and every identity proven to be the same
 * customer, is erased as by `meridian privacy erase`. The receipt (an audit event without personal data)
 * names the request's reference so the team can show it was done.
 */
export async function processErasureRequests(stores: Stores, clock: Clock, logger?: Logger, options: SubjectOptions = {}): Promise<ErasureReceipt[]> {
  const receipts: ErasureReceipt[] = [];
  for (const request of await stores.cases.byKind('privacy_erasure', 'verified')) {
    try {
      const receipt = await eraseSubject(stores, request.identityId, clock, { ...options, request: request.reference });
      receipts.push(receipt);
      logger?.info({ audit: 'privacy.erase', requestId: receipt.requestId, request: request.reference, counts: receipt.counts }, 'erasure request carried out');
    } catch (error) {
      logger?.error({ err: describeError(error), request: request.reference }, 'erasure request failed; it is retried on the next pass');
    }
  }
  return receipts;
}

export interface PrivacyRequestJob {
  start(): void;
  stop(): Promise<void>;
  runOnce(): Promise<ErasureReceipt[]>;
}

export function createPrivacyRequestJob(options: { stores: Stores; clock: Clock; logger?: Logger; intervalMs: number } & SubjectOptions): PrivacyRequestJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ErasureReceipt[]> | undefined;
  const runOnce = () =>
    (running ??= processErasureRequests(options.stores, options.clock, options.logger, options.shop ? { shop: options.shop } : {}).finally(() => {
      running = undefined;
    }));
  return {
    runOnce,
    start() {
      if (timer) return;
      timer = setInterval(() => void runOnce().catch(() => undefined), options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
