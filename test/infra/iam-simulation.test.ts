import { CodeBuildClient, StartBuildCommand, type StartBuildCommandInput } from '@aws-sdk/client-codebuild';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { mockClient } from 'aws-sdk-client-mock';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FargateGateMemberStack, MEMBER_PARAMETERS } from '../../infra/member-stack';
import { resolveIntrinsics } from '../support/intrinsics';
import { CodeBuildScanner } from '../../functions/adapters/codebuild';
import { RefreshBuilds } from '../../functions/adapters/codebuild-refresh';
import { GATE_TABLE } from '../../functions/adapters/dynamo-table';
import { VERDICT_EVENT_SOURCE } from '../../functions/adapters/eventbridge';
import type { FargateGateProps } from '../../infra/fargate-gate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTERS_DIR, adapterCalls, callsInSource } from '../support/adapter-calls';
import { synthGate, TEST_ENV } from '../support/gate-stack';
import { concreteRefs, rolePolicies, SCOPED_PROPS, type RolePolicies } from '../support/template-iam';

/**
 * The IAM tier, part two: every AWS call the adapters make (read from their source, test/support/adapter-calls.ts)
 * run through an IAM policy simulator (@cloud-copilot/iam-simulate) against the functions' roles as synthesised:
 * allowed on what is in scope, refused by the role's own policies on what is not (another cluster, account, region,
 * project, repository, table, bucket or prefix, bus, event source, or a StartBuild override). A call added to an
 * adapter without a request below, or without a grant, fails here.
 */

const ACCOUNT = TEST_ENV.account;
const OTHER_ACCOUNT = '444455556666';
const REGION = TEST_ENV.region;

interface Request {
  resource: string;
  context?: Record<string, string | string[]>;
  /** The resource's own policy, when the call crosses into another account (a role's trust policy). */
  resourcePolicy?: unknown;
}

interface Requests {
  /** Requests the role must be allowed; for an action on two resource types, one per type (AWS authorizes each). */
  inScope: Request[];
  /** Requests the role's own policies must refuse, each with why it is out of scope. */
  outOfScope: (Request & { why: string })[];
}

interface Deployment {
  name: string;
  props: FargateGateProps;
  template: Template;
  /** A cluster in scope, and one of this account and region that is out of scope (undefined: every cluster is in scope). */
  cluster: string;
  otherCluster?: string;
  /** A repository in scope, and one of this account that is out of scope. */
  repository: string;
  otherRepository?: string;
}

const ecsArn = (type: string, rest: string, account = ACCOUNT, region = REGION) => `arn:aws:ecs:${region}:${account}:${type}/${rest}`;

/** The member role's trust policy as FargateGateMemberStack synthesises it, with the central gate's role ARNs as parameter. */
function memberTrustPolicy(centralRoleArns: string[]): unknown {
  const member = Template.fromStack(new FargateGateMemberStack(new App(), 'Member')).toJSON();
  const [role] = Object.entries(member.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).filter(([id]) => id.startsWith('MemberRole') && !id.includes('Policy'));
  const centralAccount = JSON.stringify({ 'Fn::Select': [4, { 'Fn::Split': [':', { Ref: MEMBER_PARAMETERS.centralEventBusArn }] }] });
  const document = JSON.parse(JSON.stringify(role[1].Properties.AssumeRolePolicyDocument).split(centralAccount).join(JSON.stringify(ACCOUNT)));
  return resolveIntrinsics(document, { account: OTHER_ACCOUNT, region: REGION, refs: { [MEMBER_PARAMETERS.centralRoleArns]: centralRoleArns as unknown as string } });
}

