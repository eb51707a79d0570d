import type { StoppedTask } from '../../core/events/ecs-task-stopped';
import type { TaskSnapshot } from '../../core/gate/task';
import type { InventoryStore } from '../../core/posture/ports';
import { usesOfTask } from '../../core/posture/uses';
import type { Clock, TaskDefinitionPort } from '../../core/ports';
import type { Logger } from '../logger';

/**
 * The event path's part of the inventory. A RUNNING event records the task's uses: one conditional UpdateItem per
 * digest, and nothing for any other status (the digests ECS reports are final once the task runs; earlier events
 * would only rewrite the same rows). A STOPPED event closes them and never judges: with the digests the event names,
 * one conditional write per digest (which also leaves a closed row a late RUNNING event cannot reopen); when a
 * container names no digest (stopped before its pull), a Query of the task's rows and a write per row still open.
 */
export interface InventoryDeps {
  inventory?: InventoryStore;
  clock: Clock;
  /** The gate's task definitions (memoised per revision: the judgement of the same event reads the same one). */
  taskDefinitions?: TaskDefinitionPort;
}

/**
 * The task definition's tags, from the read the judgement of the same event makes (the runtime memoises it per
 * revision, so this is no extra call); a task definition that cannot be read records the use without them.
 */
async function taskDefinitionTags(deps: InventoryDeps, taskDefinitionArn: string, log: Logger): Promise<Record<string, string> | undefined> {
  if (!deps.taskDefinitions) return undefined;
  try {
    return (await deps.taskDefinitions.get(taskDefinitionArn)).tags;
  } catch (error) {
    log.debug({ err: error }, 'task definition unreadable: the use is recorded without its tags');
    return undefined;
  }
}

/**
 * `launcher` may still be on its way (gate.ts takes it from the judgement's verdict read): the task definition's tags
 * are read meanwhile, so that read joins the judgement's own (the task-definition cache shares it) as before.
 */
export async function recordRunningTask(deps: InventoryDeps, task: TaskSnapshot, launcher: string | undefined | Promise<string | undefined>, log: Logger): Promise<number> {
  if (!deps.inventory || task.lastStatus !== 'RUNNING') return 0;
  // `log` is bound to the task by the caller (gate.ts).
  const [tags, launchedBy] = await Promise.all([taskDefinitionTags(deps, task.taskDefinitionArn, log), launcher]);
  const uses = usesOfTask(task, { seenAt: deps.clock.now().toISOString(), source: 'taskEvent', ...(launchedBy ? { launchedBy } : {}), ...(tags ? { taskDefinitionTags: tags } : {}) });
  await Promise.all(uses.map((use) => deps.inventory?.recordUse(use)));
  if (uses.length === 0) {
    log.debug({}, 'running task names no digest yet: not in the inventory until one does (or the reconciliation reads it)');
  }
  return uses.length;
}

export type StoppedOutcome = { closed: 'byDigest'; digests: number } | { closed: 'byTask' } | { closed: 'notRecorded'; reason: string };

export async function recordStoppedTask(deps: InventoryDeps, task: StoppedTask, log: Logger): Promise<StoppedOutcome> {
  if (!deps.inventory) return { closed: 'notRecorded', reason: 'no inventory configured' };
  const now = deps.clock.now().toISOString();
  const stoppedAt = task.stoppedAt ?? now;
  // `log` is bound to the task by the caller (gate.ts).
  const uses = usesOfTask(task, { seenAt: now, source: 'taskEvent', stoppedAt });
  const everyContainerPinned = uses.reduce((sum, use) => sum + use.containers.length, 0) === task.containers.length;
  await Promise.all(uses.map((use) => deps.inventory?.recordUse(use)));
  if (uses.length > 0 && everyContainerPinned) {
    log.debug({ digests: uses.length }, 'task stopped: its uses closed');
    return { closed: 'byDigest', digests: uses.length };
  }
  await deps.inventory.closeTask(task.taskArn, stoppedAt);
  log.debug({}, 'task stopped: its uses closed (by task: a container named no digest)');
  return { closed: 'byTask' };
}
