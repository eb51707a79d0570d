import { InputError } from '../../core/errors';
import { DEFAULT_SCAN_ERROR_BACKOFF, retryDelayMs, type BackoffOptions } from '../../core/gate/backoff';
import { isReferenceScanKey, reportKeyFor } from '../../core/gate/images';
import { isSha256Digest } from '../../core/image/reference';
import type { ScanReport } from '../../core/findings/model';
import { initialScanCompute, readImageSize, recordComputeOf, type InitialCompute } from '../../core/gate/compute-routing';
import { ReportMissingError, ScanCapacityError, expectedScan, type ScanMode, type ScanRecord, type ScanState, type StoredVerdict } from '../../core/ports';
import { referenceVerdictLifetimeMinutes } from '../config';
import { classifyFailure, describeError, isNonRetryable } from '../failures';
import { childBinding, type Logger } from '../logger';
import type { GateRuntime } from '../runtime';
import { lookUpImageSize } from './image-size';
import { claimLambdaOverflowLease, claimLambdaSlot, countsAgainstLambdaSlots, noteOverflow, releaseLambdaSlot } from './lambda-overflow';
import type { ScanCompute } from '../../core/gate/compute-fallback';
import type { LambdaOverflowCause } from '../../core/gate/lambda-overflow';

/*
 * The life of a scan record (GateStore, keyed by digest or by `ref-<hash>` for a scan by reference):
 *   claimScan (queued) ─StartBuild─> running ─build ends─> done | error
 *        └─ CodeBuild full: stays queued with retryAt; the sweep retries it ─┘
 * A done record is reused for a new policy (its raw report is re-evaluated, no rescan) while it is younger than
 * the verdict lifetime and the policy's maxScanAge; after that the record goes back to queued (a rescan). An error
 * record is re-claimed by the next task that needs the digest once its retry time passed; the wait doubles with each
 * failure in a row (core/gate/backoff.ts), counted in the record's `attempts`, which a retry carries over and only a
 * scan that produced a report resets. Every transition is a conditional write on the state and the scan's identity
 * (its scan id, and its build where it has one), so a slow finisher of an older scan never overwrites a newer one.
 */

export type EnsureOutcome =
  | { state: 'started' | 'queued' | 'inFlight'; scanId: string }
  | { state: 'done'; record: ScanRecord }
  | { state: 'error'; record: ScanRecord };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A queued scan record for `key`. Given the `error` record it replaces, it carries that record's attempts over, so the
 * next failure waits longer than the last (a retry that fails again must not start the back-off from scratch).
 */
export function newScanRecord(rt: GateRuntime, key: string, imageReference: string, replacing?: ScanRecord): ScanRecord {
  const now = rt.clock.now().getTime();
  return {
    digest: key,
    imageReference,
    scanId: rt.newId(),
    state: 'queued',
    attempts: replacing?.state === 'error' ? unsuccessfulAttempts(replacing) : 0,
    startedAt: iso(now),
    deadline: iso(now + rt.config.queueTimeoutMinutes * 60_000),
    // The claimer starts the build at once; the sweep leaves the record alone until this lease runs out.
    retryAt: iso(now + rt.config.startLeaseSeconds * 1000),
  };
}

/**
 * Makes sure a scan of `key` exists: starts one if nobody has, else says where the existing one stands. The
 * record is read first: a scan in flight then costs one read, not a failed claim and a read. A failed scan
 * is retried by the next task that needs the image, but not before its `retryAt` (set when it failed, further out
 * after each failure in a row), so a broken image is scanned O(log time) times, not once per launch; until then its
 * error stands.
 */
export async function ensureScan(rt: GateRuntime, key: string, imageReference: string, log: Logger, image: ImageFacts = {}): Promise<EnsureOutcome> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const existing = await rt.store.getScan(key);
    if (existing?.state === 'queued' || existing?.state === 'running') return { state: 'inFlight', scanId: existing.scanId };
    if (existing?.state === 'done') return { state: 'done', record: existing };
    if (existing?.state === 'error' && !errorMayBeRetried(rt, existing)) return { state: 'error', record: existing };
    const { record, routing } = await routedScanRecord(rt, key, imageReference, existing, image, log);
    // Replacing the failed scan read, by its identity: if it was retried (and failed again) meanwhile, this claim loses.
    if (await rt.store.claimScan(record, existing)) {
      noteRouting(rt, record, routing, log);
      return startScan(rt, record, 'queued', log);
    }
    // Another caller claimed it between the read and the claim: read again to see what it became.
  }
  return { state: 'inFlight', scanId: '' };
}

