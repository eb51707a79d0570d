import { SCAN_BUILD_ENV } from '../../adapters/scan-build-env';
import type { FinalBuildStatus } from '../../core/events';
import { sameBuild } from '../../core/events';
import { isReferenceScanKey, reportKeyFor } from '../../core/gate/images';
import { scanNotificationKey } from '../../core/gate/keys';
import { buildVerdictEvent } from '../../core/gate/verdict-event';
import { isSha256Digest, parseImageReference } from '../../core/image/reference';
import { evaluatePolicy } from '../../core/policy/evaluate';
import type { ContainerEvidence } from '../../core/policy';
import { expectedScan, isExpectedScan, type ScanRecord, type StoredVerdict } from '../../core/ports';
import { classifyFailure, describeError, isNonRetryable, shouldRetry } from '../failures';
import { decisionLogFields } from '../decision-log';
import { childBinding, type Logger } from '../logger';
import { notifyAfterDecision } from '../enforcement/notify';
import type { GateRuntime } from '../runtime';
import { newScanRecord, produceVerdict, scanFailure, startScan } from './scan-records';
import { releaseLambdaSlot } from './lambda-overflow';
import { computeFallback, type ScanComputeFallbackCause } from '../../core/gate/compute-fallback';
import { judgeWaiters } from '../admission/judge-waiters';
import { resumePausedDeployments } from '../admission/pause-hook';
import type { ScanErrorNote } from '../admission/container-state';
import { prepareVerdict, type PreparedVerdict } from '../posture/verdict-change';
import { sbomKeyFor } from '../../core/posture/sbom';

/**
 * How a scan ended, from its build's status (event or poll) or from the sweep's deadline. `endedAt` is the Build
 * State Change event's time: when the build ended, the scan time of a report that does not state its own.
 */
export type ScanEnd = { status: FinalBuildStatus; endedAt?: string; failedPhase?: string; failedPhaseExitStatus?: number } | { deadline: 'running' | 'queued' };

export interface FinishedScan {
  key: string;
  scanId: string;
  /** `fallback`: the scan outgrew Lambda compute and runs again on the EC2 fallback project (`scanId` is the retry's). */
  outcome: 'verdict' | 'error' | 'fallback';
  error?: string;
}

/**
 * Finishes one scan: verdict (or scan error), the tasks waiting on it, then its verdict event. Order matters for
 * crash safety and for waiters arriving meanwhile: the verdict is stored first (new tasks then find it), waiters
 * are judged, the scan's event goes out, the record is marked done or error, and the waiters are listed once more
 * for any task that began waiting while the first pass ran. A crash before the record is marked leaves it running,
 * so the sweep finishes it again; every step is idempotent.
 *
 * What a retry cannot fix ends the scan instead of leaving it running for ever: a report that cannot be read for
 * good (missing, over the size cap, access denied, unparsable) and a verdict that cannot be stored (too large for
 * one item, refused) are scan errors, judged by onScanError. The verdict event never holds the decisions up: it
 * follows them, and a failure to publish it is counted (`VerdictEventsLost`), not thrown.
 */
