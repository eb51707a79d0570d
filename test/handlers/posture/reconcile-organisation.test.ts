import { Writable } from 'node:stream';
import type { AccountRegion } from '../../../functions/core/organisation/account';
import { MemberRoleError } from '../../../functions/core/organisation/errors';
import type { ListedTask, TaskListingPort } from '../../../functions/core/posture/ports';
import { createLogger } from '../../../functions/handlers/logger';
import { MEMBER_ROLE_ERROR_METRIC } from '../../../functions/handlers/organisation/account-routing';
import { accountRoutedTaskListing } from '../../../functions/handlers/organisation/task-listing-routing';
import { reconcileInventory } from '../../../functions/handlers/posture/reconcile';
import { ManualClock } from '../../../functions/local/clock';
import { MemoryInventoryStore } from '../../../functions/local/memory-inventory';
import { RecordingMetrics } from '../../../functions/local/notifier';
import { use } from '../../support/inventory-contract';

/** The reconciliation of an organisation: member clusters with open uses are read through the member role there. */

const CENTRAL = '111122223333';
const MEMBER_A = '444455556666';
const MEMBER_B = '777788889999';
const REGION = 'eu-west-1';
const clusterOf = (account: string, name = 'prod') => `arn:aws:ecs:${REGION}:${account}:cluster/${name}`;
const taskOf = (account: string, n: number) => `arn:aws:ecs:${REGION}:${account}:task/prod/${String(n).padStart(32, '0')}`;
const DIGEST = `sha256:${'c'.repeat(64)}`;

/** One account's ECS: its tasks, and every call it was asked, so a call in the wrong account shows. */
class AccountEcs implements TaskListingPort {
  readonly tasks: ListedTask[] = [];
  readonly calls: string[] = [];

  run(account: string, n: number, status = 'RUNNING'): ListedTask {
    const task: ListedTask = {
      taskArn: taskOf(account, n),
      clusterArn: clusterOf(account),
      taskDefinitionArn: `arn:aws:ecs:${REGION}:${account}:task-definition/web:1`,
      lastStatus: status,
      desiredStatus: status,
      launchType: 'FARGATE',
      containers: [{ name: 'app', image: `web@${DIGEST}`, imageDigest: DIGEST }],
      ...(status === 'STOPPED' ? { stoppedAt: '2026-12-01T11:00:00.000Z' } : {}),
    };
    this.tasks.push(task);
    return task;
  }

  async listTaskPage(cluster: string) {
    this.calls.push(`ListTasks ${cluster}`);
    return { taskArns: this.tasks.filter((t) => t.clusterArn === cluster && t.desiredStatus === 'RUNNING').map((t) => t.taskArn) };
  }

  async describeTaskBatch(cluster: string, taskArns: string[]) {
    this.calls.push(`DescribeTasks ${cluster}`);
    return { tasks: this.tasks.filter((t) => taskArns.includes(t.taskArn)), failures: [] };
  }
}