/** What the gate knows of an image before scanning it, from the call that resolved it (ECR DescribeImages). */
export interface ImageFacts {
  /** DescribeImages `imageSizeInBytes` as given (compressed; unchecked: readImageSize decides whether it is usable). */
  sizeBytes?: unknown;
}

/**
 * Where a new image scan starts, by its size (core/gate/compute-routing.ts): the size the caller read with the tag, else
 * (only when there is a fallback project to send it to, and for an image scan) one DescribeImages by digest.
 */
async function routeBySize(rt: GateRuntime, imageReference: string, image: ImageFacts, log: Logger, mode: ScanMode = 'image'): Promise<InitialCompute> {
  const lookUp = image.sizeBytes === undefined && !!rt.config.fallbackScanProjectName && mode === 'image';
  const sizeBytes = lookUp ? await lookUpImageSize(rt, imageReference, log) : image.sizeBytes;
  return initialScanCompute({
    size: readImageSize(sizeBytes),
    fallbackAvailable: !!rt.config.fallbackScanProjectName,
    ...(rt.config.ec2AboveImageBytes !== undefined ? { thresholdBytes: rt.config.ec2AboveImageBytes } : {}),
    mode,
  });
}

/**
 * `newScanRecord`, on the project its image's size sends it to, for a caller that claims it itself (the lifecycle hook):
 * once the claim is won, `noteRouting` counts and logs where it went.
 */
export async function routedScanRecord(
  rt: GateRuntime,
  key: string,
  imageReference: string,
  replacing: ScanRecord | undefined,
  image: ImageFacts,
  log: Logger,
): Promise<{ record: ScanRecord; routing: InitialCompute }> {
  const routing = await routeBySize(rt, imageReference, image, log);
  return { record: withCompute(newScanRecord(rt, key, imageReference, replacing), routing), routing };
}

function withCompute(record: ScanRecord, routing: InitialCompute): ScanRecord {
  const compute = recordComputeOf(routing);
  return compute ? { ...record, compute } : record;
}

/**
 * A scan claimed on the EC2 fallback project for its size is counted as a fallback with cause `size` (beside
 * `timed-out` and `failed-phase`, completion.ts); a size the gate could not use is logged, the scan starting as before.
 */
export function noteRouting(rt: GateRuntime, record: ScanRecord, routing: InitialCompute, log: Logger): void {
  if (routing.compute === 'ec2Fallback') {
    rt.metrics.count('ScanComputeFallbacks', 1, { cause: 'size' });
    childBinding(log, { digest: record.digest, scanId: record.scanId }).info(
      { imageSizeBytes: routing.bytes, thresholdBytes: routing.thresholdBytes },
      'image larger than Lambda compute holds: its scan starts on EC2 compute',
    );
  } else if (routing.reason === 'size-unusable') {
    childBinding(log, { digest: record.digest, scanId: record.scanId }).warn('the registry gave an image size the gate cannot use: the scan starts on the scan project');
  }
}

/** Whether a failed scan may be tried again now (its `retryAt` passed; a record without one may always). */
export function errorMayBeRetried(rt: GateRuntime, record: ScanRecord): boolean {
  if (!record.retryAt) return true;
  const retryAt = Date.parse(record.retryAt);
  return Number.isNaN(retryAt) || retryAt <= rt.clock.now().getTime();
}

/** A record's `attempts` as a count, whatever an old or damaged item holds. */
function unsuccessfulAttempts(record: ScanRecord): number {
  return Number.isSafeInteger(record.attempts) && record.attempts > 0 ? record.attempts : 0;
}

/**
 * The back-off between re-scans of a failing image: `scanErrorRetryMinutes` is the first wait (the default, 10,
 * is core's SCAN_ERROR_FIRST_RETRY_MS); it doubles per failure in a row up to the cap (never below the first wait).
 */
export function scanErrorBackoff(rt: GateRuntime): BackoffOptions {
  const baseMs = Math.max(0, rt.config.scanErrorRetryMinutes * 60_000);
  return { ...DEFAULT_SCAN_ERROR_BACKOFF, baseMs, maxMs: Math.max(baseMs, DEFAULT_SCAN_ERROR_BACKOFF.maxMs) };
}

