import type { FinalBuildStatus } from '../core/events';
import { sameBuild } from '../core/events';
import { scanNotificationKey } from '../core/gate/keys';
import { buildVerdictEvent } from '../core/gate/verdict-event';
import { isSha256Digest, parseImageReference } from '../core/image/reference';
import { evaluatePolicy, type ContainerEvidence } from '../core/policy';
import type { ScanRecord, StoredVerdict } from '../core/ports';
import { classifyFailure, shouldRetry } from './failures';
import type { Logger } from './logger';
import { notifyOnce } from './notify';
import type { GateRuntime } from './runtime';
import { produceVerdict, scanFailure, startScan } from './scans';
import { judgeWaiters } from './task-gate';

/** How a scan ended, from its build's status (event or poll) or from the sweep's deadline. */
export type ScanEnd = { status: FinalBuildStatus } | { deadline: 'running' | 'queued' };

export interface FinishedScan {
  key: string;
  scanId: string;
  outcome: 'verdict' | 'error';
  error?: string;
}

/**
 * Finishes one scan: verdict (or scan error), its verdict event, then the tasks waiting on it. Order matters for
 * crash safety and for waiters arriving meanwhile: the verdict is stored first (new tasks then find it), waiters
 * are judged, the record is marked done or error, and the waiters are listed once more for any task that began
 * waiting while the first pass ran. A crash before the record is marked leaves it running, so the sweep finishes
 * it again; every step is idempotent.
 */
export async function finishScan(rt: GateRuntime, record: ScanRecord, end: ScanEnd, log: Logger): Promise<FinishedScan> {
  const scanLog = log.child({ digest: record.digest, scanId: record.scanId, buildId: record.buildId || undefined });
  let verdict: StoredVerdict | undefined;
  let alias: StoredVerdict | undefined;
  let error: string | undefined;

  if ('status' in end && end.status === 'SUCCEEDED') {
    const produced = await produceVerdict(rt, record, scanLog);
    if ('error' in produced) error = produced.error;
    else ({ verdict, alias } = produced);
  } else {
    error = describeEnd(rt, record, end);
  }

  if (verdict) {
    await rt.store.putVerdict(verdict);
    if (alias) await rt.store.putVerdict(alias);
    scanLog.info({ reportLocation: verdict.reportLocation }, 'scan finished: verdict stored');
  } else {
    scanLog.warn({ reason: error }, 'scan failed');
  }
  await notifyScanFinished(rt, record, verdict, error, scanLog);

  const known = verdict ? new Map([[record.digest, verdict]]) : undefined;
  const errors = error !== undefined ? new Map([[record.digest, error]]) : undefined;
  const first = await judgeWaiters(rt, record.digest, { knownVerdicts: known, scanErrors: errors }, scanLog);
  // A scan with a report ends the run of unsuccessful attempts; a failed one lengthens it and backs off further.
  const ending = verdict ? { state: 'done' as const, reportLocation: verdict.reportLocation, attempts: 0 } : scanFailure(rt, record, error ?? 'the scan failed');
  const marked = await rt.store.updateScan(record.digest, record.state, ending);
  if (marked) {
    // The next launches of a failed image in this environment then read the record before adding a waiter.
    rt.standingScanErrors.note({ digest: record.digest, ...ending }, rt.clock.now().getTime());
  } else {
    scanLog.info('scan record already moved on (finished elsewhere or rescanned)');
  }
  // Once marked, an error record can be re-claimed (when its retry time is short or already past); if that
  // happened, the new scan judges every waiter of the key, so this scan's outcome must not be applied to them.
  const current = await rt.store.getScan(record.digest);
  const second =
    current?.scanId === record.scanId
      ? await judgeWaiters(rt, record.digest, { knownVerdicts: known, scanErrors: errors }, scanLog)
      : { judged: 0, dropped: 0, stillWaiting: 0 };

  rt.metrics.count('ScansFinished', 1, { outcome: verdict ? 'verdict' : 'error' });
  const started = Date.parse(record.startedAt);
  if (!Number.isNaN(started)) rt.metrics.timing('ScanDuration', Math.max(0, rt.clock.now().getTime() - started));
  scanLog.info({ waitersJudged: first.judged + second.judged, waitersDropped: first.dropped + second.dropped }, 'waiting tasks handled');
  return { key: record.digest, scanId: record.scanId, outcome: verdict ? 'verdict' : 'error', ...(error !== undefined ? { error } : {}) };
}

function describeEnd(rt: GateRuntime, record: ScanRecord, end: ScanEnd): string {
  if ('deadline' in end) {
    return end.deadline === 'queued'
      ? `the scan could not be started within ${rt.config.queueTimeoutMinutes} minutes (CodeBuild kept refusing for capacity; ${record.attempts} unsuccessful attempts at this image)`
      : `the scan did not finish within ${rt.config.scanTimeoutMinutes} minutes`;
  }
  return `the scan build ended ${end.status}${record.buildId ? ` (build ${record.buildId})` : ''}`;
}

