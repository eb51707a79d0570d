import type { ExposureFact } from '../../core/policy/input';
import type { TaskUse } from '../../core/posture/ports';
import { exposuresFound, serviceLookups, withServiceExposure } from '../../core/posture/service-exposure';
import { describeError } from '../failures';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';

/**
 * The uses with the exposure of their services settled where the inventory left it unknown: one DescribeServices per
 * cluster and 10 services, at most `MAX_EXPOSURE_LOOKUPS` calls, only when a finding opens (never on task events).
 * A failed call leaves those services unknown, logs why and counts `ExposureLookupsFailed`; this never throws, so
 * the finding event goes out either way. Standalone tasks stay as the inventory recorded them.
 */
export async function resolveUseExposure(rt: GateRuntime, uses: TaskUse[], log: Logger): Promise<TaskUse[]> {
  const port = rt.serviceExposure;
  if (!port) return uses;
  const { lookups, left } = serviceLookups(uses);
  if (lookups.length === 0) return uses;
  if (left > 0) log.info({ services: left }, 'exposure of some services not looked up: over the DescribeServices budget of one finding change');
  const found = new Map<string, ExposureFact>();
  for (const lookup of lookups) {
    try {
      const networks = await port.describeServiceNetworks(lookup.cluster, lookup.services);
      for (const [key, exposure] of exposuresFound(lookup, networks)) found.set(key, exposure);
    } catch (error) {
      rt.metrics.count('ExposureLookupsFailed');
      log.warn({ err: error, cluster: lookup.cluster, services: lookup.services, reason: describeError(error).message }, 'DescribeServices failed: the exposure of these services stays unknown in the finding events');
    }
  }
  return withServiceExposure(uses, found);
}
