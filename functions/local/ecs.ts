import type { ContinueAction, DescribedServiceRevision, EcsPort, PausedDeployment, RollbackOutcome, RunningTask, ServiceTaskRef } from '../core/ports';
import { DESCRIBE_TASKS_SOURCE, launchFactsFromServiceRevision, launchFactsFromTask } from '../core/taskdef/launch';
import type { ActivityLog } from './activity';
import { arns, clusterName, taskId, type AwsLocation, type IdSource } from './ids';
import type { MemoryTaskDefinitions } from './task-definitions';

/** Task lifecycle, in order (ECS developer guide, "Task lifecycle"). */
export const TASK_STATUSES = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export function statusRank(status: TaskStatus): number {
  return TASK_STATUSES.indexOf(status);
}

/** Why a task stopped, as the benchmark and the timelines need to tell it (ECS itself only has stopCode). */
export type StopCause =
  | 'gate' /** StopTask from the gate */
  | 'gateRollback' /** the scheduler draining a deployment the gate rolled back */
  | 'gateScale' /** the scheduler scaling in after the gate set desiredCount */
  | 'deployment' /** a rolling deployment replacing old tasks */
  | 'hookRollback' /** ECS rolling back after a lifecycle hook failed */
  | 'exit' /** the essential container exited */
  | 'user' /** someone else called StopTask */
  | 'failedToStart'; /** the image could not be pulled */

export interface WorldContainer {
  name: string;
  image: string;
  /** The digest the task runs; events show it only from `digestVisibleFrom` on. */
  imageDigest?: string;
  containerArn: string;
  runtimeId?: string;
  lastStatus: string;
  exitCode?: number;
}

export interface WorldTask {
  taskArn: string;
  clusterArn: string;
  cluster: string;
  taskDefinitionArn: string;
  group: string;
  startedBy?: string;
  service?: string;
  deploymentId?: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  version: number;
  containers: WorldContainer[];
  /** API_TaskOverride as ECS reports it: the RunTask caller's task-level overrides, and one container override per container at least. */
  overrides: { containerOverrides: Record<string, unknown>[]; [field: string]: unknown };
  /** Epoch ms timestamps */
  createdAt: number;
  connectivityAt?: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  updatedAt: number;
  stopCode?: string;
  stoppedReason?: string;
  stopCause?: StopCause;
  digestVisibleFrom: TaskStatus;
  /** Scenario label (`t1`). */
  label?: string;
  /** Principal that called RunTask. */
  launchedBy?: string;
  /** `enableExecuteCommand` as ECS reports it on the task (its service's, or false for RunTask). */
  enableExecuteCommand: boolean;
  /** `platformVersion` as ECS reports it on the task: LATEST resolved to the version it runs. */
  platformVersion: string;
}

/**
 * A service's launch settings (CreateService / UpdateService), with the API defaults: ECS Exec off, platform version
 * LATEST, no public IP (API_CreateService, API_AwsVpcConfiguration). `loadBalancer` says whether `loadBalancers[]`
 * names a target group; the world does not model the load balancer's scheme, as the gate does not read it.
 */
export interface ServiceLaunch {
  enableExecuteCommand: boolean;
  platformVersion: string;
  assignPublicIp: 'ENABLED' | 'DISABLED';
  loadBalancer: boolean;
}

export const DEFAULT_SERVICE_LAUNCH: ServiceLaunch = { enableExecuteCommand: false, platformVersion: 'LATEST', assignPublicIp: 'DISABLED', loadBalancer: false };
/** The Linux platform version LATEST resolves to (Fargate platform versions, 2026). */
const LATEST_PLATFORM_VERSION = '1.4.0';

/** ServiceDeployment statuses the world uses (ECS API_ServiceDeployment). */
export type DeploymentStatus = 'PENDING' | 'IN_PROGRESS' | 'SUCCESSFUL' | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_SUCCESSFUL';

const LIVE_STATUSES: readonly DeploymentStatus[] = ['PENDING', 'IN_PROGRESS', 'SUCCESSFUL'];

