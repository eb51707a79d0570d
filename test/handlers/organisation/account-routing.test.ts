import type { AccountRegion } from '../../../functions/core/organisation/account';
import { MemberRoleError } from '../../../functions/core/organisation/errors';
import { parseImageReference } from '../../../functions/core/image/reference';
import type { EcsPort, RegistryPort, TaskDefinitionPort } from '../../../functions/core/ports';
import { accountRoutedPorts, MEMBER_ROLE_CACHED_REFUSAL_METRIC, MEMBER_ROLE_ERROR_METRIC, type AccountPorts } from '../../../functions/handlers/organisation/account-routing';
import { RecordingMetrics } from '../../../functions/local/notifier';

const CENTRAL = '111122223333';
const MEMBER = '444455556666';
const OUTSIDER = '999988887777';
const REGION = 'eu-west-1';

/** Ports that record every call under their own name, and fail every call when `refuse` is given. */
function recordingPorts(name: string, log: string[], refuse?: () => Error): AccountPorts {
  const record = (call: string) => async (...args: unknown[]) => {
    log.push(`${name} ${call} ${String(args[0] && typeof args[0] === 'object' ? JSON.stringify(args[0]) : args[0])}`);
    if (refuse) throw refuse();
    return undefined as never;
  };
  const ecs = new Proxy({}, { get: (_t, call: string) => record(call) }) as EcsPort;
  const taskDefinitions: TaskDefinitionPort = { get: record('getTaskDefinition') };
  const registry: RegistryPort = { resolveDigest: async (reference) => (log.push(`${name} resolveDigest ${reference.repository}`), { digest: `sha256:${'a'.repeat(64)}` }) };
  return { ecs, taskDefinitions, registry };
}

function routing(options: { members?: string[]; refusing?: string[]; centralRepositoryArns?: string[] } = {}) {
  const log: string[] = [];
  const built: string[] = [];
  const metrics = new RecordingMetrics();
  const ports = accountRoutedPorts({
    central: { account: CENTRAL, region: REGION, ports: recordingPorts('central', log) },
    member: (where: AccountRegion) => {
      built.push(`${where.account}/${where.region}`);
      const refuse = options.refusing?.includes(where.account)
        ? () => new MemberRoleError(where.account, where.region, 'refused', `cannot assume the member role in ${where.account}`)
        : undefined;
      return recordingPorts(`member:${where.account}/${where.region}`, log, refuse);
    },
    isMember: options.members ? (account) => options.members!.includes(account) : undefined,
    ...(options.centralRepositoryArns ? { centralRepositoryArns: options.centralRepositoryArns } : {}),
    metrics,
  });
  return { ports, log, built, metrics };
}

const task = (account: string, region = REGION) => `arn:aws:ecs:${region}:${account}:task/prod/0123456789abcdef0123456789abcdef`;
const cluster = (account: string, region = REGION) => `arn:aws:ecs:${region}:${account}:cluster/prod`;

