import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { MAX_EC2_ABOVE_IMAGE_BYTES, MIN_EC2_ABOVE_IMAGE_BYTES } from '../functions/core/gate/ec2-above-image-bytes';
import { parseLambdaComputeConcurrency } from '../functions/core/gate/lambda-compute-concurrency';
import { parseByteSize } from '../functions/core/report-size';
import type { Decision } from '../functions/core/result/model';
import type { FargateGateProps } from './fargate-gate';
import { ORGANIZATION_ID } from './organisation';
import type { LogLevel } from './settings';

/**
 * The app's settings as CDK context (`cdk deploy -c fargate-gate:clusters=prod,staging`, or `context` in cdk.json).
 * Every key maps to one FargateGate prop; docs/deploy.md lists them. Values given with `-c` arrive as strings, values
 * in cdk.json may be typed: both are accepted. An unknown `fargate-gate:` key is an error, so a typo never silently
 * deploys the default.
 */
export const CONTEXT_PREFIX = 'fargate-gate:';

export interface GateAppSettings {
  stackName: string;
  gate: FargateGateProps;
  /** SNS topic ARN for notifications and alarms (the stack imports it). */
  notificationTopicArn?: string;
  /** Run cdk-nag AwsSolutions checks during synth. */
  nag: boolean;
}

type Reader = (key: string) => unknown;

const KEYS = [
  'stack-name',
  'policy-file',
  'clusters',
  'ecr-repositories',
  'cross-account-repository-arns',
  'trivy-version',
  'trivy-sha256',
  'trivy-download-url',
  'trivy-db-repositories',
  'trivy-java-db-repositories',
  'trivy-checks-bundle-repository',
  'trivy-timeout-minutes',
  'managed-database-mirror',
  'scan-compute',
  'scan-architecture',
  'scan-compute-type',
  'scan-build-timeout-minutes',
  'scan-queued-timeout-minutes',
  'scan-concurrency',
  'scan-ec2-fallback',
  'scan-ec2-above-image-size',
  'scan-lambda-concurrency',
  'prescan-on-push',
  'lifecycle-hook',
  'runtask-hints',
  'inspector-findings',
  'kev-refresh',
  'kev-feed-url',
  'notification-email',
  'notification-topic-arn',
  'notify-decisions',
  'verdict-ttl-days',
  'report-retention-days',
  'log-retention-days',
  'sweep-minutes',
  'rescan-interval-hours',
  'reconcile-minutes',
  'log-level',
  'metrics-namespace',
  'source-maps-at-runtime',
  'hook-callback-seconds',
  'max-report-size',
  'reserved-concurrency',
  'removal-policy',
  'assets-kms-key-arn',
  'in-use-report',
  'in-use-report-hours',
  'in-use-report-exception-window-days',
  'organization-id',
  'nag',
] as const;
export type ContextKey = (typeof KEYS)[number];
export const CONTEXT_KEYS: readonly ContextKey[] = KEYS;

const COMPUTE_TYPES: Record<string, codebuild.ComputeType> = {
  SMALL: codebuild.ComputeType.SMALL,
  MEDIUM: codebuild.ComputeType.MEDIUM,
  LARGE: codebuild.ComputeType.LARGE,
  X_LARGE: codebuild.ComputeType.X_LARGE,
  X2_LARGE: codebuild.ComputeType.X2_LARGE,
};

/** Reads every `fargate-gate:*` key of a construct node's context (the app's, for `cdk` commands). */
export function readGateContext(node: Node): GateAppSettings {
  const all = node.getAllContext() as Record<string, unknown>;
  for (const key of Object.keys(all)) {
    if (key.startsWith(CONTEXT_PREFIX) && !(KEYS as readonly string[]).includes(key.slice(CONTEXT_PREFIX.length))) {
      throw new Error(`unknown context key ${key}; known keys: ${KEYS.map((k) => CONTEXT_PREFIX + k).join(', ')}`);
    }
  }
  return gateSettingsFromContext((key) => all[CONTEXT_PREFIX + key]);
}

