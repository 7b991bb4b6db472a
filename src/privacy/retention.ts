/**
 * Retention: how long each collection keeps its documents, enforced by a scheduled job that deletes
 * what is older. Periods are configured per collection (`{ inbox: '30d', outbox: '7d', events: '400d',
 * conversations: '2y' }`); a collection without a period keeps its documents.
 *
 * Work that is not finished is never deleted, whatever its age: an inbox entry still `received` (its turn
 * has not run) or an outbox reply still `pending`. Each rule names the documents it may delete as an
 * allow-list, so a status added later is kept until someone decides otherwise.
 *
 * Filters use indexed fields only. Epoch-millisecond fields are deleted with `{ field: { lte: cutoff } }`
 * in bounded batches; ISO-date fields (conversations' `updatedAt`) cannot be compared by the store, so
 * the job reads them oldest first through the field's index and deletes each at the version it read.
 */
import { MeridianError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { systemClock, type Clock } from '../core/runtime.js';
import type { Collection, Filter, StoredDocument } from '../storage/collection.js';
import type { Stores } from '../storage/stores.js';

/** Retention period per collection, e.g. `{ inbox: '30d', conversations: '2y' }`. */
export type RetentionPolicy = Readonly<Record<string, string>>;

/** How the job judges a collection's documents. */
export interface RetentionRule {
  /** The indexed top-level field that dates a document. */
  field: string;
  /** `epoch-ms`: a number of milliseconds; `iso`: an ISO 8601 string as `Date#toISOString` writes it. */
  format: 'epoch-ms' | 'iso';
  /** Only documents that also match this filter (indexed fields) may be deleted. */
  deletable?: Filter;
  /** The shortest period allowed, with the reason, checked when the job is created. */
  minimum?: { ms: number; reason: string };
}

const DAY = 86_400_000;

/** Meridian's collections; their dating fields are in src/storage/records.ts. */
export const DEFAULT_RETENTION_RULES: Readonly<Record<string, RetentionRule>> = {
  inbox: {
    field: 'receivedAt',
    format: 'epoch-ms',
    deletable: { status: { in: ['done', 'failed'] } },
    // The inbox is also how a redelivered webhook is recognised, and channels redeliver for days.
    minimum: { ms: 7 * DAY, reason: 'inbox entries recognise redelivered webhooks, which channels retry for up to 7 days' },
  },
  outbox: { field: 'createdAt', format: 'epoch-ms', deletable: { status: { in: ['sent', 'dead'] } } },
  events: { field: 'at', format: 'epoch-ms' },
  conversations: { field: 'updatedAt', format: 'iso' },
  // Finished cases only: an open return or an erasure request waiting for the job is never dropped.
  cases: { field: 'updatedAt', format: 'iso', deletable: { open: false } },
};

const UNITS: Readonly<Record<string, number>> = { min: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY, y: 365 * DAY };

/**
 * Parses a retention period: a whole number and a unit, `min` (minutes), `h`, `d`, `w` or `y` (365 days).
 * `m` is refused because people read it as minutes or months.
 */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+)\s*([a-z]+)\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase();
  if (!match || unit === undefined) throw new Error(`"${text}" is not a period: write a number and a unit, e.g. 12h, 30d, 2y`);
  if (unit === 'm' || unit === 'mo') throw new Error(`"${text}" is ambiguous: write minutes as "${match[1]}min" and months in days (e.g. 180d)`);
  const ms = UNITS[unit];
  if (ms === undefined) throw new Error(`"${text}" has an unknown unit "${match[2]}": use min, h, d, w or y`);
  const value = Number(match[1]) * ms;
  if (value <= 0 || !Number.isSafeInteger(value)) throw new Error(`"${text}" must be more than zero and less than a few thousand years`);
  return value;
}

/** What one pass did; a collection that fails does not stop the others. */
export interface RetentionResult {
  /** Documents deleted, by collection (every collection in the policy, 0 when nothing was old enough). */
  deleted: Record<string, number>;
  /** Collections that failed, with the reason. */
  failed: Record<string, string>;
}

export interface RetentionJobOptions {
  /** The purpose-named stores; their collections are the ones the policy names. */
  stores?: Pick<Stores, 'inbox' | 'outbox' | 'events' | 'conversations'> & Partial<Pick<Stores, 'cases'>>;
  /** Further collections, or replacements (e.g. opened with an extra index), by name. */
  collections?: Readonly<Record<string, Collection<StoredDocument>>>;
  policy: RetentionPolicy;
  /** Rules for collections beyond Meridian's, or overrides of DEFAULT_RETENTION_RULES. */
  rules?: Readonly<Record<string, RetentionRule>>;
  clock?: Clock;
  logger?: Logger;
  /** Time between passes after start() (default one hour). */
  intervalMs?: number;
  /** Documents read or deleted per statement, so one pass never holds the store for long (default 500). */
  batchSize?: number;
}

export interface RetentionJob {
  /** One pass over every collection in the policy. */
  runOnce(): Promise<RetentionResult>;
  /** Runs a pass now and then every intervalMs; the timer does not keep the process alive. */
  start(): void;
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
}

