import { DEFAULT_GATE_CONFIG, referenceVerdictLifetimeMinutes, resolveConfig } from '../../functions/handlers/config';

describe('resolveConfig', () => {
  it('fills defaults and ignores undefined settings', () => {
    const config = resolveConfig({ verdictTtlDays: undefined, scanTimeoutMinutes: 45, retryBackoff: { baseMs: 1000, maxMs: 5000 } });
    expect(config).toMatchObject({ verdictTtlDays: 30, scanTimeoutMinutes: 45, reportPrefix: 'reports/', retryBackoff: { baseMs: 1000, maxMs: 5000 } });
  });
});

describe('DEFAULT_GATE_CONFIG', () => {
  it('keeps scan errors short-lived and gives a running scan less time than a queued one', () => {
    expect(DEFAULT_GATE_CONFIG.scanErrorRetryMinutes).toBeLessThan(DEFAULT_GATE_CONFIG.scanTimeoutMinutes);
    expect(DEFAULT_GATE_CONFIG.scanTimeoutMinutes).toBeLessThan(DEFAULT_GATE_CONFIG.queueTimeoutMinutes);
  });
});

describe('referenceVerdictLifetimeMinutes', () => {
  it('outlives the scan deadline plus the sweep interval, so a tag verdict is never expired when it lands', () => {
    // The construct's deadline: 30 min queued + 20 min build + 5 min margin; a sweep every 5 minutes.
    const deployed = resolveConfig({ scanTimeoutMinutes: 55, sweepIntervalMinutes: 5 });
    expect(referenceVerdictLifetimeMinutes(deployed)).toBeGreaterThan(55 + 5);
    expect(referenceVerdictLifetimeMinutes(resolveConfig())).toBeGreaterThan(DEFAULT_GATE_CONFIG.scanTimeoutMinutes + DEFAULT_GATE_CONFIG.sweepIntervalMinutes);
  });

  it('keeps a longer configured TTL as it is', () => {
    expect(referenceVerdictLifetimeMinutes(resolveConfig({ referenceVerdictTtlMinutes: 600 }))).toBe(600);
  });
});
