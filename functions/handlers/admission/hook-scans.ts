import type { StoredVerdict } from '../../core/ports';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';
import { errorMayBeRetried, isReusable, noteRouting, rescan, routedScanRecord, startScan, verdictFromFinishedScan, type ImageFacts } from '../scans/scan-records';

/*
 * The lifecycle hook's scan path: a digest of the revision with no fresh verdict. Kept apart from lifecycle-hook.ts and
 * imported (`import()`) only when a revision needs it, so the hook function's cold start, where a revision's digests
 * normally have verdicts (scanned on push), does not load the scan records, the scanner port's code or what they import.
 */

/**
 * Where a key without a usable verdict stands, for this hook: a verdict, a scan error, or still scanning. `stored`
 * is the verdict read for it, if any: when it comes from the scan this hook itself waited for, it is the answer
 * however old a short maxScanAge makes it look (a build that queued in CodeBuild would otherwise rescan for ever).
 */
export async function scanForHook(
  rt: GateRuntime,
  key: string,
  pullReference: string,
  scans: Record<string, string>,
  stored: StoredVerdict | undefined,
  log: Logger,
  image: ImageFacts,
): Promise<{ verdict: StoredVerdict } | { scanError: string } | { pending: true }> {
  // Read before claiming: claimScan re-claims the error record read, which would scan again on every call back.
  const existing = await rt.store.getScan(key);
  if (existing?.state === 'queued' || existing?.state === 'running') {
    scans[key] = existing.scanId;
    return { pending: true };
  }
  if (existing?.state === 'done') {
    const own = scans[key] === existing.scanId;
    // A done scan stored its verdict before it was marked done, so the stored one is its own (or newer).
    const verdict = own ? (stored ?? (await verdictFromFinishedScan(rt, existing, log))) : isReusable(rt, existing) ? await verdictFromFinishedScan(rt, existing, log) : undefined;
    if (verdict) return { verdict };
    const outcome = await rescan(rt, existing, log, pullReference, { mode: 'image' }, image);
    scans[key] = 'scanId' in outcome ? outcome.scanId : existing.scanId;
    return { pending: true };
  }
  // A failed scan is the answer when it is this hook's own, or recent enough that another launch's error stands.
  if (existing?.state === 'error' && (scans[key] === existing.scanId || !errorMayBeRetried(rt, existing))) {
    return { scanError: existing.error || 'the scan failed' };
  }
  // Replacing an error record carries its failures over, so the hook backs off as a task would (scans.ts ensureScan).
  // On the project its image's size sends it to (scan-records.ts routedScanRecord).
  const { record, routing } = await routedScanRecord(rt, key, pullReference, existing, image, log);
  if (await rt.store.claimScan(record, existing)) {
    noteRouting(rt, record, routing, log);
    const outcome = await startScan(rt, record, 'queued', log);
    if (outcome.state === 'error') return { scanError: outcome.record.error || 'the scan could not be requested' };
    scans[key] = record.scanId;
    return { pending: true };
  }
  const now = await rt.store.getScan(key);
  if (now) scans[key] = now.scanId;
  return { pending: true };
}
