import type { AccountRegion } from '../../core/organisation/account';
import type { MetricsPort } from '../../core/ports';
import type { TaskListingPort } from '../../core/posture/ports';
import { accountRouter } from './account-routing';

/**
 * The reconciliation's ECS reads in an organisation deployment (docs/organisation.md): ListTasks, DescribeTasks and DescribeTaskDefinition go to
 * the account and region of the cluster they name, through the member role there, exactly as the gate's own calls
 * (account-routing.ts); ListClusters stays in the central account (member clusters come from the inventory, see
 * handlers/posture/reconcile.ts `memberClusters`). A member whose role is missing or refuses fails that cluster's page
 * with a counted `MemberRoleError`; the reconciliation logs it and goes on with the next cluster.
 */
export interface TaskListingRoutingOptions {
  central: { account: string; region: string; listing: TaskListingPort };
  member: (where: AccountRegion) => TaskListingPort;
  isMember?: (account: string) => boolean;
  metrics: MetricsPort;
}

export function accountRoutedTaskListing(options: TaskListingRoutingOptions): TaskListingPort {
  const routed = accountRouter<TaskListingPort>({
    central: { account: options.central.account, region: options.central.region, ports: options.central.listing },
    member: options.member,
    ...(options.isMember ? { isMember: options.isMember } : {}),
    metrics: options.metrics,
  });
  const listing: TaskListingPort = {
    listTaskPage: (cluster, nextToken) => routed(cluster, (p) => p.listTaskPage(cluster, nextToken)),
    describeTaskBatch: (cluster, taskArns) => routed(cluster, (p) => p.describeTaskBatch(cluster, taskArns)),
    // The task definition is in the task's account: routed by the cluster, as the member role grants it (member-stack.ts).
    taskDefinitionTags: (cluster, taskDefinitionArn) => routed(cluster, async (p) => (p.taskDefinitionTags ? p.taskDefinitionTags(cluster, taskDefinitionArn) : undefined)),
  };
  const central = options.central.listing;
  if (central.listClusterPage) {
    const listClusterPage = central.listClusterPage.bind(central);
    listing.listClusterPage = (nextToken) => listClusterPage(nextToken);
  }
  return listing;
}

