import { parseImageReference, type ImageReference } from '../image/reference';
import { evaluatePolicy } from '../policy/evaluate';
import type { ExposureFact, LoadedPolicy } from '../policy/input';
import type { Policy } from '../policy/schema';
import type { StoredVerdict } from '../ports';
import type { Decision, EvaluationResult, Violation } from '../result/model';
import { compareText, sortViolations } from '../result/order';
import { SEVERITIES, type Severity } from '../severity';
import type { TaskUse } from './ports';
import { compareExpiring, DEFAULT_EXCEPTION_WINDOW_DAYS, expiringExceptions } from './expiring-exceptions';
import { IN_USE_REPORT_SCHEMA, type DeniedFinding, type ExpiringException, type InUseReport, type InUseRow } from './in-use-report-schema';

export { IN_USE_REPORT_SCHEMA, type InUseReport, type InUseRow } from './in-use-report-schema';

/** Bounds of one report: it is read by people and opened in a browser, so it stays a size both can handle. */
export interface InUseReportLimits {
  /** Images listed; the rest are counted in `truncated` (the least urgent are left out). */
  maxRows: number;
  /** Task ARNs listed per image (`taskCount` is always the whole number). */
  maxTasksPerRow: number;
  /** Denied findings listed per image (`deniedCount` is always the whole number). */
  maxFindingsPerRow: number;
}

export const DEFAULT_IN_USE_REPORT_LIMITS: InUseReportLimits = { maxRows: 2000, maxTasksPerRow: 20, maxFindingsPerRow: 50 };

export { DEFAULT_EXCEPTION_WINDOW_DAYS, expiringExceptions } from './expiring-exceptions';

export interface InUseReportInput {
  /** Open task uses (the inventory); closed ones are ignored. */
  uses: readonly TaskUse[];
  /** The current verdict per digest under `policy` (GateStore.getVerdicts); a digest missing here has none. */
  verdicts: ReadonlyMap<string, StoredVerdict>;
  policy: LoadedPolicy<Policy>;
  now: Date;
  exceptionWindowDays?: number;
  limits?: Partial<InUseReportLimits>;
}

const HOUR_MS = 60 * 60 * 1000;
const DECISION_RANK: Record<Decision, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

/**
 * "What runs now, and is it still fine": one row per image digest in use, judged by the current policy from the stored
 * verdict, with the services and tasks that run it. The decision is the engine's own, taken once per (cluster, service)
 * the digest runs in, since modes and exceptions can be scoped to either; the row shows the worst of them. An image
 * without a verdict is judged as the gate would judge it at launch: a scan error, which the policy's onScanError decides.
 * Rows are ordered most urgent first (decision, then tasks affected), so a cap leaves out the least urgent.
 */
export function buildInUseReport(input: InUseReportInput): InUseReport {
  const limits = { ...DEFAULT_IN_USE_REPORT_LIMITS, ...input.limits };
  const windowDays = input.exceptionWindowDays ?? DEFAULT_EXCEPTION_WINDOW_DAYS;
  const nowMs = input.now.getTime();
  const expiring = expiringExceptions(input.policy, nowMs, windowDays);
  const expiringById = new Map(expiring.map((exception) => [exception.id, exception]));

  const byDigest = new Map<string, TaskUse[]>();
  for (const use of input.uses) {
    if (use.stoppedAt !== undefined) continue;
    const list = byDigest.get(use.digest);
    if (list) list.push(use);
    else byDigest.set(use.digest, [use]);
  }

  const rows = [...byDigest].map(([digest, uses]) => rowOf(digest, uses, input.verdicts.get(digest), input, expiringById, limits));
  rows.sort((a, b) => DECISION_RANK[b.decision] - DECISION_RANK[a.decision] || b.deniedCount - a.deniedCount || b.taskCount - a.taskCount || compareText(a.digest, b.digest));

  const openUses = input.uses.filter((use) => use.stoppedAt === undefined);
  const byDecision = { pass: 0, warn: 0, fail: 0, error: 0 };
  for (const row of rows) byDecision[row.decision] += 1;
  const shown = rows.slice(0, Math.max(0, limits.maxRows));
  return {
    schema: IN_USE_REPORT_SCHEMA,
    generatedAt: input.now.toISOString(),
    policy: { name: input.policy.name, hash: input.policy.hash },
    exceptionWindowDays: windowDays,
    summary: {
      images: rows.length,
      tasks: new Set(openUses.map((use) => use.taskArn)).size,
      services: new Set(openUses.filter((use) => use.service !== undefined).map((use) => `${use.cluster}/${use.service}`)).size,
      byDecision,
    },
    rows: shown,
    ...(shown.length < rows.length ? { truncated: { shown: shown.length, total: rows.length } } : {}),
    expiringExceptions: expiring,
  };
}