/** What StartBuild sends, as the CodeBuild adapter builds it (captured from a real call to a mocked client). */
async function capturedStartBuild(projectName: string): Promise<StartBuildCommandInput> {
  const codeBuild = mockClient(CodeBuildClient);
  try {
    codeBuild.on(StartBuildCommand).resolves({ build: { id: `${projectName}:1` } });
    await new CodeBuildScanner({ client: new CodeBuildClient({ region: REGION }), projectName }).startScan({
      scanId: 'scan-1',
      digest: `sha256:${'a'.repeat(64)}`,
      imageReference: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team-a/api@sha256:${'a'.repeat(64)}`,
      reportKey: `reports/sha256/${'a'.repeat(64)}/scan-1.json`,
    });
    const calls = codeBuild.commandCalls(StartBuildCommand);
    if (calls.length !== 1) throw new Error(`expected one StartBuild, got ${calls.length}`);
    return calls[0].args[0].input;
  } finally {
    codeBuild.restore();
  }
}

/**
 * The request context CodeBuild builds for a StartBuild input ("AWS CodeBuild condition keys",
 * https://docs.aws.amazon.com/codebuild/latest/userguide/action-context-keys.html: each key is the request field it is
 * named after). A field this table does not know fails the test, so a new override in the adapter is looked at here.
 */
function startBuildContext(input: StartBuildCommandInput): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  const FLAG_OF_FIELD: Record<string, string> = {
    buildspecOverride: 'codebuild:source.buildspec',
    sourceLocationOverride: 'codebuild:source.location',
    imageOverride: 'codebuild:environment.image',
    privilegedModeOverride: 'codebuild:environment.privilegedMode',
    serviceRoleOverride: 'codebuild:serviceRole',
    artifactsOverride: 'codebuild:artifacts',
    cacheOverride: 'codebuild:cache',
    computeTypeOverride: 'codebuild:environment.computeType',
  };
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined || field === 'projectName' || field === 'idempotencyToken') continue;
    if (field === 'environmentVariablesOverride') {
      const variables = value as { name: string; value: string }[];
      context['codebuild:environment.environmentVariables.name'] = variables.map((variable) => variable.name);
      context['codebuild:environment.environmentVariables.value'] = variables.map((variable) => variable.value);
      continue;
    }
    const key = FLAG_OF_FIELD[field];
    if (!key) throw new Error(`StartBuild field ${field} has no condition key in this test's table`);
    context[key] = typeof value === 'string' ? value : 'true';
  }
  return context;
}

/** In-scope and out-of-scope requests for each action an adapter calls. */
async function requestsFor(action: string, deployment: Deployment): Promise<Requests> {
  const refs = concreteRefs(deployment.template);
  const idOf = (prefix: string) => {
    const ids = Object.keys(deployment.template.toJSON().Resources).filter((id) => id.startsWith(prefix) && !id.includes('Policy') && !id.includes('Logs'));
    if (ids.length !== 1) throw new Error(`expected one resource ${prefix}*, found ${ids.join(', ')}`);
    return ids[0];
  };
  const cluster = (name: string, account = ACCOUNT, region = REGION) => ({ 'ecs:cluster': ecsArn('cluster', name, account, region) });
  const { cluster: c, otherCluster } = deployment;
  const ecs = (types: string[], rest: (type: string) => string): Requests => ({
    inScope: types.map((type) => ({ resource: ecsArn(type, rest(type).replace('{c}', c)), context: cluster(c) })),
    outOfScope: [
      ...types.map((type) => ({ why: `${type} of another account`, resource: ecsArn(type, rest(type).replace('{c}', c), OTHER_ACCOUNT), context: cluster(c, OTHER_ACCOUNT) })),
      ...types.map((type) => ({ why: `${type} of another region`, resource: ecsArn(type, rest(type).replace('{c}', c), ACCOUNT, 'eu-west-1'), context: cluster(c, ACCOUNT, 'eu-west-1') })),
      ...(otherCluster ? types.map((type) => ({ why: `${type} of a cluster out of scope`, resource: ecsArn(type, rest(type).replace('{c}', otherCluster)), context: cluster(otherCluster) })) : []),
    ],
  });
  const projectArn = refs[`${idOf('GateScanProject')}.Arn`];
  const tableArn = refs[`${idOf('GateState')}.Arn`];
  const bucketArn = refs[`${idOf('GateReports')}.Arn`];
  const repository = (name: string, account = ACCOUNT) => `arn:aws:ecr:${REGION}:${account}:repository/${name}`;
  const bus = (name: string, account = ACCOUNT) => `arn:aws:events:${REGION}:${account}:event-bus/${name}`;

  switch (action) {
    case 'ecs:ListTasks':
      // A cluster-wide ListTasks (no container instance named) is authorized on "*" (infra/permissions.ts listTasks, with
      // its sources): only ecs:cluster tells one cluster from another, so out of scope is another cluster, account or region.
      return {
        inScope: [{ resource: '*', context: cluster(c) }],
        outOfScope: [
          { why: 'a cluster of another account', resource: '*', context: cluster(c, OTHER_ACCOUNT) },
          { why: 'a cluster of another region', resource: '*', context: cluster(c, ACCOUNT, 'eu-west-1') },
          { why: 'no cluster named', resource: '*', context: {} },
          ...(otherCluster ? [{ why: 'a cluster out of scope', resource: '*', context: cluster(otherCluster) }] : []),
        ],
      };
    case 'ecs:ListClusters':
      // No resource-level permission: granted only when every cluster is in scope (the reconciliation must find them).
      return { inScope: [{ resource: '*' }], outOfScope: [] };
    case 'ecs:DescribeTasks':
    case 'ecs:StopTask':
      return ecs(['task'], () => '{c}/0123456789abcdef');
    case 'ecs:DescribeServices':
    case 'ecs:UpdateService':
    case 'ecs:ListServiceDeployments':
      return ecs(['service'], () => '{c}/web');
    case 'ecs:DescribeServiceDeployments':
    case 'ecs:StopServiceDeployment':
    case 'ecs:ContinueServiceDeployment':
      return ecs(['service', 'service-deployment'], (type) => (type === 'service' ? '{c}/web' : '{c}/web/d-1'));
    case 'ecs:DescribeServiceRevisions':
      return ecs(['service', 'service-revision'], (type) => (type === 'service' ? '{c}/web' : '{c}/web/1234'));
    case 'ecs:DescribeTaskDefinition':
      // No resource-level permission exists (the catalogue lists no resource type): nothing is out of scope.
      return { inScope: [{ resource: '*' }], outOfScope: [] };
    case 'ecr:DescribeImages':
      return {
        inScope: [{ resource: repository(deployment.repository) }],
        outOfScope: [
          { why: 'a repository of another account', resource: repository(deployment.repository, OTHER_ACCOUNT) },
          ...(deployment.otherRepository ? [{ why: 'a repository out of scope', resource: repository(deployment.otherRepository) }] : []),
        ],
      };
    case 'codebuild:StartBuild': {
      const input = await capturedStartBuild(refs[idOf('GateScanProject')]);
      const context = startBuildContext(input);
      const names = context['codebuild:environment.environmentVariables.name'] as string[];
      const values = context['codebuild:environment.environmentVariables.value'] as string[];
      const withVariable = (name: string, value: string) => ({ ...context, 'codebuild:environment.environmentVariables.name': [...names, name], 'codebuild:environment.environmentVariables.value': [...values, value] });
      return {
        inScope: [{ resource: projectArn, context }],
        outOfScope: [
          { why: 'another project', resource: projectArn.replace(/project\/.*/, 'project/other'), context },
          { why: 'the scan project of another account', resource: projectArn.replace(ACCOUNT, OTHER_ACCOUNT), context },
          { why: 'a buildspec override', resource: projectArn, context: { ...context, ...startBuildContext({ projectName: 'x', buildspecOverride: 'version: 0.2' }) } },
          { why: 'an override of the scanner download URL', resource: projectArn, context: withVariable('GATE_TRIVY_DOWNLOAD_URL', 'https://evil.example') },
          { why: 'an override of the report prefix', resource: projectArn, context: withVariable('GATE_REPORT_PREFIX', 'other/') },
          { why: 'an image override', resource: projectArn, context: { ...context, ...startBuildContext({ projectName: 'x', imageOverride: 'evil/image' }) } },
          { why: 'a service role override', resource: projectArn, context: { ...context, ...startBuildContext({ projectName: 'x', serviceRoleOverride: 'arn:aws:iam::111122223333:role/admin' }) } },
          { why: 'a privileged build', resource: projectArn, context: { ...context, ...startBuildContext({ projectName: 'x', privilegedModeOverride: true }) } },
        ],
      };
    }
    case 'codebuild:BatchGetBuilds':
      return {
        inScope: [{ resource: projectArn }],
        outOfScope: [
          { why: 'another project', resource: projectArn.replace(/project\/.*/, 'project/other') },
          { why: 'another account', resource: projectArn.replace(ACCOUNT, OTHER_ACCOUNT) },
        ],
      };
    case 's3:GetObject':
      return {
        inScope: [
          { resource: `${bucketArn}/reports/sha256/${'a'.repeat(64)}/scan-1.json` },
          ...(deployment.props.kevRefresh ? [{ resource: `${bucketArn}/kev/known_exploited_vulnerabilities.json` }] : []),
        ],
        outOfScope: [
          { why: 'another prefix (test-report exports)', resource: `${bucketArn}/junit/x.xml` },
          { why: 'another prefix (scanner cache)', resource: `${bucketArn}/trivy-cache/db.zip` },
          { why: 'another bucket', resource: 'arn:aws:s3:::another-bucket/reports/x.json' },
        ],
      };
    case 's3:PutObject':
      return {
        inScope: [{ resource: `${bucketArn}/in-use/2026-09-10/in-use.html` }, { resource: `${bucketArn}/in-use/latest/in-use.json` }],
        // The in-use report's writes. The KEV catalogue is the KEV refresh role's alone (its own describe below); the
        // gate and the hook may write neither (refused outright, out-of-scope requests included).
        outOfScope: [
          { why: 'the KEV catalogue', resource: `${bucketArn}/kev/known_exploited_vulnerabilities.json` },
          { why: 'the raw reports the verdicts rest on', resource: `${bucketArn}/reports/sha256/${'a'.repeat(64)}/scan-1.json` },
          { why: 'another prefix (test-report exports)', resource: `${bucketArn}/junit/x.xml` },
          { why: 'another bucket', resource: 'arn:aws:s3:::another-bucket/in-use/latest/in-use.html' },
        ],
      };
    case 'dynamodb:GetItem':
    case 'dynamodb:BatchGetItem':
    case 'dynamodb:PutItem':
    case 'dynamodb:UpdateItem':
    case 'dynamodb:DeleteItem':
    case 'dynamodb:Query': {
      // A write names its partition key (dynamodb:LeadingKeys): here a task's, which the reconciliation may write too.
      const leadingKeys = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].includes(action) ? { context: { 'dynamodb:LeadingKeys': [`task#${ecsArn('task', `${deployment.cluster}/0123456789abcdef`)}`] } } : {};
      const inScope = [{ resource: tableArn, ...leadingKeys }, ...(action === 'dynamodb:Query' ? [{ resource: `${tableArn}/index/${GATE_TABLE.unfinishedScansIndex.name}` }] : [])];
      return {
        inScope,
        outOfScope: [
          { why: 'another table', resource: tableArn.replace(/table\/.*/, 'table/other') },
          { why: 'the table name in another account', resource: tableArn.replace(ACCOUNT, OTHER_ACCOUNT) },
        ],
      };
    }
    case 'events:PutEvents': {
      const own = { 'events:source': [VERDICT_EVENT_SOURCE] };
      return {
        inScope: [{ resource: bus('default'), context: own }],
        outOfScope: [
          { why: 'another bus', resource: bus('other'), context: own },
          { why: 'the default bus of another account', resource: bus('default', OTHER_ACCOUNT), context: own },
          { why: 'another source', resource: bus('default'), context: { 'events:source': ['aws.ecs'] } },
          { why: 'an entry with another source among the gate\'s', resource: bus('default'), context: { 'events:source': [VERDICT_EVENT_SOURCE, 'aws.ecs'] } },
          { why: 'no source', resource: bus('default'), context: {} },
        ],
      };
    }
    case 'sts:AssumeRole': {
      // The member role of an organisation account (docs/organisation.md); aws:ResourceOrgID is the role's organisation.
      const memberRole = (account: string, name = `fargate-gate-member-${REGION}`) => `arn:aws:iam::${account}:role/${name}`;
      const organizationId = deployment.props.organizationId;
      const inOrg = { 'aws:ResourceOrgID': organizationId ?? 'o-a1b2c3d4e5' };
      const refused: (Request & { why: string })[] = [
        { why: 'a role of another organisation', resource: memberRole(OTHER_ACCOUNT), context: { 'aws:ResourceOrgID': 'o-zzzzzzzzzz' } },
        { why: 'another role in an account of the organisation', resource: memberRole(OTHER_ACCOUNT, 'Admin'), context: inOrg },
        { why: 'a role whose organisation is unknown', resource: memberRole(OTHER_ACCOUNT), context: {} },
      ];
      // Without an organisation the gate assumes no role at all.
      if (organizationId === undefined) return { inScope: [], outOfScope: [{ why: 'the member role, with no organisation configured', resource: memberRole(OTHER_ACCOUNT), context: inOrg }, ...refused] };
      // In scope, the member role's own trust policy (as the member stack synthesises it, trusting this template's
      // gate and hook roles) must admit the call too: AssumeRole across accounts needs both sides.
      const trust = memberTrustPolicy(['GateGateFunctionRole', 'GateHookFunctionRole', 'GateReconcileFunctionRole', 'GateScanRole'].map((role) => rolePolicies(deployment.template, role).roleArn));
      return {
        inScope: [
          { resource: memberRole(OTHER_ACCOUNT), context: inOrg, resourcePolicy: trust },
          { resource: memberRole(OTHER_ACCOUNT, 'fargate-gate-member-us-east-1'), context: inOrg, resourcePolicy: trust },
        ],
        outOfScope: refused,
      };
    }
    default:
      throw new Error(`${action}: an adapter calls it, but this test has no in-scope and out-of-scope requests for it; add them to requestsFor`);
  }
}

/**
 * A role that must never make `action`: every request is refused, the in-scope ones (implicitly: nothing grants them)
 * and the out-of-scope ones too, so an action with no in-scope request in this deployment (AssumeRole without an
 * organisation) is still checked.
 */
async function expectRefusedOutright(role: RolePolicies, action: string, inScope: Request[], outOfScope: (Request & { why: string })[]): Promise<void> {
  expect(inScope.length + outOfScope.length).toBeGreaterThan(0);
  for (const request of inScope) expect({ resource: request.resource, identity: (await simulate(role, action, request)).identity }).toEqual({ resource: request.resource, identity: 'ImplicitlyDenied' });
  for (const request of outOfScope) expect({ why: request.why, identity: (await simulate(role, action, request)).identity }).toEqual({ why: request.why, identity: expect.stringMatching(/^(Implicitly|Explicitly)Denied$/) });
}

/** Only the inventory's reconciliation lists tasks and clusters: the gate and the hook never do. */
const RECONCILIATION_ONLY = new Set(['ecs:ListTasks', 'ecs:ListClusters']);

/**
 * What the reconciliation calls (infra/inventory.ts grants no more): every other action is refused to its role. It
 * assumes the member role only in an organisation deployment (requestsFor's sts:AssumeRole has no in-scope request
 * otherwise, and refuses every out-of-scope one).
 */
const RECONCILIATION_CALLS = new Set(['ecs:ListTasks', 'ecs:ListClusters', 'ecs:DescribeTasks', 'ecs:DescribeTaskDefinition', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'sts:AssumeRole']);

/** Calls only the KEV refresh function makes: the gate and the hook are refused them outright. */
const ONLY_KEV_REFRESH_CALLS = new Set(['s3:PutObject']);

/** The hook answers lifecycle hooks only: it reads, scans and records, but never stops, rolls back or polls builds. */

const HOOK_NEVER_CALLS = new Set([
  ...RECONCILIATION_ONLY,
  'ecs:DescribeTasks',
  'ecs:StopTask',
  'ecs:DescribeServices',
  'ecs:UpdateService',
  'ecs:ListServiceDeployments',
  'ecs:DescribeServiceDeployments',
  'ecs:StopServiceDeployment',
  'ecs:ContinueServiceDeployment',
  'codebuild:BatchGetBuilds',
]);

/** Only the scheduled in-use report writes objects; the gate and the hook never do (the scan build writes the raw reports). */
const ONLY_THE_REPORT_CALLS = new Set(['s3:PutObject']);

/** What the in-use report may do: read the table (inventory and verdicts) and write its files; nothing else an adapter calls. */
const REPORT_CALLS = new Set(['s3:PutObject', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']);

async function simulate(role: RolePolicies, action: string, request: Request) {
  const resourceAccount = /^arn:aws:[^:]*:[^:]*:(\d{12}):/.exec(request.resource)?.[1] ?? ACCOUNT;
  const result = await runSimulation(
    {
      // AWS sets aws:PrincipalArn on every request; the member role's trust policy reads it.
      request: {
        principal: role.roleArn,
        action,
        resource: { resource: request.resource, accountId: resourceAccount },
        contextVariables: { ...(request.resourcePolicy ? { 'aws:PrincipalArn': role.roleArn } : {}), ...(request.context ?? {}) },
      },
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
      identityPolicies: [...role.policies, ...role.managed],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  if (result.resultType === 'wildcard') {
    // A request on "*" of an action with resource types (ecs:ListTasks): one simulation per pattern the policies grant;
    // allowed only when every one allows (none: nothing grants it).
    const identities = result.results.map((each) => each.analysis.identityAnalysis?.result);
    const identity = identities.length > 0 && identities.every((each) => each === 'Allowed') ? 'Allowed' : (identities.find((each) => each !== 'Allowed') ?? 'ImplicitlyDenied');
    return { overall: result.overallResult, identity };
  }
  // Out of scope, the role's own policies must refuse: a cross-account call refused only for lack of a resource policy would prove nothing.
  return { overall: result.overallResult, identity: result.result.analysis.identityAnalysis?.result };
}

const DEPLOYMENTS: Omit<Deployment, 'template'>[] = [
  { name: 'the default context', props: {}, cluster: 'any-cluster', repository: 'any/repository' },
  { name: 'clusters and repositories listed', props: SCOPED_PROPS, cluster: 'batch', otherCluster: 'other', repository: 'team-a/api', otherRepository: 'team-b/api' },
  { name: 'the KEV catalogue refresh', props: { kevRefresh: true }, cluster: 'any-cluster', repository: 'any/repository' },
  {
    name: 'clusters and repositories listed, serving an organisation',
    props: { ...SCOPED_PROPS, organizationId: 'o-a1b2c3d4e5' },
    cluster: 'batch',
    otherCluster: 'other',
    repository: 'team-a/api',
    otherRepository: 'team-b/api',
  },
];

describe('the KEV refresh role, simulated', () => {
  let template: Template;
  beforeAll(() => {
    template = synthGate({ kevRefresh: true }).template;
  });
  const bucketOf = (t: Template) => {
    const [id] = Object.keys(t.findResources('AWS::S3::Bucket')).filter((name) => name.startsWith('GateReports'));
    return concreteRefs(t)[`${id}.Arn`];
  };

  it('may write and read only the catalogue key, and list only it', async () => {
    const role = rolePolicies(template, 'GateKevCatalogueRefreshRole');
    const bucket = bucketOf(template);
    const key = `${bucket}/kev/known_exploited_vulnerabilities.json`;
    for (const action of ['s3:PutObject', 's3:GetObject']) {
      expect({ action, ...(await simulate(role, action, { resource: key })) }).toEqual({ action, overall: 'Allowed', identity: 'Allowed' });
      for (const other of [`${bucket}/reports/x.json`, `${bucket}/kev/other.json`, 'arn:aws:s3:::another-bucket/kev/known_exploited_vulnerabilities.json']) {
        expect({ action, other, identity: (await simulate(role, action, { resource: other })).identity }).toEqual({ action, other, identity: expect.stringMatching(/Denied$/) });
      }
    }
    expect((await simulate(role, 's3:ListBucket', { resource: bucket, context: { 's3:prefix': 'kev/known_exploited_vulnerabilities.json' } })).identity).toBe('Allowed');
    expect((await simulate(role, 's3:ListBucket', { resource: bucket, context: { 's3:prefix': 'reports/' } })).identity).toMatch(/Denied$/);
    expect((await simulate(role, 's3:DeleteObject', { resource: key })).identity).toMatch(/Denied$/);
  });
});

describe.each(DEPLOYMENTS)('the adapters\' AWS calls, simulated against the roles synthesised with $name', (spec) => {
  let deployment: Deployment;
  beforeAll(() => {
    deployment = { ...spec, template: synthGate(spec.props).template };
  });
  const calls = adapterCalls();

  it.each(calls.map((call) => [call.action]))('%s: the gate function is allowed in scope and refused out of scope', async (action) => {
    const role = rolePolicies(deployment.template, 'GateGateFunctionRole');
    const { inScope, outOfScope } = await requestsFor(action, deployment);
    if (RECONCILIATION_ONLY.has(action) || ONLY_THE_REPORT_CALLS.has(action) || ONLY_KEV_REFRESH_CALLS.has(action)) {
      await expectRefusedOutright(role, action, inScope, outOfScope);
      return;
    }
    for (const request of inScope) expect({ resource: request.resource, ...(await simulate(role, action, request)) }).toEqual({ resource: request.resource, overall: 'Allowed', identity: 'Allowed' });
    for (const request of outOfScope) expect({ why: request.why, identity: (await simulate(role, action, request)).identity }).toEqual({ why: request.why, identity: expect.stringMatching(/^(Implicitly|Explicitly)Denied$/) });
  });

  it.each(calls.map((call) => [call.action]))('%s: the hook function is allowed in scope and refused out of scope, or refused outright', async (action) => {
    const role = rolePolicies(deployment.template, 'GateHookFunctionRole');
    const { inScope, outOfScope } = await requestsFor(action, deployment);
    if (HOOK_NEVER_CALLS.has(action) || ONLY_THE_REPORT_CALLS.has(action) || ONLY_KEV_REFRESH_CALLS.has(action)) {
      await expectRefusedOutright(role, action, inScope, outOfScope);
      return;
    }
    for (const request of inScope) expect({ resource: request.resource, ...(await simulate(role, action, request)) }).toEqual({ resource: request.resource, overall: 'Allowed', identity: 'Allowed' });
    for (const request of outOfScope) expect({ why: request.why, identity: (await simulate(role, action, request)).identity }).toEqual({ why: request.why, identity: expect.stringMatching(/^(Implicitly|Explicitly)Denied$/) });
  });
  it.each(calls.map((call) => [call.action]))('%s: the in-use report function is allowed in scope and refused out of scope, or refused outright', async (action) => {
    const role = rolePolicies(deployment.template, 'GateInUseReportFunctionRole');
    const { inScope, outOfScope } = await requestsFor(action, deployment);
    if (!REPORT_CALLS.has(action)) {
      await expectRefusedOutright(role, action, inScope, outOfScope);
      return;
    }
    for (const request of inScope) expect({ resource: request.resource, ...(await simulate(role, action, request)) }).toEqual({ resource: request.resource, overall: 'Allowed', identity: 'Allowed' });
    for (const request of outOfScope) expect({ why: request.why, identity: (await simulate(role, action, request)).identity }).toEqual({ why: request.why, identity: expect.stringMatching(/^(Implicitly|Explicitly)Denied$/) });
  });
});

describe.each(DEPLOYMENTS)('the reconciliation\'s AWS calls, simulated against its role synthesised with $name', (spec) => {
  let deployment: Deployment;
  beforeAll(() => {
    deployment = { ...spec, template: synthGate(spec.props).template };
  });
  const calls = adapterCalls();

  it.each(calls.map((call) => [call.action]))('%s: the reconciliation is allowed in scope and refused out of scope, or refused outright', async (action) => {
    const role = rolePolicies(deployment.template, 'GateReconcileFunctionRole');
    const { inScope, outOfScope } = await requestsFor(action, deployment);
    // ListClusters only when every cluster is in scope: with clusters listed the role has no use for it.
    const refused = !RECONCILIATION_CALLS.has(action) || (action === 'ecs:ListClusters' && deployment.otherCluster !== undefined);
    if (refused) {
      await expectRefusedOutright(role, action, inScope, outOfScope);
      return;
    }
    for (const request of inScope) expect({ resource: request.resource, ...(await simulate(role, action, request)) }).toEqual({ resource: request.resource, overall: 'Allowed', identity: 'Allowed' });
    for (const request of outOfScope) expect({ why: request.why, identity: (await simulate(role, action, request)).identity }).toEqual({ why: request.why, identity: expect.stringMatching(/^(Implicitly|Explicitly)Denied$/) });
  });
});

describe('the reconciliation writes only its own partitions of the gate table (dynamodb:LeadingKeys)', () => {
  const template = synthGate(SCOPED_PROPS).template;
  const role = rolePolicies(template, 'GateReconcileFunctionRole');
  const tableArn = concreteRefs(template)[`${Object.keys(template.toJSON().Resources).find((id) => id.startsWith('GateState') && !id.includes('Policy'))}.Arn`];
  const keys = (...values: string[]) => ({ resource: tableArn, context: { 'dynamodb:LeadingKeys': values } });

  it.each(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'])('%s: a task use and the cursor allowed; a digest partition (verdicts, scans), an enforcement claim or no key refused', async (action) => {
    const task = `task#${ecsArn('task', 'prod/0123456789abcdef')}`;
    for (const request of [keys(task), keys('reconcile')]) expect(await simulate(role, action, request)).toMatchObject({ identity: 'Allowed' });
    const refused: [string, Request][] = [
      ['a verdict', keys(`digest#sha256:${'a'.repeat(64)}`)],
      ['an enforcement claim', keys('enforcement#x')],
      ['a task use and an enforcement claim', keys(task, 'enforcement#x')],
      ['no key', { resource: tableArn, context: {} }],
    ];
    for (const [why, request] of refused) expect({ why, identity: (await simulate(role, action, request)).identity }).toEqual({ why, identity: expect.stringMatching(/^(Implicitly|Explicitly)Denied$/) });
  });
});

describe('the simulation tier', () => {
  it('knows every action an adapter calls, and every action it names for the hook is one an adapter calls', async () => {
    const actions = adapterCalls().map((call) => call.action);
    for (const action of HOOK_NEVER_CALLS) expect(actions).toContain(action);
    await expect(requestsFor('ecs:RunTask', { name: 'x', props: {}, template: synthGate({}).template, cluster: 'c', repository: 'r' })).rejects.toThrow(/no in-scope and out-of-scope requests/);
  });
});

/** What StartBuild sends for the first refresh, as its adapter builds it (captured from a real call to a mocked client). */
async function capturedRefreshStart(projectName: string): Promise<StartBuildCommandInput> {
  const codeBuild = mockClient(CodeBuildClient);
  try {
    codeBuild.on(StartBuildCommand).resolves({ build: { id: `${projectName}:1` } });
    await new RefreshBuilds(new CodeBuildClient({ region: REGION })).start(projectName, 'c0ffee00-1111-2222-3333-444455556666');
    return codeBuild.commandCalls(StartBuildCommand)[0].args[0].input;
  } finally {
    codeBuild.restore();
  }
}

describe('the deploy-time first refresh of the managed DB mirror, simulated against its functions\' roles', () => {
  let template: Template;
  let refreshArn: string;
  let scanArn: string;
  beforeAll(() => {
    template = synthGate({ scanner: { managedDatabaseMirror: true } }).template;
    const refs = concreteRefs(template);
    const arnOf = (prefix: string) => refs[`${Object.keys(template.findResources('AWS::CodeBuild::Project')).find((id) => id.startsWith(prefix))}.Arn`];
    refreshArn = arnOf('GateVulnerabilityDbMirrorRefreshProject');
    scanArn = arnOf('GateScanProject');
  });
  const startRole = () => rolePolicies(template, 'GateVulnerabilityDbMirrorFirstRefreshStartRefreshRole');
  const awaitRole = () => rolePolicies(template, 'GateVulnerabilityDbMirrorFirstRefreshAwaitRefreshRole');

  it('calls StartBuild and BatchGetBuilds only (read from the adapter\'s source)', () => {
    const file = join(ADAPTERS_DIR, 'codebuild-refresh.ts');
    expect(callsInSource(file, readFileSync(file, 'utf8')).map((call) => call.action).sort()).toEqual(['codebuild:BatchGetBuilds', 'codebuild:StartBuild']);
  });

  it('onEvent may start the refresh project as its adapter asks, and nothing else', async () => {
    const context = startBuildContext(await capturedRefreshStart('refresh'));
    expect(context).toEqual({});
    expect(await simulate(startRole(), 'codebuild:StartBuild', { resource: refreshArn, context })).toEqual({ overall: 'Allowed', identity: 'Allowed' });
    const refused: (Request & { why: string })[] = [
      { why: 'the scan project', resource: scanArn },
      { why: 'another project', resource: refreshArn.replace(/project\/.*/, 'project/other') },
      { why: 'the refresh project of another account', resource: refreshArn.replace(ACCOUNT, OTHER_ACCOUNT) },
      { why: 'an environment variable override', resource: refreshArn, context: { 'codebuild:environment.environmentVariables.name': ['GATE_MIRROR_DB_SOURCE'], 'codebuild:environment.environmentVariables.value': ['ghcr.io/evil/db:2'] } },
      { why: 'a buildspec override', resource: refreshArn, context: startBuildContext({ projectName: 'x', buildspecOverride: 'version: 0.2' }) },
      { why: 'an image override', resource: refreshArn, context: startBuildContext({ projectName: 'x', imageOverride: 'evil/image' }) },
      { why: 'a service role override', resource: refreshArn, context: startBuildContext({ projectName: 'x', serviceRoleOverride: 'arn:aws:iam::111122223333:role/admin' }) },
    ];
    for (const request of refused) expect({ why: request.why, identity: (await simulate(startRole(), 'codebuild:StartBuild', request)).identity }).toEqual({ why: request.why, identity: expect.stringMatching(/^(Implicitly|Explicitly)Denied$/) });
    expect((await simulate(startRole(), 'codebuild:BatchGetBuilds', { resource: refreshArn })).identity).toBe('ImplicitlyDenied');
  });

  it('isComplete may read builds of the refresh project only, and start nothing', async () => {
    expect(await simulate(awaitRole(), 'codebuild:BatchGetBuilds', { resource: refreshArn })).toEqual({ overall: 'Allowed', identity: 'Allowed' });
    for (const resource of [scanArn, refreshArn.replace(ACCOUNT, OTHER_ACCOUNT)]) expect({ resource, identity: (await simulate(awaitRole(), 'codebuild:BatchGetBuilds', { resource })).identity }).toEqual({ resource, identity: 'ImplicitlyDenied' });
    expect((await simulate(awaitRole(), 'codebuild:StartBuild', { resource: refreshArn })).identity).toBe('ImplicitlyDenied');
  });

  it('the gate and the hook may not start the refresh project', async () => {
    for (const role of ['GateGateFunctionRole', 'GateHookFunctionRole']) {
      expect({ role, identity: (await simulate(rolePolicies(template, role), 'codebuild:StartBuild', { resource: refreshArn })).identity }).toEqual({ role, identity: 'ImplicitlyDenied' });
    }
  });
});

describe("the EC2 fallback of a scan project on Lambda compute, simulated against the gate's and the hook's roles", () => {
  let template: Template;
  let fallbackArn: string;
  let scanArn: string;
  beforeAll(() => {
    template = synthGate({ scanCompute: { mode: 'lambda' } }).template;
    const refs = concreteRefs(template);
    const id = (prefix: string) => Object.keys(template.findResources('AWS::CodeBuild::Project')).find((key) => key.startsWith(prefix)) as string;
    fallbackArn = refs[`${id('GateEc2FallbackScanProject')}.Arn`];
    scanArn = refs[`${id('GateScanProject')}.Arn`];
  });

  /** What StartBuild sends for a retry on EC2, as the CodeBuild adapter builds it (a real call to a mocked client). */
  async function capturedFallbackStart(): Promise<StartBuildCommandInput> {
    const codeBuild = mockClient(CodeBuildClient);
    try {
      codeBuild.on(StartBuildCommand).resolves({ build: { id: 'fallback:1' } });
      await new CodeBuildScanner({ client: new CodeBuildClient({ region: REGION }), projectName: 'scan', fallbackProjectName: 'fallback' }).startScan({
        scanId: 'scan-2',
        digest: `sha256:${'b'.repeat(64)}`,
        imageReference: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team-a/api@sha256:${'b'.repeat(64)}`,
        reportKey: `reports/sha256/${'b'.repeat(64)}/scan-2.json`,
        compute: 'ec2Fallback',
      });
      const [call] = codeBuild.commandCalls(StartBuildCommand);
      expect(call.args[0].input.projectName).toBe('fallback');
      return call.args[0].input;
    } finally {
      codeBuild.restore();
    }
  }

  it('may start the retry as the adapter asks it, and read its builds (the gate, for the sweep)', async () => {
    const context = startBuildContext(await capturedFallbackStart());
    for (const role of ['GateGateFunctionRole', 'GateHookFunctionRole']) {
      expect({ role, ...(await simulate(rolePolicies(template, role), 'codebuild:StartBuild', { resource: fallbackArn, context })) }).toEqual({ role, overall: 'Allowed', identity: 'Allowed' });
    }
    expect((await simulate(rolePolicies(template, 'GateGateFunctionRole'), 'codebuild:BatchGetBuilds', { resource: fallbackArn })).overall).toBe('Allowed');
  });

  it('may not move a build between computes by override, on either project', async () => {
    const context = startBuildContext(await capturedFallbackStart());
    const overrides: [string, Record<string, string | string[]>][] = [
      ['a compute type override', { ...context, 'codebuild:environment.computeType': 'BUILD_GENERAL1_2XLARGE' }],
      ['an environment type override', { ...context, 'codebuild:environment.type': 'LINUX_GPU_CONTAINER' }],
      ['an image override', { ...context, ...startBuildContext({ projectName: 'x', imageOverride: 'evil/image' }) }],
      ['a privileged build', { ...context, ...startBuildContext({ projectName: 'x', privilegedModeOverride: true }) }],
    ];
    for (const resource of [fallbackArn, scanArn]) {
      for (const [why, refused] of overrides) {
        expect({ why, resource, identity: (await simulate(rolePolicies(template, 'GateGateFunctionRole'), 'codebuild:StartBuild', { resource, context: refused })).identity }).toEqual({
          why,
          resource,
          identity: expect.stringMatching(/^(Implicitly|Explicitly)Denied$/),
        });
      }
    }
  });

  it('may not start or read the fallback project of another account', async () => {
    const context = startBuildContext(await capturedFallbackStart());
    const other = fallbackArn.replace(ACCOUNT, OTHER_ACCOUNT);
    expect((await simulate(rolePolicies(template, 'GateGateFunctionRole'), 'codebuild:StartBuild', { resource: other, context })).identity).toMatch(/Denied$/);
    expect((await simulate(rolePolicies(template, 'GateGateFunctionRole'), 'codebuild:BatchGetBuilds', { resource: other })).identity).toMatch(/Denied$/);
  });
});

describe.each(DEPLOYMENTS)('the scan build\'s member-role assumption (buildspecs/inline-scan.yml), simulated against the scan role synthesised with $name', (spec) => {
  let deployment: Deployment;
  beforeAll(() => {
    deployment = { ...spec, template: synthGate(spec.props).template };
  });

  it('may assume the member role in accounts of the organisation only, and none without an organisation', async () => {
    const role = rolePolicies(deployment.template, 'GateScanRole');
    const { inScope, outOfScope } = await requestsFor('sts:AssumeRole', deployment);
    if (spec.props.organizationId === undefined) {
      await expectRefusedOutright(role, 'sts:AssumeRole', inScope, outOfScope);
      return;
    }
    expect(inScope.length).toBeGreaterThan(0);
    for (const request of inScope) expect({ resource: request.resource, ...(await simulate(role, 'sts:AssumeRole', request)) }).toEqual({ resource: request.resource, overall: 'Allowed', identity: 'Allowed' });
    for (const request of outOfScope) expect({ why: request.why, identity: (await simulate(role, 'sts:AssumeRole', request)).identity }).toEqual({ why: request.why, identity: expect.stringMatching(/^(Implicitly|Explicitly)Denied$/) });
  });
});
