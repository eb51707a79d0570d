import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { parseImageReference } from '../../../functions/core/image/reference';
import type { EcsPort, RegistryPort, TaskDefinitionPort } from '../../../functions/core/ports';
import { organisationPorts } from '../../../functions/handlers/lambda/organisation';
import { RecordingMetrics } from '../../../functions/local/notifier';

const local = { ecs: {} as EcsPort, taskDefinitions: {} as TaskDefinitionPort, registry: {} as RegistryPort };

describe('organisationPorts (Lambda wiring)', () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());

  it('leaves a single-account gate\'s ports as they are, without STS', () => {
    const placed = organisationPorts({ AWS_REGION: 'eu-west-1' }, local, new RecordingMetrics());
    expect(placed).toBe(local);
    expect(sts.calls()).toHaveLength(0);
  });

  it('routes by account with GATE_ORGANIZATION_ID: an outside account is refused before any call, a member one goes through STS', async () => {
    const metrics = new RecordingMetrics();
    const placed = organisationPorts({ AWS_REGION: 'eu-west-1', GATE_ORGANIZATION_ID: 'o-a1b2c3d4e5', GATE_ACCOUNT_ID: '111122223333' }, local, metrics);
    expect(placed).not.toBe(local);
    sts.onAnyCommand().rejects(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    await expect(placed.ecs.stopTask('arn:aws:ecs:eu-west-1:444455556666:cluster/prod', 'arn:aws:ecs:eu-west-1:444455556666:task/prod/0123456789abcdef0123456789abcdef', 'r')).rejects.toMatchObject({
      name: 'MemberRoleError',
      account: '444455556666',
      reason: 'refused',
    });
    expect(sts.calls()[0].args[0].input).toMatchObject({ RoleArn: 'arn:aws:iam::444455556666:role/fargate-gate-member-eu-west-1' });
    expect(metrics.points).toEqual([{ kind: 'count', name: 'MemberRoleErrors', value: 1, dimensions: { Account: '444455556666', Reason: 'refused' } }]);
  });

  it('resolves tags of the repositories in GATE_CENTRAL_REPOSITORY_ARNS with the gate\'s own registry port, without STS', async () => {
    const resolved: string[] = [];
    const own = { ...local, registry: { resolveDigest: async (reference) => (resolved.push(reference.repository), { digest: `sha256:${'b'.repeat(64)}` }) } as RegistryPort };
    const env = { AWS_REGION: 'eu-west-1', GATE_ORGANIZATION_ID: 'o-a1b2c3d4e5', GATE_ACCOUNT_ID: '111122223333', GATE_CENTRAL_REPOSITORY_ARNS: ' arn:aws:ecr:eu-west-1:777788889999:repository/shared/*, arn:aws:ecr:eu-west-1:444455556666:repository/team/api' };
    const placed = organisationPorts(env, own, new RecordingMetrics());
    await placed.registry.resolveDigest(parseImageReference('777788889999.dkr.ecr.eu-west-1.amazonaws.com/shared/node:22'));
    await placed.registry.resolveDigest(parseImageReference('444455556666.dkr.ecr.eu-west-1.amazonaws.com/team/api:1'));
    expect(resolved).toEqual(['shared/node', 'team/api']);
    expect(sts.calls()).toHaveLength(0);
  });

  it('refuses a missing or malformed GATE_ACCOUNT_ID at cold start', () => {
    expect(() => organisationPorts({ AWS_REGION: 'eu-west-1', GATE_ORGANIZATION_ID: 'o-a1b2c3d4e5' }, local, new RecordingMetrics())).toThrow(/GATE_ACCOUNT_ID must be the gate's 12-digit account id/);
    expect(() => organisationPorts({ AWS_REGION: 'eu-west-1', GATE_ORGANIZATION_ID: 'o-a1b2c3d4e5', GATE_ACCOUNT_ID: 'x' }, local, new RecordingMetrics())).toThrow(/GATE_ACCOUNT_ID/);
  });
});
