import { DEFAULT_FLEET, planFleet, type FleetOptions } from '../../bench/fleet';
import { STEPS, drawScan, latencyStackOf, percentile, sample, simulateLatency, type LatencyStack } from '../../bench/latency';
import { seededRandom } from '../../functions/local/random';
import { resolveSettings } from '../../infra/settings';

const SMALL: FleetOptions = { ...DEFAULT_FLEET, repositories: 24, launches: 600, services: 6 };
const plan = planFleet(SMALL);
const stack = (computeMode: LatencyStack['computeMode'], mirror: boolean): LatencyStack => ({ computeMode, mirror, concurrentBuildLimit: 3 });

describe('percentile', () => {
  it('interpolates between closest ranks (R type 7)', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBeCloseTo(95.05, 10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 9], 0)).toBe(1);
    expect(percentile([1, 9], 100)).toBe(9);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses no values and a percentile outside 0-100', () => {
    expect(() => percentile([], 50)).toThrow(/no values/);
    expect(() => percentile([1], 101)).toThrow(/outside 0-100/);
  });
});

describe('sample', () => {
  const draws = (distribution: Parameters<typeof sample>[0], n = 20_000) => {
    const random = seededRandom('sample-test');
    return Array.from({ length: n }, () => sample(distribution, random));
  };

  it('draws a log-normal with the median and 95th percentile it is given', () => {
    const values = draws({ kind: 'lognormal', median: 10, p95: 40 });
    expect(percentile(values, 50)).toBeGreaterThan(9.5);
    expect(percentile(values, 50)).toBeLessThan(10.5);
    expect(percentile(values, 95)).toBeGreaterThan(37);
    expect(percentile(values, 95)).toBeLessThan(43);
  });

  it('keeps a uniform within its bounds and a mixture to its parts', () => {
    const uniform = draws({ kind: 'uniform', low: 166, high: 250 });
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(166);
    expect(Math.max(...uniform)).toBeLessThan(250);
    const mixture = draws({ kind: 'mixture', parts: [[0.25, { kind: 'constant', value: 1 }], [0.75, { kind: 'constant', value: 2 }]] });
    const ones = mixture.filter((v) => v === 1).length / mixture.length;
    expect(ones).toBeGreaterThan(0.23);
    expect(ones).toBeLessThan(0.27);
    expect(mixture.every((v) => v === 1 || v === 2)).toBe(true);
  });

  it('gives every step a source', () => {
    for (const [name, step] of Object.entries(STEPS)) expect({ name, cited: step.source.length > 20 }).toEqual({ name, cited: true });
  });
});

describe('drawScan', () => {
  const many = (s: LatencyStack) => {
    const random = seededRandom('scan-draws');
    return Array.from({ length: 2_000 }, (_, i) => drawScan(s, random, 150, i % 5 === 0));
  };

  it('is never slower with a mirror, draw for draw (common random numbers)', () => {
    for (const mode of ['ec2', 'lambda'] as const) {
      const withMirror = many(stack(mode, true));
      const without = many(stack(mode, false));
      expect(withMirror.every((value, i) => value <= without[i])).toBe(true);
      expect(percentile(withMirror, 95)).toBeLessThan(percentile(without, 95));
    }
  });

  it('is faster on Lambda compute than on EC2 compute at the median and the 95th percentile', () => {
    const lambda = many(stack('lambda', true));
    const ec2 = many(stack('ec2', true));
    expect(percentile(lambda, 50)).toBeLessThan(percentile(ec2, 50));
    expect(percentile(lambda, 95)).toBeLessThan(percentile(ec2, 95));
  });
});

describe('simulateLatency', () => {
  it('gives the same figures for the same fleet and seed, and others for another seed', () => {
    expect(simulateLatency(plan, stack('lambda', true))).toEqual(simulateLatency(plan, stack('lambda', true)));
    expect(simulateLatency(plan, stack('lambda', true), 'another')).not.toEqual(simulateLatency(plan, stack('lambda', true)));
  });

  it('scans each image the fleet uses or pushes once, and judges every failing standalone launch', () => {
    const figures = simulateLatency(plan, stack('lambda', true));
    const used = new Set<number>();
    plan.images.forEach((image, index) => image.pushAtMs !== undefined && used.add(index));
    for (const launch of plan.launches) for (const c of plan.taskDefinitions[launch.taskDefinition].containers) used.add(c.image);
    for (const service of plan.services) for (const d of service.deployments) for (const c of plan.taskDefinitions[d.taskDefinition].containers) used.add(c.image);
    expect(figures.scans).toBe(used.size);
    expect(figures.failingLaunches).toBeGreaterThan(0);
    expect(figures.timeToVerdictP95S).toBeGreaterThanOrEqual(figures.timeToVerdictP50S);
  });

  it('lowers time to verdict, and raises the share of launches that find a verdict, with a mirror and with Lambda compute', () => {
    const before = simulateLatency(plan, stack('ec2', false));
    for (const after of [simulateLatency(plan, stack('ec2', true)), simulateLatency(plan, stack('lambda', false)), simulateLatency(plan, stack('lambda', true))]) {
      expect(after.timeToVerdictP50S).toBeLessThan(before.timeToVerdictP50S);
      expect(after.timeToVerdictP95S).toBeLessThan(before.timeToVerdictP95S);
      expect(after.verdictWaitingShare).toBeGreaterThanOrEqual(before.verdictWaitingShare);
    }
  });

  it('stops a failing task with a known digest in seconds, sooner than one with a new digest; Inspector stops none', () => {
    const figures = simulateLatency(plan, stack('lambda', true));
    expect(figures.exposureKnownDigestS).toBeLessThan(5);
    expect(figures.exposureNewDigestS).toBeGreaterThan(figures.exposureKnownDigestS);
    expect(figures.inspectorExposureS).toBeGreaterThan(figures.exposureNewDigestS);
  });
});

describe('latencyStackOf', () => {
  it('reads the compute mode and the mirror from the resolved settings, not from a second copy of the defaults', () => {
    // The defaults in a region with CodeBuild Lambda compute: Lambda compute reading the managed DB mirror (infra/settings.ts).
    expect(latencyStackOf(resolveSettings({ region: 'us-east-1' }))).toEqual({ computeMode: 'lambda', mirror: true, concurrentBuildLimit: 3 });
    expect(latencyStackOf(resolveSettings({ region: 'eu-north-1' }))).toEqual({ computeMode: 'ec2', mirror: true, concurrentBuildLimit: 3 });
    expect(latencyStackOf(resolveSettings({ region: 'us-east-1', scanCompute: { mode: 'lambda' }, scanner: { managedDatabaseMirror: true } }))).toEqual({ computeMode: 'lambda', mirror: true, concurrentBuildLimit: 3 });
    expect(latencyStackOf(resolveSettings({ region: 'us-east-1', scanner: { managedDatabaseMirror: false }, scanCompute: { mode: 'ec2', concurrentBuildLimit: 5 } }))).toEqual({
      computeMode: 'ec2',
      mirror: false,
      concurrentBuildLimit: 5,
    });
    // An operator's own mirror counts as a mirror inside the account.
    expect(latencyStackOf(resolveSettings({ region: 'us-east-1', scanner: { dbRepositories: ['111122223333.dkr.ecr.us-east-1.amazonaws.com/trivy-db:2'] } })).mirror).toBe(true);
  });
});
