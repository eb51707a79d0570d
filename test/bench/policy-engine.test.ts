import { parseScanReportText } from '../../functions/core/findings';
import { join } from 'node:path';
import { defaultPolicy, generateLargeTrivyReport, growthOf, measureEngineGrowth, median, percentile, roundedRatio } from '../../bench/policy-engine';

describe('generateLargeTrivyReport', () => {
  it('writes a Trivy report the real parser reads back with exactly the findings asked for, of every severity and fix state', () => {
    const text = generateLargeTrivyReport({ findings: 500 });
    expect(generateLargeTrivyReport({ findings: 500 })).toBe(text);
    const report = parseScanReportText(text, 'generated');
    expect(report.vulnerabilities).toHaveLength(500);
    expect(new Set(report.vulnerabilities.map((v) => v.severity))).toEqual(new Set(['critical', 'high', 'medium', 'low', 'unknown']));
    expect(new Set(report.vulnerabilities.map((v) => v.fixState))).toEqual(new Set(['fixed', 'unfixed', 'wont_fix']));
  });
});

describe('median and percentile', () => {
  it('take the middle and the nearest rank', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});

describe('roundedRatio', () => {
  it('divides and rounds to two decimals, NaN without a positive denominator', () => {
    expect(roundedRatio(2, 3)).toBe(0.67);
    expect(roundedRatio(664, 259)).toBe(2.56);
    expect(Number.isNaN(roundedRatio(1, 0))).toBe(true);
    expect(Number.isNaN(roundedRatio(1, Number.NaN))).toBe(true);
  });
});

describe('growthOf', () => {
  it('compares the time per finding at the largest size with that at the smallest, whatever the order given', () => {
    expect(growthOf([{ findings: 100_000, ms: 3000 }, { findings: 1000, ms: 20 }, { findings: 10_000, ms: 250 }])).toBe(1.5);
    expect(growthOf([{ findings: 1000, ms: 10 }, { findings: 100_000, ms: 1000 }])).toBe(1);
  });

  it('needs two sizes', () => {
    expect(() => growthOf([{ findings: 1000, ms: 10 }])).toThrow('growth needs at least two sizes');
  });
});

describe('measureEngineGrowth', () => {
  it("reads the engine's growth against JSON.parse's: their quotient, beside both, with a figure per size", () => {
    const figures = measureEngineGrowth(defaultPolicy(join(__dirname, '../..')), [
      { findings: 200, runs: 1 },
      { findings: 400, runs: 1 },
    ]);
    expect(figures.sizes.map((size) => size.findings)).toEqual([200, 400]);
    // Each figure is rounded from the unrounded quotients, so the quotient of the rounded two is within rounding of it.
    expect(Math.abs(figures.growthVsJsonParse - figures.growth / figures.jsonParseGrowth)).toBeLessThan(0.05 * Math.max(1, figures.growth / figures.jsonParseGrowth));
    expect(figures.growthVsJsonParse).toBeGreaterThan(0);
  });
});
