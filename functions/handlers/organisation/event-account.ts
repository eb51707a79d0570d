import type { GateEvent } from '../../core/events';
import { eventAccountMismatch } from '../../core/organisation/event-account';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';

/** Events refused because what they name belongs to another account than the one they came from, by that account. */
export const EVENT_ACCOUNT_MISMATCH_METRIC = 'EventAccountMismatches';

/**
 * The gate's check that an event comes from the account of the resources it names (core/organisation/event-account.ts),
 * before anything is read or done: a refused event is counted (`EventAccountMismatches`, dimension Account: the
 * account it came from), logged as a warning with both accounts, and returns the reason; undefined lets it through.
 */
export function refuseForeignResources(rt: GateRuntime, event: Exclude<GateEvent, { kind: 'ignored' }>, log: Logger): string | undefined {
  const mismatch = eventAccountMismatch(event, { centralAccount: rt.config.organisationAccount });
  if (!mismatch) return undefined;
  rt.metrics.count(EVENT_ACCOUNT_MISMATCH_METRIC, 1, { Account: mismatch.eventAccount });
  log.warn({ eventAccount: mismatch.eventAccount, resourceAccount: mismatch.resourceAccount, resource: mismatch.resource }, `event refused: ${mismatch.reason}`);
  return `refused: ${mismatch.reason}`;
}
