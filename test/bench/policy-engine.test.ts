import { parseScanReportText } from '../../functions/core/findings';
import { join } from 'node:path';
import { alternatingOrders, defaultPolicy, generateLargeTrivyReport, growthOf, measureEngineGrowth, measurePolicyEngine, median, percentile, resolveGc, roundedRatio, spreadOf } from '../../bench/policy-engine';

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

describe('alternatingOrders', () => {
  it('alternates which step runs first, starting with the bare parse, each order as often', () => {
    expect(alternatingOrders(4)).toEqual(['parseFirst', 'engineFirst', 'parseFirst', 'engineFirst']);
    const orders = alternatingOrders(16);
    expect(orders.filter((order) => order === 'parseFirst')).toHaveLength(8);
    expect(orders.every((order, i) => i === 0 || order !== orders[i - 1])).toBe(true);
  });

  it('refuses a run count that would favour one order', () => {
    expect(() => alternatingOrders(7)).toThrow('runs must be an even number of at least 2 (each order as often), got 7');
    expect(() => alternatingOrders(0)).toThrow(/even number/);
    expect(() => alternatingOrders(2.5)).toThrow(/even number/);
  });
});

describe('spreadOf', () => {
  it('gives the median with the smallest and largest value beside it', () => {
    expect(spreadOf([30, 10, 20, 50])).toEqual({ median: 25, min: 10, max: 50 });
    expect(spreadOf([7])).toEqual({ median: 7, min: 7, max: 7 });
    expect(() => spreadOf([])).toThrow('the spread of no values');
  });
});

describe('resolveGc', () => {
  it("takes node's global.gc when --expose-gc gave one, and says so", () => {
    const gc = () => undefined;
    expect(resolveGc({ gc })).toEqual({ collect: gc, how: 'global.gc (node --expose-gc)' });
  });

  it('obtains gc at run time through the V8 flag when the process was started without --expose-gc', () => {
    const resolved = resolveGc({});
    expect(resolved.how).toBe('gc exposed at run time (v8.setFlagsFromString)');
    expect(typeof resolved.collect).toBe('function');
  });
});

describe('measurePolicyEngine', () => {
  const policy = defaultPolicy(join(__dirname, '../..'));

  it('forces a collection before every timed step (warm-up of each order included) and reports how, with the spread beside each median', () => {
    let collections = 0;
    const figures = measurePolicyEngine(policy, { findings: 200, runs: 4, gc: { collect: () => void (collections += 1), how: 'counted' } });
    // Two timed steps per run: 4 runs and the two warm-up runs (one per order).
    expect(collections).toBe(2 * (4 + 2));
    expect(figures.runs).toBe(4);
    expect(figures.gc).toBe('counted');
    for (const [spread, value] of [[figures.totalSpread, figures.totalMs], [figures.jsonParseSpread, figures.jsonParseMs]] as const) {
      expect(spread.median).toBe(value);
      expect(spread.min).toBeLessThanOrEqual(spread.median);
      expect(spread.max).toBeGreaterThanOrEqual(spread.median);
    }
    expect(figures.ratioSpread.min).toBeLessThanOrEqual(figures.ratioSpread.max);
  });

  it('refuses an odd run count rather than time one order more often', () => {
    expect(() => measurePolicyEngine(policy, { findings: 200, runs: 7, gc: { collect: undefined, how: 'none' } })).toThrow(/even number/);
  });
});

describe('measureEngineGrowth', () => {
  it("reads the engine's growth against JSON.parse's: their quotient, beside both, with a figure per size", () => {
    const figures = measureEngineGrowth(defaultPolicy(join(__dirname, '../..')), [
      { findings: 200, runs: 2 },
      { findings: 400, runs: 2 },
    ]);
    expect(figures.sizes.map((size) => size.findings)).toEqual([200, 400]);
    // Each figure is rounded from the unrounded quotients, so the quotient of the rounded two is within rounding of it.
    expect(Math.abs(figures.growthVsJsonParse - figures.growth / figures.jsonParseGrowth)).toBeLessThan(0.05 * Math.max(1, figures.growth / figures.jsonParseGrowth));
    expect(figures.growthVsJsonParse).toBeGreaterThan(0);
  });

  it('measures every size with the same forced collection, and says which', () => {
    let collections = 0;
    const figures = measureEngineGrowth(defaultPolicy(join(__dirname, '../..')), [{ findings: 200, runs: 2 }, { findings: 400, runs: 4 }], { collect: () => void (collections += 1), how: 'counted' });
    expect(figures.gc).toBe('counted');
    expect(collections).toBe(2 * (2 + 2) + 2 * (4 + 2));
    expect(figures.sizes.map((size) => size.runs)).toEqual([2, 4]);
  });
});
