import { isExceptionWindowDays, MAX_EXCEPTION_WINDOW_DAYS } from '../../core/posture/expiring-exceptions';
import { GATE_ENV } from '../environment';

/**
 * `GATE_EXCEPTION_WINDOW_DAYS`, the one window of "exceptions expiring soon" that the gate function's posture sweep
 * and the in-use report function both read (the construct sets it on every function from `exceptionWindowDays`).
 * Unset: the default (undefined here). Anything but whole days from 0 to 366 fails the cold start, naming the variable.
 */
export function exceptionWindowDaysFrom(env: Record<string, string | undefined>): number | undefined {
  const text = env[GATE_ENV.exceptionWindowDays]?.trim();
  if (!text) return undefined;
  const days = Number(text);
  if (!isExceptionWindowDays(days)) {
    throw new Error(`fargate-gate: environment variable ${GATE_ENV.exceptionWindowDays} must be whole days from 0 to ${MAX_EXCEPTION_WINDOW_DAYS}, got ${JSON.stringify(text)}`);
  }
  return days;
}