interface Target {
  name: string;
  collection: Collection<StoredDocument>;
  rule: RetentionRule;
  periodMs: number;
}

/** Checks the policy against the collections and rules; throws one error that lists every problem. */
export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const rules = { ...DEFAULT_RETENTION_RULES, ...options.rules };
  const available: Record<string, Collection<StoredDocument>> = {};
  if (options.stores) {
    for (const name of ['inbox', 'outbox', 'events', 'conversations'] as const) available[name] = options.stores[name].collection;
    if (options.stores.cases) available['cases'] = options.stores.cases.collection;
  }
  Object.assign(available, options.collections);
  const problems: string[] = [];
  const targets: Target[] = [];
  for (const [name, period] of Object.entries(options.policy)) {
    const rule = rules[name];
    const collection = available[name];
    let periodMs: number;
    try {
      periodMs = parseDuration(period);
    } catch (error) {
      problems.push(`${name}: ${describeError(error)}`);
      continue;
    }
    if (!rule) problems.push(`${name}: no retention rule says which field dates its documents`);
    else if (rule.minimum && periodMs < rule.minimum.ms) problems.push(`${name}: ${period} is too short; ${rule.minimum.reason}`);
    if (!collection) problems.push(`${name}: no such collection was given to the retention job`);
    if (rule && collection) targets.push({ name, collection, rule, periodMs });
  }
  if (problems.length > 0) throw new MeridianError('config_invalid', `invalid retention policy:\n  ${problems.join('\n  ')}`);
  return new Job(targets, options);
}

class Job implements RetentionJob {
  private readonly clock: Clock;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionResult> | undefined;

  constructor(
    private readonly targets: readonly Target[],
    private readonly options: RetentionJobOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.batchSize = Math.max(1, options.batchSize ?? 500);
  }

  runOnce(): Promise<RetentionResult> {
    // A pass that overlaps the previous one would only repeat its reads.
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.runOnce().catch((error: unknown) => this.options.logger?.error({ err: error }, 'retention pass failed'));
    };
    this.timer = setInterval(tick, this.options.intervalMs ?? 3_600_000);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<RetentionResult> {
    const now = this.clock.now();
    const result: RetentionResult = { deleted: {}, failed: {} };
    for (const target of this.targets) {
      const cutoff = now - target.periodMs;
      try {
        result.deleted[target.name] = target.rule.format === 'epoch-ms' ? await this.purgeNumeric(target, cutoff) : await this.purgeIso(target, cutoff);
      } catch (error) {
        result.failed[target.name] = explain(target, error);
        this.options.logger?.error({ collection: target.name, err: error }, `retention of ${target.name} failed: ${result.failed[target.name]}`);
      }
    }
    this.options.logger?.info({ deleted: result.deleted, failed: Object.keys(result.failed) }, 'retention pass done');
    return result;
  }

  /** Oldest first, a batch at a time: find the batch, then delete up to its newest timestamp. */
  private async purgeNumeric({ collection, rule }: Target, cutoff: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const filter: Filter = { ...rule.deletable, [rule.field]: { lte: cutoff } };
      const batch = await collection.find(filter, { orderBy: rule.field, limit: this.batchSize });
      const last = batch.at(-1) as Record<string, unknown> | undefined;
      if (!last || typeof last[rule.field] !== 'number') return deleted;
      deleted += await collection.deleteMany({ ...rule.deletable, [rule.field]: { lte: last[rule.field] as number } });
      if (batch.length < this.batchSize) return deleted;
      await yieldToEventLoop();
    }
  }

  /**
   * ISO dates: the store cannot compare strings, but its index orders them (ISO strings in one format
   * sort by time). Read the oldest, delete each one older than the cutoff at the version read (a
   * conversation that just had a turn stays), stop at the first that is recent enough.
   */
  private async purgeIso({ collection, rule }: Target, cutoff: number): Promise<number> {
    let deleted = 0;
    // Documents kept at the head of the order (no readable date, or changed while we read) are skipped.
    const kept = new Set<string>();
    for (;;) {
      const limit = kept.size + this.batchSize;
      const batch = await collection.find(rule.deletable ?? {}, { orderBy: rule.field, limit });
      let progressed = false;
      for (const doc of batch) {
        if (kept.has(doc.id)) continue;
        const value = (doc as unknown as Record<string, unknown>)[rule.field];
        const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
        if (Number.isNaN(at)) {
          kept.add(doc.id);
          progressed = true;
          continue;
        }
        if (at > cutoff) return deleted;
        if (await collection.delete(doc.id, doc.version)) deleted++;
        else kept.add(doc.id);
        progressed = true;
      }
      if (!progressed || batch.length < limit) return deleted;
      await yieldToEventLoop();
    }
  }
}

function explain(target: Target, error: unknown): string {
  const message = describeError(error);
  if (/not an indexed field/.test(message)) {
    return `${target.name}.${target.rule.field} must be an indexed field for retention (add "${target.rule.field}" to the ${target.name} indexes): ${message}`;
  }
  return message;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
