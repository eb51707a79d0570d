import type { Decision } from '../core/result/model';
import type { VerdictEvent } from '../core/ports';
import type { Logger } from './logger';
import type { GateRuntime } from './runtime';

/**
 * Publishes a verdict event at most once per `key`: the enforcement claim comes first, so a retried or duplicated
 * event finds it taken and stays quiet. If publishing fails, the claim is released and the error propagates, so the
 * retry publishes instead of skipping an event that never went out.
 */
export async function notifyOnce(
  rt: GateRuntime,
  claim: { key: string; action: string; decision: Decision },
  build: () => Promise<VerdictEvent> | VerdictEvent,
  log: Logger,
): Promise<boolean> {
  const claimed = await rt.store.claimEnforcement({ ...claim, at: rt.clock.now().toISOString() });
  if (!claimed) {
    log.debug({ key: claim.key }, 'verdict event already sent');
    return false;
  }
  try {
    const event = await build();
    await rt.notifier.publishVerdict(event);
    rt.metrics.count('VerdictEvents', 1, { decision: event.decision });
    return true;
  } catch (error) {
    await releaseClaim(rt, claim.key, log);
    throw error;
  }
}

/**
 * Gives a claim back after the action it guarded failed. If even that fails, the claim is stranded: the retry will
 * not repeat the action, so it is logged and counted (`ClaimsStranded`) for someone to look at.
 */
export async function releaseClaim(rt: GateRuntime, key: string, log: Logger): Promise<void> {
  try {
    await rt.store.releaseEnforcement(key);
  } catch (error) {
    log.error({ key, err: error }, 'could not release the claim of a failed action');
    rt.metrics.count('ClaimsStranded');
  }
}
