import { isFargate } from '../gate/task';
import { clusterInScope } from '../organisation/cluster-scope';
import type { InventoryTask } from '../posture/uses';
import { describeSchemaError, orUndefined, textOf } from './common';
import { ecsTaskSchema, plainEcsTask } from './ecs-task-state-change';
import type { TaskScope } from './ecs-task-state-change';
import { ignoredEvent, type DetailReader } from './route';

/** A Fargate task that stopped, as its last ECS Task State Change event (lastStatus STOPPED) tells it. */
export interface StoppedTask extends InventoryTask {
  /** ISO-8601: the task's `stoppedAt`, else the event's time; undefined when neither is a time (the handler then uses its clock). */
  stoppedAt?: string;
}

export type StoppedReading = { ok: true; task: StoppedTask } | { ok: false; reason: string; malformed: boolean };

/**
 * Reads a STOPPED task event (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html: the
 * last event of a task has `lastStatus` STOPPED). It only closes the task's uses in the inventory, never judges, so it
 * is read with the same shape checks as a starting task (identifiers that reach the store are validated) and
 * declined the same way when it is not a Fargate task or its cluster is out of scope.
 */
export function readStoppedTask(json: unknown, scope: TaskScope, eventTime: string | undefined): StoppedReading {
  // Not Fargate is "not ours" before it can be "malformed": an EC2 task's event may lack what the gate needs.
  const triage = (typeof json === 'object' && json !== null ? json : {}) as { launchType?: unknown; capacityProviderName?: unknown };
  if (!isFargate(triage.launchType, triage.capacityProviderName)) return { ok: false, reason: `not a Fargate task (launchType ${textOf(triage.launchType)})`, malformed: false };
  let task = plainEcsTask(json);
  if (!task) {
    const parsed = ecsTaskSchema().safeParse(json);
    if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, json, 'malformed ECS Task State Change (STOPPED)'), malformed: true };
    task = parsed.data;
  }
  if (!clusterInScope(task.clusterArn, scope.clusterArns, scope.centralAccount)) {
    return { ok: false, reason: "cluster not in the gate's scope", malformed: false };
  }
  const stopped: StoppedTask = {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    containers: task.containers.map((container) => ({ name: container.name, image: orUndefined(container.image), imageDigest: orUndefined(container.imageDigest) })),
  };
  if (task.group) stopped.group = task.group;
  if (task.startedBy) stopped.startedBy = task.startedBy;
  const startedAt = isoTime(task.startedAt);
  if (startedAt) stopped.startedAt = startedAt;
  const stoppedAt = isoTime(task.stoppedAt) ?? isoTime(eventTime);
  if (stoppedAt) stopped.stoppedAt = stoppedAt;
  return { ok: true, task: stopped };
}

function isoTime(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}

/** The GateEvent of an ECS Task State Change with lastStatus STOPPED. */
export const readTaskStoppedEvent: DetailReader = (event, meta, options) => {
  const stopped = readStoppedTask(event.detail, options, meta.time);
  return stopped.ok ? { kind: 'taskStopped', meta, task: stopped.task } : ignoredEvent(meta, stopped.reason, stopped.malformed);
};
