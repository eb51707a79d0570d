import type { ImageReference } from '../../core/image/reference';
import { accountRegionKey, accountRegionOf, type AccountRegion } from '../../core/organisation/account';
import { MemberRoleError } from '../../core/organisation/errors';
import type { EcsPort, MetricsPort, RegistryPort, TaskDefinitionPort } from '../../core/ports';

/**
 * The organisation deployment's ECS, task-definition and registry ports: each call goes to the account and region the
 * resource it names belongs to (every ECS argument the gate passes is an ARN, and ECR references name their registry),
 * with the central gate's own clients at home and the member role's elsewhere (docs/organisation.md). A call that
 * cannot be placed, or whose account the gate does not serve, or whose member role refuses, fails with a
 * `MemberRoleError` that is counted per account (`MemberRoleErrors`, dimensions Account and Reason): it is never sent
 * to another account instead.
 */

export interface AccountPorts {
  ecs: EcsPort;
  taskDefinitions: TaskDefinitionPort;
  registry: RegistryPort;
}

export interface AccountRoutingOptions {
  /** The gate's own account and region, and the ports acting there with the gate's own role. */
  central: { account: string; region: string; partition?: string; ports: AccountPorts };
  /** Ports acting in a member account and region with the member role; built once per account and region. */
  member: (where: AccountRegion) => AccountPorts;
  /**
   * Whether the gate serves an account. Undefined on AWS, where IAM decides: the gate's grant is held to the
   * organisation (aws:ResourceOrgID) and the member role trusts the gate's roles only, so an outside account refuses.
   */
  isMember?: (account: string) => boolean;
  /**
   * ECR repositories of other accounts the gate's own role may read (the construct's `crossAccountRepositoryArns`:
   * ARNs, a `*` matching any characters as in IAM): their tags are resolved with the central ports, never through a
   * member role a shared registry account usually has not got.
   */
  centralRepositoryArns?: readonly string[];
  metrics: MetricsPort;
}

export const MEMBER_ROLE_ERROR_METRIC = 'MemberRoleErrors';
/** The part of `MemberRoleErrors` answered from a remembered refusal, without STS (MemberCredentials' negative cache). */
export const MEMBER_ROLE_CACHED_REFUSAL_METRIC = 'MemberRoleRefusalsCached';

/** What `accountRouter` needs: like AccountRoutingOptions, for any kind of per-account port set `P`. */
export interface AccountRouterOptions<P> {
  central: { account: string; region: string; ports: P };
  member: (where: AccountRegion) => P;
  isMember?: (account: string) => boolean;
  metrics: MetricsPort;
}

/** Runs a call with the ports of the account and region a resource ARN (or an explicit location) names. */
export type AccountRouter<P> = <T>(target: string | AccountRegion, call: (ports: P) => Promise<T>) => Promise<T>;

/**
 * The routing every organisation port shares: the central ports at home, one set of member ports per account and region
 * (built on first use), refusal of an account outside the organisation or an argument that is not a regional ARN, and
 * each member-role problem counted for its account before it is passed on. Never another account instead.
 */
export function accountRouter<P>(options: AccountRouterOptions<P>): AccountRouter<P> {
  const members = new Map<string, P>();
  const { central } = options;

  const portsAt = (where: AccountRegion): P => {
    if (where.account === central.account && where.region === central.region) return central.ports;
    if (options.isMember && where.account !== central.account && !options.isMember(where.account)) {
      throw new MemberRoleError(where.account, where.region, 'outside', `account ${where.account} is not in the organisation the gate serves: nothing is done there`);
    }
    const key = accountRegionKey(where);
    let ports = members.get(key);
    if (!ports) {
      ports = options.member(where);
      members.set(key, ports);
    }
    return ports;
  };

  const portsFor = (arn: string): P => {
    const where = accountRegionOf(arn);
    if (!where) throw new MemberRoleError('unknown', 'unknown', 'unplaced', `${JSON.stringify(arn)} is not a regional ARN: its account cannot be told, so nothing is done`);
    return portsAt(where);
  };

  /** Runs one call in the right account; a member-role problem is counted for that account, then passed on. */
  return async <T>(target: string | AccountRegion, call: (ports: P) => Promise<T>): Promise<T> => {
    try {
      return await call(typeof target === 'string' ? portsFor(target) : portsAt(target));
    } catch (error) {
      if (error instanceof MemberRoleError) {
        options.metrics.count(MEMBER_ROLE_ERROR_METRIC, 1, { Account: error.account, Reason: error.reason });
        if (error.cached) options.metrics.count(MEMBER_ROLE_CACHED_REFUSAL_METRIC, 1, { Account: error.account });
      }
      throw error;
    }
  };
}