export function gateSettingsFromContext(read: Reader): GateAppSettings {
  const get = (key: ContextKey) => read(key);
  const str = (key: ContextKey) => optionalString(get(key), key);
  const list = (key: ContextKey) => optionalList(get(key), key);
  const bool = (key: ContextKey) => optionalBoolean(get(key), key);
  const int = (key: ContextKey, min: number) => optionalInteger(get(key), key, min);
  const days = (key: ContextKey) => {
    const value = int(key, 1);
    return value === undefined ? undefined : Duration.days(value);
  };
  /** A number of bytes (cdk.json) or a size such as "128MiB", read as the CLI reads --max-report-size. */
  const sizeOf = (key: ContextKey): number | undefined => {
    const value = get(key);
    const text = typeof value === 'number' ? String(value) : str(key);
    return text === undefined ? undefined : parseByteSize(text, `${CONTEXT_PREFIX}${key}`);
  };
  /** An image size (bytes or "4GiB"), within the bounds the functions accept, read with the same grammar. */
  const imageSizeOf = (key: ContextKey): number | undefined => {
    const value = get(key);
    const text = typeof value === 'number' ? String(value) : str(key);
    return text === undefined ? undefined : parseByteSize(text, `${CONTEXT_PREFIX}${key}`, { min: MIN_EC2_ABOVE_IMAGE_BYTES, max: MAX_EC2_ABOVE_IMAGE_BYTES });
  };
  /** Lambda-compute builds at once: a whole number from 1 to 1,000 (cdk.json number or `-c` text), checked as the functions check it. */
  const lambdaConcurrencyOf = (key: ContextKey): number | undefined => {
    const value = get(key);
    if (value === undefined || value === null) return undefined;
    return parseLambdaComputeConcurrency(typeof value === 'number' ? String(value) : typeof value === 'string' ? value : JSON.stringify(value), `${CONTEXT_PREFIX}${key}`);
  };
  const hours = (key: ContextKey) => {
    const value = int(key, 1);
    return value === undefined ? undefined : Duration.hours(value);
  };
  const minutes = (key: ContextKey) => {
    const value = int(key, 1);
    return value === undefined ? undefined : Duration.minutes(value);
  };

  const computeTypeName = str('scan-compute-type');
  if (computeTypeName !== undefined && !(computeTypeName.toUpperCase() in COMPUTE_TYPES)) {
    throw new Error(`${CONTEXT_PREFIX}scan-compute-type must be one of ${Object.keys(COMPUTE_TYPES).join(', ')}, got ${JSON.stringify(computeTypeName)}`);
  }
  const computeMode = str('scan-compute');
  if (computeMode !== undefined && computeMode !== 'lambda' && computeMode !== 'ec2') {
    throw new Error(`${CONTEXT_PREFIX}scan-compute must be lambda or ec2, got ${JSON.stringify(computeMode)}`);
  }
  const architecture = str('scan-architecture');
  if (architecture !== undefined && architecture !== 'x86_64' && architecture !== 'arm64') {
    throw new Error(`${CONTEXT_PREFIX}scan-architecture must be x86_64 or arm64, got ${JSON.stringify(architecture)}`);
  }
  const logRetentionDays = int('log-retention-days', 1);
  if (logRetentionDays !== undefined && !Object.values(logs.RetentionDays).includes(logRetentionDays as logs.RetentionDays)) {
    throw new Error(`${CONTEXT_PREFIX}log-retention-days must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ...), got ${logRetentionDays}`);
  }
  const removal = str('removal-policy');
  if (removal !== undefined && removal !== 'retain' && removal !== 'destroy') {
    throw new Error(`${CONTEXT_PREFIX}removal-policy must be retain or destroy, got ${JSON.stringify(removal)}`);
  }
  const trivyTimeout = minutes('trivy-timeout-minutes');
  const hookCallBackSeconds = int('hook-callback-seconds', 1);
  const email = str('notification-email');
  const decisions = list('notify-decisions') as Decision[] | undefined;

  const gate: FargateGateProps = {
    policyFile: str('policy-file'),
    clusters: list('clusters'),
    ecrRepositories: list('ecr-repositories'),
    crossAccountRepositoryArns: list('cross-account-repository-arns'),
    scanner: {
      trivyVersion: str('trivy-version'),
      trivySha256: str('trivy-sha256'),
      downloadBaseUrl: str('trivy-download-url'),
      dbRepositories: list('trivy-db-repositories'),
      javaDbRepositories: list('trivy-java-db-repositories'),
      checksBundleRepository: str('trivy-checks-bundle-repository'),
      scanTimeout: trivyTimeout,
      managedDatabaseMirror: bool('managed-database-mirror'),
    },
    scanCompute: {
      mode: computeMode,
      architecture: architecture as 'x86_64' | 'arm64' | undefined,
      computeType: computeTypeName === undefined ? undefined : COMPUTE_TYPES[computeTypeName.toUpperCase()],
      buildTimeout: minutes('scan-build-timeout-minutes'),
      queuedTimeout: minutes('scan-queued-timeout-minutes'),
      concurrentBuildLimit: int('scan-concurrency', 1),
      ec2Fallback: bool('scan-ec2-fallback'),
      ec2AboveImageSize: imageSizeOf('scan-ec2-above-image-size'),
      lambdaConcurrency: lambdaConcurrencyOf('scan-lambda-concurrency'),
    },
    prescanOnPush: bool('prescan-on-push'),
    lifecycleHook: bool('lifecycle-hook'),
    runTaskHints: bool('runtask-hints'),
    inspectorFindings: bool('inspector-findings'),
    kevRefresh: bool('kev-refresh'),
    kevFeedUrl: str('kev-feed-url'),
    notifications: email !== undefined || decisions !== undefined ? { email, decisions } : undefined,
    verdictTtl: days('verdict-ttl-days'),
    reportRetention: days('report-retention-days'),
    logRetention: logRetentionDays as logs.RetentionDays | undefined,
    sweepInterval: minutes('sweep-minutes'),
    rescanInterval: hours('rescan-interval-hours'),
    reconcileInterval: minutes('reconcile-minutes'),
    logLevel: str('log-level') as LogLevel | undefined,
    metricsNamespace: str('metrics-namespace'),
    sourceMapsAtRuntime: bool('source-maps-at-runtime'),
    hookCallBackDelay: hookCallBackSeconds === undefined ? undefined : Duration.seconds(hookCallBackSeconds),
    maxReportSize: sizeOf('max-report-size'),
    reservedConcurrency: int('reserved-concurrency', 1),
    removalPolicy: removal === undefined ? undefined : removal === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    assetsKeyArn: str('assets-kms-key-arn'),
    inUseReport: inUseReportFromContext(bool('in-use-report'), int('in-use-report-hours', 1), int('in-use-report-exception-window-days', 0)),
    organizationId: str('organization-id'),
  };
  const stackName = str('stack-name') ?? 'FargateGate';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) throw new Error(`${CONTEXT_PREFIX}stack-name is not a CloudFormation stack name: ${JSON.stringify(stackName)}`);
  const notificationTopicArn = str('notification-topic-arn');
  if (notificationTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(notificationTopicArn)) {
    throw new Error(`${CONTEXT_PREFIX}notification-topic-arn is not an SNS topic ARN: ${JSON.stringify(notificationTopicArn)}`);
  }
  if (notificationTopicArn !== undefined && email !== undefined) {
    throw new Error(
      `${CONTEXT_PREFIX}notification-email and ${CONTEXT_PREFIX}notification-topic-arn exclude each other: give the e-mail address to have the stack create a topic, or the existing topic (and subscribe the address to it yourself)`,
    );
  }
  if (gate.organizationId !== undefined && !ORGANIZATION_ID.test(gate.organizationId)) {
    throw new Error(`${CONTEXT_PREFIX}organization-id is not an AWS Organizations id (o- and 10 to 32 lower-case letters or digits): ${JSON.stringify(gate.organizationId)}`);
  }
  return { stackName, gate, notificationTopicArn, nag: bool('nag') ?? true };
}

/** The in-use report's keys, or undefined when none is given (the construct's defaults apply). */
function inUseReportFromContext(enabled: boolean | undefined, hours: number | undefined, windowDays: number | undefined): FargateGateProps['inUseReport'] {
  if (enabled === undefined && hours === undefined && windowDays === undefined) return undefined;
  return { enabled, interval: hours === undefined ? undefined : Duration.hours(hours), exceptionWindowDays: windowDays };
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${CONTEXT_PREFIX}${key} must be a string, got ${JSON.stringify(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A JSON array of strings (cdk.json) or a comma-separated string (`-c key=a,b`). */
function optionalList(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (items === undefined || items.some((item) => typeof item !== 'string')) {
    throw new Error(`${CONTEXT_PREFIX}${key} must be a comma-separated string or a list of strings, got ${JSON.stringify(value)}`);
  }
  const cleaned = (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
  return cleaned.length === 0 ? undefined : cleaned;
}

function optionalBoolean(value: unknown, key: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`${CONTEXT_PREFIX}${key} must be true or false, got ${JSON.stringify(value)}`);
}

function optionalInteger(value: unknown, key: string, min: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(number) || number < min) throw new Error(`${CONTEXT_PREFIX}${key} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
  return number;
}
