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

// Ids are time-ordered (base36 milliseconds) then random, so they sort by creation in stores and logs.
export const randomId: IdGenerator = (prefix) => `${prefix}_${Date.now().toString(36)}${randomBytes(8).toString('hex')}`;

export function sequentialIds(): IdGenerator {
  let n = 0;
  return (prefix) => `${prefix}_${String(++n).padStart(6, '0')}`;
}
