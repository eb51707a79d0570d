import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../infra/app';
import { FargateGateMemberStack } from '../../infra/member-stack';
import { memberRoleArn } from '../../infra/organisation';
import { templateSchemaProblems } from '../support/cfn-schema';
import { synthGate } from '../support/gate-stack';
import { policyProblems } from '../support/iam-catalogue';
import { resolveTemplateValue, rolePolicies, templatePolicies } from '../support/template-iam';

/** The central side of an organisation deployment: the organisation bus, its rules, and the member-role grant. */

const ORG = 'o-a1b2c3d4e5';
type Resource = { Type: string; Properties: Record<string, any> };

describe('the central stack with an organisation id', () => {
  const { template, stack } = synthGate({ organizationId: ORG });
  const json = template.toJSON();
  const resources = Object.entries(json.Resources as Record<string, Resource>);

  it('gets an event bus that admits PutEvents from accounts of the organisation only', () => {
    const policies = resources.filter(([, r]) => r.Type === 'AWS::Events::EventBusPolicy');
    expect(policies).toHaveLength(1);
    const statement = resolveTemplateValue(template, policies[0][1].Properties.Statement);
    expect(statement).toEqual({
      Sid: 'cdk-PutEventsFromTheOrganisationOnly',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Resource: expect.stringMatching(/^arn:aws:events:us-west-2:111122223333:event-bus\//),
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    });
  });

  it('listens on that bus with the gate\'s own patterns, for the gate function', () => {
    const busId = resources.find(([, r]) => r.Type === 'AWS::Events::EventBus')![0];
    const onBus = resources.filter(([, r]) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.EventBusName ?? '').includes(busId));
    const detailTypes = onBus.map(([, r]) => r.Properties.EventPattern['detail-type'][0]).sort();
    // Tasks starting and stopped (two rules), PAUSE hooks, RunTask calls, pushes and Inspector findings: what the members forward.
    expect(detailTypes).toEqual(['AWS API Call via CloudTrail', 'ECR Image Action', 'ECS Hook State Change', 'ECS Task State Change', 'ECS Task State Change', 'Inspector2 Finding']);
    const gateFunctionId = resources.find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('GateGateFunction'))![0];
    for (const [, rule] of onBus) expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [gateFunctionId, 'Arn'] } })]);
  });

  it.each(['GateGateFunctionRole', 'GateHookFunctionRole', 'GateReconcileFunctionRole'])('lets %s assume the member role in accounts of the organisation only', (role) => {
    const statements = rolePolicies(template, role).policies.flatMap((p) => p.policy.Statement);
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('sts:'))).toEqual([
      {
        Sid: 'AssumeTheMemberRoleInTheOrganisation',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: memberRoleArn('aws', '*', '*'),
        Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
      },
    ]);
  });

  it('tells the functions the organisation and their own account, so calls elsewhere go through the member role', () => {
    const functions = resources.filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && /^Gate(Gate|Hook)Function/.test(id));
    expect(functions).toHaveLength(2);
    for (const [, fn] of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({ GATE_ORGANIZATION_ID: ORG, GATE_ACCOUNT_ID: '111122223333' });
    }
  });

  it('passes the cross-account repositories its own roles read to the functions only with an organisation, so their tags resolve without a member role', () => {
    const SHARED = 'arn:aws:ecr:us-west-2:777788889999:repository/shared/*';
    const withGrant = synthGate({ organizationId: ORG, crossAccountRepositoryArns: [SHARED] }).template.toJSON();
    const withoutOrg = synthGate({ crossAccountRepositoryArns: [SHARED] }).template.toJSON();
    const variables = (t: Record<string, any>) =>
      Object.entries(t.Resources as Record<string, Resource>)
        .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && /^Gate(Gate|Hook)Function/.test(id))
        .map(([, fn]) => fn.Properties.Environment.Variables.GATE_CENTRAL_REPOSITORY_ARNS);
    expect(variables(withGrant)).toEqual([SHARED, SHARED]);
    expect(variables(withoutOrg)).toEqual([undefined, undefined]);
    expect(variables(json)).toEqual([undefined, undefined]);
  });

  it('outputs what the member StackSet needs as parameters', () => {
    expect(Object.keys(json.Outputs)).toEqual(expect.arrayContaining(['OrganisationBusArn', 'MemberTrustedRoleArns']));
    const trusted = resolveTemplateValue(template, json.Outputs.MemberTrustedRoleArns.Value) as string;
    // The reconciliation reads member clusters through the member role too, and the scan role pulls member images with it.
    expect(trusted.split(',')).toEqual([
      expect.stringMatching(/role\/fg-gategatefunctionrole/),
      expect.stringMatching(/role\/fg-gatehookfunctionrole/),
      expect.stringMatching(/role\/fg-gatereconcilefunctionrole/),
      expect.stringMatching(/role\/fg-gatescanrole/),
    ]);
  });

  it('passes the IAM catalogue, schema and cdk-nag tiers', async () => {
    const problems: string[] = [];
    for (const policy of templatePolicies(template)) {
      problems.push(...(await policyProblems(policy.document, { checkResources: policy.kind === 'identity' })).map((p) => `${policy.where}: ${p}`));
    }
    expect(problems).toEqual([]);
    expect(templateSchemaProblems(json)).toEqual([]);
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });

  it('has no organisation bus, rule or grant without an organisation id', () => {
    const plain = synthGate({}).template.toJSON();
    const text = JSON.stringify(plain);
    expect(text).not.toContain('AssumeTheMemberRoleInTheOrganisation');
    expect(text).not.toContain('aws:PrincipalOrgID');
    expect(Object.values(plain.Resources as Record<string, Resource>).filter((r) => r.Type === 'AWS::Events::EventBus')).toEqual([]);
  });

  it('refuses an organisation id that is not one', () => {
    expect(() => synthGate({ organizationId: 'org-1' })).toThrow(/organizationId is not an AWS Organizations id/);
  });
});

describe('the cdk.json app with fargate-gate:organization-id', () => {
  it('synthesizes the central stack and the environment-agnostic member stack, both through cdk-nag', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'fargate-gate:organization-id': ORG } });
    const { stack, memberStack } = buildApp(app);
    expect(memberStack).toBeInstanceOf(FargateGateMemberStack);
    expect(memberStack!.stackName).toBe('FargateGateMember');
    expect(memberStack!.environment).toBe('aws://unknown-account/unknown-region');
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([stack.stackName, 'FargateGateMember'].sort());
  });

  it('synthesizes the central stack only without it', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(buildApp(app).memberStack).toBeUndefined();
    expect(app.synth().stacks).toHaveLength(1);
  });
});
