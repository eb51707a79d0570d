import type { ListedTask, TaskFailure, TaskListingPort } from '../core/posture/ports';
import type { ActivityLog } from './activity';
import type { FakeEcs, WorldTask } from './ecs';
import { clusterName } from './ids';
import type { MemoryTaskDefinitions } from './task-definitions';

/** ListTasks returns at most 100 ARNs per page (API_ListTasks `maxResults`: 1-100). */
export const LIST_TASKS_PAGE = 100;
/** ECS keeps describing a stopped task for about an hour (API_ListTasks: "at least one hour"); later it is MISSING. */
export const STOPPED_TASK_MEMORY_MS = 60 * 60_000;

/** A fault a test or scenario injects into one ECS read: the error it throws instead of answering. */
export type ListingFault = (call: { api: 'ListTasks' | 'DescribeTasks' | 'ListClusters' | 'DescribeTaskDefinition'; cluster?: string }) => Error | undefined;

/**
 * The reconciliation's ECS reads on the simulated world (`FakeEcs`): ListTasks pages of 100 over the tasks whose
 * desiredStatus is RUNNING, in ARN order (the world runs Fargate tasks only, so the launchType FARGATE filter of the
 * real call leaves none out); DescribeTasks with `failures[]` MISSING for tasks ECS no longer knows (never
 * existed, or stopped more than an hour ago); ListClusters over the clusters that have tasks. Each call counts as the
 * AWS call it stands for.
 */
export class FakeTaskListing implements TaskListingPort {
  /** Set to make calls fail (throttling, access denied) as a test or scenario needs. */
  fault: ListingFault | undefined;

  /** DescribeTaskDefinition `include: ["TAGS"]` on the world's task definitions, when the listing is given them. */
  readonly taskDefinitionTags?: (cluster: string, taskDefinitionArn: string) => Promise<Record<string, string> | undefined>;

  constructor(
    private readonly ecs: FakeEcs,
    private readonly activity: ActivityLog,
    private readonly now: () => number,
    taskDefinitions?: Pick<MemoryTaskDefinitions, 'peek'>,
  ) {
    if (taskDefinitions) {
      this.taskDefinitionTags = async (cluster, taskDefinitionArn) => {
        this.activity.call('ecs.taskDefinitionTags');
        this.raise({ api: 'DescribeTaskDefinition', cluster });
        const spec = taskDefinitions.peek(taskDefinitionArn);
        // What DescribeTaskDefinition answers for a revision that does not exist.
        if (!spec) throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
        return spec.tags;
      };
    }
  }

  async listTaskPage(cluster: string, nextToken?: string): Promise<{ taskArns: string[]; nextToken?: string }> {
    this.activity.call('ecs.listTaskPage');
    this.raise({ api: 'ListTasks', cluster });
    const name = clusterName(cluster);
    const arns = [...this.ecs.tasks.values()]
      .filter((task) => task.cluster === name && task.desiredStatus === 'RUNNING')
      .map((task) => task.taskArn)
      .sort();
    const start = nextToken === undefined ? 0 : Number.parseInt(nextToken, 10);
    if (!Number.isSafeInteger(start) || start < 0) throw Object.assign(new Error('Invalid nextToken'), { name: 'InvalidParameterException' });
    const page = arns.slice(start, start + LIST_TASKS_PAGE);
    const next = start + LIST_TASKS_PAGE < arns.length ? String(start + LIST_TASKS_PAGE) : undefined;
    return next === undefined ? { taskArns: page } : { taskArns: page, nextToken: next };
  }

  async describeTaskBatch(cluster: string, taskArns: string[]): Promise<{ tasks: ListedTask[]; failures: TaskFailure[] }> {
    this.activity.call('ecs.describeTaskBatch');
    this.raise({ api: 'DescribeTasks', cluster });
    if (taskArns.length > 100) throw Object.assign(new Error('DescribeTasks takes at most 100 tasks'), { name: 'InvalidParameterException' });
    const tasks: ListedTask[] = [];
    const failures: TaskFailure[] = [];
    for (const arn of taskArns) {
      const task = this.ecs.findTask(clusterName(cluster), arn);
      if (!task || (task.stoppedAt !== undefined && this.now() - task.stoppedAt > STOPPED_TASK_MEMORY_MS)) failures.push({ arn, reason: 'MISSING' });
      else tasks.push(listed(task, this.ecs.digestVisible(task)));
    }
    return { tasks, failures };
  }

  async listClusterPage(): Promise<{ clusterArns: string[] }> {
    this.activity.call('ecs.listClusterPage');
    this.raise({ api: 'ListClusters' });
    return { clusterArns: [...new Set([...this.ecs.tasks.values()].map((task) => task.clusterArn))].sort() };
  }

  private raise(call: Parameters<ListingFault>[0]): void {
    const error = this.fault?.(call);
    if (error) throw error;
  }
}

function listed(task: WorldTask, digestVisible: boolean): ListedTask {
  const result: ListedTask = {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    launchType: 'FARGATE',
    group: task.group,
    containers: task.containers.map((container) => ({ name: container.name, image: container.image, ...(container.imageDigest && digestVisible ? { imageDigest: container.imageDigest } : {}) })),
  };
  if (task.startedBy) result.startedBy = task.startedBy;
  if (task.startedAt !== undefined) result.startedAt = new Date(task.startedAt).toISOString();
  if (task.stoppedAt !== undefined) result.stoppedAt = new Date(task.stoppedAt).toISOString();
  return result;
}