export async function finishScan(rt: GateRuntime, record: ScanRecord, end: ScanEnd, log: Logger): Promise<FinishedScan> {
  // The build-event path binds the build id already (gate.ts); the sweep's does not.
  const scanLog = childBinding(log, { digest: record.digest, scanId: record.scanId, buildId: record.buildId || undefined });
  let verdict: StoredVerdict | undefined;
  let alias: StoredVerdict | undefined;
  let error: string | undefined;

  // Its build ended (or its deadline passed): the Lambda-compute slot it held is free for the next scan (lambda-overflow.ts).
  await releaseLambdaSlot(rt, record, scanLog);

  // A scan that outgrew Lambda compute is not finished: it runs once more on EC2 compute, and its waiters keep waiting.
  const fallback = 'status' in end ? computeFallback(end, record.compute, !!rt.config.fallbackScanProjectName) : undefined;
  if (fallback !== undefined) return fallBackToEc2(rt, record, fallback, scanLog);

  if ('status' in end && end.status === 'SUCCEEDED') {
    const produced = await produceVerdict(rt, record, scanLog, end.endedAt);
    if ('error' in produced) error = produced.error;
    else ({ verdict, alias } = produced);
  } else {
    error = describeEnd(rt, record, end);
  }

  // A finisher that read the record a while ago (the sweep, a redelivered build event) can find the scan finished
  // elsewhere and the digest claimed since by a newer scan: nothing of this one is applied then, neither its verdict
  // nor its outcome for the tasks now waiting on the newer scan. The record's own update below is conditioned the same way.
  if (!isExpectedScan(await rt.store.getScan(record.digest), expectedScan(record))) {
    scanLog.info('scan record already moved on (finished elsewhere or rescanned): this outcome is not applied');
    return { key: record.digest, scanId: record.scanId, outcome: verdict ? 'verdict' : 'error', ...(error !== undefined ? { error } : {}) };
  }

  // A digest in use: its previous verdict says which findings drifted in (marked on the verdict before it is stored).
  let prepared: PreparedVerdict | undefined;
  if (verdict) {
    try {
      prepared = await prepareVerdict(rt, verdict, scanLog);
      verdict = prepared.verdict;
    } catch (postureError) {
      rt.metrics.count('PostureErrors');
      scanLog.error({ err: postureError }, 'could not compare the verdict with the previous one: stored without drift marks, no finding events');
    }
  }

  if (verdict) {
    const refused = await storeVerdicts(rt, verdict, alias, scanLog);
    if (refused !== undefined) {
      error = refused;
      verdict = undefined;
    }
  }
  if (verdict) scanLog.info({ reportLocation: verdict.reportLocation }, 'scan finished: verdict stored');
  else scanLog.warn({ reason: error }, 'scan failed');

  const known = verdict ? new Map([[record.digest, verdict]]) : undefined;
  // The failed build goes with the error, so a stop reason names the build that failed, not another container's.
  const errors = error !== undefined ? new Map([[record.digest, scanErrorNote(error, record)]]) : undefined;
  const first = await judgeWaiters(rt, record.digest, { knownVerdicts: known, scanErrors: errors }, scanLog);
  await resumePausedDeployments(rt, record.digest, { knownVerdicts: known, scanErrors: errors }, scanLog);
  await notifyScanFinished(rt, record, verdict, error, scanLog);
  if (verdict && prepared) await prepared.announce();
  // A scan with a report ends the run of unsuccessful attempts; a failed one lengthens it and backs off further.
  // Clearing `finishFailures` (and the `error` note on success) ends the count of failed attempts at finishing it.
  const ending = verdict
    ? { state: 'done' as const, reportLocation: verdict.reportLocation, attempts: 0, error: undefined, finishFailures: undefined, sbomKey: keptSbomKey(rt, record) }
    : { ...scanFailure(rt, record, error ?? 'the scan failed'), finishFailures: undefined };
  const marked = await rt.store.updateScan(record.digest, expectedScan(record), ending);
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
  // Deployments paused at a PAUSE hook that began waiting while the first pass ran.
  if (current?.scanId === record.scanId) await resumePausedDeployments(rt, record.digest, { knownVerdicts: known, scanErrors: errors }, scanLog);

  rt.metrics.count('ScansFinished', 1, { outcome: verdict ? 'verdict' : 'error' });
  const started = Date.parse(record.startedAt);
  if (!Number.isNaN(started)) rt.metrics.timing('ScanDuration', Math.max(0, rt.clock.now().getTime() - started));
  scanLog.info({ waitersJudged: first.judged + second.judged, waitersDropped: first.dropped + second.dropped }, 'waiting tasks handled');
  return { key: record.digest, scanId: record.scanId, outcome: verdict ? 'verdict' : 'error', ...(error !== undefined ? { error } : {}) };
}

/**
 * Moves a scan that outgrew Lambda compute to the EC2 fallback project: the record becomes a new scan (a new scan id,
 * so the retry's StartBuild has its own idempotency token and a late event of the Lambda build finishes nothing),
 * queued on `ec2Fallback`, and its build is started at once. The record keeps its waiters (keyed by digest), its
 * attempts and its mode; a start that fails in a way a retry may fix leaves it queued under a lease, and the sweep
 * starts it on EC2 again (the record says where). Counted as `ScanComputeFallbacks`.
 */
