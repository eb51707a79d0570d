import { MemberCredentials, type AssumeRole } from '../../adapters/member-credentials';
import { onceAsync } from '../../adapters/once-async';
import { createMemberPorts } from '../../adapters/member-ports';
import type { MetricsPort } from '../../core/ports';
import { GATE_ENV } from '../environment';
import { accountRoutedPorts, type AccountPorts } from '../organisation/account-routing';
import type { Environment } from './wiring';

/**
 * On AWS, with `GATE_ORGANIZATION_ID` set (docs/organisation.md): the ECS, task-definition and registry ports act in the
 * account and region of each resource, through the member role there (STS AssumeRole, cached per account and region).
 * Without it, the ports are returned unchanged: a single-account gate never calls STS.
 */
export function organisationPorts(env: Environment, local: AccountPorts, metrics: MetricsPort): AccountPorts & { credentials?: MemberCredentials } {
  const organizationId = env[GATE_ENV.organizationId]?.trim();
  if (!organizationId) return local;
  const account = env[GATE_ENV.accountId]?.trim();
  const region = env.AWS_REGION?.trim();
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`fargate-gate: environment variable ${GATE_ENV.accountId} must be the gate's 12-digit account id when ${GATE_ENV.organizationId} is set`);
  if (!region) throw new Error('fargate-gate: AWS_REGION is not set');
  // STS (its client and package) is loaded on the first role assumption, not at cold start: most events of an
  // organisation's gate still concern the gate's own account, and the credentials are cached per account and region.
  const sts = onceAsync(async (): Promise<AssumeRole> => {
    const [{ STSClient }, { stsAssumeRole }] = await Promise.all([import('@aws-sdk/client-sts'), import('../../adapters/sts-assume-role')]);
    return stsAssumeRole(new STSClient({ region, retryMode: 'standard', maxAttempts: 3 }));
  });
  const credentials = new MemberCredentials({ assumeRole: async (roleArn) => (await sts())(roleArn) });
  const routed = accountRoutedPorts({
    central: { account, region, partition: partitionOf(region), ports: local },
    member: (where) => createMemberPorts(where, credentials),
    centralRepositoryArns: (env[GATE_ENV.centralRepositoryArns] ?? '').split(',').map((arn) => arn.trim()).filter((arn) => arn !== ''),
    metrics,
  });
  return { ...routed, credentials };
}

/** The partition of a region (China and GovCloud regions have their own). */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
