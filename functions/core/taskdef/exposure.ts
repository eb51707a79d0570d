import type { ExposureFact } from '../policy/input';
import type { LaunchFacts } from '../policy/rules/hardening/types';

/**
 * Whether a load balancer fronts the task: `none` for a task RunTask started (API_RunTask has no load balancer
 * parameter) or a service revision with no `loadBalancers`; `some` for a revision that has them. The gate does not
 * read a load balancer's scheme (that would be two Elastic Load Balancing calls per judgement), so `some` cannot
 * say "internal".
 */
export type LoadBalancing = 'none' | 'some';

/**
 * The task's exposure, where its launch facts decide it: a public IP makes it public; no public IP and no load
 * balancer make it internal. Anything else is not known (a task event never says whether the task has a public IP;
 * a revision behind a load balancer may be internet-facing), and the policy's `exposure.unknownAs` decides, as for
 * the CLI without `--exposure`. Never a guess: undefined when the facts do not settle it.
 */
export function exposureFromLaunch(launch: LaunchFacts | undefined, loadBalancing: LoadBalancing | undefined): ExposureFact | undefined {
  const publicIp = launch?.publicIp;
  if (!publicIp) return undefined;
  if (publicIp.value) return { value: 'public', source: `a public IP is assigned (${publicIp.source})` };
  if (loadBalancing === 'none') return { value: 'internal', source: `no public IP (${publicIp.source}) and no load balancer` };
  return undefined;
}
