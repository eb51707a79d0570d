import { isThrottlingError } from '../../adapters/aws-errors';
import { isFargate } from '../../core/gate/task';
import { accountOf } from '../../core/organisation/account';
import type { InventoryStore, ListedTask, OpenClusterListing, ReconcileCursor, ReconcileCursorStore, TaskFailure, TaskListingPort, TaskUse } from '../../core/posture/ports';
import { digestsOfTask, usesOfTask } from '../../core/posture/uses';
import type { Clock } from '../../core/ports';
import { describeError } from '../failures';
import type { Logger } from '../logger';

/** DescribeTasks takes at most 100 tasks per call (API_DescribeTasks `tasks`: "up to 100"). */
export const DESCRIBE_BATCH = 100;
/** ECS calls one run may make at most, by default: 200 calls read about 10,000 tasks (100 per ListTasks page). */
export const DEFAULT_RECONCILE_BUDGET = 200;

export interface ReconcileDeps {
  ecs: TaskListingPort;
  inventory: InventoryStore & ReconcileCursorStore;
  clock: Clock;
  logger: Logger;
  /** Cluster ARNs in scope; empty: every cluster of the account and region (ListClusters). */
  clusters: readonly string[];
  /** ECS calls (ListClusters, ListTasks and DescribeTasks) this run may make at most. */
  budget?: number;
  /**
   * An organisation deployment (docs/organisation.md): member accounts' clusters are reconciled too, through the member
   * role (`ecs` routes each call by the cluster's account). Which: the clusters of other accounts than the central one
   * where the inventory holds open uses. Those are the clusters the member stacks forward events from (already within
   * each member's ClusterNamePattern, so within its role's grant), and the only ones whose open uses can be wrong; a
   * member cluster the gate never heard of has nothing to close, and its tasks announce themselves when they start.
   */
  memberClusters?: { source: OpenClusterListing; centralAccount: string };
}

export interface ReconcileSummary {
  clustersDone: number;
  listPages: number;
  describeCalls: number;
  /** DescribeTaskDefinition calls for the owner tags of the tasks recorded (one per task definition per run). */
  taskDefinitionReads: number;
  /** Uses recorded for running tasks the inventory did not know (started before the gate, or their events lost). */
  recorded: number;
  /** Tasks whose open uses were closed: ECS showed them STOPPED, or no longer knew them (MISSING). */
  closed: number;
  /** Pages (ListTasks or DescribeTasks) that failed for another reason than throttling: logged, cluster skipped. */
  failedPages: number;
  /** Why the run stopped before the end of its pass, if it did; the cursor says where the next run resumes. */
  stoppedEarly?: 'budget' | 'throttled';
}

class StopRun extends Error {
  constructor(readonly why: 'budget' | 'throttled') {
    super(why);
  }
}

class PageFailed extends Error {}

/**
 * The scheduled reconciliation of the inventory with what ECS runs, cluster by cluster. Per cluster: the open uses the
 * inventory holds (one Query), ListTasks pages (desiredStatus RUNNING, launchType FARGATE, 100 per page: a mixed
 * cluster's EC2 tasks are neither listed nor described), DescribeTasks only for tasks the
 * inventory does not know (at most one call per page), and, once the cluster's list is complete, DescribeTasks for the
 * open uses ECS did not list, to close those it shows STOPPED or no longer knows (`failures[]` MISSING). Nothing is
 * closed on the absence from a list alone: a task started after the page was read is simply running.
 *
 * Tasks it finds running are recorded, not judged: their digests enter the in-use set, and the re-judgement of digests
 * in use decides what their verdict means under the policy (judging a long-running service the moment the gate is
 * deployed could stop it on the spot, which is the drift policy's call, per scope, not the inventory's).
 *
 * Bounded: at most `budget` ECS calls per run. When the budget runs out or ECS throttles (after the SDK's own retries
 * with back-off), the run saves where it was (cluster and ListTasks token) and stops cleanly; the next run resumes
 * there. A page that fails for another reason is logged and the run goes on with the next cluster.
 */
