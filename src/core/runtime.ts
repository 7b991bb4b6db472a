import { randomBytes } from 'node:crypto';

/** Time source, injected so tests control time zones, business hours and retry back-off without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can move by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 15, 10, 0, 0)) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Random ids, injected so tests can make them predictable. */
export type IdGenerator = (prefix: string) => string;

// Ids are time-ordered (base36 milliseconds), then a per-process random part and a counter: unique across
// processes without paying for fresh random bytes on every turn (that showed up at 8% of a turn's time).
const processPart = randomBytes(6).toString('hex');
let idCounter = 0;
export const randomId: IdGenerator = (prefix) => `${prefix}_${Date.now().toString(36)}${processPart}${(idCounter++ % 0x100000).toString(36).padStart(4, '0')}`;

export function sequentialIds(): IdGenerator {
  let n = 0;
  return (prefix) => `${prefix}_${String(++n).padStart(6, '0')}`;
}