export interface WorldDeployment {
  /** `ecs-svc/<digits>`: what service tasks carry in `startedBy`. */
  id: string;
  arn: string;
  revisionArn: string;
  taskDefinitionArn: string;
  containers: { name: string; image: string; imageDigest?: string }[];
  status: DeploymentStatus;
  createdAt: number;
  /** Whether this deployment ever reached steady state: only such a deployment is a rollback target. */
  completed: boolean;
  /** The deployment the service was driving towards when this one started: its source revision. */
  sourceId?: string;
  /** Epoch ms since when all desired tasks of this deployment run; it completes `deploymentSettleMs` later. */
  runningSince?: number;
  hook: 'none' | 'waiting' | 'succeeded' | 'failed';
  rolledBackBy?: 'gate' | 'hook';
  rollbackReason?: string;
  /** Tasks of this deployment the gate stopped with StopTask; many of them mean a restart loop. */
  gateStops: number;
  /** The lifecycle hook execution: its id and the hookDetails ECS passes on each call (merged from answers). */
  hookExecution?: { id: string; details: Record<string, unknown>; invocations: number };
  /** The PAUSE hook at PRE_SCALE_UP, when the service has one: its id, status, and when ECS takes its timeout action. */
  pause?: { hookId: string; status: 'AWAITING_ACTION' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT'; expiresAt: number; timeoutAction: ContinueAction };
}

/** A PAUSE lifecycle hook at PRE_SCALE_UP (deploymentConfiguration.lifecycleHooks[] with targetType PAUSE). */
export interface WorldPauseHook {
  timeoutMs: number;
  timeoutAction: ContinueAction;
}

export interface WorldService {
  name: string;
  cluster: string;
  clusterArn: string;
  serviceArn: string;
  desiredCount: number;
  deployments: WorldDeployment[];
  lifecycleHook: boolean;
  pauseHook?: WorldPauseHook;
  launch: ServiceLaunch;
  scaledByGate: boolean;
  /** Set when the scheduler kept replacing tasks the gate kept stopping (`loopLimit` exceeded). */
  loopDetected: boolean;
}

export interface TaskChange {
  task: WorldTask;
  /** What changed, for timelines. */
  change: 'launched' | 'status' | 'desiredStatus';
}

export interface LaunchOptions {
  cluster: string;
  taskDefinitionArn: string;
  startedBy?: string;
  group?: string;
  overrides?: { containerOverrides?: Record<string, unknown>[]; [field: string]: unknown };
  label?: string;
  launchedBy?: string;
  /** Last status the task reaches on its own; default RUNNING. */
  until?: TaskStatus;
  /** From which status events carry `imageDigest`; default the world's setting. */
  digestVisibleFrom?: TaskStatus;
  service?: { name: string; deployment: WorldDeployment };
  /** Launch this far in the future (simulated ms); default now. */
  startInMs?: number;
}

export interface FakeEcsOptions {
  location: AwsLocation;
  ids: IdSource;
  activity: ActivityLog;
  taskDefinitions: MemoryTaskDefinitions;
  now: () => number;
  schedule: (delayMs: number, callback: () => void) => void;
  /** The digest a pull of `image` gets right now; undefined when it does not exist. */
  resolveImage: (image: string) => string | undefined;
  /** Simulated time between a task's lifecycle steps; 0 keeps them in order at one instant. */
  stepDelayMs?: number;
  /** Time from StopTask to STOPPED. */
  stopDelayMs?: number;
  digestVisibleFrom?: TaskStatus;
  /** How many gate stops of one deployment's tasks the scheduler replaces before the world calls it a loop. */
  loopLimit?: number;
  /**
   * Time from "all new tasks run" to the deployment being COMPLETED (health checks, load balancer
   * deregistration delay, bake time). Until then StopServiceDeployment can roll it back. Default 5 minutes.
   */
  deploymentSettleMs?: number;
}

const MAX_STOP_REASON = 255;

/**
 * ECS for Fargate, as far as the gate can tell: clusters, tasks with their lifecycle and versioned state
 * changes, services with deployments, revisions and a scheduler that replaces stopped tasks (so a gate
 * that only stops service tasks visibly loops), rollbacks, scaling, and lifecycle-hook waits.
 */
export class FakeEcs implements EcsPort {
  readonly tasks = new Map<string, WorldTask>();
  readonly services = new Map<string, WorldService>();
  /** Tasks of each service that should run (desiredStatus RUNNING), so the scheduler never scans every task. */
  private readonly activeByService = new Map<string, Set<WorldTask>>();
  private readonly listeners: ((change: TaskChange) => void)[] = [];
  /** First deployments a rollback was asked for, so the world notes "nothing to roll back to" once each. */
  private readonly notedFirstDeployments = new Set<string>();
  private readonly pauseListeners: ((service: WorldService, deployment: WorldDeployment) => void)[] = [];

  constructor(private readonly options: FakeEcsOptions) {}

  onTaskChange(listener: (change: TaskChange) => void): void {
    this.listeners.push(listener);
  }

  /** ECS paused a deployment at its PAUSE hook (the `ECS Hook State Change` HOOK_AWAITING_ACTION event). */
  onHookAwaiting(listener: (service: WorldService, deployment: WorldDeployment) => void): void {
    this.pauseListeners.push(listener);
  }

  // ---------- the world's own moves ----------