/** "Every scan completion emits one verdict event": the image judged alone (no task yet), once per scan. */
async function notifyScanFinished(rt: GateRuntime, record: ScanRecord, verdict: StoredVerdict | undefined, error: string | undefined, log: Logger): Promise<void> {
  const container: ContainerEvidence = {};
  try {
    container.image = parseImageReference(record.imageReference);
  } catch {
    // A record holds only references the gate validated; an unreadable one is simply not named.
  }
  const digest = isSha256Digest(record.digest) ? record.digest : verdict?.assessment.facts.digest;
  if (digest) container.digest = digest;
  if (verdict) container.assessment = verdict.assessment;
  else container.scanError = error ?? 'the scan failed';
  const result = evaluatePolicy(rt.policy, { containers: [container], context: {}, now: rt.clock.now() });
  await notifyOnce(
    rt,
    { key: scanNotificationKey(record.digest, record.scanId), action: 'scanFinished', decision: result.decision },
    () =>
      buildVerdictEvent({
        result,
        action: 'none',
        images: [
          {
            image: record.imageReference,
            ...(digest ? { digest } : {}),
            ...(record.buildId ? { buildId: record.buildId } : {}),
            ...(verdict?.reportLocation ? { reportLocation: verdict.reportLocation } : {}),
          },
        ],
      }),
    log,
  );
}

/** A Build State Change of the scan project: finds the scan by build id among the unfinished ones and finishes it. */
export async function handleBuildFinished(rt: GateRuntime, buildId: string, status: FinalBuildStatus, log: Logger): Promise<FinishedScan | undefined> {
  const unfinished = await rt.store.listUnfinishedScans();
  const record = unfinished.find((scan) => scan.state === 'running' && sameBuild(scan.buildId, buildId));
  if (!record) {
    log.info({ buildId, status }, 'no unfinished scan has this build (already finished, or rescanned since)');
    return undefined;
  }
  return finishScan(rt, record, { status }, log);
}

export interface SweepSummary {
  retried: number;
  finished: number;
  expired: number;
  stillRunning: number;
}

/**
 * The scheduled safety net for best-effort build events: polls every running build (one BatchGetBuilds per
 * hundred), finishes those that ended, fails those past their deadline, restarts scans whose start was lost, and
 * retries queued scans whose retry time came. Each scan is handled on its own; a retryable failure of one is
 * rethrown after the others were handled.
 */
export async function sweep(rt: GateRuntime, log: Logger): Promise<SweepSummary> {
  const summary: SweepSummary = { retried: 0, finished: 0, expired: 0, stillRunning: 0 };
  const now = rt.clock.now().getTime();
  const unfinished = await rt.store.listUnfinishedScans();
  let retryable: unknown;
  const attempt = async (record: ScanRecord, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      const kind = classifyFailure(error);
      log.error({ err: error, failure: kind, digest: record.digest, scanId: record.scanId }, 'sweep could not handle a scan');
      rt.metrics.count('GateErrors', 1, { failure: kind });
      if (shouldRetry(kind)) retryable ??= error;
    }
  };

  const running = unfinished.filter((scan) => scan.state === 'running' && scan.buildId);
  const statuses = new Map<string, string>();
  if (running.length > 0) {
    try {
      const ids = running.map((scan) => scan.buildId as string);
      for (let start = 0; start < ids.length; start += 100) {
        for (const { buildId, status } of await rt.scanner.getBuildStatuses(ids.slice(start, start + 100))) statuses.set(buildId, status);
      }
    } catch (error) {
      log.error({ err: error }, 'could not poll scan builds');
      retryable ??= shouldRetry(classifyFailure(error)) ? error : undefined;
    }
  }

  for (const record of unfinished) {
    const past = (iso: string | undefined) => iso !== undefined && iso !== '' && Date.parse(iso) <= now;
    if (record.state === 'running' && record.buildId) {
      const status = statuses.get(record.buildId);
      if (status && status !== 'IN_PROGRESS') {
        await attempt(record, async () => void (await finishScan(rt, record, { status: status as FinalBuildStatus }, log)));
        summary.finished += 1;
      } else if (past(record.deadline)) {
        await attempt(record, async () => void (await finishScan(rt, record, { deadline: 'running' }, log)));
        summary.expired += 1;
      } else {
        summary.stillRunning += 1;
      }
    } else if (record.state === 'running') {
      // Leased by a start that never recorded its build (the invocation died): back to the queue once the lease is over.
      if (past(record.retryAt)) {
        await attempt(record, async () => {
          if (await rt.store.updateScan(record.digest, 'running', { state: 'queued', retryAt: new Date(now).toISOString() })) {
            await retryQueued(rt, { ...record, state: 'queued' }, log);
            summary.retried += 1;
          }
        });
      }
    } else if (record.state === 'queued') {
      if (past(record.deadline)) {
        await attempt(record, async () => void (await finishScan(rt, record, { deadline: 'queued' }, log)));
        summary.expired += 1;
      } else if (record.retryAt === undefined || past(record.retryAt)) {
        await attempt(record, async () => {
          if (await retryQueued(rt, record, log)) summary.retried += 1;
        });
      }
    }
  }
  log.info({ ...summary, unfinished: unfinished.length }, 'sweep done');
  if (retryable !== undefined) throw retryable;
  return summary;
}

/** Takes a queued scan with a lease (queued → running, no build yet), so one sweep starts it however many run at once. */
async function retryQueued(rt: GateRuntime, record: ScanRecord, log: Logger): Promise<boolean> {
  const now = rt.clock.now().getTime();
  const lease = new Date(now + rt.config.startLeaseSeconds * 1000).toISOString();
  if (!(await rt.store.updateScan(record.digest, 'queued', { state: 'running', buildId: '', retryAt: lease }))) return false;
  await startScan(rt, { ...record, state: 'running', retryAt: lease }, 'running', log);
  return true;
}
