import { accountOf } from './account';

/**
 * Whether the gate answers for a cluster. The configured cluster list (the construct's `clusters`, `GATE_CLUSTER_ARNS`)
 * names clusters of the gate's own account and region: empty, every cluster is in scope. In an organisation deployment
 * (`centralAccount` set) a member account's clusters are scoped by its member stack instead (its rules forward events
 * only from clusters matching its ClusterNamePattern, and its role may act only there: infra/member-stack.ts), so the
 * central list does not apply to them; without this, listing the central account's clusters would silently drop
 * every member's events.
 */
export function clusterInScope(clusterArn: string | undefined, clusterArns: readonly string[] | undefined, centralAccount?: string): boolean {
  if (!clusterArns || clusterArns.length === 0) return true;
  if (clusterArn === undefined) return false;
  if (clusterArns.includes(clusterArn)) return true;
  if (centralAccount === undefined) return false;
  const account = accountOf(clusterArn);
  return account !== undefined && account !== centralAccount;
}
