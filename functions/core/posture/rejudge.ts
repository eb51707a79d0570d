import type { ScanMode } from '../ports';

/**
 * Which digests in use are due for re-judgement, and how (pure). A digest's verdict older than `rescanIntervalMs` is
 * due; the oldest go first and at most `budget` per run, so a fleet's re-judgements spread over the interval instead
 * of landing together, and CodeBuild keeps room for launch-time scans.
 */
export interface RejudgeCandidate {
  digest: string;
  /** ISO-8601 of the current verdict's scan; absent when there is none under the current policy. */
  scannedAt?: string;
  /** ISO-8601 of an Inspector finding's request to re-judge (the scan record's `rejudgeRequestedAt`). */
  requestedAt?: string;
}

export interface RejudgePlan {
  /** Requested by an Inspector finding first (earliest request first), then due, oldest verdict first; within the budget. */
  now: string[];
  /** Due but over this run's budget: the next runs take them. */
  deferred: number;
}

export function planRejudgements(candidates: readonly RejudgeCandidate[], nowMs: number, rescanIntervalMs: number, budget: number): RejudgePlan {
  const due = candidates
    .flatMap((candidate) => {
      const scanned = candidate.scannedAt === undefined ? Number.NaN : Date.parse(candidate.scannedAt);
      // A verdict without a readable scan time counts as the oldest: it cannot show it is fresh.
      const age = Number.isNaN(scanned) ? Number.POSITIVE_INFINITY : nowMs - scanned;
      // A request the current verdict already answers (scanned after it) is spent.
      const requested = candidate.requestedAt === undefined ? Number.NaN : Date.parse(candidate.requestedAt);
      const request = !Number.isNaN(requested) && (Number.isNaN(scanned) || requested > scanned) ? requested : undefined;
      return request !== undefined || age >= rescanIntervalMs ? [{ digest: candidate.digest, age, request }] : [];
    })
    .sort((a, b) => rank(a.request) - rank(b.request) || b.age - a.age || a.digest.localeCompare(b.digest));
  const take = Math.max(0, Math.floor(budget));
  return { now: due.slice(0, take).map((entry) => entry.digest), deferred: Math.max(0, due.length - take) };
}

/** Requested digests before the merely due ones, earliest request first. */
const rank = (request: number | undefined) => request ?? Number.POSITIVE_INFINITY;

/**
 * Re-judgements one run may start: a share of the scan project's concurrent builds, at least one. Runs every
 * `sweepMinutes`, each build taking about `buildMinutes`: `share` of the concurrency stays busy on average.
 */
export function rejudgeBudget(concurrentBuilds: number, options: { share?: number; sweepMinutes?: number; buildMinutes?: number } = {}): number {
  const share = options.share ?? 0.5;
  const perRun = concurrentBuilds * share * Math.max(1, (options.sweepMinutes ?? 5) / Math.max(1, options.buildMinutes ?? 2));
  return Math.max(1, Math.floor(perRun));
}

/** What the previous scan of a digest leaves to work with. */
export interface PreviousScan {
  state: 'done' | 'error';
  mode?: ScanMode;
  /** The SBOM kept by the last image scan (or the one the last SBOM scan matched). */
  sbomKey?: string;
  /** Scanner version of the current verdict, as its report states it. */
  verdictScannerVersion?: string;
}

/**
 * SBOM when an SBOM was kept and the scanner is the same version as the one deployed; a full image scan when there is
 * no SBOM, the scanner version changed (a new Trivy may find packages the old one's SBOM lacks), or the last SBOM
 * re-judgement failed (the SBOM may be gone).
 */
export function rejudgeMethod(previous: PreviousScan, deployedScannerVersion: string | undefined): { mode: 'image' } | { mode: 'sbom'; sbomKey: string } {
  if (!previous.sbomKey) return { mode: 'image' };
  if (previous.state === 'error' && previous.mode === 'sbom') return { mode: 'image' };
  if (deployedScannerVersion && previous.verdictScannerVersion && normaliseVersion(previous.verdictScannerVersion) !== normaliseVersion(deployedScannerVersion)) {
    return { mode: 'image' };
  }
  return { mode: 'sbom', sbomKey: previous.sbomKey };
}

const normaliseVersion = (version: string) => version.trim().replace(/^v/, '');
