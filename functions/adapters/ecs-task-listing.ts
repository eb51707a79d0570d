import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ListClustersCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { ListedTask, TaskFailure, TaskListingPort } from '../core/posture/ports';
import { readResourceTags } from '../core/taskdef/tags';
import { toListedTask } from './ecs-task-mapping';

/** ListTasks and ListClusters return at most 100 results per page (API_ListTasks / API_ListClusters `maxResults`: 1-100). */
export const LIST_PAGE_MAX = 100;
/** DescribeTasks takes at most 100 task ARNs per call (API_DescribeTasks `tasks`). */
export const DESCRIBE_TASKS_BATCH_MAX = 100;

export interface EcsTaskListingOptions {
  client: ECSClient;
}

/**
 * The reconciliation's ECS reads (`TaskListingPort`): one API call per method call, so the caller counts and bounds
 * them. Throttling reaches the caller as the SDK's own error after its retries with back-off (the client's
 * `maxAttempts`), and the reconciliation stops its run on it.
 */
export class EcsTaskListing implements TaskListingPort {
  private readonly client: ECSClient;

  constructor(options: EcsTaskListingOptions) {
    this.client = options.client;
  }

  /**
   * ListTasks with `desiredStatus: RUNNING` (the default filter, named for clarity) and `launchType: FARGATE`: the
   * Fargate tasks ECS means to keep running, whatever their `lastStatus` (DescribeTasks then tells a running task from
   * one still starting). The launch type filter keeps a mixed cluster's EC2 (and EXTERNAL, Managed Instances) tasks
   * out of the list, so they are not described on every run ("You can filter the results by cluster, task definition
   * family, container instance, launch type, ...": https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html).
   * Tasks started with a FARGATE or FARGATE_SPOT capacity provider strategy carry `launchType: FARGATE` beside their
   * `capacityProviderName` (DescribeTasks and RunTask answers of FARGATE_SPOT tasks, and the FARGATE capacity provider
   * task event in ../shared/conformance/events/ecs-task-state-change-fargate-stopped-two-containers-fivexl.json), so
   * the filter lists them too. The API reference does not say so in as many words: DescribeTasks' answers are still
   * checked with isFargate, and nothing is ever closed for being absent from a list (docs/inventory.md).
   */
  async listTaskPage(cluster: string, nextToken?: string): Promise<{ taskArns: string[]; nextToken?: string }> {
    const result = await this.client.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', launchType: 'FARGATE', maxResults: LIST_PAGE_MAX, ...(nextToken ? { nextToken } : {}) }));
    const taskArns = (result.taskArns ?? []).filter((arn): arn is string => typeof arn === 'string' && arn.length > 0);
    return result.nextToken ? { taskArns, nextToken: result.nextToken } : { taskArns };
  }

  /**
   * DescribeTasks for at most 100 tasks. Tasks ECS no longer knows come back in `failures[]` with reason `MISSING`
   * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Failure.html); they are passed on, not dropped.
   */
  async describeTaskBatch(cluster: string, taskArns: string[]): Promise<{ tasks: ListedTask[]; failures: TaskFailure[] }> {
    if (taskArns.length === 0) return { tasks: [], failures: [] };
    if (taskArns.length > DESCRIBE_TASKS_BATCH_MAX) throw new RangeError(`describeTaskBatch: at most ${DESCRIBE_TASKS_BATCH_MAX} tasks per call, got ${taskArns.length}`);
    const result = await this.client.send(new DescribeTasksCommand({ cluster, tasks: [...new Set(taskArns)] }));
    const tasks = (result.tasks ?? []).flatMap((task) => {
      const mapped = toListedTask(task);
      return mapped ? [mapped] : [];
    });
    const failures = (result.failures ?? []).flatMap((failure): TaskFailure[] =>
      typeof failure.arn === 'string' ? [{ arn: failure.arn, reason: failure.reason ?? 'UNKNOWN', ...(failure.detail ? { detail: failure.detail } : {}) }] : [],
    );
    return { tasks, failures };
  }

  /**
   * The task definition's tags: DescribeTaskDefinition with `include: ["TAGS"]` adds them to the answer
   * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html `include`), held to
   * ECS's tag limits (core/taskdef/tags.ts). Only the tags are read: the reconciliation records, it does not judge.
   */
  async taskDefinitionTags(_cluster: string, taskDefinitionArn: string): Promise<Record<string, string> | undefined> {
    const result = await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn, include: ['TAGS'] }));
    return readResourceTags(result.tags);
  }

  /** ListClusters, one page: used only when the scope is every cluster of the account and region. */
  async listClusterPage(nextToken?: string): Promise<{ clusterArns: string[]; nextToken?: string }> {
    const result = await this.client.send(new ListClustersCommand({ maxResults: LIST_PAGE_MAX, ...(nextToken ? { nextToken } : {}) }));
    const clusterArns = (result.clusterArns ?? []).filter((arn): arn is string => typeof arn === 'string' && arn.length > 0);
    return result.nextToken ? { clusterArns, nextToken: result.nextToken } : { clusterArns };
  }
}
