import type { ExposureFact } from '../policy/input';
import type { ServiceNetwork } from './drift-ports';
import type { TaskUse } from './ports';

/** DescribeServices describes at most 10 services per call (API_DescribeServices `services`). */
export const SERVICES_PER_LOOKUP = 10;

/** DescribeServices calls at most, per finding change announced: ten calls name up to 100 services. */
export const MAX_EXPOSURE_LOOKUPS = 10;

export const EXPOSURE_SOURCE = {
  publicIp: 'DescribeServices networkConfiguration.awsvpcConfiguration.assignPublicIp ENABLED',
  loadBalancers: 'DescribeServices loadBalancers',
  internal: 'DescribeServices: no load balancer, assignPublicIp DISABLED',
} as const;

/**
 * A service's exposure from its DescribeServices answer: a public IP, or any load balancer, makes it `public`; an awsvpc
 * configuration without a public IP and no load balancer makes it `internal`; no awsvpc configuration settles nothing.
 * A load balancer counts as public because the gate does not read its scheme (two Elastic Load Balancing calls) and
 * the policy judges an unsettled exposure as its `exposure.unknownAs`, public by default: the event never says
 * "internal" of a task an internet-facing load balancer may reach.
 */
export function exposureOfService(network: ServiceNetwork): ExposureFact | undefined {
  if (network.awsvpc && network.assignPublicIp === 'ENABLED') return { value: 'public', source: EXPOSURE_SOURCE.publicIp };
  if (network.loadBalancers > 0) return { value: 'public', source: EXPOSURE_SOURCE.loadBalancers };
  if (network.awsvpc && (network.assignPublicIp === undefined || network.assignPublicIp === 'DISABLED')) return { value: 'internal', source: EXPOSURE_SOURCE.internal };
  return undefined;
}

/** One DescribeServices call: a cluster and at most `SERVICES_PER_LOOKUP` of its services. */
export interface ServiceLookup {
  cluster: string;
  services: string[];
}

/** How lookups and answers name one service: `<cluster ARN>/<service>`. */
export const serviceKey = (cluster: string, service: string) => `${cluster}/${service}`;

/**
 * The calls that settle the unknown exposure of service tasks among the uses: their distinct (cluster, service), in
 * batches of `SERVICES_PER_LOOKUP` per cluster, at most `maxLookups` calls (`left` counts the services beyond them).
 * Standalone tasks are not looked up (their public IP is on the task's network interface: ec2:DescribeNetworkInterfaces,
 * which the gate does not call), nor uses whose exposure is already known.
 */
export function serviceLookups(uses: readonly TaskUse[], maxLookups = MAX_EXPOSURE_LOOKUPS): { lookups: ServiceLookup[]; left: number } {
  const byCluster = new Map<string, Set<string>>();
  for (const use of uses) {
    if (use.exposure || !use.service) continue;
    byCluster.set(use.cluster, (byCluster.get(use.cluster) ?? new Set()).add(use.service));
  }
  const lookups: ServiceLookup[] = [];
  let left = 0;
  for (const cluster of [...byCluster.keys()].sort()) {
    const services = [...(byCluster.get(cluster) ?? [])].sort();
    for (let start = 0; start < services.length; start += SERVICES_PER_LOOKUP) {
      const batch = services.slice(start, start + SERVICES_PER_LOOKUP);
      if (lookups.length < maxLookups) lookups.push({ cluster, services: batch });
      else left += batch.length;
    }
  }
  return { lookups, left };
}

/** The uses with the exposure the lookups found for their service; uses already known, or not found, are unchanged. */
export function withServiceExposure(uses: readonly TaskUse[], found: ReadonlyMap<string, ExposureFact>): TaskUse[] {
  return uses.map((use) => {
    if (use.exposure || !use.service) return use;
    const exposure = found.get(serviceKey(use.cluster, use.service));
    return exposure ? { ...use, exposure } : use;
  });
}

/** Keys the answers of one lookup as `withServiceExposure` reads them: only services the lookup asked about. */
export function exposuresFound(lookup: ServiceLookup, networks: readonly ServiceNetwork[]): Map<string, ExposureFact> {
  const asked = new Set(lookup.services);
  const found = new Map<string, ExposureFact>();
  for (const network of networks) {
    if (!asked.has(network.service)) continue;
    const exposure = exposureOfService(network);
    if (exposure) found.set(serviceKey(lookup.cluster, network.service), exposure);
  }
  return found;
}
