import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { FargateGateProps } from '../../infra/fargate-gate';
import { SCAN_BUILD_ENV } from '../../functions/adapters/scan-build-env';
import { flattenReference, grantWithReasons, wildcardFindingIds } from '../../infra/nag-suppressions';
import { synthGate, TEST_ENV } from '../support/gate-stack';
import { resolveIntrinsics } from '../support/intrinsics';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Statements of a role's policies (inline and customer managed), with intrinsics resolved in the test account (refs stay `<logicalId>`). */
function roleStatements(template: Template, roleIdPrefix: string): Statement[] {
  const policies = { ...template.findResources('AWS::IAM::Policy'), ...template.findResources('AWS::IAM::ManagedPolicy') };
  const statements: Statement[] = [];
  for (const policy of Object.values(policies)) {
    const roles = ((policy.Properties.Roles ?? []) as { Ref: string }[]).map((r) => r.Ref);
    if (!roles.some((role) => role.startsWith(roleIdPrefix))) continue;
    statements.push(...(policy.Properties.PolicyDocument.Statement as Statement[]));
  }
  if (statements.length === 0) throw new Error(`no policy for role ${roleIdPrefix}`);
  return resolveIntrinsics(statements, { ...TEST_ENV, refs: refsAsPlaceholders(template) }) as Statement[];
}

function refsAsPlaceholders(template: Template): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const id of Object.keys(template.toJSON().Resources)) {
    refs[id] = `<${id}>`;
    refs[`${id}.Arn`] = `<${id}.Arn>`;
  }
  return refs;
}

function statementWith(statements: Statement[], action: string): Statement {
  const found = statements.filter((s) => asList(s.Action).includes(action));
  if (found.length !== 1) throw new Error(`expected one statement with ${action}, found ${found.length}`);
  return found[0];
}

function gate(props: FargateGateProps = {}) {
  return synthGate({ notifications: { email: 'ops@example.com' }, ...props }).template;
}

const ARN = 'arn:aws:ecs:us-west-2:111122223333';

