/**
 * Environment variables the CDK construct sets on the gate's functions. One list, read by both the
 * construct (infra/) and the Lambda entry points, so the two cannot drift apart.
 */
export const GATE_ENV = {
  tableName: 'GATE_TABLE_NAME',
  reportBucket: 'GATE_REPORT_BUCKET',
  reportPrefix: 'GATE_REPORT_PREFIX',
  scanProjectName: 'GATE_SCAN_PROJECT_NAME',
  /** Optional: the EC2 fallback project of a scan project on Lambda compute (empty or absent: no fallback). */
  fallbackScanProjectName: 'GATE_FALLBACK_SCAN_PROJECT_NAME',
  /** Optional: the scan deadline, in minutes, of a scan on the EC2 fallback project. */
  fallbackScanTimeoutMinutes: 'GATE_FALLBACK_SCAN_TIMEOUT_MINUTES',
  /** Optional: bytes (ECR's compressed size) above which an image's scan starts on the EC2 fallback project (default 2 GiB). */
  ec2AboveImageBytes: 'GATE_EC2_ABOVE_IMAGE_BYTES',
  /** Optional, with the fallback: Lambda-compute scan builds at once before new scans start on the fallback (default 1, AWS's default quota). */
  lambdaComputeConcurrency: 'GATE_LAMBDA_COMPUTE_CONCURRENCY',
  eventBusName: 'GATE_EVENT_BUS_NAME',
  /** Path of the policy JSON inside the function bundle. */
  policyFile: 'GATE_POLICY_FILE',
  /** Comma-separated cluster ARNs in scope; empty means every cluster of the account and region. */
  clusterArns: 'GATE_CLUSTER_ARNS',
  verdictTtlDays: 'GATE_VERDICT_TTL_DAYS',
  scanTimeoutMinutes: 'GATE_SCAN_TIMEOUT_MINUTES',
  /** Optional: minutes between scheduled sweeps (default 60); bounds how long a scan's result can go unnoticed. */
  sweepMinutes: 'GATE_SWEEP_MINUTES',
  /** Optional: hours after which the verdict of a digest in use is re-judged (posture sweep; default 24). */
  rescanIntervalHours: 'GATE_RESCAN_INTERVAL_HOURS',
  /** Optional: days ahead an exception counts as expiring soon, for the sweep's notices and the in-use report alike (default 14). */
  exceptionWindowDays: 'GATE_EXCEPTION_WINDOW_DAYS',
  /** Optional: SBOM or image re-judgements one posture sweep may start (default 3; the construct derives it from the scan concurrency). */
  rejudgeScansPerRun: 'GATE_REJUDGE_SCANS_PER_RUN',
  /** Optional: seconds ECS waits before calling the lifecycle hook again while a scan runs (default 30). */
  hookCallBackDelaySeconds: 'GATE_HOOK_CALLBACK_SECONDS',
  /** Optional: CloudWatch namespace of the gate's EMF metrics (default `FargateGate`). */
  metricsNamespace: 'GATE_METRICS_NAMESPACE',
  /** Optional: largest scanner report read, in bytes (default 64 MiB); the scan build's evaluator gets the same value. */
  maxReportBytes: 'GATE_MAX_REPORT_BYTES',
  /** Key of the KEV catalogue in the reports bucket when the stack keeps one (infra/kev-catalogue.ts); empty otherwise. */
  kevCatalogueKey: 'GATE_KEV_CATALOGUE_KEY',
  logLevel: 'LOG_LEVEL',
  /** Optional: the AWS Organizations id when the gate serves an organisation (docs/organisation.md). */
  organizationId: 'GATE_ORGANIZATION_ID',
  /** The gate's own account (set with organizationId): calls elsewhere go through the member role. */
  accountId: 'GATE_ACCOUNT_ID',
  /** With organizationId: the crossAccountRepositoryArns the gate's own role reads (comma list); their tags resolve without a member role. */
  centralRepositoryArns: 'GATE_CENTRAL_REPOSITORY_ARNS',
} as const;
