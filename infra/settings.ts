import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DEFAULT_EC2_ABOVE_IMAGE_BYTES, MAX_EC2_ABOVE_IMAGE_BYTES, MIN_EC2_ABOVE_IMAGE_BYTES } from '../functions/core/gate/ec2-above-image-bytes';
import { DEFAULT_LAMBDA_COMPUTE_CONCURRENCY, MAX_LAMBDA_COMPUTE_CONCURRENCY, MIN_LAMBDA_COMPUTE_CONCURRENCY, isValidLambdaComputeConcurrency } from '../functions/core/gate/lambda-compute-concurrency';
import { DEFAULT_MAX_REPORT_BYTES, parseByteSize } from '../functions/core/report-size';
import type { Decision } from '../functions/core/result/model';
import { PINNED_TRIVY, TRIVY_RELEASES_URL, assertSha256, assertTrivyVersionAllowed, parseTrivyDownloadBaseUrl, trivyAssetName, type ScanArchitecture } from './trivy';

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
   * Where releases are downloaded from: `<url>/v<version>/<asset>`. Your own mirror for accounts without internet
   * access: an https:// URL (an artifact server), or s3://<bucket>[/<prefix>] read with the scan role (granted
   * s3:GetObject on exactly those objects; the bucket must be readable by this account and not SSE-KMS encrypted with a
   * key the role may not use). Every scan build downloads the tarball from here and checks its SHA-256 before unpacking
   * it; a missing or different file is a scan error (docs/deploy.md, "What each scan fetches").
   * @default with `managedDatabaseMirror` on, the stack's own copy: the refresh job copies the release, verified against
   * the pinned SHA-256, into a private bucket (infra/trivy-release-mirror.ts); otherwise GitHub releases of aquasecurity/trivy
   */
  readonly downloadBaseUrl?: string;
  /** OCI repositories of the vulnerability DB, tried in order (`--db-repository`), e.g. a private ECR mirror. */
  readonly dbRepositories?: string[];
  /** OCI repositories of the Java DB (`--java-db-repository`). */
  readonly javaDbRepositories?: string[];
  /**
   * OCI repository of the misconfiguration checks bundle (`--checks-bundle-repository`). Wins over the managed mirror's
   * copy. @default the managed mirror's copy when `managedDatabaseMirror` is on, else Trivy's default (a public registry)
   */
  readonly checksBundleRepository?: string;
  /**
   * Trivy's own time limit for one scan (`--timeout`). @default 15 minutes on EC2 compute; 10 minutes on Lambda compute,
   * whose builds end at 15 minutes
   */
  readonly scanTimeout?: Duration;
  /**
   * Keep a copy of Trivy's vulnerability DB, Java DB and misconfiguration checks bundle in private ECR repositories of
   * this stack, refreshed on a schedule, and scan from it (see `VulnerabilityDbMirror`); the deployment runs its first
   * refresh and waits for it. The Trivy release is copied too, unless `downloadBaseUrl` names another source.
   * Excludes `dbRepositories` / `javaDbRepositories` (an account that names its own mirror keeps it).
   * @default true, unless `dbRepositories` or `javaDbRepositories` is set
   */
  readonly managedDatabaseMirror?: boolean;
  /**
   * A scan refuses (the build fails, and the policy's onScanError decides) when the vulnerability DB it got was built
   * longer ago than this: a stale mirror must not pass images silently. Whole hours. @default 72 hours
   */
  readonly maxDatabaseAge?: Duration;
}

/**
 * Where CodeBuild runs the scan. `lambda`: CodeBuild's Lambda compute (LINUX_LAMBDA_CONTAINER / ARM_LAMBDA_CONTAINER),
 * which starts in seconds but has no cache, no custom build or queue timeout and a 15-minute limit. `ec2`: on-demand EC2
 * compute (LINUX_CONTAINER / ARM_CONTAINER). https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html
 */
export type ScanComputeMode = 'lambda' | 'ec2';

/**
 * Regions where CodeBuild offers Lambda compute, as "Which regions support AWS Lambda compute in CodeBuild?" lists them
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.regions).
 */
export const LAMBDA_COMPUTE_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'eu-central-1',
  'eu-west-1',
  'sa-east-1',
];

