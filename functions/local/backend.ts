import type { GatePorts, ScanRequest } from '../core/ports';
import { isSha256Digest, parseImageReference } from '../core/image/reference';
import { ActivityLog } from './activity';
import { ManualClock } from './clock';
import { FakeScanner, type ScanOutcome } from './codebuild';
import { FakeEcs, type TaskStatus } from './ecs';
import { FakeRegistry } from './ecr';
import { DEFAULT_LOCATION, IdSource, type AwsLocation } from './ids';
import { MemoryGateStore } from './memory-store';
import { MemoryFindingEvents } from './finding-events';
import { MemoryInventoryStore } from './memory-inventory';
import { MemoryOpenFindingStore } from './memory-open-findings';
import { FakeTaskListing } from './ecs-listing';
import { RecordingMetrics, RecordingNotifier } from './notifier';
import { MemoryReports } from './reports';
import { MemoryTaskDefinitions } from './task-definitions';
import { MemoryLambdaComputeSlots } from './memory-lambda-slots';

/** Every port the gate's handlers take, implemented in memory. */
export type LocalPorts = GatePorts;

export interface LocalBackendOptions {
  location?: AwsLocation;
  /** Seed for every generated id: the same seed and inputs give the same ARNs. */
  seed?: string;
  start?: Date | string;
  reportBucket?: string;
  scanProjectName?: string;
  /** `lambda`: the scan project runs on Lambda compute (15-minute builds) with an EC2 fallback project; `ec2` (default): on EC2. */
  scanCompute?: 'lambda' | 'ec2';
  scanDurationMs?: number;
  buildTimeoutMs?: number;
  maxConcurrentBuilds?: number;
  /** With `scanCompute: 'lambda'`: the account's quota of running Lambda-compute builds (FakeScanner `lambdaComputeQuota`). */
  lambdaComputeQuota?: number;
  /** With `scanCompute: 'lambda'`: the scan project's own concurrent build limit (FakeScanner `scanProjectBuildLimit`). */
  scanProjectBuildLimit?: number;
  taskStepDelayMs?: number;
  taskStopDelayMs?: number;
  digestVisibleFrom?: TaskStatus;
  loopLimit?: number;
  /** Time from "all new tasks run" to a service deployment being COMPLETED (no longer rollback-able). */
  deploymentSettleMs?: number;
  /** False for long replays: actions are counted, not kept. */
  keepActions?: boolean;
}

type Scheduler = (delayMs: number, callback: () => void) => void;

/**
 * Images as they exist in the world, and how a scan of each ends. ECR images live in the fake registry
 * (tags can move); images in other registries are known here by reference. Outcomes belong to digests,
 * since a scan judges content, not names.
 */
export class ImageCatalog {
  private readonly otherRegistries = new Map<string, string>();
  private readonly outcomes = new Map<string, ScanOutcome>();

  constructor(private readonly registry: FakeRegistry) {}

  /** Makes `reference` resolve to `digest` (a push, for ECR) and says how scanning that digest ends. */
  declare(reference: string, digest: string, outcome?: ScanOutcome): { previousDigest?: string } {
    const ref = parseImageReference(reference);
    if (outcome) this.outcomes.set(digest, outcome);
    if (ref.ecr) return this.registry.push(reference, digest);
    const key = `${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`;
    const previousDigest = this.otherRegistries.get(key);
    this.otherRegistries.set(key, digest);
    this.otherRegistries.set(`${ref.registry}/${ref.repository}@${digest}`, digest);
    return previousDigest && previousDigest !== digest ? { previousDigest } : {};
  }

  setOutcome(digest: string, outcome: ScanOutcome): void {
    this.outcomes.set(digest, outcome);
  }

  /** The digest a pull of `image` gets now. */
  resolve(image: string): string | undefined {
    let ref;
    try {
      ref = parseImageReference(image);
    } catch {
      return undefined;
    }
    if (ref.ecr) return this.registry.currentDigest(ref);
    if (ref.digest) return this.otherRegistries.get(`${ref.registry}/${ref.repository}@${ref.digest}`);
    return this.otherRegistries.get(`${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`);
  }

  /** How the scan the gate asked for ends: by the digest it names, or by what its reference pulls. */
  outcomeFor(request: ScanRequest): ScanOutcome | undefined {
    const pulled = isSha256Digest(request.digest) ? request.digest : this.resolve(request.imageReference);
    if (!pulled) return undefined;
    const outcome = this.outcomes.get(pulled);
    return outcome ? { ...outcome, digest: pulled } : undefined;
  }
}

/**
 * The whole fake AWS account the gate runs against when there is no AWS account: one clock, one id
 * source, one activity log, and every port.
 */
