import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type ECSClient,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type ServiceRevision,
  type ServiceRevisionSummary,
} from '@aws-sdk/client-ecs';
import { serviceOfArn } from '../core/events';
import { launchFactsFromServiceRevision } from '../core/taskdef/launch';
import type { ContinueAction, DescribedServiceRevision, EcsPort, PausedDeployment, RollbackOutcome, RunningTask, ServiceRevisionImages, ServiceTaskRef, TaskDefinitionPort } from '../core/ports';
import { parseTaskDefinition } from '../core/taskdef/parse';
import type { TaskDefinitionSpec } from '../core/taskdef/model';
import { awsErrorMessage, hasAwsErrorName } from './aws-errors';
import { toRunningTask } from './ecs-task-mapping';
import { withZod } from '../io/zod-loader';

/** StopTask accepts "up to 255 characters" of reason; the gate keeps to 255 UTF-8 bytes, which satisfies any count. */
export const STOP_REASON_MAX_BYTES = 255;
/** DescribeTasks takes at most 100 tasks per call. */
export const DESCRIBE_TASKS_MAX = 100;

/** ListServiceDeployments pages read at most: only deployments created since the task's own are listed, a handful. */
const MAX_DEPLOYMENT_PAGES = 10;
/** Newest service deployments considered for the task's (DescribeServiceDeployments takes at most 20 ARNs). */
const MAX_CANDIDATE_DEPLOYMENTS = 10;
/** DescribeServiceDeployments takes at most 20 ARNs per call. */
const MAX_DESCRIBE_DEPLOYMENTS = 20;
/** DescribeServiceRevisions takes at most 20 ARNs per call. */
const DESCRIBE_REVISIONS_MAX = 20;
/**
 * How much earlier than the task's deployment (DescribeServices `createdAt`) its service deployment may have been
 * created and still be listed: both come from the same UpdateService, but nothing documents equal timestamps.
 */
