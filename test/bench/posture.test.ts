import { measurePosture } from '../../bench/posture';

describe('bench/posture: re-judgement of what runs on a small seeded fleet', () => {
  it('rescans only digests in use, at most once per digest per interval, and notifies every drift', async () => {
    const figures = await measurePosture({ seed: 'test', days: 3, digestsInUse: 8, digestsNotInUse: 12, driftShare: 0.5, sweepMinutes: 30, buildMinutes: 2, concurrentBuilds: 2, stopEvery: 2 });
    // Some tasks stop mid-run and Inspector then names their digests and retired ones: none of them is scanned again.
    expect(figures.digestsLeftUse).toBeGreaterThan(0);
    expect(figures.inspectorFindingsNotInUse).toBe(2 * figures.digestsLeftUse);
    expect(figures.rescansOfDigestsNotInUse).toBe(0);
    expect(figures.maxRescansPerDigestPerInterval).toBe(1);
    expect(figures.driftsSeeded).toBeGreaterThan(0);
    expect(figures.driftsNotified).toBe(figures.driftsSeeded);
    // Every digest in use is re-judged about once a day, by its SBOM (the scanner did not change).
    expect(figures.imageRescansPerDay).toBe(0);
    expect(figures.sbomRejudgementsPerDay).toBeGreaterThan(8 * 0.5);
    expect(figures.sbomRejudgementsPerDay).toBeLessThanOrEqual(8);
    // New data is seen within one rescan interval plus a sweep and a build.
    expect(figures.newDataToNotificationMaxS).toBeLessThanOrEqual(24 * 3600 + 30 * 60 + 2 * 60);
  });
});
