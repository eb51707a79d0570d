import { SCAN_BUILD_ENV } from '../adapters/scan-build-env';
import { InputError } from '../core/errors';
import { parseImageReference } from '../core/image/reference';
import { sbomKeyFor } from '../core/posture/sbom';
import { ScanCapacityError, type BuildStatus, type ScanRequest, type ScannerPort } from '../core/ports';
import type { ActivityLog } from './activity';
import { arns, type AwsLocation, type IdSource } from './ids';
import type { MemoryReports } from './reports';

/** How the inline-scan build of one image ends. Decided by the scenario (or the benchmark), per image. */
export interface ScanOutcome {
  /** Raw report text the build uploads (Trivy JSON). The build SUCCEEDS. */
  report?: string;
  /** The build FAILS with this message (registry auth, Trivy crash, image gone); with `failingBuilds`, only the first ones do. */
  error?: string;
  /**
   * A passing fault (registry throttling, a Trivy DB download failure): the first this many builds of the digest FAIL
   * with `error`, later ones run to `report`. Without it, `error` fails every build.
   */
  failingBuilds?: number;
  /** The build hangs until CodeBuild's own timeout ends it as TIMED_OUT. */
  timeout?: boolean;
  /**
   * The image outgrows Lambda compute: on a scan project on Lambda compute the build runs to its 15-minute limit and
   * ends TIMED_OUT; on the EC2 fallback project it ends as the rest of the outcome says.
   */
  outgrowsLambdaCompute?: boolean;
  /** StartBuild is refused for capacity this many times before it is accepted. */
  capacityErrors?: number;
  /** How long the build runs; defaults to the scanner's `defaultDurationMs`. */
  durationMs?: number;
  /** Digest the registry serves for the reference, stamped into the report; defaults to the request's digest. */
  digest?: string;
  /** The build finishes but its Build State Change event is never delivered (CodeBuild events are best effort). */
  lostEvent?: boolean;
}

export interface FakeBuild {
  /** What StartBuild returns: `project:uuid`. */
  buildId: string;
  /** What the Build State Change event carries: the build ARN. */
  buildArn: string;
  projectName: string;
  request: ScanRequest;
  status: BuildStatus;
  /** Epoch ms: when StartBuild accepted it. */
  startedAt: number;
  /**
   * Waiting in CodeBuild's queue for a place under the Lambda compute type's quota. BatchGetBuilds then says
   * `buildStatus: IN_PROGRESS` with `currentPhase: QUEUED` (Build.currentPhase, CodeBuild API Reference), so the port
   * sees IN_PROGRESS either way; the gate can tell only from the time the build takes (and QueuedDuration).
   */
  queued?: boolean;
  /** Epoch ms the build left the queue and began to run; `startedAt` for a build that never queued. */
  runningFrom?: number;
  endedAt?: number;
  /** Why the build failed, as its BUILD phase context would say. */
  failure?: string;
  outcome: ScanOutcome;
}

export interface FakeScannerOptions {
  location: AwsLocation;
  ids: IdSource;
  reports: MemoryReports;
  activity: ActivityLog;
  now: () => number;
  /** Runs `callback` after `delayMs` of simulated time. */
  schedule: (delayMs: number, callback: () => void) => void;
  /** Outcome for a request; undefined means the scanner cannot pull the image. */
  outcomeFor: (request: ScanRequest) => ScanOutcome | undefined;
  projectName?: string;
  /** A scan project on Lambda compute has this EC2 fallback project (infra/scan-fallback.ts); none: the scan project is on EC2. */
  fallbackProjectName?: string;
  defaultDurationMs?: number;
  /** CodeBuild's build timeout (the project's `timeoutInMinutes`); a scan project on Lambda compute ends builds at 15 minutes. */
  buildTimeoutMs?: number;
  /** The EC2 fallback project's build timeout. */
  fallbackBuildTimeoutMs?: number;
  /** Account concurrent-build limit; StartBuild beyond it is refused for capacity. */
  maxConcurrentBuilds?: number;
  /**
   * The account's quota of running builds for the scan project's Lambda compute type (AWS's default is 1, adjustable:
   * https://docs.aws.amazon.com/codebuild/latest/userguide/limits.html). A build started on the Lambda project beyond
   * it is QUEUED, not refused: "If the build project does not have a concurrent build limit set, builds are queued if
   * the number of running builds reaches the concurrent build limit for the platform and compute type. The maximum
   * number of builds in a queue is five times the concurrent build limit" (Builds in AWS CodeBuild,
   * https://docs.aws.amazon.com/codebuild/latest/userguide/builds-working.html). It starts when a running Lambda
   * build ends; StartBuild is refused only with the queue full (five times the quota) or at `scanProjectBuildLimit`.
   * Builds the gate does not see (another project on the same compute type) would make the gate's builds queue the
   * same way. The EC2 fallback project runs on another compute type, under its own quota. None: no quota.
   */
  lambdaComputeQuota?: number;
  /**
   * The scan project's own concurrent build limit (`concurrentBuildLimit`, infra default 3): "If the build project has a
   * concurrent build limit set, builds return an error if the number of running builds reaches the concurrent build
   * limit for the project" (builds-working.html above). The fake counts the project's unfinished builds, queued ones
   * included. None: no project limit.
   */
  scanProjectBuildLimit?: number;
}

