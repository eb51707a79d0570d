import { InputError } from '../../../functions/core/errors';
import type { ImageReference } from '../../../functions/core/image/reference';
import type { LoadedPolicy, Policy } from '../../../functions/core/policy';
import { loadPolicy } from '../../../functions/core/policy/load';
import {
  type DescribedServiceRevision,
  type ContinueAction,
  type PausedDeployment,
  ReportMissingError,
  ScanCapacityError,
  isExpectedScan,
  type BuildStatus,
  type ExpectedScan,
  type EnforcementRecord,
  type GateStore,
  type RollbackOutcome,
  type RunningTask,
  type ScanRecord,
  type ScanRequest,
  type ServiceTaskRef,
  type StoredVerdict,
  type VerdictEvent,
  type Waiter,
} from '../../../functions/core/ports';
import type { TaskDefinitionSpec } from '../../../functions/core/taskdef/model';
import type { GateDependencies } from '../../../functions/handlers/gate';

/**
 * Recording fake ports for the gate's use-case tests: plain in-memory behaviour with the store's conditional
 * semantics, and one `calls` list naming every port call in order ("store.getVerdicts", "ecs.stopTask", ...), which
 * is what the call-budget tests count. Metrics are not port calls to AWS and are kept apart.
 */
export class Recorder {
  readonly calls: string[] = [];
  record(name: string): void {
    this.calls.push(name);
  }
  count(name: string): number {
    return this.calls.filter((c) => c === name).length;
  }
  reset(): void {
    this.calls.length = 0;
  }
}

const clone = <T>(value: T): T => (value === undefined ? value : structuredClone(value));

export class FakeStore implements GateStore {
  readonly verdicts = new Map<string, StoredVerdict>();
  readonly scans = new Map<string, ScanRecord>();
  readonly waiters = new Map<string, Map<string, Waiter>>();
  readonly enforcements = new Map<string, EnforcementRecord>();
  readonly versions = new Map<string, number>();
  readonly launchers = new Map<string, string>();
  /** Make the next call of a method throw this error. */
  readonly failNext = new Map<string, unknown>();

  constructor(private readonly recorder: Recorder) {}

  private call(method: string): void {
    this.recorder.record(`store.${method}`);
    const failure = this.failNext.get(method);
    if (failure !== undefined) {
      this.failNext.delete(method);
      throw failure;
    }
  }

  private lookup(digests: string[], policyHash: string): Map<string, StoredVerdict> {
    const found = new Map<string, StoredVerdict>();
    for (const digest of digests) {
      const verdict = this.verdicts.get(`${digest}#${policyHash}`);
      if (verdict) found.set(digest, clone(verdict));
    }
    return found;
  }

