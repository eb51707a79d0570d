import { createHash } from 'node:crypto';
import { parseScanReportText } from '../functions/core/findings';
import { reportKeyFor } from '../functions/core/gate/images';
import { assessImage, type LoadedPolicy, type Policy } from '../functions/core/policy';
import { loadPolicy } from '../functions/core/policy/load';
import type { FindingEvent } from '../functions/core/posture/findings';
import { rejudgeBudget } from '../functions/core/posture/rejudge';
import { sbomKeyFor } from '../functions/core/posture/sbom';
import { ReportMissingError, type BuildStatus, type ScanRequest, type ScannerPort } from '../functions/core/ports';
import { handleBuildFinished } from '../functions/handlers/scans/completion';
import { silentLogger } from '../functions/handlers/logger';
import { handleInspectorFinding } from '../functions/handlers/posture/inspector';
import { DEFAULT_RESCAN_INTERVAL_MS, rejudgeDigestsInUse } from '../functions/handlers/posture/rejudge';
import { buildRuntime } from '../functions/handlers/runtime';
import { MemoryInventoryStore } from '../functions/local/memory-inventory';
import { MemoryGateStore } from '../functions/local/memory-store';
import { RecordingMetrics } from '../functions/local/notifier';
import { seededRandom } from '../functions/local/random';

/**
 * Part F: re-judgement of what runs (issue 12), on a seeded simulated fleet over several simulated days. Digests in use
 * and retired digests (verdicts, no tasks) share one store; some digests in use gain a critical CVE in the scanner's
 * data on a later day. The posture sweep runs every `sweepMinutes`; its scans (SBOM or image) finish `buildMinutes`
 * later through the gate's own completion path. Figures: re-judgement scans per simulated day (SBOM and image apart),
 * scans of digests not in use (target 0: some tasks stop mid-run, and each stop brings an Amazon Inspector finding
 * naming the digest that left use and a retired one), the most scans of one digest within one rescan interval (target ≤ 1 plus
 * the scan that found its drift), and the simulated time from new vulnerability data to its drift notification.
 */
export interface PostureBenchOptions {
  seed: string;
  days: number;
  digestsInUse: number;
  digestsNotInUse: number;
  /** Share of the digests in use whose data gains a critical CVE during the run. */
  driftShare: number;
  sweepMinutes: number;
  buildMinutes: number;
  /** The scan project's concurrent builds (the budget per run is derived from it). */
  concurrentBuilds: number;
  /** Every n-th digest in use that does not drift stops mid-run (its task's STOPPED), followed by an Inspector finding about it. */
  stopEvery: number;
}

export const DEFAULT_POSTURE_BENCH: PostureBenchOptions = {
  seed: 'posture-2026-12',
  days: 7,
  digestsInUse: 120,
  digestsNotInUse: 300,
  driftShare: 0.25,
  sweepMinutes: 5,
  buildMinutes: 2,
  concurrentBuilds: 4,
  stopEvery: 6,
};

export interface PostureFigures {
  rescansPerDay: number;
  sbomRejudgementsPerDay: number;
  imageRescansPerDay: number;
  /** Scans started for a digest while it was not in use (never used, or after its last task stopped). */
  rescansOfDigestsNotInUse: number;
  /** Digests whose last task stopped during the run. */
  digestsLeftUse: number;
  /** Inspector findings sent about digests not in use (one that just left use and one never in use, per stop). */
  inspectorFindingsNotInUse: number;
  maxRescansPerDigestPerInterval: number;
  /** Median (p50) and worst simulated seconds from new data to the opened finding event of its drift. */
  newDataToNotificationS: number;
  newDataToNotificationMaxS: number;
  driftsNotified: number;
  driftsSeeded: number;
  budgetPerRun: number;
}

const REGISTRY = '111122223333.dkr.ecr.eu-west-1.amazonaws.com';
const MINUTE = 60_000;
const DAY = 86_400_000;

