import type { FindingEventPort } from '../../functions/core/posture/drift-ports';
import type { FindingEvent } from '../../functions/core/posture/findings';
import type { DigestInUse, InventoryStore, TaskUse } from '../../functions/core/posture/ports';

/**
 * A TEST DOUBLE of the posture inventory (`InventoryStore`), for the re-judgement and drift tests only: a plain map of
 * task uses with the interface's semantics at their simplest. The real in-memory and DynamoDB inventories are their
 * own modules with their own tests; this double never stands in for them outside tests.
 */
export class InventoryTestDouble implements InventoryStore {
  readonly uses = new Map<string, TaskUse>();
  /** Calls made, by method name, so a test can say what a use case asked. */
  readonly calls: string[] = [];

  private key(digest: string, taskArn: string): string {
    return `${digest}#${taskArn}`;
  }

  async recordUse(use: TaskUse): Promise<void> {
    this.calls.push('recordUse');
    const existing = this.uses.get(this.key(use.digest, use.taskArn));
    if (existing?.stoppedAt) return;
    this.uses.set(this.key(use.digest, use.taskArn), existing ? { ...use, firstSeenAt: existing.firstSeenAt } : { ...use });
  }

  async closeTask(taskArn: string, stoppedAt: string): Promise<void> {
    this.calls.push('closeTask');
    for (const [key, use] of this.uses) if (use.taskArn === taskArn && !use.stoppedAt) this.uses.set(key, { ...use, stoppedAt });
  }

  async nameLauncher(taskArn: string, launchedBy: string): Promise<void> {
    this.calls.push('nameLauncher');
    for (const [key, use] of this.uses) if (use.taskArn === taskArn && !use.stoppedAt) this.uses.set(key, { ...use, launchedBy });
  }

  async listUsesOfDigest(digest: string): Promise<TaskUse[]> {
    this.calls.push('listUsesOfDigest');
    return [...this.uses.values()].filter((use) => use.digest === digest && !use.stoppedAt).map((use) => ({ ...use }));
  }

  async listDigestsInUse(): Promise<DigestInUse[]> {
    this.calls.push('listDigestsInUse');
    const byDigest = new Map<string, DigestInUse>();
    for (const use of this.uses.values()) {
      if (use.stoppedAt) continue;
      const entry = byDigest.get(use.digest);
      if (!entry) byDigest.set(use.digest, { digest: use.digest, openTasks: 1, inUseSince: use.firstSeenAt });
      else byDigest.set(use.digest, { ...entry, openTasks: entry.openTasks + 1, inUseSince: entry.inUseSince < use.firstSeenAt ? entry.inUseSince : use.firstSeenAt });
    }
    return [...byDigest.values()];
  }

  async listOpenUses(): Promise<TaskUse[]> {
    this.calls.push('listOpenUses');
    return [...this.uses.values()].filter((use) => !use.stoppedAt);
  }

  async listOpenUsesInCluster(cluster: string): Promise<TaskUse[]> {
    this.calls.push('listOpenUsesInCluster');
    return [...this.uses.values()].filter((use) => use.cluster === cluster && !use.stoppedAt);
  }
}

/** A TEST DOUBLE of the finding-event port: keeps what was published; `failNext` makes the next publish throw. */
export class FindingEventsTestDouble implements FindingEventPort {
  readonly published: FindingEvent[] = [];
  failNext: unknown;
  async publishFinding(event: FindingEvent): Promise<void> {
    if (this.failNext !== undefined) {
      const failure = this.failNext;
      this.failNext = undefined;
      throw failure;
    }
    this.published.push(structuredClone(event));
  }
}

/** A task use of `digest` with sensible defaults (a service task in cluster `prod`). */
export function taskUse(digest: string, overrides: Partial<TaskUse> = {}): TaskUse {
  return {
    digest,
    taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef0123456789abcdef',
    cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod',
    account: '111122223333',
    region: 'eu-west-1',
    service: 'web',
    deploymentId: 'ecs-svc/1234567890123456789',
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:1',
    containers: [{ name: 'web', image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/web:2` }],
    firstSeenAt: '2026-01-01T00:00:00Z',
    lastSeenAt: '2026-01-05T08:00:00Z',
    source: 'taskEvent',
    ...overrides,
  };
}