  async getVerdict(digest: string, policyHash: string) {
    this.call('getVerdict');
    return clone(this.verdicts.get(`${digest}#${policyHash}`));
  }
  async getVerdicts(digests: string[], policyHash: string) {
    this.call('getVerdicts');
    return this.lookup(digests, policyHash);
  }
  async getVerdictsForTask(digests: string[], policyHash: string, taskArn: string) {
    this.call('getVerdictsForTask');
    const launcher = this.launchers.get(taskArn);
    return launcher === undefined ? { verdicts: this.lookup(digests, policyHash) } : { verdicts: this.lookup(digests, policyHash), launcher };
  }
  async getLatestVerdict(digest: string) {
    this.call('getLatestVerdict');
    const all = [...this.verdicts.values()].filter((verdict) => verdict.digest === digest);
    return clone(all.reduce<StoredVerdict | undefined>((best, verdict) => (!best || verdict.scannedAt > best.scannedAt ? verdict : best), undefined));
  }
  async putVerdict(verdict: StoredVerdict) {
    this.call('putVerdict');
    this.verdicts.set(`${verdict.digest}#${verdict.policyHash}`, clone(verdict));
  }
  async claimScan(record: ScanRecord, replacing?: Pick<ScanRecord, 'scanId'>) {
    this.call('claimScan');
    const existing = this.scans.get(record.digest);
    if (existing && !(existing.state === 'error' && existing.scanId === replacing?.scanId)) return false;
    this.scans.set(record.digest, clone(record));
    return true;
  }
  async getScan(digest: string) {
    this.call('getScan');
    return clone(this.scans.get(digest));
  }
  async updateScan(digest: string, expected: ExpectedScan, changes: Partial<Omit<ScanRecord, 'digest'>>) {
    this.call('updateScan');
    const existing = this.scans.get(digest);
    if (!isExpectedScan(existing, expected)) return false;
    // As the real stores do: an optional field given as undefined is cleared, a required one is left as it is.
    const updated: Record<string, unknown> = { ...existing };
    for (const [field, value] of Object.entries(changes)) {
      if (value !== undefined) updated[field] = clone(value);
      else if (['buildId', 'reportLocation', 'error', 'retryAt', 'finishFailures', 'mode', 'sbomKey', 'compute', 'rejudgeRequestedAt'].includes(field)) delete updated[field];
    }
    this.scans.set(digest, { ...(updated as unknown as ScanRecord), digest });
    return true;
  }
  async listUnfinishedScans() {
    this.call('listUnfinishedScans');
    return [...this.scans.values()].filter((s) => s.state === 'queued' || s.state === 'running').map(clone);
  }
  async addWaiter(waiter: Waiter) {
    this.call('addWaiter');
    const forDigest = this.waiters.get(waiter.digest) ?? new Map<string, Waiter>();
    this.waiters.set(waiter.digest, forDigest);
    if (forDigest.has(waiter.taskArn)) return false;
    forDigest.set(waiter.taskArn, clone(waiter));
    return true;
  }
  async listWaiters(digest: string) {
    this.call('listWaiters');
    return [...(this.waiters.get(digest)?.values() ?? [])].map(clone);
  }
  async removeWaiter(digest: string, taskArn: string) {
    this.call('removeWaiter');
    this.waiters.get(digest)?.delete(taskArn);
  }
  async claimEnforcement(record: EnforcementRecord) {
    this.call('claimEnforcement');
    if (this.enforcements.has(record.key)) return false;
    this.enforcements.set(record.key, clone(record));
    return true;
  }
  async releaseEnforcement(key: string) {
    this.call('releaseEnforcement');
    this.enforcements.delete(key);
  }
  async advanceTaskVersion(taskArn: string, version: number) {
    this.call('advanceTaskVersion');
    const stored = this.versions.get(taskArn);
    if (stored !== undefined && stored >= version) return false;
    this.versions.set(taskArn, version);
    return true;
  }
  async rememberLauncher(taskArn: string, principal: string) {
    this.call('rememberLauncher');
    this.launchers.set(taskArn, principal);
  }
  async getLauncher(taskArn: string) {
    this.call('getLauncher');
    return this.launchers.get(taskArn);
  }

  allWaiters(): Waiter[] {
    return [...this.waiters.values()].flatMap((m) => [...m.values()]);
  }
}

export class FakeEcs {
  readonly tasks = new Map<string, RunningTask>();
  readonly stops: { cluster: string; taskArn: string; reason: string }[] = [];
  /** Rollbacks ECS was asked for (StopServiceDeployment); a call that found one under way is not one. */
  readonly rollbacks: { cluster: string; service: string; deploymentId: string; taskDefinitionArn: string; reason: string }[] = [];
  readonly restores: { cluster: string; service: string; taskDefinitionArn: string; reason: string }[] = [];
  readonly scales: { cluster: string; service: string; desiredCount: number }[] = [];
  /**
   * What rollbackDeployment answers, as the adapter would. By default every deployment is in progress with a
   * revision to return to: the first call rolls it back, later calls for the same deployment report it under way
   * (`repeated`), as the adapter reads ECS. A fixed outcome or a function of the task replaces that.
   */
  rollbackOutcome: RollbackOutcome | ((task: ServiceTaskRef) => RollbackOutcome) | undefined;
  private readonly rolledBack = new Set<string>();
  revisions = new Map<string, DescribedServiceRevision>();
  failNext = new Map<string, unknown>();

