import type { TaskSnapshot } from '../../core/gate/task';
import type { ScanRecord, Waiter } from '../../core/ports';
import { markScanError, useVerdict, type ContainerState } from './container-state';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';
import { ensureScan, errorMayBeRetried, isReusable, rescan, verdictFromFinishedScan, type ImageFacts } from '../scans/scan-records';
import type { JudgeOptions } from './task-gate';

/*
 * The part of a task's judgement for digests without a usable verdict: the scan records and what starting a scan needs
 * (compute routing, the image size look-up, the Lambda overflow slots). task-gate.ts imports it when a task has such a
 * digest, so the cold start of a task whose digests have verdicts, the common case, does not load it.
 */

/**
 * For each key without a usable verdict: record the task as waiting, then make sure a scan exists. The waiter is
 * written before the scan state is read, and a finishing scan marks its record done before its last look at the
 * waiters, so a task can never fall between the two. A finished scan whose report serves the current policy gives
 * its verdict at once; a failed one gives its error. Returns the keys still being scanned.
 *
 * A scan error still in force is an answer, not something to wait for: when this execution environment saw it
 * stand (`standingScanErrors`), the record is read first and, if the error still stands, the task is judged on it
 * with one read instead of a waiter written, the read, and the waiter removed again. Every other case keeps the
 * waiter-first order (reading first would cost a task waiting on a running scan a second read).
 */
export async function awaitScans(
  rt: GateRuntime,
  task: TaskSnapshot,
  service: string | undefined,
  pending: Map<string, ContainerState[]>,
  options: JudgeOptions,
  log: Logger,
): Promise<string[]> {
  const waitingOn: string[] = [];
  for (const [key, states] of pending) {
    if (rt.standingScanErrors.stands(key, rt.clock.now().getTime())) {
      const record = await rt.store.getScan(key);
      if (record?.state === 'error' && !errorMayBeRetried(rt, record)) {
        useScanError(states, record);
        rt.standingScanErrors.note(record, rt.clock.now().getTime());
        continue;
      }
      rt.standingScanErrors.forget(key);
    }

    const waiter: Waiter = {
      digest: key,
      taskArn: task.taskArn,
      cluster: task.clusterArn,
      taskDefinitionArn: task.taskDefinitionArn,
      seenAt: options.firstSeenAt ?? rt.clock.now().toISOString(),
    };
    if (service) waiter.service = service;
    if (options.launchedBy) waiter.launchedBy = options.launchedBy;
    // Only the RunTask call knows the public IP: kept for the judgement when the scan finishes (DescribeTasks lacks it).
    if (task.launch?.publicIp) waiter.publicIp = task.launch.publicIp;
    if (task.exposure) waiter.exposure = task.exposure;
    await rt.store.addWaiter(waiter);

    const pullReference = states[0].pullReference ?? key;
    const image = imageFactsOf(states);
    const outcome = await ensureScan(rt, key, pullReference, log, image);
    if (outcome.state === 'done') {
      const verdict = isReusable(rt, outcome.record) ? await verdictFromFinishedScan(rt, outcome.record, log) : undefined;
      if (verdict) {
        for (const state of states) useVerdict(state, verdict);
        await rt.store.removeWaiter(key, task.taskArn);
        continue;
      }
      await rescan(rt, outcome.record, log, pullReference, { mode: 'image' }, image);
      waitingOn.push(key);
    } else if (outcome.state === 'error') {
      useScanError(states, outcome.record);
      rt.standingScanErrors.note(outcome.record, rt.clock.now().getTime());
      await rt.store.removeWaiter(key, task.taskArn);
    } else {
      waitingOn.push(key);
    }
  }
  return waitingOn;
}

/** The size ECR gave for the image these containers share (the first that has one), for where its scan starts. */
function imageFactsOf(states: ContainerState[]): ImageFacts {
  const sized = states.find((state) => state.imageSizeBytes !== undefined);
  return sized ? { sizeBytes: sized.imageSizeBytes } : {};
}

function useScanError(states: ContainerState[], record: ScanRecord): void {
  const message = record.error || 'the scan failed';
  for (const state of states) markScanError(state, { message, ...(record.buildId ? { buildId: record.buildId } : {}) });
}