  /** RunTask (or the service scheduler): a new task in PROVISIONING that moves on by itself up to `until`. */
  launchTask(options: LaunchOptions): WorldTask {
    const { location, ids, taskDefinitions } = this.options;
    const spec = taskDefinitions.peek(options.taskDefinitionArn);
    if (!spec?.arn) throw new Error(`RunTask: task definition ${options.taskDefinitionArn} is not registered`);
    const cluster = clusterName(options.cluster);
    const id = ids.hex('task', 32);
    const taskArn = arns.task(location, cluster, id);
    const now = this.options.now() + (options.startInMs ?? 0);
    const deployment = options.service?.deployment;
    const task: WorldTask = {
      taskArn,
      clusterArn: arns.cluster(location, cluster),
      cluster,
      taskDefinitionArn: spec.arn,
      group: options.group ?? (options.service ? `service:${options.service.name}` : `family:${spec.family}`),
      startedBy: options.startedBy ?? deployment?.id,
      service: options.service?.name,
      deploymentId: deployment?.id,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      version: 1,
      containers: spec.containers.map((container) => ({
        name: container.name,
        image: container.image,
        // Services run the digest resolved once per deployment (version consistency); RunTask pulls the tag now.
        imageDigest: deployment ? deployment.containers.find((c) => c.name === container.name)?.imageDigest : this.options.resolveImage(container.image),
        containerArn: arns.container(location, cluster, ids.uuid('container')),
        lastStatus: 'PENDING',
      })),
      overrides: {
        ...structuredClone(options.overrides ?? {}),
        containerOverrides: structuredClone(options.overrides?.containerOverrides ?? spec.containers.map((container) => ({ name: container.name }))),
      },
      createdAt: now,
      updatedAt: now,
      digestVisibleFrom: options.digestVisibleFrom ?? this.options.digestVisibleFrom ?? 'RUNNING',
      ...(options.label ? { label: options.label } : {}),
      ...(options.launchedBy ? { launchedBy: options.launchedBy } : {}),
      ...this.taskLaunchOf(options.service?.name ? this.services.get(serviceKey(cluster, options.service.name)) : undefined),
    };
    const begin = (): void => {
      task.createdAt = this.options.now();
      task.updatedAt = task.createdAt;
      this.tasks.set(taskArn, task);
      if (task.service) this.activeSet(task.cluster, task.service).add(task);
      this.emit(task, 'launched');
      const pullable = task.containers.every((container) => container.imageDigest !== undefined);
      const until = options.until ?? 'RUNNING';
      const plan: TaskStatus[] = pullable
        ? (['PENDING', 'RUNNING'] as TaskStatus[]).filter((status) => statusRank(status) <= statusRank(until))
        : ['PENDING', 'STOPPED'];
      this.followPlan(task, plan, pullable ? undefined : 'failedToStart');
    };
    if (options.startInMs) this.options.schedule(options.startInMs, begin);
    else begin();
    return task;
  }

  private followPlan(task: WorldTask, plan: TaskStatus[], cause?: StopCause): void {
    const [next, ...rest] = plan;
    if (!next) return;
    this.options.schedule(this.options.stepDelayMs ?? 0, () => {
      // A stop requested meanwhile wins: the task never reaches the rest of its plan.
      if (task.desiredStatus === 'STOPPED' && next !== 'STOPPED') return;
      if (next === 'STOPPED' && cause === 'failedToStart') {
        const missing = task.containers.find((container) => container.imageDigest === undefined);
        this.markStopping(task, 'TaskFailedToStart', `CannotPullContainerError: pull image manifest has been retried 5 time(s): ${missing?.image}: not found`, 'failedToStart');
      }
      this.setStatus(task.taskArn, next);
      this.followPlan(task, rest, cause);
    });
  }

  /** Moves a task to a later status and emits the state change. Going backwards is refused: ECS never does. */
  setStatus(taskArn: string, status: TaskStatus, details: { stopCode?: string; stoppedReason?: string; exitCode?: number } = {}): WorldTask {
    const task = this.requireTask(taskArn);
    if (statusRank(status) < statusRank(task.lastStatus)) {
      throw new Error(`task ${task.label ?? taskArn} is ${task.lastStatus}; it cannot go back to ${status}`);
    }
    if (task.lastStatus === 'STOPPED') return task;
    const now = this.options.now();
    if (status === 'STOPPED' && task.desiredStatus !== 'STOPPED') {
      this.markStopping(task, details.stopCode ?? 'EssentialContainerExited', details.stoppedReason ?? 'Essential container in task exited', 'exit');
    }
    task.lastStatus = status;
    task.version += 1;
    task.updatedAt = now;
    if (statusRank(status) >= statusRank('PENDING')) task.connectivityAt ??= now;
    if (statusRank(status) >= statusRank('PENDING')) task.pullStartedAt ??= now;
    if (statusRank(status) >= statusRank('RUNNING') && status !== 'STOPPED') {
      task.pullStoppedAt ??= now;
      task.startedAt ??= now;
    }
    for (const container of task.containers) {
      if (status === 'RUNNING') {
        container.lastStatus = 'RUNNING';
        container.runtimeId ??= `${taskId(task.taskArn)}-${this.options.ids.digits('runtime', 10)}`;
      } else if (status === 'STOPPED') {
        container.lastStatus = 'STOPPED';
        container.exitCode ??= details.exitCode ?? (task.stopCause === 'exit' ? 0 : 137);
      }
    }
    if (status === 'STOPPED') task.stoppedAt = now;
    this.emit(task, 'status');
    return task;
  }

