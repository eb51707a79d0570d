import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions) acknowledgments. Each one is attached to the narrowest construct (a role, a queue, a
 * function) and, for IAM wildcards, to the exact finding (`AwsSolutions-IAM5[Resource::<arn>]`) computed from the very
 * statement that grants it, so a new wildcard elsewhere is still reported.
 */

/** A statement together with why its wildcard (if any) cannot be narrowed. */
export interface ReasonedStatement {
  readonly statement: iam.PolicyStatement;
  /** Required when an action or resource contains `*`. */
  readonly wildcardReason?: string;
}

/** Adds the statements to the principal's policy and acknowledges their wildcards with the reason written next to them. */
export function grantWithReasons(grantee: iam.IGrantable & IConstruct, items: readonly ReasonedStatement[]): void {
  for (const { statement, wildcardReason } of items) {
    grantee.grantPrincipal.addToPrincipalPolicy(statement);
    const ids = wildcardFindingIds(Stack.of(grantee), statement);
    if (ids.length === 0) continue;
    if (!wildcardReason) {
      throw new Error(`statement ${statement.sid ?? statement.actions.join(',')} has a wildcard (${ids.join(', ')}) but no reason`);
    }
    // Acknowledged on the role itself (the findings are on its policy), not on the function that uses it.
    const principal = grantee.grantPrincipal;
    const target = Construct.isConstruct(principal) ? principal : grantee;
    Validations.of(target).acknowledge(...ids.map((id) => ({ id, reason: wildcardReason })));
  }
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

/** Acknowledges CDK's own wildcard grants to a CodeBuild project role (default log group, buildspec-created report groups). */
export function acknowledgeCodeBuildDefaults(role: iam.Role): void {
  const stack = Stack.of(role);
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  if (!policy) return;
  const document = stack.resolve(policy.document.toJSON()) as { Statement?: { Resource?: unknown }[] };
  for (const statement of document.Statement ?? []) {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const resource of resources.map(flattenReference)) {
      if (!resource.includes('*')) continue;
      if (resource.includes(':log-group:/aws/codebuild/')) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason:
            'Added by the CDK CodeBuild Project for its default log group /aws/codebuild/<project>; the `:*` covers the log streams CodeBuild creates per build. Builds log to the construct\'s own log group.',
        });
      } else if (resource.includes(':report-group/')) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason:
            'Added by the CDK CodeBuild Project for report groups a buildspec may create, limited to names starting with this project\'s name. The inline-scan buildspec reports to the construct\'s own report group by ARN.',
        });
      }
    }
  }
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