export async function reconcileInventory(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const log = deps.logger.child({ job: 'reconcile' });
  const budget = deps.budget ?? DEFAULT_RECONCILE_BUDGET;
  const summary: ReconcileSummary = { clustersDone: 0, listPages: 0, describeCalls: 0, taskDefinitionReads: 0, recorded: 0, closed: 0, failedPages: 0 };
  let calls = 0;
  const spend = () => {
    if (calls >= budget) throw new StopRun('budget');
    calls += 1;
  };

  const tagsOf = taskDefinitionTagReader(deps, spend, summary, log);

  const cursor = await deps.inventory.getReconcileCursor();
  const runStartedAt = deps.clock.now().toISOString();
  let clusters: string[];
  try {
    clusters = deps.clusters.length > 0 ? [...deps.clusters] : await listAllClusters(deps, spend);
    if (deps.memberClusters) clusters.push(...(await memberClustersInUse(deps.memberClusters, clusters)));
  } catch (error) {
    if (error instanceof StopRun || isThrottlingError(error)) {
      log.warn({ err: error instanceof StopRun ? undefined : error }, 'reconciliation could not list the clusters (throttled or over budget): next run');
      return { ...summary, stoppedEarly: error instanceof StopRun ? error.why : 'throttled' };
    }
    throw error;
  }
  // The open uses, read once for the run and grouped by cluster (docs/inventory.md, Cost): a Query filtered on the
  // cluster would read, and cost, the whole open-use index once per cluster.
  const openByCluster = new Map<string, TaskUse[]>();
  for (const use of await deps.inventory.listOpenUses()) {
    const inCluster = openByCluster.get(use.cluster);
    if (inCluster) inCluster.push(use);
    else openByCluster.set(use.cluster, [use]);
  }
  const resumeAt = cursor?.cluster ? clusters.indexOf(cursor.cluster) : -1;
  const start = Math.max(0, resumeAt);
  const passStartedAt = resumeAt >= 0 && cursor ? cursor.passStartedAt : runStartedAt;

  for (let index = start; index < clusters.length; index += 1) {
    const cluster = clusters[index];
    const clusterLog = log.child({ cluster });
    const resume: ClusterResume = index === resumeAt && cursor ? { ...(cursor.nextToken ? { token: cursor.nextToken } : {}), ...(cursor.closeAfter !== undefined ? { closeAfter: cursor.closeAfter } : {}) } : {};
    let position: ReconcileCursor = { passStartedAt, cluster, ...(resume.token ? { nextToken: resume.token } : {}), ...(resume.closeAfter !== undefined ? { closeAfter: resume.closeAfter } : {}) };
    try {
      await reconcileCluster(deps, cluster, openByCluster.get(cluster) ?? [], resume, spend, tagsOf, summary, clusterLog, (at) => {
        position = { passStartedAt, cluster, ...at };
      });
      summary.clustersDone += 1;
    } catch (error) {
      if (error instanceof StopRun || isThrottlingError(error)) {
        const why = error instanceof StopRun ? error.why : 'throttled';
        await deps.inventory.putReconcileCursor(position);
        clusterLog.warn({ why, calls, resumeAt: position.closeAfter !== undefined ? 'check of the unlisted open uses' : position.nextToken ? 'next ListTasks page' : 'start of the cluster', ...(why === 'throttled' ? { err: error } : {}) }, 'reconciliation stopped early: the next run resumes here');
        return { ...summary, stoppedEarly: why };
      }
      if (!(error instanceof PageFailed)) throw error;
      summary.failedPages += 1;
      clusterLog.error({ err: error.cause, step: error.message }, 'reconciliation page failed: cluster skipped this run, going on with the next');
    }
  }
  await deps.inventory.putReconcileCursor(undefined);
  log.info({ ...summary, calls }, 'reconciliation pass complete');
  return summary;
}

/** Open clusters of member accounts, after the central ones (a resumed cursor finds its cluster by ARN either way). */
async function memberClustersInUse(members: NonNullable<ReconcileDeps['memberClusters']>, central: readonly string[]): Promise<string[]> {
  const known = new Set(central);
  return (await members.source.listOpenClusters()).filter((cluster) => {
    const account = accountOf(cluster);
    return account !== undefined && account !== members.centralAccount && !known.has(cluster);
  });
}

