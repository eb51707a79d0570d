import { DEFAULT_GATE_CONFIG, resolveConfig } from '../../functions/handlers/config';

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