/** Lambda compute builds stop after 15 minutes, and their timeout cannot be changed (same page, "Limitations"). */
export const LAMBDA_COMPUTE_BUILD_LIMIT = Duration.minutes(15);

/** CodeBuild settings of the scan project. */
export interface ScanComputeSettings {
  /**
   * Lambda or EC2 compute. Lambda is refused at synth in a region without CodeBuild Lambda compute.
   * @default 'lambda' when the stack's region is known at synth and offers Lambda compute (`LAMBDA_COMPUTE_REGIONS`),
   * the managed DB mirror is on and no EC2-only setting is given (an EC2 compute type, `buildTimeout`, `queuedTimeout`,
   * a `scanner.scanTimeout` over 12 minutes); 'ec2' otherwise
   */
  readonly mode?: ScanComputeMode;
  /** CPU architecture of the build host. Multi-platform images pinned by index digest are scanned for this platform. @default x86_64 */
  readonly architecture?: ScanArchitecture;
  /**
   * Compute type; raise it (MEDIUM: 7 GB, or LAMBDA_8GB) for images of several GB. @default SMALL (3 GB, 2 vCPU) on EC2;
   * LAMBDA_4GB on Lambda
   */
  readonly computeType?: codebuild.ComputeType;
  /** Build time limit (EC2 compute only). Must exceed the scanner's timeout plus installation and upload. @default 20 minutes */
  readonly buildTimeout?: Duration;
  /** How long a build may wait in CodeBuild's queue (EC2 compute only). @default 30 minutes */
  readonly queuedTimeout?: Duration;
  /**
   * Scans that may run at once. Must not exceed the account's CodeBuild concurrent-build quota for the compute type
   * (new accounts can have 1-5), or CloudFormation rejects the project. @default 3
   */
  readonly concurrentBuildLimit?: number;
  /**
   * On Lambda compute: a second scan project on EC2 compute, where a scan that outgrew Lambda compute (timed out at 15
   * minutes, or failed for space or memory while scanning) is retried once (infra/scan-fallback.ts). No effect on EC2
   * compute. @default true
   */
  readonly ec2Fallback?: boolean;
  /**
   * With the EC2 fallback: an image larger than this (ECR's `imageSizeInBytes`, the compressed size, known when the gate
   * resolves a tag with DescribeImages) starts its scan on the fallback project straight away instead of failing on
   * Lambda compute first (functions/core/gate/compute-routing.ts). A number of bytes or a size such as "4GiB", from 64 MiB
   * to 1 TiB. @default 2 GiB (Lambda compute's 10 GB `/tmp`, less the scanner's DBs, over the two-to-three-fold expansion
   * of compressed layers)
   */
  readonly ec2AboveImageSize?: number | string;
  /**
   * With the EC2 fallback: Lambda-compute scan builds the gate runs at once. Set it to the account's CodeBuild quota of
   * concurrently running builds for the scan project's Lambda compute type, and raise the quota and this setting
   * together: a new scan past it starts on the EC2 fallback project (its own compute type and quota) instead of queueing
   * behind the others (functions/core/gate/lambda-overflow.ts). A whole number from 1 to 1,000.
   * @default 1 (AWS's default quota for each Lambda compute type, https://docs.aws.amazon.com/codebuild/latest/userguide/limits.html)
   */
  readonly lambdaConcurrency?: number;
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
    /**
     * Where scans download the release (`<url>/v<version>/<asset>`, https:// or s3://): the account's own mirror, or
     * GitHub releases without the managed mirror. Undefined: the stack's own copy (the managed mirror's release bucket).
     */
    downloadBaseUrl?: string;
    dbRepositories: string[];
    javaDbRepositories: string[];
    checksBundleRepository?: string;
    scanTimeout: Duration;
    /** The stack keeps and serves the DB mirror itself. */
    managedDatabaseMirror: boolean;
    maxDatabaseAge: Duration;
  };
  compute: {
    mode: ScanComputeMode;
    architecture: ScanArchitecture;
    computeType: codebuild.ComputeType;
    buildTimeout: Duration;
    queuedTimeout: Duration;
    concurrentBuildLimit: number;
    /** A scan project on Lambda compute has an EC2 fallback project (infra/scan-fallback.ts). */
    ec2Fallback: boolean;
    /** With the fallback: bytes above which an image's scan starts there (`GATE_EC2_ABOVE_IMAGE_BYTES`); undefined without it. */
    ec2AboveImageBytes?: number;
    /** With the fallback: Lambda-compute scan builds at once (`GATE_LAMBDA_COMPUTE_CONCURRENCY`); undefined without it. */
    lambdaConcurrency?: number;
  };
  prescanOnPush: boolean;
  lifecycleHook: boolean;
  runTaskHints: boolean;
  /** The rule for Amazon Inspector findings on ECR images (marks a digest in use for re-judgement). */
  inspectorFindings: boolean;
  notifyDecisions: Decision[];
  verdictTtl: Duration;
  reportRetention: Duration;
  logRetention: logs.RetentionDays;
  sweepInterval: Duration;
  /** A digest in use whose verdict is older than this is re-judged (posture sweep). */
  rescanInterval: Duration;
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
  inspectorFindings?: boolean;
  notifications?: NotificationSettings;
  verdictTtl?: Duration;
  reportRetention?: Duration;
  logRetention?: logs.RetentionDays;
  sweepInterval?: Duration;
  rescanInterval?: Duration;
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
  /** The stack's region when known at synth (not a token): it decides where Lambda compute is the default. */
  region?: string;
}

