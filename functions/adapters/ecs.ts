import {
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  StopTaskCommand,
  type ECSClient,
  type ServiceRevision,
} from '@aws-sdk/client-ecs';
import { launchFactsFromServiceRevision } from '../core/taskdef/launch';
import type { ContinueAction, DescribedServiceRevision, EcsPort, PausedDeployment, RollbackOutcome, RunningTask, ServiceRevisionImages, ServiceTaskRef, TaskDefinitionPort } from '../core/ports';
import { parseTaskDefinition } from '../core/taskdef/parse';
import type { TaskDefinitionSpec } from '../core/taskdef/model';
import { awsErrorMessage, hasAwsErrorName } from './aws-errors';
import type { EcsServiceActions } from './ecs-service-actions';
import { toRunningTask } from './ecs-task-mapping';
import { withZod } from '../io/zod-loader';

/** StopTask accepts "up to 255 characters" of reason; the gate keeps to 255 UTF-8 bytes, which satisfies any count. */
export const STOP_REASON_MAX_BYTES = 255;
/** DescribeTasks takes at most 100 tasks per call. */
export const DESCRIBE_TASKS_MAX = 100;

export interface EcsGateOptions {
  client: ECSClient;
}

/**
 * `EcsPort` on the ECS API. Every action is safe to repeat: stopping a stopped or vanished task succeeds, a rollback
 * already under way is reported as done, a restored or rolled-back deployment reads as superseded afterwards, and
 * scaling sets an absolute count.
 */
export class EcsGate implements EcsPort {
  private readonly client: ECSClient;
  private actions: Promise<EcsServiceActions> | undefined;

  constructor(options: EcsGateOptions) {
    this.client = options.client;
  }

  async describeTasks(cluster: string, taskArns: string[]): Promise<RunningTask[]> {
    const unique = [...new Set(taskArns)];
    const tasks: RunningTask[] = [];
    for (let start = 0; start < unique.length; start += DESCRIBE_TASKS_MAX) {
      const result = await this.client.send(new DescribeTasksCommand({ cluster, tasks: unique.slice(start, start + DESCRIBE_TASKS_MAX) }));
      // Tasks ECS no longer knows (stopped for over an hour) come back as `failures` and are simply absent here.
      for (const task of result.tasks ?? []) {
        const mapped = toRunningTask(task);
        if (mapped) tasks.push(mapped);
      }
    }
    return tasks;
  }

  async stopTask(cluster: string, taskArn: string, reason: string): Promise<void> {
    const trimmed = truncateStopReason(reason);
    try {
      await this.client.send(new StopTaskCommand({ cluster, task: taskArn, reason: trimmed === '' ? undefined : trimmed }));
    } catch (error) {
      // A task that already stopped is still returned by StopTask for about an hour; after that ECS answers
      // InvalidParameterException "The referenced task was not found". Either way the task is not running.
      if (isTaskNotFound(error)) return;
      throw error;
    }
  }

  /**
   * Rolls back the deployment that started `task` (ecs-service-actions.ts says how). This and the other service
   * actions below are loaded on first use: they act on a failed decision or a paused deployment, never on the first
   * event of a well-formed task, so a cold start does not load them or their ECS commands.
   */
  async rollbackDeployment(task: ServiceTaskRef, reason?: string): Promise<RollbackOutcome> {
    return (await this.serviceActions()).rollbackDeployment(task, reason);
  }

  async restoreServiceRevision(cluster: string, service: string, taskDefinitionArn: string, reason?: string): Promise<void> {
    return (await this.serviceActions()).restoreServiceRevision(cluster, service, taskDefinitionArn, reason);
  }

  async scaleService(cluster: string, service: string, desiredCount: number): Promise<void> {
    return (await this.serviceActions()).scaleService(cluster, service, desiredCount);
  }

  /**
   * The revision's task definition, images and launch facts (platform version, public IP) and whether it has load
   * balancers: all in the one DescribeServiceRevisions response the hook needs anyway, so no extra call.
   */
  async describeServiceRevision(serviceRevisionArn: string): Promise<DescribedServiceRevision> {
    const result = await this.client.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [serviceRevisionArn] }));
    const revision = result.serviceRevisions?.find((candidate) => candidate.serviceRevisionArn === serviceRevisionArn) ?? result.serviceRevisions?.[0];
    if (!revision) {
      const failure = result.failures?.[0];
      throw new Error(
        `DescribeServiceRevisions: service revision ${serviceRevisionArn} not found${failure ? ` (${failure.reason ?? 'no reason'}${failure.detail ? `: ${failure.detail}` : ''})` : ''}`,
      );
    }
    const fromArn = parseServiceRevisionArn(serviceRevisionArn);
    const cluster = revision.clusterArn ?? fromArn?.cluster;
    const service = lastPathSegment(revision.serviceArn) ?? fromArn?.service;
    if (!cluster || !service || !revision.taskDefinition) {
      throw new Error(`DescribeServiceRevisions: service revision ${serviceRevisionArn} has no cluster, service or task definition`);
    }
    const launch = launchFactsFromServiceRevision(revision);
    return {
      cluster,
      service,
      taskDefinitionArn: revision.taskDefinition,
      containers: imagesOf(revision),
      ...(Object.keys(launch).length > 0 ? { launch } : {}),
      loadBalancing: (revision.loadBalancers ?? []).length > 0 ? 'some' : 'none',
    };
  }

  /** The service's paused deployments and their PAUSE hooks (ecs-service-actions.ts). */
  async describePausedDeployments(target: { serviceDeploymentArn: string } | { serviceArn: string }): Promise<PausedDeployment[]> {
    return (await this.serviceActions()).describePausedDeployments(target);
  }

  /** ContinueServiceDeployment (ecs-service-actions.ts). */
  async continueServiceDeployment(serviceDeploymentArn: string, hookId: string, action: ContinueAction): Promise<void> {
    return (await this.serviceActions()).continueServiceDeployment(serviceDeploymentArn, hookId, action);
  }

  /** The service actions on this client, loaded once (a chunk of their own in the function bundles). */
  private serviceActions(): Promise<EcsServiceActions> {
    this.actions ??= import('./ecs-service-actions').then(({ EcsServiceActions }) => new EcsServiceActions(this.client));
    return this.actions;
  }
}

