import type * as events from 'aws-cdk-lib/aws-events';
import type { Decision } from '../functions/core/result/model';
import { PAUSE_HOOK_TYPE } from '../functions/core/events/ecs-hook-state-change';
import { ADMISSION_STAGE } from '../functions/core/events/lifecycle-hook';
import { COSIGN_TAG_WILDCARDS, IMAGE_CONFIG_MEDIA_TYPES, IMAGE_INDEX_MEDIA_TYPES, IMAGE_MANIFEST_MEDIA_TYPES } from '../functions/core/events/ecr-image-action';
import { VERDICT_EVENT } from './verdict-event';

/**
 * The EventBridge patterns of the gate's rules, as plain data so tests can run them against real events.
 * Each pattern asks for what the gate acts on and nothing else: every extra event is a paid invocation that
 * the handler would only log and drop.
 */

/** Task states before and at RUNNING: the gate must decide while the task starts (aws-semantics §1.2). */
export const STARTING_TASK_STATUSES = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING'] as const;

/**
 * Clusters in scope: a list of cluster ARNs, every cluster whose ARN starts with the account/region prefix, or the
 * clusters whose ARN matches a `*` wildcard pattern (a member stack's ClusterNamePattern parameter).
 */
export type ClusterScope =
  | { kind: 'all'; clusterArnPrefix: string }
  | { kind: 'listed'; clusterArns: string[] }
  | { kind: 'pattern'; clusterArnPattern: string };

/**
 * Fargate tasks on their way to RUNNING that nobody has asked to stop. Capacity-provider tasks are matched on
 * `capacityProviderName` too, in case an event lacks `launchType` (aws-semantics §1.5, open question 2).
 */
export function fargateTaskStartingPattern(clusters: ClusterScope): events.EventPattern {
  return {
    source: ['aws.ecs'],
    detailType: ['ECS Task State Change'],
    detail: {
      clusterArn: clusterMatcher(clusters),
      desiredStatus: ['RUNNING'],
      lastStatus: [...STARTING_TASK_STATUSES],
      $or: [{ launchType: ['FARGATE'] }, { capacityProviderName: ['FARGATE', 'FARGATE_SPOT'] }],
    },
  };
}

/**
 * Fargate tasks that stopped (their last event, `lastStatus` STOPPED), in the clusters in scope: they close the task's
 * uses in the inventory and are never judged. Only STOPPED, not STOPPING or DEPROVISIONING: one event per task.
 */
export function fargateTaskStoppedPattern(clusters: ClusterScope): events.EventPattern {
  return {
    source: ['aws.ecs'],
    detailType: ['ECS Task State Change'],
    detail: {
      clusterArn: clusterMatcher(clusters),
      lastStatus: ['STOPPED'],
      $or: [{ launchType: ['FARGATE'] }, { capacityProviderName: ['FARGATE', 'FARGATE_SPOT'] }],
    },
  };
}

/**
 * Successful `RunTask` calls recorded by CloudTrail: an early hint with the launching principal. Needs a trail
 * with management events in the region. Not filtered by cluster or launch type: the request may name the cluster
 * by short name or not at all (default cluster), and the response may be omitted when large, so the handler
 * decides scope from the task it looks up.
 */
export function runTaskCallPattern(): events.EventPattern {
  return {
    source: ['aws.ecs'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ecs.amazonaws.com'],
      eventName: ['RunTask'],
      errorCode: [{ exists: false }],
    },
  };
}

/**
 * A deployment paused at a PAUSE lifecycle hook at PRE_SCALE_UP ("Pause hooks for Amazon ECS service deployments":
 * detail-type `ECS Hook State Change`, event name HOOK_AWAITING_ACTION; the event carries `hookType` and
 * `lifecycleStage`, "Amazon ECS service deployment hook state change events",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_hook_state_change_events.html). Only the waiting state
 * of a PAUSE hook at the gate's stage: a manual approval at another stage, each step of a linear or canary deployment
 * at PRE_PRODUCTION_TRAFFIC_SHIFT, and Lambda hooks never invoke the gate (the handler refuses them too:
 * functions/core/events/ecs-hook-state-change.ts).
 */
