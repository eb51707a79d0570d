import type { Clock } from '../core/ports';
import type { DigestInUse, InventoryStore, ReconcileCursor, ReconcileCursorStore, TaskUse } from '../core/posture/ports';
import { normaliseTaskUse, normaliseTime, summariseDigestsInUse } from '../core/posture/uses';
import type { ActivityLog } from './activity';

const DAY_SECONDS = 24 * 60 * 60;

interface StoredUse {
  use: TaskUse;
  /** Epoch seconds after which a closed use reads as absent (DynamoDB TTL); open uses never expire. */
  expires?: number;
}

/**
 * The inventory in memory, with the DynamoDB store's semantics (functions/adapters/dynamo-inventory.ts): a closed use
 * is never reopened, an older sighting never moves `lastSeenAt` back, closed uses expire after the same retention,
 * and a read never shares objects with what is stored. Each call counts itself as the AWS call it stands for.
 */
export class MemoryInventoryStore implements InventoryStore, ReconcileCursorStore {
  /** taskArn → digest → use: the table's task partitions. */
  private readonly uses = new Map<string, Map<string, StoredUse>>();
  private cursor: ReconcileCursor | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly activity?: ActivityLog,
    private readonly closedUseSeconds = 7 * DAY_SECONDS,
  ) {}

  async recordUse(given: TaskUse): Promise<void> {
    this.count('recordUse');
    const use = normaliseTaskUse(given);
    let task = this.uses.get(use.taskArn);
    if (!task) this.uses.set(use.taskArn, (task = new Map()));
    // A closed use past its TTL still blocks a reopen, as the DynamoDB item does until TTL really deletes it.
    if (task.get(use.digest)?.use.stoppedAt !== undefined) return;
    const stored = this.live(task.get(use.digest));
    if (use.stoppedAt === undefined && stored && stored.use.lastSeenAt > use.lastSeenAt) return;
    const merged: TaskUse = { ...(stored?.use ?? {}), ...withoutTimes(use) } as TaskUse;
    merged.firstSeenAt = stored?.use.firstSeenAt ?? use.firstSeenAt;
    merged.source = stored?.use.source ?? use.source;
    if (use.stoppedAt === undefined) {
      merged.lastSeenAt = use.lastSeenAt;
      task.set(use.digest, { use: copy(merged) });
    } else {
      merged.lastSeenAt = stored?.use.lastSeenAt ?? use.lastSeenAt;
      merged.stoppedAt = use.stoppedAt;
      task.set(use.digest, { use: copy(merged), expires: this.expiryOf(use.stoppedAt) });
    }
  }

  async nameLauncher(taskArn: string, launchedBy: string): Promise<void> {
    this.count('nameLauncher');
    requireText('taskArn', taskArn);
    for (const [digest, stored] of this.uses.get(taskArn) ?? []) {
      if (!this.live(stored) || stored.use.stoppedAt !== undefined) continue;
      // The DynamoDB store's naming is a query and one write per open use: counted the same way.
      this.count('nameLauncherUse');
      this.uses.get(taskArn)?.set(digest, { ...stored, use: { ...stored.use, launchedBy } });
    }
  }

  async closeTask(taskArn: string, stoppedAt: string): Promise<void> {
    this.count('closeTask');
    requireText('taskArn', taskArn);
    const stopped = normaliseTime(`closeTask(${taskArn}): stoppedAt`, stoppedAt);
    for (const [digest, stored] of this.uses.get(taskArn) ?? []) {
      if (!this.live(stored) || stored.use.stoppedAt !== undefined) continue;
      // The DynamoDB store's close is a query and one write per open use: counted the same way.
      this.count('closeUse');
      this.uses.get(taskArn)?.set(digest, { use: { ...stored.use, stoppedAt: stopped }, expires: this.expiryOf(stopped) });
    }
  }

  async listUsesOfDigest(digest: string): Promise<TaskUse[]> {
    this.count('listUsesOfDigest');
    requireText('digest', digest);
    return this.openUses().filter((use) => use.digest === digest);
  }

  async listDigestsInUse(): Promise<DigestInUse[]> {
    this.count('listDigestsInUse');
    return summariseDigestsInUse(this.openUses());
  }

  async listOpenUses(): Promise<TaskUse[]> {
    this.count('listOpenUses');
    return this.openUses();
  }

  async listOpenUsesInCluster(cluster: string): Promise<TaskUse[]> {
    this.count('listOpenUsesInCluster');
    requireText('cluster', cluster);
    return this.openUses().filter((use) => use.cluster === cluster);
  }

  async listOpenClusters(): Promise<string[]> {
    this.count('listOpenClusters');
    return [...new Set(this.openUses().map((use) => use.cluster))].sort();
  }

  async getReconcileCursor(): Promise<ReconcileCursor | undefined> {
    this.count('getReconcileCursor');
    return this.cursor ? { ...this.cursor } : undefined;
  }

  async putReconcileCursor(cursor: ReconcileCursor | undefined): Promise<void> {
    this.count('putReconcileCursor');
    this.cursor = cursor ? { ...cursor } : undefined;
  }

  /** Read-only views for simulations, tests and the benchmark; not part of the port, never counted. */
  readonly inspect = {
    /** Every use still in the table, open or closed, in the order of the index (digest, then task). */
    all: (): TaskUse[] =>
      [...this.uses.values()]
        .flatMap((task) => [...task.values()])
        .filter((stored) => this.live(stored))
        .map((stored) => copy(stored.use))
        .sort(byDigestThenTask),
  };

  private openUses(): TaskUse[] {
    return this.inspect.all().filter((use) => use.stoppedAt === undefined);
  }

  private live(stored: StoredUse | undefined): StoredUse | undefined {
    if (!stored) return undefined;
    return stored.expires !== undefined && stored.expires <= Math.floor(this.clock.now().getTime() / 1000) ? undefined : stored;
  }

  private expiryOf(stoppedAt: string): number {
    return Math.floor(Date.parse(stoppedAt) / 1000) + this.closedUseSeconds;
  }

  private count(method: string): void {
    this.activity?.call(`inventory.${method}`);
  }
}

function withoutTimes(use: TaskUse): Partial<TaskUse> {
  const { firstSeenAt: _first, lastSeenAt: _last, stoppedAt: _stopped, source: _source, ...facts } = use;
  return facts;
}

function copy(use: TaskUse): TaskUse {
  return structuredClone(use);
}

function byDigestThenTask(a: TaskUse, b: TaskUse): number {
  const left = `${a.digest}#${a.taskArn}`;
  const right = `${b.digest}#${b.taskArn}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

function requireText(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`MemoryInventoryStore: ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
}