  constructor(private readonly recorder: Recorder) {}

  private call(method: string): void {
    this.recorder.record(`ecs.${method}`);
    const failure = this.failNext.get(method);
    if (failure !== undefined) {
      this.failNext.delete(method);
      throw failure;
    }
  }

  async describeTasks(_cluster: string, taskArns: string[]) {
    this.call('describeTasks');
    return taskArns.flatMap((arn) => (this.tasks.has(arn) ? [clone(this.tasks.get(arn) as RunningTask)] : []));
  }
  async stopTask(cluster: string, taskArn: string, reason: string) {
    this.call('stopTask');
    if (reason.length > 255) throw Object.assign(new Error('reason too long'), { name: 'InvalidParameterException', $fault: 'client' });
    this.stops.push({ cluster, taskArn, reason });
    const task = this.tasks.get(taskArn);
    if (task) task.desiredStatus = 'STOPPED';
  }
  async rollbackDeployment(task: ServiceTaskRef, reason: string): Promise<RollbackOutcome> {
    this.call('rollbackDeployment');
    const configured = typeof this.rollbackOutcome === 'function' ? this.rollbackOutcome(task) : this.rollbackOutcome;
    const deploymentArn = `arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/${task.service}/${task.deploymentId.replace('ecs-svc/', '')}`;
    const outcome: RollbackOutcome = configured ?? (this.rolledBack.has(deploymentArn) ? { kind: 'rolledBack', deploymentArn, repeated: true } : { kind: 'rolledBack', deploymentArn });
    if (outcome.kind === 'rolledBack' && !outcome.repeated) {
      this.rolledBack.add(outcome.deploymentArn);
      this.rollbacks.push({ cluster: task.cluster, service: task.service, deploymentId: task.deploymentId, taskDefinitionArn: task.taskDefinitionArn, reason });
    }
    return clone(outcome);
  }
  async restoreServiceRevision(cluster: string, service: string, taskDefinitionArn: string, reason: string) {
    this.call('restoreServiceRevision');
    this.restores.push({ cluster, service, taskDefinitionArn, reason });
  }
  async scaleService(cluster: string, service: string, desiredCount: number) {
    this.call('scaleService');
    this.scales.push({ cluster, service, desiredCount });
  }
  /** Service deployments with PAUSE hooks, by ARN, as describePausedDeployments reads them. */
  pausedDeployments = new Map<string, PausedDeployment>();
  readonly continues: { serviceDeploymentArn: string; hookId: string; action: ContinueAction }[] = [];

  async describePausedDeployments(target: { serviceDeploymentArn: string } | { serviceArn: string }): Promise<PausedDeployment[]> {
    this.call('describePausedDeployments');
    const all = [...this.pausedDeployments.values()];
    const found = 'serviceDeploymentArn' in target ? all.filter((d) => d.serviceDeploymentArn === target.serviceDeploymentArn) : all.filter((d) => d.serviceArn === target.serviceArn && d.status === 'IN_PROGRESS');
    return clone(found);
  }

  /** As ECS: only a hook AWAITING_ACTION of a deployment IN_PROGRESS may be continued; anything else is InvalidParameterException. */
  async continueServiceDeployment(serviceDeploymentArn: string, hookId: string, action: ContinueAction): Promise<void> {
    this.call('continueServiceDeployment');
    const deployment = this.pausedDeployments.get(serviceDeploymentArn);
    const hook = deployment?.pauseHooks.find((h) => h.hookId === hookId);
    if (!deployment || !hook || hook.status !== 'AWAITING_ACTION' || deployment.status !== 'IN_PROGRESS') {
      throw Object.assign(new Error('The hook is not awaiting action.'), { name: 'InvalidParameterException', $fault: 'client' });
    }
    hook.status = 'SUCCEEDED';
    deployment.status = action === 'ROLLBACK' ? 'ROLLBACK_IN_PROGRESS' : 'IN_PROGRESS';
    this.continues.push({ serviceDeploymentArn, hookId, action });
  }

