import type { ExposureFact, ImageAssessment } from './policy/input';
import type { LaunchFact, LaunchFacts } from './policy/rules/hardening/types';
import type { LoadBalancing } from './taskdef/exposure';
import type { ImageReference } from './image/reference';
import type { Decision } from './result/model';
import type { TaskDefinitionSpec } from './taskdef/model';
import type { BuildPhaseType, ScanCompute } from './gate/compute-fallback';
import type { LambdaComputeSlotsPort } from './gate/lambda-overflow';

/**
 * The small interfaces the gate's handlers need from the outside world. `functions/adapters` implements
 * them on AWS SDK v3 clients, `functions/local` in memory; handlers get them injected, so the same handler
 * code runs in Lambda, in `fargate-gate simulate`, in tests and in the benchmark.
 */

// ---------- store (DynamoDB single table; design in shared/DESIGN.md "Data") ----------

export interface StoredVerdict {
  digest: string;
  policyHash: string;
  assessment: ImageAssessment;
  buildId?: string;
  reportLocation?: string;
  /** ISO-8601 */
  scannedAt: string;
  /** Epoch seconds, DynamoDB TTL. */
  expiresAt: number;
}

export type ScanState = 'queued' | 'running' | 'done' | 'error';

export interface ScanRecord {
  digest: string;
  /** Pinned reference the scan pulls (`registry/repo@sha256:...`), or the tag reference for non-ECR images without a digest. */
  imageReference: string;
  scanId: string;
  state: ScanState;
  buildId?: string;
  reportLocation?: string;
  error?: string;
  /**
   * Unsuccessful attempts at scanning this digest since its last scan that produced a report: StartBuild attempts
   * refused (throttling, account build limit) and scans that ended in error. A retry of an errored digest carries it
   * over; both the capacity back-off and the scan-error back-off grow with it (core/gate/backoff.ts).
   */
  attempts: number;
  /** ISO-8601 */
  startedAt: string;
  /** `sbom` for a re-judgement of the stored SBOM (no image pull); absent or `image` for a scan of the image. */
  mode?: ScanMode;
  /** For an `sbom` scan: the SBOM it matches (the one its build copies beside its own report). */
  sbomKey?: string;
  /** ISO-8601: after this a scan that has not finished is an error (the sweep checks it). */
  deadline: string;
  /**
   * ISO-8601: when a queued scan may next try StartBuild. On an `error` record: when the next task that needs the
   * image may scan it again (the gate reads the record before claiming; until then the error stands). It backs off
   * exponentially with `attempts`, so a broken image is re-scanned O(log time) times, not once per launch.
   */
  retryAt?: string;
  /**
   * While the scan is unfinished: how many attempts at finishing it (reading the report, storing the verdict) failed in
   * a row for a reason a retry cannot fix. After the gate's limit the scan becomes an error; cleared when it ends.
   */
  finishFailures?: number;
  /** `ec2Fallback` once the scan was moved to the EC2 fallback project (core/gate/compute-fallback.ts); absent: the scan project. */
  compute?: ScanCompute;
  /**
   * ISO-8601: an Amazon Inspector finding asked for this digest in use to be re-judged. The posture sweep starts marked
   * digests first, within its per-run budget (handlers/posture/rejudge.ts); a rescan or re-claim of the digest clears it.
   */
  rejudgeRequestedAt?: string;
}

/** The scan a conditional update expects to find (GateStore.updateScan). */
export interface ExpectedScan {
  state: ScanState;
  /** The scan's identity: a claim, a re-claim of an error and a rescan each give a new one. */
  scanId: string;
  /** When given, the build the record must still name: `''` means none yet (absent or empty). */
  buildId?: string;
}

/** What a transition of `record` expects: its state, its scan id and its build (none yet when it has none). */
export function expectedScan(record: Pick<ScanRecord, 'state' | 'scanId' | 'buildId'>): ExpectedScan {
  return { state: record.state, scanId: record.scanId, buildId: record.buildId ?? '' };
}

