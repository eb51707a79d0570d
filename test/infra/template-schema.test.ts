import { templateSchemaProblems } from '../support/cfn-schema';
import { synthGate } from '../support/gate-stack';
import { SCOPED_PROPS } from '../support/template-iam';

/**
 * The synthesised template against CloudFormation's resource schemas (@aws-cdk/aws-service-spec): what CloudFormation
 * would refuse at deploy (an unknown property, a wrong type, a missing required property) fails here instead, including
 * what the construct writes past CDK's typed API (addPropertyOverride, raw Cfn properties).
 */

describe.each<[string, Parameters<typeof synthGate>]>([
  ['the default context', [{}]],
  ['everything scoped, notifications by e-mail', [SCOPED_PROPS]],
  ['no hook, no prescan, no CloudTrail hint, an ARM scanner', [{ lifecycleHook: false, prescanOnPush: false, runTaskHints: false, scanCompute: { architecture: 'arm64' } }]],
  ['Lambda scan compute', [{ scanCompute: { mode: 'lambda' } }]],
  ['the managed DB mirror', [{ scanner: { managedDatabaseMirror: true } }]],
  ['Lambda scan compute on ARM with the managed DB mirror and e-mail notifications', [{ scanCompute: { mode: 'lambda', architecture: 'arm64' }, scanner: { managedDatabaseMirror: true }, notifications: { email: 'ops@example.com' } }]],
  ['the managed DB mirror in an environment-agnostic stack', [{ scanner: { managedDatabaseMirror: true } }, { env: 'agnostic' }]],
  ['an environment-agnostic stack with an existing topic', [{}, { env: 'agnostic', notificationTopicArn: 'arn:aws:sns:us-west-2:111122223333:alerts' }]],
])('the template with %s', (_name, args) => {
  it('matches CloudFormation\'s resource schemas', () => {
    const template = synthGate(...args).template.toJSON();
    expect(Object.keys(template.Resources).length).toBeGreaterThan(20);
    expect(templateSchemaProblems(template)).toEqual([]);
  });
});

describe('the schema validator itself', () => {
  const bucket = (properties: Record<string, unknown>) => ({ Resources: { B: { Type: 'AWS::S3::Bucket', Properties: properties } } });

  it('accepts a valid resource, with intrinsics standing for any type', () => {
    expect(templateSchemaProblems(bucket({ VersioningConfiguration: { Status: 'Enabled' }, BucketName: { Ref: 'Name' }, LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 30 }] } }))).toEqual([]);
  });

  it('reports an unknown property, top-level and nested', () => {
    expect(templateSchemaProblems(bucket({ Versioning: { Status: 'Enabled' } }))).toEqual([expect.stringMatching(/^B\.Properties\.Versioning: unknown property/)]);
    expect(templateSchemaProblems(bucket({ VersioningConfiguration: { Status: 'Enabled', Mfa: true } }))).toEqual([expect.stringMatching(/^B\.Properties\.VersioningConfiguration\.Mfa: unknown property/)]);
  });

  it('reports a wrong primitive type, and a scalar where a list belongs', () => {
    expect(templateSchemaProblems(bucket({ LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 'thirty' }] } }))).toEqual([
      'B.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays: expected a integer, got string "thirty"',
    ]);
    expect(templateSchemaProblems(bucket({ LifecycleConfiguration: { Rules: { Status: 'Enabled' } } }))).toEqual([expect.stringMatching(/Rules: expected a list, got an object/)]);
    expect(templateSchemaProblems({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: 'yes' } } } })).toEqual([expect.stringMatching(/FifoQueue: expected a boolean, got string "yes"/)]);
  });

  it('reports a missing required property, top-level and nested', () => {
    expect(templateSchemaProblems({ Resources: { T: { Type: 'AWS::DynamoDB::Table', Properties: {} } } })).toEqual([expect.stringMatching(/^T\.Properties\.KeySchema: required property missing/)]);
    expect(templateSchemaProblems(bucket({ VersioningConfiguration: {} }))).toEqual(['B.Properties.VersioningConfiguration.Status: required property missing']);
  });

  it('reports an unknown resource type and an unknown resource attribute', () => {
    expect(templateSchemaProblems({ Resources: { X: { Type: 'AWS::S3::Buckets', Properties: {} } } })).toEqual(['X: AWS::S3::Buckets is not a CloudFormation resource type']);
    expect(templateSchemaProblems({ Resources: { B: { Type: 'AWS::S3::Bucket', Propertes: {} } } })).toEqual(['B.Propertes: not a resource attribute']);
  });
});
