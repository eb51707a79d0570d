import { DEFAULT_EXCEPTION_WINDOW_DAYS } from '../core/posture/expiring-exceptions';
import { DEFAULT_SCAN_RETRY_BACKOFF, type BackoffOptions } from '../core/gate/backoff';
import { DEFAULT_MAX_REPORT_BYTES } from '../core/report-size';

/** How the gate runs. Every field has a default; the Lambda entry points fill it from `GATE_ENV`. */
export interface GateConfig {
  /** S3 key prefix the scan builds write raw reports under (the construct's `GATE_REPORT_PREFIX`). */
  reportPrefix: string;
  /** The CodeBuild scan project: Build State Change events of other projects are ignored. */
  scanProjectName?: string;
  /**
   * The EC2 fallback project, when the scan project runs on CodeBuild Lambda compute: a scan that outgrew Lambda compute
   * (core/gate/compute-fallback.ts) is retried there once instead of ending as a scan error. Absent: no fallback.
   */
  fallbackScanProjectName?: string;
  /** The scan deadline on the EC2 fallback project (its queue and build timeouts plus a margin); `scanTimeoutMinutes` when absent. */
  fallbackScanTimeoutMinutes?: number;
  /**
   * With a fallback project: an image whose size the gate knows before scanning (ECR `imageSizeInBytes`, compressed) and
   * that is larger than this starts on the fallback project straight away (core/gate/compute-routing.ts). Absent:
   * `DEFAULT_EC2_ABOVE_IMAGE_BYTES` (2 GiB).
   */
  ec2AboveImageBytes?: number;
  /**
   * With a fallback project: the Lambda-compute scan builds the gate runs at once, which should equal the account's
   * CodeBuild quota for the scan project's Lambda compute type; a new scan past it starts on the fallback project
   * (core/gate/lambda-overflow.ts). Absent: `DEFAULT_LAMBDA_COMPUTE_CONCURRENCY` (1, AWS's default quota).
   */
  lambdaComputeConcurrency?: number;
  /** Cluster ARNs in scope; empty means every cluster of the account and region. */
  clusterArns: string[];
  /**
   * The gate's own account when it serves an organisation (docs/organisation.md): `clusterArns` then holds for its
   * clusters only (members are scoped by their member stacks), and events must come from the account of what they name.
   */
  organisationAccount?: string;
  /** Lifetime of a verdict keyed by digest (DynamoDB TTL): after it the image is scanned again. */
  verdictTtlDays: number;
  /**
   * Lifetime of a verdict keyed by a tag reference (images outside ECR whose digest ECS does not report):
   * short, because the tag can move and only a new scan learns where it points. Never shorter than
   * `referenceVerdictLifetimeMinutes` makes it, so such a verdict is not already expired when it lands.
   */
  referenceVerdictTtlMinutes: number;
  /** A running scan that has not finished this long after it started is a scan error (the sweep checks). */
  scanTimeoutMinutes: number;
  /**
   * Longest time between two sweeps: how late the gate may learn that a build ended when its event was lost. The
   * default is the longest interval the construct accepts; a deployment with a shorter sweep may say so.
   */
  sweepIntervalMinutes: number;
  /**
   * Attempts at finishing one scan that may fail in a row for a reason a retry cannot fix (an AWS refusal, an
   * unusable input) before the sweep gives up and marks the scan an error, so onScanError judges its waiting tasks.
   */
  finishMaxFailures: number;
  /** How long a scan CodeBuild refused for capacity keeps being retried before it is a scan error. */
  queueTimeoutMinutes: number;
  /**
   * Minutes the first scan error of an image stands before the next task that needs it scans it again. Each
   * further failure in a row doubles the wait, up to 6 hours or this value if larger, with up to a quarter of
   * jitter (`scanErrorBackoff` in scans.ts, core/gate/backoff.ts). Short at first because an error may be passing
   * (a registry hiccup); long enough that a burst of launches of a broken image is not a burst of scans.
   */
  scanErrorRetryMinutes: number;
  /** Seconds a start or a retry holds a scan before the sweep may take it over (covers a crash mid-start). */
  startLeaseSeconds: number;
  /** Back-off between StartBuild attempts refused for capacity. */
  retryBackoff: BackoffOptions;
  /** Seconds ECS waits before calling the lifecycle hook again while a scan runs. */
  hookCallBackDelaySeconds: number;
  /** Invocations of one hook that may fail in a row (AWS errors) before the gate stops waiting and onScanError decides. */
  hookMaxFailures: number;
  /**
   * The hook function's timeout, for when the invocation does not say how much time is left (no Lambda context):
   * the hook must answer before it, or ECS sees a failed invocation and rolls the deployment back.
   */
  hookTimeoutSeconds: number;
  /** Time kept back from the hook's deadline to answer, log and flush metrics. */
  hookReserveMilliseconds: number;
  /** Task definitions kept in memory per execution environment (they are immutable per revision). */
  taskDefinitionCacheSize: number;
  /**
   * Largest scanner report read from S3, in bytes (core/report-size.ts): a larger one is a scan error. The construct
   * sets it from `maxReportSize` and gives the scan build's evaluator the same value, so the two never disagree.
   */
  maxReportBytes: number;
  /** Hours after which the verdict of a digest in use is re-judged by the posture sweep (construct `rescanInterval`). */
  rescanIntervalHours: number;
  /** SBOM or image re-judgements one posture sweep may start (`rejudgeBudget` of the scan project's concurrency). */
  rejudgeScansPerRun: number;
  /** Days ahead an exception counts as expiring soon (core/posture/expiring-exceptions.ts): the one window of notices and report. */
  exceptionWindowDays: number;
}