describe('gate function role', () => {
  it('stops tasks only in every cluster of the account and region when no cluster is listed', () => {
    const stop = statementWith(roleStatements(gate(), 'GateGateFunctionRole'), 'ecs:StopTask');
    expect(asList(stop.Action)).toEqual(['ecs:StopTask']);
    expect(asList(stop.Resource)).toEqual([`${ARN}:task/*`]);
    expect(stop.Condition).toEqual({ ArnLike: { 'ecs:cluster': `${ARN}:cluster/*` } });
  });

  it('stops tasks only in the listed clusters, by resource and by ecs:cluster', () => {
    const statements = roleStatements(gate({ clusters: ['prod', `${ARN}:cluster/batch`] }), 'GateGateFunctionRole');
    const stop = statementWith(statements, 'ecs:StopTask');
    expect(asList(stop.Resource)).toEqual([`${ARN}:task/prod/*`, `${ARN}:task/batch/*`]);
    expect(stop.Condition).toEqual({ ArnEquals: { 'ecs:cluster': [`${ARN}:cluster/prod`, `${ARN}:cluster/batch`] } });
    const describe = statementWith(statements, 'ecs:DescribeTasks');
    expect(asList(describe.Resource)).toEqual([`${ARN}:task/prod/*`, `${ARN}:task/batch/*`]);
    expect(describe.Condition).toEqual(stop.Condition);
  });

  it('rolls back only services of the clusters in scope', () => {
    const statements = roleStatements(gate({ clusters: ['prod'] }), 'GateGateFunctionRole');
    const condition = { ArnEquals: { 'ecs:cluster': [`${ARN}:cluster/prod`] } };
    const update = statementWith(statements, 'ecs:UpdateService');
    expect(asList(update.Action).sort()).toEqual(['ecs:DescribeServices', 'ecs:ListServiceDeployments', 'ecs:UpdateService']);
    expect(asList(update.Resource)).toEqual([`${ARN}:service/prod/*`]);
    expect(update.Condition).toEqual(condition);
    // ECS authorizes these on the service and on the deployment or revision: both resource types are required.
    const stopDeployment = statementWith(statements, 'ecs:StopServiceDeployment');
    expect(asList(stopDeployment.Action).sort()).toEqual(['ecs:ContinueServiceDeployment', 'ecs:DescribeServiceDeployments', 'ecs:StopServiceDeployment']);
    expect(asList(stopDeployment.Resource)).toEqual([`${ARN}:service/prod/*`, `${ARN}:service-deployment/prod/*`]);
    expect(stopDeployment.Condition).toEqual(condition);
    const revisions = statementWith(statements, 'ecs:DescribeServiceRevisions');
    expect(asList(revisions.Resource)).toEqual([`${ARN}:service/prod/*`, `${ARN}:service-revision/prod/*`]);
    expect(revisions.Condition).toEqual(condition);
  });

  it('uses "*" only where AWS has no resource-level permission', () => {
    const star = roleStatements(gate(), 'GateGateFunctionRole').filter((s) => asList(s.Resource).includes('*'));
    expect(star.flatMap((s) => asList(s.Action))).toEqual(['ecs:DescribeTaskDefinition']);
  });

  it('starts and reads builds of the scan project only (and of its EC2 fallback project on Lambda compute)', () => {
    const template = gate();
    // The scan project, not the managed DB mirror's refresh project (on by default), which the gate may not touch.
    const projectId = Object.keys(template.findResources('AWS::CodeBuild::Project')).find((id) => id.startsWith('GateScanProject'));
    const fallbackId = Object.keys(template.findResources('AWS::CodeBuild::Project')).find((id) => id.startsWith('GateEc2FallbackScanProject'));
    const statements = roleStatements(template, 'GateGateFunctionRole');
    const start = statementWith(statements, 'codebuild:StartBuild');
    expect(asList(start.Action)).toEqual(['codebuild:StartBuild']);
    expect(asList(start.Resource)).toEqual([`<${projectId}.Arn>`, `<${fallbackId}.Arn>`]);
    const read = statementWith(statements, 'codebuild:BatchGetBuilds');
    expect(asList(read.Action)).toEqual(['codebuild:BatchGetBuilds']);
    expect(asList(read.Resource)).toEqual([`<${projectId}.Arn>`, `<${fallbackId}.Arn>`]);

    const ec2 = gate({ scanCompute: { mode: 'ec2' } });
    const ec2ProjectId = Object.keys(ec2.findResources('AWS::CodeBuild::Project')).find((id) => id.startsWith('GateScanProject'));
    expect(asList(statementWith(roleStatements(ec2, 'GateGateFunctionRole'), 'codebuild:StartBuild').Resource)).toEqual([`<${ec2ProjectId}.Arn>`]);
  });

  it('starts builds that override only the variables the CodeBuild adapter passes, and neither the buildspec nor anything else', () => {
    // One customer managed policy, attached to both roles: its condition would fill their inline-policy quota.
    const template = gate();
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(managed.map((policy) => (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref.replace(/[0-9A-F]{8}$/, '')).sort())).toEqual([['GateGateFunctionRole', 'GateHookFunctionRole']]);
    for (const role of ['GateGateFunctionRole', 'GateHookFunctionRole']) {
      const start = statementWith(roleStatements(template, role), 'codebuild:StartBuild');
      const conditions = start.Condition!;
      expect(Object.keys(conditions).sort()).toEqual(['ForAllValues:StringEquals', 'Null']);
      // SCAN_MODE and SBOM_KEY: the SBOM re-judgement of a digest in use (the buildspec validates both).
      expect(conditions['ForAllValues:StringEquals']).toEqual({ 'codebuild:environment.environmentVariables.name': ['IMAGE_REF', 'IMAGE_DIGEST', 'REPORT_KEY', 'SCAN_ID', 'SCAN_MODE', 'SBOM_KEY'] });
      expect(Object.values(SCAN_BUILD_ENV).sort()).toEqual(['IMAGE_DIGEST', 'IMAGE_REF', 'REPORT_KEY', 'SBOM_KEY', 'SCAN_ID', 'SCAN_MODE']);
      const absent = conditions.Null as Record<string, string>;
      for (const key of ['codebuild:source.buildspec', 'codebuild:source.location', 'codebuild:environment.image', 'codebuild:environment.privilegedMode', 'codebuild:serviceRole', 'codebuild:artifacts', 'codebuild:cache', 'codebuild:logsConfig', 'codebuild:secondarySources']) {
        expect({ key, value: absent[key] }).toEqual({ key, value: 'true' });
      }
    }
  });

  it('uses exactly the store operations on the table and its index', () => {
    const template = gate();
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const table = statementWith(roleStatements(template, 'GateGateFunctionRole'), 'dynamodb:Query');
    expect(asList(table.Action).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(asList(table.Resource)).toEqual([`<${tableId}.Arn>`, `<${tableId}.Arn>/index/gsi1`]);
  });

  it('reads raw reports under the report prefix only', () => {
    const template = gate();
    const bucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('GateReports'));
    const read = statementWith(roleStatements(template, 'GateGateFunctionRole'), 's3:GetObject');
    expect(asList(read.Resource)).toEqual([`<${bucketId}.Arn>/reports/*`]);
  });

  it('may list the report prefix only, so a missing report is a 404 (report missing), not a 403 (error)', () => {
    const template = gate();
    const bucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('GateReports'));
    for (const role of ['GateGateFunctionRole', 'GateHookFunctionRole']) {
      const list = statementWith(roleStatements(template, role), 's3:ListBucket');
      expect(list).toMatchObject({ Effect: 'Allow', Action: 's3:ListBucket', Resource: `<${bucketId}.Arn>` });
      expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['reports/*'] } });
    }
  });

  it('publishes verdicts to the default bus only, with the gate source only', () => {
    const put = statementWith(roleStatements(gate(), 'GateGateFunctionRole'), 'events:PutEvents');
    expect(asList(put.Resource)).toEqual(['arn:aws:events:us-west-2:111122223333:event-bus/default']);
    // events:source is multivalued (ArrayOfString): a set operator, with the key required to be present.
    expect(put.Condition).toEqual({ 'ForAllValues:StringEquals': { 'events:source': ['fargate-gate'] }, Null: { 'events:source': 'false' } });
  });

  it('resolves tags only in the repositories in scope', () => {
    const describe = statementWith(roleStatements(gate({ ecrRepositories: ['team-a/*'] }), 'GateGateFunctionRole'), 'ecr:DescribeImages');
    expect(asList(describe.Resource)).toEqual(['arn:aws:ecr:us-west-2:111122223333:repository/team-a/*']);
  });
});

