import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fargateTaskStartingPattern, fargateTaskStoppedPattern, hookAwaitingActionPattern, inspectorImageFindingPattern, runTaskCallPattern } from '../../infra/event-patterns';
import { FargateGateMemberStack, MEMBER_PARAMETERS } from '../../infra/member-stack';
import { templateSchemaProblems } from '../support/cfn-schema';
import { matchesEventPattern } from '../support/event-pattern';
import { resolveIntrinsics } from '../support/intrinsics';
import { policyProblems } from '../support/iam-catalogue';
import type { PolicyDocument } from '../support/template-iam';

/**
 * The member stack a StackSet deploys in every account and region of the organisation: standalone and asset-free,
 * least privilege (IAM catalogue and simulation tiers), cdk-nag clean and valid against CloudFormation's schemas.
 */

const MEMBER = '444455556666';
const CENTRAL = '111122223333';
const REGION = 'eu-west-1';
const BUS = `arn:aws:events:${REGION}:${CENTRAL}:event-bus/fargate-gate-org`;
const GATE_ROLE = `arn:aws:iam::${CENTRAL}:role/Gate-GateFunctionServiceRole-abc`;
const HOOK_ROLE = `arn:aws:iam::${CENTRAL}:role/Gate-HookFunctionServiceRole-def`;
const SCAN_ROLE = `arn:aws:iam::${CENTRAL}:role/Gate-ScanRole-ghi`;

function synthMember(): { stack: FargateGateMemberStack; template: Template; json: Record<string, any> } {
  const app = new App();
  const stack = new FargateGateMemberStack(app, 'GateMember');
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() };
}

/** The template's values as CloudFormation resolves them in the member account with the given parameters. */
function resolved<T>(json: Record<string, any>, value: T, parameters: { clusters?: string; repositories?: string } = {}): T {
  // Fn::Select / Fn::Split of the bus ARN: the central account, as CloudFormation computes it.
  const centralAccount = { 'Fn::Select': [4, { 'Fn::Split': [':', { Ref: MEMBER_PARAMETERS.centralEventBusArn }] }] };
  const text = JSON.stringify(value).split(JSON.stringify(centralAccount)).join(JSON.stringify(BUS.split(':')[4]));
  const refs: Record<string, unknown> = {
    [MEMBER_PARAMETERS.centralEventBusArn]: BUS,
    [MEMBER_PARAMETERS.centralRoleArns]: [GATE_ROLE, HOOK_ROLE, SCAN_ROLE],
    [MEMBER_PARAMETERS.clusterNamePattern]: parameters.clusters ?? json.Parameters.ClusterNamePattern.Default,
    [MEMBER_PARAMETERS.repositoryNamePattern]: parameters.repositories ?? json.Parameters.RepositoryNamePattern.Default,
  };
  for (const [id, resource] of Object.entries(json.Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>)) {
    if (resource.Type === 'AWS::IAM::Role') refs[`${id}.Arn`] = `arn:aws:iam::${MEMBER}:role/${String(resource.Properties?.RoleName ?? id).replace('${AWS::Region}', REGION)}`;
    refs[id] = id;
  }
  return resolveIntrinsics(JSON.parse(text), { account: MEMBER, region: REGION, refs: refs as Record<string, string> }) as T;
}