/** Whether a stored record is still the scan `expected` names (the stores' condition, in one place). */
export function isExpectedScan(record: Pick<ScanRecord, 'state' | 'scanId' | 'buildId'> | undefined, expected: ExpectedScan): boolean {
  if (!record || record.state !== expected.state || record.scanId !== expected.scanId) return false;
  return expected.buildId === undefined || (record.buildId ?? '') === expected.buildId;
}

export interface Waiter {
  digest: string;
  /** The task waiting; for a deployment paused at a PAUSE hook (`hookId` set), its service deployment ARN. */
  taskArn: string;
  /** Set for a deployment paused at a PAUSE lifecycle hook: the hook ContinueServiceDeployment names. Not a task. */
  hookId?: string;
  cluster: string;
  service?: string;
  taskDefinitionArn: string;
  /** ISO-8601 of the first event that asked. */
  seenAt: string;
  /** Principal that launched the task (CloudTrail `userIdentity.arn`), when known. */
  launchedBy?: string;
  /**
   * Whether the task has a public IP, from the RunTask call (CloudTrail hint) that launched it: no task event and no
   * DescribeTasks says so, so the judgement after the scan finishes takes it from here.
   */
  publicIp?: LaunchFact<boolean>;
  /** The task's exposure as the RunTask call settled it (a public IP; or none, and RunTask takes no load balancer). */
  exposure?: ExposureFact;
}

export interface EnforcementRecord {
  /**
   * What was acted on, one format per subject (built in core/gate/keys.ts; a claim succeeds once per key):
   * `task#<taskArn>`; `service#<clusterArn>#<serviceName>#ecs-svc/<deploymentId>#<digests>`, the task's digests
   * sorted and comma-separated: the verdict event of the gate's action on one service deployment (claimed after the
   * action, which is idempotent; so a crash can lose at most the event, never the action), once per service
   * deployment so the same images deployed again are acted on and reported again
   * (`service#<clusterArn>#<serviceName>#<digests>` when the task carries no `ecs-svc/` startedBy: no longer written
   * for blocked tasks, whose service is acted on only with a confirmed deployment id);
   * `hook#<hookInvocationId>`; `scan#<scanKey>#<scanId>`; for notifications `notify#task#<taskArn>#<policyHash>` and
   * `notify#service#<clusterArn>#<serviceName>#ecs-svc/<deploymentId>#<digests>#<policyHash>` (once per service
   * deployment, like the service key; without the `ecs-svc/` segment when the task carries no deployment id).
   */
  key: string;
  action: string;
  decision: Decision;
  /** ISO-8601 */
  at: string;
}

export interface GateStore {
  getVerdict(digest: string, policyHash: string): Promise<StoredVerdict | undefined>;
  /** One round trip for every container of a task (DynamoDB BatchGetItem); missing digests are absent from the map. */
  getVerdicts(digests: string[], policyHash: string): Promise<Map<string, StoredVerdict>>;
  putVerdict(verdict: StoredVerdict): Promise<void>;
  /**
   * The digest's live verdict with the latest `scannedAt` under any policy (absent when none): after a policy edit,
   * what the previous policy said of the digest, so its drift marks and findings carry over to the new policy's verdict.
   */
  getLatestVerdict(digest: string): Promise<StoredVerdict | undefined>;

  /**
   * Creates the scan record only if none exists for the digest (a record past its retention counts as none), or, given
   * `replacing`, if the record is still that failed scan (state `error` and its scan id). True when this caller won.
   * The failed scan's identity, not the state alone: a claimer that decided on an error it read must lose once that
   * error was retried and failed again meanwhile, or it would retry before the newer error's back-off and reset it.
   */
  claimScan(record: ScanRecord, replacing?: Pick<ScanRecord, 'scanId'>): Promise<boolean>;
  getScan(digest: string): Promise<ScanRecord | undefined>;
  /**
   * Conditional update: applies only while the record is still the scan `expected` names, in its state (and with its
   * build, when given). True when applied. A finisher that read the record before it was finished elsewhere and
   * re-claimed or rescanned (a new scan id) must not overwrite the new scan: the state alone cannot tell them apart.
   */
  updateScan(digest: string, expected: ExpectedScan, changes: Partial<Omit<ScanRecord, 'digest'>>): Promise<boolean>;
  /** Scans still queued or running, for the sweep. */
  listUnfinishedScans(): Promise<ScanRecord[]>;

