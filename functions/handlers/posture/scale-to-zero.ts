import { clusterNames, serviceNames } from '../../core/policy/glob';
import { resolveDriftSettings } from '../../core/policy/drift';
import type { LoadedPolicy } from '../../core/policy/input';
import type { Policy } from '../../core/policy/schema';
import type { ServiceTaskRef } from '../../core/ports';
import type { EvaluationResult } from '../../core/result/model';
import { accountOf } from '../../core/organisation/account';

/**
 * Whether the gate may scale a failing service to zero. Always, when something other than drift fails it (a new
 * deployment of a bad image). When every denial is drift (an image that passed turned failing on new vulnerability
 * data), only where the policy's drift scope says `scaleServicesToZero: true`: a service is never scaled to zero
 * because a CVE was published unless the policy says so in words.
 */
export function mayScaleToZero(policy: LoadedPolicy<Policy>, result: EvaluationResult, ref: Pick<ServiceTaskRef, 'cluster' | 'service'>): boolean {
  const denials = result.violations.filter((violation) => violation.action === 'deny');
  const driftOnly = denials.length > 0 && denials.every((violation) => violation.details?.drift === true);
  if (!driftOnly) return true;
  const repositories = result.subject.images.flatMap((image) => (image.repository ? [image.repository] : []));
  const account = accountOf(ref.cluster);
  return resolveDriftSettings(policy, { cluster: clusterNames(ref.cluster), service: serviceNames(ref.service), repositories, account: account ? [account] : [] }).scaleServicesToZero;
}