/** Lambda compute builds end at 15 minutes (https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations). */
const LAMBDA_COMPUTE_LIMIT_MS = 15 * 60_000;

/** "The maximum number of builds in a queue is five times the concurrent build limit" (builds-working.html). */
const QUEUE_FACTOR = 5;

/** CodeBuild keeps an idempotency token for five minutes. */
const IDEMPOTENCY_WINDOW_MS = 5 * 60_000;

/** Environment variables of a scan build, as the CodeBuild adapter sets them. */
export function scanBuildEnvironment(request: ScanRequest): { name: string; type: 'PLAINTEXT'; value: string }[] {
  return [
    { name: SCAN_BUILD_ENV.imageReference, type: 'PLAINTEXT', value: request.imageReference },
    { name: SCAN_BUILD_ENV.imageDigest, type: 'PLAINTEXT', value: request.digest },
    { name: SCAN_BUILD_ENV.reportKey, type: 'PLAINTEXT', value: request.reportKey },
    { name: SCAN_BUILD_ENV.scanId, type: 'PLAINTEXT', value: request.scanId },
    ...(request.mode === 'sbom'
      ? [
          { name: SCAN_BUILD_ENV.scanMode, type: 'PLAINTEXT' as const, value: 'sbom' },
          { name: SCAN_BUILD_ENV.sbomKey, type: 'PLAINTEXT' as const, value: request.sbomKey ?? '' },
        ]
      : []),
  ];
}

/** `arn:aws:codebuild:<region>:<account>:build/<project>:<uuid>` → `<project>:<uuid>`; an id is returned as is. */
export function buildIdFromArn(buildIdOrArn: string): string {
  const match = /^arn:aws[a-z-]*:codebuild:[^:]*:\d*:build\/(.+)$/.exec(buildIdOrArn);
  return match ? match[1] : buildIdOrArn;
}

type BuildListener = (build: FakeBuild, options: { deliverEvent: boolean }) => void;

/**
 * CodeBuild running the inline-scan project. `startScan` queues a build whose end the outcome decides;
 * a finished build uploads its report (rewritten the way Trivy would write it for the image actually
 * pulled) and tells its listeners, which turn it into a Build State Change event.
 */
export class FakeScanner implements ScannerPort {
  readonly builds = new Map<string, FakeBuild>();
  private readonly byScanId = new Map<string, FakeBuild>();
  /** StartBuild calls refused for capacity, and calls answered from the idempotency window. */
  refusals = 0;
  replays = 0;
  private readonly attemptsByDigest = new Map<string, number>();
  private readonly acceptedByDigest = new Map<string, number>();
  private readonly listeners: BuildListener[] = [];
  readonly projectName: string;
  readonly fallbackProjectName: string | undefined;

  constructor(private readonly options: FakeScannerOptions) {
    this.projectName = options.projectName ?? 'fargate-gate-scan';
    this.fallbackProjectName = options.fallbackProjectName;
  }

  /** Whether a build of `projectName` runs on Lambda compute: the scan project, when it has an EC2 fallback. */
  private onLambdaCompute(projectName: string): boolean {
    return this.fallbackProjectName !== undefined && projectName === this.projectName;
  }

  onBuildFinished(listener: BuildListener): void {
    this.listeners.push(listener);
  }