function rowOf(
  digest: string,
  uses: TaskUse[],
  verdict: StoredVerdict | undefined,
  input: InUseReportInput,
  expiringById: ReadonlyMap<string, ExpiringException>,
  limits: InUseReportLimits,
): InUseRow {
  const images = distinct(uses.flatMap((use) => use.containers.map((container) => container.image)));
  const references = images.map(referenceOf).filter((ref): ref is ImageReference => ref !== undefined);
  const tasks = distinct(uses.map((use) => use.taskArn));
  const services = distinct(uses.filter((use) => use.service !== undefined).map((use) => `${clusterName(use.cluster)}/${use.service}`));

  // One judgement per place the image runs: exceptions and modes may be scoped to a cluster or a service.
  // The exposure each use recorded (as admission judged it) is part of the place: a public task may be judged stricter.
  const places = new Map<string, Place>();
  for (const use of uses) {
    const key = `${use.cluster}\u0000${use.service ?? ''}\u0000${use.exposure?.value ?? ''}`;
    if (!places.has(key)) places.set(key, { cluster: use.cluster, ...(use.service !== undefined ? { service: use.service } : {}), ...(use.exposure ? { exposure: use.exposure } : {}), container: use.containers[0]?.name });
  }
  const results = [...places.values()].map((place) => judge(digest, references[0], verdict, place, input));
  const worst = results.reduce((a, b) => (DECISION_RANK[b.decision] > DECISION_RANK[a.decision] ? b : a));

  const denied = deniedOf(results);
  const usedExpiring = new Map<string, ExpiringException>();
  for (const result of results) {
    for (const used of result.exceptions.used) {
      const soon = expiringById.get(used.id);
      if (soon) usedExpiring.set(soon.id, soon);
    }
  }
  const ageMs = verdict ? Math.max(0, input.now.getTime() - Date.parse(verdict.scannedAt)) : 0;
  return {
    digest,
    images,
    repositories: distinct(references.map((ref) => `${ref.registry}/${ref.repository}`)),
    decision: worst.decision,
    mode: results.some((result) => result.mode === 'enforce') ? 'enforce' : 'audit',
    accounts: distinct(uses.map((use) => use.account)),
    clusters: distinct(uses.map((use) => clusterName(use.cluster))),
    services,
    serviceCount: services.length,
    tasks: tasks.slice(0, limits.maxTasksPerRow),
    taskCount: tasks.length,
    inUseSince: uses.map((use) => use.firstSeenAt).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a)),
    deniedFindings: denied.slice(0, limits.maxFindingsPerRow),
    deniedCount: denied.length,
    fixableBySeverity: fixableCounts(verdict),
    ...(verdict
      ? {
          verdict: {
            scannedAt: verdict.scannedAt,
            ageHours: Math.round((ageMs / HOUR_MS) * 10) / 10,
            policyHash: verdict.policyHash,
            ...(verdict.reportLocation ? { reportLocation: verdict.reportLocation } : {}),
          },
        }
      : {}),
    errors: distinct(results.flatMap((result) => result.errors.map((error) => error.message))),
    exceptionsExpiringSoon: [...usedExpiring.values()].sort(compareExpiring),
  };
}

/** Where an image runs, as far as the policy's scopes and exposure parts tell places apart. */
interface Place {
  cluster: string;
  service?: string;
  exposure?: ExposureFact;
  container?: string;
}

function judge(
  digest: string,
  image: ImageReference | undefined,
  verdict: StoredVerdict | undefined,
  place: Place,
  input: InUseReportInput,
): EvaluationResult {
  return evaluatePolicy(input.policy, {
    containers: [
      {
        ...(place.container !== undefined ? { name: place.container } : {}),
        ...(image ? { image } : {}),
        digest,
        ...(verdict
          ? { assessment: verdict.assessment }
          : { scanError: `no verdict for ${digest} under policy ${input.policy.name} (${input.policy.hash.slice(0, 12)}): not scanned since the policy changed, or its verdict expired` }),
      },
    ],
    context: { cluster: place.cluster, ...(place.service !== undefined ? { service: place.service } : {}), ...(place.exposure ? { exposure: place.exposure } : {}) },
    now: input.now,
  });
}

/** Denied findings over every place the image runs, once per (rule, id, package), most severe first. */
function deniedOf(results: readonly EvaluationResult[]): DeniedFinding[] {
  const seen = new Map<string, Violation>();
  for (const result of results) {
    for (const violation of result.violations) {
      if (violation.action !== 'deny') continue;
      const key = `${violation.rule}\u0000${violation.id}\u0000${String(violation.details?.package ?? '')}`;
      if (!seen.has(key)) seen.set(key, violation);
    }
  }
  return sortViolations([...seen.values()]).map(findingOf);
}

function findingOf(violation: Violation): DeniedFinding {
  const details = violation.details ?? {};
  const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const pkg = str(details.package);
  const fixedVersion = str(details.fixedVersion);
  const knownExploited = str(details.knownExploited);
  const epss = typeof details.epss === 'number' && details.epss >= 0 && details.epss <= 1 ? details.epss : undefined;
  return {
    rule: violation.rule,
    id: violation.id,
    severity: violation.severity,
    ...(violation.container !== undefined ? { container: violation.container } : {}),
    ...(pkg !== undefined ? { package: pkg } : {}),
    ...(fixedVersion !== undefined ? { fixedVersion } : {}),
    ...(knownExploited !== undefined ? { knownExploited } : {}),
    ...(epss !== undefined ? { epss } : {}),
  };
}

/**
 * Findings the policy's rules matched (deny or warn, before exceptions) that a newer package fixes, by severity: what an
 * image rebuild would remove. The stored verdict keeps the matched findings, not the whole scan, so findings no rule
 * looks at are not counted.
 */
function fixableCounts(verdict: StoredVerdict | undefined): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  if (!verdict) return counts;
  const seen = new Set<string>();
  for (const candidate of verdict.assessment.candidates) {
    if (candidate.kind !== 'vulnerability' || candidate.details?.fixState !== 'fixed') continue;
    const key = `${candidate.id}\u0000${String(candidate.details?.package ?? '')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    counts[candidate.severity] += 1;
  }
  return counts;
}

function referenceOf(image: string): ImageReference | undefined {
  try {
    return parseImageReference(image);
  } catch {
    // The inventory records the reference as ECS reports it; one that does not parse is still listed, just not grouped.
    return undefined;
  }
}

/** `arn:aws:ecs:region:account:cluster/name` → `name`; anything else as given. */
function clusterName(cluster: string): string {
  const slash = cluster.lastIndexOf('/');
  return cluster.startsWith('arn:') && slash >= 0 ? cluster.slice(slash + 1) : cluster;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareText);
}
