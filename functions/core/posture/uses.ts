import { planImage } from '../gate/images';
import { taskOwner, type ContainerSnapshot } from '../gate/task';
import type { ExposureFact } from '../policy/input';
import { boundTags } from '../taskdef/tags';
import type { DigestInUse, TaskUse, TaskUseSource } from './ports';

/**
 * Turning a task (an ECS Task State Change event or a DescribeTasks answer) into inventory rows, and back into the
 * "digests in use" summary. Pure: the stores and handlers share it, so the event path and the reconciliation key a
 * task's uses the same way (a STOPPED event closes exactly the rows its RUNNING event opened).
 */

/** What the inventory needs of a task, whichever source described it. */
export interface InventoryTask {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group?: string;
  startedBy?: string;
  startedAt?: string;
  containers: ContainerSnapshot[];
  /** Whether the task is reachable from outside, when its launch facts settle it (a task snapshot's `exposure`). */
  exposure?: ExposureFact;
}

export interface UseSighting {
  /** ISO-8601 time of the sighting (first and last seen). */
  seenAt: string;
  source: TaskUseSource;
  launchedBy?: string;
  /** Set to record the uses closed (a STOPPED event). */
  stoppedAt?: string;
  /** The task definition's tags, when the sighting read them. */
  taskDefinitionTags?: Record<string, string>;
}

/** ARN `arn:<partition>:ecs:<region>:<account>:...` → region and account; empty strings when the ARN has no such fields. */
export function arnLocation(arn: string): { account: string; region: string } {
  const parts = arn.split(':');
  return { region: parts[3] ?? '', account: parts[4] ?? '' };
}

/**
 * The digests a task runs, by the evidence `planImage` ranks first: the digest ECS reports for the container, or the
 * digest its reference pins. A container known only by tag has no digest yet (ECS reports one once it pulled), so it
 * has no use: the inventory records what is proven to run, never a guess a moved tag could make wrong.
 */
export function digestsOfTask(containers: readonly ContainerSnapshot[]): Map<string, { name: string; image: string }[]> {
  const byDigest = new Map<string, { name: string; image: string }[]>();
  for (const container of containers) {
    const plan = planImage(container);
    if (plan.kind !== 'pinned') continue;
    const entry = { name: container.name, image: container.image ?? plan.reference.original };
    byDigest.set(plan.digest, [...(byDigest.get(plan.digest) ?? []), entry]);
  }
  return byDigest;
}

/** One use per digest the task runs (see `digestsOfTask`), with the task's owner and location. */
export function usesOfTask(task: InventoryTask, sighting: UseSighting): TaskUse[] {
  const owner = taskOwner(task);
  const { account, region } = arnLocation(task.taskArn);
  return [...digestsOfTask(task.containers)].map(([digest, containers]) => {
    const use: TaskUse = {
      digest,
      taskArn: task.taskArn,
      cluster: task.clusterArn,
      account,
      region,
      taskDefinitionArn: task.taskDefinitionArn,
      containers,
      firstSeenAt: sighting.seenAt,
      lastSeenAt: sighting.seenAt,
      source: sighting.source,
    };
    if (owner.kind === 'service') {
      use.service = owner.service;
      if (owner.deploymentId) use.deploymentId = `ecs-svc/${owner.deploymentId}`;
    }
    if (sighting.launchedBy) use.launchedBy = sighting.launchedBy;
    if (task.exposure) use.exposure = { value: task.exposure.value, source: task.exposure.source };
    if (sighting.taskDefinitionTags) use.taskDefinitionTags = { ...sighting.taskDefinitionTags };
    if (task.startedAt) use.startedAt = task.startedAt;
    if (sighting.stoppedAt) use.stoppedAt = sighting.stoppedAt;
    return use;
  });
}

/** The open uses grouped by digest: how many tasks, and since when (the earliest first sighting). Sorted by digest. */
export function summariseDigestsInUse(openUses: readonly Pick<TaskUse, 'digest' | 'firstSeenAt' | 'stoppedAt'>[]): DigestInUse[] {
  const byDigest = new Map<string, DigestInUse>();
  for (const use of openUses) {
    if (use.stoppedAt !== undefined) continue;
    const known = byDigest.get(use.digest);
    if (!known) byDigest.set(use.digest, { digest: use.digest, openTasks: 1, inUseSince: use.firstSeenAt });
    else {
      known.openTasks += 1;
      if (use.firstSeenAt < known.inUseSince) known.inUseSince = use.firstSeenAt;
    }
  }
  return [...byDigest.values()].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}

/**
 * Checks a use before a store writes it, and returns it with its times in one form (`toISOString`, milliseconds and
 * `Z`): both stores reject the same things with the same message, and comparing two times as text (what DynamoDB's
 * conditions do) orders them in time.
 */
export function normaliseTaskUse(use: TaskUse): TaskUse {
  for (const field of ['digest', 'taskArn', 'cluster', 'taskDefinitionArn'] as const) {
    if (typeof use[field] !== 'string' || use[field].length === 0) throw new TypeError(`task use: ${field} must be a non-empty string, got ${JSON.stringify(use[field])}`);
  }
  if (use.digest.includes('#')) throw new TypeError(`task use: digest ${JSON.stringify(use.digest)} may not contain "#"`);
  const normal: TaskUse = { ...use, containers: use.containers.map((c) => ({ name: c.name, image: c.image })) };
  // Owner facts are context, not keys: one that does not read is left out, never a reason to lose the use.
  normal.exposure = normaliseExposure(use.exposure);
  normal.taskDefinitionTags = boundTags(use.taskDefinitionTags);
  normal.firstSeenAt = normaliseTime(`task use ${use.taskArn}: firstSeenAt`, use.firstSeenAt);
  normal.lastSeenAt = normaliseTime(`task use ${use.taskArn}: lastSeenAt`, use.lastSeenAt);
  if (use.stoppedAt !== undefined) normal.stoppedAt = normaliseTime(`task use ${use.taskArn}: stoppedAt`, use.stoppedAt);
  if (use.startedAt !== undefined) normal.startedAt = normaliseTime(`task use ${use.taskArn}: startedAt`, use.startedAt);
  for (const key of Object.keys(normal) as (keyof TaskUse)[]) if (normal[key] === undefined) delete normal[key];
  return normal;
}

/** An ISO-8601 time with a zone (`Z` or an offset), as `toISOString` writes it; anything else is a TypeError naming `what`. */
export function normaliseTime(what: string, value: unknown): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new TypeError(`${what} must be an ISO-8601 time with a zone (2026-01-05T09:00:00.000Z), got ${JSON.stringify(value)}`);
  }
  return new Date(value).toISOString();
}

/** Most characters of an exposure's `source` kept: it names a fact ("a public IP is assigned (RunTask ...)"), not a story. */
const MAX_EXPOSURE_SOURCE = 200;

function normaliseExposure(exposure: unknown): ExposureFact | undefined {
  if (exposure === null || typeof exposure !== 'object') return undefined;
  const { value, source } = exposure as { value?: unknown; source?: unknown };
  if (value !== 'public' && value !== 'internal') return undefined;
  return { value, source: typeof source === 'string' ? source.slice(0, MAX_EXPOSURE_SOURCE) : '' };
}
