import type { ScanRecord } from '../ports';

/**
 * The latest time the gate answers a deployment paused at its PAUSE hook while it waits on scans, so a hook whose
 * timeout comes first can be reported: ECS then takes the hook's timeout action (ROLLBACK by default) whatever the scan
 * finds ("Pause hooks for Amazon ECS service deployments", timeout behavior,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html).
 *
 * Per scan: its record's deadline (for a scan still queued, the queue's deadline, then the build's own timeout after
 * it starts); then, when the gate has an EC2 fallback project and the scan is not on it yet, the fallback's deadline
 * (a scan that outgrew Lambda compute is retried there once: core/gate/compute-fallback.ts); then one sweep interval,
 * the longest the gate may take to notice a deadline passed. The same sum, taken from the moment a scan starts, is the
 * stack output PauseHookMinimumTimeoutMinutes (infra/pause-hook-timeout.ts).
 */
export interface AnswerLimits {
  /** The scan project's deadline, minutes from StartBuild. */
  scanTimeoutMinutes: number;
  /** The EC2 fallback project's deadline; undefined when the gate has no fallback project. */
  fallbackScanTimeoutMinutes?: number;
  sweepIntervalMinutes: number;
}

const MINUTE_MS = 60_000;

/** The latest answer over the scans a deployment waits on; undefined when none has a readable deadline. */
export function latestPausedAnswer(scans: readonly Pick<ScanRecord, 'state' | 'deadline' | 'compute'>[], limits: AnswerLimits): Date | undefined {
  let latest: number | undefined;
  for (const scan of scans) {
    const deadline = Date.parse(scan.deadline);
    if (Number.isNaN(deadline)) continue;
    const onFallback = scan.compute === 'ec2Fallback';
    const buildMinutes = onFallback ? (limits.fallbackScanTimeoutMinutes ?? limits.scanTimeoutMinutes) : limits.scanTimeoutMinutes;
    let minutes = scan.state === 'queued' ? buildMinutes : 0;
    if (!onFallback && limits.fallbackScanTimeoutMinutes !== undefined) minutes += limits.fallbackScanTimeoutMinutes;
    minutes += limits.sweepIntervalMinutes;
    const answer = deadline + minutes * MINUTE_MS;
    latest = latest === undefined ? answer : Math.max(latest, answer);
  }
  return latest === undefined ? undefined : new Date(latest);
}
