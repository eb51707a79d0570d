import { Arn, ArnFormat, Aws, CfnRule, Fn, Stack, Token, type ICfnRuleConditionExpression } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { parseImageReference } from '../functions/core/image/reference';
import type { ClusterScope } from './event-patterns';

/**
 * What the gate may act on and read, resolved against the stack's account and region: the clusters it watches and
 * may stop tasks in, and the ECR repositories it may read. Everything here is validated at synth, so a typo fails
 * `cdk synth` instead of producing a rule that never fires or a policy that grants the wrong thing.
 */

export interface Cluster {
  name: string;
  arn: string;
}

export interface GateScope {
  /** `undefined`: every cluster of the account and region. */
  clusters: Cluster[] | undefined;
  clusterPattern: ClusterScope;
  /** ARN patterns of the repositories the scanner pulls from and the gate resolves tags in. */
  repositoryArns: string[];
  /** The part of repositoryArns in other accounts (crossAccountRepositoryArns): an organisation gate resolves their tags itself. */
  crossAccountRepositoryArns?: string[];
  /** Repository names (or `*` patterns) in this account for the push rule; undefined means every repository. */
  pushRepositoryNames: string[] | undefined;
  /** ECR repositories of a private Trivy database mirror: the scanner pulls from them too. */
  mirrorRepositoryArns: string[];
}

export interface ScopeProps {
  clusters?: string[];
  ecrRepositories?: string[];
  crossAccountRepositoryArns?: string[];
  mirrorReferences?: string[];
}

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER_ARN = /^arn:(aws[a-z-]*):ecs:([a-z0-9-]+):(\d{12}):cluster\/([A-Za-z0-9_-]{1,255})$/;
const REPOSITORY_PATTERN = /^(?=.{1,256}$)[a-z0-9*]+(?:[._/-][a-z0-9*]+)*$/;
const REPOSITORY_ARN = /^arn:(aws[a-z-]*):ecr:([a-z0-9-]+):(\d{12}):repository\/((?=.{1,256}$)[a-z0-9*]+(?:[._/-][a-z0-9*]+)*)$/;

export function resolveScope(stack: Stack, props: ScopeProps): GateScope {
  const clusters = props.clusters === undefined ? undefined : resolveClusters(stack, props.clusters);
  const clusterPattern: ClusterScope =
    clusters === undefined
      ? { kind: 'all', clusterArnPrefix: clusterArnOf(stack, '') }
      : { kind: 'listed', clusterArns: clusters.map((cluster) => cluster.arn) };

  const names = props.ecrRepositories === undefined ? undefined : resolveRepositoryNames(props.ecrRepositories);
  const localArns = (names ?? ['*']).map((name) => repositoryArnOf(stack, name));
  const foreignArns = (props.crossAccountRepositoryArns ?? []).map((arn) => {
    if (!REPOSITORY_ARN.test(arn)) throw new Error(`crossAccountRepositoryArns: ${JSON.stringify(arn)} is not an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>)`);
    return arn;
  });

  return {
    clusters,
    clusterPattern,
    repositoryArns: [...localArns, ...foreignArns],
    crossAccountRepositoryArns: foreignArns,
    pushRepositoryNames: names,
    mirrorRepositoryArns: mirrorRepositories(stack, props.mirrorReferences ?? []),
  };
}

function resolveClusters(stack: Stack, entries: string[]): Cluster[] {
  if (entries.length === 0) throw new Error('clusters: give at least one cluster name or ARN, or leave it out for every cluster');
  const seen = new Map<string, Cluster>();
  for (const entry of entries) {
    const cluster = resolveCluster(stack, entry.trim());
    seen.set(cluster.arn, cluster);
  }
  return [...seen.values()];
}

function resolveCluster(stack: Stack, entry: string): Cluster {
  const arnMatch = CLUSTER_ARN.exec(entry);
  if (arnMatch) {
    const [, , region, account, name] = arnMatch;
    // The gate acts with this account's credentials in this region; a cluster elsewhere would never send it an event.
    if (!Token.isUnresolved(stack.region) && region !== stack.region) throw new Error(`clusters: ${entry} is in ${region}, the stack deploys to ${stack.region}`);
    if (!Token.isUnresolved(stack.account) && account !== stack.account) throw new Error(`clusters: ${entry} belongs to account ${account}, the stack deploys to ${stack.account}`);
    return { name, arn: entry };
  }
  if (!CLUSTER_NAME.test(entry)) {
    throw new Error(`clusters: ${JSON.stringify(entry)} is neither a cluster name (letters, digits, - and _) nor a cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)`);
  }
  return { name: entry, arn: clusterArnOf(stack, entry) };
}

