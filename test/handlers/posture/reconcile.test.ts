import { Writable } from 'node:stream';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, LaunchType, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsTaskListing } from '../../../functions/adapters/ecs-task-listing';
import type { ListedTask, TaskFailure, TaskListingPort } from '../../../functions/core/posture/ports';
import { createLogger } from '../../../functions/handlers/logger';
import { reconcileInventory, type ReconcileDeps } from '../../../functions/handlers/posture/reconcile';
import { ManualClock } from '../../../functions/local/clock';
import { MemoryInventoryStore } from '../../../functions/local/memory-inventory';
import { CLUSTER, OTHER_CLUSTER, use } from '../../support/inventory-contract';

const TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:7';
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const arnOf = (cluster: string, n: number) => `${cluster.replace(':cluster/', ':task/')}/${n.toString(16).padStart(32, '0')}`;

/**
 * ECS as the reconciliation reads it: tasks per cluster, pages of `pageSize`, and faults to inject. ListTasks lists
 * what the real call (launchType FARGATE, adapters/ecs-task-listing.ts) lists: the tasks whose launchType is FARGATE.
 */
class ScriptedEcs implements TaskListingPort {
  readonly tasks = new Map<string, ListedTask>();
  /** Tasks ECS no longer knows: DescribeTasks answers MISSING. */
  readonly forgotten = new Set<string>();
  /** Tasks ListTasks shows but DescribeTasks no longer finds (stopped and gone between the two calls). */
  readonly vanishing = new Set<string>();
  readonly calls: string[] = [];
  /** The tags DescribeTaskDefinition answers per task definition ARN (none: no tags). */
  readonly taskDefinitionTagsByArn = new Map<string, Record<string, string>>();
  fault: ((api: string, cluster: string, callNumber: number) => Error | undefined) | undefined;

  constructor(private readonly pageSize = 100) {}

  run(cluster: string, n: number, overrides: Partial<ListedTask> = {}): ListedTask {
    const task: ListedTask = {
      taskArn: arnOf(cluster, n),
      clusterArn: cluster,
      taskDefinitionArn: TASK_DEFINITION,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      group: 'service:web',
      startedBy: 'ecs-svc/1234567890',
      startedAt: '2026-11-01T08:00:00.000Z',
      containers: [{ name: 'app', image: `web@${digest(n % 7)}`, imageDigest: digest(n % 7) }],
      ...overrides,
    };
    this.tasks.set(task.taskArn, task);
    return task;
  }

  async listTaskPage(cluster: string, nextToken?: string) {
    this.calls.push(`ListTasks ${cluster} ${nextToken ?? ''}`.trim());
    this.raise('ListTasks', cluster);
    const arns = [...this.tasks.values()].filter((t) => t.clusterArn === cluster && t.desiredStatus === 'RUNNING' && t.launchType === 'FARGATE').map((t) => t.taskArn).sort();
    const start = nextToken ? Number(nextToken) : 0;
    const end = start + this.pageSize;
    return end < arns.length ? { taskArns: arns.slice(start, end), nextToken: String(end) } : { taskArns: arns.slice(start, end) };
  }

  async describeTaskBatch(cluster: string, taskArns: string[]) {
    this.calls.push(`DescribeTasks ${cluster} ${taskArns.length}`);
    this.raise('DescribeTasks', cluster);
    if (taskArns.length > 100) throw new Error('more than 100 tasks');
    const tasks: ListedTask[] = [];
    const failures: TaskFailure[] = [];
    for (const arn of taskArns) {
      const task = this.tasks.get(arn);
      if (!task || this.forgotten.has(arn) || this.vanishing.has(arn)) failures.push({ arn, reason: 'MISSING' });
      else tasks.push(task);
    }
    return { tasks, failures };
  }

  async taskDefinitionTags(cluster: string, taskDefinitionArn: string) {
    this.calls.push(`DescribeTaskDefinition ${taskDefinitionArn}`);
    this.raise('DescribeTaskDefinition', cluster);
    const tags = this.taskDefinitionTagsByArn.get(taskDefinitionArn);
    return tags ? { ...tags } : undefined;
  }

