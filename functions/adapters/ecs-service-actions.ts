import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ECSClient,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type ServiceRevision,
  type ServiceRevisionSummary,
} from '@aws-sdk/client-ecs';
import { serviceOfArn } from '../core/events';
import type { ContinueAction, PausedDeployment, RollbackOutcome, ServiceRevisionImages, ServiceTaskRef } from '../core/ports';
import { hasAwsErrorName } from './aws-errors';
import { imagesOf, sameTaskDefinition } from './ecs';

/*
 * The ECS service actions of `EcsGate` (adapters/ecs.ts), which loads this module on its first service action: rolling
 * back, restoring or scaling a service after a failed decision, and reading and continuing paused deployments. The
 * first event of a well-formed task takes none of them, so the function bundles leave them, and their ECS commands, to
 * a chunk of their own.
 */

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

export class EcsServiceActions {
  constructor(private readonly client: ECSClient) {}

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

function newestFirst(deployments: ServiceDeploymentBrief[]): ServiceDeploymentBrief[] {
  const time = (deployment: ServiceDeploymentBrief) => (deployment.createdAt ?? deployment.startedAt)?.getTime() ?? 0;
  return [...deployments].sort((a, b) => time(b) - time(a));
}

function withCount<T extends RollbackOutcome>(outcome: T, desiredCount: number | undefined): T {
  return desiredCount === undefined ? outcome : { ...outcome, desiredCount };
}
