import { isSha256Digest } from '../../core/image/reference';
import { planRejudgements, rejudgeMethod } from '../../core/posture/rejudge';
import type { DigestInUse } from '../../core/posture/ports';
import type { ScanRecord, StoredVerdict } from '../../core/ports';
import { classifyFailure, shouldRetry } from '../failures';
import type { GateConfig } from '../config';
import { childBinding, type Logger } from '../logger';
import type { GateRuntime } from '../runtime';
import { errorMayBeRetried, newScanRecord, produceVerdict, rescan, startScan } from '../scans/scan-records';
import { actOnExpiredDrift, type DriftActionSummary } from './act';
import { DEFAULT_EXCEPTION_WINDOW_DAYS } from '../../core/posture/expiring-exceptions';
import { reportExpiringExceptions } from './expiring-exceptions';
import { prepareVerdict } from './verdict-change';

/** How the posture sweep re-judges digests in use (construct settings; see docs/deploy.md `rescanInterval`). */
export interface RejudgeSettings {
  /** A verdict older than this is due (default 24 hours: Trivy's DB is rebuilt several times a day). */
  rescanIntervalMs: number;
  /** Re-judgements (SBOM or image scans) one run may start (`rejudgeBudget` of the scan project's concurrency). */
  maxScansPerRun: number;
  /** Stored reports one run may re-judge under a new policy (no scan: one S3 read each). */
  maxReevaluationsPerRun: number;
  /** The Trivy version the scan project installs: a verdict from another version is re-judged by an image scan. */
  scannerVersion?: string;
  /** Exceptions expiring within this many days are reported (the gate's one `exceptionWindowDays`, default 14). */
  exceptionWindowDays?: number;
}

export const DEFAULT_RESCAN_INTERVAL_MS = 24 * 3_600_000;

/** Stored reports one sweep may judge again after a policy change (one S3 read each, no scan). */
export const DEFAULT_REEVALUATIONS_PER_RUN = 100;

/** The sweep's settings from the gate's configuration (GATE_RESCAN_INTERVAL_HOURS, GATE_REJUDGE_SCANS_PER_RUN, GATE_EXCEPTION_WINDOW_DAYS). */
export function rejudgeSettingsOf(config: Pick<GateConfig, 'rescanIntervalHours' | 'rejudgeScansPerRun' | 'exceptionWindowDays'>): RejudgeSettings {
  return {
    rescanIntervalMs: config.rescanIntervalHours * 3_600_000,
    maxScansPerRun: config.rejudgeScansPerRun,
    maxReevaluationsPerRun: DEFAULT_REEVALUATIONS_PER_RUN,
    exceptionWindowDays: config.exceptionWindowDays,
  };
}

export interface RejudgeSummary {
  inUse: number;
  /** Stored reports judged again under the current policy (no scan). */
  reevaluated: number;
  sbomScans: number;
  imageScans: number;
  /** Due, left for the next runs (over the budget). */
  deferred: number;
  /** Due, but a scan of the digest is already under way. */
  inFlight: number;
  /** Running tasks whose drift grace expired, and what was done to them. */
  drift: DriftActionSummary;
  /** Exceptions of the policy that expire within the notice window. */
  expiringExceptions: number;
}

const BATCH = 100;

/**
 * The posture sweep: every digest in use (and only those) keeps a verdict under the current policy no older than the
 * rescan interval. A digest without a verdict under the current policy (the policy changed) has its last report judged
 * again, no scan; a verdict older than the interval is re-judged by an SBOM scan of the stored SBOM (no image pull), or
 * an image scan when there is no SBOM or the scanner changed, oldest first and within the run's budget. The scans
 * finish on the ordinary path (completion.ts), which compares the new verdict with the previous one (drift).
 */
