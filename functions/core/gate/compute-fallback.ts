import type { BuildStatus } from '../ports';
import type { LambdaOverflowCause } from './lambda-overflow';

/**
 * Where a scan build runs: the stack's scan project (`scanProject`, absent on older records), or its EC2 fallback
 * project (`ec2Fallback`), which exists only when the scan project runs on CodeBuild Lambda compute.
 */
export type ScanCompute = 'scanProject' | 'ec2Fallback';

/** CodeBuild's build phases (BuildPhase.phaseType, CodeBuild API Reference). A name this code does not know is kept as is. */
export type BuildPhaseType = string;

/**
 * The exit status the scan step of buildspecs/inline-scan.yml (BUILD phase, first command) reserves for "the scan
 * outgrew this build's compute": a Trivy run killed by a signal (128+N; the kernel's OOM killer sends SIGKILL, 137),
 * one that wrote "no space left on device", or one that hit its own `--timeout` ("context deadline exceeded"). Every
 * other failure of that step keeps its own status. 75 is EX_TEMPFAIL of sysexits.h ("temporary failure, retry"); no
 * tool the step runs exits 75 of its own (the AWS CLI's return codes are 0, 1, 2, 130, 252-255:
 * https://docs.aws.amazon.com/cli/latest/topic/return-codes.html; the step maps a Trivy 75 without such a cause to 1).
 */
export const SCAN_OUTGREW_COMPUTE_EXIT_STATUS = 75;

/**
 * The phase where CodeBuild uploads the test report to the report group: a refusal there on Lambda compute (not
 * documented either way, docs/deploy.md) is something EC2 compute does not share, whatever its cause.
 */
const REPORT_UPLOAD_PHASE: BuildPhaseType = 'UPLOAD_ARTIFACTS';
/** The phase of the scan step, whose exit status tells whether the scan outgrew Lambda compute. */
const SCAN_PHASE: BuildPhaseType = 'BUILD';

/** How a scan build ended, as the fallback decision needs it. */
export interface EndedBuild {
  status: Exclude<BuildStatus, 'IN_PROGRESS'>;
  /** The first phase whose status is not SUCCEEDED, when the event or BatchGetBuilds says. */
  failedPhase?: BuildPhaseType;
  /** The exit status of the command that failed that phase, from its phase context (`exitStatusOfFailedPhase`). */
  failedPhaseExitStatus?: number;
}

/**
 * Why a scan that ended this way on Lambda compute gets one more try on EC2 compute, or undefined when it does not:
 * - TIMED_OUT: Lambda compute builds end at 15 minutes, a limit no setting raises ("Limitations of AWS Lambda compute",
 *   https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations); EC2 builds take the
 *   fallback project's own timeout;
 * - FAILED or FAULT in BUILD whose failing command exited `SCAN_OUTGREW_COMPUTE_EXIT_STATUS`: the scan step says Trivy
 *   ran out of memory, `/tmp` space or time. Any other BUILD failure (a missing image, a refused pull, a registry's
 *   429, a report over the size limit, a crash on a hostile image) or one whose exit status is not known fails on EC2
 *   the same way: it stays a scan error, since a retry would only double its cost and keep its waiters waiting;
 * - FAILED or FAULT in UPLOAD_ARTIFACTS (`REPORT_UPLOAD_PHASE`).
 * A failure in another phase (INSTALL, PRE_BUILD: the Trivy download, its checksum, a stale DB) stays a scan error.
 * SUCCEEDED and STOPPED (someone stopped it) never fall back; nor does a scan already on EC2 compute, nor one on a
 * stack without a fallback project (its scan project is on EC2 already).
 */
export function computeFallbackReason(build: EndedBuild, compute: ScanCompute | undefined, fallbackAvailable: boolean): string | undefined {
  return computeFallback(build, compute, fallbackAvailable)?.reason;
}

/**
 * Why a scan runs on the EC2 fallback project, as the `cause` dimension of the `ScanComputeFallbacks` metric: it timed
 * out on Lambda compute, it failed there in a phase where the image's size shows, or (compute-routing.ts) its image was
 * known to be too large before it started, so it never ran on Lambda compute, or (lambda-overflow.ts) Lambda compute
 * was full when it started (`lambda-full`, `lambda-refused`).
 */
export type ScanComputeFallbackCause = 'timed-out' | 'failed-phase' | 'size' | LambdaOverflowCause;

