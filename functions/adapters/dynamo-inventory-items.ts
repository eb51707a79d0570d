import { providedZod, zodSchema } from '../core/zod-on-demand';
import type { ReconcileCursor, TaskUse } from '../core/posture/ports';
import { CorruptItemError, describeKey } from './dynamo-items';
import { GATE_TABLE, type ItemKey } from './dynamo-table';

/**
 * Items of the inventory (functions/core/posture/ports.ts) in the gate's one table.
 *
 * | item   | pk               | sk             | gsi1pk (sparse)   | gsi1sk               | expires (TTL)              |
 * |--------|------------------|----------------|-------------------|----------------------|----------------------------|
 * | use    | `task#<taskArn>` | `use#<digest>` | `use#open` (open) | `<digest>#<taskArn>` | stoppedAt + closed retention |
 * | cursor | `reconcile`      | `cursor`       | -                 | -                    | -                          |
 *
 * A use lives in its task's partition (beside the task's version and launcher items), so closing a task is one Query
 * of that partition. While open it carries the sparse `gsi1` keys (the index of unfinished scans, with a partition
 * value of its own): "which tasks run this digest" is one Query of `use#open` with `begins_with(gsi1sk, <digest>#)`,
 * "which digests are in use" one (paginated) Query of `use#open`, sorted by digest. Closing removes the index keys
 * (the index entry is deleted) and sets the TTL, so closed uses cost nothing in the index and leave the table.
 */
export const OPEN_USES_PARTITION = 'use#open';
export const USE_PREFIX = 'use#';

export const inventoryKeys = {
  use: (taskArn: string, digest: string): ItemKey => ({ pk: taskUsePartition(taskArn), sk: `${USE_PREFIX}${digest}` }),
  cursor: (): ItemKey => ({ pk: 'reconcile', sk: 'cursor' }),
};

export function taskUsePartition(taskArn: string): string {
  return `task#${taskArn}`;
}

/** The sort key of an open use in the index: uses of one digest are adjacent, so a digest is one key range. */
export function openUseSortKey(digest: string, taskArn: string): string {
  return `${digest}#${taskArn}`;
}

const useItemSchema = zodSchema((z) =>
  z.object({
    digest: z.string().min(1),
    taskArn: z.string().min(1),
    cluster: z.string().min(1),
    account: z.string(),
    region: z.string(),
    service: z.string().optional(),
    deploymentId: z.string().optional(),
    taskDefinitionArn: z.string(),
    containers: z.array(z.object({ name: z.string(), image: z.string() })),
    launchedBy: z.string().optional(),
    exposure: z.object({ value: z.enum(['public', 'internal']), source: z.string() }).optional(),
    taskDefinitionTags: z.record(z.string(), z.string()).optional(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    startedAt: z.string().optional(),
    stoppedAt: z.string().optional(),
    source: z.enum(['taskEvent', 'reconciliation']),
  }),
);

/** A use item read back; a damaged one is a `CorruptItemError` naming its key. */
export function itemToUse(item: Record<string, unknown>): TaskUse {
  const parsed = useItemSchema().safeParse(item);
  if (!parsed.success) throw new CorruptItemError(`${describeKey(item)} is not a valid use item: ${providedZod().prettifyError(parsed.error)}`);
  const use = parsed.data as TaskUse;
  for (const key of Object.keys(use) as (keyof TaskUse)[]) if (use[key] === undefined) delete use[key];
  return use;
}

/** The facts of a use that every sighting may set (the rest: first seen, last seen, stopped, source, are set with conditions). */
export function useFacts(use: TaskUse): Record<string, unknown> {
  const facts: Record<string, unknown> = {
    type: 'use',
    digest: use.digest,
    taskArn: use.taskArn,
    cluster: use.cluster,
    account: use.account,
    region: use.region,
    taskDefinitionArn: use.taskDefinitionArn,
    containers: use.containers.map((container) => ({ name: container.name, image: container.image })),
  };
  for (const optional of ['service', 'deploymentId', 'launchedBy', 'startedAt', 'exposure', 'taskDefinitionTags'] as const) {
    if (use[optional] !== undefined) facts[optional] = use[optional];
  }
  return facts;
}

const cursorItemSchema = zodSchema((z) => z.object({ passStartedAt: z.string(), nextToken: z.string().optional(), cluster: z.string().optional(), closeAfter: z.string().optional() }));

export function cursorToItem(cursor: ReconcileCursor): Record<string, unknown> {
  const item: Record<string, unknown> = { ...inventoryKeys.cursor(), type: 'reconcileCursor', passStartedAt: cursor.passStartedAt };
  if (cursor.nextToken !== undefined) item.nextToken = cursor.nextToken;
  if (cursor.cluster !== undefined) item.cluster = cursor.cluster;
  if (cursor.closeAfter !== undefined) item.closeAfter = cursor.closeAfter;
  return item;
}

/** A cursor that does not read is no cursor: the reconciliation starts over from the first cluster, which is always safe. */
export function itemToCursor(item: Record<string, unknown>): ReconcileCursor | undefined {
  const parsed = cursorItemSchema().safeParse(item);
  if (!parsed.success) return undefined;
  const cursor: ReconcileCursor = { passStartedAt: parsed.data.passStartedAt };
  if (parsed.data.nextToken !== undefined) cursor.nextToken = parsed.data.nextToken;
  if (parsed.data.cluster !== undefined) cursor.cluster = parsed.data.cluster;
  if (parsed.data.closeAfter !== undefined) cursor.closeAfter = parsed.data.closeAfter;
  return cursor;
}

export const INDEX = GATE_TABLE.unfinishedScansIndex;
