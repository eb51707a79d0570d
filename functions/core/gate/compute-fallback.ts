import type { BuildStatus } from '../ports';

/**
 * Where a scan build runs: the stack's scan project (`scanProject`, absent on older records), or its EC2 fallback
 * project (`ec2Fallback`), which exists only when the scan project runs on CodeBuild Lambda compute.
 */
export type ScanCompute = 'scanProject' | 'ec2Fallback';

/** CodeBuild's build phases (BuildPhase.phaseType, CodeBuild API Reference). A name this code does not know is kept as is. */
export type BuildPhaseType = string;

/**
 * The phases in which a scan can outgrow Lambda compute. BUILD pulls the image's layers into `/tmp` and scans them
 * (buildspecs/inline-scan.yml): running out of `/tmp` space or memory fails it. UPLOAD_ARTIFACTS is where CodeBuild
 * uploads the test report to the report group: a refusal there on Lambda compute (not documented either way,
 * docs/deploy.md) is also something EC2 compute does not share. A failure in INSTALL or PRE_BUILD (the Trivy download,
 * its checksum, a stale vulnerability DB) would fail on EC2 compute the same way: no fallback for those.
 */
const PHASES_LAMBDA_COMPUTE_CAN_FAIL: readonly BuildPhaseType[] = ['BUILD', 'UPLOAD_ARTIFACTS'];

/** How a scan build ended, as the fallback decision needs it. */
export interface EndedBuild {
  status: Exclude<BuildStatus, 'IN_PROGRESS'>;
  /** The first phase whose status is not SUCCEEDED, when the event or BatchGetBuilds says. */
  failedPhase?: BuildPhaseType;
}

/**
 * Why a scan that ended this way on Lambda compute gets one more try on EC2 compute, or undefined when it does not:
 * - TIMED_OUT: Lambda compute builds end at 15 minutes, a limit no setting raises ("Limitations of AWS Lambda compute",
 *   https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations); EC2 builds take the
 *   fallback project's own timeout;
 * - FAILED or FAULT in a phase where the image's size shows (`PHASES_LAMBDA_COMPUTE_CAN_FAIL`): out of `/tmp` space or
 *   memory. A failure in another phase, or one whose phase is not known, stays a scan error: retrying it on EC2 would
 *   only double its cost.
 * SUCCEEDED and STOPPED (someone stopped it) never fall back; nor does a scan already on EC2 compute, nor one on a
 * stack without a fallback project (its scan project is on EC2 already).
 */
export function computeFallbackReason(build: EndedBuild, compute: ScanCompute | undefined, fallbackAvailable: boolean): string | undefined {
  return computeFallback(build, compute, fallbackAvailable)?.reason;
}

/**
 * Why a scan runs on the EC2 fallback project, as the `cause` dimension of the `ScanComputeFallbacks` metric: it timed
 * out on Lambda compute, it failed there in a phase where the image's size shows, or (compute-routing.ts) its image was
 * known to be too large before it started, so it never ran on Lambda compute.
 */
export type ScanComputeFallbackCause = 'timed-out' | 'failed-phase' | 'size';

/** `computeFallbackReason` with its cause: undefined when the scan does not fall back. */
export function computeFallback(
  build: EndedBuild,
  compute: ScanCompute | undefined,
  fallbackAvailable: boolean,
): { cause: Exclude<ScanComputeFallbackCause, 'size'>; reason: string } | undefined {
  if (!fallbackAvailable || compute === 'ec2Fallback') return undefined;
  if (build.status === 'TIMED_OUT') return { cause: 'timed-out', reason: 'the scan build timed out on Lambda compute (its builds end at 15 minutes)' };
  if ((build.status === 'FAILED' || build.status === 'FAULT') && build.failedPhase !== undefined && PHASES_LAMBDA_COMPUTE_CAN_FAIL.includes(build.failedPhase)) {
    return {
      cause: 'failed-phase',
      reason: `the scan build ended ${build.status} in its ${build.failedPhase} phase on Lambda compute (out of /tmp space or memory for this image, or a step Lambda compute refuses)`,
    };
  }
  return undefined;
}

/** A CodeBuild phase as the event (`phase-type`, `phase-status`) or BatchGetBuilds (`phaseType`, `phaseStatus`) gives it. */
export interface PhaseReading {
  type?: string;
  status?: string;
}

/**
 * The first phase that did not succeed: the phase the build failed in. Phases without a status (the final COMPLETED
 * entry) and entries that do not read are skipped; undefined when no phase says it failed.
 */
export function failedPhaseOf(phases: readonly PhaseReading[]): BuildPhaseType | undefined {
  for (const phase of phases) {
    if (typeof phase.type !== 'string' || typeof phase.status !== 'string' || phase.type === '' || phase.status === '') continue;
    if (phase.status !== 'SUCCEEDED') return phase.type;
  }
  return undefined;
}