  private markStopping(task: WorldTask, stopCode: string, reason: string, cause: StopCause): void {
    if (task.service) this.activeSet(task.cluster, task.service).delete(task);
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stopCause = cause;
    task.stoppingAt = this.options.now();
  }

  /** Someone other than the gate stops a task (or it exits). */
  requestStop(taskArn: string, stopCode: string, reason: string, cause: StopCause): void {
    const task = this.requireTask(taskArn);
    if (task.desiredStatus === 'STOPPED') return;
    this.markStopping(task, stopCode, reason, cause);
    task.version += 1;
    task.updatedAt = this.options.now();
    this.emit(task, 'desiredStatus');
    this.options.schedule(this.options.stopDelayMs ?? 0, () => this.setStatus(taskArn, 'STOPPED'));
  }

  /** What a task reports of its launch: its service's settings, or RunTask's defaults; LATEST resolved. */
  private taskLaunchOf(service: WorldService | undefined): Pick<WorldTask, 'enableExecuteCommand' | 'platformVersion'> {
    const launch = service?.launch ?? DEFAULT_SERVICE_LAUNCH;
    return { enableExecuteCommand: launch.enableExecuteCommand, platformVersion: launch.platformVersion === 'LATEST' ? LATEST_PLATFORM_VERSION : launch.platformVersion };
  }

  // ---------- services ----------

  createService(options: { name: string; cluster: string; desiredCount: number; lifecycleHook?: boolean; pauseHook?: WorldPauseHook; launch?: Partial<ServiceLaunch> }): WorldService {
    const cluster = clusterName(options.cluster);
    const key = serviceKey(cluster, options.name);
    if (this.services.has(key)) throw new Error(`service ${options.name} already exists in cluster ${cluster}`);
    const service: WorldService = {
      name: options.name,
      cluster,
      clusterArn: arns.cluster(this.options.location, cluster),
      serviceArn: arns.service(this.options.location, cluster, options.name),
      desiredCount: options.desiredCount,
      deployments: [],
      lifecycleHook: options.lifecycleHook ?? false,
      ...(options.pauseHook ? { pauseHook: options.pauseHook } : {}),
      launch: { ...DEFAULT_SERVICE_LAUNCH, ...options.launch },
      scaledByGate: false,
      loopDetected: false,
    };
    this.services.set(key, service);
    return service;
  }

  /**
   * CreateService/UpdateService with a task definition: a new deployment whose images are resolved to
   * digests now. With a lifecycle hook the deployment waits for the hook before any task starts.
   */
  deploy(serviceName: string, cluster: string | undefined, taskDefinitionArn: string, options: { completed?: boolean; skipHook?: boolean } = {}): WorldDeployment {
    const service = this.requireService(serviceName, cluster);
    const spec = this.options.taskDefinitions.peek(taskDefinitionArn);
    if (!spec?.arn) throw new Error(`UpdateService: task definition ${taskDefinitionArn} is not registered`);
    const { location, ids } = this.options;
    const source = this.primaryDeployment(service);
    const waitsForHook = service.lifecycleHook && !options.completed && !options.skipHook;
    const deployment: WorldDeployment = {
      id: `ecs-svc/${ids.digits('deployment', 19)}`,
      arn: arns.serviceDeployment(location, service.cluster, service.name, ids.hex('service-deployment', 22)),
      revisionArn: arns.serviceRevision(location, service.cluster, service.name, ids.digits('service-revision', 19)),
      taskDefinitionArn: spec.arn,
      containers: spec.containers.map((container) => ({ name: container.name, image: container.image, imageDigest: this.options.resolveImage(container.image) })),
      status: options.completed ? 'SUCCESSFUL' : waitsForHook ? 'PENDING' : 'IN_PROGRESS',
      createdAt: this.options.now(),
      completed: options.completed ?? false,
      ...(source ? { sourceId: source.id } : {}),
      hook: waitsForHook ? 'waiting' : 'none',
      gateStops: 0,
    };
    service.deployments.push(deployment);
    if (service.pauseHook && !options.completed && !options.skipHook) this.pauseAtHook(service, deployment, service.pauseHook);
    return deployment;
  }

  /**
   * The deployment stops at PRE_SCALE_UP before any task starts, ECS emits HOOK_AWAITING_ACTION, and after the hook's
   * timeout ECS takes its timeout action ("Pause hooks for Amazon ECS service deployments").
   */
  private pauseAtHook(service: WorldService, deployment: WorldDeployment, hook: WorldPauseHook): void {
    deployment.status = 'IN_PROGRESS';
    deployment.hook = 'waiting';
    deployment.pause = { hookId: `ecs-pause-${this.options.ids.hex('pause-hook', 43)}`, status: 'AWAITING_ACTION', expiresAt: this.options.now() + hook.timeoutMs, timeoutAction: hook.timeoutAction };
    this.options.schedule(hook.timeoutMs, () => {
      if (deployment.pause?.status !== 'AWAITING_ACTION') return;
      deployment.pause.status = 'TIMED_OUT';
      this.options.activity.note(`ECS: the PAUSE hook of ${service.name} ${deployment.id} timed out; timeout action ${hook.timeoutAction}`);
      this.resolvePause(service, deployment, hook.timeoutAction, 'PAUSE hook timed out');
    });
    for (const listener of this.pauseListeners) listener(service, deployment);
  }