async function fallBackToEc2(rt: GateRuntime, record: ScanRecord, fallback: { cause: ScanComputeFallbackCause; reason: string }, log: Logger): Promise<FinishedScan> {
  const { cause, reason } = fallback;
  const retry = newScanRecord(rt, record.digest, record.imageReference);
  const moved = await rt.store.updateScan(record.digest, expectedScan(record), {
    state: 'queued',
    scanId: retry.scanId,
    compute: 'ec2Fallback',
    startedAt: retry.startedAt,
    deadline: retry.deadline,
    retryAt: retry.retryAt,
    buildId: '',
    finishFailures: undefined,
  });
  if (!moved) {
    log.info('scan record already moved on (finished elsewhere or rescanned): no EC2 fallback');
    return { key: record.digest, scanId: record.scanId, outcome: 'error', error: reason };
  }
  // `cause` tells a timeout from a failed phase (and both from scans routed by size, scan-records.ts) on the dashboard.
  rt.metrics.count('ScanComputeFallbacks', 1, { cause });
  // The retry's lines name the retry: the event's bindings without the Lambda scan's id and build (a key bound twice is
  // written twice, and the old scan id would label the new scan's lines).
  const root = rt.logger.bindings();
  const eventBindings = Object.fromEntries(Object.entries(log.bindings()).filter(([key]) => !(key in root) && key !== 'scanId' && key !== 'buildId'));
  const retryLog = rt.logger.child(eventBindings);
  childBinding(retryLog, { digest: record.digest, scanId: retry.scanId }).warn(
    { reason, cause, previousScanId: record.scanId, previousBuildId: record.buildId },
    'scan outgrew Lambda compute: retrying it once on EC2 compute',
  );
  const queued: ScanRecord = { ...record, state: 'queued', scanId: retry.scanId, compute: 'ec2Fallback', startedAt: retry.startedAt, deadline: retry.deadline, retryAt: retry.retryAt, buildId: '' };
  delete queued.finishFailures;
  const started = await startScan(rt, queued, 'queued', retryLog);
  // Refused for good: a scan error now (startScan marked the record), and no build will finish to say so.
  if (started.state === 'error') {
    const refused = started.record.error || 'the scan could not be requested';
    await endRefusedScan(rt, { ...queued, ...started.record }, retry.scanId, refused, retryLog);
    return { key: record.digest, scanId: retry.scanId, outcome: 'error', error: refused };
  }
  return { key: record.digest, scanId: retry.scanId, outcome: 'fallback', error: reason };
}

/**
 * The SBOM a finished scan leaves for the next re-judgement: an image scan's own (the build writes it beside the
 * report), or the one an SBOM scan matched (it stays the image scan's, whose report the re-judgement stands on).
 */
function keptSbomKey(rt: GateRuntime, record: ScanRecord): string | undefined {
  if (record.mode === 'sbom') return record.sbomKey;
  return isSha256Digest(record.digest) ? sbomKeyFor(reportKeyFor(rt.config.reportPrefix, record.digest, record.scanId)) : undefined;
}

/**
 * Stores a scan's verdict (and its alias under the digest a scan by reference learned). A refusal a retry cannot fix
 * makes the scan an error: its text is returned. The alias only saves a later scan by digest, so its refusal is
 * logged and the scan goes on. Anything a retry may fix propagates.
 */
async function storeVerdicts(rt: GateRuntime, verdict: StoredVerdict, alias: StoredVerdict | undefined, log: Logger): Promise<string | undefined> {
  const refusal = async (write: () => Promise<void>): Promise<unknown> => {
    try {
      await write();
      return undefined;
    } catch (error) {
      const failure = classifyFailure(error);
      if (!isNonRetryable(failure)) throw error;
      rt.metrics.count('GateErrors', 1, { failure });
      return error;
    }
  };
  const refused = await refusal(() => rt.store.putVerdict(verdict));
  if (refused !== undefined) {
    log.error({ err: refused }, 'the verdict could not be stored: the scan is an error');
    return `the verdict could not be stored: ${describeError(refused).message}`;
  }
  if (alias) {
    const aliasRefused = await refusal(() => rt.store.putVerdict(alias));
    if (aliasRefused !== undefined) log.error({ err: aliasRefused, digest: alias.digest }, 'the verdict could not be stored under the digest the report names; kept under the reference only');
  }
  return undefined;
}

/** How many attempts at finishing `record` failed in a row for a reason a retry cannot fix. */
export function finishFailuresOf(record: Pick<ScanRecord, 'finishFailures' | 'state'>): number {
  return record.state === 'queued' || record.state === 'running' ? (record.finishFailures ?? 0) : 0;
}