/** The reason as StopTask will keep it: at most 255 UTF-8 bytes, cut on a character boundary and marked with "...". */
export function truncateStopReason(reason: string): string {
  if (Buffer.byteLength(reason, 'utf8') <= STOP_REASON_MAX_BYTES) return reason;
  const budget = STOP_REASON_MAX_BYTES - 3;
  let kept = '';
  let bytes = 0;
  for (const character of reason) {
    const size = Buffer.byteLength(character, 'utf8');
    if (bytes + size > budget) break;
    kept += character;
    bytes += size;
  }
  return `${kept}...`;
}

function isTaskNotFound(error: unknown): boolean {
  return hasAwsErrorName(error, 'InvalidParameterException') && /referenced task was not found|task .*not found/i.test(awsErrorMessage(error));
}

export function imagesOf(revision: ServiceRevision): ServiceRevisionImages['containers'] {
  return (revision.containerImages ?? [])
    .filter((image) => image.containerName && image.image)
    .map((image) => withOptional({ name: image.containerName!, image: image.image! }, 'imageDigest', image.imageDigest));
}

/** Whether two task definition references name the same revision (`arn:...:task-definition/family:3` or `family:3`). */
export function sameTaskDefinition(a: string, b: string): boolean {
  const familyRevision = (reference: string) => {
    const at = reference.lastIndexOf(':task-definition/');
    return at >= 0 ? reference.slice(at + ':task-definition/'.length) : reference;
  };
  return a === b || familyRevision(a) === familyRevision(b);
}

function lastPathSegment(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const segment = arn.slice(arn.lastIndexOf('/') + 1);
  return segment || undefined;
}

/** `arn:aws:ecs:<region>:<account>:service-revision/<cluster>/<service>/<id>` */
function parseServiceRevisionArn(arn: string): { cluster: string; service: string } | undefined {
  const match = /:service-revision\/([^/]+)\/([^/]+)\/[^/]+$/.exec(arn);
  return match ? { cluster: match[1], service: match[2] } : undefined;
}

function withOptional<T extends object, K extends string>(value: T, key: K, optional: string | undefined): T & { [P in K]?: string } {
  return (optional ? { ...value, [key]: optional } : value) as T & { [P in K]?: string };
}

// ---------- task definitions ----------

export interface EcsTaskDefinitionsOptions {
  client: ECSClient;
  /** Revisions kept in memory; the oldest is dropped first. Default 500. */
  cacheSize?: number;
}

/**
 * `TaskDefinitionPort` on DescribeTaskDefinition. A task definition revision never changes, so each one is
 * fetched once per execution environment; concurrent requests for one revision share a single call.
 */
export class EcsTaskDefinitions implements TaskDefinitionPort {
  private readonly client: ECSClient;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, Promise<TaskDefinitionSpec>>();

  constructor(options: EcsTaskDefinitionsOptions) {
    this.client = options.client;
    this.cacheSize = options.cacheSize ?? 500;
  }

  get(taskDefinitionArn: string): Promise<TaskDefinitionSpec> {
    const cached = this.cache.get(taskDefinitionArn);
    if (cached) return cached;
    const pending = this.fetch(taskDefinitionArn);
    // Only a pinned revision is immutable: `family` alone names whatever revision is latest.
    if (isRevisionArn(taskDefinitionArn)) {
      this.remember(taskDefinitionArn, pending);
      pending.catch(() => this.cache.delete(taskDefinitionArn));
    }
    return pending;
  }

  private async fetch(taskDefinitionArn: string): Promise<TaskDefinitionSpec> {
    // `include: ["TAGS"]` adds the task definition's tags to the same response (API_DescribeTaskDefinition `include`):
    // the owners a drift notice names, at no extra call.
    const result = await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn, include: ['TAGS'] }));
    if (!result.taskDefinition) throw new Error(`DescribeTaskDefinition ${taskDefinitionArn}: the response has no taskDefinition`);
    // The parser takes the API's JSON shape: dates become ISO strings, as in `aws ecs describe-task-definition`.
    const json: unknown = JSON.parse(JSON.stringify({ taskDefinition: result.taskDefinition, ...(result.tags ? { tags: result.tags } : {}) }));
    return withZod(() => parseTaskDefinition(json, `DescribeTaskDefinition ${taskDefinitionArn}`));
  }

  private remember(key: string, value: Promise<TaskDefinitionSpec>): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, value);
  }
}

function isRevisionArn(value: string): boolean {
  return /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/.test(value) || /^[A-Za-z0-9_-]+:\d+$/.test(value);
}