const HOUR = 3_600_000;
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

  const givenDownloadBaseUrl = scanner.downloadBaseUrl === undefined ? undefined : parseTrivyDownloadBaseUrl(scanner.downloadBaseUrl, 'scanner.downloadBaseUrl').url;

  const dbRepositories = checkRepositories(scanner.dbRepositories, 'scanner.dbRepositories');
  const javaDbRepositories = checkRepositories(scanner.javaDbRepositories, 'scanner.javaDbRepositories');
  const ownMirror = dbRepositories.length > 0 || javaDbRepositories.length > 0;
  // On by default: no scan downloads its DBs, checks or Trivy binary from a public registry. An account that names its
  // own mirror keeps it.
  const managedDatabaseMirror = scanner.managedDatabaseMirror ?? !ownMirror;
  if (managedDatabaseMirror && ownMirror) {
    throw new Error('scanner.managedDatabaseMirror and scanner.dbRepositories / javaDbRepositories exclude each other: the scan reads one mirror');
  }
  // With the managed mirror, the stack keeps the release too (infra/trivy-release-mirror.ts) unless the account names
  // its own: undefined means the stack's copy. Without it there is no refresh job to copy it: GitHub releases.
  const downloadBaseUrl = givenDownloadBaseUrl ?? (managedDatabaseMirror ? undefined : TRIVY_RELEASES_URL);

  const mode = resolveComputeMode(compute, scanner, { region: input.region, managedDatabaseMirror });
  const lambda = mode === 'lambda';
  const computeType = compute.computeType ?? (lambda ? codebuild.ComputeType.LAMBDA_4GB : codebuild.ComputeType.SMALL);
  if (lambda !== isLambdaComputeType(computeType)) {
    throw new Error(`scanCompute.computeType ${computeType} does not run on ${mode} compute: choose ${lambda ? 'a LAMBDA_* type' : 'a BUILD_GENERAL1_* type'}, or scanCompute.mode ${lambda ? "'ec2'" : "'lambda'"}`);
  }
  if (lambda && (compute.buildTimeout !== undefined || compute.queuedTimeout !== undefined)) {
    throw new Error('scanCompute.buildTimeout and scanCompute.queuedTimeout are EC2 settings: Lambda compute has no custom build or queue timeout (its builds end at 15 minutes); set scanCompute.mode to \'ec2\' to choose them');
  }
  const scanTimeout = scanner.scanTimeout ?? Duration.minutes(lambda ? 10 : 15);
  const buildTimeout = lambda ? LAMBDA_COMPUTE_BUILD_LIMIT : (compute.buildTimeout ?? Duration.minutes(20));
  // Lambda compute takes no queue timeout; the gate's scan deadline still allows for the EC2 default wait.
  const queuedTimeout = compute.queuedTimeout ?? Duration.minutes(30);
  const concurrentBuildLimit = compute.concurrentBuildLimit ?? 3;
  if (ms(scanTimeout) < MINUTE) throw new Error('scanner.scanTimeout must be at least 1 minute');
  // CodeBuild takes whole minutes: 5 to 2160 for a build, 5 to 480 in the queue.
  if (ms(buildTimeout) % MINUTE !== 0 || ms(buildTimeout) < 5 * MINUTE || ms(buildTimeout) > 2160 * MINUTE) {
    throw new Error('scanCompute.buildTimeout must be whole minutes between 5 minutes and 36 hours');
  }
  if (lambda && ms(buildTimeout) < ms(scanTimeout) + 3 * MINUTE) {
    throw new Error(`scanner.scanTimeout (${scanTimeout.toHumanString()}) must leave 3 minutes of Lambda compute's 15 for installation and upload: at most 12 minutes, or scanCompute.mode 'ec2'`);
  }
  if (ms(buildTimeout) < ms(scanTimeout) + 3 * MINUTE) {
    throw new Error(`scanCompute.buildTimeout (${buildTimeout.toHumanString()}) must exceed scanner.scanTimeout (${scanTimeout.toHumanString()}) by at least 3 minutes for installation and upload`);
  }
  if (ms(queuedTimeout) % MINUTE !== 0 || ms(queuedTimeout) < 5 * MINUTE || ms(queuedTimeout) > 480 * MINUTE) {
    throw new Error('scanCompute.queuedTimeout must be whole minutes between 5 minutes and 8 hours');
  }
  if (!Number.isInteger(concurrentBuildLimit) || concurrentBuildLimit < 1) throw new Error(`scanCompute.concurrentBuildLimit must be a whole number of at least 1, got ${concurrentBuildLimit}`);

  const ec2Fallback = lambda && compute.ec2Fallback !== false;
  // The same size grammar as maxReportSize, within the bounds the functions accept (compute-routing.ts).
  const ec2AboveImageBytes =
    compute.ec2AboveImageSize === undefined
      ? DEFAULT_EC2_ABOVE_IMAGE_BYTES
      : parseByteSize(String(compute.ec2AboveImageSize), `scanCompute.ec2AboveImageSize (${JSON.stringify(compute.ec2AboveImageSize)})`, {
          min: MIN_EC2_ABOVE_IMAGE_BYTES,
          max: MAX_EC2_ABOVE_IMAGE_BYTES,
        });

  // Checked whatever the mode (a typo fails the synth), used only with the fallback, like ec2AboveImageSize.
  const lambdaConcurrency = compute.lambdaConcurrency ?? DEFAULT_LAMBDA_COMPUTE_CONCURRENCY;
  if (!isValidLambdaComputeConcurrency(lambdaConcurrency)) {
    throw new Error(
      `scanCompute.lambdaConcurrency must be a whole number from ${MIN_LAMBDA_COMPUTE_CONCURRENCY} to ${MAX_LAMBDA_COMPUTE_CONCURRENCY} (the account's CodeBuild quota of concurrently running builds for the Lambda compute type), got ${JSON.stringify(compute.lambdaConcurrency)}`,
    );
  }
  // Where it is used (the fallback): above the scan project's own limit, CodeBuild refuses the builds past that limit
  // ("builds return an error", builds-working.html), so the limit, not the gate's count, would decide and every
  // overflow would be a refused StartBuild (lambda-refused).
  if (ec2Fallback && lambdaConcurrency > concurrentBuildLimit) {
    throw new Error(
      `scanCompute.lambdaConcurrency (${lambdaConcurrency}) must not exceed scanCompute.concurrentBuildLimit (${concurrentBuildLimit}), the scan project's own concurrent build limit: CodeBuild refuses builds past it. Raise scanCompute.concurrentBuildLimit (context key fargate-gate:scan-concurrency) with it, or lower scanCompute.lambdaConcurrency (fargate-gate:scan-lambda-concurrency).`,
    );
  }

  const maxDatabaseAge = scanner.maxDatabaseAge ?? Duration.hours(72);
  if (ms(maxDatabaseAge) % (60 * MINUTE) !== 0 || ms(maxDatabaseAge) < 6 * 60 * MINUTE) {
    throw new Error(`scanner.maxDatabaseAge must be whole hours, at least 6 (Trivy's DB is rebuilt every 6 hours), got ${maxDatabaseAge.toHumanString()}`);
  }
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
  // Trivy's DB is rebuilt several times a day: a day by default. Shorter than the verdict's life, or verdicts of
  // digests in use would expire before they are re-judged (and the next launch would wait on a full scan).
  // With a one-day verdictTtl the default is half a day, so a default never contradicts another setting.
  const rescanInterval = input.rescanInterval ?? Duration.hours(ms(verdictTtl) > 24 * HOUR ? 24 : Math.max(1, Math.floor(ms(verdictTtl) / HOUR / 2)));
  if (ms(rescanInterval) % HOUR !== 0 || ms(rescanInterval) < HOUR) throw new Error(`rescanInterval must be whole hours, at least 1, got ${rescanInterval.toHumanString()}`);
  if (ms(rescanInterval) >= ms(verdictTtl)) throw new Error(`rescanInterval (${rescanInterval.toHumanString()}) must be shorter than verdictTtl (${verdictTtl.toHumanString()})`);

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
    trivy: { version, sha256, asset: trivyAssetName(version, architecture), downloadBaseUrl, dbRepositories, javaDbRepositories, checksBundleRepository, scanTimeout, managedDatabaseMirror, maxDatabaseAge },
    compute: {
      mode,
      architecture,
      computeType,
      buildTimeout,
      queuedTimeout,
      concurrentBuildLimit,
      ec2Fallback,
      ...(ec2Fallback ? { ec2AboveImageBytes, lambdaConcurrency } : {}),
    },
    prescanOnPush: input.prescanOnPush ?? true,
    lifecycleHook: input.lifecycleHook ?? true,
    runTaskHints: input.runTaskHints ?? true,
    inspectorFindings: input.inspectorFindings ?? true,
    notifyDecisions,
    verdictTtl,
    reportRetention,
    logRetention: input.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    sweepInterval,
    rescanInterval,
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

