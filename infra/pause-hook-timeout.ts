import { ec2FallbackCompute, scanDeadlineMinutes } from './scan-fallback';
import type { ResolvedSettings } from './settings';

/**
 * The shortest PAUSE-hook timeout under which the gate can still answer a deployment that waits on a new digest: the
 * scan's deadline (the scan project's queue and build timeouts plus the margin), plus the EC2 fallback's deadline when
 * the scan project runs on Lambda compute with the fallback (a scan that outgrew Lambda compute is retried there once),
 * plus one sweep interval (the longest the gate may take to notice a deadline passed or a lost build event). A hook
 * that times out sooner lets ECS take its timeout action (ROLLBACK by default) before the gate answers, whatever the
 * scan finds ("Pause hooks for Amazon ECS service deployments", timeout behavior,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html). Not counted: time a scan
 * spends refused for capacity before CodeBuild accepts it (the gate's queue timeout) — set the hook's timeout above
 * this when the scan project's concurrency is often full. The gate applies the same sum at run time to the scans a
 * paused deployment waits on (functions/core/gate/pause-answer-deadline.ts).
 */
export function pauseHookMinimumTimeoutMinutes(settings: ResolvedSettings, deadlineMarginMinutes: number): number {
  const fallback = ec2FallbackCompute(settings);
  return (
    scanDeadlineMinutes(settings.compute, deadlineMarginMinutes) +
    (fallback ? scanDeadlineMinutes(fallback, deadlineMarginMinutes) : 0) +
    settings.sweepInterval.toMinutes()
  );
}