describe('hook function role', () => {
  it('reads revisions, task definitions and tags, starts scans, and can neither stop tasks nor change services', () => {
    const actions = roleStatements(gate(), 'GateHookFunctionRole')
      .flatMap((s) => asList(s.Action))
      .filter((a) => !a.startsWith('logs:'))
      .sort();
    expect(actions).toEqual([
      'codebuild:StartBuild',
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'ecr:DescribeImages',
      'ecs:DescribeServiceRevisions',
      'ecs:DescribeTaskDefinition',
      'events:PutEvents',
      's3:GetObject',
      's3:ListBucket',
    ]);
  });

  it('reads revisions with a grant on their service too, in the clusters in scope only', () => {
    const revisions = statementWith(roleStatements(gate({ clusters: ['prod'] }), 'GateHookFunctionRole'), 'ecs:DescribeServiceRevisions');
    expect(asList(revisions.Resource)).toEqual([`${ARN}:service/prod/*`, `${ARN}:service-revision/prod/*`]);
    expect(revisions.Condition).toEqual({ ArnEquals: { 'ecs:cluster': [`${ARN}:cluster/prod`] } });
  });
});

describe('hook invoke role', () => {
  it('is assumable by ECS and may invoke only the hook function', () => {
    const template = gate();
    const roles = template.findResources('AWS::IAM::Role');
    const [roleId, role] = Object.entries(roles).find(([id]) => id.startsWith('GateHookInvokeRole'))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } },
    ]);
    const hookId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('GateHookFunction'));
    const statements = roleStatements(template, roleId);
    expect(statements).toEqual([{ Sid: 'InvokeTheGateHook', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `<${hookId}.Arn>` }]);
  });
});