export const DEFAULT_GATE_CONFIG: GateConfig = {
  reportPrefix: 'reports/',
  clusterArns: [],
  verdictTtlDays: 30,
  referenceVerdictTtlMinutes: 60,
  scanTimeoutMinutes: 30,
  sweepIntervalMinutes: 60,
  finishMaxFailures: 3,
  queueTimeoutMinutes: 120,
  scanErrorRetryMinutes: 10,
  startLeaseSeconds: 120,
  retryBackoff: DEFAULT_SCAN_RETRY_BACKOFF,
  hookCallBackDelaySeconds: 30,
  hookMaxFailures: 5,
  hookTimeoutSeconds: 30,
  hookReserveMilliseconds: 3000,
  taskDefinitionCacheSize: 500,
  maxReportBytes: DEFAULT_MAX_REPORT_BYTES,
  rescanIntervalHours: 24,
  // rejudgeBudget(3, { sweepMinutes: 5 }): the construct's default concurrency and sweep interval.
  rejudgeScansPerRun: 3,
  exceptionWindowDays: DEFAULT_EXCEPTION_WINDOW_DAYS,
};

export function resolveConfig(partial: Partial<GateConfig> = {}): GateConfig {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<GateConfig>;
  return { ...DEFAULT_GATE_CONFIG, ...defined, retryBackoff: { ...DEFAULT_GATE_CONFIG.retryBackoff, ...defined.retryBackoff } };
}

/** What a tag-reference verdict must still be worth when it lands, however late: a few launches' worth of use. */
export const REFERENCE_VERDICT_MIN_USE_MINUTES = 10;

/**
 * The lifetime of a verdict keyed by a tag reference. Its clock starts at the scan (the report's own time), and the
 * verdict is stored when the gate learns the build ended: up to the scan deadline plus one sweep later. A lifetime
 * shorter than that would store verdicts already expired, and every task after them would rescan, so the lifetime
 * is the configured TTL or that delay plus a little use, whichever is longer.
 */
export function referenceVerdictLifetimeMinutes(config: Pick<GateConfig, 'referenceVerdictTtlMinutes' | 'scanTimeoutMinutes' | 'sweepIntervalMinutes'>): number {
  return Math.max(config.referenceVerdictTtlMinutes, config.scanTimeoutMinutes + config.sweepIntervalMinutes + REFERENCE_VERDICT_MIN_USE_MINUTES);
}
