import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DEFAULT_MAX_REPORT_BYTES, parseByteSize } from '../functions/core/report-size';
import type { Decision } from '../functions/core/result/model';
import { PINNED_TRIVY, TRIVY_RELEASES_URL, assertSha256, assertTrivyVersionAllowed, trivyAssetName, type ScanArchitecture } from './trivy';

/** Scanner (Trivy) settings. */
export interface ScannerSettings {
  /** Exact Trivy release to install. @default the pinned release (see `PINNED_TRIVY`) */
  readonly trivyVersion?: string;
  /**
   * SHA-256 of the release's Linux tarball for the scan architecture, from the release's `trivy_<version>_checksums.txt`.
   * Required when `trivyVersion` is not the pinned release.
   */
  readonly trivySha256?: string;
  /**
   * Where releases are downloaded from: `<url>/v<version>/<asset>`. Point it at your own mirror (an https URL, e.g. an
   * S3 website or artifact server) for accounts without internet access. @default GitHub releases of aquasecurity/trivy
   */
  readonly downloadBaseUrl?: string;
  /** OCI repositories of the vulnerability DB, tried in order (`--db-repository`), e.g. a private ECR mirror. */
  readonly dbRepositories?: string[];
  /** OCI repositories of the Java DB (`--java-db-repository`). */
  readonly javaDbRepositories?: string[];
  /** OCI repository of the misconfiguration checks bundle (`--checks-bundle-repository`). */
  readonly checksBundleRepository?: string;
  /** Trivy's own time limit for one scan (`--timeout`). @default 15 minutes */
  readonly scanTimeout?: Duration;
}

/** CodeBuild settings of the scan project. */
export interface ScanComputeSettings {
  /** CPU architecture of the build host. Multi-platform images pinned by index digest are scanned for this platform. @default x86_64 */
  readonly architecture?: ScanArchitecture;
  /** Compute type; raise it (MEDIUM: 7 GB) for images of several GB. @default SMALL (3 GB, 2 vCPU) */
  readonly computeType?: codebuild.ComputeType;
  /** Build time limit. Must exceed the scanner's timeout plus installation and upload. @default 20 minutes */
  readonly buildTimeout?: Duration;
  /** How long a build may wait in CodeBuild's queue. @default 30 minutes */
  readonly queuedTimeout?: Duration;
  /**
   * Scans that may run at once. Must not exceed the account's CodeBuild concurrent-build quota for the compute type
   * (new accounts can have 1-5), or CloudFormation rejects the project. @default 3
   */
  readonly concurrentBuildLimit?: number;
}

