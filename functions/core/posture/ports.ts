import type { ExposureFact } from '../policy/input';

/**
 * The ports of the posture use case (what runs now: inventory, re-judgement, drift, in-use reports). Kept apart from
 * the launch-time ports (`core/ports.ts`) so a newcomer finds the use case in one folder. `functions/adapters`
 * implements them on DynamoDB (the gate's one table), `functions/local` in memory.
 */

/** Where a task use came from: a task state change event, the scheduled reconciliation, or the lifecycle hook. */
export type TaskUseSource = 'taskEvent' | 'reconciliation';

/**
 * One Fargate task's use of one image digest: a row of the inventory. Keyed by (digest, taskArn); one task with three
 * containers on two digests is two uses. Open while the task runs; closed (`stoppedAt`) when a STOPPED event or the
 * reconciliation shows it gone. Closed uses expire (TTL) after the retention the store chooses.
 */
export interface TaskUse {
  digest: string;
  taskArn: string;
  /** Cluster ARN. */
  cluster: string;
  /** The account that runs the task (from the task or cluster ARN); the organisation mode keys on it. */
  account: string;
  region: string;
  /** Service name when the task's `group` is `service:<name>` (ECS's own record, not confirmed with DescribeServices). */
  service?: string;
  /** `ecs-svc/<id>` from the task's `startedBy`, when a service deployment started it. */
  deploymentId?: string;
  taskDefinitionArn: string;
  /** Containers of the task that run this digest, with the image reference each names. */
  containers: { name: string; image: string }[];
  /** Principal that launched the task (CloudTrail RunTask), when the gate knows it. */
  launchedBy?: string;
  /**
   * Whether the task is reachable from outside, when what the gate saw of its launch settles it (the public IP of a
   * RunTask call, and no load balancer: `exposureFromLaunch`, the fact admission judged with); absent when unknown.
   */
  exposure?: ExposureFact;
  /** The task definition's tags, read with the task definition the gate reads to judge the task (no extra call). */
  taskDefinitionTags?: Record<string, string>;
  /** ISO-8601: first and last time the gate saw the task running or starting. */
  firstSeenAt: string;
  lastSeenAt: string;
  /** ISO-8601 `startedAt` of the task as ECS reports it, when known: a task found by the reconciliation may predate the gate. */
  startedAt?: string;
  /** ISO-8601: when the task was seen stopped (STOPPED event, or missing at reconciliation); absent while open. */
  stoppedAt?: string;
  source: TaskUseSource;
}

/** A digest in use: at least one open task use. */
export interface DigestInUse {
  digest: string;
  /** Open task uses of the digest. */
  openTasks: number;
  /** ISO-8601 of the earliest open use's `firstSeenAt`. */
  inUseSince: string;
}

export interface InventoryStore {
  /**
   * Creates or refreshes the use (first seen kept, last seen advanced; a closed use is never reopened, so a late
   * RUNNING event after the STOPPED one changes nothing). A use given with `stoppedAt` is recorded closed: a STOPPED
   * event that names the task's digests closes them with one write each and leaves a closed record that a late
   * RUNNING event cannot reopen.
   */
  recordUse(use: TaskUse): Promise<void>;
  /** Closes every open use of the task (all its digests). Closing a task the inventory does not know is not an error. */
  closeTask(taskArn: string, stoppedAt: string): Promise<void>;
  /**
   * Names the principal that launched the task on each of its open uses: the CloudTrail RunTask call often reaches the
   * gate after the task's RUNNING event recorded the uses. A task the inventory does not know (yet) is not an error.
   */
  nameLauncher(taskArn: string, launchedBy: string): Promise<void>;
  /** "Which tasks and services run this digest": the open uses of one digest (one query). */
  listUsesOfDigest(digest: string): Promise<TaskUse[]>;
  /** "Which digests are in use": one query, paginated by the implementation. */
  listDigestsInUse(): Promise<DigestInUse[]>;
  /** Open uses in one cluster, for the reconciliation to close what ECS no longer runs. */
  listOpenUsesInCluster(cluster: string): Promise<TaskUse[]>;
  /**
   * Every open use (one paginated Query of the open-use index): the reconciliation reads it once per run and groups it
   * by cluster, since a filter on the cluster does not lower the read units a Query costs.
   */
  listOpenUses(): Promise<TaskUse[]>;
}

/** The clusters the inventory holds open uses in: where an organisation's reconciliation looks in member accounts. */
export interface OpenClusterListing {
  /** Cluster ARNs with at least one open use, sorted; one query. */
  listOpenClusters(): Promise<string[]>;
}

/** Where the reconciliation stopped in a cluster's ListTasks pages, so the next run resumes there. */
export interface ReconcileCursor {
  /** ISO-8601 of the run that began this cluster's current pass. */
  passStartedAt: string;
  /** ListTasks `nextToken` of the next page to read; absent once the cluster's pass is complete. */
  nextToken?: string;
  /** Cluster ARN of the next cluster to read, in the order the run lists them; absent means start from the first. */
  cluster?: string;
  /**
   * Present once the cluster's ListTasks pages are all read: the run stopped while checking the open uses ECS did not
   * list, and the next run resumes that check after this task ARN ('' for the first), without listing the cluster again.
   * Without it, a cluster whose check outruns the budget would start over from page 1 every run and never finish.
   */
  closeAfter?: string;
}

/** The reconciliation's own state, kept in the same table (one item). */
export interface ReconcileCursorStore {
  getReconcileCursor(): Promise<ReconcileCursor | undefined>;
  /** Absent: the next run starts from the first cluster. */
  putReconcileCursor(cursor: ReconcileCursor | undefined): Promise<void>;
}

/** A task as the reconciliation reads it from DescribeTasks. */
export interface ListedTask {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  launchType?: string;
  capacityProviderName?: string;
  group?: string;
  startedBy?: string;
  startedAt?: string;
  stoppedAt?: string;
  containers: { name: string; image?: string; imageDigest?: string }[];
}

/** DescribeTasks `failures[]`: a task ECS could not describe (`MISSING`: it no longer knows the task). */
export interface TaskFailure {
  arn: string;
  reason: string;
  detail?: string;
}

/** The ECS reads of the reconciliation: ListTasks one page, DescribeTasks one batch (at most 100 ARNs). */
export interface TaskListingPort {
  /** ListTasks, desiredStatus RUNNING and launchType FARGATE (Fargate tasks only: a mixed cluster's EC2 tasks are not listed), 100 per page. */
  listTaskPage(cluster: string, nextToken?: string): Promise<{ taskArns: string[]; nextToken?: string }>;
  /** ListClusters one page: only when the scope is every cluster of the account and region. */
  listClusterPage?(nextToken?: string): Promise<{ clusterArns: string[]; nextToken?: string }>;
  describeTaskBatch(cluster: string, taskArns: string[]): Promise<{ tasks: ListedTask[]; failures: TaskFailure[] }>;
  /**
   * DescribeTaskDefinition with `include: ["TAGS"]`, the tags only (undefined when it has none): the owner tags a
   * task event's use carries, for the uses the reconciliation records. `cluster` is the task's (an organisation routes
   * the call by its account). Absent: uses are recorded without tags.
   */
  taskDefinitionTags?(cluster: string, taskDefinitionArn: string): Promise<Record<string, string> | undefined>;
}
