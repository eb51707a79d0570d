import { compilePolicy } from '../policy/compile';
import type { LoadedPolicy } from '../policy/input';
import type { Policy } from '../policy/schema';
import { compareText } from '../result/order';
import type { ExpiringException } from './in-use-report-schema';

export type { ExpiringException };

/**
 * How far ahead an exception counts as expiring soon: ONE setting (the construct's `exceptionWindowDays`, environment
 * `GATE_EXCEPTION_WINDOW_DAYS` on every function) read by the posture sweep's notices and by the in-use report alike,
 * so the page never lists an exception the notices left out, or the other way round.
 */
export const DEFAULT_EXCEPTION_WINDOW_DAYS = 14;
/** A year and a day: exceptions beyond it are not "expiring soon". */
export const MAX_EXCEPTION_WINDOW_DAYS = 366;

export function isExceptionWindowDays(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_EXCEPTION_WINDOW_DAYS;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The policy's exceptions that still apply but stop applying within `windowDays` of now, soonest first: what their
 * owners must renew or fix before the findings they suppress start failing tasks. Expired ones are not listed (every
 * result reports those already). Expiry as the engine reads it (`compilePolicy`), so a date-only `expiresAt` ends
 * when the engine stops applying it.
 */
export function expiringExceptions(policy: LoadedPolicy<Policy>, nowMs: number, windowDays: number): ExpiringException[] {
  const until = nowMs + windowDays * DAY_MS;
  return compilePolicy(policy)
    .exceptions.filter((compiled) => compiled.expiresAtMs > nowMs && compiled.expiresAtMs <= until)
    .map((compiled) => ({
      id: compiled.exception.id,
      owner: compiled.exception.owner,
      reason: compiled.exception.reason,
      expiresAt: new Date(compiled.expiresAtMs).toISOString(),
      daysLeft: Math.floor((compiled.expiresAtMs - nowMs) / DAY_MS),
    }))
    .sort(compareExpiring);
}

export function compareExpiring(a: ExpiringException, b: ExpiringException): number {
  return Date.parse(a.expiresAt) - Date.parse(b.expiresAt) || compareText(a.id, b.id);
}