  async describeServiceRevision(arn: string) {
    this.call('describeServiceRevision');
    const revision = this.revisions.get(arn);
    if (!revision) throw Object.assign(new Error('revision not found'), { name: 'ServiceRevisionNotFoundException', $fault: 'client' });
    return clone(revision);
  }
}

export class FakeTaskDefinitions {
  readonly specs = new Map<string, TaskDefinitionSpec>();
  constructor(private readonly recorder: Recorder) {}
  async get(arn: string) {
    this.recorder.record('taskDefinitions.get');
    const spec = this.specs.get(arn);
    if (!spec) throw new InputError(`no task definition ${arn}`, { source: 'fake' });
    return clone(spec);
  }
}

export class FakeRegistry {
  /** `registry/repository:tag` → digest */
  readonly tags = new Map<string, string>();
  /** digest → ISO time the image was pushed (DescribeImages `imagePushedAt`); absent: ECR did not say. */
  readonly pushedAt = new Map<string, string>();
  /** digest → DescribeImages `imageSizeInBytes` as ECR would give it (any value: the gate must cope); absent: not said. */
  readonly sizes = new Map<string, number>();
  constructor(private readonly recorder: Recorder) {}
  async resolveDigest(reference: ImageReference) {
    this.recorder.record('registry.resolveDigest');
    const digest = this.tags.get(`${reference.registry}/${reference.repository}:${reference.tag ?? 'latest'}`);
    if (digest === undefined) return undefined;
    const pushedAt = this.pushedAt.get(digest);
    const sizeBytes = this.sizes.get(digest);
    return { digest, ...(pushedAt ? { pushedAt } : {}), ...(sizeBytes !== undefined ? { sizeBytes } : {}) };
  }
  async imageSize(reference: ImageReference) {
    this.recorder.record('registry.imageSize');
    return reference.digest ? this.sizes.get(reference.digest) : undefined;
  }
}

export class FakeScanner {
  readonly requests: ScanRequest[] = [];
  readonly statuses = new Map<string, BuildStatus>();
  /** The phase a polled build failed in (BatchGetBuilds phases), by build id. */
  readonly failedPhases = new Map<string, string>();
  /** The exit status a polled build's failed phase reports (BatchGetBuilds phase contexts), by build id. */
  readonly failedPhaseExitStatuses = new Map<string, number>();
  /** StartBuild refusals for capacity still to come. */
  capacityErrors = 0;
  private builds = 0;
  constructor(private readonly recorder: Recorder) {}
  async startScan(request: ScanRequest) {
    this.recorder.record('scanner.startScan');
    if (this.capacityErrors > 0) {
      this.capacityErrors -= 1;
      throw new ScanCapacityError('AccountLimitExceededException: too many builds');
    }
    this.requests.push(clone(request));
    this.builds += 1;
    // A retry on the EC2 fallback runs on a project of its own (its build ids name it).
    const buildId = `${request.compute === 'ec2Fallback' ? 'fargate-gate-scan-ec2' : 'fargate-gate-scan'}:build-${this.builds}`;
    this.statuses.set(buildId, 'IN_PROGRESS');
    return { buildId };
  }
  async getBuildStatuses(buildIds: string[]) {
    this.recorder.record('scanner.getBuildStatuses');
    return buildIds.flatMap((buildId) => {
      if (!this.statuses.has(buildId)) return [];
      const failedPhase = this.failedPhases.get(buildId);
      const failedPhaseExitStatus = this.failedPhaseExitStatuses.get(buildId);
      return [{ buildId, status: this.statuses.get(buildId) as BuildStatus, ...(failedPhase ? { failedPhase } : {}), ...(failedPhaseExitStatus !== undefined ? { failedPhaseExitStatus } : {}) }];
    });
  }
}

