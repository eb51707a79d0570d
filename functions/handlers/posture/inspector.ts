import { parseInspectorFinding } from '../../core/events/inspector-finding';
import { expectedScan } from '../../core/ports';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';

/** A verdict younger than this is not re-judged again for an Inspector finding (a burst of findings is one scan). */
export const INSPECTOR_MIN_VERDICT_AGE_MS = 60 * 60_000;

export interface InspectorOutcome {
  /** In use and marked: the posture sweep re-judges them first, within its per-run budget. */
  marked: string[];
  /** Named by the finding but not in use: never rescanned. */
  notInUse: string[];
  /**
   * In use but left alone: judged within the last hour, a scan under way, already marked by an earlier finding, or no
   * scan record to mark (expired: the sweep re-judges it when its verdict comes of age).
   */
  skipped: string[];
}

/**
 * An Amazon Inspector finding about an image: a digest in use is marked for re-judgement (`rejudgeRequestedAt` on its
 * scan record) and the posture sweep starts it ahead of the merely due ones, within the sweep's budget. Starting the
 * scans here would let one CVE in a shared base image (a finding per image) start a build for every digest in use at
 * once and starve launch-time scans. The gate's own policy and scanner decide; Inspector only says "look again". A
 * digest not in use is left alone, a resolved finding (`status` other than ACTIVE) changes nothing, and an event the
 * gate cannot read is logged with why and does nothing.
 */
export async function handleInspectorFinding(rt: GateRuntime, event: unknown, log: Logger): Promise<InspectorOutcome> {
  const outcome: InspectorOutcome = { marked: [], notInUse: [], skipped: [] };
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
  const now = rt.clock.now();
  for (const digest of parsed.digests) {
    if ((await inventory.listUsesOfDigest(digest)).length === 0) {
      outcome.notInUse.push(digest);
      continue;
    }
    const verdict = verdicts.get(digest);
    const scanned = verdict ? Date.parse(verdict.scannedAt) : Number.NEGATIVE_INFINITY;
    if (now.getTime() - scanned < INSPECTOR_MIN_VERDICT_AGE_MS) {
      outcome.skipped.push(digest);
      continue;
    }
    if (await markForRejudgement(rt, digest, scanned, now.toISOString())) {
      outcome.marked.push(digest);
      rt.metrics.count('RejudgementsRequested', 1, { trigger: 'inspector' });
    } else outcome.skipped.push(digest);
  }
  log.info({ findingArn: parsed.findingArn, title: parsed.title, ...outcome }, 'Inspector finding handled');
  return outcome;
}

/**
 * Marks a finished (or failed) scan record as due; false when a scan is under way, there is no record, or a request
 * the current verdict has not answered yet is already there (a second finding adds no work). Conditional on the
 * record's state and scan id, so a scan that starts meanwhile is not marked after it began.
 */
async function markForRejudgement(rt: GateRuntime, digest: string, verdictScannedAt: number, requestedAt: string): Promise<boolean> {
  const record = await rt.store.getScan(digest);
  if (!record || (record.state !== 'done' && record.state !== 'error')) return false;
  const pending = record.rejudgeRequestedAt === undefined ? Number.NaN : Date.parse(record.rejudgeRequestedAt);
  if (!Number.isNaN(pending) && pending > verdictScannedAt) return false;
  return rt.store.updateScan(digest, expectedScan(record), { rejudgeRequestedAt: requestedAt });
}