/**
 * `finishScan`, counting the failures a retry cannot fix (an AWS refusal, an unusable input) in the record's
 * `finishFailures`, with the last reason in its `error` note. After `finishMaxFailures` in a row
 * the scan is given up on: marked an error, so onScanError judges its waiters, instead of being retried by every
 * sweep for ever. Other failures propagate untouched (they are retried).
 */
async function finishCounting(rt: GateRuntime, record: ScanRecord, end: ScanEnd, log: Logger): Promise<FinishedScan> {
  try {
    return await finishScan(rt, record, end, log);
  } catch (error) {
    if (!isNonRetryable(classifyFailure(error))) throw error;
    const failures = finishFailuresOf(record) + 1;
    const reason = describeError(error).message;
    if (failures >= rt.config.finishMaxFailures) {
      log.error({ err: error, digest: record.digest, scanId: record.scanId, failures }, 'giving up on finishing the scan: it is a scan error');
      return giveUp(rt, record, `the scan could not be finished (${failures} attempts failed, the last with: ${reason})`, log);
    }
    try {
      await rt.store.updateScan(record.digest, expectedScan(record), {
        finishFailures: failures,
        error: `finishing the scan failed ${failures} time${failures === 1 ? '' : 's'} in a row: ${reason}`,
      });
    } catch (noteError) {
      log.error({ err: noteError, digest: record.digest }, 'could not note the failed attempt at finishing the scan');
    }
    throw error;
  }
}

/**
 * Ends a scan that could not be finished: the record is marked an error first (whatever else fails, the sweep stops
 * retrying it and the next launch scans again once the error's retry time passed), then its waiters are judged on
 * that error and its event is sent, both as far as they go.
 */
async function giveUp(rt: GateRuntime, record: ScanRecord, reason: string, log: Logger): Promise<FinishedScan> {
  const ending = { ...scanFailure(rt, record, reason), finishFailures: undefined };
  if (!(await rt.store.updateScan(record.digest, expectedScan(record), ending))) {
    log.info({ digest: record.digest }, 'scan record already moved on (finished elsewhere or rescanned)');
    return { key: record.digest, scanId: record.scanId, outcome: 'error', error: reason };
  }
  await endWithScanError(rt, { ...record, ...ending }, reason, log);
  return { key: record.digest, scanId: record.scanId, outcome: 'error', error: reason };
}

/**
 * The end of a scan already marked an error in its record, with no build left to finish it: its waiters are judged on
 * that error (onScanError decides; a standalone task that was RUNNING when it began waiting has no later event before
 * it stops), the deployments paused on it are answered (they have no later event at all), and its verdict event is
 * sent, each as far as it goes. Shared by a scan given up on (`giveUp`) and by a start CodeBuild refused for good
 * (the EC2 fallback's retry, a queued scan's retry).
 */
async function endWithScanError(rt: GateRuntime, record: ScanRecord, reason: string, log: Logger): Promise<void> {
  rt.standingScanErrors.note(record, rt.clock.now().getTime());
  rt.metrics.count('ScansFinished', 1, { outcome: 'error' });
  const scanErrors = new Map([[record.digest, scanErrorNote(reason, record)]]);
  try {
    await judgeWaiters(rt, record.digest, { scanErrors }, log.child({ digest: record.digest }));
  } catch (error) {
    log.error({ err: error, digest: record.digest }, 'tasks waiting on a failed scan could not all be judged');
  }
  // Apart from the tasks: a paused deployment has no later event to be judged on, only this.
  try {
    await resumePausedDeployments(rt, record.digest, { scanErrors }, log.child({ digest: record.digest }));
  } catch (error) {
    log.error({ err: error, digest: record.digest }, 'deployments paused on a failed scan could not all be judged');
  }
  await notifyScanFinished(rt, record, undefined, reason, log);
}

/**
 * `endWithScanError` for a start CodeBuild refused for good, when the record still holds that refusal: a record that
 * moved on meanwhile (rescanned, finished elsewhere) belongs to another scan, whose outcome its waiters get instead.
 */
async function endRefusedScan(rt: GateRuntime, refused: ScanRecord, scanId: string, reason: string, log: Logger): Promise<void> {
  if (refused.state !== 'error' || refused.scanId !== scanId) {
    log.info('scan record already moved on (finished elsewhere or rescanned): the refused start ends nothing');
    return;
  }
  await endWithScanError(rt, refused, reason, log);
}