/**
 * The changes that mark a scan failed: its `attempts` grows by one (a failed scan is an unsuccessful attempt, like a
 * refused StartBuild before it), and the error stands until a retry time that backs off exponentially with them.
 */
export function scanFailure(rt: GateRuntime, record: ScanRecord, error: string): Pick<ScanRecord, 'state' | 'error' | 'attempts' | 'retryAt'> {
  const attempts = unsuccessfulAttempts(record) + 1;
  const delay = retryDelayMs(attempts, rt.random(), scanErrorBackoff(rt));
  return { state: 'error', error, attempts, retryAt: iso(rt.clock.now().getTime() + delay) };
}

/** Puts a finished scan back to queued with a new scan id and starts it; only one caller wins the transition. */
export async function rescan(
  rt: GateRuntime,
  finished: ScanRecord,
  log: Logger,
  imageReference = finished.imageReference,
  method: { mode: 'image' } | { mode: 'sbom'; sbomKey: string } = { mode: 'image' },
  image: ImageFacts = {},
): Promise<EnsureOutcome> {
  const routing = await routeBySize(rt, imageReference, image, log, method.mode);
  const fresh = withCompute({ ...newScanRecord(rt, finished.digest, imageReference), ...(method.mode === 'sbom' ? method : {}) }, routing);
  const applied = await rt.store.updateScan(finished.digest, expectedScan(finished), {
    // An image rescan clears the SBOM mode a previous re-judgement left on the record.
    mode: method.mode === 'sbom' ? 'sbom' : undefined,
    sbomKey: method.mode === 'sbom' ? method.sbomKey : undefined,
    state: 'queued',
    imageReference,
    scanId: fresh.scanId,
    attempts: 0,
    startedAt: fresh.startedAt,
    deadline: fresh.deadline,
    retryAt: fresh.retryAt,
    // An empty build id means "no build yet": the old build's late event or status must not finish the new scan.
    buildId: '',
    // A rescan starts on the scan project again, unless its image is known to be too large for it; a scan that
    // outgrows it later moves to the EC2 fallback.
    compute: fresh.compute,
    // The re-judgement an Inspector finding asked for is this scan.
    rejudgeRequestedAt: undefined,
  });
  if (!applied) {
    const now = await rt.store.getScan(finished.digest);
    return { state: 'inFlight', scanId: now?.scanId ?? finished.scanId };
  }
  log.info({ digest: finished.digest, scanId: fresh.scanId, previousScanId: finished.scanId }, 'rescanning');
  rt.metrics.count('Rescans');
  noteRouting(rt, fresh, routing, log);
  const { compute: _previousCompute, ...previous } = finished;
  return startScan(rt, { ...previous, ...fresh }, 'queued', log);
}

/**
 * Asks CodeBuild for the build, on the EC2 fallback project when the record says so or when Lambda compute is full
 * (the gate's slots all held, or CodeBuild refusing the Lambda build at the project's concurrent build limit or with a
 * full queue: lambda-overflow.ts). Refused for
 * capacity: the record stays queued with attempts+1 and a retry time
 * (exponential back-off with jitter) for the sweep; a retry of a failing image starts that back-off from its
 * failures so far, so CodeBuild's capacity goes first to images that have not failed. Refused for good (an unusable
 * request, access denied, a missing project): a scan error. Any other failure propagates;
 * the record keeps its lease and the sweep starts it once the lease runs out, so a failed invocation never leaves a
 * scan stuck.
 */
