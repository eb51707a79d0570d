import { createHash } from 'node:crypto';
import { silentLogger } from '../functions/handlers/logger';
import { reconcileInventory, type ReconcileSummary } from '../functions/handlers/posture/reconcile';
import { LocalBackend } from '../functions/local/backend';
import { FakeTaskListing } from '../functions/local/ecs-listing';
import { MemoryInventoryStore } from '../functions/local/memory-inventory';
import { seededRandom } from '../functions/local/random';

/**
 * The inventory's reconciliation on a seeded fleet (in-memory ECS, the real reconciliation and inventory code): the
 * ECS calls (ListTasks pages and DescribeTasks) one pass costs per 1,000 running tasks. Three passes: the first after
 * the gate is deployed onto a running fleet (every task unknown: the issue's target, about tasks/100 DescribeTasks
 * plus the ListTasks pages), a steady one (every task known: the pages only), and one after tasks stopped with their
 * STOPPED events lost and others started unseen.
 */

export interface InventoryBenchOptions {
  seed: string;
  /** Running tasks, spread over the clusters with seeded weights. */
  tasks: number;
  clusters: number;
  /** Distinct images (digests) the tasks run. */
  images: number;
  /** Tasks stopped (their STOPPED events lost) and started unseen before the third pass. */
  churn: number;
}

export const DEFAULT_INVENTORY_BENCH: InventoryBenchOptions = { seed: 'fargate-gate-inventory', tasks: 1_000, clusters: 3, images: 60, churn: 50 };

export interface PassFigures {
  listPages: number;
  describeCalls: number;
  /** DescribeTaskDefinition for the owner tags of the tasks recorded: one per task definition per pass. */
  taskDefinitionReads: number;
  calls: number;
  recorded: number;
  closed: number;
}

export interface InventoryFigures {
  runningTasks: number;
  clusters: number;
  firstPass: PassFigures;
  steadyPass: PassFigures;
  churnPass: PassFigures;
  /** ECS calls of the first pass per 1,000 running tasks. */
  reconciliationCallsPer1000Tasks: number;
  /** The target: ceil(tasks/100) DescribeTasks plus the ListTasks pages (ceil per cluster). */
  targetCallsPer1000Tasks: number;
  /** Distinct task definitions of the tasks running before the first pass (its DescribeTaskDefinition reads). */
  taskDefinitionsRunning: number;
  /** Digests in use after the first pass, and how many the fleet really runs (they must agree). */
  digestsInUse: number;
  digestsRunning: number;
  /** Open uses after the churn pass against tasks running then (must agree: nothing open that stopped, nothing running missing). */
  openUsesAfterChurn: number;
  runningAfterChurn: number;
}

