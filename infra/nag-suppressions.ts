import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions) acknowledgments. Each one is attached to the narrowest construct that has the finding (a
 * policy, a queue, a function). An IAM wildcard is acknowledged finding by finding
 * (`AwsSolutions-IAM5[Resource::<arn>]`, computed from the very statement that grants it) on an `iam.Policy` that holds
 * that one statement and nothing else: a wildcard added later anywhere else, even to the same role, is still reported.
 */

/** A statement together with why its wildcard (if any) cannot be narrowed. */
export interface ReasonedStatement {
  readonly statement: iam.PolicyStatement;
  /** Required when an action or resource contains `*`. */
  readonly wildcardReason?: string;
}

/**
 * Grants the statements to the grantee. A statement without a wildcard goes to the role's default policy; a statement
 * with one goes to a policy of its own (named after its sid), acknowledged there with the reason written next to it.
 * The grantee (a function, a project) depends on those policies, so it never runs before its permissions exist.
 */
export function grantWithReasons(grantee: iam.IGrantable & IConstruct, items: readonly ReasonedStatement[]): void {
  const role = grantee.grantPrincipal;
  if (!isRole(role)) throw new Error(`${grantee.node.path}: grantWithReasons needs a grantee whose principal is an IAM role`);
  for (const { statement, wildcardReason } of items) {
    const ids = wildcardFindingIds(Stack.of(grantee), statement);
    if (ids.length === 0) {
      role.addToPrincipalPolicy(statement);
      continue;
    }
    if (!wildcardReason) {
      throw new Error(`statement ${statement.sid ?? statement.actions.join(',')} has a wildcard (${ids.join(', ')}) but no reason`);
    }
    if (!statement.sid) throw new Error(`statement ${statement.actions.join(',')} has a wildcard but no sid to name its policy`);
    const policy = new iam.Policy(role, statement.sid, { statements: [statement] });
    policy.attachToRole(role);
    Validations.of(policy).acknowledge(...ids.map((id) => ({ id, reason: wildcardReason })));
    if (grantee !== role) grantee.node.addDependency(policy);
  }
}

function isRole(principal: iam.IPrincipal): principal is iam.IRole & IConstruct {
  return Construct.isConstruct(principal) && typeof (principal as Partial<iam.IRole>).attachInlinePolicy === 'function';
}

/** The AwsSolutions-IAM5 finding ids a statement produces, in cdk-nag's notation. */
export function wildcardFindingIds(stack: Stack, statement: iam.PolicyStatement): string[] {
  const actions = statement.actions.filter((action) => action.includes('*')).map((action) => `AwsSolutions-IAM5[Action::${action}]`);
  const resources = statement.resources
    .map((resource) => flattenReference(stack.resolve(resource)))
    .filter((resource) => resource.includes('*'))
    .map((resource) => `AwsSolutions-IAM5[Resource::${resource}]`);
  return [...new Set([...actions, ...resources])];
}

export const REASONS = {
  deadLetterQueue:
    'This queue is itself a dead-letter queue (Lambda on-failure destination or EventBridge target DLQ). A DLQ for it would only move the same failed events again; an alarm fires on its first message and it keeps messages 14 days.',
  codeBuildKms:
    'The scan project produces no build artifacts (NO_ARTIFACTS). What it writes (raw reports, test-report exports, the scanner DB cache) goes to the reports bucket, which enforces SSE and TLS and blocks public access; its logs go to a CloudWatch log group. A customer managed key would protect no artifact.',
  nodeRuntime:
    'Pinned to Node.js 22 on purpose: the functions are bundled for and tested on Node 22 (esbuild target node22), an LTS release supported by Lambda. Moving to nodejs24.x is a deliberate upgrade of the bundle target and the tests together.',
} as const;

/** Acknowledges one finding on one construct. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** cdk-nag's flattening of CloudFormation references (`utils/flatten-cfn-reference`), so ids match its findings. */
export function flattenReference(reference: unknown): string {
  if (reference === undefined) return '';
  if (typeof reference === 'string') return reference.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof reference === 'object' && reference !== null) {
    const node = reference as Record<string, unknown>;
    if (node['Fn::Join']) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (node['Fn::Sub']) return flattenReference(node['Fn::Sub']);
    if (node['Fn::GetAtt']) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
    }
    if (node['Fn::ImportValue']) return flattenReference(node['Fn::ImportValue']);
    if (node.Ref) return `<${flattenReference(node.Ref)}>`;
  }
  return JSON.stringify(reference);
}
