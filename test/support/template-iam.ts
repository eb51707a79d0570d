import type { Template } from 'aws-cdk-lib/assertions';
import type { FargateGateProps } from '../../infra/fargate-gate';
import { resolveIntrinsics } from './intrinsics';
import { TEST_ENV } from './gate-stack';

/**
 * The IAM policy documents of a synthesised template, with every intrinsic resolved to the concrete name or ARN
 * CloudFormation would give the resource in the test account and region, so they can be checked against AWS's IAM
 * catalogue and run through a policy simulator.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

export interface FoundPolicy {
  /** Where the document is: `<logical id>` or `<logical id>.AssumeRolePolicyDocument`. */
  where: string;
  kind: 'identity' | 'resource' | 'trust';
  document: PolicyDocument;
}

/** Everything scoped: listed clusters (by name and ARN), repositories, a cross-account one, a DB mirror, an assets key. */
export const SCOPED_PROPS: FargateGateProps = {
  clusters: ['prod', 'arn:aws:ecs:us-west-2:111122223333:cluster/batch'],
  ecrRepositories: ['team-a/*', 'shared-base'],
  crossAccountRepositoryArns: ['arn:aws:ecr:us-west-2:444455556666:repository/platform/base'],
  scanner: { dbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-db:2'] },
  assetsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  notifications: { email: 'ops@example.com' },
};

export const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

const { account, region } = TEST_ENV;
const PARTITION = 'aws';

/** A concrete physical name per logical id: lower case, so it is a valid bucket name too. */
const physicalName = (logicalId: string) => `fg-${logicalId.toLowerCase()}`;

/** `Ref` and `Fn::GetAtt` values for every resource of the template, as CloudFormation returns them for each type. */
export function concreteRefs(template: Template): Record<string, string> {
  const refs: Record<string, string> = {};
  const arn = (service: string, resource: string, regional = true) => `arn:${PARTITION}:${service}:${regional ? region : ''}:${regional ? account : ''}:${resource}`;
  for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)) {
    const name = physicalName(id);
    refs[id] = name;
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        refs[`${id}.Arn`] = `arn:${PARTITION}:s3:::${name}`;
        break;
      case 'AWS::DynamoDB::Table':
        refs[`${id}.Arn`] = arn('dynamodb', `table/${name}`);
        break;
      case 'AWS::CodeBuild::Project':
        refs[`${id}.Arn`] = arn('codebuild', `project/${name}`);
        break;
      case 'AWS::CodeBuild::ReportGroup':
        refs[id] = refs[`${id}.Arn`] = arn('codebuild', `report-group/${name}`);
        break;
      case 'AWS::Logs::LogGroup':
        refs[`${id}.Arn`] = arn('logs', `log-group:${name}:*`);
        break;
      case 'AWS::Lambda::Function':
        refs[`${id}.Arn`] = arn('lambda', `function:${name}`);
        break;
      case 'AWS::SQS::Queue':
        refs[id] = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
        refs[`${id}.Arn`] = arn('sqs', name);
        refs[`${id}.QueueName`] = name;
        break;
      case 'AWS::SNS::Topic':
        refs[id] = refs[`${id}.TopicArn`] = arn('sns', name);
        break;
      case 'AWS::IAM::Role':
        refs[`${id}.Arn`] = `arn:${PARTITION}:iam::${account}:role/${name}`;
        break;
      case 'AWS::Events::Rule':
        refs[`${id}.Arn`] = arn('events', `rule/${name}`);
        break;
      case 'AWS::Events::EventBus':
        refs[`${id}.Arn`] = arn('events', `event-bus/${name}`);
        refs[`${id}.Name`] = name;
        break;
      case 'AWS::CloudWatch::Alarm':
        refs[`${id}.Arn`] = arn('cloudwatch', `alarm:${name}`);
        break;
      case 'AWS::StepFunctions::StateMachine':
        // Ref of a state machine is its ARN (AWS::StepFunctions::StateMachine, "Return values").
        refs[id] = refs[`${id}.Arn`] = arn('states', `stateMachine:${name}`);
        break;
      case 'AWS::ECR::Repository':
        refs[`${id}.Arn`] = arn('ecr', `repository/${name}`);
        refs[`${id}.RepositoryUri`] = `${account}.dkr.ecr.${region}.amazonaws.com/${name}`;
        break;
    }
  }
  return refs;
}

