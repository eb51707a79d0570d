import type * as z from 'zod';
import { zodSchema } from '../zod-on-demand';
import { isFargate, isStartingOrRunning, type TaskSnapshot } from '../gate/task';
import { launchFactsFromTask } from '../taskdef/launch';
import { CLUSTER_ARN, TASK_ARN, TASK_DEFINITION_ARN, describeSchemaError, orUndefined, textOf } from './common';
import { clusterInScope } from '../organisation/cluster-scope';
import { isNonEmptyString, isNullishNonEmptyString, isNullishString, isRecord, matchesPattern } from './plain-shape';
import { ignoredEvent, type DetailReader } from './route';

/**
 * ECS Task State Change `detail`: it "resembles the Task object that is returned from a DescribeTasks API
 * operation" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html). Only the
 * members the gate reads are declared; the rest pass through. Identifiers that reach AWS calls are validated.
 */
export const ecsContainerSchema = zodSchema((z) => z.looseObject({
  name: z.string().min(1).max(255),
  image: z.string().min(1).max(4096).nullish(),
  imageDigest: z.string().max(256).nullish(),
  lastStatus: z.string().nullish(),
}));

export const ecsTaskSchema = zodSchema((z) => z.looseObject({
  taskArn: z.string().regex(TASK_ARN, 'expected a task ARN'),
  clusterArn: z.string().regex(CLUSTER_ARN, 'expected a cluster ARN'),
  taskDefinitionArn: z.string().regex(TASK_DEFINITION_ARN, 'expected a task definition revision ARN'),
  lastStatus: z.string().min(1),
  desiredStatus: z.string().min(1),
  launchType: z.string().nullish(),
  capacityProviderName: z.string().nullish(),
  group: z.string().max(1024).nullish(),
  startedBy: z.string().max(1024).nullish(),
  version: z.number().int().nonnegative().nullish(),
  containers: z.array(ecsContainerSchema()).min(1).max(100),
  overrides: z.unknown().optional(),
  createdAt: z.unknown().optional(),
  pullStartedAt: z.unknown().optional(),
}));

export type EcsTaskJson = z.infer<ReturnType<typeof ecsTaskSchema>>;

/**
 * `json` itself when `ecsTaskSchema` plainly accepts it with the same values (plain-shape.ts), else undefined: the task
 * events and RunTask responses AWS sends are read without building or running the schema.
 */
export function plainEcsTask(json: unknown): EcsTaskJson | undefined {
  if (!isRecord(json)) return undefined;
  if (!matchesPattern(json.taskArn, TASK_ARN) || !matchesPattern(json.clusterArn, CLUSTER_ARN) || !matchesPattern(json.taskDefinitionArn, TASK_DEFINITION_ARN)) return undefined;
  if (!isNonEmptyString(json.lastStatus) || !isNonEmptyString(json.desiredStatus)) return undefined;
  if (!isNullishString(json.launchType) || !isNullishString(json.capacityProviderName) || !isNullishString(json.group, 1024) || !isNullishString(json.startedBy, 1024)) return undefined;
  const version = json.version;
  if (version !== undefined && version !== null && !(typeof version === 'number' && Number.isSafeInteger(version) && version >= 0)) return undefined;
  const containers = json.containers;
  if (!Array.isArray(containers) || containers.length < 1 || containers.length > 100) return undefined;
  for (let index = 0; index < containers.length; index += 1) {
    const container: unknown = containers[index];
    if (!isRecord(container) || !isNonEmptyString(container.name, 255)) return undefined;
    if (!isNullishNonEmptyString(container.image, 4096) || !isNullishString(container.imageDigest, 256) || !isNullishString(container.lastStatus)) return undefined;
  }
  return json as EcsTaskJson;
}

export type TaskReading = { ok: true; task: TaskSnapshot } | { ok: false; reason: string; malformed: boolean };

export interface TaskScope {
  /** Cluster ARNs in scope; empty means every cluster. */
  clusterArns?: readonly string[];
  /** The central account of an organisation deployment: the list holds for its clusters only (core/organisation/cluster-scope.ts). */
  centralAccount?: string;
}

/**
 * Reads one ECS task (event detail or RunTask response element). Tasks that are not Fargate, not starting, or in
 * a cluster out of scope are declined with a reason; a task that claims to be a starting Fargate task but does not
 * have the shape the gate needs is declined as malformed.
 */
export function readEcsTask(json: unknown, scope: TaskScope, what: string, launchSource = TASK_EVENT_SOURCE): TaskReading {
  // The few members that decide whether the gate cares at all, read before the full parse so an EC2 or stopping task
  // is "not ours", not "malformed".
  if (!isRecord(json)) return { ok: false, reason: `malformed ${what}: not an object`, malformed: true };
  const t = json;
  if (!isFargate(t.launchType, t.capacityProviderName)) {
    return { ok: false, reason: `not a Fargate task (launchType ${textOf(t.launchType)})`, malformed: false };
  }
  if (typeof t.lastStatus !== 'string' || typeof t.desiredStatus !== 'string' || !isStartingOrRunning({ lastStatus: t.lastStatus, desiredStatus: t.desiredStatus })) {
    return { ok: false, reason: `not a starting task (lastStatus ${textOf(t.lastStatus)}, desiredStatus ${textOf(t.desiredStatus)})`, malformed: false };
  }
  let task = plainEcsTask(json);
  if (!task) {
    const parsed = ecsTaskSchema().safeParse(json);
    if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, json, `malformed ${what}`), malformed: true };
    task = parsed.data;
  }
  if (!clusterInScope(task.clusterArn, scope.clusterArns, scope.centralAccount)) {
    return { ok: false, reason: 'cluster not in the gate\'s scope', malformed: false };
  }
  return { ok: true, task: toSnapshot(task, launchSource) };
}

/** How a launch fact read from a Task State Change event names its source. */
export const TASK_EVENT_SOURCE = 'from the ECS task event';

export function toSnapshot(task: EcsTaskJson, launchSource = TASK_EVENT_SOURCE): TaskSnapshot {
  const snapshot: TaskSnapshot = {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    containers: task.containers.map((container) => ({
      name: container.name,
      image: orUndefined(container.image),
      imageDigest: orUndefined(container.imageDigest),
    })),
  };
  if (task.group) snapshot.group = task.group;
  if (task.startedBy) snapshot.startedBy = task.startedBy;
  if (typeof task.version === 'number') snapshot.version = task.version;
  if (task.overrides !== undefined && task.overrides !== null) snapshot.overrides = task.overrides;
  if (typeof task.createdAt === 'string' && !Number.isNaN(Date.parse(task.createdAt))) snapshot.createdAt = task.createdAt;
  if (typeof task.pullStartedAt === 'string' && !Number.isNaN(Date.parse(task.pullStartedAt))) snapshot.pullStartedAt = task.pullStartedAt;
  // `enableExecuteCommand` and `platformVersion` as ECS applied them; never a public IP (launchFactsFromTask says why).
  const launch = launchFactsFromTask(task, launchSource);
  if (Object.keys(launch).length > 0) snapshot.launch = launch;
  return snapshot;
}

/** The GateEvent of an ECS Task State Change of a task that is not STOPPED (routing sends STOPPED to ecs-task-stopped.ts). */
export const readTaskStateChangeEvent: DetailReader = (event, meta, options) => {
  const reading = readEcsTask(event.detail, options, 'ECS Task State Change');
  return reading.ok ? { kind: 'taskStateChange', meta, task: reading.task } : ignoredEvent(meta, reading.reason, reading.malformed);
};