type Resource = { Type: string; Properties: Record<string, any> };
const resourcesOf = (json: Record<string, any>, type: string) => Object.entries(json.Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

describe('the member stack template', () => {
  const { json, template } = synthMember();

  it('is standalone: no asset, no bootstrap rule, no CDK metadata, no import from another stack; only its four parameters', () => {
    expect(Object.keys(json.Parameters).sort()).toEqual(Object.values(MEMBER_PARAMETERS).sort());
    expect(json.Rules).toBeUndefined();
    expect(json.Conditions).toBeUndefined();
    const text = JSON.stringify(json);
    expect(text).not.toContain('Fn::ImportValue');
    expect(text).not.toContain('AWS::CDK::Metadata');
    expect(text).not.toMatch(/AssetParameters|cdk-hnb659fds|BootstrapVersion/);
    expect(Object.values(json.Resources as Record<string, Resource>).map((r) => r.Type).sort()).toEqual(
      [...Array(6).fill('AWS::Events::Rule'), ...Array(2).fill('AWS::IAM::Role'), ...Array(11).fill('AWS::IAM::Policy')].sort(),
    );
  });

  it('forwards exactly the events the central gate listens to, each to the central bus with the forwarder role', () => {
    const rules = resourcesOf(json, 'AWS::Events::Rule').map(([, rule]) => resolved(json, rule.Properties, { clusters: 'prod-*' }));
    for (const rule of rules) {
      expect(rule.Targets).toEqual([{ Arn: BUS, Id: 'Target0', RoleArn: expect.stringMatching(/^arn:aws:iam::444455556666:role\/ForwarderRole/) }]);
    }
    const patterns = rules.map((rule) => rule.EventPattern);
    // As CloudFormation receives a pattern: CDK writes `detailType` as `detail-type`.
    const cfn = ({ source, detailType, detail }: events.EventPattern) => ({ source, 'detail-type': detailType, detail });
    expect(patterns).toContainEqual(cfn(fargateTaskStartingPattern({ kind: 'pattern', clusterArnPattern: `arn:aws:ecs:${REGION}:${MEMBER}:cluster/prod-*` })));
    expect(patterns).toContainEqual(cfn(fargateTaskStoppedPattern({ kind: 'pattern', clusterArnPattern: `arn:aws:ecs:${REGION}:${MEMBER}:cluster/prod-*` })));
    expect(patterns).toContainEqual(cfn(inspectorImageFindingPattern()));
    // The RunTask hint and the PAUSE hook are scoped to ClusterNamePattern too (see 'forwards RunTask calls and PAUSE
    // hooks only from clusters in scope'); apart from that they are the central gate's own patterns.
    const hook = patterns.find((pattern) => pattern['detail-type'][0] === 'ECS Hook State Change');
    expect(hook.detail).toEqual(hookAwaitingActionPattern().detail);
    const runTask = patterns.find((pattern) => pattern['detail-type'][0] === 'AWS API Call via CloudTrail');
    expect({ ...runTask.detail, responseElements: undefined }).toEqual({ ...runTaskCallPattern().detail, responseElements: undefined });
    const push = patterns.find((pattern) => pattern.source[0] === 'aws.ecr');
    expect(push.detail['repository-name']).toEqual([{ wildcard: '*' }]);
  });

  describe('forwards RunTask calls and PAUSE hooks only from clusters in scope (the central gate answers for every member cluster)', () => {
    const fixture = (name: string): Record<string, any> => JSON.parse(readFileSync(join('test/fixtures/events', name), 'utf8'));
    const patternOf = (detailType: string, clusters: string) =>
      resourcesOf(json, 'AWS::Events::Rule')
        .map(([, rule]) => resolved(json, rule.Properties, { clusters }).EventPattern)
        .find((pattern) => pattern['detail-type'][0] === detailType);
    /** The captured RunTask record, started in `cluster` of the member account. */
    const runTask = (cluster: string) => {
      const event = fixture('cloudtrail-runtask-fargate.json');
      for (const task of event.detail.responseElements.tasks) task.clusterArn = `arn:aws:ecs:${REGION}:${MEMBER}:cluster/${cluster}`;
      return event;
    };
    /**
     * AWS's documented HOOK_AWAITING_ACTION event (at PRE_SCALE_UP, see the fixture's _comment) of service `web` in
     * `cluster` of the member account, naming it where `where` says only.
     */
    const hook = (cluster: string, where: 'resources' | 'serviceArn' | 'serviceDeploymentArn') => {
      const event = fixture('ecs-hook-state-change-awaiting-action-pre-scale-up.json');
      const service = `arn:aws:ecs:${REGION}:${MEMBER}:service/${cluster}/web`;
      const deployment = `arn:aws:ecs:${REGION}:${MEMBER}:service-deployment/${cluster}/web/0EYSiB0qap8xf0N76FsbE`;
      event.account = MEMBER;
      event.region = REGION;
      event.resources = where === 'resources' ? [service] : [];
      delete event.detail.serviceDeploymentArn;
      delete event.detail.serviceArn;
      event.detail.clusterArn = `arn:aws:ecs:${REGION}:${MEMBER}:cluster/${cluster}`;
      if (where === 'serviceArn') event.detail.serviceArn = service;
      if (where === 'serviceDeploymentArn') event.detail.serviceDeploymentArn = deployment;
      return event;
    };

    it('RunTask: forwards a task started in a cluster matching the pattern, not one out of it', () => {
      const pattern = patternOf('AWS API Call via CloudTrail', 'prod-*');
      expect(matchesEventPattern(pattern, runTask('prod-eu'))).toBe(true);
      expect(matchesEventPattern(pattern, runTask('staging'))).toBe(false);
      expect(matchesEventPattern(patternOf('AWS API Call via CloudTrail', '*'), runTask('staging'))).toBe(true);
    });

    it('PAUSE hook: forwards only a PAUSE hook at PRE_SCALE_UP, as the central rule (review items 2, 18)', () => {
      const pattern = patternOf('ECS Hook State Change', '*');
      const documented = fixture('ecs-hook-state-change-awaiting-action-pre-scale-up.json');
      documented.account = MEMBER;
      documented.region = REGION;
      documented.resources = [`arn:aws:ecs:${REGION}:${MEMBER}:service-deployment/prod/web/0EYSiB0qap8xf0N76FsbE`];
      documented.detail.serviceArn = `arn:aws:ecs:${REGION}:${MEMBER}:service/prod/web`;
      documented.detail.serviceDeploymentArn = documented.resources[0];
      expect(matchesEventPattern(pattern, documented)).toBe(true);
      expect(pattern.detail).toMatchObject({ hookType: ['PAUSE'], lifecycleStage: ['PRE_SCALE_UP'] });
      expect(matchesEventPattern(pattern, { ...documented, detail: { ...documented.detail, lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' } })).toBe(false);
      expect(matchesEventPattern(pattern, { ...documented, detail: { ...documented.detail, hookType: 'AWS_LAMBDA' } })).toBe(false);
    });

    it.each(['resources', 'serviceArn', 'serviceDeploymentArn'] as const)('PAUSE hook named by %s: forwards a service of a cluster in scope, not one out of it', (where) => {
      const pattern = patternOf('ECS Hook State Change', 'prod-*');
      expect(matchesEventPattern(pattern, hook('prod-eu', where))).toBe(true);
      expect(matchesEventPattern(pattern, hook('staging', where))).toBe(false);
      expect(matchesEventPattern(patternOf('ECS Hook State Change', 'batch'), hook('batch', where))).toBe(true);
      expect(matchesEventPattern(patternOf('ECS Hook State Change', 'batch'), hook('batch-2', where))).toBe(false);
    });
  });

  it('creates every forwarding rule after the member role and all its policies, so no event arrives before the gate can act on it', () => {
    const memberRoleIds = resourcesOf(json, 'AWS::IAM::Role').filter(([id]) => id.startsWith('MemberRole')).map(([id]) => id);
    const memberPolicyIds = resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => memberRoleIds.includes(r.Ref)))
      .map(([id]) => id);
    expect(memberRoleIds).toHaveLength(1);
    expect(memberPolicyIds.length).toBeGreaterThan(0);
    const rules = resourcesOf(json, 'AWS::Events::Rule');
    expect(rules).toHaveLength(6);
    for (const [, rule] of rules) {
      expect((rule as unknown as { DependsOn?: string[] }).DependsOn).toEqual(expect.arrayContaining([...memberRoleIds, ...memberPolicyIds]));
    }
  });

  it('lets the forwarder role put events on the central bus and nothing else', () => {
    const forwarder = resourcesOf(json, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('ForwarderRole'));
    expect(forwarder.map(([, p]) => resolved(json, p.Properties.PolicyDocument.Statement))).toEqual([[{ Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS }]]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } }] },
      Description: Match.stringLikeRegexp('EventBridge'),
    });
  });

  it('names the member role after the region, so one StackSet can target several regions of an account', () => {
    const [[, role]] = resourcesOf(json, 'AWS::IAM::Role').filter(([id]) => id.startsWith('MemberRole'));
    expect(resolved(json, role.Properties.RoleName)).toBe(`fargate-gate-member-${REGION}`);
  });

  it('matches CloudFormation\'s resource schemas', () => {
    expect(templateSchemaProblems(json)).toEqual([]);
  });

  it('names only catalogue actions, resource types and condition keys', async () => {
    const problems: string[] = [];
    for (const [id, resource] of resourcesOf(json, 'AWS::IAM::Policy')) {
      for (const clusters of ['*', 'prod-*', 'batch']) {
        const found = await policyProblems(resolved(json, resource.Properties.PolicyDocument, { clusters }) as PolicyDocument, { checkResources: true });
        problems.push(...found.map((problem) => `${id} (${clusters}): ${problem}`));
      }
    }
    for (const [id, resource] of resourcesOf(json, 'AWS::IAM::Role')) {
      const found = await policyProblems(resolved(json, resource.Properties.AssumeRolePolicyDocument) as PolicyDocument, { checkResources: false });
      problems.push(...found.map((problem) => `${id} trust: ${problem}`));
    }
    expect(problems).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions on the member stack', () => {
  it('has no unacknowledged finding', () => {
    const { stack } = synthMember();
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });
});

