import { planRejudgements, rejudgeBudget, rejudgeMethod } from '../../../functions/core/posture/rejudge';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-01-05T12:00:00Z');
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();

describe('planRejudgements', () => {
  it('takes only verdicts at least the interval old, oldest first', () => {
    const plan = planRejudgements(
      [
        { digest: 'sha256:fresh', scannedAt: at(2) },
        { digest: 'sha256:day', scannedAt: at(25) },
        { digest: 'sha256:week', scannedAt: at(24 * 7) },
        { digest: 'sha256:exact', scannedAt: at(24) },
      ],
      NOW,
      24 * HOUR,
      10,
    );
    expect(plan).toEqual({ now: ['sha256:week', 'sha256:day', 'sha256:exact'], deferred: 0 });
  });

  it('keeps to the budget and defers the rest to later runs', () => {
    const candidates = Array.from({ length: 7 }, (_, i) => ({ digest: `sha256:d${i}`, scannedAt: at(30 + i) }));
    const plan = planRejudgements(candidates, NOW, 24 * HOUR, 3);
    expect(plan.now).toEqual(['sha256:d6', 'sha256:d5', 'sha256:d4']);
    expect(plan.deferred).toBe(4);
  });

  it('counts a verdict without a readable scan time (or none) as the oldest', () => {
    const plan = planRejudgements([{ digest: 'sha256:old', scannedAt: at(48) }, { digest: 'sha256:none' }, { digest: 'sha256:bad', scannedAt: 'yesterday' }], NOW, 24 * HOUR, 2);
    expect(plan.now).toEqual(['sha256:bad', 'sha256:none']);
  });
});

describe('rejudgeMethod', () => {
  const sbomKey = 'reports/sha256/abc/scan-1.cdx.json';
  it('matches the stored SBOM when one was kept and the scanner is unchanged', () => {
    expect(rejudgeMethod({ state: 'done', sbomKey, verdictScannerVersion: '0.70.0' }, '0.70.0')).toEqual({ mode: 'sbom', sbomKey });
    expect(rejudgeMethod({ state: 'done', sbomKey, verdictScannerVersion: 'v0.70.0' }, '0.70.0')).toEqual({ mode: 'sbom', sbomKey });
  });
  it('scans the image without an SBOM', () => {
    expect(rejudgeMethod({ state: 'done' }, '0.70.0')).toEqual({ mode: 'image' });
  });
  it('scans the image when the scanner version changed', () => {
    expect(rejudgeMethod({ state: 'done', sbomKey, verdictScannerVersion: '0.69.3' }, '0.70.0')).toEqual({ mode: 'image' });
  });
  it('scans the image after a failed SBOM re-judgement', () => {
    expect(rejudgeMethod({ state: 'error', mode: 'sbom', sbomKey }, '0.70.0')).toEqual({ mode: 'image' });
  });
});

describe('rejudgeBudget', () => {
  it('is a share of the concurrent builds, at least one', () => {
    expect(rejudgeBudget(1, { sweepMinutes: 1, buildMinutes: 2 })).toBe(1);
    expect(rejudgeBudget(20, { sweepMinutes: 5, buildMinutes: 2 })).toBe(25);
    expect(rejudgeBudget(20, { share: 0.25, sweepMinutes: 2, buildMinutes: 2 })).toBe(5);
  });
});
