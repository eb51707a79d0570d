import type { Clock } from '../core/ports';

/**
 * A clock that moves only when told to. Simulations and tests own time, so a scenario that says
 * "ten minutes later" is exact and repeatable.
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    const time = typeof start === 'string' ? Date.parse(start) : start.getTime();
    if (!Number.isFinite(time)) throw new Error(`ManualClock: invalid start time ${String(start)}`);
    this.current = time;
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Milliseconds since the epoch, without allocating a Date. */
  millis(): number {
    return this.current;
  }

  advance(milliseconds: number): void {
    if (!(milliseconds >= 0)) throw new Error(`ManualClock: cannot move time backwards (${milliseconds} ms)`);
    this.current += milliseconds;
  }

  /** Moves to `time`; a time in the past is ignored, so callers can "catch up" without checking. */
  advanceTo(time: number): void {
    if (time > this.current) this.current = time;
  }
}