  private resolvePause(service: WorldService, deployment: WorldDeployment, action: ContinueAction, reason: string): void {
    if (action === 'CONTINUE') {
      deployment.hook = 'succeeded';
      return;
    }
    deployment.hook = 'failed';
    deployment.status = 'ROLLBACK_SUCCESSFUL';
    deployment.rolledBackBy = reason === 'PAUSE hook timed out' ? 'hook' : 'gate';
    deployment.rollbackReason = reason;
    this.options.activity.note(`ECS: ${service.name} ${deployment.id} rolled back at its PAUSE hook before any task started`);
  }

  /** ECS's reading of a hook answer. IN_PROGRESS changes nothing (ECS calls again later). */
  hookAnswered(serviceName: string, cluster: string | undefined, deploymentId: string, status: 'SUCCEEDED' | 'FAILED'): void {
    const service = this.requireService(serviceName, cluster);
    const deployment = service.deployments.find((candidate) => candidate.id === deploymentId);
    if (!deployment || deployment.hook !== 'waiting') return;
    if (status === 'SUCCEEDED') {
      deployment.hook = 'succeeded';
      deployment.status = 'IN_PROGRESS';
    } else {
      deployment.hook = 'failed';
      deployment.status = 'ROLLBACK_SUCCESSFUL';
      deployment.rolledBackBy = 'hook';
      deployment.rollbackReason = 'lifecycle hook PRE_SCALE_UP returned FAILED';
    }
  }

  /** The deployment the scheduler is driving towards: the newest one not rolled back (or rolling back). */
  primaryDeployment(service: WorldService): WorldDeployment | undefined {
    for (let i = service.deployments.length - 1; i >= 0; i -= 1) {
      if (LIVE_STATUSES.includes(service.deployments[i].status)) return service.deployments[i];
    }
    return undefined;
  }

  /**
   * The service scheduler: start what is missing from the primary deployment, retire older deployments'
   * tasks once the primary runs in full, scale in to `desiredCount`. Returns whether it changed anything.
   */
  reconcile(): boolean {
    let changed = false;
    const loopLimit = this.options.loopLimit ?? 10;
    for (const service of this.services.values()) {
      const active = [...this.activeSet(service.cluster, service.name)];
      const primary = this.primaryDeployment(service);
      const scaleCause: StopCause = service.scaledByGate ? 'gateScale' : 'deployment';
      if (service.desiredCount === 0) {
        for (const task of active) {
          this.schedulerStop(task, `Scaling activity initiated by (service ${service.name})`, scaleCause);
          changed = true;
        }
        continue;
      }
      if (!primary || primary.hook === 'waiting') {
        for (const task of active.slice(service.desiredCount)) {
          this.schedulerStop(task, `Scaling activity initiated by (deployment ${task.deploymentId ?? 'unknown'})`, scaleCause);
          changed = true;
        }
        continue;
      }
      const primaryTasks = active.filter((task) => task.deploymentId === primary.id);
      const others = active.filter((task) => task.deploymentId !== primary.id);

      let missing = service.desiredCount - primaryTasks.length;
      while (missing > 0) {
        if (primary.gateStops > loopLimit) {
          if (!service.loopDetected) {
            service.loopDetected = true;
            this.options.activity.note(
              `restart loop: ECS replaced ${primary.gateStops} tasks of ${service.name} (${primary.id}) that the gate stopped; the simulated scheduler gives up, the real one would not`,
            );
          }
          break;
        }
        this.launchTask({ cluster: service.cluster, taskDefinitionArn: primary.taskDefinitionArn, service: { name: service.name, deployment: primary } });
        missing -= 1;
        changed = true;
      }

      const primaryRunning = primaryTasks.filter((task) => task.lastStatus === 'RUNNING').length;
      if (primaryRunning >= service.desiredCount) {
        for (const task of others) {
          const deployment = service.deployments.find((candidate) => candidate.id === task.deploymentId);
          const cause: StopCause = deployment?.rolledBackBy === 'gate' ? 'gateRollback' : 'deployment';
          this.schedulerStop(task, `Scaling activity initiated by (deployment ${primary.id})`, cause);
          changed = true;
        }
        for (const deployment of service.deployments) {
          if (deployment.status === 'ROLLBACK_IN_PROGRESS') {
            deployment.status = 'ROLLBACK_SUCCESSFUL';
            this.options.activity.note(`ECS: rollback of ${service.name} ${deployment.id} finished; ${primary.id} serves again`);
            changed = true;
          }
        }
        if (!primary.completed) changed = this.settle(primary) || changed;
      } else {
        primary.runningSince = undefined;
      }
      for (const task of primaryTasks.slice(Math.max(service.desiredCount, 0)).reverse()) {
        this.schedulerStop(task, `Scaling activity initiated by (deployment ${primary.id})`, scaleCause);
        changed = true;
      }
    }
    return changed;
  }