  /**
   * Records (or refreshes) a waiter. True when it was not waiting yet (the item was created, or only an expired one
   * was left), so a redelivered event is not counted as a new waiter.
   */
  addWaiter(waiter: Waiter): Promise<boolean>;
  listWaiters(digest: string): Promise<Waiter[]>;
  removeWaiter(digest: string, taskArn: string): Promise<void>;

  /** Records that an action was taken under `key`; false if one already was (the caller must not act again). */
  claimEnforcement(record: EnforcementRecord): Promise<boolean>;
  /**
   * Deletes a claim whose action failed, so the retried event acts again (a claim left behind would make the retry
   * skip an action that never happened). Releasing a claim that is not there is not an error.
   */
  releaseEnforcement(key: string): Promise<void>;

  /**
   * `getVerdicts` plus the task's launcher (`getLauncher`) in the same round trip (one BatchGetItem), so a denied
   * task costs no extra read to name who launched it. The launcher is absent when none was remembered.
   */
  getVerdictsForTask(digests: string[], policyHash: string, taskArn: string): Promise<{ verdicts: Map<string, StoredVerdict>; launcher?: string }>;

  /** Keeps the highest `detail.version` seen per task; false for a duplicate or older event. */
  advanceTaskVersion(taskArn: string, version: number): Promise<boolean>;

  /** CloudTrail RunTask hint: who launched the task. */
  rememberLauncher(taskArn: string, principal: string): Promise<void>;
  getLauncher(taskArn: string): Promise<string | undefined>;
}

// ---------- ECS ----------

export interface RunningTask {
  taskArn: string;
  clusterArn: string;
  lastStatus: string;
  desiredStatus: string;
  group?: string;
  startedBy?: string;
  containers: { name: string; image: string; imageDigest?: string }[];
  /**
   * Task definition revision ARN (DescribeTasks `taskDefinitionArn`); both implementations fill it whenever ECS
   * returns it. Optional because API_Task marks every member optional and the SDK types it so: the gate then
   * uses the revision its waiter recorded, which is the same one (a task never changes revision).
   */
  taskDefinitionArn?: string;
  /**
   * DescribeTasks `overrides` (API_TaskOverride) as ECS returns it; the gate parses it (applyOverrides), so RunTask
   * environment overrides are judged when a task is judged after its scan. Both implementations fill it whenever
   * ECS returns it (ECS lists every container there, with just its name when nothing was overridden); optional
   * for the same reason as `taskDefinitionArn`, and absent is judged as "no overrides".
   */
  overrides?: unknown;
  /**
   * DescribeTasks `createdAt` and `pullStartedAt` (ISO-8601), when ECS gives them: the evidence that a digest the gate
   * resolved from an ECR tag is the one the task pulled (the image was pushed before the pull began).
   */
  createdAt?: string;
  pullStartedAt?: string;
  /** DescribeTasks `enableExecuteCommand` and `platformVersion` as launch facts (`launchFactsFromTask`), when ECS gives them. */
  launch?: LaunchFacts;
}

/**
 * A service task as the gate names it to ECS when it acts on the service: which service it claims (`group`
 * `service:<name>`), the deployment that started it (`startedBy` `ecs-svc/<id>`) and the revision it runs. `group`
 * and `startedBy` are free-form RunTask parameters, so the adapter confirms them against ECS's own record of the
 * service before anything is done to it.
 */