  async startScan(request: ScanRequest): Promise<{ buildId: string }> {
    const { activity } = this.options;
    activity.call('scanner.startScan');
    // The adapter re-checks the reference before it reaches a build's environment; so does the fake.
    parseImageReference(request.imageReference);
    const replay = this.byScanId.get(request.scanId);
    // The adapter's token is one per scan and project (codebuild.ts): a scan moved to the fallback project is a new build.
    const asked = request.compute === 'ec2Fallback' && this.fallbackProjectName ? this.fallbackProjectName : this.projectName;
    if (replay && replay.projectName === asked && this.options.now() - replay.startedAt < IDEMPOTENCY_WINDOW_MS) {
      // StartBuild with the same idempotency token within 5 minutes returns the same build.
      this.replays += 1;
      activity.record('startScan', { digest: request.digest, imageReference: request.imageReference, scanId: request.scanId, reportKey: request.reportKey, buildId: replay.buildId, replayed: true });
      return { buildId: replay.buildId };
    }
    // As the CodeBuild adapter does: a retry on EC2 runs on the fallback project, and there is none on EC2 compute.
    if (request.compute === 'ec2Fallback' && !this.fallbackProjectName) throw new InputError('the scan asks for the EC2 fallback project, and this gate has none', { source: `scan ${JSON.stringify(request.scanId)}` });
    const projectName = request.compute === 'ec2Fallback' && this.fallbackProjectName ? this.fallbackProjectName : this.projectName;
    const outcome = this.options.outcomeFor(request) ?? { error: `MANIFEST_UNKNOWN: ${request.imageReference} not found in its registry` };
    const attempt = (this.attemptsByDigest.get(request.digest) ?? 0) + 1;
    this.attemptsByDigest.set(request.digest, attempt);

    const unfinished = [...this.builds.values()].filter((build) => build.status === 'IN_PROGRESS');
    const running = unfinished.length;
    const onLambda = unfinished.filter((build) => this.onLambdaCompute(build.projectName));
    const queuedOnLambda = onLambda.filter((build) => build.queued).length;
    const lambdaQuota = this.options.lambdaComputeQuota;
    const projectLimit = this.options.scanProjectBuildLimit;
    const lambda = this.onLambdaCompute(projectName);
    const refusal =
      attempt <= (outcome.capacityErrors ?? 0)
        ? 'AccountLimitExceededException: Cannot have more than 1 builds in queue for the account'
        : this.options.maxConcurrentBuilds !== undefined && running >= this.options.maxConcurrentBuilds
          ? `AccountLimitExceededException: Cannot have more than ${this.options.maxConcurrentBuilds} concurrent builds for the account`
          : projectLimit !== undefined && projectName === this.projectName && unfinished.filter((build) => build.projectName === projectName).length >= projectLimit
            ? `AccountLimitExceededException: Cannot have more than ${projectLimit} active builds for the project`
            : lambdaQuota !== undefined && lambda && queuedOnLambda >= QUEUE_FACTOR * lambdaQuota
              ? `AccountLimitExceededException: Cannot have more than ${QUEUE_FACTOR * lambdaQuota} builds in queue for the account (Lambda compute)`
              : undefined;
    // Past the quota the build is accepted and waits in the queue for a running Lambda build to end.
    const queues = lambdaQuota !== undefined && lambda && onLambda.length - queuedOnLambda >= lambdaQuota;
    const base = { digest: request.digest, imageReference: request.imageReference, scanId: request.scanId, reportKey: request.reportKey };
    if (refusal) {
      this.refusals += 1;
      activity.record('startScan', { ...base, refused: refusal });
      throw new ScanCapacityError(refusal);
    }

    const uuid = this.options.ids.uuid('build');
    const buildId = `${projectName}:${uuid}`;
    const buildArn = arns.build(this.options.location, projectName, uuid);
    const accepted = (this.acceptedByDigest.get(request.digest) ?? 0) + 1;
    this.acceptedByDigest.set(request.digest, accepted);
    const build: FakeBuild = { buildId, buildArn, projectName, request: { ...request }, status: 'IN_PROGRESS', startedAt: this.options.now(), outcome: outcomeOfBuild(outcome, accepted) };
    this.builds.set(buildId, build);
    this.byScanId.set(request.scanId, build);
    activity.record('startScan', { ...base, buildId, ...(queues ? { queued: true } : {}) });
    if (queues) build.queued = true;
    else this.run(build);
    return { buildId };
  }

  /** The build begins to run: its duration (up to its project's timeout) counts from now. */
  private run(build: FakeBuild): void {
    const { projectName, outcome, buildId } = build;
    build.queued = false;
    build.runningFrom = this.options.now();
    const lambda = this.onLambdaCompute(projectName);
    const timeoutMs = lambda ? LAMBDA_COMPUTE_LIMIT_MS : projectName === this.projectName ? (this.options.buildTimeoutMs ?? 60 * 60_000) : (this.options.fallbackBuildTimeoutMs ?? 40 * 60_000);
    const hangs = outcome.timeout || (lambda && outcome.outgrowsLambdaCompute);
    const durationMs = hangs ? timeoutMs : Math.min(outcome.durationMs ?? this.options.defaultDurationMs ?? 120_000, timeoutMs);
    this.options.schedule(durationMs, () => this.finish(buildId));
  }