describe('accountRoutedPorts', () => {
  it('acts in the central account with the central ports and in a member account with that member\'s', async () => {
    const { ports, log } = routing({ members: [MEMBER] });
    await ports.ecs.stopTask(cluster(CENTRAL), task(CENTRAL), 'r');
    await ports.ecs.stopTask(cluster(MEMBER), task(MEMBER), 'r');
    expect(log).toEqual([`central stopTask ${cluster(CENTRAL)}`, `member:${MEMBER}/${REGION} stopTask ${cluster(MEMBER)}`]);
  });

  it('routes every ECS call by the ARN it names, and builds one set of member ports per account and region', async () => {
    const { ports, log, built } = routing();
    const deployment = `arn:aws:ecs:${REGION}:${MEMBER}:service-deployment/prod/api/abc`;
    await ports.ecs.describeTasks(cluster(MEMBER), [task(MEMBER)]);
    await ports.ecs.rollbackDeployment({ cluster: cluster(MEMBER), service: 'api', deploymentId: 'ecs-svc/1', taskDefinitionArn: `arn:aws:ecs:${REGION}:${MEMBER}:task-definition/api:3` }, 'r');
    await ports.ecs.restoreServiceRevision(cluster(MEMBER), 'api', `arn:aws:ecs:${REGION}:${MEMBER}:task-definition/api:2`, 'r');
    await ports.ecs.scaleService(cluster(MEMBER), 'api', 0);
    await ports.ecs.describeServiceRevision(`arn:aws:ecs:${REGION}:${MEMBER}:service-revision/prod/api/1`);
    await ports.ecs.describePausedDeployments({ serviceDeploymentArn: deployment });
    await ports.ecs.continueServiceDeployment(deployment, 'h', 'ROLLBACK');
    await ports.taskDefinitions.get(`arn:aws:ecs:us-east-1:${MEMBER}:task-definition/api:3`);
    expect(log.every((line) => line.startsWith(`member:${MEMBER}/`))).toBe(true);
    expect(log).toHaveLength(8);
    expect(built).toEqual([`${MEMBER}/${REGION}`, `${MEMBER}/us-east-1`]);
  });

  it('resolves an ECR tag in the registry\'s own account and region, and leaves other registries to the central port', async () => {
    const { ports, log } = routing();
    await ports.registry.resolveDigest(parseImageReference(`${MEMBER}.dkr.ecr.${REGION}.amazonaws.com/team/api:1.0`));
    await ports.registry.resolveDigest(parseImageReference(`${CENTRAL}.dkr.ecr.${REGION}.amazonaws.com/base/node:22`));
    await ports.registry.resolveDigest(parseImageReference('docker.io/library/nginx:1.27'));
    expect(log).toEqual([`member:${MEMBER}/${REGION} resolveDigest team/api`, 'central resolveDigest base/node', 'central resolveDigest library/nginx']);
  });

  it('resolves the central account\'s tags in any region with the central port: no member stack is ever deployed there', async () => {
    const { ports, log, built } = routing();
    await ports.registry.resolveDigest(parseImageReference(`${CENTRAL}.dkr.ecr.us-east-1.amazonaws.com/base/node:22`));
    expect(log).toEqual(['central resolveDigest base/node']);
    expect(built).toEqual([]);
  });

  it('resolves tags of the repositories the central role is granted (crossAccountRepositoryArns, * wildcards) with the central port, others through the member role', async () => {
    const REGISTRY = '777788889999';
    const { ports, log, built } = routing({ centralRepositoryArns: [`arn:aws:ecr:${REGION}:${REGISTRY}:repository/shared/*`, `arn:aws:ecr:us-east-1:${MEMBER}:repository/team/api`] });
    await ports.registry.resolveDigest(parseImageReference(`${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/shared/base/node:22`));
    await ports.registry.resolveDigest(parseImageReference(`${MEMBER}.dkr.ecr.us-east-1.amazonaws.com/team/api:1.0`));
    // Not granted: another repository, the same name in another region, a name the wildcard does not cover.
    await ports.registry.resolveDigest(parseImageReference(`${MEMBER}.dkr.ecr.us-east-1.amazonaws.com/team/apix:1.0`));
    await ports.registry.resolveDigest(parseImageReference(`${MEMBER}.dkr.ecr.${REGION}.amazonaws.com/team/api:1.0`));
    await ports.registry.resolveDigest(parseImageReference(`${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/sharedx/node:22`));
    expect(log).toEqual([
      'central resolveDigest shared/base/node',
      'central resolveDigest team/api',
      `member:${MEMBER}/us-east-1 resolveDigest team/apix`,
      `member:${MEMBER}/${REGION} resolveDigest team/api`,
      `member:${REGISTRY}/${REGION} resolveDigest sharedx/node`,
    ]);
    expect(built).toEqual([`${MEMBER}/us-east-1`, `${MEMBER}/${REGION}`, `${REGISTRY}/${REGION}`]);
  });

  it('refuses an account outside the organisation: no call anywhere, one counted error for that account', async () => {
    const { ports, log, built, metrics } = routing({ members: [MEMBER] });
    await expect(ports.ecs.stopTask(cluster(OUTSIDER), task(OUTSIDER), 'r')).rejects.toMatchObject({ name: 'MemberRoleError', reason: 'outside', account: OUTSIDER });
    expect(log).toEqual([]);
    expect(built).toEqual([]);
    expect(metrics.points).toEqual([{ kind: 'count', name: MEMBER_ROLE_ERROR_METRIC, value: 1, dimensions: { Account: OUTSIDER, Reason: 'outside' } }]);
  });

  it('counts a refusing member role per account and never falls back to the central account', async () => {
    const { ports, log, metrics } = routing({ refusing: [MEMBER] });
    await expect(ports.ecs.stopTask(cluster(MEMBER), task(MEMBER), 'r')).rejects.toBeInstanceOf(MemberRoleError);
    await expect(ports.ecs.stopTask(cluster(MEMBER), task(MEMBER), 'r')).rejects.toBeInstanceOf(MemberRoleError);
    expect(log.filter((line) => line.startsWith('central'))).toEqual([]);
    expect(metrics.total(MEMBER_ROLE_ERROR_METRIC)).toBe(2);
    expect(metrics.points.map((p) => p.dimensions)).toEqual([{ Account: MEMBER, Reason: 'refused' }, { Account: MEMBER, Reason: 'refused' }]);
  });

  it('counts a refusal answered from the negative cache as a member-role error and as a cached refusal', async () => {
    const log: string[] = [];
    const metrics = new RecordingMetrics();
    let calls = 0;
    const ports = accountRoutedPorts({
      central: { account: CENTRAL, region: REGION, ports: recordingPorts('central', log) },
      member: (where) =>
        recordingPorts(`member:${where.account}`, log, () => new MemberRoleError(where.account, where.region, 'refused', 'remembered refusal', { cached: (calls += 1) > 1 })),
      metrics,
    });
    await expect(ports.ecs.stopTask(cluster(MEMBER), task(MEMBER), 'r')).rejects.toMatchObject({ cached: false });
    await expect(ports.ecs.stopTask(cluster(MEMBER), task(MEMBER), 'r')).rejects.toMatchObject({ cached: true });
    expect(metrics.total(MEMBER_ROLE_ERROR_METRIC)).toBe(2);
    expect(metrics.points.filter((p) => p.name === MEMBER_ROLE_CACHED_REFUSAL_METRIC)).toEqual([{ kind: 'count', name: MEMBER_ROLE_CACHED_REFUSAL_METRIC, value: 1, dimensions: { Account: MEMBER } }]);
  });

  it('refuses an argument that is not a regional ARN instead of guessing its account', async () => {
    const { ports, log, metrics } = routing();
    await expect(ports.ecs.scaleService('prod', 'api', 0)).rejects.toMatchObject({ reason: 'unplaced' });
    await expect(ports.ecs.stopTask(cluster(MEMBER), 'not-an-arn', 'r')).rejects.toMatchObject({ reason: 'unplaced' });
    expect(log).toEqual([]);
    expect(metrics.total(MEMBER_ROLE_ERROR_METRIC)).toBe(2);
  });

  it('passes other errors through uncounted', async () => {
    const log: string[] = [];
    const metrics = new RecordingMetrics();
    const ports = accountRoutedPorts({
      central: { account: CENTRAL, region: REGION, ports: recordingPorts('central', log) },
      member: (where) => recordingPorts(`member:${where.account}`, log, () => new Error('ServerException')),
      metrics,
    });
    await expect(ports.ecs.stopTask(cluster(MEMBER), task(MEMBER), 'r')).rejects.toThrow('ServerException');
    expect(metrics.total(MEMBER_ROLE_ERROR_METRIC)).toBe(0);
  });
});