export interface ServiceTaskRef {
  cluster: string;
  service: string;
  /** `ecs-svc/<id>`, as in the task's `startedBy` (DescribeServices `deployments[].id`). */
  deploymentId: string;
  /** The task definition revision ARN the task runs. */
  taskDefinitionArn: string;
}

/** A service revision (DescribeServiceRevisions): its task definition and container images, digests as ECS resolved them. */
export interface ServiceRevisionImages {
  serviceRevisionArn: string;
  taskDefinitionArn: string;
  containers: { name: string; image: string; imageDigest?: string }[];
}

/**
 * Where the task's deployment stood when the gate asked to roll it back, and what was done:
 * - `rolledBack`: it was in progress and is now rolled back (StopServiceDeployment ROLLBACK of exactly that
 *   deployment); `repeated` when a rollback of it was already under way, so ECS was not asked again;
 * - `completed`: it already completed, too late for StopServiceDeployment. `previous` is the revision it replaced
 *   (its `sourceServiceRevisions`), when ECS still describes one; the caller decides whether to restore it;
 * - `nothingToRollBack`: it is the service's first deployment (no source revision), still in progress;
 * - `superseded`: the service has moved on to a newer deployment (a fix rolling out, or a rollback): the task's
 *   deployment is on its way out, so only the task needs stopping;
 * - `notInService`: ECS knows no deployment of that service with that id running that task definition. The task's
 *   service membership is unproven (a RunTask caller can set `group` and `startedBy`), so nothing is done to the service.
 * `desiredCount` is the service's, when the adapter read it (a service already at zero is not scaled again).
 */
export type RollbackOutcome =
  | { kind: 'rolledBack'; deploymentArn: string; repeated?: boolean }
  | { kind: 'completed'; deploymentArn: string; previous?: ServiceRevisionImages; desiredCount?: number }
  | { kind: 'nothingToRollBack'; deploymentArn?: string; desiredCount?: number }
  | { kind: 'superseded'; by?: string }
  | { kind: 'notInService'; why: string };

export interface EcsPort extends PauseHookPort {
  describeTasks(cluster: string, taskArns: string[]): Promise<RunningTask[]>;
  /** Stopping a task that already stopped is success, not an error. */
  stopTask(cluster: string, taskArn: string, reason: string): Promise<void>;
  /**
   * Rolls back the deployment that started `task`, and only that one: confirmed to be one of the service's, running
   * the task's revision, and still the service's current deployment. Safe to repeat: a rollback under way is
   * reported (`repeated`), not requested again, and once ECS moves on the answer is `superseded`.
   */
  rollbackDeployment(task: ServiceTaskRef, reason: string): Promise<RollbackOutcome>;
  /**
   * UpdateService to a task definition revision (the one a completed bad deployment replaced): ECS starts a new
   * deployment of it and retires the bad one's tasks. Only the task definition changes.
   */
  restoreServiceRevision(cluster: string, service: string, taskDefinitionArn: string, reason: string): Promise<void>;
  scaleService(cluster: string, service: string, desiredCount: number): Promise<void>;
  /** Container images of a service revision, with digests when ECS resolved them (lifecycle hook). */
  describeServiceRevision(serviceRevisionArn: string): Promise<DescribedServiceRevision>;
}

/** A service revision about to start, as the lifecycle hooks read it (DescribeServiceRevisions). */
export interface DescribedServiceRevision {
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  containers: { name: string; image: string; imageDigest?: string }[];
  /**
   * What the revision says about the launch (`launchFactsFromServiceRevision`): its platform version and whether its
   * tasks get a public IP. A service revision has no `enableExecuteCommand` (API_ServiceRevision), so ECS Exec is
   * never among them. Absent from implementations that cannot tell.
   */
  launch?: LaunchFacts;
  /** Whether the revision has load balancers (`loadBalancers[]`), when known: what `exposureFromLaunch` needs besides the public IP. */
  loadBalancing?: LoadBalancing;
}