/** `computeFallbackReason` with its cause: undefined when the scan does not fall back. */
export function computeFallback(
  build: EndedBuild,
  compute: ScanCompute | undefined,
  fallbackAvailable: boolean,
): { cause: Extract<ScanComputeFallbackCause, 'timed-out' | 'failed-phase'>; reason: string } | undefined {
  if (!fallbackAvailable || compute === 'ec2Fallback') return undefined;
  if (build.status === 'TIMED_OUT') return { cause: 'timed-out', reason: 'the scan build timed out on Lambda compute (its builds end at 15 minutes)' };
  if (build.status !== 'FAILED' && build.status !== 'FAULT') return undefined;
  if (build.failedPhase === SCAN_PHASE && build.failedPhaseExitStatus === SCAN_OUTGREW_COMPUTE_EXIT_STATUS) {
    return {
      cause: 'failed-phase',
      reason: `the scan build ended ${build.status} in its ${SCAN_PHASE} phase on Lambda compute with exit status ${SCAN_OUTGREW_COMPUTE_EXIT_STATUS} (Trivy ran out of memory, /tmp space or time for this image)`,
    };
  }
  if (build.failedPhase === REPORT_UPLOAD_PHASE) {
    return { cause: 'failed-phase', reason: `the scan build ended ${build.status} in its ${REPORT_UPLOAD_PHASE} phase on Lambda compute (a step Lambda compute refuses)` };
  }
  return undefined;
}

/**
 * A phase context as CodeBuild gives it. BatchGetBuilds: `BuildPhase.contexts[]` of `{ statusCode, message }`
 * (API_PhaseContext: "This might include a command ID and an exit code"). The Build State Change event:
 * `additional-information.phases[].phase-context`, an array of strings "<statusCode>: <message>" (": " for a phase that
 * succeeded), e.g. "COMMAND_EXECUTION_ERROR: Error while executing command: mvn package. Reason: exit status 1" (a real
 * event, code corpus id 40355135610; the same text in a build log, awslabs/aws-deployment-framework#471) — the event
 * reader splits it at the first ": " (`phaseContextOfEventString`).
 */
export interface PhaseContextReading {
  statusCode?: string;
  message?: string;
}

/** The status code CodeBuild gives a phase failed by a buildspec command's non-zero exit. */
const COMMAND_EXECUTION_ERROR = 'COMMAND_EXECUTION_ERROR';
/**
 * CodeBuild ends the message with the status, after the command's text: "Error while executing command: <the
 * command as the buildspec writes it>. Reason: exit status N". Only that end is read: the command's text comes
 * first and may hold anything (a multi-line script, its comments), so a status written inside it (an image name
 * holding "exit status 75") never counts. ASCII digits, no leading zero, at most 255; nothing after it but ASCII
 * white space. The tail alone is searched, so a huge message costs no more than a short one.
 */
const EXIT_STATUS_AT_END = /Reason: exit status (0|[1-9][0-9]{0,2})[ \t\r\n]*$/;
const TAIL_CHARS = 64;

/** The exit status one phase context reports, or undefined when it reports none (or is not a command's failure). */
export function exitStatusOfPhaseContext(context: PhaseContextReading): number | undefined {
  if (context.statusCode !== undefined && context.statusCode !== COMMAND_EXECUTION_ERROR) return undefined;
  if (typeof context.message !== 'string') return undefined;
  const match = EXIT_STATUS_AT_END.exec(context.message.slice(-TAIL_CHARS));
  if (!match) return undefined;
  const status = Number(match[1]);
  return status <= 255 ? status : undefined;
}

/** An event's phase-context string ("<statusCode>: <message>") as a `PhaseContextReading`. */
export function phaseContextOfEventString(text: string): PhaseContextReading {
  const colon = text.indexOf(': ');
  return colon < 0 ? { message: text } : { statusCode: text.slice(0, colon), message: text.slice(colon + 2) };
}

/**
 * The exit status of the command that failed the build's first failed phase (`failedPhaseOf`), from that phase's
 * contexts; undefined when none reports one, or when its contexts disagree (then nothing is known for sure).
 */
export function exitStatusOfFailedPhase(phases: readonly PhaseReading[]): number | undefined {
  const failed = firstFailedPhase(phases);
  if (!failed) return undefined;
  const statuses = new Set<number>();
  for (const context of failed.contexts ?? []) {
    const status = exitStatusOfPhaseContext(context);
    if (status !== undefined) statuses.add(status);
  }
  return statuses.size === 1 ? [...statuses][0] : undefined;
}

/** A CodeBuild phase as the event (`phase-type`, `phase-status`) or BatchGetBuilds (`phaseType`, `phaseStatus`) gives it. */
export interface PhaseReading {
  type?: string;
  status?: string;
  /** The phase's contexts (`exitStatusOfFailedPhase` reads the failed phase's). */
  contexts?: readonly PhaseContextReading[];
}

/**
 * The first phase that did not succeed: the phase the build failed in. Phases without a status (the final COMPLETED
 * entry) and entries that do not read are skipped; undefined when no phase says it failed.
 */
export function failedPhaseOf(phases: readonly PhaseReading[]): BuildPhaseType | undefined {
  return firstFailedPhase(phases)?.type;
}

function firstFailedPhase(phases: readonly PhaseReading[]): (PhaseReading & { type: string }) | undefined {
  for (const phase of phases) {
    if (typeof phase.type !== 'string' || typeof phase.status !== 'string' || phase.type === '' || phase.status === '') continue;
    if (phase.status !== 'SUCCEEDED') return phase as PhaseReading & { type: string };
  }
  return undefined;
}
