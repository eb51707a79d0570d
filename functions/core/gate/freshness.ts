import type { StoredVerdict } from '../ports';

export type Freshness = 'fresh' | 'expired' | 'stale';

/**
 * Whether a stored verdict may still be used. `expired`: past its TTL (DynamoDB deletes expired items only
 * eventually, so a read can still return one). `stale`: the scan is older than the policy's `maxScanAge`, so
 * the image must be scanned again with today's vulnerability data. Either way the verdict counts as unknown.
 */
export function verdictFreshness(verdict: Pick<StoredVerdict, 'expiresAt' | 'scannedAt'>, now: Date, maxScanAgeMs: number | undefined): Freshness {
  if (verdict.expiresAt * 1000 <= now.getTime()) return 'expired';
  if (maxScanAgeMs !== undefined) {
    const scannedAt = Date.parse(verdict.scannedAt);
    if (Number.isNaN(scannedAt) || now.getTime() - scannedAt > maxScanAgeMs) return 'stale';
  }
  return 'fresh';
}