async function listAllClusters(deps: ReconcileDeps, spend: () => void): Promise<string[]> {
  if (!deps.ecs.listClusterPage) throw new Error('reconciliation: no clusters in scope and no ListClusters on the ECS port');
  const clusters: string[] = [];
  let token: string | undefined;
  do {
    spend();
    const page = await deps.ecs.listClusterPage(token);
    clusters.push(...page.clusterArns);
    token = page.nextToken;
  } while (token);
  return clusters.sort();
}

/** Where a run resumes inside a cluster: a ListTasks token, or (listing done) the check of unlisted uses after an ARN. */
interface ClusterResume {
  token?: string;
  closeAfter?: string;
}

async function reconcileCluster(
  deps: ReconcileDeps,
  cluster: string,
  openUses: readonly TaskUse[],
  resume: ClusterResume,
  spend: () => void,
  tagsOf: TagReader,
  summary: ReconcileSummary,
  log: Logger,
  progress: (at: { nextToken?: string; closeAfter?: string }) => void,
): Promise<void> {
  const openTasks = new Set(openUses.map((use) => use.taskArn));
  const listed = new Set<string>();
  if (resume.closeAfter === undefined) await listCluster(deps, cluster, resume.token, openTasks, listed, spend, tagsOf, summary, log, progress);

  // Open uses ECS did not list: closed only on ECS's word that they stopped (or that it no longer knows them). In ARN
  // order, the cursor naming the last one checked: a run that stops here resumes here, not at ListTasks page 1 (a
  // resumed listing leaves out the earlier pages, so this check can outgrow one run's budget).
  const after = resume.closeAfter ?? '';
  const unlisted = [...openTasks].filter((arn) => !listed.has(arn) && arn > after).sort();
  progress({ closeAfter: after });
  for (let at = 0; at < unlisted.length; at += DESCRIBE_BATCH) {
    spend();
    const batch = unlisted.slice(at, at + DESCRIBE_BATCH);
    const described = await step(`DescribeTasks ${cluster}`, () => deps.ecs.describeTaskBatch(cluster, batch));
    summary.describeCalls += 1;
    const now = deps.clock.now().toISOString();
    for (const task of described.tasks) {
      if (task.lastStatus !== 'STOPPED') {
        // ListTasks lists launchType FARGATE only (adapters/ecs-task-listing.ts): a Fargate task without it would never be
        // listed, only checked here, run after run: logged, so the assumption is seen to fail if it ever does.
        if (task.launchType !== 'FARGATE' && isFargate(task.launchType, task.capacityProviderName)) {
          log.warn({ taskArn: task.taskArn, launchType: task.launchType, capacityProviderName: task.capacityProviderName }, 'a running Fargate task without launchType FARGATE: ListTasks launchType FARGATE does not list it');
        }
        continue;
      }
      await deps.inventory.closeTask(task.taskArn, validTime(task.stoppedAt) ?? now);
      summary.closed += 1;
      log.info({ taskArn: task.taskArn }, 'task stopped without its STOPPED event reaching the gate: uses closed');
    }
    for (const failure of described.failures) {
      if (failure.reason !== 'MISSING' || !batch.includes(failure.arn)) {
        log.warn({ taskArn: failure.arn, reason: failure.reason, detail: failure.detail }, 'DescribeTasks could not describe an open task: kept open, asked again next run');
        continue;
      }
      await deps.inventory.closeTask(failure.arn, now);
      summary.closed += 1;
      log.info({ taskArn: failure.arn }, 'ECS no longer knows the task (DescribeTasks MISSING): uses closed');
    }
    progress({ closeAfter: batch[batch.length - 1] });
  }
}

