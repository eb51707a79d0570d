import { STSClient } from '@aws-sdk/client-sts';
import type { EcsTaskListing } from '../../adapters/ecs-task-listing';
import type { DynamoInventoryStore } from '../../adapters/dynamo-inventory';
import { MemberCredentials } from '../../adapters/member-credentials';
import { createMemberTaskListing } from '../../adapters/member-ports';
import { stsAssumeRole } from '../../adapters/sts-assume-role';
import type { MetricsPort } from '../../core/ports';
import type { TaskListingPort } from '../../core/posture/ports';
import { GATE_ENV } from '../environment';
import { accountRoutedTaskListing } from '../organisation/task-listing-routing';
import type { ReconcileDeps } from '../posture/reconcile';
import type { Environment } from './wiring';

/**
 * The reconciliation in an organisation deployment (`GATE_ORGANIZATION_ID` set, docs/organisation.md): ListTasks and
 * DescribeTasks of member clusters go through the member role of the cluster's account and region (credentials cached
 * per account and region, refusals remembered a minute), and the member clusters with open uses in the inventory are
 * reconciled after the central ones. Without an organisation id nothing changes and STS is never called.
 */
export function organisationReconcile(
  env: Environment,
  central: EcsTaskListing,
  inventory: DynamoInventoryStore,
  metrics: MetricsPort,
): { ecs: TaskListingPort; memberClusters?: ReconcileDeps['memberClusters'] } {
  const organizationId = env[GATE_ENV.organizationId]?.trim();
  if (!organizationId) return { ecs: central };
  const account = env[GATE_ENV.accountId]?.trim();
  const region = env.AWS_REGION?.trim();
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`fargate-gate: environment variable ${GATE_ENV.accountId} must be the gate's 12-digit account id when ${GATE_ENV.organizationId} is set`);
  if (!region) throw new Error('fargate-gate: AWS_REGION is not set');
  const credentials = new MemberCredentials({ assumeRole: stsAssumeRole(new STSClient({ region, retryMode: 'standard', maxAttempts: 3 }), 'fargate-gate-reconcile') });
  const ecs = accountRoutedTaskListing({
    central: { account, region, listing: central },
    member: (where) => createMemberTaskListing(where, credentials).listing,
    metrics,
  });
  return { ecs, memberClusters: { source: inventory, centralAccount: account } };
}