describe('the member role, simulated', () => {
  const { json } = synthMember();
  const [[roleId, role]] = resourcesOf(json, 'AWS::IAM::Role').filter(([id]) => id.startsWith('MemberRole'));
  const roleArn = `arn:aws:iam::${MEMBER}:role/fargate-gate-member-${REGION}`;
  const trust = resolved(json, role.Properties.AssumeRolePolicyDocument);

  /** AssumeRole of the member role by `principal`, whose own account lets it assume any role (only the trust policy decides). */
  async function assume(principal: string): Promise<string> {
    const result = await runSimulation(
      {
        // AWS sets aws:PrincipalArn to the caller's ARN on every request; the simulator takes it from the context.
        request: { principal, action: 'sts:AssumeRole', resource: { resource: roleArn, accountId: MEMBER }, contextVariables: { 'aws:PrincipalArn': principal } },
        identityPolicies: [{ name: 'any', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } }],
        resourcePolicy: trust,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType !== 'single') throw new Error(JSON.stringify(result));
    return result.overallResult;
  }

  it.each([
    ['the central gate function role', GATE_ROLE],
    ['the central hook function role', HOOK_ROLE],
    ['the central scan role (CodeBuild), which pulls member images', SCAN_ROLE],
  ])('may be assumed by %s', async (_name, principal) => {
    expect(await assume(principal)).toBe('Allowed');
  });

  it.each([
    ['another role of the central account', `arn:aws:iam::${CENTRAL}:role/Admin`],
    ['a user of the central account', `arn:aws:iam::${CENTRAL}:user/alice`],
    ['a role of the member account itself', `arn:aws:iam::${MEMBER}:role/Admin`],
    ['a role with the gate role\'s name in another account', `arn:aws:iam::999988887777:role/Gate-GateFunctionServiceRole-abc`],
  ])('may not be assumed by %s', async (_name, principal) => {
    expect(await assume(principal)).not.toBe('Allowed');
  });

  /** The member role's own policies, resolved with the ClusterNamePattern parameter. */
  function memberPolicies(clusters: string) {
    return resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .map(([id, p]) => ({ name: id, policy: resolved(json, p.Properties.PolicyDocument, { clusters }) }));
  }

  async function call(action: string, resource: string, cluster: string | undefined, clusters: string): Promise<string> {
    const result = await runSimulation(
      {
        request: { principal: roleArn, action, resource: { resource, accountId: resource.split(':')[4] || MEMBER }, contextVariables: cluster ? { 'ecs:cluster': cluster } : {} },
        identityPolicies: memberPolicies(clusters),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(JSON.stringify(result));
    return result.overallResult;
  }

  const ecs = (type: string, rest: string, account = MEMBER, region = REGION) => `arn:aws:ecs:${region}:${account}:${type}/${rest}`;
  const clusterArn = (name: string, account = MEMBER, region = REGION) => ecs('cluster', name, account, region);
  const ACTIONS: [string, string, (cluster: string) => string][] = [
    ['ecs:StopTask', 'task', (c) => `${c}/0123456789abcdef0123456789abcdef`],
    ['ecs:DescribeTasks', 'task', (c) => `${c}/0123456789abcdef0123456789abcdef`],
    ['ecs:UpdateService', 'service', (c) => `${c}/api`],
    ['ecs:DescribeServices', 'service', (c) => `${c}/api`],
    ['ecs:StopServiceDeployment', 'service-deployment', (c) => `${c}/api/dep1`],
    ['ecs:ContinueServiceDeployment', 'service-deployment', (c) => `${c}/api/dep1`],
    ['ecs:DescribeServiceRevisions', 'service-revision', (c) => `${c}/api/123`],
  ];

  it.each(ACTIONS)('allows %s in a cluster that matches ClusterNamePattern prod-*', async (action, type, rest) => {
    expect(await call(action, ecs(type, rest('prod-eu')), clusterArn('prod-eu'), 'prod-*')).toBe('Allowed');
  });

  it.each(ACTIONS)('refuses %s in a cluster out of scope, in another account and in another region', async (action, type, rest) => {
    expect(await call(action, ecs(type, rest('staging')), clusterArn('staging'), 'prod-*')).not.toBe('Allowed');
    expect(await call(action, ecs(type, rest('prod-eu'), CENTRAL), clusterArn('prod-eu', CENTRAL), 'prod-*')).not.toBe('Allowed');
    expect(await call(action, ecs(type, rest('prod-eu'), MEMBER, 'us-east-1'), clusterArn('prod-eu', MEMBER, 'us-east-1'), 'prod-*')).not.toBe('Allowed');
  });

  it('allows a cluster-wide ListTasks (resource "*") only with ecs:cluster naming a cluster in scope of this account and region', async () => {
    expect(await call('ecs:ListTasks', '*', clusterArn('prod-eu'), 'prod-*')).toBe('Allowed');
    expect(await call('ecs:ListTasks', '*', clusterArn('staging'), 'prod-*')).not.toBe('Allowed');
    expect(await call('ecs:ListTasks', '*', clusterArn('prod-eu', CENTRAL), 'prod-*')).not.toBe('Allowed');
    expect(await call('ecs:ListTasks', '*', clusterArn('prod-eu', MEMBER, 'us-east-1'), 'prod-*')).not.toBe('Allowed');
    expect(await call('ecs:ListTasks', '*', undefined, '*')).not.toBe('Allowed');
    expect(await call('ecs:ListClusters', '*', undefined, '*')).not.toBe('Allowed');
  });

  it('refuses what the gate never does there: RunTask, RegisterTaskDefinition, pushing or deleting images, reading S3', async () => {
    expect(await call('ecs:RunTask', ecs('task-definition', 'api:1'), clusterArn('prod-eu'), '*')).not.toBe('Allowed');
    expect(await call('ecs:RegisterTaskDefinition', '*', undefined, '*')).not.toBe('Allowed');
    for (const action of ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:BatchDeleteImage', 'ecr:SetRepositoryPolicy']) {
      expect({ action, result: await call(action, `arn:aws:ecr:${REGION}:${MEMBER}:repository/team/api`, undefined, '*') }).not.toEqual({ action, result: 'Allowed' });
    }
    expect(await call('s3:GetObject', 'arn:aws:s3:::bucket/key', undefined, '*')).not.toBe('Allowed');
  });

  it.each(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'])(
    'lets the central scan pull (%s) from any repository of this account and region, whatever RepositoryNamePattern says, and nowhere else',
    async (action) => {
      expect(await call(action, `arn:aws:ecr:${REGION}:${MEMBER}:repository/team/api`, undefined, '*')).toBe('Allowed');
      expect(await call(action, `arn:aws:ecr:${REGION}:${MEMBER}:repository/other-team/worker`, undefined, '*')).toBe('Allowed');
      expect(await call(action, `arn:aws:ecr:${REGION}:${CENTRAL}:repository/team/api`, undefined, '*')).not.toBe('Allowed');
      expect(await call(action, `arn:aws:ecr:us-east-1:${MEMBER}:repository/team/api`, undefined, '*')).not.toBe('Allowed');
      expect(await call(action, `arn:aws:ecr:${REGION}:999988887777:repository/team/api`, undefined, '*')).not.toBe('Allowed');
    },
  );

  it('lets the central scan get the registry token (no resource-level permission)', async () => {
    expect(await call('ecr:GetAuthorizationToken', '*', undefined, '*')).toBe('Allowed');
  });

  it('resolves ECR tags in the member account and region only', async () => {
    expect(await call('ecr:DescribeImages', `arn:aws:ecr:${REGION}:${MEMBER}:repository/team/api`, undefined, '*')).toBe('Allowed');
    expect(await call('ecr:DescribeImages', `arn:aws:ecr:${REGION}:${CENTRAL}:repository/team/api`, undefined, '*')).not.toBe('Allowed');
    expect(await call('ecr:DescribeImages', `arn:aws:ecr:us-east-1:${MEMBER}:repository/team/api`, undefined, '*')).not.toBe('Allowed');
  });
});