/** An active "Inspector2 Finding" event naming the digests (the shape of shared/conformance/events/inspector2-finding-ecr-image-awsdocs.json). */
function inspectorFinding(digests: string[]) {
  return {
    source: 'aws.inspector2',
    'detail-type': 'Inspector2 Finding',
    detail: { status: 'ACTIVE', findingArn: 'arn:aws:inspector2:eu-west-1:111122223333:finding/bench', resources: digests.map((imageHash) => ({ type: 'AWS_ECR_CONTAINER_IMAGE', details: { awsEcrContainerImage: { imageHash } } })) },
  };
}

function digestOf(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

function trivyJson(reference: string, digest: string | undefined, critical: number, createdAt: string, sbom = false): string {
  const vulnerabilities = Array.from({ length: critical }, (_, i) => ({
    VulnerabilityID: `CVE-2026-${9000 + i}`,
    PkgName: 'openssl',
    InstalledVersion: '3.0.1-r0',
    FixedVersion: '3.0.2-r0',
    Status: 'fixed',
    Severity: 'CRITICAL',
  }));
  const results = [{ Target: 'os', Class: 'os-pkgs', Type: 'alpine', Vulnerabilities: vulnerabilities }];
  if (sbom) return JSON.stringify({ SchemaVersion: 2, CreatedAt: createdAt, ArtifactName: 'sbom.cdx.json', ArtifactType: 'cyclonedx', Metadata: {}, Results: results });
  return JSON.stringify({
    SchemaVersion: 2,
    CreatedAt: createdAt,
    ArtifactName: reference,
    ArtifactType: 'container_image',
    Metadata: { OS: { Family: 'alpine', Name: '3.20.3' }, RepoDigests: digest ? [`${reference.replace(/@.*$/, '')}@${digest}`] : [], ImageConfig: { config: { User: '1000' } } },
    Results: results,
  });
}

export async function measurePosture(options: PostureBenchOptions = DEFAULT_POSTURE_BENCH): Promise<PostureFigures> {
  const random = seededRandom(options.seed);
  let nowMs = Date.parse('2026-12-01T00:00:00Z');
  const clock = { now: () => new Date(nowMs) };
  const policy: LoadedPolicy<Policy> = loadPolicy(
    { schemaVersion: '1', name: 'bench', mode: 'enforce', onScanError: 'deny', rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } } }, drift: { grace: { critical: '3d' } } },
    'bench policy',
  );
  const store = new MemoryGateStore(clock);
  const reports = new Map<string, string>();
  const inventory = new MemoryInventoryStore(clock);
  const published: FindingEvent[] = [];
  const inUse = new Set<string>();
  /** Digests in use whose task stops mid-run: when, and which task. */
  const stops = new Map<string, { at: number; taskArn: string }>();
  const leftUseAt = new Map<string, number>();
  const retired: string[] = [];
  let inspectorFindingsNotInUse = 0;
  /** When the scanner's data gives the digest a critical CVE (epoch ms), for the digests that drift. */
  const newDataAt = new Map<string, number>();
  const scansByDigest = new Map<string, { at: number; mode: string }[]>();
  const pending: { buildId: string; request: ScanRequest; endsAt: number }[] = [];
  const statuses = new Map<string, BuildStatus>();
  let builds = 0;
  let ids = 0;

  const criticalAt = (digest: string, at: number) => ((newDataAt.get(digest) ?? Number.POSITIVE_INFINITY) <= at ? 1 : 0);
  const scanner: ScannerPort = {
    async startScan(request) {
      const buildId = `fargate-gate-scan:${++builds}`;
      pending.push({ buildId, request, endsAt: nowMs + options.buildMinutes * MINUTE });
      statuses.set(buildId, 'IN_PROGRESS');
      scansByDigest.set(request.digest, [...(scansByDigest.get(request.digest) ?? []), { at: nowMs, mode: request.mode ?? 'image' }]);
      return { buildId };
    },
    async getBuildStatuses(buildIds) {
      return buildIds.flatMap((buildId) => (statuses.has(buildId) ? [{ buildId, status: statuses.get(buildId) as BuildStatus }] : []));
    },
  };
  const rt = buildRuntime({
    store,
    scanner,
    reports: {
      async getReport(key) {
        const text = reports.get(key);
        if (text === undefined) throw new ReportMissingError(`no object ${key}`);
        return text;
      },
      locationOf: (key) => `s3://bench-reports/${key}`,
    },
    policy,
    clock,
    metrics: new RecordingMetrics(() => false),
    notifier: { publishVerdict: async () => undefined },
    // Ports the posture sweep never reaches on this fleet (no task is launched): any call is a bench bug.
    ecs: new Proxy({}, { get: () => () => Promise.reject(new Error('the posture bench makes no ECS call')) }) as never,
    taskDefinitions: { get: () => Promise.reject(new Error('no task definitions in the posture bench')) },
    registry: { resolveDigest: () => Promise.reject(new Error('no registry in the posture bench')) },
    inventory,
    findingEvents: { publishFinding: async (event) => void published.push(event) },
    newId: () => `scan-${String(++ids).padStart(6, '0')}`,
    random,
  });
  const log = silentLogger();

  // The fleet: every digest was scanned (and its SBOM kept) within the last interval; only the first ones run.
  const total = options.digestsInUse + options.digestsNotInUse;
  for (let i = 0; i < total; i += 1) {
    const digest = digestOf(`${options.seed} image ${i}`);
    const reference = `${REGISTRY}/team-${i % 7}/app-${i}@${digest}`;
    const scanId = `initial-${i}`;
    const scannedMs = nowMs - Math.floor(random() * DAY);
    const reportKey = reportKeyFor(rt.config.reportPrefix, digest, scanId);
    const text = trivyJson(reference, digest, 0, new Date(scannedMs).toISOString());
    reports.set(reportKey, text);
    await store.claimScan({ digest, imageReference: reference, scanId, state: 'queued', attempts: 0, startedAt: new Date(scannedMs).toISOString(), deadline: new Date(nowMs).toISOString() });
    await store.updateScan(digest, { state: 'queued', scanId }, { state: 'done', sbomKey: sbomKeyFor(reportKey) });
    await store.putVerdict({
      digest,
      policyHash: policy.hash,
      assessment: assessImage(policy, parseScanReportText(text, reportKey)),
      scannedAt: new Date(scannedMs).toISOString(),
      expiresAt: Math.floor(scannedMs / 1000) + 30 * 86_400,
    });
    if (i >= options.digestsInUse) retired.push(digest);
    if (i < options.digestsInUse) {
      inUse.add(digest);
      const at = new Date(nowMs - 40 * DAY).toISOString();
      const taskArn = `arn:aws:ecs:eu-west-1:111122223333:task/prod/${createHash('md5').update(digest).digest('hex')}`;
      await inventory.recordUse({
        digest,
        taskArn,
        cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod',
        account: '111122223333',
        region: 'eu-west-1',
        service: `app-${i}`,
        taskDefinitionArn: `arn:aws:ecs:eu-west-1:111122223333:task-definition/app-${i}:1`,
        containers: [{ name: 'app', image: reference }],
        firstSeenAt: at,
        lastSeenAt: at,
        source: 'taskEvent',
      });
      if (random() < options.driftShare) newDataAt.set(digest, nowMs + DAY + Math.floor(random() * (options.days - 2) * DAY));
      // Deterministic (no draw from the seeded sequence): spread over the run's days, never a digest that drifts.
      else if (i % options.stopEvery === 0) stops.set(digest, { at: nowMs + DAY / 2 + (i % Math.max(1, options.days - 1)) * DAY, taskArn });
    }
  }

  const budget = rejudgeBudget(options.concurrentBuilds, { sweepMinutes: options.sweepMinutes, buildMinutes: options.buildMinutes });
  const settings = { rescanIntervalMs: DEFAULT_RESCAN_INTERVAL_MS, maxScansPerRun: budget, maxReevaluationsPerRun: budget * 10 };
  const endMs = nowMs + options.days * DAY;
  while (nowMs < endMs) {
    // Builds that ended since the last sweep: their report (the scanner's data as of now), then the gate's completion path.
    for (const build of pending.filter((b) => b.endsAt <= nowMs)) {
      pending.splice(pending.indexOf(build), 1);
      const { request } = build;
      reports.set(request.reportKey, trivyJson(request.imageReference, request.digest, criticalAt(request.digest, build.endsAt), new Date(build.endsAt).toISOString(), request.mode === 'sbom'));
      reports.set(sbomKeyFor(request.reportKey), '{"bomFormat":"CycloneDX"}');
      statuses.set(build.buildId, 'SUCCEEDED');
      await handleBuildFinished(rt, { buildId: build.buildId, status: 'SUCCEEDED', environment: { IMAGE_DIGEST: request.digest, SCAN_ID: request.scanId } }, log);
    }
    // Tasks that stop now: the digest leaves use, and Inspector then reports a finding about it and a retired digest.
    for (const [digest, stop] of stops) {
      if (stop.at > nowMs || leftUseAt.has(digest)) continue;
      await inventory.closeTask(stop.taskArn, new Date(nowMs).toISOString());
      leftUseAt.set(digest, nowMs);
      const other = retired[leftUseAt.size % retired.length];
      await handleInspectorFinding(rt, inspectorFinding([digest, other]), log);
      inspectorFindingsNotInUse += 2;
    }
    await rejudgeDigestsInUse(rt, settings, log);
    nowMs += options.sweepMinutes * MINUTE;
  }

  const rejudgements = [...scansByDigest.values()].flat();
  const delays = [...newDataAt].flatMap(([digest, at]) => {
    const event = published.find((e) => e.digest === digest && e.state === 'opened' && e.drift);
    return event ? [(Date.parse(event.at) - at) / 1000] : [];
  });
  delays.sort((a, b) => a - b);
  let maxPerInterval = 0;
  for (const scans of scansByDigest.values()) {
    for (const scan of scans) {
      const within = scans.filter((other) => other.at >= scan.at && other.at < scan.at + DEFAULT_RESCAN_INTERVAL_MS).length;
      maxPerInterval = Math.max(maxPerInterval, within);
    }
  }
  const perDay = (n: number) => Math.round((n / options.days) * 10) / 10;
  return {
    rescansPerDay: perDay(rejudgements.length),
    sbomRejudgementsPerDay: perDay(rejudgements.filter((s) => s.mode === 'sbom').length),
    imageRescansPerDay: perDay(rejudgements.filter((s) => s.mode !== 'sbom').length),
    rescansOfDigestsNotInUse: [...scansByDigest].reduce((sum, [digest, scans]) => sum + scans.filter((scan) => !inUse.has(digest) || scan.at >= (leftUseAt.get(digest) ?? Number.POSITIVE_INFINITY)).length, 0),
    digestsLeftUse: leftUseAt.size,
    inspectorFindingsNotInUse,
    maxRescansPerDigestPerInterval: maxPerInterval,
    newDataToNotificationS: delays.length > 0 ? Math.round(delays[Math.floor((delays.length - 1) / 2)]) : 0,
    newDataToNotificationMaxS: delays.length > 0 ? Math.round(delays[delays.length - 1]) : 0,
    driftsNotified: delays.length,
    driftsSeeded: newDataAt.size,
    budgetPerRun: budget,
  };
}

if (require.main === module) {
  measurePosture().then(
    (figures) => process.stdout.write(`${JSON.stringify(figures)}\n`),
    (error: unknown) => {
      process.stderr.write(`posture bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