export async function startScan(rt: GateRuntime, record: ScanRecord, expectedState: ScanState, log: Logger): Promise<EnsureOutcome> {
  const reportKey = reportKeyFor(rt.config.reportPrefix, record.digest, record.scanId);
  // This scan, not its build: the caller just claimed or leased it under this scan id, and has no build of it yet.
  const expected = { state: expectedState, scanId: record.scanId };
  const scanLog = childBinding(log, { digest: record.digest, scanId: record.scanId });
  // Lambda compute full (the gate's own count, lambda-overflow.ts): the scan starts on the EC2 fallback project.
  let compute: ScanCompute | undefined = record.compute === 'ec2Fallback' ? 'ec2Fallback' : undefined;
  let overflow: LambdaOverflowCause | undefined;
  const counted = countsAgainstLambdaSlots(rt, record);
  const leaseUntilMs = rt.clock.now().getTime() + rt.config.scanTimeoutMinutes * 60_000;
  if (counted && !(await claimLambdaSlot(rt, record, leaseUntilMs, log))) {
    compute = 'ec2Fallback';
    overflow = 'lambda-full';
  }
  const requestBuild = (on: ScanCompute | undefined) =>
    rt.scanner.startScan({
      scanId: record.scanId,
      // A scan by reference has no digest yet: the build pulls the tag and the report says what it got.
      digest: isSha256Digest(record.digest) ? record.digest : '',
      imageReference: record.imageReference,
      reportKey,
      // A re-judgement of a digest in use matches its stored SBOM (posture/rejudge.ts); every other scan pulls the image.
      ...(record.mode === 'sbom' && record.sbomKey ? { mode: 'sbom' as const, sbomKey: record.sbomKey } : {}),
      // A scan that outgrew Lambda compute, was too large for it, or found it full runs on the EC2 fallback project.
      ...(on === 'ec2Fallback' ? { compute: 'ec2Fallback' as const } : {}),
    });
  // Set once StartBuild gave a build: from then on a build runs, and its slot stays held until it ends.
  let buildId: string | undefined;
  try {
    try {
      ({ buildId } = await requestBuild(compute));
    } catch (error) {
      if (!(error instanceof ScanCapacityError) || !counted) throw error;
      if (overflow === 'lambda-full') {
        // The fallback is full too (CodeBuild refuses past its project limit): the scan waits in CodeBuild's queue for
        // Lambda compute, where the next build to end frees a place within minutes, rather than in the gate's retry
        // back-off. It holds an overflow lease, above the limit: the count stays full until this build ends too, so a
        // slot freed before then does not send the next scan to Lambda compute behind it (it tries EC2 first again).
        // Taken before StartBuild, so a claim racing it already sees it; released below if no build starts.
        scanLog.info({ reason: error.message }, 'Lambda compute and its EC2 fallback are both full: the scan queues for Lambda compute');
        compute = undefined;
        overflow = undefined;
        await claimLambdaOverflowLease(rt, record, leaseUntilMs, log);
        ({ buildId } = await requestBuild(compute));
      } else if (compute !== 'ec2Fallback') {
        // CodeBuild refused the Lambda build for capacity although the gate had a slot: refused at the project's concurrent
        // build limit (below the setting) or with a full queue (builds-working.html). EC2 has its own quota.
        await releaseLambdaSlot(rt, record, log);
        compute = 'ec2Fallback';
        overflow = 'lambda-refused';
        ({ buildId } = await requestBuild(compute));
      } else {
        throw error;
      }
    }
    const now = rt.clock.now().getTime();
    const timeoutMinutes = compute === 'ec2Fallback' ? (rt.config.fallbackScanTimeoutMinutes ?? rt.config.scanTimeoutMinutes) : rt.config.scanTimeoutMinutes;
    const applied = await rt.store.updateScan(record.digest, expected, {
      state: 'running',
      buildId,
      startedAt: iso(now),
      deadline: iso(now + timeoutMinutes * 60_000),
      // The record says where the build runs: its end on EC2 is final (no second fallback), its deadline is EC2's.
      ...(overflow ? { compute: 'ec2Fallback' as const } : {}),
    });
    if (!applied) scanLog.warn({ buildId }, 'scan record changed while its build was starting; the sweep reconciles it');
    if (overflow) noteOverflow(rt, record, overflow, log, { buildId });
    rt.metrics.count('ScansStarted', 1, { compute: compute ?? 'scanProject' });
    scanLog.info({ buildId, imageReference: record.imageReference, ...(compute ? { compute } : {}) }, 'scan started');
    return { state: 'started', scanId: record.scanId };
  } catch (error) {
    // No build of this scan runs on Lambda compute: its slot is free for the next scan (a retry claims one again). Once
    // StartBuild gave a build id the build runs whatever failed after (a throttled record update): its slot stays held
    // until the build ends or the lease runs out, and a retried start re-claims the same slot and gets the same build.
    if (counted && compute !== 'ec2Fallback' && buildId === undefined) await releaseLambdaSlot(rt, record, log);
    if (error instanceof ScanCapacityError) {
      // Queued as it came: a retry decides again where it starts (a slot may be free by then).
      const attempts = unsuccessfulAttempts(record) + 1;
      const retryAt = rt.clock.now().getTime() + retryDelayMs(attempts, rt.random(), rt.config.retryBackoff);
      await rt.store.updateScan(record.digest, expected, { state: 'queued', attempts, retryAt: iso(retryAt), buildId: '' });
      rt.metrics.count('ScansQueued');
      scanLog.warn({ attempts, retryAt: iso(retryAt), reason: error.message }, 'CodeBuild refused the scan for capacity; queued for retry');
      return { state: 'queued', scanId: record.scanId };
    }
    if (isNonRetryable(classifyFailure(error))) {
      // The adapter refused the request itself, or CodeBuild refused it for good (access denied, no such project):
      // retrying cannot help, so the scan is an error (onScanError decides) that backs off like any other.
      const message = `the scan could not be requested: ${describeError(error).message}`;
      await rt.store.updateScan(record.digest, expected, scanFailure(rt, record, message));
      scanLog.error({ err: error }, 'scan request refused');
      const failed = await rt.store.getScan(record.digest);
      return { state: 'error', record: failed ?? { ...record, state: 'error', error: message } };
    }
    throw error;
  }
}