export async function measureInventory(options: InventoryBenchOptions = DEFAULT_INVENTORY_BENCH): Promise<InventoryFigures> {
  const random = seededRandom(options.seed);
  const backend = new LocalBackend({ seed: options.seed, keepActions: false });
  // The world moves at once: the reconciliation reads it between moves, so a queue drained after each is enough.
  const queue: (() => void)[] = [];
  backend.attachScheduler((_delay, callback) => queue.push(callback));
  const drain = () => {
    while (queue.length > 0) queue.shift()?.();
  };

  const registry = `${backend.location.account}.dkr.ecr.${backend.location.region}.amazonaws.com`;
  const taskDefinitions = Array.from({ length: options.images }, (_, n) => {
    const image = `${registry}/app-${n}:v1`;
    backend.images.declare(image, `sha256:${createHash('sha256').update(`${options.seed} image ${n}`).digest('hex')}`);
    return backend.taskDefinitions.register({ family: `app-${n}`, containerDefinitions: [{ name: 'app', image }] }, `bench app-${n}`).arn as string;
  });
  const weights = Array.from({ length: options.clusters }, () => 0.5 + random());
  const total = weights.reduce((sum, w) => sum + w, 0);
  const clusterNames = weights.map((_, n) => `cluster-${n}`);
  const pickCluster = () => {
    let r = random() * total;
    for (let n = 0; n < weights.length; n += 1) if ((r -= weights[n]) < 0) return clusterNames[n];
    return clusterNames[clusterNames.length - 1];
  };
  // Zipf-like reuse: a few images run most tasks.
  const pickImage = () => taskDefinitions[Math.min(options.images - 1, Math.floor(options.images * random() ** 2))];
  const launch = () => backend.ecs.launchTask({ cluster: pickCluster(), taskDefinitionArn: pickImage() });
  for (let n = 0; n < options.tasks; n += 1) launch();
  drain();

  const inventory = new MemoryInventoryStore(backend.clock, backend.activity);
  const listing = new FakeTaskListing(backend.ecs, backend.activity, () => backend.clock.millis(), backend.taskDefinitions);
  const clusterArns = clusterNames.map((name) => `arn:aws:ecs:${backend.location.region}:${backend.location.account}:cluster/${name}`);
  // An unbounded budget: the figure is the cost of one whole pass.
  const deps = { ecs: listing, inventory, clock: backend.clock, logger: silentLogger(), clusters: clusterArns, budget: 1_000_000 };
  const pass = async (): Promise<PassFigures> => {
    const summary: ReconcileSummary = await reconcileInventory(deps);
    if (summary.stoppedEarly) throw new Error(`bench: reconciliation stopped early (${summary.stoppedEarly})`);
    return {
      listPages: summary.listPages,
      describeCalls: summary.describeCalls,
      taskDefinitionReads: summary.taskDefinitionReads,
      calls: summary.listPages + summary.describeCalls + summary.taskDefinitionReads,
      recorded: summary.recorded,
      closed: summary.closed,
    };
  };

  const running = () => [...backend.ecs.tasks.values()].filter((task) => task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING');
  const runningTasks = running().length;
  const taskDefinitionsRunning = new Set(running().map((task) => task.taskDefinitionArn)).size;
  const firstPass = await pass();
  const digestsInUse = (await inventory.listDigestsInUse()).length;
  const digestsRunning = new Set(running().flatMap((task) => task.containers.map((c) => c.imageDigest))).size;
  const steadyPass = await pass();

  // Tasks that stop with their STOPPED event lost, and tasks that start unseen (their RUNNING event lost).
  const victims = running().sort(() => random() - 0.5).slice(0, options.churn);
  for (const task of victims) backend.ecs.requestStop(task.taskArn, 'UserInitiated', 'bench: stopped, event lost', 'user');
  for (let n = 0; n < options.churn; n += 1) launch();
  drain();
  const churnPass = await pass();
  const openUsesAfterChurn = (await Promise.all(clusterArns.map((cluster) => inventory.listOpenUsesInCluster(cluster)))).flat().length;

  const pages = clusterNames.reduce((sum, name) => sum + Math.max(1, Math.ceil(running().filter((t) => t.cluster === name).length / 100)), 0);
  const per1000 = (calls: number) => Math.round((calls * 1000 * 10) / runningTasks) / 10;
  return {
    runningTasks,
    clusters: options.clusters,
    firstPass,
    steadyPass,
    churnPass,
    reconciliationCallsPer1000Tasks: per1000(firstPass.calls),
    targetCallsPer1000Tasks: per1000(Math.ceil(runningTasks / 100) + pages + taskDefinitionsRunning),
    taskDefinitionsRunning,
    digestsInUse,
    digestsRunning,
    openUsesAfterChurn,
    runningAfterChurn: running().length,
  };
}

export function printInventoryFigures(figures: InventoryFigures, out: (line?: string) => void): void {
  const line = (name: string, p: PassFigures) => `  ${name}: ${p.listPages} ListTasks pages + ${p.describeCalls} DescribeTasks + ${p.taskDefinitionReads} DescribeTaskDefinition = ${p.calls} calls; ${p.recorded} uses recorded, ${p.closed} tasks closed`;
  out(`Part G: inventory reconciliation (bench/inventory.ts: ${figures.runningTasks} running tasks in ${figures.clusters} clusters, in-memory ECS)`);
  out(line('first pass (gate deployed onto a running fleet)', figures.firstPass));
  out(line('steady pass (every task known)', figures.steadyPass));
  out(line('after churn (STOPPED events lost, tasks started unseen)', figures.churnPass));
  out(`  ${figures.reconciliationCallsPer1000Tasks} calls per 1,000 running tasks (target ${figures.targetCallsPer1000Tasks}: tasks/100 + pages + task definitions); digests in use ${figures.digestsInUse} of ${figures.digestsRunning} running; open uses after churn ${figures.openUsesAfterChurn} for ${figures.runningAfterChurn} running tasks`);
  out();
}
