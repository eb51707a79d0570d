import { ECSClient } from '@aws-sdk/client-ecs';
import type { AccountRegion } from '../core/organisation/account';
import type { EcsPort, RegistryPort, TaskDefinitionPort } from '../core/ports';
import type { AwsClientsConfig } from './clients';
import { ecrClientsByLocation } from './ecr-clients';
import { EcrRegistry } from './ecr';
import { EcsGate, EcsTaskDefinitions } from './ecs';
import type { MemberCredentials } from './member-credentials';

/**
 * The ECS, task-definition and registry ports acting in one member account and region, with the member role's
 * credentials (MemberCredentials: assumed once, refreshed before expiry). Built once per account and region by the
 * organisation routing (functions/handlers/organisation/account-routing.ts).
 */
export function createMemberPorts(
  where: AccountRegion,
  credentials: MemberCredentials,
  clientOptions: Pick<AwsClientsConfig, 'maxAttempts' | 'connectionTimeoutMs' | 'requestTimeoutMs'> = {},
): { ecs: EcsPort; taskDefinitions: TaskDefinitionPort; registry: RegistryPort; ecsClient: ECSClient } {
  const common = {
    retryMode: 'standard',
    maxAttempts: clientOptions.maxAttempts ?? 4,
    requestHandler: { connectionTimeout: clientOptions.connectionTimeoutMs ?? 3000, requestTimeout: clientOptions.requestTimeoutMs ?? 30000 },
    // A provider function: the SDK asks again when the identity it holds nears its `expiration`, and the cache answers
    // from memory until its own refresh margin.
    credentials: () => credentials.credentialsFor(where),
  };
  const ecsClient = new ECSClient({ ...common, region: where.region });
  return {
    ecs: new EcsGate({ client: ecsClient }),
    taskDefinitions: new EcsTaskDefinitions({ client: ecsClient }),
    registry: new EcrRegistry({ clientFor: ecrClientsByLocation(common) }),
    ecsClient,
  };
}