/** A PAUSE lifecycle hook of a service deployment (DescribeServiceDeployments `lifecycleHookDetails[]`, targetType PAUSE). */
export interface PauseHookDetail {
  hookId: string;
  /** AWAITING_ACTION | IN_PROGRESS | SUCCEEDED | FAILED | TIMED_OUT (API_DeploymentLifecycleHookDetail); only AWAITING_ACTION may be continued. */
  status: string;
  /** ISO-8601: when ECS takes `timeoutAction`. */
  expiresAt?: string;
  timeoutAction?: string;
}

/** A service deployment as the PAUSE admission path needs it (DescribeServiceDeployments). */
export interface PausedDeployment {
  serviceDeploymentArn: string;
  serviceArn: string;
  clusterArn: string;
  /** PENDING | IN_PROGRESS | SUCCESSFUL | STOPPED | ... (API_ServiceDeployment); a hook can be continued only while IN_PROGRESS. */
  status: string;
  /**
   * The deployment's current lifecycle stage (ServiceDeployment `lifecycleStage`: RECONCILE_SERVICE, PRE_SCALE_UP, ...);
   * absent when ECS does not say. A PAUSE hook AWAITING_ACTION is paused at this stage.
   */
  lifecycleStage?: string;
  targetServiceRevisionArn: string;
  pauseHooks: PauseHookDetail[];
}

export type ContinueAction = 'CONTINUE' | 'ROLLBACK';

/** The lifecycle-hook calls of the PAUSE admission path. */
export interface PauseHookPort {
  /**
   * The deployments a hook-state event may be about: the one named, or the service's deployments in progress. Only
   * PAUSE hooks are listed; a deployment ECS does not know is left out.
   */
  describePausedDeployments(target: { serviceDeploymentArn: string } | { serviceArn: string }): Promise<PausedDeployment[]>;
  /** ContinueServiceDeployment: CONTINUE or ROLLBACK one paused hook. */
  continueServiceDeployment(serviceDeploymentArn: string, hookId: string, action: ContinueAction): Promise<void>;
}

export interface TaskDefinitionPort {
  /** Task definitions are immutable per revision: implementations may cache forever. */
  get(taskDefinitionArn: string): Promise<TaskDefinitionSpec>;
}

// ---------- ECR ----------

/** What an ECR tag names now: its manifest digest, and when that image was pushed (DescribeImages `imagePushedAt`). */
export interface ResolvedTag {
  digest: string;
  /** ISO-8601; absent when the registry does not say. Without it the gate cannot tell whether a task pulled this image. */
  pushedAt?: string;
  /**
   * DescribeImages `imageSizeInBytes`, as ECR gave it (the compressed size; unchecked: core/gate/compute-routing.ts reads
   * it). Absent when the registry does not say. Decides whether the image's scan starts on the EC2 fallback project.
   */
  sizeBytes?: number;
}

export interface RegistryPort {
  /** Resolves an ECR tag to the image it names now; undefined when the image or tag does not exist. */
  resolveDigest(reference: ImageReference): Promise<ResolvedTag | undefined>;
  /**
   * DescribeImages by digest: the image's `imageSizeInBytes` as ECR gives it (unchecked), undefined when the image is not
   * in ECR, not found, or has no size. Asked once per scan the gate is about to start without a size, to choose where the
   * scan starts (handlers/scans/image-size.ts). Optional: a registry without it leaves every size unknown.
   */
  imageSize?(reference: ImageReference): Promise<number | undefined>;
}

// ---------- CodeBuild + S3 ----------