export function accountRoutedPorts(options: AccountRoutingOptions): AccountPorts {
  const { central } = options;
  const routed = accountRouter<AccountPorts>(options);
  const centralGrant = (options.centralRepositoryArns ?? []).map(iamWildcard);

  const ecs: EcsPort = {
    describeTasks: (cluster, taskArns) => routed(cluster, (p) => p.ecs.describeTasks(cluster, taskArns)),
    stopTask: (cluster, taskArn, reason) => routed(taskArn, (p) => p.ecs.stopTask(cluster, taskArn, reason)),
    rollbackDeployment: (task, reason) => routed(task.cluster, (p) => p.ecs.rollbackDeployment(task, reason)),
    restoreServiceRevision: (cluster, service, taskDefinitionArn, reason) => routed(cluster, (p) => p.ecs.restoreServiceRevision(cluster, service, taskDefinitionArn, reason)),
    scaleService: (cluster, service, desiredCount) => routed(cluster, (p) => p.ecs.scaleService(cluster, service, desiredCount)),
    describeServiceRevision: (arn) => routed(arn, (p) => p.ecs.describeServiceRevision(arn)),
    describePausedDeployments: (target) =>
      routed('serviceDeploymentArn' in target ? target.serviceDeploymentArn : target.serviceArn, (p) => p.ecs.describePausedDeployments(target)),
    continueServiceDeployment: (arn, hookId, action) => routed(arn, (p) => p.ecs.continueServiceDeployment(arn, hookId, action)),
  };
  const taskDefinitions: TaskDefinitionPort = { get: (arn) => routed(arn, (p) => p.taskDefinitions.get(arn)) };
  /** Which account's registry port answers for a reference: the central one's own, or the member's through its role. */
  const inRegistryAccount = <T>(reference: ImageReference, call: (registry: RegistryPort) => Promise<T>): Promise<T> => {
    const ecr = reference.ecr;
    if (!ecr) return call(central.ports.registry);
    // The central account's repositories in any region (StackSets never deploy a member stack there, and the central
    // role may resolve them: infra/scope.ts), and the repositories the central role is granted in other accounts.
    const repositoryArn = `arn:${central.partition ?? 'aws'}:ecr:${ecr.region}:${ecr.accountId}:repository/${reference.repository}`;
    if (ecr.accountId === central.account || centralGrant.some((granted) => granted.test(repositoryArn))) return call(central.ports.registry);
    return routed({ partition: central.partition ?? 'aws', account: ecr.accountId, region: ecr.region }, (p) => call(p.registry));
  };
  const registry: RegistryPort = {
    // Only ECR tags are resolved (anything else is scanned by reference), in the registry's own account and region.
    resolveDigest: (reference: ImageReference) => inRegistryAccount(reference, (r) => r.resolveDigest(reference)),
    // An image's size, asked the same way (a registry port without the method knows no size).
    imageSize: (reference: ImageReference) => inRegistryAccount(reference, async (r) => (r.imageSize ? r.imageSize(reference) : undefined)),
  };
  return { ecs, taskDefinitions, registry };
}

/** An IAM resource ARN with `*` wildcards (any characters, `/` included) as an anchored regular expression. */
function iamWildcard(arn: string): RegExp {
  return new RegExp(`^${arn.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