function resolveRepositoryNames(entries: string[]): string[] {
  if (entries.length === 0) throw new Error('ecrRepositories: give at least one repository name or pattern, or leave it out for every repository');
  return [
    ...new Set(
      entries.map((entry) => {
        const name = entry.trim();
        if (!REPOSITORY_PATTERN.test(name) || name.includes('**')) {
          throw new Error(`ecrRepositories: ${JSON.stringify(entry)} is not a repository name or pattern such as "team-a/api" or "team-a/*"`);
        }
        return name;
      }),
    ),
  ];
}

/** ECR repositories named by the Trivy DB mirror references (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag]`). */
function mirrorRepositories(stack: Stack, references: string[]): string[] {
  const arns: string[] = [];
  for (const reference of references) {
    const parsed = parseImageReference(reference);
    if (parsed.ecr) {
      arns.push(Arn.format({ partition: stack.partition, service: 'ecr', region: parsed.ecr.region, account: parsed.ecr.accountId, resource: 'repository', resourceName: parsed.repository }));
    }
  }
  return [...new Set(arns)];
}

/**
 * A cluster listed by ARN must be in the account and region the stack deploys to. When the stack is
 * environment-agnostic, synth cannot check that (resolveCluster does when it can): a template rule refuses the deploy
 * instead, before CloudFormation creates anything, rather than deploying a gate whose rule never fires.
 */
export function addClusterEnvironmentRule(scope: Construct, clusters: Cluster[] | undefined): CfnRule | undefined {
  const stack = Stack.of(scope);
  const assertions: { assert: ICfnRuleConditionExpression; assertDescription: string }[] = [];
  const seen = new Set<string>();
  const expect = (pseudo: string, value: string, what: string, arn: string) => {
    const key = `${pseudo}=${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    assertions.push({
      assert: Fn.conditionEquals(pseudo, value),
      assertDescription: `fargate-gate: cluster ${arn} is in ${what} ${value}; deploy the stack there or list the clusters of the ${what} it deploys to`,
    });
  };
  for (const cluster of clusters ?? []) {
    const match = CLUSTER_ARN.exec(cluster.arn);
    if (!match) continue;
    // The region implies the partition, so the partition needs no assertion of its own.
    const [, , region, account] = match;
    if (Token.isUnresolved(stack.region)) expect(Aws.REGION, region, 'region', cluster.arn);
    if (Token.isUnresolved(stack.account)) expect(Aws.ACCOUNT_ID, account, 'account', cluster.arn);
  }
  return assertions.length === 0 ? undefined : new CfnRule(scope, 'ClustersInDeployEnvironment', { assertions });
}

/** A cluster ARN in the stack's account and region; `''` gives the prefix every such cluster ARN starts with. */
export function clusterArnOf(stack: Stack, name: string): string {
  return `${stack.formatArn({ service: 'ecs', resource: 'cluster', arnFormat: ArnFormat.NO_RESOURCE_NAME })}/${name}`;
}

export function repositoryArnOf(stack: Stack, name: string): string {
  return stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** `arn:<partition>:ecs:<region>:<account>:<type>/<cluster>/*` for each cluster in scope, or `<type>/*` for all. */
export function ecsResourceArns(stack: Stack, scope: GateScope, type: 'task' | 'service' | 'service-deployment' | 'service-revision' | 'container-instance'): string[] {
  const names = scope.clusters === undefined ? ['*'] : scope.clusters.map((cluster) => `${cluster.name}/*`);
  return names.map((name) => stack.formatArn({ service: 'ecs', resource: type, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }));
}

/** The `ecs:cluster` condition that holds every ECS action to the clusters in scope. */
export function clusterCondition(stack: Stack, scope: GateScope): Record<string, Record<string, string | string[]>> {
  return scope.clusters === undefined
    ? { ArnLike: { 'ecs:cluster': clusterArnOf(stack, '*') } }
    : { ArnEquals: { 'ecs:cluster': scope.clusters.map((cluster) => cluster.arn) } };
}