/** The cluster's ListTasks pages from `resumeToken`: records the running tasks the inventory does not know; fills `listed`. */
async function listCluster(
  deps: ReconcileDeps,
  cluster: string,
  resumeToken: string | undefined,
  openTasks: ReadonlySet<string>,
  listed: Set<string>,
  spend: () => void,
  tagsOf: TagReader,
  summary: ReconcileSummary,
  log: Logger,
  progress: (at: { nextToken?: string }) => void,
): Promise<void> {
  let token = resumeToken;
  do {
    spend();
    const page = await step(`ListTasks ${cluster}`, () => deps.ecs.listTaskPage(cluster, token));
    summary.listPages += 1;
    page.taskArns.forEach((arn) => listed.add(arn));
    const unknown = page.taskArns.filter((arn) => !openTasks.has(arn));
    for (let at = 0; at < unknown.length; at += DESCRIBE_BATCH) {
      spend();
      const described = await step(`DescribeTasks ${cluster}`, () => deps.ecs.describeTaskBatch(cluster, unknown.slice(at, at + DESCRIBE_BATCH)));
      summary.describeCalls += 1;
      summary.recorded += await recordFound(deps, described.tasks, tagsOf, log);
      logVanished(described.failures, log, 'listed by ListTasks, gone by DescribeTasks: nothing recorded');
    }
    token = page.nextToken;
    if (token) progress({ nextToken: token });
  } while (token);
}

/** The owner tags of a task definition for this run: read at most once per task definition, each read one ECS call of the budget. */
type TagReader = (cluster: string, taskDefinitionArn: string) => Promise<Record<string, string> | undefined>;

/**
 * The run's reader of task definition tags (DescribeTaskDefinition `include: ["TAGS"]`), so the uses the
 * reconciliation records carry the owner tags a task event's use carries. Cached per task definition ARN for the run
 * (a service's tasks share one), each read spending one call of the budget. A read that fails for another reason than
 * throttling (the task definition deregistered and gone, access denied) is logged and the uses are recorded without
 * tags; throttling stops the run as any other ECS call's does.
 */
function taskDefinitionTagReader(deps: ReconcileDeps, spend: () => void, summary: ReconcileSummary, log: Logger): TagReader {
  const read = deps.ecs.taskDefinitionTags?.bind(deps.ecs);
  if (!read) return async () => undefined;
  const cache = new Map<string, Record<string, string> | undefined>();
  return async (cluster, taskDefinitionArn) => {
    if (cache.has(taskDefinitionArn)) return cache.get(taskDefinitionArn);
    spend();
    summary.taskDefinitionReads += 1;
    let tags: Record<string, string> | undefined;
    try {
      tags = await read(cluster, taskDefinitionArn);
    } catch (error) {
      if (isThrottlingError(error)) throw error;
      log.warn({ taskDefinitionArn, reason: describeError(error).message }, 'task definition tags unreadable: its tasks are recorded without owner tags');
    }
    cache.set(taskDefinitionArn, tags);
    return tags;
  };
}

/** Records the running Fargate tasks among those described; the rest (still starting, stopping, EC2) wait for a later run. */
async function recordFound(deps: ReconcileDeps, tasks: ListedTask[], tagsOf: TagReader, log: Logger): Promise<number> {
  const seenAt = deps.clock.now().toISOString();
  let recorded = 0;
  for (const task of tasks) {
    if (!isFargate(task.launchType, task.capacityProviderName)) continue;
    if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') continue;
    const { startedAt, ...rest } = task;
    const validStart = validTime(startedAt);
    const found = validStart ? { ...rest, startedAt: validStart } : rest;
    if (digestsOfTask(found.containers).size === 0) {
      log.warn({ taskArn: task.taskArn }, 'running task without an image digest ECS reports: not recorded');
      continue;
    }
    const tags = await tagsOf(task.clusterArn, task.taskDefinitionArn);
    const uses = usesOfTask(found, { seenAt, source: 'reconciliation', ...(tags ? { taskDefinitionTags: tags } : {}) });
    for (const use of uses) await deps.inventory.recordUse(use);
    recorded += uses.length;
    log.info({ taskArn: task.taskArn, digests: uses.map((use) => use.digest) }, 'running task the inventory did not know: recorded');
  }
  return recorded;
}

function logVanished(failures: TaskFailure[], log: Logger, what: string): void {
  for (const failure of failures) log.info({ taskArn: failure.arn, reason: failure.reason, detail: failure.detail }, what);
}

/** Runs one ECS page; throttling and budget stop the run, any other failure is this page's (`PageFailed`). */
async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isThrottlingError(error)) throw error;
    throw new PageFailed(`${what}: ${describeError(error).message}`, { cause: error });
  }
}

function validTime(value: string | undefined): string | undefined {
  return value !== undefined && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}