function describeEnd(rt: GateRuntime, record: ScanRecord, end: ScanEnd): string {
  if ('deadline' in end) {
    if (end.deadline === 'running') {
      // The deadline startScan set: the EC2 fallback project's own timeout for a retry there, the scan project's otherwise.
      const minutes = record.compute === 'ec2Fallback' ? (rt.config.fallbackScanTimeoutMinutes ?? rt.config.scanTimeoutMinutes) : rt.config.scanTimeoutMinutes;
      return `the scan did not finish within ${minutes} minutes${record.compute === 'ec2Fallback' ? ' on EC2 compute' : ''}`;
    }
    const why = record.state === 'queued' ? 'CodeBuild kept refusing for capacity' : 'every attempt at starting its build failed';
    return `the scan could not be started within ${rt.config.queueTimeoutMinutes} minutes (${why}; ${record.attempts} unsuccessful attempts at this image)`;
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
  log.info(decisionLogFields(result), 'image judged');
  await notifyAfterDecision(
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

/** A Build State Change of the scan project, as `handleBuildFinished` needs it. */
export interface BuildFinished {
  buildId: string;
  status: FinalBuildStatus;
  /** The build's PLAINTEXT environment as the event echoes it: the scan id and key the gate gave StartBuild. */
  environment?: Readonly<Record<string, string>>;
  /** ISO time of the event: when the build ended. */
  endedAt?: string;
  /** The first phase that did not succeed, when the event says (decides the EC2 fallback). */
  failedPhase?: string;
  /** The exit status of the command that failed that phase, when the event's phase context says (decides the EC2 fallback). */
  failedPhaseExitStatus?: number;
}

/**
 * A Build State Change of the scan project: finds the scan and finishes it. The build's own environment names the
 * scan (`IMAGE_DIGEST`, or the key in `REPORT_KEY` for a scan by reference, and `SCAN_ID`), so that is one read; only
 * an event without it makes the gate list every unfinished scan to find the build.
 */
export async function handleBuildFinished(rt: GateRuntime, build: BuildFinished, log: Logger): Promise<FinishedScan | undefined> {
  const { buildId, status } = build;
  const named = scanOfBuild(rt, build.environment);
  let record: ScanRecord | undefined;
  if (named) {
    const found = await rt.store.getScan(named.key);
    const same = found?.state === 'running' && sameBuild(found.buildId, buildId) && (named.scanId === undefined || found.scanId === named.scanId);
    record = same ? found : undefined;
  } else {
    const unfinished = await rt.store.listUnfinishedScans();
    record = unfinished.find((scan) => scan.state === 'running' && sameBuild(scan.buildId, buildId));
  }
  if (!record) {
    // `log` is bound to the build by the caller (gate.ts).
    log.info({ status, scanKey: named?.key }, 'no unfinished scan has this build (already finished, or rescanned since)');
    return undefined;
  }
  return finishCounting(
    rt,
    record,
    {
      status,
      ...(build.endedAt ? { endedAt: build.endedAt } : {}),
      ...(build.failedPhase ? { failedPhase: build.failedPhase } : {}),
      ...(build.failedPhaseExitStatus !== undefined ? { failedPhaseExitStatus: build.failedPhaseExitStatus } : {}),
    },
    log,
  );
}

/**
 * The scan key and id a scan build was started with, from its environment: the digest it scanned, else (a scan by
 * reference) the key inside its report key, accepted only if it gives back exactly that report key.
 */
export function scanOfBuild(rt: GateRuntime, environment: Readonly<Record<string, string>> | undefined): { key: string; scanId?: string } | undefined {
  if (!environment) return undefined;
  const scanId = environment[SCAN_BUILD_ENV.scanId] || undefined;
  const digest = environment[SCAN_BUILD_ENV.imageDigest];
  if (isSha256Digest(digest)) return scanId ? { key: digest, scanId } : { key: digest };
  const reportKey = environment[SCAN_BUILD_ENV.reportKey];
  if (!reportKey || !scanId) return undefined;
  const folder = rt.config.reportPrefix === '' || rt.config.reportPrefix.endsWith('/') ? rt.config.reportPrefix : `${rt.config.reportPrefix}/`;
  const slash = reportKey.lastIndexOf('/');
  if (!reportKey.startsWith(folder) || slash < folder.length) return undefined;
  const key = reportKey.slice(folder.length, slash);
  return isReferenceScanKey(key) && reportKeyFor(rt.config.reportPrefix, key, scanId) === reportKey ? { key, scanId } : undefined;
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
  /** Runs one scan's work; a failure is logged and counted (retryable ones rethrown at the end). True when it worked. */
  const attempt = async (record: ScanRecord, work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (error) {
      const kind = classifyFailure(error);
      log.error({ err: error, failure: kind, digest: record.digest, scanId: record.scanId }, 'sweep could not handle a scan');
      rt.metrics.count('GateErrors', 1, { failure: kind });
      if (shouldRetry(kind)) retryable ??= error;
      return false;
    }
  };

  const running = unfinished.filter((scan) => scan.state === 'running' && scan.buildId);
  const statuses = new Map<string, { status: string; failedPhase?: string; failedPhaseExitStatus?: number }>();
  if (running.length > 0) {
    try {
      const ids = running.map((scan) => scan.buildId as string);
      for (let start = 0; start < ids.length; start += 100) {
        for (const { buildId, status, failedPhase, failedPhaseExitStatus } of await rt.scanner.getBuildStatuses(ids.slice(start, start + 100))) {
          statuses.set(buildId, { status, ...(failedPhase ? { failedPhase } : {}), ...(failedPhaseExitStatus !== undefined ? { failedPhaseExitStatus } : {}) });
        }
      }
    } catch (error) {
      log.error({ err: error }, 'could not poll scan builds');
      retryable ??= shouldRetry(classifyFailure(error)) ? error : undefined;
    }
  }

  for (const record of unfinished) {
    const past = (iso: string | undefined) => iso !== undefined && iso !== '' && Date.parse(iso) <= now;
    if (record.state === 'running' && record.buildId) {
      const polled = statuses.get(record.buildId);
      if (polled && polled.status !== 'IN_PROGRESS') {
        const end = {
          status: polled.status as FinalBuildStatus,
          ...(polled.failedPhase ? { failedPhase: polled.failedPhase } : {}),
          ...(polled.failedPhaseExitStatus !== undefined ? { failedPhaseExitStatus: polled.failedPhaseExitStatus } : {}),
        };
        if (await attempt(record, async () => void (await finishCounting(rt, record, end, log)))) summary.finished += 1;
      } else if (past(record.deadline)) {
        if (await attempt(record, async () => void (await finishCounting(rt, record, { deadline: 'running' }, log)))) summary.expired += 1;
      } else {
        summary.stillRunning += 1;
      }
    } else if (record.state === 'running') {
      // Leased by a start that never recorded its build (the invocation died): back to the queue once the lease is
      // over, unless the time for getting it started ran out (its deadline is still the queue's).
      if (past(record.deadline)) {
        if (await attempt(record, async () => void (await finishCounting(rt, record, { deadline: 'queued' }, log)))) summary.expired += 1;
      } else if (past(record.retryAt)) {
        await attempt(record, async () => {
          if (await rt.store.updateScan(record.digest, expectedScan(record), { state: 'queued', retryAt: new Date(now).toISOString() })) {
            await retryQueued(rt, { ...record, state: 'queued' }, log);
            summary.retried += 1;
          }
        });
      }
    } else if (record.state === 'queued') {
      if (past(record.deadline)) {
        if (await attempt(record, async () => void (await finishCounting(rt, record, { deadline: 'queued' }, log)))) summary.expired += 1;
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
  if (!(await rt.store.updateScan(record.digest, { state: 'queued', scanId: record.scanId }, { state: 'running', buildId: '', retryAt: lease }))) return false;
  const started = await startScan(rt, { ...record, state: 'running', retryAt: lease }, 'running', log);
  // CodeBuild refused the queued scan for good: it is a scan error now, and no build will finish to say so. Its waiters
  // are judged now: a standalone task already RUNNING has no next state change before it stops.
  if (started.state === 'error') {
    await endRefusedScan(rt, { ...record, ...started.record }, record.scanId, started.record.error || 'the scan could not be requested', log);
  }
  return true;
}

function scanErrorNote(message: string, record: Pick<ScanRecord, 'buildId'>): ScanErrorNote {
  return record.buildId ? { message, buildId: record.buildId } : { message };
}
