import { verdictFreshness } from '../../../functions/core/gate/freshness';

const now = new Date('2026-01-05T12:00:00Z');
const seconds = (iso: string) => Date.parse(iso) / 1000;

describe('verdictFreshness', () => {
  it('is fresh before its TTL and within maxScanAge', () => {
    expect(verdictFreshness({ scannedAt: '2026-01-05T11:00:00Z', expiresAt: seconds('2026-01-06T00:00:00Z') }, now, 2 * 3_600_000)).toBe('fresh');
  });

  it('is expired at its TTL, even if DynamoDB has not deleted it yet', () => {
    expect(verdictFreshness({ scannedAt: '2026-01-05T11:00:00Z', expiresAt: seconds('2026-01-05T12:00:00Z') }, now, undefined)).toBe('expired');
  });

  it('is stale past maxScanAge', () => {
    expect(verdictFreshness({ scannedAt: '2026-01-05T09:59:59Z', expiresAt: seconds('2026-02-01T00:00:00Z') }, now, 2 * 3_600_000)).toBe('stale');
  });

  it('is stale when its scan time cannot be read and an age limit applies', () => {
    expect(verdictFreshness({ scannedAt: 'yesterday', expiresAt: seconds('2026-02-01T00:00:00Z') }, now, 3_600_000)).toBe('stale');
    expect(verdictFreshness({ scannedAt: 'yesterday', expiresAt: seconds('2026-02-01T00:00:00Z') }, now, undefined)).toBe('fresh');
  });
});
