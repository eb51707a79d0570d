import { CfnResource, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { FargateGateProps } from '../../infra/fargate-gate';
import { synthGate, type SynthOptions } from '../support/gate-stack';

/** Every AwsSolutions finding (errors and warnings) left after the construct's acknowledgments. */
function findings(props: FargateGateProps, options: SynthOptions = {}): string[] {
  const { stack } = synthGate(props, options);
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`));
}

/** The acknowledgments recorded on the stack's constructs: id -> reason. */
function acknowledgments(props: FargateGateProps): Map<string, string> {
  const { stack } = synthGate(props);
  const found = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) found.set(`${construct.node.path} ${id}`, reason);
    }
  }
  return found;
}

describe('cdk-nag AwsSolutions', () => {
  // Every row has three elements: jest would take a missing third one for a `done` callback and wait for it.
  it.each<[string, FargateGateProps, SynthOptions]>([
    ['the defaults', {}, {}],
    ['e-mail notifications', { notifications: { email: 'ops@example.com' } }, {}],
    ['listed clusters and repositories', { clusters: ['prod', 'batch'], ecrRepositories: ['team-a/*'], crossAccountRepositoryArns: ['arn:aws:ecr:us-west-2:444455556666:repository/base'] }, {}],
    ['an ARM scanner with ECR DB mirrors', { scanCompute: { architecture: 'arm64' }, scanner: { dbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-db:2'] } }, {}],
    ['no hook, no prescan, no CloudTrail hint', { lifecycleHook: false, prescanOnPush: false, runTaskHints: false }, {}],
    ['an environment-agnostic stack', { notifications: { email: 'ops@example.com' } }, { env: 'agnostic' }],
    ['an existing topic', {}, { notificationTopicArn: 'arn:aws:sns:us-west-2:111122223333:alerts' }],
    ['Lambda scan compute', { scanCompute: { mode: 'lambda' } }, {}],
    ['the managed DB mirror', { scanner: { managedDatabaseMirror: true } }, {}],
    ['the KEV catalogue refresh, from a mirror', { kevRefresh: true, kevFeedUrl: 'https://mirror.example.internal/kev.json', notifications: { email: 'ops@example.com' } }, {}],
    ['Lambda scan compute on ARM with the managed DB mirror and e-mail notifications', { scanCompute: { mode: 'lambda', architecture: 'arm64' }, scanner: { managedDatabaseMirror: true }, notifications: { email: 'ops@example.com' } }, {}],
    ['the managed DB mirror in an environment-agnostic stack', { scanner: { managedDatabaseMirror: true } }, { env: 'agnostic' }],
    ['an account\'s own s3:// Trivy release mirror', { scanner: { managedDatabaseMirror: false, downloadBaseUrl: 's3://corp-artifacts/mirrors/trivy' } }, {}],
    ['a customer managed key on the assets bucket', { assetsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, {}],
  ])('has no unacknowledged finding with %s', (_name, props, options) => {
    expect(findings(props, options)).toEqual([]);
  });

  it('reports a wildcard added later to a role that also has acknowledged wildcards', () => {
    const { stack } = synthGate({});
    stack.gate.gateFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: ['*'] }));
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
    expect(report.violations[0].violatingResources.map((r) => r.constructPath)).toEqual(['Gate/Gate/GateFunctionRole/DefaultPolicy/Resource']);
  });

  it('reports a wildcard added later to the scan role', () => {
    const { stack } = synthGate({});
    stack.gate.scanRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    const report = new AwsSolutionsChecks(undefined).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  it('still reports what the construct did not acknowledge', () => {
    const { stack } = synthGate({});
    new s3.Bucket(stack, 'Extra');
    const report = new AwsSolutionsChecks(undefined).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName).sort()).toEqual(['AwsSolutions-S1', 'AwsSolutions-S10']);
  });

  it('acknowledges each finding on its own resource, with a reason of substance', () => {
    const acks = acknowledgments({ notifications: { email: 'ops@example.com' } });
    expect(acks.size).toBeGreaterThan(0);
    const { stack } = synthGate({ notifications: { email: 'ops@example.com' } });
    const constructAt = (path: string) => stack.node.findAll().find((c) => c.node.path === path);
    for (const [where, reason] of acks) {
      // Never the stack or a whole construct (the gate, the mirror, its first refresh): the resource (policy, queue,
      // project, function, state machine) that has the finding, i.e. a CloudFormation resource or its L2 wrapper.
      const construct = constructAt(where.split(' ')[0]);
      expect({ where, isResource: construct instanceof CfnResource || construct?.node.defaultChild instanceof CfnResource }).toEqual({ where, isResource: true });
      expect(reason.length).toBeGreaterThan(80);
    }
    // The managed DB mirror (on by default) and its first refresh are among them.
    expect([...acks.keys()].some((key) => key.startsWith('Gate/Gate/VulnerabilityDbMirror/FirstRefresh/'))).toBe(true);
    // IAM wildcards are acknowledged on the one policy that holds the reasoned statement, never on a role (where they
    // would cover whatever is added to its default policy later).
    const iamAcks = [...acks.keys()].filter((key) => key.includes('AwsSolutions-IAM5'));
    expect(iamAcks.length).toBeGreaterThan(0);
    for (const key of iamAcks) {
      const construct = stack.node.findChild('Gate').node.findAll().find((c) => c.node.path === key.split(' ')[0]);
      expect({ key, isPolicy: construct instanceof iam.Policy }).toEqual({ key, isPolicy: true });
      // The one exception: the default policy aws-cdk-lib's Provider gives its waiter state machine (which this project
      // cannot split) holds two statements, each invoking one framework function and acknowledged by its exact id.
      const waiter = key.includes('/FirstRefresh/Provider/waiter-state-machine/Role/DefaultPolicy ');
      const statements = (construct as iam.Policy).document.toJSON().Statement as { Action: string }[];
      expect({ key, statements: statements.length }).toEqual({ key, statements: waiter ? 2 : 1 });
      if (waiter) expect(statements.map((statement) => statement.Action)).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunction']);
    }
    const ids = [...acks.keys()].map((key) => key.split(' ')[1].replace(/^annotation::/i, ''));
    // IAM wildcards are acknowledged finding by finding, never as a whole rule.
    expect(ids.filter((id) => id.startsWith('AwsSolutions-IAM5')).every((id) => /^AwsSolutions-IAM5\[Resource::.+\]$/.test(id))).toBe(true);
    expect(ids).not.toContain('AwsSolutions-IAM5');
    expect(ids).not.toContain('AwsSolutions-IAM4');
  });
});
