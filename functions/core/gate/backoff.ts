export interface BackoffOptions {
  /** Delay before the first retry. */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /**
   * Share of each delay that is random, in [0, 1]: the delay lies in [ceiling × (1 − jitter), ceiling]. Default 0.5
   * ("equal jitter"). Never above the ceiling, so the documented delays are the longest anyone waits.
   */
  jitter?: number;
}

export const DEFAULT_SCAN_RETRY_BACKOFF: BackoffOptions = { baseMs: 30_000, maxMs: 15 * 60_000 };

/*
 * Re-scanning an image whose scan failed. The error stands (onScanError judges every task that needs the image)
 * until its retry time; the next task after it scans again. The wait doubles with each failure in a row, so a
 * broken image launched all day costs a logarithmic handful of builds (waits of 10, 20, 40, 80, 160, 320 min, then
 * 6 h: about ten builds in its first day, four a day after), never one per launch, while a passing fault is
 * retried within minutes. Only a launch re-scans: an errored image nobody runs costs nothing.
 */

/**
 * First wait after a failed scan. Most failures pass (registry throttling, a Trivy vulnerability-DB download
 * failure, a CodeBuild fault): ten minutes lets them clear, and keeps a burst of launches of the image to one scan.
 */
export const SCAN_ERROR_FIRST_RETRY_MS = 10 * 60_000;

/**
 * Longest wait. A digest's content never changes, but what breaks its scan can be fixed around it (a registry
 * policy that lets the scanner pull, a scanner update): four tries a day picks that up within hours, at a cost of
 * four builds a day per broken image that is still being launched.
 */
export const SCAN_ERROR_MAX_RETRY_MS = 6 * 3_600_000;

/**
 * A shared cause (a registry outage, the Trivy DB mirror down) fails many digests at once; without jitter their
 * retries come due together and hit the recovering registry and CodeBuild's build limit in one burst. A quarter
 * spreads them over minutes yet keeps each wait between three quarters of its step and the step itself.
 */
export const SCAN_ERROR_RETRY_JITTER = 0.25;

export const DEFAULT_SCAN_ERROR_BACKOFF: BackoffOptions = { baseMs: SCAN_ERROR_FIRST_RETRY_MS, maxMs: SCAN_ERROR_MAX_RETRY_MS, jitter: SCAN_ERROR_RETRY_JITTER };

/**
 * Delay before the next try after `attempts` unsuccessful ones (StartBuild refusals, failed scans): exponential
 * (`baseMs`, doubling per attempt), capped at `maxMs`, with bounded jitter so retries spread out instead of coming
 * due in step, yet never sooner than `1 − jitter` of the exponential delay. `random` is a number in [0, 1) (injected:
 * core reads no randomness itself); nonsense (NaN, out of range) is clamped.
 */
export function retryDelayMs(attempts: number, random: number, options: BackoffOptions = DEFAULT_SCAN_RETRY_BACKOFF): number {
  const exponent = Math.max(0, Math.min(Number.isNaN(attempts) ? 0 : attempts - 1, 30));
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const jitter = clampUnit(options.jitter ?? 0.5);
  return Math.round(ceiling * (1 - jitter) + ceiling * jitter * clampUnit(random));
}

function clampUnit(value: number): number {
  return Math.min(Math.max(Number.isFinite(value) ? value : 0, 0), 1);
}