export class LocalBackend {
  readonly location: AwsLocation;
  readonly clock: ManualClock;
  readonly ids: IdSource;
  readonly activity: ActivityLog;
  readonly store: MemoryGateStore;
  readonly taskDefinitions: MemoryTaskDefinitions;
  readonly registry: FakeRegistry;
  readonly images: ImageCatalog;
  readonly reports: MemoryReports;
  readonly scanner: FakeScanner;
  readonly ecs: FakeEcs;
  readonly notifier: RecordingNotifier;
  readonly metrics: RecordingMetrics;
  readonly ports: LocalPorts;
  /** The inventory (posture ports): not among `ports`, so a gate built from them alone records nothing (the benchmark's runtime part). */
  readonly inventory: MemoryInventoryStore;
  /** The "Fargate Gate Finding" events the gate published on its bus (posture ports, like `inventory`). */
  readonly findingEvents: MemoryFindingEvents;
  /** The findings whose opened event went out and whose resolved event has not (posture ports, like `inventory`). */
  readonly openFindings: MemoryOpenFindingStore;
  /** ListTasks / DescribeTasks on the world, for the inventory's reconciliation. */
  readonly taskListing: FakeTaskListing;
  private scheduler: Scheduler | undefined;

  constructor(options: LocalBackendOptions = {}) {
    this.location = options.location ?? DEFAULT_LOCATION;
    this.clock = new ManualClock(options.start ?? '2026-01-05T09:00:00Z');
    this.ids = new IdSource(options.seed ?? 'fargate-gate');
    this.activity = new ActivityLog(() => this.clock.now());
    this.activity.keepActions = options.keepActions ?? true;
    this.store = new MemoryGateStore(this.clock, this.activity);
    this.taskDefinitions = new MemoryTaskDefinitions(this.location, this.activity);
    this.registry = new FakeRegistry(this.activity, () => this.clock.now());
    this.images = new ImageCatalog(this.registry);
    this.reports = new MemoryReports(options.reportBucket ?? `fargate-gate-reports-${this.location.account}`, this.activity);
    const schedule: Scheduler = (delayMs, callback) => {
      if (!this.scheduler) throw new Error('LocalBackend: no simulation is driving time (attach one before launching tasks or scans)');
      this.scheduler(delayMs, callback);
    };
    this.scanner = new FakeScanner({
      location: this.location,
      ids: this.ids,
      reports: this.reports,
      activity: this.activity,
      now: () => this.clock.millis(),
      schedule,
      outcomeFor: (request) => this.images.outcomeFor(request),
      projectName: options.scanProjectName,
      ...(options.scanCompute === 'lambda' ? { fallbackProjectName: `${options.scanProjectName ?? 'fargate-gate-scan'}-ec2` } : {}),
      defaultDurationMs: options.scanDurationMs,
      buildTimeoutMs: options.buildTimeoutMs,
      maxConcurrentBuilds: options.maxConcurrentBuilds,
      ...(options.lambdaComputeQuota !== undefined ? { lambdaComputeQuota: options.lambdaComputeQuota } : {}),
      ...(options.scanProjectBuildLimit !== undefined ? { scanProjectBuildLimit: options.scanProjectBuildLimit } : {}),
    });
    this.ecs = new FakeEcs({
      location: this.location,
      ids: this.ids,
      activity: this.activity,
      taskDefinitions: this.taskDefinitions,
      now: () => this.clock.millis(),
      schedule,
      resolveImage: (image) => this.images.resolve(image),
      stepDelayMs: options.taskStepDelayMs,
      stopDelayMs: options.taskStopDelayMs,
      digestVisibleFrom: options.digestVisibleFrom,
      loopLimit: options.loopLimit,
      deploymentSettleMs: options.deploymentSettleMs,
    });
    this.inventory = new MemoryInventoryStore(this.clock, this.activity);
    this.findingEvents = new MemoryFindingEvents(this.activity);
    this.openFindings = new MemoryOpenFindingStore(this.clock, this.activity);
    this.taskListing = new FakeTaskListing(this.ecs, this.activity, () => this.clock.millis(), this.taskDefinitions);
    this.notifier = new RecordingNotifier(this.activity);
    this.metrics = new RecordingMetrics(() => this.activity.keepActions);
    this.ports = {
      store: this.store,
      ecs: this.ecs,
      taskDefinitions: this.taskDefinitions,
      registry: this.registry,
      scanner: this.scanner,
      reports: this.reports,
      notifier: this.notifier,
      metrics: this.metrics,
      clock: this.clock,
      // The gate's count of its Lambda-compute builds, on a scan project on Lambda compute (as the Lambda wiring does).
      ...(options.scanCompute === 'lambda' ? { lambdaComputeSlots: new MemoryLambdaComputeSlots(this.clock, this.activity) } : {}),
    };
  }

  /** The simulation that owns time calls this once; the world's delayed moves go through it. */
  attachScheduler(scheduler: Scheduler): void {
    this.scheduler = scheduler;
  }
}