  /** A fully running deployment completes once it has run for the settle time; the world wakes itself up for that. */
  private settle(deployment: WorldDeployment): boolean {
    const now = this.options.now();
    const settleMs = this.options.deploymentSettleMs ?? 5 * 60_000;
    if (deployment.runningSince === undefined) {
      deployment.runningSince = now;
      if (settleMs > 0) {
        this.options.schedule(settleMs, () => undefined);
        return true;
      }
    }
    if (now - deployment.runningSince < settleMs) return false;
    deployment.completed = true;
    deployment.status = 'SUCCESSFUL';
    return true;
  }

  private schedulerStop(task: WorldTask, reason: string, cause: StopCause): void {
    if (task.desiredStatus === 'STOPPED') return;
    this.requestStop(task.taskArn, 'ServiceSchedulerInitiated', reason, cause);
  }

  // ---------- EcsPort ----------

  async describeTasks(cluster: string, taskArns: string[]): Promise<RunningTask[]> {
    this.options.activity.call('ecs.describeTasks');
    const name = clusterName(cluster);
    return taskArns.flatMap((arn) => {
      const task = this.findTask(name, arn);
      if (!task) return [];
      return [
        {
          taskArn: task.taskArn,
          clusterArn: task.clusterArn,
          lastStatus: task.lastStatus,
          desiredStatus: task.desiredStatus,
          group: task.group,
          ...(task.startedBy ? { startedBy: task.startedBy } : {}),
          containers: task.containers.map((container) => ({
            name: container.name,
            image: container.image,
            ...(container.imageDigest && statusRank(task.lastStatus) >= statusRank(task.digestVisibleFrom) ? { imageDigest: container.imageDigest } : {}),
          })),
          // As the ECS adapter reads DescribeTasks: without them a task judged after its scan would lose its RunTask overrides.
          taskDefinitionArn: task.taskDefinitionArn,
          overrides: structuredClone(task.overrides),
          // As DescribeTasks gives them: the evidence that a tag the gate resolves is what the task pulled.
          createdAt: new Date(task.createdAt).toISOString(),
          ...(task.pullStartedAt !== undefined ? { pullStartedAt: new Date(task.pullStartedAt).toISOString() } : {}),
          // As the ECS adapter reads DescribeTasks `enableExecuteCommand` and `platformVersion`.
          launch: launchFactsFromTask({ enableExecuteCommand: task.enableExecuteCommand, platformVersion: task.platformVersion }, DESCRIBE_TASKS_SOURCE),
        },
      ];
    });
  }

  async stopTask(cluster: string, taskArn: string, reason: string): Promise<void> {
    this.options.activity.call('ecs.stopTask');
    const task = this.findTask(clusterName(cluster), taskArn);
    // Like the adapter: a task ECS no longer knows ("The referenced task was not found") is a stopped task.
    const alreadyStopped = !task || task.desiredStatus === 'STOPPED';
    this.options.activity.record('stopTask', { cluster, taskArn: task?.taskArn ?? taskArn, reason, alreadyStopped, ...(task ? {} : { notFound: true }) });
    if (reason.length > MAX_STOP_REASON) {
      this.options.activity.note(`ECS: the StopTask reason has ${reason.length} characters; ECS keeps at most ${MAX_STOP_REASON} (the adapter cuts it)`);
    }
    if (!task || alreadyStopped) return;
    if (task.service) {
      const deployment = this.services.get(serviceKey(task.cluster, task.service))?.deployments.find((candidate) => candidate.id === task.deploymentId);
      if (deployment) deployment.gateStops += 1;
    }
    this.requestStop(task.taskArn, 'UserInitiated', reason.slice(0, MAX_STOP_REASON), 'gate');
  }

