import { expiryMs } from '../policy/compile';
import type { LoadedPolicy } from '../policy/input';
import type { Policy } from '../policy/schema';

export interface ExpiringException {
  id: string;
  owner: string;
  reason: string;
  expiresAt: string;
  /** Whole days left, rounded down (0: expires within a day). */
  daysLeft: number;
}

/**
 * The policy's exceptions that still apply but stop applying within `windowMs` of `now`, soonest first: what their
 * owners must renew or fix before the findings they suppress start failing tasks. Expired ones are not listed (every
 * result reports those already).
 */
export function exceptionsExpiringWithin(policy: LoadedPolicy<Policy>, now: Date, windowMs: number): ExpiringException[] {
  const nowMs = now.getTime();
  return (policy.document.exceptions ?? [])
    .flatMap((exception) => {
      const ends = expiryMs(exception.expiresAt);
      if (Number.isNaN(ends) || ends <= nowMs || ends > nowMs + windowMs) return [];
      return [{ id: exception.id, owner: exception.owner, reason: exception.reason, expiresAt: exception.expiresAt, daysLeft: Math.floor((ends - nowMs) / 86_400_000), ends }];
    })
    .sort((a, b) => a.ends - b.ends || a.id.localeCompare(b.id))
    .map(({ ends: _ends, ...rest }) => rest);
}
