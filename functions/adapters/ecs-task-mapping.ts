import type { Task } from '@aws-sdk/client-ecs';
import type { RunningTask } from '../core/ports';
import type { ListedTask } from '../core/posture/ports';
import { DESCRIBE_TASKS_SOURCE, launchFactsFromTask } from '../core/taskdef/launch';

/*
 * A DescribeTasks `Task` as the gate (RunningTask) and the reconciliation (ListedTask) read it. API_Task marks every
 * member optional (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html): a member ECS leaves out,
 * or gives empty, is left out here too; a timestamp that is not a valid date likewise.
 */

/** The gate's reading: a task without its ARN or cluster is left out; without a status it reads as UNKNOWN. */
export function toRunningTask(task: Task): RunningTask | undefined {
  if (!task.taskArn || !task.clusterArn) return undefined;
  // ECS Exec and the platform version as ECS applied them: the hardening rules judge them when the task is judged after its scan.
  const launch = launchFactsFromTask(task, DESCRIBE_TASKS_SOURCE);
  return {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    desiredStatus: task.desiredStatus ?? 'UNKNOWN',
    // The gate judges images: a container without one has nothing to judge.
    containers: containersOf(task, { requireImage: true }),
    // taskDefinitionArn: the revision ECS says the task runs; without it the gate falls back to the one its waiter recorded.
    ...presentStrings(task, ['group', 'startedBy', 'taskDefinitionArn']),
    // Handed on untouched: the gate parses it (applyOverrides) and judges RunTask environment overrides after a scan.
    ...(task.overrides ? { overrides: task.overrides } : {}),
    // When the task was created and began to pull: what tells whether a tag the gate resolves is what the task pulled.
    ...validTimes(task, ['createdAt', 'pullStartedAt']),
    ...(Object.keys(launch).length > 0 ? { launch } : {}),
  };
}

/** The reconciliation's reading: a task without the identifiers it keys on is left out. */
export function toListedTask(task: Task): ListedTask | undefined {
  if (!task.taskArn || !task.clusterArn || !task.taskDefinitionArn || !task.lastStatus || !task.desiredStatus) return undefined;
  return {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    containers: containersOf(task, { requireImage: false }),
    ...presentStrings(task, ['launchType', 'capacityProviderName', 'group', 'startedBy']),
    ...validTimes(task, ['startedAt', 'stoppedAt']),
  };
}

type TaskMemberOf<V> = { [K in keyof Task]-?: NonNullable<Task[K]> extends V ? K : never }[keyof Task];

function containersOf(task: Task, options: { requireImage: true }): RunningTask['containers'];
function containersOf(task: Task, options: { requireImage: false }): ListedTask['containers'];
function containersOf(task: Task, { requireImage }: { requireImage: boolean }): ListedTask['containers'] {
  return (task.containers ?? []).flatMap((container) =>
    container.name && (container.image || !requireImage)
      ? [{ name: container.name, ...(container.image ? { image: container.image } : {}), ...(container.imageDigest ? { imageDigest: container.imageDigest } : {}) }]
      : [],
  );
}

/** The named string members the task has, non-empty. */
function presentStrings<K extends TaskMemberOf<string>>(task: Task, keys: readonly K[]): { [P in K]?: string } {
  const present: { [P in K]?: string } = {};
  for (const key of keys) {
    const value = task[key];
    if (value) present[key] = value;
  }
  return present;
}

/** The named timestamps the task has as valid dates, as ISO-8601. */
function validTimes<K extends TaskMemberOf<Date>>(task: Task, keys: readonly K[]): { [P in K]?: string } {
  const times: { [P in K]?: string } = {};
  for (const key of keys) {
    const value = task[key];
    if (value instanceof Date && !Number.isNaN(value.getTime())) times[key] = value.toISOString();
  }
  return times;
}