/** Milliseconds a verdict from this scan key stays valid: tag references are re-checked far sooner than digests. */
export function verdictLifetimeMs(rt: GateRuntime, key: string): number {
  return isReferenceScanKey(key) ? referenceVerdictLifetimeMinutes(rt.config) * 60_000 : rt.config.verdictTtlDays * 86_400_000;
}

/** Whether a finished scan is recent enough that its report may stand for the image under another policy. */
export function isReusable(rt: GateRuntime, record: ScanRecord): boolean {
  const startedAt = Date.parse(record.startedAt);
  if (Number.isNaN(startedAt)) return false;
  const age = rt.clock.now().getTime() - startedAt;
  return age < verdictLifetimeMs(rt, record.digest) && (rt.maxScanAgeMs === undefined || age <= rt.maxScanAgeMs);
}

export type ProducedVerdict = { verdict: StoredVerdict; alias?: StoredVerdict } | { error: string };

/**
 * Reads a finished scan's raw report and judges it under the current policy. The build status said whether the
 * scan worked; the report says whether the image passes. A report that is missing, unreadable for good (over the
 * size cap, access denied) or unparsable is a scan error; a failure a retry may fix (throttling, a dropped
 * connection) propagates, so the build event or the sweep tries again.
 *
 * `scannedAt` is when the scan ran (`scanTime`): freshness is counted from the vulnerability data the scan used,
 * not from when it was requested, so a build that waited in CodeBuild's queue is not stale on arrival.
 */
export async function produceVerdict(rt: GateRuntime, record: ScanRecord, log: Logger, endedAt?: string): Promise<ProducedVerdict> {
  const reportKey = reportKeyFor(rt.config.reportPrefix, record.digest, record.scanId);
  const location = rt.reports.locationOf(reportKey);
  let text: string;
  try {
    text = await rt.reports.getReport(reportKey);
  } catch (error) {
    if (error instanceof ReportMissingError) return { error: `the scan finished without a report at ${location}` };
    if (isNonRetryable(classifyFailure(error))) return { error: `the scan report ${location} could not be read: ${describeError(error).message}` };
    throw error;
  }
  // Report parsing and assessment (the findings readers, the engine) are imported when a report is read, so a
  // function's cold start does not parse them (the bundle is split into chunks: infra/function-bundling.ts).
  const { parseScanReportText } = await import('../../core/findings');
  let report;
  try {
    report = parseScanReportText(text, location);
  } catch (error) {
    if (error instanceof InputError) return { error: `the scan report is unusable: ${error.message}` };
    throw error;
  }
  // An SBOM re-judgement stands on the image scan's report beside the SBOM (posture/sbom-report.ts).
  if (record.mode === 'sbom' && record.sbomKey) {
    // Imported here, like the readers above: it imports them statically (a static import of it put them in the entry's chunks).
    const { withBaseReport } = await import('../posture/sbom-report');
    const merged = await withBaseReport(rt, record.sbomKey, report);
    if ('error' in merged) return merged;
    report = merged.report;
  }
  const assessment = await assessWithKev(rt, report);
  const scannedMs = scanTime(report.provenance.scannedAt, record.startedAt, endedAt, rt.clock.now().getTime());
  const verdict: StoredVerdict = {
    digest: record.digest,
    policyHash: rt.policy.hash,
    assessment,
    reportLocation: location,
    scannedAt: iso(scannedMs),
    expiresAt: Math.floor((scannedMs + verdictLifetimeMs(rt, record.digest)) / 1000),
  };
  if (record.buildId) verdict.buildId = record.buildId;

  const reported = report.image.digest;
  if (isSha256Digest(record.digest)) {
    // A multi-architecture index passes: the scanner states the platform manifest as the digest and the index, the
    // digest pulled, among its repo digests. A report that names the scanned digest nowhere is of another image: it
    // judges nothing about this one, so it is a scan error (onScanError decides), never this digest's verdict.
    if (reported && reported !== record.digest && !report.image.repoDigests.some((d) => d.endsWith(`@${record.digest}`))) {
      log.warn({ digest: record.digest, reportedDigest: reported, buildId: record.buildId }, 'the report names another digest than the one scanned: a scan error');
      return { error: `the scan report ${location} is of ${reported}, not of ${record.digest}, the digest scanned` };
    }
    return { verdict };
  }
  // A scan by reference learns the digest from the report: the verdict is kept under it too, for as long as any digest verdict.
  if (isSha256Digest(reported)) {
    return { verdict, alias: { ...verdict, digest: reported, expiresAt: Math.floor((scannedMs + rt.config.verdictTtlDays * 86_400_000) / 1000) } };
  }
  return { verdict };
}

