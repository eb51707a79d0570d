import { ECSClient } from '@aws-sdk/client-ecs';
import type { AccountRegion } from '../core/organisation/account';
import type { EcsPort, RegistryPort, TaskDefinitionPort } from '../core/ports';
import type { AwsClientsConfig } from './clients';
import { ecrClientsByLocation } from './ecr-clients';
import { EcrRegistry } from './ecr';
import { EcsGate, EcsTaskDefinitions } from './ecs';
import { EcsTaskListing } from './ecs-task-listing';
import type { MemberCredentials } from './member-credentials';

/**
 * The ECS, task-definition and registry ports acting in one member account and region, with the member role's
 * credentials (MemberCredentials: assumed once, refreshed before expiry). Built once per account and region by the
 * organisation routing (functions/handlers/organisation/account-routing.ts).
 */
type MemberClientOptions = Pick<AwsClientsConfig, 'maxAttempts' | 'connectionTimeoutMs' | 'requestTimeoutMs'>;

export function createMemberPorts(
  where: AccountRegion,
  credentials: MemberCredentials,
  clientOptions: MemberClientOptions = {},
): { ecs: EcsPort; taskDefinitions: TaskDefinitionPort; registry: RegistryPort; ecsClient: ECSClient } {
  const common = memberClientConfig(where, credentials, clientOptions);
  const ecsClient = new ECSClient({ ...common, region: where.region });
  return {
    ecs: new EcsGate({ client: ecsClient }),
    taskDefinitions: new EcsTaskDefinitions({ client: ecsClient }),
    registry: new EcrRegistry({ clientFor: ecrClientsByLocation(common) }),
    ecsClient,
  };
}

/** The reconciliation's ECS reads (ListTasks, DescribeTasks) in one member account and region, with the member role. */
export function createMemberTaskListing(where: AccountRegion, credentials: MemberCredentials, clientOptions: MemberClientOptions = {}): { listing: EcsTaskListing; client: ECSClient } {
  const client = new ECSClient({ ...memberClientConfig(where, credentials, clientOptions), region: where.region });
  return { listing: new EcsTaskListing({ client }), client };
}

/** What every member client shares: standard retries, timeouts, and the member role's credentials (refreshed by the cache). */
function memberClientConfig(where: AccountRegion, credentials: MemberCredentials, clientOptions: MemberClientOptions) {
  return {
    retryMode: 'standard',
    maxAttempts: clientOptions.maxAttempts ?? 4,
    requestHandler: { connectionTimeout: clientOptions.connectionTimeoutMs ?? 3000, requestTimeout: clientOptions.requestTimeoutMs ?? 30000 },
    // A provider function: the SDK asks again when the identity it holds nears its `expiration`, and the cache answers
    // from memory until its own refresh margin.
    credentials: () => credentials.credentialsFor(where),
  };
}