export interface ScanRequest {
  scanId: string;
  digest: string;
  /** Reference the build pulls: pinned by digest whenever the digest is known. */
  imageReference: string;
  /** Where the build writes the raw report (S3 key under the reports bucket); the SBOM goes beside it (`sbomKeyFor`). */
  reportKey: string;
  /**
   * `image` (absent: the default) pulls and scans the image; `sbom` re-judges the SBOM stored at `sbomKey` against the
   * newest vulnerability data without pulling the image (the posture sweep's re-judgement of a digest in use).
   */
  mode?: ScanMode;
  /** For `sbom` scans: the S3 key of the stored CycloneDX SBOM. */
  sbomKey?: string;
  /** `ec2Fallback`: run on the EC2 fallback project (a retry of a scan that outgrew Lambda compute); absent: the scan project. */
  compute?: ScanCompute;
}

/** How a scan learns what is in the image: pulling it, or from the SBOM an earlier scan of it kept. */
export type ScanMode = 'image' | 'sbom';

export type BuildStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'FAULT' | 'TIMED_OUT' | 'STOPPED';

/** Thrown by `startScan` when CodeBuild refuses for capacity (throttling, account build limit): retry later. */
export class ScanCapacityError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScanCapacityError';
  }
}

export interface ScannerPort {
  startScan(request: ScanRequest): Promise<{ buildId: string }>;
  /**
   * `failedPhase`: the first phase that did not succeed, when the build says; `failedPhaseExitStatus`: the exit status
   * of the command that failed it, when its phase context says (both decide the EC2 fallback).
   */
  getBuildStatuses(buildIds: string[]): Promise<{ buildId: string; status: BuildStatus; failedPhase?: BuildPhaseType; failedPhaseExitStatus?: number }[]>;
}

export interface ReportPort {
  /** Raw report text; throws `ReportMissingError` when the object is not there. */
  getReport(reportKey: string): Promise<string>;
  /** Where a reviewer finds the report (`s3://bucket/key`). */
  locationOf(reportKey: string): string;
}

export class ReportMissingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportMissingError';
  }
}

// ---------- EventBridge, logs, metrics, time ----------

export interface VerdictEvent {
  decision: Decision;
  mode: 'enforce' | 'audit';
  action: 'none' | 'stopTask' | 'rollbackDeployment' | 'scaleService' | 'hookFailed' | 'hookSucceeded';
  rules: string[];
  policy: { name: string; hash: string };
  /** The account the task or service runs in (from its ARNs): one gate may serve a whole organisation. */
  account?: string;
  cluster?: string;
  service?: string;
  taskArn?: string;
  taskDefinitionArn?: string;
  images: { container?: string; image?: string; digest?: string; buildId?: string; reportLocation?: string }[];
  launchedBy?: string;
  violations: { rule: string; kind: string; container?: string; id: string; severity: string; action: string; message: string }[];
  /** How many violations the decision had; `violations` lists at most the first 100 (deny first, most severe first) to keep the event small. */
  totalViolations?: number;
  /** Why an image could not be judged (scan errors, scans too old), when the decision involves any. */
  errors?: { container?: string; message: string }[];
}

export interface NotifierPort {
  publishVerdict(event: VerdictEvent): Promise<void>;
}

export interface MetricsPort {
  count(name: string, value?: number, dimensions?: Record<string, string>): void;
  timing(name: string, milliseconds: number, dimensions?: Record<string, string>): void;
  flush(): void;
}

export interface Clock {
  now(): Date;
}

/** Every port the gate's handlers take: AWS adapters in Lambda, in-memory ones in simulate, tests and the benchmark. */
export interface GatePorts {
  store: GateStore;
  ecs: EcsPort;
  taskDefinitions: TaskDefinitionPort;
  registry: RegistryPort;
  scanner: ScannerPort;
  reports: ReportPort;
  notifier: NotifierPort;
  metrics: MetricsPort;
  clock: Clock;
  /**
   * The gate's count of its own Lambda-compute scan builds (core/gate/lambda-overflow.ts), on a stack whose scan project
   * runs on Lambda compute with an EC2 fallback: a new scan starts on the fallback when every slot is held. Absent: no
   * count, every scan starts where it would without it.
   */
  lambdaComputeSlots?: LambdaComputeSlotsPort;
}