  private raise(api: string, cluster: string): void {
    const error = this.fault?.(api, cluster, this.calls.length);
    if (error) throw error;
  }
}

function setup(options: { pageSize?: number; budget?: number; clusters?: string[] } = {}) {
  const clock = new ManualClock('2026-12-01T12:00:00Z');
  const ecs = new ScriptedEcs(options.pageSize);
  const inventory = new MemoryInventoryStore(clock);
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const deps: ReconcileDeps = { ecs, inventory, clock, logger: createLogger({ level: 'debug', destination }), clusters: options.clusters ?? [CLUSTER], ...(options.budget ? { budget: options.budget } : {}) };
  const messages = (level?: string) => lines.filter((line) => level === undefined || line.level === level).map((line) => String(line.msg));
  return { clock, ecs, inventory, deps, lines, messages };
}

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
const denied = () => Object.assign(new Error('not authorized to perform ecs:ListTasks'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });

describe('reconcileInventory', () => {
  it('records running tasks the inventory lacks (started before the gate), one DescribeTasks per ListTasks page', async () => {
    const { ecs, inventory, deps } = setup();
    for (let n = 1; n <= 250; n += 1) ecs.run(CLUSTER, n);
    const summary = await reconcileInventory(deps);
    // One DescribeTaskDefinition for the owner tags of the 250 tasks: they share one task definition.
    expect(summary).toEqual({ clustersDone: 1, listPages: 3, describeCalls: 3, taskDefinitionReads: 1, recorded: 250, closed: 0, failedPages: 0 });
    expect((await inventory.listOpenUsesInCluster(CLUSTER)).length).toBe(250);
    const [found] = await inventory.listUsesOfDigest(digest(1));
    expect(found).toMatchObject({ source: 'reconciliation', service: 'web', startedAt: '2026-11-01T08:00:00.000Z', firstSeenAt: '2026-12-01T12:00:00.000Z' });
    expect((await inventory.listDigestsInUse()).length).toBe(7);
  });

  it('costs only the ListTasks pages once the inventory knows every task', async () => {
    const { ecs, deps } = setup();
    for (let n = 1; n <= 250; n += 1) ecs.run(CLUSTER, n);
    await reconcileInventory(deps);
    ecs.calls.length = 0;
    expect(await reconcileInventory(deps)).toMatchObject({ listPages: 3, describeCalls: 0, recorded: 0, closed: 0 });
    expect(ecs.calls).toEqual([`ListTasks ${CLUSTER}`, `ListTasks ${CLUSTER} 100`, `ListTasks ${CLUSTER} 200`]);
  });

  it('closes a use whose STOPPED event was lost: ECS describes the task STOPPED', async () => {
    const { ecs, inventory, deps, messages } = setup();
    const task = ecs.run(CLUSTER, 1);
    await reconcileInventory(deps);
    task.desiredStatus = 'STOPPED';
    task.lastStatus = 'STOPPED';
    task.stoppedAt = '2026-12-01T11:30:00.000Z';
    expect(await reconcileInventory(deps)).toMatchObject({ closed: 1, describeCalls: 1 });
    expect(await inventory.listDigestsInUse()).toEqual([]);
    expect(messages()).toContain('task stopped without its STOPPED event reaching the gate: uses closed');
  });

  it('closes a use ECS no longer knows (DescribeTasks failures[] MISSING), logging it', async () => {
    const { ecs, inventory, deps, messages } = setup();
    await inventory.recordUse(use({ taskArn: arnOf(CLUSTER, 9) }));
    ecs.forgotten.add(arnOf(CLUSTER, 9));
    expect(await reconcileInventory(deps)).toMatchObject({ closed: 1 });
    expect(await inventory.listDigestsInUse()).toEqual([]);
    expect(messages('info')).toContain('ECS no longer knows the task (DescribeTasks MISSING): uses closed');
  });

  it('does not close an open use ECS did not list but still runs (started after the page was read), nor one stopping', async () => {
    const { ecs, inventory, deps } = setup();
    await inventory.recordUse(use({ taskArn: arnOf(CLUSTER, 3) }));
    ecs.run(CLUSTER, 3, { desiredStatus: 'STOPPED', lastStatus: 'DEACTIVATING' });
    expect(await reconcileInventory(deps)).toMatchObject({ closed: 0, describeCalls: 1 });
    expect(await inventory.listOpenUsesInCluster(CLUSTER)).toHaveLength(1);
  });

  it('records nothing for a task that vanished between ListTasks and DescribeTasks, and says so', async () => {
    const { ecs, inventory, deps, lines } = setup();
    ecs.run(CLUSTER, 1);
    ecs.run(CLUSTER, 2);
    ecs.vanishing.add(arnOf(CLUSTER, 2));
    expect(await reconcileInventory(deps)).toMatchObject({ recorded: 1, closed: 0 });
    expect((await inventory.listOpenUsesInCluster(CLUSTER)).map((u) => u.taskArn)).toEqual([arnOf(CLUSTER, 1)]);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'listed by ListTasks, gone by DescribeTasks: nothing recorded', taskArn: arnOf(CLUSTER, 2), reason: 'MISSING' }));
  });

  it('does not close an open use that vanished from the list when DescribeTasks fails for another reason', async () => {
    const { ecs, inventory, deps } = setup();
    await inventory.recordUse(use({ taskArn: arnOf(CLUSTER, 4) }));
    ecs.describeTaskBatch = async (_cluster, arns) => ({ tasks: [], failures: arns.map((arn) => ({ arn, reason: 'ACCESS_DENIED' })) });
    expect(await reconcileInventory(deps)).toMatchObject({ closed: 0 });
    expect(await inventory.listOpenUsesInCluster(CLUSTER)).toHaveLength(1);
  });

  it('leaves out tasks still starting and tasks without a digest ECS reports; records a FARGATE_SPOT capacity provider task', async () => {
    const { ecs, inventory, deps } = setup();
    ecs.run(CLUSTER, 1, { lastStatus: 'PENDING' });
    ecs.run(CLUSTER, 3, { containers: [{ name: 'app', image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1' }] });
    // As DescribeTasks answers for a task of a FARGATE_SPOT capacity provider strategy: launchType FARGATE beside it.
    ecs.run(CLUSTER, 4, { launchType: 'FARGATE', capacityProviderName: 'FARGATE_SPOT' });
    expect(await reconcileInventory(deps)).toMatchObject({ recorded: 1 });
    expect((await inventory.listOpenUsesInCluster(CLUSTER)).map((u) => u.taskArn)).toEqual([arnOf(CLUSTER, 4)]);
  });

  it('neither lists nor describes the EC2 tasks of a mixed cluster: 300 EC2 and 150 Fargate tasks cost 2 ListTasks pages and 2 DescribeTasks', async () => {
    const { ecs, inventory, deps } = setup();
    for (let n = 1; n <= 450; n += 1) ecs.run(CLUSTER, n, n % 3 === 0 ? {} : { launchType: 'EC2', capacityProviderName: 'asg-capacity' });
    expect(await reconcileInventory(deps)).toEqual({ clustersDone: 1, listPages: 2, describeCalls: 2, taskDefinitionReads: 1, recorded: 150, closed: 0, failedPages: 0 });
    expect(ecs.calls).toEqual([`ListTasks ${CLUSTER}`, `DescribeTasks ${CLUSTER} 100`, `DescribeTaskDefinition ${TASK_DEFINITION}`, `ListTasks ${CLUSTER} 100`, `DescribeTasks ${CLUSTER} 50`]);
    // A steady run: the Fargate tasks are known, the EC2 ones never asked about.
    expect(await reconcileInventory(deps)).toMatchObject({ listPages: 2, describeCalls: 0 });
    expect((await inventory.listOpenUsesInCluster(CLUSTER)).every((use) => Number.parseInt(use.taskArn.slice(-32), 16) % 3 === 0)).toBe(true);
  });

  it('warns of an open Fargate task ECS runs without launchType FARGATE: the list filter would never list it', async () => {
    const { ecs, inventory, deps, messages } = setup();
    const task = ecs.run(CLUSTER, 5, { launchType: undefined, capacityProviderName: 'FARGATE_SPOT' });
    await inventory.recordUse(use({ taskArn: task.taskArn, cluster: CLUSTER }));
    expect(await reconcileInventory(deps)).toMatchObject({ closed: 0, describeCalls: 1 });
    expect(messages('warn')).toContain('a running Fargate task without launchType FARGATE: ListTasks launchType FARGATE does not list it');
  });

  it('records the owner tags of each task\'s task definition, as a RUNNING event\'s use has them, reading each task definition once a run', async () => {
    const { ecs, inventory, deps } = setup();
    const batch = 'arn:aws:ecs:eu-west-1:111122223333:task-definition/batch:3';
    ecs.taskDefinitionTagsByArn.set(TASK_DEFINITION, { team: 'payments' });
    ecs.taskDefinitionTagsByArn.set(batch, { team: 'data', 'cost-centre': '42' });
    for (let n = 1; n <= 120; n += 1) ecs.run(CLUSTER, n, n % 2 === 0 ? { taskDefinitionArn: batch, group: 'family:batch', startedBy: undefined } : {});
    expect(await reconcileInventory(deps)).toMatchObject({ recorded: 120, taskDefinitionReads: 2, describeCalls: 2, listPages: 2 });
    expect(ecs.calls.filter((call) => call.startsWith('DescribeTaskDefinition')).sort()).toEqual([`DescribeTaskDefinition ${batch}`, `DescribeTaskDefinition ${TASK_DEFINITION}`]);
    const uses = await inventory.listOpenUsesInCluster(CLUSTER);
    expect(uses.find((u) => u.taskArn === arnOf(CLUSTER, 1))?.taskDefinitionTags).toEqual({ team: 'payments' });
    expect(uses.find((u) => u.taskArn === arnOf(CLUSTER, 2))?.taskDefinitionTags).toEqual({ team: 'data', 'cost-centre': '42' });
    // A steady run records nothing new, and reads no task definition.
    ecs.calls.length = 0;
    expect(await reconcileInventory(deps)).toMatchObject({ recorded: 0, taskDefinitionReads: 0 });
  });

  it('on the ECS adapter (aws-sdk-client-mock): records the use with the tags DescribeTaskDefinition include TAGS answers', async () => {
    const ecsMock = mockClient(ECSClient);
    try {
      const taskArn = arnOf(CLUSTER, 1);
      ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArn] });
      ecsMock.on(DescribeTasksCommand).resolves({
        tasks: [{ taskArn, clusterArn: CLUSTER, taskDefinitionArn: TASK_DEFINITION, lastStatus: 'RUNNING', desiredStatus: 'RUNNING', launchType: LaunchType.FARGATE, capacityProviderName: 'FARGATE_SPOT', group: 'service:web', containers: [{ name: 'app', image: `web@${digest(1)}`, imageDigest: digest(1) }] }],
        failures: [],
      });
      ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEFINITION }, tags: [{ key: 'team', value: 'payments' }] });
      const { inventory, deps } = setup();
      expect(await reconcileInventory({ ...deps, ecs: new EcsTaskListing({ client: new ECSClient({ region: 'eu-west-1' }) }) })).toMatchObject({ recorded: 1, taskDefinitionReads: 1 });
      expect((await inventory.listUsesOfDigest(digest(1)))[0]).toMatchObject({ taskArn, source: 'reconciliation', taskDefinitionTags: { team: 'payments' } });
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand).map((call) => call.args[0].input)).toEqual([{ taskDefinition: TASK_DEFINITION, include: ['TAGS'] }]);
      expect(ecsMock.commandCalls(ListTasksCommand)[0].args[0].input).toMatchObject({ launchType: 'FARGATE' });
    } finally {
      ecsMock.restore();
    }
  });

  it('records a task whose task definition cannot be read without tags, and reads it once a run however many tasks share it', async () => {
    const { ecs, inventory, deps, messages } = setup();
    for (let n = 1; n <= 3; n += 1) ecs.run(CLUSTER, n);
    ecs.fault = (api) => (api === 'DescribeTaskDefinition' ? Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException', $metadata: { httpStatusCode: 400 } }) : undefined);
    expect(await reconcileInventory(deps)).toMatchObject({ recorded: 3, taskDefinitionReads: 1, failedPages: 0 });
    expect((await inventory.listOpenUsesInCluster(CLUSTER)).map((u) => u.taskDefinitionTags)).toEqual([undefined, undefined, undefined]);
    expect(messages('warn')).toContain('task definition tags unreadable: its tasks are recorded without owner tags');
  });

  it('counts each task definition read in its budget, and stops on throttling of it like any ECS call', async () => {
    const budgeted = setup({ budget: 2 });
    budgeted.ecs.run(CLUSTER, 1);
    // ListTasks, DescribeTasks: the task definition read is over the budget, so the task waits for the next run.
    expect(await reconcileInventory(budgeted.deps)).toMatchObject({ stoppedEarly: 'budget', recorded: 0, taskDefinitionReads: 0 });
    const throttling = setup();
    throttling.ecs.run(CLUSTER, 1);
    throttling.ecs.fault = (api) => (api === 'DescribeTaskDefinition' ? throttled() : undefined);
    expect(await reconcileInventory(throttling.deps)).toMatchObject({ stoppedEarly: 'throttled', recorded: 0 });
    expect(await throttling.inventory.getReconcileCursor()).toEqual({ passStartedAt: '2026-12-01T12:00:00.000Z', cluster: CLUSTER });
  });

  it('stops at its call budget, saves where it was, and the next run resumes on the next page', async () => {
    const { ecs, inventory, deps } = setup({ budget: 3, clusters: [OTHER_CLUSTER, CLUSTER] });
    for (let n = 1; n <= 250; n += 1) ecs.run(CLUSTER, n);
    ecs.run(OTHER_CLUSTER, 1);
    // Run 1: OTHER_CLUSTER (list, describe, its task definition's tags), then CLUSTER: over budget before its first page.
    expect(await reconcileInventory(deps)).toMatchObject({ stoppedEarly: 'budget', clustersDone: 1, recorded: 1 });
    expect(await inventory.getReconcileCursor()).toEqual({ passStartedAt: '2026-12-01T12:00:00.000Z', cluster: CLUSTER });
    ecs.calls.length = 0;
    // Run 2: resumes at CLUSTER (its first page again: the describe of that page never ran).
    expect(await reconcileInventory(deps)).toMatchObject({ stoppedEarly: 'budget', recorded: 100 });
    expect(ecs.calls[0]).toBe(`ListTasks ${CLUSTER}`);
    expect(await inventory.getReconcileCursor()).toEqual({ passStartedAt: '2026-12-01T12:00:00.000Z', cluster: CLUSTER, nextToken: '100' });
    ecs.calls.length = 0;
    let summary = await reconcileInventory(deps);
    expect(ecs.calls[0]).toBe(`ListTasks ${CLUSTER} 100`);
    while (summary.stoppedEarly) summary = await reconcileInventory(deps);
    expect(await inventory.getReconcileCursor()).toBeUndefined();
    expect((await inventory.listOpenUsesInCluster(CLUSTER)).length).toBe(250);
  });

  it('finishes a cluster larger than its budget and reaches the next one: the check of unlisted uses resumes where it stopped', async () => {
    const { ecs, inventory, deps } = setup({ clusters: [CLUSTER, OTHER_CLUSTER] });
    for (let n = 1; n <= 2500; n += 1) ecs.run(CLUSTER, n);
    await reconcileInventory(deps); // records the 2,500 running tasks (25 pages, 25 describes: within the default budget)
    const stale = arnOf(OTHER_CLUSTER, 1);
    await inventory.recordUse(use({ taskArn: stale, cluster: OTHER_CLUSTER }));
    const small = { ...deps, budget: 20 };
    // Run 1 lists 20 of CLUSTER's 25 pages; run 2 the last 5, then checks the 2,000 unlisted open uses in 15 of 20
    // batches and saves its place in that check; run 3 checks the last 5 batches and goes on to OTHER_CLUSTER.
    const runs = [];
    for (let run = 0; run < 3; run += 1) runs.push(await reconcileInventory(small));
    expect(runs.map((summary) => summary.stoppedEarly)).toEqual(['budget', 'budget', undefined]);
    expect(runs[2]).toMatchObject({ clustersDone: 2, closed: 1 });
    expect(await inventory.listOpenUsesInCluster(OTHER_CLUSTER)).toEqual([]);
    expect((await inventory.listOpenUsesInCluster(CLUSTER)).length).toBe(2500);
    expect(await inventory.getReconcileCursor()).toBeUndefined();
  });

  it('reads the open uses once per run, not once per cluster (a Query filtered on the cluster costs the whole index)', async () => {
    const clusters = [CLUSTER, OTHER_CLUSTER, CLUSTER.replace('/prod', '/third')];
    const { ecs, inventory, deps } = setup({ clusters });
    clusters.forEach((cluster, n) => ecs.run(cluster, n + 1));
    await reconcileInventory(deps);
    const all = jest.spyOn(inventory, 'listOpenUses');
    const perCluster = jest.spyOn(inventory, 'listOpenUsesInCluster');
    for (const cluster of clusters) ecs.tasks.get(arnOf(cluster, clusters.indexOf(cluster) + 1))!.lastStatus = 'STOPPED';
    for (const task of ecs.tasks.values()) task.desiredStatus = task.lastStatus;
    expect(await reconcileInventory(deps)).toMatchObject({ clustersDone: 3, closed: 3 });
    expect(all).toHaveBeenCalledTimes(1);
    expect(perCluster).not.toHaveBeenCalled();
  });

  it('stops cleanly when ECS throttles, keeping its place, and closes nothing it did not confirm', async () => {
    const { ecs, inventory, deps, messages } = setup();
    for (let n = 1; n <= 150; n += 1) ecs.run(CLUSTER, n);
    await inventory.recordUse(use({ taskArn: arnOf(CLUSTER, 999) }));
    // The second ListTasks page, after the first page's DescribeTasks and DescribeTaskDefinition.
    ecs.fault = (api, _cluster, call) => (api === 'ListTasks' && call === 4 ? throttled() : undefined);
    expect(await reconcileInventory(deps)).toMatchObject({ stoppedEarly: 'throttled', recorded: 100, closed: 0 });
    expect(await inventory.getReconcileCursor()).toEqual({ passStartedAt: '2026-12-01T12:00:00.000Z', cluster: CLUSTER, nextToken: '100' });
    expect(messages('warn')).toContain('reconciliation stopped early: the next run resumes here');
    ecs.fault = undefined;
    expect(await reconcileInventory(deps)).toMatchObject({ recorded: 50, closed: 1 });
  });

  it('logs a failing page and goes on with the next cluster, closing nothing in the failed one', async () => {
    const { ecs, inventory, deps, lines } = setup({ clusters: [OTHER_CLUSTER, CLUSTER] });
    ecs.run(CLUSTER, 1);
    await inventory.recordUse(use({ taskArn: arnOf(OTHER_CLUSTER, 5), cluster: OTHER_CLUSTER }));
    ecs.fault = (api, cluster) => (api === 'ListTasks' && cluster === OTHER_CLUSTER ? denied() : undefined);
    expect(await reconcileInventory(deps)).toMatchObject({ failedPages: 1, clustersDone: 1, recorded: 1, closed: 0 });
    expect(await inventory.listOpenUsesInCluster(OTHER_CLUSTER)).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', cluster: OTHER_CLUSTER, msg: 'reconciliation page failed: cluster skipped this run, going on with the next', step: expect.stringMatching(/^ListTasks .*not authorized/) }),
    );
  });

  it('lists the clusters itself when the scope is every cluster', async () => {
    const { ecs, inventory, deps } = setup({ clusters: [] });
    ecs.run(CLUSTER, 1);
    ecs.run(OTHER_CLUSTER, 2);
    const listClusterPage = jest.fn(async (token?: string) => (token ? { clusterArns: [OTHER_CLUSTER] } : { clusterArns: [CLUSTER], nextToken: 'p2' }));
    Object.assign(ecs, { listClusterPage });
    expect(await reconcileInventory(deps)).toMatchObject({ clustersDone: 2, recorded: 2 });
    expect(listClusterPage).toHaveBeenCalledTimes(2);
    expect((await inventory.listDigestsInUse()).length).toBe(2);
  });
});
