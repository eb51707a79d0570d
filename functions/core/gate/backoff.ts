export interface BackoffOptions {
  /** Delay before the first retry. */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
}

export const DEFAULT_SCAN_RETRY_BACKOFF: BackoffOptions = { baseMs: 30_000, maxMs: 15 * 60_000 };

/**
 * Delay before StartBuild is tried again after `attempts` refusals: exponential, capped, with "equal jitter"
 * (half fixed, half random) so queued scans spread out instead of retrying in step, yet never retry sooner than
 * half the exponential delay. `random` is a number in [0, 1) (injected: core reads no randomness itself).
 */
export function retryDelayMs(attempts: number, random: number, options: BackoffOptions = DEFAULT_SCAN_RETRY_BACKOFF): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const jitter = Math.min(Math.max(Number.isFinite(random) ? random : 0, 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * jitter);
}