export function hookAwaitingActionPattern(): events.EventPattern {
  return {
    source: ['aws.ecs'],
    detailType: ['ECS Hook State Change'],
    detail: { eventName: ['HOOK_AWAITING_ACTION'], hookType: [PAUSE_HOOK_TYPE], lifecycleStage: [ADMISSION_STAGE] },
  };
}

/** Every state change of the gate's own scan builds (IN_PROGRESS marks a scan running; the rest finish it). */
export function scanBuildStatePattern(projectName: string, ...fallbackProjectNames: string[]): events.EventPattern {
  return {
    source: ['aws.codebuild'],
    detailType: ['CodeBuild Build State Change'],
    // The scan project's builds, and those of its EC2 fallback project when it has one (infra/scan-fallback.ts).
    detail: { 'project-name': [projectName, ...fallbackProjectNames] },
  };
}

/**
 * Successful pushes of container images to the repositories in scope, so a digest is usually judged before any task
 * asks for it. `repositoryNames` are names or `*` wildcards (`team-a/*`); undefined means every repository of the
 * account. Signatures, attestations, SBOMs, BuildKit caches and Helm charts pushed to the same repositories are left
 * out, by the same media types and tags the handler checks (functions/core/events/ecr-image-action.ts): each field
 * may be absent (older events, indexes) or must name an image.
 */
export function imagePushPattern(repositoryNames: string[] | undefined): events.EventPattern {
  const detail: Record<string, unknown> = { 'action-type': ['PUSH'], result: ['SUCCESS'] };
  if (repositoryNames !== undefined) {
    detail['repository-name'] = repositoryNames.map((name) => (name.includes('*') ? { wildcard: name } : name));
  }
  Object.assign(
    detail,
    allOf([
      absentOr('manifest-media-type', [...IMAGE_MANIFEST_MEDIA_TYPES, ...IMAGE_INDEX_MEDIA_TYPES]),
      absentOr('artifact-media-type', [...IMAGE_CONFIG_MEDIA_TYPES]),
      absentOr('image-tag', [{ 'anything-but': { wildcard: [...COSIGN_TAG_WILDCARDS] } }]),
    ]),
  );
  return { source: ['aws.ecr'], detailType: ['ECR Image Action'], detail };
}

type Alternatives = Record<string, unknown>[];

/** A field that is absent, or matches one of `matchers`. (`exists: false` is kept out of the value list on purpose.) */
function absentOr(field: string, matchers: unknown[]): Alternatives {
  return [{ [field]: [{ exists: false }] }, { [field]: matchers }];
}

/** Every group must hold: nested `$or`s, as an object can carry only one `$or` key. */
function allOf(groups: Alternatives[]): Record<string, unknown> {
  if (groups.length === 0) return {};
  const [first, ...rest] = groups;
  const inner = allOf(rest);
  return { $or: first.map((alternative) => ({ ...alternative, ...inner })) };
}

/** The gate's own verdict events with one of the given decisions (notification routing). */
export function verdictPattern(decisions: readonly Decision[]): events.EventPattern {
  return {
    source: [VERDICT_EVENT.source],
    detailType: [VERDICT_EVENT.detailType],
    detail: { decision: [...decisions] },
  };
}

function clusterMatcher(clusters: ClusterScope): unknown[] {
  if (clusters.kind === 'pattern') return [{ wildcard: clusters.clusterArnPattern }];
  return clusters.kind === 'all' ? [{ prefix: clusters.clusterArnPrefix }] : [...clusters.clusterArns];
}

/**
 * Active Amazon Inspector findings about ECR container images ("Inspector2 Finding", source aws.inspector2; the
 * detail's resources[] carry type AWS_ECR_CONTAINER_IMAGE and the image hash:
 * https://docs.aws.amazon.com/inspector/latest/user/eventbridge-integration.html, sample in
 * shared/conformance/events/inspector2-finding-ecr-image-awsdocs.json). The gate marks a digest in use for the posture sweep to re-judge first.
 */
export function inspectorImageFindingPattern(): events.EventPattern {
  return { source: ['aws.inspector2'], detailType: ['Inspector2 Finding'], detail: { status: ['ACTIVE'], resources: { type: ['AWS_ECR_CONTAINER_IMAGE'] } } };
}
