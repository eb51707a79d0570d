import type { ScanRecord } from '../../core/ports';

/** Keys remembered at most: a key and a number each, so a few hundred kilobytes at worst. */
export const STANDING_ERRORS_CAPACITY = 5_000;

/**
 * The scan errors this execution environment saw still in force (an `error` record before its `retryAt`), by scan
 * key, with the time each stands until. A hint of the order in which to ask the store, never an answer: a task
 * whose image has such an error reads the scan record first and, when the error still stands, is judged on it
 * without being recorded as a waiter and then removed again (nothing will finish for it to wait on). Without the
 * hint a task must write its waiter before reading the record (a scan finishing between a read and a later waiter
 * write would never judge it), so a read first would cost every task that waits on a running scan an extra call.
 *
 * An error record does not change before its `retryAt` (nothing re-claims it earlier), so a hint is rarely wrong; a
 * wrong one costs one read, after which the task takes the usual path.
 */
export class StandingScanErrors {
  private readonly until = new Map<string, number>();

  constructor(private readonly capacity = STANDING_ERRORS_CAPACITY) {}

  /** Remembers `record` when it is an error that stands after `nowMs`; forgets the key otherwise. */
  note(record: Pick<ScanRecord, 'digest' | 'state' | 'retryAt'>, nowMs: number): void {
    const retryAt = record.retryAt === undefined ? Number.NaN : Date.parse(record.retryAt);
    this.until.delete(record.digest);
    if (record.state !== 'error' || !(retryAt > nowMs)) return;
    this.until.set(record.digest, retryAt);
    if (this.until.size > Math.max(1, this.capacity)) this.evict(nowMs);
  }

  /** Whether this environment last saw an error for `key` that stands at `nowMs`. */
  stands(key: string, nowMs: number): boolean {
    const retryAt = this.until.get(key);
    if (retryAt === undefined) return false;
    if (retryAt > nowMs) return true;
    this.until.delete(key);
    return false;
  }

  forget(key: string): void {
    this.until.delete(key);
  }

  get size(): number {
    return this.until.size;
  }

  /** Drops what no longer stands; if that frees nothing, the oldest entry. */
  private evict(nowMs: number): void {
    for (const [key, retryAt] of this.until) if (retryAt <= nowMs) this.until.delete(key);
    while (this.until.size > Math.max(1, this.capacity)) this.until.delete(this.until.keys().next().value as string);
  }
}
