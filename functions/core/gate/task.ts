import type { ExposureFact } from '../policy/input';
import type { LaunchFacts } from '../policy/rules/hardening/types';

/**
 * A task as the gate judges it, whatever told us about it: an ECS Task State Change event, the `tasks[]`
 * of a CloudTrail RunTask response, or DescribeTasks when a scan finishes. Keeping one shape means the
 * same decision code runs on all three.
 */
export interface ContainerSnapshot {
  name: string;
  /** Image reference as ECS reports it (the task definition's text); absent in some early events. */
  image?: string;
  /** Manifest digest ECS reports for the image the container really runs (ECR images, usually from the pull on). */
  imageDigest?: string;
}

export interface TaskSnapshot {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  /** `service:<name>` for service tasks, `family:<family>` for standalone ones. */
  group?: string;
  /** `ecs-svc/<deployment id>` for service tasks; free text given to RunTask otherwise. */
  startedBy?: string;
  /** `detail.version` of a Task State Change event: increases with every state change of the task. */
  version?: number;
  containers: ContainerSnapshot[];
  /** API_TaskOverride as ECS or CloudTrail gave it; `applyOverrides` parses it. */
  overrides?: unknown;
  /** ISO-8601 `createdAt` of the task when known (decision latency is measured from it). */
  createdAt?: string;
  /** ISO-8601 `pullStartedAt` of the task when known: when it began to pull its images. */
  pullStartedAt?: string;
  /** What the task, or the RunTask call that started it, says about its launch (ECS Exec, platform version, public IP), each fact with its source. */
  launch?: LaunchFacts;
  /** Whether the task is reachable from the internet, when its launch facts settle it (`exposureFromLaunch`). */
  exposure?: ExposureFact;
}

/** The states a Fargate task passes through before it runs (task-lifecycle docs); later ones are on the way out. */
export const STARTING_STATES: readonly string[] = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING'];

/** Whether ECS still intends the task to run and it has not begun to stop. */
export function isStartingOrRunning(task: Pick<TaskSnapshot, 'lastStatus' | 'desiredStatus'>): boolean {
  return task.desiredStatus === 'RUNNING' && STARTING_STATES.includes(task.lastStatus);
}

/** Fargate tasks carry `launchType: FARGATE`, or `capacityProviderName` FARGATE / FARGATE_SPOT when launched with a capacity-provider strategy. */
export function isFargate(launchType: unknown, capacityProviderName: unknown): boolean {
  return launchType === 'FARGATE' || capacityProviderName === 'FARGATE' || capacityProviderName === 'FARGATE_SPOT';
}

export type TaskOwner = { kind: 'service'; service: string; deploymentId?: string } | { kind: 'standalone' };

const SERVICE_GROUP = /^service:(.+)$/;
const SERVICE_STARTED_BY = /^ecs-svc\/(.+)$/;

/**
 * Who the task says owns it. A service task has `group: service:<name>` and `startedBy: ecs-svc/<deployment id>`
 * (ECS sets both). A task stopped alone would be replaced by its service with the same digest, so the owner decides
 * whether the gate stops a task or acts on its service. Both are also free-form RunTask parameters, so this is a
 * claim, not proof: before any action on the service, the ECS adapter confirms the deployment is the service's and
 * runs the task's task definition (a task without a deployment id is never acted on at the service level).
 */
export function taskOwner(task: Pick<TaskSnapshot, 'group' | 'startedBy'>): TaskOwner {
  const group = task.group ? SERVICE_GROUP.exec(task.group) : null;
  if (!group) return { kind: 'standalone' };
  const deployment = task.startedBy ? SERVICE_STARTED_BY.exec(task.startedBy) : null;
  return deployment ? { kind: 'service', service: group[1], deploymentId: deployment[1] } : { kind: 'service', service: group[1] };
}

/** `arn:aws:ecs:<region>:<account>:cluster/<name>` → `<name>`; anything else is returned as given. */
export function clusterNameOf(clusterArn: string): string {
  const slash = clusterArn.lastIndexOf(':cluster/');
  return slash >= 0 ? clusterArn.slice(slash + ':cluster/'.length) : clusterArn;
}