export class FakeReports {
  readonly objects = new Map<string, string>();
  constructor(private readonly recorder: Recorder) {}
  async getReport(key: string) {
    this.recorder.record('reports.getReport');
    const text = this.objects.get(key);
    if (text === undefined) throw new ReportMissingError(`no object ${key}`);
    return text;
  }
  locationOf(key: string) {
    return `s3://reports-bucket/${key}`;
  }
}

export class FakeNotifier {
  readonly published: VerdictEvent[] = [];
  failNext: unknown;
  constructor(private readonly recorder: Recorder) {}
  async publishVerdict(event: VerdictEvent) {
    this.recorder.record('notifier.publishVerdict');
    if (this.failNext !== undefined) {
      const failure = this.failNext;
      this.failNext = undefined;
      throw failure;
    }
    this.published.push(clone(event));
  }
}

export class FakeMetrics {
  readonly counts: { name: string; value: number; dimensions?: Record<string, string> }[] = [];
  readonly timings: { name: string; value: number; dimensions?: Record<string, string> }[] = [];
  count(name: string, value = 1, dimensions?: Record<string, string>) {
    this.counts.push({ name, value, dimensions });
  }
  timing(name: string, value: number, dimensions?: Record<string, string>) {
    this.timings.push({ name, value, dimensions });
  }
  flush() {}
  total(name: string, dimensions?: Record<string, string>): number {
    return this.counts
      .filter((c) => c.name === name && (!dimensions || Object.entries(dimensions).every(([k, v]) => c.dimensions?.[k] === v)))
      .reduce((sum, c) => sum + c.value, 0);
  }
}

export class ManualClock {
  private ms: number;
  constructor(start = '2026-01-05T09:00:00Z') {
    this.ms = Date.parse(start);
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface World {
  recorder: Recorder;
  store: FakeStore;
  ecs: FakeEcs;
  taskDefinitions: FakeTaskDefinitions;
  registry: FakeRegistry;
  scanner: FakeScanner;
  reports: FakeReports;
  notifier: FakeNotifier;
  metrics: FakeMetrics;
  clock: ManualClock;
  deps(policy: LoadedPolicy<Policy>, config?: GateDependencies['config']): GateDependencies;
  /** Port calls that reach AWS (everything but metrics): what the budget tests count. */
  calls(): string[];
}

export function createWorld(): World {
  const recorder = new Recorder();
  let ids = 0;
  const world: World = {
    recorder,
    store: new FakeStore(recorder),
    ecs: new FakeEcs(recorder),
    taskDefinitions: new FakeTaskDefinitions(recorder),
    registry: new FakeRegistry(recorder),
    scanner: new FakeScanner(recorder),
    reports: new FakeReports(recorder),
    notifier: new FakeNotifier(recorder),
    metrics: new FakeMetrics(),
    clock: new ManualClock(),
    deps(policy, config) {
      return {
        store: world.store,
        ecs: world.ecs,
        taskDefinitions: world.taskDefinitions,
        registry: world.registry,
        scanner: world.scanner,
        reports: world.reports,
        notifier: world.notifier,
        metrics: world.metrics,
        clock: world.clock,
        policy,
        config: { scanProjectName: 'fargate-gate-scan', ...config },
        newId: () => `scan-${String(++ids).padStart(4, '0')}`,
        random: () => 0.5,
      };
    },
    calls: () => [...recorder.calls],
  };
  return world;
}

export function policyOf(overrides: Record<string, unknown> = {}): LoadedPolicy<Policy> {
  return loadPolicy(
    {
      schemaVersion: '1',
      name: 'production',
      mode: 'enforce',
      onScanError: 'deny',
      rules: {
        rootUser: { action: 'deny' },
        secrets: { action: 'deny', environment: {} },
        vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } },
      },
      ...overrides,
    },
    'test policy',
  );
}