/**
 * Lambda compute when the mode is not chosen, the stack's region is known at synth and offers it, the managed mirror is
 * on (Lambda compute has no build cache: without the mirror every scan would download the DB from a public registry),
 * and no EC2-only setting asks for EC2 (an EC2 compute type, a build or queue timeout, a scanner timeout over Lambda's
 * 12 minutes), so a stack configured for EC2 stays on EC2. EC2 otherwise; `mode: 'ec2'` opts out.
 */
export function resolveComputeMode(compute: ScanComputeSettings, scanner: ScannerSettings, context: { region?: string; managedDatabaseMirror: boolean }): ScanComputeMode {
  const { region } = context;
  if (compute.mode === undefined) {
    const lambdaRegion = region !== undefined && LAMBDA_COMPUTE_REGIONS.includes(region);
    const ec2Settings =
      (compute.computeType !== undefined && !isLambdaComputeType(compute.computeType)) ||
      compute.buildTimeout !== undefined ||
      compute.queuedTimeout !== undefined ||
      (scanner.scanTimeout !== undefined && ms(scanner.scanTimeout) > ms(LAMBDA_COMPUTE_BUILD_LIMIT) - 3 * MINUTE);
    return lambdaRegion && context.managedDatabaseMirror && !ec2Settings ? 'lambda' : 'ec2';
  }
  const mode = compute.mode;
  if (mode !== 'lambda' && mode !== 'ec2') throw new Error(`scanCompute.mode must be "lambda" or "ec2", got ${JSON.stringify(mode)}`);
  if (mode === 'lambda' && region !== undefined && !LAMBDA_COMPUTE_REGIONS.includes(region)) {
    throw new Error(`scanCompute.mode 'lambda': CodeBuild has no Lambda compute in ${region} (it has it in ${LAMBDA_COMPUTE_REGIONS.join(', ')}); use 'ec2'`);
  }
  return mode;
}

function isLambdaComputeType(computeType: codebuild.ComputeType): boolean {
  return String(computeType).startsWith('BUILD_LAMBDA_');
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
