import { isStartingOrRunning, type TaskSnapshot } from '../../core/gate/task';
import type { StoredVerdict, Waiter } from '../../core/ports';
import type { ScanErrorNote } from './container-state';
import { classifyFailure, shouldRetry } from '../failures';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';
import { judgeTask } from './task-gate';

/* The tasks waiting on a scan, judged when it ends (scans/completion.ts): not on the path of a task event. */

export interface WaiterResults {
  judged: number;
  dropped: number;
  stillWaiting: number;
}

/**
 * Judges every task waiting on `key` now that its scan ended. Each task is described again first: one that stopped
 * (or is stopping) before the verdict is left alone, and the digest it really runs is the one judged. One task's
 * failure does not keep the others from being judged; a retryable failure is rethrown once all were tried. `log` is
 * bound to the scan's digest by the caller.
 */
export async function judgeWaiters(
  rt: GateRuntime,
  key: string,
  outcome: { knownVerdicts?: ReadonlyMap<string, StoredVerdict>; scanErrors?: ReadonlyMap<string, string | ScanErrorNote> },
  log: Logger,
): Promise<WaiterResults> {
  const results: WaiterResults = { judged: 0, dropped: 0, stillWaiting: 0 };
  // Deployments paused at a PAUSE hook wait on the same key; admission/pause-hook.ts judges them.
  const waiters = (await rt.store.listWaiters(key)).filter((waiter) => !waiter.hookId);
  if (waiters.length === 0) return results;

  const byCluster = new Map<string, Waiter[]>();
  for (const waiter of waiters) byCluster.set(waiter.cluster, [...(byCluster.get(waiter.cluster) ?? []), waiter]);

  let retryable: unknown;
  for (const [cluster, group] of byCluster) {
    for (let start = 0; start < group.length; start += 100) {
      const batch = group.slice(start, start + 100);
      let described: Awaited<ReturnType<GateRuntime['ecs']['describeTasks']>>;
      try {
        described = await rt.ecs.describeTasks(cluster, batch.map((w) => w.taskArn));
      } catch (error) {
        const kind = classifyFailure(error);
        rt.metrics.count('GateErrors', 1, { failure: kind });
        if (shouldRetry(kind)) {
          retryable ??= error;
          continue;
        }
        // A cluster that is gone, or one the gate may no longer describe: its tasks cannot be judged, now or on a retry.
        log.error({ err: error, failure: kind, cluster, tasks: batch.length }, 'waiting tasks of a cluster could not be described: no longer waited on');
        for (const waiter of batch) await rt.store.removeWaiter(key, waiter.taskArn);
        results.dropped += batch.length;
        continue;
      }
      for (const waiter of batch) {
        // `log` is the scan's, bound to its digest already; judgeTask binds the task itself.
        const waiterLog = log.child({ taskArn: waiter.taskArn });
        try {
          const running = described.find((t) => t.taskArn === waiter.taskArn);
          if (!running || !isStartingOrRunning(running)) {
            await rt.store.removeWaiter(key, waiter.taskArn);
            rt.metrics.count('WaitersDropped');
            waiterLog.info({ lastStatus: running?.lastStatus ?? 'gone' }, 'task stopped before its verdict: nothing to do');
            results.dropped += 1;
            continue;
          }
          const snapshot: TaskSnapshot = {
            taskArn: running.taskArn,
            clusterArn: running.clusterArn,
            taskDefinitionArn: running.taskDefinitionArn ?? waiter.taskDefinitionArn,
            lastStatus: running.lastStatus,
            desiredStatus: running.desiredStatus,
            containers: running.containers,
          };
          if (running.group) snapshot.group = running.group;
          if (running.startedBy) snapshot.startedBy = running.startedBy;
          if (running.overrides !== undefined) snapshot.overrides = running.overrides;
          if (running.createdAt) snapshot.createdAt = running.createdAt;
          if (running.pullStartedAt) snapshot.pullStartedAt = running.pullStartedAt;
          // DescribeTasks gives ECS Exec and the platform version; the public IP and the exposure it settles come
          // from the RunTask call the waiter remembers, when one launched the task.
          const launch = { ...(waiter.publicIp ? { publicIp: waiter.publicIp } : {}), ...running.launch };
          if (Object.keys(launch).length > 0) snapshot.launch = launch;
          if (waiter.exposure) snapshot.exposure = waiter.exposure;
          const judgement = await judgeTask(rt, snapshot, {
            origin: 'scanFinished',
            log,
            knownVerdicts: outcome.knownVerdicts,
            scanErrors: outcome.scanErrors,
            launchedBy: waiter.launchedBy,
            firstSeenAt: waiter.seenAt,
          });
          if (judgement.status === 'waiting' && judgement.on.includes(key)) {
            results.stillWaiting += 1;
            continue;
          }
          await rt.store.removeWaiter(key, waiter.taskArn);
          results.judged += 1;
        } catch (error) {
          const kind = classifyFailure(error);
          waiterLog.error({ err: error, failure: kind }, 'waiting task could not be judged');
          rt.metrics.count('GateErrors', 1, { failure: kind });
          if (shouldRetry(kind)) retryable ??= error;
          else await rt.store.removeWaiter(key, waiter.taskArn);
        }
      }
    }
  }
  if (retryable !== undefined) throw retryable;
  return results;
}