  /** Starts queued Lambda builds, oldest first, while the quota has room (the order CodeBuild picks is not documented). */
  private startQueued(): void {
    const quota = this.options.lambdaComputeQuota;
    if (quota === undefined) return;
    const onLambda = [...this.builds.values()].filter((build) => build.status === 'IN_PROGRESS' && this.onLambdaCompute(build.projectName));
    let runningNow = onLambda.filter((build) => !build.queued).length;
    for (const build of onLambda.filter((candidate) => candidate.queued)) {
      if (runningNow >= quota) return;
      this.run(build);
      runningNow += 1;
    }
  }

  async getBuildStatuses(buildIds: string[]): Promise<{ buildId: string; status: BuildStatus }[]> {
    this.options.activity.call('scanner.getBuildStatuses');
    // BatchGetBuilds lists unknown ids under buildsNotFound; the port leaves them out.
    // Callers may hold the id StartBuild returned or the ARN from the event; the answer uses the caller's string.
    return buildIds.flatMap((buildId) => {
      const build = this.builds.get(buildIdFromArn(buildId));
      return build ? [{ buildId, status: build.status }] : [];
    });
  }

  /** Ends a build now, whatever its planned duration (a scenario's `scanCompletes`). False if it already ended. */
  finish(buildId: string): boolean {
    const build = this.builds.get(buildIdFromArn(buildId));
    if (!build || build.status !== 'IN_PROGRESS') return false;
    const { outcome } = build;
    build.endedAt = this.options.now();
    build.queued = false;
    if (outcome.timeout || (outcome.outgrowsLambdaCompute && this.onLambdaCompute(build.projectName))) {
      build.status = 'TIMED_OUT';
      build.failure = 'Build has timed out.';
    } else if (outcome.error !== undefined || outcome.report === undefined) {
      build.status = 'FAILED';
      build.failure = outcome.error ?? 'no report produced';
    } else if (build.request.mode === 'sbom' && !(build.request.sbomKey && this.options.reports.has(build.request.sbomKey))) {
      // The buildspec's `aws s3 cp` of the stored SBOM fails, and with it the build.
      build.status = 'FAILED';
      build.failure = `the SBOM s3://${this.options.reports.bucket}/${build.request.sbomKey ?? ''} does not exist`;
    } else {
      build.status = 'SUCCEEDED';
      const { reportKey } = build.request;
      this.options.reports.put(reportKey, rewriteReport(outcome.report, build.request, outcome.digest ?? build.request.digest, new Date(build.endedAt)));
      // Every successful build keeps the SBOM beside its report: converted from the image scan, or copied forward.
      const sbom = build.request.mode === 'sbom' && build.request.sbomKey ? this.options.reports.peek(build.request.sbomKey) : undefined;
      this.options.reports.put(sbomKeyFor(reportKey), sbom ?? JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { type: 'container', name: build.request.imageReference } } }));
    }
    for (const listener of this.listeners) listener(build, { deliverEvent: !outcome.lostEvent });
    // A place under the Lambda quota freed: the next queued build runs.
    if (this.onLambdaCompute(build.projectName)) this.startQueued();
    return true;
  }

  /** Builds of a digest, oldest first. */
  buildsFor(digest: string): FakeBuild[] {
    return [...this.builds.values()].filter((build) => build.request.digest === digest);
  }
}

/** What one build of a digest does: with `failingBuilds`, the `accepted`-th build fails or succeeds by its place. */
function outcomeOfBuild(outcome: ScanOutcome, accepted: number): ScanOutcome {
  if (outcome.failingBuilds === undefined) return outcome;
  const { error, report, ...rest } = outcome;
  if (accepted <= outcome.failingBuilds) return { ...rest, error: error ?? 'the build failed' };
  return report === undefined ? rest : { ...rest, report };
}

/**
 * Trivy names the artifact it was asked for and the digest it pulled. A scenario's report file is written
 * once per kind of image, so the build stamps in the real identity; text that is not a Trivy JSON object
 * (a malformed report under test) is uploaded untouched.
 */
export function rewriteReport(text: string, request: ScanRequest, digest: string, finishedAt: Date): string {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return text;
  }
  if (!document || typeof document !== 'object' || Array.isArray(document) || !('SchemaVersion' in document)) return text;
  const report = document as Record<string, unknown>;
  const metadata = (report.Metadata && typeof report.Metadata === 'object' ? report.Metadata : {}) as Record<string, unknown>;
  const repository = request.imageReference.replace(/@.*$/, '').replace(/:[^:/]+$/, '');
  return JSON.stringify(
    {
      ...report,
      CreatedAt: finishedAt.toISOString(),
      ArtifactName: request.imageReference,
      Metadata: { ...metadata, RepoDigests: [`${repository}@${digest}`] },
    },
    null,
    2,
  );
}