describe('scan role', () => {
  it('pulls from every repository of the account and region by default, and authenticates with GetAuthorizationToken on "*"', () => {
    // Without the managed DB mirror, whose own pull statement vulnerability-db-mirror.test.ts checks.
    const statements = roleStatements(gate({ scanner: { managedDatabaseMirror: false } }), 'GateScanRole');
    const pull = statementWith(statements, 'ecr:BatchGetImage');
    expect(asList(pull.Action).sort()).toEqual(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    expect(asList(pull.Resource)).toEqual(['arn:aws:ecr:us-west-2:111122223333:repository/*']);
    const token = statementWith(statements, 'ecr:GetAuthorizationToken');
    expect(token.Resource).toBe('*');
  });

  it('pulls only from the listed repositories, cross-account ones and an ECR DB mirror', () => {
    const statements = roleStatements(
      gate({
        ecrRepositories: ['team-a/*', 'shared-base'],
        crossAccountRepositoryArns: ['arn:aws:ecr:us-west-2:444455556666:repository/platform/base'],
        scanner: { dbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-db:2', 'public.ecr.aws/aquasecurity/trivy-db:2'] },
      }),
      'GateScanRole',
    );
    expect(asList(statementWith(statements, 'ecr:BatchGetImage').Resource)).toEqual([
      'arn:aws:ecr:us-west-2:111122223333:repository/team-a/*',
      'arn:aws:ecr:us-west-2:111122223333:repository/shared-base',
      'arn:aws:ecr:us-west-2:444455556666:repository/platform/base',
      'arn:aws:ecr:us-west-2:111122223333:repository/mirrors/trivy-db',
    ]);
  });

  it('writes only under its own prefixes of the reports bucket, and deletes nothing', () => {
    // On EC2 compute, which has the S3 cache of the scanner DB (Lambda compute has none: fargate-gate.test.ts).
    const template = gate({ scanCompute: { mode: 'ec2' } });
    const bucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('GateReports'));
    const statements = roleStatements(template, 'GateScanRole');
    const s3Statements = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('s3:')));
    const writes = s3Statements.filter((s) => asList(s.Action).includes('s3:PutObject')).flatMap((s) => asList(s.Resource));
    expect(writes.sort()).toEqual([`<${bucketId}.Arn>/junit/*`, `<${bucketId}.Arn>/reports/*`, `<${bucketId}.Arn>/trivy-cache/*`]);
    expect(s3Statements.flatMap((s) => asList(s.Action)).filter((a) => /Delete|\*/.test(a))).toEqual([]);
  });

  it('reads exactly the evaluator and policy objects from the asset bucket', () => {
    const read = roleStatements(gate(), 'GateScanRole').find((s) => s.Sid === 'ReadEvaluatorAndPolicy')!;
    const resources = asList(read.Resource) as string[];
    expect(resources).toHaveLength(2);
    for (const resource of resources) expect(resource).toMatch(/^arn:aws:s3:::cdk-hnb659fds-assets-111122223333-us-west-2\/[0-9a-f]{64}\.(zip|cjs|json)$/);
  });

  it('may list the scanner cache prefix only, so a first build without a cache archive gets a 404', () => {
    const template = gate({ scanCompute: { mode: 'ec2' } });
    const bucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('GateReports'));
    const list = statementWith(roleStatements(template, 'GateScanRole'), 's3:ListBucket');
    expect(list).toMatchObject({ Resource: `<${bucketId}.Arn>`, Condition: { StringLike: { 's3:prefix': ['trivy-cache/*'] } } });
  });

  it('has none of the CodeBuild project defaults the build does not use', () => {
    const statements = roleStatements(gate(), 'GateScanRole');
    const actions = statements.flatMap((s) => asList(s.Action));
    expect(actions).not.toContain('codebuild:CreateReportGroup');
    expect(actions).not.toContain('codebuild:BatchPutCodeCoverages');
    expect(actions).not.toContain('logs:CreateLogGroup');
    expect(JSON.stringify(statements)).not.toContain('/aws/codebuild/');
    expect(JSON.stringify(statements)).not.toMatch(/report-group\/[^"]*\*/);
  });

  it('has no Session Manager permission, so no debug session of a scan build can be opened (StartBuild cannot refuse debugSessionEnabled)', () => {
    // "Debug builds with Session Manager" (https://docs.aws.amazon.com/codebuild/latest/userguide/session-manager.html):
    // the project's service role needs ssmmessages:* for a session into the build container.
    const actions = roleStatements(gate(), 'GateScanRole').flatMap((s) => asList(s.Action));
    expect(actions.length).toBeGreaterThan(5);
    expect(actions.filter((action) => /^(ssm|ssmmessages):/i.test(action))).toEqual([]);
  });

  it('writes logs to the build\'s own log group only (the scan project\'s, and its EC2 fallback\'s)', () => {
    const template = gate();
    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup')).find((id) => id.startsWith('GateScanLogs'));
    const fallbackLogGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup')).find((id) => id.startsWith('GateEc2FallbackScanLogs'));
    const logs = roleStatements(template, 'GateScanRole').filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs).toEqual([{ Sid: 'WriteBuildLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`<${logGroupId}.Arn>`, `<${fallbackLogGroupId}.Arn>`] }]);
  });

  it('decrypts the CDK assets through S3 when the assets bucket has a customer managed key, and not otherwise', () => {
    const key = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const decrypt = statementWith(roleStatements(gate({ assetsKeyArn: key }), 'GateScanRole'), 'kms:Decrypt');
    expect(decrypt).toMatchObject({ Resource: key, Condition: { StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } } });
    expect(roleStatements(gate(), 'GateScanRole').flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('writes test cases to its own report group only', () => {
    const template = gate();
    const groupId = Object.keys(template.findResources('AWS::CodeBuild::ReportGroup'))[0];
    const reports = roleStatements(template, 'GateScanRole').find((s) => s.Sid === 'WriteTestReports')!;
    expect(asList(reports.Action).sort()).toEqual(['codebuild:BatchPutTestCases', 'codebuild:CreateReport', 'codebuild:UpdateReport']);
    expect(reports.Resource).toBe(`<${groupId}.Arn>`);
  });
});

describe('every role', () => {
  it('has no wildcard action and no "*" resource beyond the four AWS offers no alternative to', () => {
    const template = gate({ clusters: ['prod'] });
    // Inline and customer managed policies alike (StartScanBuilds is a managed policy).
    const policies = { ...template.findResources('AWS::IAM::Policy'), ...template.findResources('AWS::IAM::ManagedPolicy') };
    expect(Object.values(template.findResources('AWS::IAM::ManagedPolicy')).length).toBeGreaterThan(0);
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(statements.flatMap((s) => asList(s.Action)).filter((a) => a.includes('*'))).toEqual([]);
    const star = statements.filter((s) => asList(s.Resource).includes('*')).flatMap((s) => asList(s.Action));
    // cloudwatch:PutMetricData: the managed DB mirror's refresh job (on by default), held to the gate's namespace by a condition.
    // ecs:ListTasks: ECS authorizes a cluster-wide ListTasks on "*" only, held to the clusters in scope by ecs:cluster.
    expect([...new Set(star)].sort()).toEqual(['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken', 'ecs:DescribeTaskDefinition', 'ecs:ListTasks']);
    const listTasks = statements.filter((s) => asList(s.Action).includes('ecs:ListTasks'));
    expect(listTasks.map((s) => Object.keys(s.Condition ?? {}))).toEqual([['ArnEquals']]);
    const metrics = statements.filter((s) => asList(s.Action).includes('cloudwatch:PutMetricData'));
    expect(metrics.map((s) => s.Condition)).toEqual([{ StringEquals: { 'cloudwatch:namespace': 'FargateGate' } }]);
    expect(Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) => r.Properties.ManagedPolicyArns ?? [])).toEqual([]);
  });
});

describe('wildcard acknowledgments', () => {
  it('computes the cdk-nag finding ids of a statement', () => {
    const stack = new Stack(new App(), 'S', { env: TEST_ENV });
    const statement = new iam.PolicyStatement({ actions: ['s3:Get*', 'sqs:SendMessage'], resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' }), 'arn:aws:s3:::exact'] });
    expect(wildcardFindingIds(stack, statement)).toEqual(['AwsSolutions-IAM5[Action::s3:Get*]', 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:us-west-2:111122223333:task/*]']);
  });

  it('puts each reasoned wildcard statement in a policy of its own and the rest in the default policy', () => {
    const stack = new Stack(new App(), 'S', { env: TEST_ENV });
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grantWithReasons(role, [
      { statement: new iam.PolicyStatement({ sid: 'Exact', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/key'] }) },
      { statement: new iam.PolicyStatement({ sid: 'Prefix', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/p/*'] }), wildcardReason: 'keys are chosen at run time' },
    ]);
    const template = Template.fromStack(stack);
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).map(([id, p]) => [id, p.Properties.PolicyDocument.Statement.map((x: Statement) => x.Sid)]);
    expect(policies).toEqual([
      [expect.stringMatching(/^RDefaultPolicy/), ['Exact']],
      [expect.stringMatching(/^RPrefix/), ['Prefix']],
    ]);
  });

  it('refuses a reasoned wildcard statement without a sid to name its policy', () => {
    const stack = new Stack(new App(), 'S', { env: TEST_ENV });
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => grantWithReasons(role, [{ statement: new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }), wildcardReason: 'why' }])).toThrow(/no sid/);
  });

  it('refuses a wildcard statement without a reason', () => {
    const stack = new Stack(new App(), 'S', { env: TEST_ENV });
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => grantWithReasons(role, [{ statement: new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }) }])).toThrow(/wildcard .* but no reason/);
    expect(() => grantWithReasons(role, [{ statement: new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/key'] }) }])).not.toThrow();
  });

  it('flattens references the way cdk-nag does', () => {
    expect(flattenReference({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] })).toBe('arn:<AWS::Partition>:s3:::<Bucket.Arn>/*');
    expect(flattenReference('${Token}/x')).toBe('<Token>/x');
  });
});