  /**
   * The adapter's rollbackDeployment, on the world's services (DescribeServices, ListServiceDeployments and
   * StopServiceDeployment in one): the task's deployment must be one of the service's and run the task's task
   * definition (else `notInService`), and still be the one the service drives towards (else `superseded`: a newer
   * deployment, or a rollback, has replaced it). Only a deployment still in progress can be rolled back, to the last
   * one that completed; a first deployment has nothing to roll back to; a completed one reports the revision it
   * replaced, for the gate to restore or not.
   */
  async rollbackDeployment(task: ServiceTaskRef, reason: string): Promise<RollbackOutcome> {
    this.options.activity.call('ecs.rollbackDeployment');
    const { cluster, service: serviceName } = task;
    const target = this.findService(serviceName, cluster);
    if (!target) return { kind: 'notInService', why: `ECS has no active service ${serviceName} in cluster ${cluster}` };
    const deployment = target.deployments.find((candidate) => candidate.id === task.deploymentId);
    if (!deployment) return { kind: 'notInService', why: `service ${target.name} has no deployment ${task.deploymentId}` };
    if (deployment.taskDefinitionArn !== task.taskDefinitionArn) {
      return { kind: 'notInService', why: `deployment ${deployment.id} of service ${target.name} runs ${deployment.taskDefinitionArn}, not ${task.taskDefinitionArn}` };
    }
    const primary = this.primaryDeployment(target);
    if (primary !== deployment) return primary ? { kind: 'superseded', by: primary.id } : { kind: 'superseded' };

    const desiredCount = target.desiredCount;
    if (deployment.status === 'PENDING' || deployment.status === 'IN_PROGRESS') {
      const index = target.deployments.indexOf(deployment);
      const previous = target.deployments.slice(0, index).reverse().find((candidate) => candidate.completed && LIVE_STATUSES.includes(candidate.status));
      if (!previous) {
        // A reading, not an action (the adapter only reads ECS here): noted once per deployment for the timeline.
        if (!this.notedFirstDeployments.has(deployment.arn)) {
          this.notedFirstDeployments.add(deployment.arn);
          this.options.activity.note(`ECS: ${target.name} ${deployment.id} is the service's first deployment: nothing to roll back to`);
        }
        return { kind: 'nothingToRollBack', deploymentArn: deployment.arn, desiredCount };
      }
      deployment.status = 'ROLLBACK_IN_PROGRESS';
      deployment.rolledBackBy = 'gate';
      deployment.rollbackReason = reason;
      this.options.activity.record('rollbackDeployment', { cluster, service: serviceName, reason, outcome: 'rolledBack', deploymentArn: deployment.arn });
      return { kind: 'rolledBack', deploymentArn: deployment.arn };
    }

    const source = deployment.sourceId ? target.deployments.find((candidate) => candidate.id === deployment.sourceId) : undefined;
    if (!source || source.taskDefinitionArn === deployment.taskDefinitionArn) return { kind: 'completed', deploymentArn: deployment.arn, desiredCount };
    return {
      kind: 'completed',
      deploymentArn: deployment.arn,
      desiredCount,
      previous: { serviceRevisionArn: source.revisionArn, taskDefinitionArn: source.taskDefinitionArn, containers: source.containers.map((container) => ({ ...container })) },
    };
  }

  /**
   * UpdateService with the task definition of the revision a completed bad deployment replaced: a new deployment,
   * whose images are resolved again (as ECS does for every deployment), and the bad one's tasks retire once it runs.
   * A service with a lifecycle hook would have its hook called; the simulation skips that wait (the gate judged
   * this revision before restoring it, and its hook answers SUCCEEDED for it).
   */
  async restoreServiceRevision(cluster: string, service: string, taskDefinitionArn: string, reason: string): Promise<void> {
    this.options.activity.call('ecs.restoreServiceRevision');
    const target = this.requireService(service, cluster);
    const replaced = this.primaryDeployment(target);
    const deployment = this.deploy(service, cluster, taskDefinitionArn, { skipHook: true });
    if (replaced && replaced !== deployment) {
      replaced.rolledBackBy = 'gate';
      replaced.rollbackReason = reason;
    }
    this.options.activity.record('rollbackDeployment', { cluster, service, reason, outcome: 'restored', deploymentArn: deployment.arn, taskDefinitionArn: deployment.taskDefinitionArn });
  }

  async scaleService(cluster: string, service: string, desiredCount: number): Promise<void> {
    this.options.activity.call('ecs.scaleService');
    const target = this.requireService(service, cluster);
    const previousCount = target.desiredCount;
    target.desiredCount = desiredCount;
    target.scaledByGate = true;
    this.options.activity.record('scaleService', { cluster, service, desiredCount, previousCount });
  }

  async describePausedDeployments(target: { serviceDeploymentArn: string } | { serviceArn: string }): Promise<PausedDeployment[]> {
    this.options.activity.call('ecs.describePausedDeployments');
    const found: PausedDeployment[] = [];
    for (const service of this.services.values()) {
      for (const deployment of service.deployments) {
        const matches = 'serviceDeploymentArn' in target ? deployment.arn === target.serviceDeploymentArn : service.serviceArn === target.serviceArn && deployment.status === 'IN_PROGRESS';
        if (!matches) continue;
        found.push({
          serviceDeploymentArn: deployment.arn,
          serviceArn: service.serviceArn,
          clusterArn: service.clusterArn,
          status: deployment.status === 'ROLLBACK_SUCCESSFUL' ? 'ROLLBACK_SUCCESSFUL' : deployment.status,
          // Held at its PAUSE hook, the deployment is at PRE_SCALE_UP (the only stage the world pauses at).
          ...(deployment.pause?.status === 'AWAITING_ACTION' ? { lifecycleStage: 'PRE_SCALE_UP' } : {}),
          targetServiceRevisionArn: deployment.revisionArn,
          pauseHooks: deployment.pause
            ? [{ hookId: deployment.pause.hookId, status: deployment.pause.status, expiresAt: new Date(deployment.pause.expiresAt).toISOString(), timeoutAction: deployment.pause.timeoutAction }]
            : [],
        });
      }
    }
    return found;
  }