const DEPLOYMENT_CLOCK_SLACK_MS = 15 * 60_000;

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
   * Rolls back the deployment that started `task`, after confirming it from ECS's own record (the task's `group` and
   * `startedBy` are free-form RunTask parameters). Calls, in order, stopping as soon as the answer is known:
   * 1. DescribeServices: the service's current deployments (`deployments[].id` is what `startedBy` carries). The
   *    task's deployment id must be one of them and run the task's task definition, else `notInService`; a
   *    deployment that is no longer PRIMARY has been replaced by a newer one (a fix, or a rollback): `superseded`.
   * 2. ListServiceDeployments (only those created since that deployment) and DescribeServiceDeployments: the
   *    service deployment of it, its status and its source revisions.
   * 3. DescribeServiceRevisions: target revisions, to match the task definition (a deployment is rolled back only if
   *    its target revision runs the task's task definition), and, for a completed one, the revision it replaced.
   * 4. StopServiceDeployment ROLLBACK of exactly that deployment, when it is in progress and has a source revision.
   * A rollback already under way is reported (`repeated`) and not requested again, so a retried event is safe.
   * StopServiceDeployment takes no reason; the caller's reason goes into its verdict event and logs instead.
   */
  async rollbackDeployment(task: ServiceTaskRef, _reason?: string): Promise<RollbackOutcome> {
    const first = await this.locate(task);
    if (first.kind !== 'inProgress') return first.outcome;
    try {
      await this.client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: first.deploymentArn, stopType: 'ROLLBACK' }));
      return { kind: 'rolledBack', deploymentArn: first.deploymentArn };
    } catch (error) {
      if (!hasAwsErrorName(error, 'ConflictException', 'ServiceDeploymentNotFoundException', 'InvalidParameterException')) throw error;
      // The deployment moved on between reading and stopping (it finished, someone rolled it back, a newer one
      // started): read again instead of guessing from the message.
      const again = await this.locate(task);
      if (again.kind !== 'inProgress') return again.outcome;
      throw error;
    }
  }

  async restoreServiceRevision(cluster: string, service: string, taskDefinitionArn: string, _reason?: string): Promise<void> {
    await this.client.send(new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn }));
  }

  async scaleService(cluster: string, service: string, desiredCount: number): Promise<void> {
    if (!Number.isSafeInteger(desiredCount) || desiredCount < 0) {
      throw new TypeError(`scaleService(${service}): desiredCount must be a non-negative integer, got ${desiredCount}`);
    }
    await this.client.send(new UpdateServiceCommand({ cluster, service, desiredCount }));
  }

  /** Where the task's deployment stands; `inProgress` when StopServiceDeployment ROLLBACK is the next step. */
  private async locate(task: ServiceTaskRef): Promise<{ kind: 'inProgress'; deploymentArn: string } | { kind: 'answer'; outcome: RollbackOutcome }> {
    const answer = (outcome: RollbackOutcome) => ({ kind: 'answer' as const, outcome });
    const described = await this.client.send(new DescribeServicesCommand({ cluster: task.cluster, services: [task.service] }));
    const service = (described.services ?? []).find((candidate) => candidate.serviceName === task.service || candidate.serviceArn === task.service);
    if (!service || service.status === 'INACTIVE') {
      return answer({ kind: 'notInService', why: `ECS has no active service ${task.service} in cluster ${task.cluster}` });
    }
    const deployments = service.deployments ?? [];
    const own = deployments.find((deployment) => deployment.id === task.deploymentId);
    if (!own) {
      return answer({ kind: 'notInService', why: `service ${task.service} has no current deployment ${task.deploymentId}` });
    }
    if (own.taskDefinition && !sameTaskDefinition(own.taskDefinition, task.taskDefinitionArn)) {
      return answer({ kind: 'notInService', why: `deployment ${task.deploymentId} of service ${task.service} runs ${own.taskDefinition}, not ${task.taskDefinitionArn}` });
    }
    if (own.status !== 'PRIMARY') {
      const primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
      return answer(primary?.id ? { kind: 'superseded', by: primary.id } : { kind: 'superseded' });
    }
    const desiredCount = service.desiredCount;

    const found = await this.serviceDeploymentOf(task, own.createdAt);
    if (!found) {
      // No service deployment targets the task's revision (a deployment controller other than ECS, or a revision ECS
      // no longer describes): nothing the gate can roll back.
      return answer(withCount({ kind: 'nothingToRollBack' }, desiredCount));
    }
    const { deployment, sources } = found;
    const deploymentArn = deployment.serviceDeploymentArn!;
    switch (deployment.status) {
      case 'ROLLBACK_REQUESTED':
      case 'ROLLBACK_IN_PROGRESS':
      case 'ROLLBACK_SUCCESSFUL':
        return answer({ kind: 'rolledBack', deploymentArn, repeated: true });
      case 'PENDING':
      case 'IN_PROGRESS':
        // The first deployment of a service has no source revision: ROLLBACK has nothing to return to.
        if (sources.length === 0) return answer(withCount({ kind: 'nothingToRollBack', deploymentArn }, desiredCount));
        return { kind: 'inProgress', deploymentArn };
      default: {
        // SUCCESSFUL, or stopped where it was (STOPPED, ROLLBACK_FAILED): its tasks run and StopServiceDeployment
        // can no longer help. The revision it replaced is what the caller may restore.
        const previous = await this.previousRevision(sources, task.taskDefinitionArn);
        const outcome: RollbackOutcome = { kind: 'completed', deploymentArn };
        if (previous) outcome.previous = previous;
        return answer(withCount(outcome, desiredCount));
      }
    }
  }

  /**
   * The service deployment whose target revision runs the task's task definition: the newest such among those
   * created since the task's deployment (minus a little, for clocks), with its source revision ARNs.
   */
  private async serviceDeploymentOf(task: ServiceTaskRef, since: Date | undefined): Promise<{ deployment: ServiceDeployment; sources: ServiceRevisionSummary[] } | undefined> {
    const after = since ? new Date(since.getTime() - DEPLOYMENT_CLOCK_SLACK_MS) : undefined;
    const briefs = newestFirst(await this.listDeployments(task.cluster, task.service, after)).slice(0, MAX_CANDIDATE_DEPLOYMENTS);
    if (briefs.length === 0) return undefined;
    const described = await this.client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: briefs.map((brief) => brief.serviceDeploymentArn!) }));
    const byArn = new Map((described.serviceDeployments ?? []).map((deployment) => [deployment.serviceDeploymentArn, deployment]));
    const targets = briefs.flatMap((brief) => {
      const target = byArn.get(brief.serviceDeploymentArn)?.targetServiceRevision?.arn ?? brief.targetServiceRevisionArn;
      return target ? [target] : [];
    });
    const revisions = await this.describeRevisions(targets);
    for (const brief of briefs) {
      const deployment = byArn.get(brief.serviceDeploymentArn);
      const target = deployment?.targetServiceRevision?.arn ?? brief.targetServiceRevisionArn;
      const revision = target ? revisions.get(target) : undefined;
      if (!deployment || !revision?.taskDefinition || !sameTaskDefinition(revision.taskDefinition, task.taskDefinitionArn)) continue;
      const sources = (deployment.sourceServiceRevisions ?? []).filter((source) => source.arn);
      return { deployment: { ...deployment, status: deployment.status ?? brief.status }, sources };
    }
    return undefined;
  }

  /**
   * The revision a deployment replaced: of its source revisions, the one that ran the most tasks and another task
   * definition (a source running the same task definition would bring the same images back).
   */
  private async previousRevision(sources: ServiceRevisionSummary[], taskDefinitionArn: string): Promise<ServiceRevisionImages | undefined> {
    if (sources.length === 0) return undefined;
    const revisions = await this.describeRevisions(sources.map((source) => source.arn!));
    const tasksOf = (source: ServiceRevisionSummary) => source.requestedTaskCount ?? source.runningTaskCount ?? 0;
    const candidates = [...sources].sort((a, b) => tasksOf(b) - tasksOf(a)).flatMap((source) => {
      const revision = revisions.get(source.arn!);
      return revision?.taskDefinition && !sameTaskDefinition(revision.taskDefinition, taskDefinitionArn) ? [revision] : [];
    });
    const chosen = candidates[0];
    if (!chosen?.taskDefinition) return undefined;
    return {
      serviceRevisionArn: chosen.serviceRevisionArn!,
      taskDefinitionArn: chosen.taskDefinition,
      containers: imagesOf(chosen),
    };
  }

  /** DescribeServiceRevisions, 20 ARNs per call; revisions ECS cannot describe (created before October 2024) are absent. */
  private async describeRevisions(arns: string[]): Promise<Map<string, ServiceRevision>> {
    const unique = [...new Set(arns)];
    const found = new Map<string, ServiceRevision>();
    for (let start = 0; start < unique.length; start += DESCRIBE_REVISIONS_MAX) {
      const result = await this.client.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: unique.slice(start, start + DESCRIBE_REVISIONS_MAX) }));
      for (const revision of result.serviceRevisions ?? []) if (revision.serviceRevisionArn) found.set(revision.serviceRevisionArn, revision);
    }
    return found;
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

  /**
   * DescribeServiceDeployments of the named deployment, or of the service's deployments IN_PROGRESS (ListServiceDeployments
   * with its `status` filter), with their PAUSE hooks from `lifecycleHookDetails` ("Pause hooks for Amazon ECS service
   * deployments", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html;
   * API_DeploymentLifecycleHookDetail: hookId, targetType AWS_LAMBDA | PAUSE, status, expiresAt, timeoutAction).
   * Deployments ECS reports as `failures` (not found) are left out.
   */
  async describePausedDeployments(target: { serviceDeploymentArn: string } | { serviceArn: string }): Promise<PausedDeployment[]> {
    let arns: string[];
    if ('serviceDeploymentArn' in target) {
      arns = [target.serviceDeploymentArn];
    } else {
      const { cluster, service } = serviceOfArn(target.serviceArn);
      const listed = await this.client.send(new ListServiceDeploymentsCommand({ service, ...(cluster ? { cluster } : {}), status: ['IN_PROGRESS'], maxResults: 20 }));
      arns = (listed.serviceDeployments ?? []).flatMap((brief) => (brief.serviceDeploymentArn ? [brief.serviceDeploymentArn] : [])).slice(0, MAX_DESCRIBE_DEPLOYMENTS);
      if (arns.length === 0) return [];
    }
    const described = await this.client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }));
    return (described.serviceDeployments ?? []).flatMap((deployment): PausedDeployment[] => {
      const revision = deployment.targetServiceRevision?.arn;
      if (!deployment.serviceDeploymentArn || !deployment.serviceArn || !revision) return [];
      const pauseHooks = (deployment.lifecycleHookDetails ?? []).flatMap((hook) =>
        hook.targetType === 'PAUSE' && hook.hookId && hook.status
          ? [{ hookId: hook.hookId, status: hook.status, ...(hook.expiresAt ? { expiresAt: hook.expiresAt.toISOString() } : {}), ...(hook.timeoutAction ? { timeoutAction: hook.timeoutAction } : {}) }]
          : [],
      );
      return [
        {
          serviceDeploymentArn: deployment.serviceDeploymentArn,
          serviceArn: deployment.serviceArn,
          clusterArn: deployment.clusterArn ?? '',
          status: deployment.status ?? 'UNKNOWN',
          ...(deployment.lifecycleStage ? { lifecycleStage: deployment.lifecycleStage } : {}),
          targetServiceRevisionArn: revision,
          pauseHooks,
        },
      ];
    });
  }

  /**
   * ContinueServiceDeployment (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html):
   * `action` CONTINUE goes on to the next lifecycle stage, ROLLBACK returns to the previous service revision. ECS accepts
   * it only for a hook in AWAITING_ACTION of a deployment IN_PROGRESS ("Continuing service deployments"); anything else
   * is refused (InvalidParameterException or ClientException), which the caller logs, never retries.
   */
  async continueServiceDeployment(serviceDeploymentArn: string, hookId: string, action: ContinueAction): Promise<void> {
    await this.client.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn, hookId, action }));
  }

  private async listDeployments(cluster: string, service: string, createdAfter: Date | undefined): Promise<ServiceDeploymentBrief[]> {
    const deployments: ServiceDeploymentBrief[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_DEPLOYMENT_PAGES; page += 1) {
      const result = await this.client.send(
        new ListServiceDeploymentsCommand({ cluster, service, ...(createdAfter ? { createdAt: { after: createdAfter } } : {}), nextToken, maxResults: 100 }),
      );
      deployments.push(...(result.serviceDeployments ?? []).filter((deployment) => deployment.serviceDeploymentArn));
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

function newestFirst(deployments: ServiceDeploymentBrief[]): ServiceDeploymentBrief[] {
  const time = (deployment: ServiceDeploymentBrief) => (deployment.createdAt ?? deployment.startedAt)?.getTime() ?? 0;
  return [...deployments].sort((a, b) => time(b) - time(a));
}

function imagesOf(revision: ServiceRevision): ServiceRevisionImages['containers'] {
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

function withCount<T extends RollbackOutcome>(outcome: T, desiredCount: number | undefined): T {
  return desiredCount === undefined ? outcome : { ...outcome, desiredCount };
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

