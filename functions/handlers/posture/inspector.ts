import { parseInspectorFinding } from '../../core/events/inspector-finding';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';
import { startRejudgement, type RejudgeSettings } from './rejudge';

/** A verdict younger than this is not re-judged again for an Inspector finding (a burst of findings is one scan). */
export const INSPECTOR_MIN_VERDICT_AGE_MS = 60 * 60_000;

export interface InspectorOutcome {
  rejudged: string[];
  /** Named by the finding but not in use: never rescanned. */
  notInUse: string[];
  /** In use, but judged within the last hour or a scan is under way. */
  skipped: string[];
}

/**
 * An Amazon Inspector finding about an image: a digest in use is re-judged now rather than when its verdict comes of
 * age (the gate's own policy and scanner decide; Inspector only says "look again"). A digest not in use is left alone,
 * a resolved finding (`status` other than ACTIVE) changes nothing, and an event the gate cannot read is logged with
 * why and does nothing.
 */
export async function handleInspectorFinding(rt: GateRuntime, event: unknown, settings: RejudgeSettings, log: Logger): Promise<InspectorOutcome> {
  const outcome: InspectorOutcome = { rejudged: [], notInUse: [], skipped: [] };
  const parsed = parseInspectorFinding(event);
  if (parsed.kind === 'unusable') {
    rt.metrics.count('InspectorEventsIgnored');
    log.warn({ reason: parsed.reason }, 'Inspector finding event ignored');
    return outcome;
  }
  if (parsed.status !== undefined && parsed.status !== 'ACTIVE') {
    log.info({ findingArn: parsed.findingArn, status: parsed.status }, 'Inspector finding is not active: nothing to re-judge');
    return outcome;
  }
  const inventory = rt.inventory;
  if (!inventory) return outcome;
  const verdicts = await rt.store.getVerdicts(parsed.digests, rt.policy.hash);
  for (const digest of parsed.digests) {
    if ((await inventory.listUsesOfDigest(digest)).length === 0) {
      outcome.notInUse.push(digest);
      continue;
    }
    const verdict = verdicts.get(digest);
    const age = verdict ? rt.clock.now().getTime() - Date.parse(verdict.scannedAt) : Number.POSITIVE_INFINITY;
    if (age < INSPECTOR_MIN_VERDICT_AGE_MS) {
      outcome.skipped.push(digest);
      continue;
    }
    const started = await startRejudgement(rt, digest, verdict, settings, log);
    if (started === 'inFlight') outcome.skipped.push(digest);
    else {
      outcome.rejudged.push(digest);
      rt.metrics.count('Rejudgements', 1, { kind: started, trigger: 'inspector' });
    }
  }
  log.info({ findingArn: parsed.findingArn, title: parsed.title, ...outcome }, 'Inspector finding handled');
  return outcome;
}
