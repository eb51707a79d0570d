import { expiringExceptions, type ExpiringException } from '../../core/posture/expiring-exceptions';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';

/**
 * Reports the policy's exceptions that expire within the window: the `ExceptionsExpiringSoon` metric every run (alarm
 * on it), and one warning log line per exception and expiry (a claim in the gate's table keeps it to one however many
 * sweeps run), naming the exception, its owner and when it ends.
 */
export async function reportExpiringExceptions(rt: GateRuntime, windowDays: number, log: Logger): Promise<ExpiringException[]> {
  const expiring = expiringExceptions(rt.policy, rt.clock.now().getTime(), windowDays);
  rt.metrics.count('ExceptionsExpiringSoon', expiring.length);
  for (const exception of expiring) {
    const key = `exception-expiring#${rt.policy.hash}#${exception.id}#${exception.expiresAt}`;
    try {
      if (!(await rt.store.claimEnforcement({ key, action: 'exceptionExpiring', decision: 'warn', at: rt.clock.now().toISOString() }))) continue;
    } catch (error) {
      log.error({ err: error, exception: exception.id }, 'could not claim the notice of an expiring exception');
      continue;
    }
    log.warn({ exception: exception.id, owner: exception.owner, expiresAt: exception.expiresAt, daysLeft: exception.daysLeft, policy: rt.policy.name }, 'policy exception expires soon: renew it or fix what it suppresses');
  }
  return expiring;
}
