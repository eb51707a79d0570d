import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type ECSClient,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
  type Task,
} from '@aws-sdk/client-ecs';
import type { EcsPort, RollbackOutcome, RunningTask, TaskDefinitionPort } from '../core/ports';
import { parseTaskDefinition } from '../core/taskdef/parse';
import type { TaskDefinitionSpec } from '../core/taskdef/model';
import { awsErrorMessage, hasAwsErrorName } from './aws-errors';

/** StopTask accepts "up to 255 characters" of reason; the gate keeps to 255 UTF-8 bytes, which satisfies any count. */
export const STOP_REASON_MAX_BYTES = 255;
/** DescribeTasks takes at most 100 tasks per call. */
export const DESCRIBE_TASKS_MAX = 100;

const ACTIVE_STATUSES: ServiceDeploymentStatus[] = ['PENDING', 'IN_PROGRESS'];
const ROLLING_BACK_STATUSES: ServiceDeploymentStatus[] = ['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'];
/** ListServiceDeployments pages read before giving up: a service has at most a handful of unfinished deployments. */
const MAX_DEPLOYMENT_PAGES = 10;

export interface EcsGateOptions {
  client: ECSClient;
}

/**
 * `EcsPort` on the ECS API. Every action is safe to repeat: stopping a stopped or vanished task succeeds,
 * a rollback already under way is reported as done, and scaling sets an absolute count.
 */
export class EcsGate implements EcsPort {
  private readonly client: ECSClient;

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

  /** StopServiceDeployment takes no reason; the caller's reason goes into its verdict event and logs instead. */
  async rollbackDeployment(cluster: string, service: string, _reason?: string): Promise<RollbackOutcome> {
    const unfinished = await this.listDeployments(cluster, service, [...ACTIVE_STATUSES, ...ROLLING_BACK_STATUSES]);
    const alreadyRollingBack = unfinished.find((deployment) => ROLLING_BACK_STATUSES.includes(deployment.status!));
    if (alreadyRollingBack) return { kind: 'rolledBack', deploymentArn: alreadyRollingBack.serviceDeploymentArn! };

    const target = newest(unfinished.filter((deployment) => ACTIVE_STATUSES.includes(deployment.status!)));
    if (!target) return { kind: 'nothingToRollBack' };
    const deploymentArn = target.serviceDeploymentArn!;

    // The first deployment of a service has no source revision: ROLLBACK has nothing to return to.
    const described = await this.client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [deploymentArn] }));
    const detail = described.serviceDeployments?.find((deployment) => deployment.serviceDeploymentArn === deploymentArn);
    if (detail && (detail.sourceServiceRevisions ?? []).length === 0) return { kind: 'nothingToRollBack' };

    try {
      await this.client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: deploymentArn, stopType: 'ROLLBACK' }));
      return { kind: 'rolledBack', deploymentArn };
    } catch (error) {
      if (!hasAwsErrorName(error, 'ConflictException', 'ServiceDeploymentNotFoundException', 'InvalidParameterException')) throw error;
      // The deployment moved on between listing and stopping (finished, or someone else rolled it back):
      // look again instead of guessing from the message.
      const now = await this.listDeployments(cluster, service, [...ACTIVE_STATUSES, ...ROLLING_BACK_STATUSES]);
      const rolling = now.find((deployment) => ROLLING_BACK_STATUSES.includes(deployment.status!));
      if (rolling) return { kind: 'rolledBack', deploymentArn: rolling.serviceDeploymentArn! };
      if (!now.some((deployment) => ACTIVE_STATUSES.includes(deployment.status!))) return { kind: 'nothingToRollBack' };
      throw error;
    }
  }

  async scaleService(cluster: string, service: string, desiredCount: number): Promise<void> {
    if (!Number.isSafeInteger(desiredCount) || desiredCount < 0) {
      throw new TypeError(`scaleService(${service}): desiredCount must be a non-negative integer, got ${desiredCount}`);
    }
    await this.client.send(new UpdateServiceCommand({ cluster, service, desiredCount }));
  }

  async describeServiceRevision(serviceRevisionArn: string): Promise<{
    cluster: string;
    service: string;
    taskDefinitionArn: string;
    containers: { name: string; image: string; imageDigest?: string }[];
  }> {
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
    return {
      cluster,
      service,
      taskDefinitionArn: revision.taskDefinition,
      containers: (revision.containerImages ?? [])
        .filter((image) => image.containerName && image.image)
        .map((image) => withOptional({ name: image.containerName!, image: image.image! }, 'imageDigest', image.imageDigest)),
    };
  }

  private async listDeployments(cluster: string, service: string, status: ServiceDeploymentStatus[]): Promise<ServiceDeploymentBrief[]> {
    const deployments: ServiceDeploymentBrief[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_DEPLOYMENT_PAGES; page += 1) {
      const result = await this.client.send(new ListServiceDeploymentsCommand({ cluster, service, status, nextToken, maxResults: 100 }));
      deployments.push(...(result.serviceDeployments ?? []).filter((deployment) => deployment.serviceDeploymentArn && deployment.status));
      nextToken = result.nextToken;
      if (!nextToken) break;
    }
    return deployments;
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

function toRunningTask(task: Task): RunningTask | undefined {
  if (!task.taskArn || !task.clusterArn) return undefined;
  const running: RunningTask = {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    desiredStatus: task.desiredStatus ?? 'UNKNOWN',
    containers: (task.containers ?? [])
      .filter((container) => container.name && container.image)
      .map((container) => withOptional({ name: container.name!, image: container.image! }, 'imageDigest', container.imageDigest)),
  };
  if (task.group) running.group = task.group;
  if (task.startedBy) running.startedBy = task.startedBy;
  // The revision ECS says the task runs; without it the gate falls back to the one its waiter recorded.
  if (task.taskDefinitionArn) running.taskDefinitionArn = task.taskDefinitionArn;
  // Handed on untouched: the gate parses it (applyOverrides) and judges RunTask environment overrides after a scan.
  if (task.overrides) running.overrides = task.overrides;
  return running;
}

function newest(deployments: ServiceDeploymentBrief[]): ServiceDeploymentBrief | undefined {
  const time = (deployment: ServiceDeploymentBrief) => (deployment.createdAt ?? deployment.startedAt)?.getTime() ?? 0;
  return [...deployments].sort((a, b) => time(b) - time(a))[0];
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
    const result = await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
    if (!result.taskDefinition) throw new Error(`DescribeTaskDefinition ${taskDefinitionArn}: the response has no taskDefinition`);
    // The parser takes the API's JSON shape: dates become ISO strings, as in `aws ecs describe-task-definition`.
    const json: unknown = JSON.parse(JSON.stringify({ taskDefinition: result.taskDefinition }));
    return parseTaskDefinition(json, `DescribeTaskDefinition ${taskDefinitionArn}`);
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