export async function rejudgeDigestsInUse(rt: GateRuntime, settings: RejudgeSettings, log: Logger): Promise<RejudgeSummary> {
  const inventory = rt.inventory;
  if (!inventory) throw new Error('rejudgeDigestsInUse needs the inventory');
  const inUse = (await inventory.listDigestsInUse()).filter((entry) => isSha256Digest(entry.digest));
  const summary: RejudgeSummary = {
    inUse: inUse.length,
    reevaluated: 0,
    sbomScans: 0,
    imageScans: 0,
    deferred: 0,
    inFlight: 0,
    drift: { expired: 0, stoppedTasks: 0, servicesActedOn: 0, leftRunning: 0 },
    expiringExceptions: 0,
  };
  const verdicts = new Map<string, StoredVerdict>();
  for (let start = 0; start < inUse.length; start += BATCH) {
    const batch = await rt.store.getVerdicts(inUse.slice(start, start + BATCH).map((entry) => entry.digest), rt.policy.hash);
    for (const [digest, verdict] of batch) verdicts.set(digest, verdict);
  }
  let retryable: unknown;
  const attempt = async (digest: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      const failure = classifyFailure(error);
      rt.metrics.count('GateErrors', 1, { failure });
      log.error({ err: error, digest, failure }, 'posture sweep could not re-judge a digest in use');
      if (shouldRetry(failure)) retryable ??= error;
    }
  };

  // A new policy: stored reports judged again, no scan.
  let reevaluations = 0;
  const unjudged: DigestInUse[] = [];
  for (const entry of inUse) {
    if (verdicts.has(entry.digest)) continue;
    if (reevaluations >= settings.maxReevaluationsPerRun) {
      summary.deferred += 1;
      continue;
    }
    reevaluations += 1;
    await attempt(entry.digest, async () => {
      const verdict = await reevaluate(rt, entry.digest, log);
      if (verdict) {
        verdicts.set(entry.digest, verdict);
        summary.reevaluated += 1;
      } else {
        unjudged.push(entry);
      }
    });
  }

  const requests = await rejudgeRequests(rt, inUse);
  const plan = planRejudgements(
    [
      ...inUse
        .filter((entry) => verdicts.has(entry.digest))
        .map((entry) => ({ digest: entry.digest, scannedAt: verdicts.get(entry.digest)?.scannedAt, requestedAt: requests.get(entry.digest) })),
      ...unjudged.map((entry) => ({ digest: entry.digest, requestedAt: requests.get(entry.digest) })),
    ],
    rt.clock.now().getTime(),
    settings.rescanIntervalMs,
    settings.maxScansPerRun,
  );
  summary.deferred += plan.deferred;
  for (const digest of plan.now) {
    await attempt(digest, async () => {
      const started = await startRejudgement(rt, digest, verdicts.get(digest), settings, log);
      if (started === 'sbom') summary.sbomScans += 1;
      else if (started === 'image') summary.imageScans += 1;
      else summary.inFlight += 1;
    });
  }
  // Running tasks whose drift grace expired, where their scope opts in to action.
  summary.drift = await actOnExpiredDrift(rt, verdicts, log);
  await attempt('', async () => {
    summary.expiringExceptions = (await reportExpiringExceptions(rt, settings.exceptionWindowDays ?? DEFAULT_EXCEPTION_WINDOW_DAYS, log)).length;
  });
  if (summary.sbomScans > 0) rt.metrics.count('Rejudgements', summary.sbomScans, { kind: 'sbom' });
  if (summary.imageScans > 0) rt.metrics.count('Rejudgements', summary.imageScans, { kind: 'image' });
  if (summary.reevaluated > 0) rt.metrics.count('Rejudgements', summary.reevaluated, { kind: 'report' });
  log.info({ ...summary }, 'posture sweep done');
  if (retryable !== undefined) throw retryable;
  return summary;
}

/**
 * The re-judgements Inspector findings asked for (handlers/posture/inspector.ts marks the scan record): one scan-record
 * read per digest in use (strongly consistent GetItem, items well under 4 KB: one read unit each per run).
 */
async function rejudgeRequests(rt: GateRuntime, inUse: readonly DigestInUse[]): Promise<Map<string, string>> {
  const requests = new Map<string, string>();
  for (const entry of inUse) {
    const requestedAt = (await rt.store.getScan(entry.digest))?.rejudgeRequestedAt;
    if (requestedAt !== undefined) requests.set(entry.digest, requestedAt);
  }
  return requests;
}

/** The last finished scan's report judged under the current policy and stored (with drift and finding events as any new verdict). */
async function reevaluate(rt: GateRuntime, digest: string, log: Logger): Promise<StoredVerdict | undefined> {
  const record = await rt.store.getScan(digest);
  if (record?.state !== 'done') return undefined;
  const produced = await produceVerdict(rt, record, log);
  if ('error' in produced) {
    log.warn({ digest, reason: produced.error }, 'the stored report cannot be judged under the current policy; the digest is rescanned');
    return undefined;
  }
  const prepared = await prepareVerdict(rt, produced.verdict, childBinding(log, { digest }));
  await rt.store.putVerdict(prepared.verdict);
  rt.metrics.count('VerdictsReevaluated');
  await prepared.announce();
  return prepared.verdict;
}

/** Starts the re-judgement of one due digest; `inFlight` when a scan of it is already under way (or backing off). */
export async function startRejudgement(rt: GateRuntime, digest: string, verdict: StoredVerdict | undefined, settings: RejudgeSettings, log: Logger): Promise<'sbom' | 'image' | 'inFlight'> {
  const record = await rt.store.getScan(digest);
  if (!record) {
    // No scan record left (expired): the verdict or the inventory names the image; a full scan of it.
    const reference = await imageReferenceOf(rt, digest);
    if (!reference) return 'inFlight';
    const fresh = newScanRecord(rt, digest, reference);
    if (!(await rt.store.claimScan(fresh))) return 'inFlight';
    await startScan(rt, fresh, 'queued', log);
    return 'image';
  }
  if (record.state === 'queued' || record.state === 'running') return 'inFlight';
  if (record.state === 'error' && !errorMayBeRetried(rt, record)) return 'inFlight';
  const method = rejudgeMethod(
    { state: record.state, mode: record.mode, sbomKey: record.sbomKey, verdictScannerVersion: verdict?.assessment.provenance.scannerVersion },
    settings.scannerVersion,
  );
  if (record.state === 'done') {
    const outcome = await rescan(rt, record, log, record.imageReference, method);
    return outcome.state === 'inFlight' ? 'inFlight' : method.mode;
  }
  // A failed scan whose back-off is over: claimed again (replacing exactly that failure), by the chosen method.
  const fresh: ScanRecord = { ...newScanRecord(rt, digest, record.imageReference, record), ...(method.mode === 'sbom' ? method : {}) };
  if (!(await rt.store.claimScan(fresh, record))) return 'inFlight';
  await startScan(rt, fresh, 'queued', log);
  return method.mode;
}

/** A pinned reference for a digest from its open task uses (the container image, pinned to the digest). */
async function imageReferenceOf(rt: GateRuntime, digest: string): Promise<string | undefined> {
  const uses = (await rt.inventory?.listUsesOfDigest(digest)) ?? [];
  const image = uses.flatMap((use) => use.containers.map((container) => container.image))[0];
  if (!image) return undefined;
  return `${image.replace(/@.*$/, '')}@${digest}`;
}