  /** As ECS: only a PAUSE hook AWAITING_ACTION of a deployment IN_PROGRESS may be continued; anything else is InvalidParameterException. */
  async continueServiceDeployment(serviceDeploymentArn: string, hookId: string, action: ContinueAction): Promise<void> {
    this.options.activity.call('ecs.continueServiceDeployment');
    for (const service of this.services.values()) {
      const deployment = service.deployments.find((candidate) => candidate.arn === serviceDeploymentArn);
      if (!deployment) continue;
      if (deployment.pause?.hookId !== hookId || deployment.pause.status !== 'AWAITING_ACTION' || deployment.status !== 'IN_PROGRESS') break;
      deployment.pause.status = 'SUCCEEDED';
      this.options.activity.record('continueServiceDeployment', { cluster: service.clusterArn, service: service.name, serviceDeploymentArn, hookId, action });
      this.resolvePause(service, deployment, action, 'the gate answered ROLLBACK at the PAUSE hook');
      return;
    }
    throw Object.assign(new Error(`The hook ${hookId} is not awaiting action.`), { name: 'InvalidParameterException', $fault: 'client' });
  }

  async describeServiceRevision(serviceRevisionArn: string): Promise<DescribedServiceRevision> {
    this.options.activity.call('ecs.describeServiceRevision');
    for (const service of this.services.values()) {
      const deployment = service.deployments.find((candidate) => candidate.revisionArn === serviceRevisionArn);
      if (deployment) {
        // Read as the ECS adapter reads API_ServiceRevision: platformVersion, networkConfiguration, loadBalancers.
        const revision = {
          platformVersion: service.launch.platformVersion,
          networkConfiguration: { awsvpcConfiguration: { assignPublicIp: service.launch.assignPublicIp, subnets: ['subnet-0a1b2c3d4e5f60718'] } },
        };
        return {
          cluster: service.clusterArn,
          service: service.name,
          taskDefinitionArn: deployment.taskDefinitionArn,
          containers: deployment.containers.map((container) => ({ ...container })),
          launch: launchFactsFromServiceRevision(revision),
          loadBalancing: service.launch.loadBalancer ? 'some' : 'none',
        };
      }
    }
    throw Object.assign(new Error(`Service revision ${serviceRevisionArn} not found.`), { name: 'ServiceNotFoundException' });
  }

  // ---------- lookups ----------

  findTask(cluster: string, taskOrArn: string): WorldTask | undefined {
    const id = taskId(taskOrArn);
    const task = this.tasks.get(arns.task(this.options.location, cluster, id)) ?? this.tasks.get(taskOrArn);
    return task && task.cluster === cluster ? task : undefined;
  }

  requireTask(taskArn: string): WorldTask {
    const task = this.tasks.get(taskArn);
    if (!task) throw new Error(`no task ${taskArn}`);
    return task;
  }

  findService(name: string, cluster?: string): WorldService | undefined {
    if (cluster) return this.services.get(serviceKey(clusterName(cluster), serviceNameOf(name)));
    const matches = [...this.services.values()].filter((service) => service.name === serviceNameOf(name));
    return matches.length === 1 ? matches[0] : undefined;
  }

  requireService(name: string, cluster?: string): WorldService {
    const service = this.findService(name, cluster);
    if (!service) throw Object.assign(new Error(`Service not found: ${name}${cluster ? ` in ${cluster}` : ''}`), { name: 'ServiceNotFoundException' });
    return service;
  }

  /** Whether a task's containers show their digests in events at its current status. */
  digestVisible(task: WorldTask): boolean {
    return statusRank(task.lastStatus) >= statusRank(task.digestVisibleFrom);
  }

  private activeSet(cluster: string, service: string): Set<WorldTask> {
    const key = serviceKey(cluster, service);
    let set = this.activeByService.get(key);
    if (!set) {
      set = new Set();
      this.activeByService.set(key, set);
    }
    return set;
  }

  private emit(task: WorldTask, change: TaskChange['change']): void {
    const snapshot = structuredClone(task);
    for (const listener of this.listeners) listener({ task: snapshot, change });
  }
}

function serviceKey(cluster: string, service: string): string {
  return `${cluster}/${service}`;
}

/** A service name from a name or an ARN (`arn:aws:ecs:r:a:service/cluster/name`). */
function serviceNameOf(nameOrArn: string): string {
  const match = /:service\/(?:[^/]+\/)?([^/]+)$/.exec(nameOrArn);
  return match ? match[1] : nameOrArn;
}