/** The template's values with every intrinsic resolved in the test account and region. */
export function resolveTemplateValue<T>(template: Template, value: T): T {
  return resolveIntrinsics(value, { ...TEST_ENV, partition: PARTITION, refs: concreteRefs(template) }) as T;
}

type CfnResource = { Type: string; Properties?: Record<string, unknown> };

/** Every IAM policy document in the template: identity policies, role trust policies and resource policies. */
export function templatePolicies(template: Template): FoundPolicy[] {
  const found: FoundPolicy[] = [];
  for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, CfnResource>)) {
    const props = resource.Properties ?? {};
    const add = (where: string, kind: FoundPolicy['kind'], document: unknown) => found.push({ where, kind, document: resolveTemplateValue(template, document as PolicyDocument) });
    switch (resource.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        add(id, 'identity', props.PolicyDocument);
        break;
      case 'AWS::IAM::Role':
        add(`${id}.AssumeRolePolicyDocument`, 'trust', props.AssumeRolePolicyDocument);
        for (const [index, inline] of asList(props.Policies as { PolicyDocument: unknown }[]).entries()) add(`${id}.Policies[${index}]`, 'identity', inline.PolicyDocument);
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::SQS::QueuePolicy':
        add(id, 'resource', props.PolicyDocument);
        break;
      case 'AWS::Events::EventBusPolicy':
        add(id, 'resource', { Version: '2012-10-17', Statement: [props.Statement] });
        break;
      case 'AWS::Lambda::Permission':
        add(id, 'resource', { Statement: [{ Effect: 'Allow', Action: props.Action, Resource: props.FunctionName, Principal: props.Principal }] });
        break;
    }
  }
  return found;
}

export interface RolePolicies {
  roleArn: string;
  /** Inline policies (AWS::IAM::Policy naming the role). */
  policies: { name: string; policy: PolicyDocument }[];
  /** Customer managed policies of the template attached to the role. */
  managed: { name: string; policy: PolicyDocument }[];
}

/** The identity policy documents attached to the role whose logical id starts with `rolePrefix`, and that role's ARN. */
export function rolePolicies(template: Template, rolePrefix: string): RolePolicies {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const roleIds = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::IAM::Role' && id.startsWith(rolePrefix));
  if (roleIds.length !== 1) throw new Error(`expected one role ${rolePrefix}*, found ${roleIds.length}`);
  const [roleId] = roleIds;
  const found: RolePolicies = { roleArn: concreteRefs(template)[`${roleId}.Arn`], policies: [], managed: [] };
  for (const [id, resource] of Object.entries(resources)) {
    const list = resource.Type === 'AWS::IAM::Policy' ? found.policies : resource.Type === 'AWS::IAM::ManagedPolicy' ? found.managed : undefined;
    if (!list) continue;
    const roles = asList(resource.Properties?.Roles as { Ref: string }[]).map((role) => role.Ref);
    if (roles.includes(roleId)) list.push({ name: id, policy: resolveTemplateValue(template, resource.Properties!.PolicyDocument as PolicyDocument) });
  }
  if (found.policies.length === 0) throw new Error(`role ${roleId} has no policy`);
  if (asList(resources[roleId].Properties?.ManagedPolicyArns as unknown[]).length > 0) throw new Error(`role ${roleId} attaches managed policies by ARN, which this tier does not read`);
  return found;
}

/**
 * A role's inline policies, as IAM counts them against its aggregate quota of 10,240 characters: whitespace is not
 * counted (IAM and AWS STS quotas, "Role inline policy size",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export function inlinePolicySize(policies: { name: string; policy: PolicyDocument }[]): number {
  return policies.reduce((sum, { policy }) => sum + JSON.stringify(policy).replace(/\s/g, '').length, 0);
}
