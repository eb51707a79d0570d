import type { Decision } from '../../core/result/model';
import type { VerdictEvent } from '../../core/ports';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';

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
 * `notifyOnce` for an event that follows a decision already made (a scan's outcome, the hook's answer): a failure to
 * publish never changes that decision, and never keeps the gate from acting on it. It is logged and counted
 * (`VerdictEventsLost`, alarm on it); the claim was given back, so whatever judges the same subject again (a
 * retried or duplicated event, the next hook invocation) publishes it then. Returns whether the event went out.
 */
export async function notifyAfterDecision(
  rt: GateRuntime,
  claim: { key: string; action: string; decision: Decision },
  build: () => Promise<VerdictEvent> | VerdictEvent,
  log: Logger,
): Promise<boolean> {
  try {
    return await notifyOnce(rt, claim, build, log);
  } catch (error) {
    rt.metrics.count('VerdictEventsLost');
    log.error({ err: error, key: claim.key, action: claim.action, decision: claim.decision }, 'verdict event could not be published; the decision stands');
    return false;
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