export interface NotificationSettings {
  /** An e-mail address subscribed to a topic the construct creates. */
  readonly email?: string;
  /** Decisions that are notified. @default ['fail', 'error'] */
  readonly decisions?: Decision[];
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface ResolvedSettings {
  trivy: {
    version: string;
    sha256: string;
    asset: string;
    downloadBaseUrl: string;
    dbRepositories: string[];
    javaDbRepositories: string[];
    checksBundleRepository?: string;
    scanTimeout: Duration;
  };
  compute: {
    architecture: ScanArchitecture;
    computeType: codebuild.ComputeType;
    buildTimeout: Duration;
    queuedTimeout: Duration;
    concurrentBuildLimit: number;
  };
  prescanOnPush: boolean;
  lifecycleHook: boolean;
  runTaskHints: boolean;
  notifyDecisions: Decision[];
  verdictTtl: Duration;
  reportRetention: Duration;
  logRetention: logs.RetentionDays;
  sweepInterval: Duration;
  logLevel: LogLevel;
  hookCallBackDelay: Duration;
  metricsNamespace: string;
  sourceMapsAtRuntime: boolean;
  reservedConcurrency?: number;
  removalPolicy: RemovalPolicy;
  assetsKeyArn?: string;
  /** Largest scanner report the functions and the scan build's evaluator read, in bytes. */
  maxReportBytes: number;
}

export interface SettingsInput {
  scanner?: ScannerSettings;
  scanCompute?: ScanComputeSettings;
  prescanOnPush?: boolean;
  lifecycleHook?: boolean;
  runTaskHints?: boolean;
  notifications?: NotificationSettings;
  verdictTtl?: Duration;
  reportRetention?: Duration;
  logRetention?: logs.RetentionDays;
  sweepInterval?: Duration;
  logLevel?: LogLevel;
  hookCallBackDelay?: Duration;
  metricsNamespace?: string;
  sourceMapsAtRuntime?: boolean;
  reservedConcurrency?: number;
  removalPolicy?: RemovalPolicy;
  /** The existing topic of `FargateGateProps.notificationTopic`; only whether it is given matters here (it excludes `notifications.email`). */
  notificationTopic?: unknown;
  assetsKeyArn?: string;
  maxReportSize?: number | string;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ms = (duration: Duration) => duration.toMilliseconds();

const DECISIONS: readonly Decision[] = ['pass', 'warn', 'fail', 'error'];
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;
const OCI_REPOSITORY = /^[A-Za-z0-9.-]+(?::[0-9]{1,5})?\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;

/** Applies the defaults and rejects settings that would deploy something broken or unsafe, with a message naming the setting. */
export function resolveSettings(input: SettingsInput): ResolvedSettings {
  const scanner = input.scanner ?? {};
  const compute = input.scanCompute ?? {};
  const architecture = compute.architecture ?? 'x86_64';
  if (architecture !== 'x86_64' && architecture !== 'arm64') throw new Error(`scanCompute.architecture must be "x86_64" or "arm64", got ${JSON.stringify(architecture)}`);

  const version = scanner.trivyVersion ?? PINNED_TRIVY.version;
  assertTrivyVersionAllowed(version);
  let sha256 = scanner.trivySha256;
  if (sha256 === undefined) {
    if (version !== PINNED_TRIVY.version) {
      throw new Error(`scanner.trivySha256 is required with trivyVersion ${version}: copy the ${trivyAssetName(version, architecture)} line of trivy_${version}_checksums.txt`);
    }
    sha256 = PINNED_TRIVY.sha256[architecture];
  }
  assertSha256(sha256, 'scanner.trivySha256');

  const downloadBaseUrl = (scanner.downloadBaseUrl ?? TRIVY_RELEASES_URL).replace(/\/+$/, '');
  if (!/^https:\/\/[^\s"'`$\\]+$/.test(downloadBaseUrl)) throw new Error(`scanner.downloadBaseUrl must be an https:// URL without spaces or quotes, got ${JSON.stringify(scanner.downloadBaseUrl)}`);

  const scanTimeout = scanner.scanTimeout ?? Duration.minutes(15);
  const buildTimeout = compute.buildTimeout ?? Duration.minutes(20);
  const queuedTimeout = compute.queuedTimeout ?? Duration.minutes(30);
  const concurrentBuildLimit = compute.concurrentBuildLimit ?? 3;
  if (ms(scanTimeout) < MINUTE) throw new Error('scanner.scanTimeout must be at least 1 minute');
  // CodeBuild takes whole minutes: 5 to 2160 for a build, 5 to 480 in the queue.
  if (ms(buildTimeout) % MINUTE !== 0 || ms(buildTimeout) < 5 * MINUTE || ms(buildTimeout) > 2160 * MINUTE) {
    throw new Error('scanCompute.buildTimeout must be whole minutes between 5 minutes and 36 hours');
  }
  if (ms(buildTimeout) < ms(scanTimeout) + 3 * MINUTE) {
    throw new Error(`scanCompute.buildTimeout (${buildTimeout.toHumanString()}) must exceed scanner.scanTimeout (${scanTimeout.toHumanString()}) by at least 3 minutes for installation and upload`);
  }
  if (ms(queuedTimeout) % MINUTE !== 0 || ms(queuedTimeout) < 5 * MINUTE || ms(queuedTimeout) > 480 * MINUTE) {
    throw new Error('scanCompute.queuedTimeout must be whole minutes between 5 minutes and 8 hours');
  }
  if (!Number.isInteger(concurrentBuildLimit) || concurrentBuildLimit < 1) throw new Error(`scanCompute.concurrentBuildLimit must be a whole number of at least 1, got ${concurrentBuildLimit}`);

  const dbRepositories = checkRepositories(scanner.dbRepositories, 'scanner.dbRepositories');
  const javaDbRepositories = checkRepositories(scanner.javaDbRepositories, 'scanner.javaDbRepositories');
  const checksBundleRepository = scanner.checksBundleRepository === undefined ? undefined : checkRepositories([scanner.checksBundleRepository], 'scanner.checksBundleRepository')[0];

  const notifyDecisions = [...new Set(input.notifications?.decisions ?? (['fail', 'error'] as Decision[]))];
  if (notifyDecisions.length === 0 || notifyDecisions.some((d) => !DECISIONS.includes(d))) {
    throw new Error(`notifications.decisions must list some of ${DECISIONS.join(', ')}, got ${JSON.stringify(input.notifications?.decisions)}`);
  }
  const email = input.notifications?.email;
  if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new Error(`notifications.email is not an e-mail address: ${JSON.stringify(email)}`);
  if (email !== undefined && input.notificationTopic !== undefined) {
    throw new Error('notifications.email and notificationTopic exclude each other: give the e-mail address to subscribe a new topic, or an existing topic (and subscribe the address to it yourself)');
  }

  const verdictTtl = input.verdictTtl ?? Duration.days(30);
  const reportRetention = input.reportRetention ?? Duration.days(365);
  const sweepInterval = input.sweepInterval ?? Duration.minutes(5);
  // The functions store verdict expiry in whole days (GATE_VERDICT_TTL_DAYS); a fraction would be silently rounded.
  if (ms(verdictTtl) % DAY !== 0 || ms(verdictTtl) < DAY) throw new Error(`verdictTtl must be whole days, at least 1, got ${verdictTtl.toHumanString()}`);
  // S3 lifecycle expirations are whole days.
  if (ms(reportRetention) % DAY !== 0 || ms(reportRetention) < DAY) throw new Error('reportRetention must be whole days, at least 1');
  // EventBridge rates are whole minutes.
  if (ms(sweepInterval) % MINUTE !== 0 || ms(sweepInterval) < MINUTE || ms(sweepInterval) > 60 * MINUTE) throw new Error('sweepInterval must be whole minutes between 1 and 60');

  const logLevel = input.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  const hookCallBackDelay = input.hookCallBackDelay ?? Duration.seconds(30);
  if (ms(hookCallBackDelay) % 1000 !== 0 || ms(hookCallBackDelay) < 1000 || ms(hookCallBackDelay) > 15 * MINUTE) {
    throw new Error('hookCallBackDelay must be whole seconds between 1 second and 15 minutes');
  }
  const metricsNamespace = input.metricsNamespace ?? 'FargateGate';
  // CloudWatch namespaces: up to 255 of letters, digits, and . - _ / # : (no leading colon).
  if (!/^[A-Za-z0-9._\-/#][A-Za-z0-9._\-/#:]{0,254}$/.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    throw new Error(`metricsNamespace is not a custom CloudWatch namespace: ${JSON.stringify(metricsNamespace)}`);
  }
  const assetsKeyArn = input.assetsKeyArn;
  if (assetsKeyArn !== undefined && !KMS_KEY_ARN.test(assetsKeyArn)) {
    throw new Error(`assetsKeyArn is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>): ${JSON.stringify(assetsKeyArn)}`);
  }
  const reservedConcurrency = input.reservedConcurrency;
  if (reservedConcurrency !== undefined && (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1)) {
    throw new Error(`reservedConcurrency must be a whole number of at least 1, got ${reservedConcurrency}`);
  }

  // The same parser as the CLI's --max-report-size, so a value means the same in the stack and in CI.
  const maxReportBytes =
    input.maxReportSize === undefined ? DEFAULT_MAX_REPORT_BYTES : parseByteSize(String(input.maxReportSize), `maxReportSize (${JSON.stringify(input.maxReportSize)})`);

  return {
    trivy: { version, sha256, asset: trivyAssetName(version, architecture), downloadBaseUrl, dbRepositories, javaDbRepositories, checksBundleRepository, scanTimeout },
    compute: {
      architecture,
      computeType: compute.computeType ?? codebuild.ComputeType.SMALL,
      buildTimeout,
      queuedTimeout,
      concurrentBuildLimit,
    },
    prescanOnPush: input.prescanOnPush ?? true,
    lifecycleHook: input.lifecycleHook ?? true,
    runTaskHints: input.runTaskHints ?? true,
    notifyDecisions,
    verdictTtl,
    reportRetention,
    logRetention: input.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    sweepInterval,
    logLevel,
    hookCallBackDelay,
    metricsNamespace,
    sourceMapsAtRuntime: input.sourceMapsAtRuntime ?? false,
    reservedConcurrency,
    removalPolicy: input.removalPolicy ?? RemovalPolicy.RETAIN,
    ...(assetsKeyArn === undefined ? {} : { assetsKeyArn }),
    maxReportBytes,
  };
}

function checkRepositories(values: string[] | undefined, name: string): string[] {
  if (values === undefined) return [];
  if (values.length === 0) throw new Error(`${name} must list at least one repository when given`);
  return values.map((value) => {
    if (!OCI_REPOSITORY.test(value)) throw new Error(`${name}: ${JSON.stringify(value)} is not an OCI repository such as "123456789012.dkr.ecr.eu-west-1.amazonaws.com/trivy-db:2"`);
    return value;
  });
}

/** Trivy's `--timeout` value for a duration, in whole minutes. */
export function trivyTimeoutFlag(duration: Duration): string {
  return `${Math.ceil(duration.toMilliseconds() / MINUTE)}m`;
}