function setup() {
  const clock = new ManualClock('2026-12-01T12:00:00Z');
  const inventory = new MemoryInventoryStore(clock);
  const metrics = new RecordingMetrics();
  const ecsOf = new Map<string, AccountEcs>([CENTRAL, MEMBER_A].map((account) => [account, new AccountEcs()]));
  const built: string[] = [];
  const ecs = accountRoutedTaskListing({
    central: { account: CENTRAL, region: REGION, listing: ecsOf.get(CENTRAL)! },
    member: (where: AccountRegion) => {
      built.push(where.account);
      const member = ecsOf.get(where.account);
      if (member) return member;
      // Member B has no member role (its StackSet instance is missing): every call is refused.
      const refuse = async (): Promise<never> => {
        throw new MemberRoleError(where.account, where.region, 'refused', `cannot assume the member role in ${where.account}`);
      };
      return { listTaskPage: refuse, describeTaskBatch: refuse };
    },
    metrics,
  });
  const logger = createLogger({ level: 'error', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  return { clock, inventory, metrics, ecsOf, built, ecs, logger };
}

describe('reconcileInventory in an organisation', () => {
  it('closes a member task whose STOPPED event was lost and records one started before the gate, with the member\'s ECS and account', async () => {
    const { inventory, ecs, ecsOf, logger, clock } = setup();
    const central = ecsOf.get(CENTRAL)!;
    const memberA = ecsOf.get(MEMBER_A)!;
    // Member A: task 1 was recorded running, then stopped without its event reaching the gate; task 2 runs unseen.
    await inventory.recordUse(use({ digest: DIGEST, taskArn: taskOf(MEMBER_A, 1), cluster: clusterOf(MEMBER_A), account: MEMBER_A }));
    memberA.run(MEMBER_A, 1, 'STOPPED');
    memberA.run(MEMBER_A, 2);
    central.run(CENTRAL, 3);
    const summary = await reconcileInventory({ ecs, inventory, clock, logger, clusters: [clusterOf(CENTRAL)], memberClusters: { source: inventory, centralAccount: CENTRAL } });
    expect(summary).toMatchObject({ clustersDone: 2, closed: 1, recorded: 2, failedPages: 0 });
    expect((await inventory.listUsesOfDigest(DIGEST)).map((u) => [u.taskArn, u.account]).sort()).toEqual(
      [
        [taskOf(MEMBER_A, 2), MEMBER_A],
        [taskOf(CENTRAL, 3), '111122223333'],
      ].sort(),
    );
    // Each cluster was read in its own account only.
    expect(central.calls.every((call) => call.includes(`:${CENTRAL}:`))).toBe(true);
    expect(memberA.calls).toEqual([`ListTasks ${clusterOf(MEMBER_A)}`, `DescribeTasks ${clusterOf(MEMBER_A)}`, `DescribeTasks ${clusterOf(MEMBER_A)}`]);
  });

  it('skips a member whose role is refused, counted for that member, and goes on with the others', async () => {
    const { inventory, ecs, ecsOf, logger, clock, metrics } = setup();
    await inventory.recordUse(use({ digest: DIGEST, taskArn: taskOf(MEMBER_B, 1), cluster: clusterOf(MEMBER_B), account: MEMBER_B }));
    await inventory.recordUse(use({ digest: DIGEST, taskArn: taskOf(MEMBER_A, 1), cluster: clusterOf(MEMBER_A), account: MEMBER_A }));
    ecsOf.get(MEMBER_A)!.run(MEMBER_A, 1, 'STOPPED');
    const summary = await reconcileInventory({ ecs, inventory, clock, logger, clusters: [clusterOf(CENTRAL)], memberClusters: { source: inventory, centralAccount: CENTRAL } });
    expect(summary).toMatchObject({ clustersDone: 2, failedPages: 1, closed: 1 });
    // B's use is kept open (never closed on a refusal), and the refusal is counted for B.
    expect((await inventory.listUsesOfDigest(DIGEST)).map((u) => u.account)).toEqual([MEMBER_B]);
    expect(metrics.points.filter((p) => p.name === MEMBER_ROLE_ERROR_METRIC).map((p) => p.dimensions)).toEqual([{ Account: MEMBER_B, Reason: 'refused' }]);
  });

  it('reads no member cluster without the organisation setting (a single-account gate)', async () => {
    const { inventory, ecs, logger, clock, built } = setup();
    await inventory.recordUse(use({ digest: DIGEST, taskArn: taskOf(MEMBER_A, 1), cluster: clusterOf(MEMBER_A), account: MEMBER_A }));
    expect(await reconcileInventory({ ecs, inventory, clock, logger, clusters: [clusterOf(CENTRAL)] })).toMatchObject({ clustersDone: 1 });
    expect(built).toEqual([]);
  });
});