/**
 * When the scan ran, in epoch ms: the report's own time (Trivy `CreatedAt`, Grype `descriptor.timestamp`), else when
 * the build ended (the Build State Change event's time), else now (when the gate learned it ended). Never before the
 * gate started the build nor after now: a report cannot predate its scan, and a clock that runs ahead (or a report
 * that claims the future) must not make a verdict look fresher than it can be.
 */
export function scanTime(reported: string | undefined, startedAt: string, endedAt: string | undefined, nowMs: number): number {
  const lower = Date.parse(startedAt);
  const claimed = [reported, endedAt].map((text) => (text === undefined ? Number.NaN : Date.parse(text))).find((ms) => !Number.isNaN(ms)) ?? nowMs;
  const bounded = Math.min(claimed, nowMs);
  return Number.isNaN(lower) ? bounded : Math.max(bounded, Math.min(lower, nowMs));
}

/**
 * The image's assessment, with the stack's KEV catalogue when the policy asks for KEV listings: the catalogue's
 * listings are added to the report's own (as `evaluate --kev` does). Without a usable catalogue the assessment gets
 * a warning saying so (withKevUnavailable): never a silent pass of knownExploited. A policy without knownExploited,
 * or a stack that keeps no catalogue, reads nothing.
 */
async function assessWithKev(rt: GateRuntime, report: ScanReport) {
  // Imported with the report readers, when a report is read (see produceVerdict): not part of a cold start.
  const [{ assessImage }, { withKevCatalogue }, { policyAsksForKev, withKevUnavailable }] = await Promise.all([
    import('../../core/policy/assess'),
    import('../../core/findings/kev'),
    import('../../core/policy/kev-unavailable'),
  ]);
  if (!rt.kev || !policyAsksForKev(rt.policy.document)) return assessImage(rt.policy, report);
  const lookup = await rt.kev.get();
  if ('unavailable' in lookup) return withKevUnavailable(assessImage(rt.policy, report), lookup.unavailable);
  return assessImage(rt.policy, withKevCatalogue(report, lookup.catalogue));
}

/** A verdict for the current policy from a finished scan's stored report, without scanning again; undefined when the report cannot serve. */
export async function verdictFromFinishedScan(rt: GateRuntime, record: ScanRecord, log: Logger): Promise<StoredVerdict | undefined> {
  const produced = await produceVerdict(rt, record, log);
  if ('error' in produced) {
    log.warn({ digest: record.digest, scanId: record.scanId, reason: produced.error }, 'finished scan cannot be re-evaluated; rescanning');
    return undefined;
  }
  try {
    await rt.store.putVerdict(produced.verdict);
    if (produced.alias) await rt.store.putVerdict(produced.alias);
  } catch (error) {
    const failure = classifyFailure(error);
    if (!isNonRetryable(failure)) throw error;
    // The verdict is right, only not storable (too large for one item, a refusal): it judges this task all the same.
    rt.metrics.count('GateErrors', 1, { failure });
    log.error({ err: error, digest: record.digest, scanId: record.scanId }, 'verdict re-evaluated from the stored report could not be stored; used for this decision only');
    return produced.verdict;
  }
  rt.metrics.count('VerdictsReevaluated');
  log.info({ digest: record.digest, scanId: record.scanId }, 'verdict re-evaluated from the stored report under the current policy');
  return produced.verdict;
}
