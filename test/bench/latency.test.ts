import { ComputeType } from 'aws-cdk-lib/aws-codebuild';
import { DEFAULT_FLEET, planFleet, type FleetOptions } from '../../bench/fleet';
import { STEPS, assumptions, partlyAssumed, buildSlots, overflowSlots, drawScan, drawScanPath, gateColdStartStep, latencyStackOf, outgrowsLambdaMemory, percentile, sample, simulateLatency, sourceKind, type LatencyStack } from '../../bench/latency';
import { seededRandom } from '../../functions/local/random';
import { resolveSettings } from '../../infra/settings';

const SMALL: FleetOptions = { ...DEFAULT_FLEET, repositories: 24, launches: 600, services: 6 };
const plan = planFleet(SMALL);
const stack = (computeMode: LatencyStack['computeMode'], mirror: boolean, more: Partial<LatencyStack> = {}): LatencyStack => ({
  computeMode,
  mirror,
  concurrentBuildLimit: 3,
  ...(computeMode === 'lambda' ? { lambdaMemoryMiB: 4096 } : {}),
  scanTimeoutS: 600,
  ec2Fallback: computeMode === 'lambda',
  ...more,
});

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

});

describe('step sources', () => {
  it('tells a citation (an http URL or an anchors [Bn] key) from an assumption said as such, and from neither', () => {
    expect(sourceKind('166 s [B1]')).toBe('citation');
    expect(sourceKind('647 MiB in https://github.com/aquasecurity/trivy-java-db/pull/37')).toBe('citation');
    expect(sourceKind('Assumption: ours, see https://example.com')).toBe('assumption');
    expect(sourceKind('A long sentence that cites nothing at all, however long it is.')).toBe('unsourced');
    expect(sourceKind('assumption: lower case is not the marker')).toBe('unsourced');
    expect(sourceKind('Measured: bench Part D, 420 ms')).toBe('measured');
  });

  it('gives every step a citation or an explicit "Assumption:", the gate cold start included', () => {
    for (const [name, step] of Object.entries(STEPS)) expect({ name, kind: sourceKind(step.source) }).not.toEqual({ name, kind: 'unsourced' });
    expect(sourceKind(gateColdStartStep(420).source)).not.toBe('unsourced');
  });

  it('lists exactly the assumed steps, with their reasoning, for the bench output', () => {
    const listed = assumptions();
    expect(listed.map((a) => a.name)).toEqual(Object.keys(STEPS).filter((name) => STEPS[name as keyof typeof STEPS].source.startsWith('Assumption:')));
    expect(listed.map((a) => a.name)).toContain('lambdaProvisioning');
    expect(listed.map((a) => a.name)).not.toContain('javaDbMiB');
    expect(partlyAssumed()).toEqual(expect.arrayContaining(['ec2Provisioning', 'scan', 'trivyMemoryPerImageMiB']));
    expect(partlyAssumed()).not.toContain('javaDbMiB');
    expect(assumptions({ a: { distribution: { kind: 'constant', value: 1 }, source: 'Assumption: x' }, b: { distribution: { kind: 'constant', value: 1 }, source: '[B1]' } })).toEqual([{ name: 'a', source: 'Assumption: x' }]);
  });
});

describe('gateColdStartStep', () => {
  it("takes the measured import and first event, on top of Lambda's own part, and says where the figure came from", () => {
    const measured = gateColdStartStep(1500).distribution as { kind: string; median: number };
    const platform = STEPS.lambdaPlatformInit.distribution as { median: number };
    expect(measured.median).toBeCloseTo(platform.median + 1.5, 10);
    expect(gateColdStartStep(1500).source).toMatch(/^Measured: bench Part D, this run: .*1500 ms/);
    expect(gateColdStartStep().source).toMatch(/^Assumption: no Part D measurement passed/);
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

  it('installs Trivy faster from the account\'s copy than from GitHub, draw for draw, by the tarball\'s download only', () => {
    // EC2 compute: one install per build, no time cap, so the gap is exactly the tarball's two download times.
    const fromAccount = many(stack('ec2', true, { trivyFromAccount: true }));
    const fromGithub = many(stack('ec2', true, { trivyFromAccount: false }));
    const gaps = fromAccount.map((value, i) => fromGithub[i] - value);
    // 50 MiB at 2-18 MiB/s from GitHub against 50-150 MiB/s in the region: between 50/18 - 1 and 25 - 50/150 s apart.
    expect(Math.min(...gaps)).toBeGreaterThan(50 / 18 - 1);
    expect(Math.max(...gaps)).toBeLessThan(25 - 50 / 150 + 1e-9);
    // On Lambda compute too, at the median and the 95th percentile.
    const lambdaFromAccount = many(stack('lambda', true, { trivyFromAccount: true }));
    const lambdaFromGithub = many(stack('lambda', true, { trivyFromAccount: false }));
    expect(percentile(lambdaFromAccount, 50)).toBeLessThan(percentile(lambdaFromGithub, 50));
    expect(percentile(lambdaFromAccount, 95)).toBeLessThan(percentile(lambdaFromGithub, 95));
  });

  it('is faster on Lambda compute than on EC2 compute at the median and the 95th percentile', () => {
    const lambda = many(stack('lambda', true));
    const ec2 = many(stack('ec2', true));
    expect(percentile(lambda, 50)).toBeLessThan(percentile(ec2, 50));
    expect(percentile(lambda, 95)).toBeLessThan(percentile(ec2, 95));
  });
});

describe('the EC2 fallback of a scan that outgrows Lambda compute', () => {
  const ratio = (STEPS.imageCompressionRatio.distribution as { value: number }).value;

  it("outgrows the compute type's memory when Trivy's peak (the uncompressed image) exceeds it", () => {
    const fits = 4096 / ratio - 1;
    const over = 4096 / ratio + 1;
    expect(outgrowsLambdaMemory({ lambdaMemoryMiB: 4096 }, fits)).toBe(false);
    expect(outgrowsLambdaMemory({ lambdaMemoryMiB: 4096 }, over)).toBe(true);
    expect(outgrowsLambdaMemory({ lambdaMemoryMiB: 8192 }, over)).toBe(false);
    expect(outgrowsLambdaMemory({}, 1e6)).toBe(false);
  });

  it('costs a large image the Lambda attempt and the whole EC2 path: slower on Lambda than on EC2, draw for draw', () => {
    const big = 4096 / ratio + 200;
    const draws = (s: LatencyStack) => {
      const random = seededRandom('big-image');
      return Array.from({ length: 500 }, () => drawScanPath(s, random, big, false));
    };
    const lambda = draws(stack('lambda', true));
    const ec2 = draws(stack('ec2', true));
    expect(lambda.every((d) => d.fellBackToEc2)).toBe(true);
    expect(lambda.every((d, i) => d.seconds > ec2[i].seconds)).toBe(true);
    // The Lambda project's build slot is held for the attempt only; the retry runs on the fallback project.
    expect(lambda.every((d) => d.slotSeconds < d.seconds && d.slotSeconds <= 900)).toBe(true);
    // Without the fallback the scan ends at the Lambda attempt (a scan error), sooner but with no verdict.
    const noFallback = draws(stack('lambda', true, { ec2Fallback: false }));
    expect(noFallback.every((d, i) => !d.fellBackToEc2 && d.seconds < lambda[i].seconds)).toBe(true);
  });

  it("moves a scan that runs past Trivy's timeout, and never one that fits", () => {
    const random = seededRandom('timeout');
    const path = drawScanPath(stack('lambda', true, { scanTimeoutS: 1 }), random, 100, false);
    expect(path.fellBackToEc2).toBe(true);
    const small = seededRandom('small');
    expect(Array.from({ length: 500 }, () => drawScanPath(stack('lambda', true), small, 100, false).fellBackToEc2).some(Boolean)).toBe(false);
  });

  it("runs no more Lambda builds at once than the compute type's quota (1 by default), whatever the project limit", () => {
    expect(buildSlots(stack('lambda', true))).toBe(1);
    expect(buildSlots(stack('lambda', true, { lambdaComputeQuota: 5 }))).toBe(3);
    expect(buildSlots(stack('ec2', true))).toBe(3);
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

  it('lowers time to verdict, and raises the share of launches that find a verdict, with a mirror, and with Lambda compute once its quota is raised to the project limit', () => {
    const before = simulateLatency(plan, stack('ec2', false));
    const raised = { lambdaComputeQuota: 3 };
    for (const after of [simulateLatency(plan, stack('ec2', true)), simulateLatency(plan, stack('lambda', false, raised)), simulateLatency(plan, stack('lambda', true, raised))]) {
      expect(after.timeToVerdictP50S).toBeLessThan(before.timeToVerdictP50S);
      expect(after.timeToVerdictP95S).toBeLessThan(before.timeToVerdictP95S);
      expect(after.verdictWaitingShare).toBeGreaterThanOrEqual(before.verdictWaitingShare);
    }
  });

  it("queues Lambda builds behind AWS's default quota of 1: time to verdict rises against the quota raised to the project limit", () => {
    const byDefault = simulateLatency(plan, stack('lambda', true));
    const raised = simulateLatency(plan, stack('lambda', true, { lambdaComputeQuota: 3 }));
    expect(byDefault.buildSlots).toBe(1);
    expect(raised.buildSlots).toBe(3);
    expect(byDefault.timeToVerdictP95S).toBeGreaterThan(raised.timeToVerdictP95S);
    expect(byDefault.timeToVerdictP50S).toBeGreaterThan(raised.timeToVerdictP50S);
  });

  it('overflows to the EC2 fallback when the gate counts lambdaConcurrency builds in flight: time to verdict and new-digest exposure fall against queueing for the one Lambda build', () => {
    const queueing = simulateLatency(plan, stack('lambda', true));
    const overflowing = simulateLatency(plan, stack('lambda', true, { lambdaConcurrency: 1 }));
    expect(queueing.overflowShare).toBe(0);
    expect(overflowing.overflowShare).toBeGreaterThan(0);
    expect(overflowing.timeToVerdictP50S).toBeLessThan(queueing.timeToVerdictP50S);
    expect(overflowing.timeToVerdictP95S).toBeLessThan(queueing.timeToVerdictP95S);
    expect(overflowing.exposureNewDigestS).toBeLessThan(queueing.exposureNewDigestS);
    // Only with the fallback, and only on Lambda compute.
    expect(simulateLatency(plan, stack('lambda', true, { lambdaConcurrency: 1, ec2Fallback: false })).overflowShare).toBe(0);
    expect(simulateLatency(plan, stack('ec2', true, { lambdaConcurrency: 1 })).overflowShare).toBe(0);
  });

  it("bounds the overflow by the fallback's project limit and its EC2 quota: a quota of 1 overflows less and waits longer than 5", () => {
    expect(overflowSlots({ concurrentBuildLimit: 3 })).toBe(3);
    expect(overflowSlots({ concurrentBuildLimit: 3, ec2ComputeQuota: 1 })).toBe(1);
    const one = simulateLatency(plan, stack('lambda', true, { lambdaConcurrency: 1, ec2ComputeQuota: 1 }));
    const five = simulateLatency(plan, stack('lambda', true, { lambdaConcurrency: 1, ec2ComputeQuota: 5 }));
    expect(one.overflowShare).toBeLessThan(five.overflowShare);
    expect(one.timeToVerdictP50S).toBeGreaterThanOrEqual(five.timeToVerdictP50S);
  });

  it("reports the share of scans that moved to EC2, and raises time to verdict when Lambda compute's memory is smaller", () => {
    // No queue (the build slots would otherwise decide the tail): the fallback's own cost shows.
    const unqueued = { concurrentBuildLimit: 1000, lambdaComputeQuota: 1000 };
    const small = simulateLatency(plan, stack('lambda', true, { lambdaMemoryMiB: 1024, ...unqueued }));
    const large = simulateLatency(plan, stack('lambda', true, { lambdaMemoryMiB: 10240, ...unqueued }));
    expect(large.ec2FallbackShare).toBe(0);
    expect(small.ec2FallbackShare).toBeGreaterThan(large.ec2FallbackShare);
    expect(small.timeToVerdictP95S).toBeGreaterThan(large.timeToVerdictP95S);
  });

  it('uses the measured gate cold start when given one', () => {
    const quick = simulateLatency(plan, stack('lambda', true), undefined, { gateColdStartMs: 100 });
    const slow = simulateLatency(plan, stack('lambda', true), undefined, { gateColdStartMs: 30_000 });
    expect(slow.gateColdStart).toMatch(/30000 ms/);
    expect(slow.exposureNewDigestS).toBeGreaterThan(quick.exposureNewDigestS);
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
    // LAMBDA_4GB, Trivy's 10 minutes and the EC2 fallback on Lambda; SMALL and 15 minutes on EC2.
    expect(latencyStackOf(resolveSettings({ region: 'us-east-1' }))).toEqual({ computeMode: 'lambda', mirror: true, concurrentBuildLimit: 3, lambdaMemoryMiB: 4096, scanTimeoutS: 600, ec2Fallback: true, lambdaConcurrency: 1, trivyFromAccount: true });
    expect(latencyStackOf(resolveSettings({ region: 'eu-north-1' }))).toEqual({ computeMode: 'ec2', mirror: true, concurrentBuildLimit: 3, scanTimeoutS: 900, ec2Fallback: false, trivyFromAccount: true });
    expect(latencyStackOf(resolveSettings({ region: 'us-east-1', scanCompute: { mode: 'lambda' }, scanner: { managedDatabaseMirror: true } }))).toEqual({
      computeMode: 'lambda',
      mirror: true,
      concurrentBuildLimit: 3,
      lambdaMemoryMiB: 4096,
      scanTimeoutS: 600,
      ec2Fallback: true,
      lambdaConcurrency: 1,
      trivyFromAccount: true,
    });
    expect(latencyStackOf(resolveSettings({ region: 'us-east-1', scanCompute: { mode: 'lambda', computeType: ComputeType.LAMBDA_8GB, ec2Fallback: false } })).lambdaMemoryMiB).toBe(8192);
    expect(latencyStackOf(resolveSettings({ region: 'us-east-1', scanner: { managedDatabaseMirror: false }, scanCompute: { mode: 'ec2', concurrentBuildLimit: 5 } }))).toEqual({
      computeMode: 'ec2',
      mirror: false,
      concurrentBuildLimit: 5,
      scanTimeoutS: 900,
      ec2Fallback: false,
      trivyFromAccount: false,
    });
    // An operator's own mirror counts as a mirror inside the account; Trivy then comes from GitHub unless it names an s3:// source.
    const own = { region: 'us-east-1', scanner: { dbRepositories: ['111122223333.dkr.ecr.us-east-1.amazonaws.com/trivy-db:2'] } };
    expect(latencyStackOf(resolveSettings(own))).toMatchObject({ mirror: true, trivyFromAccount: false });
    expect(latencyStackOf(resolveSettings({ ...own, scanner: { ...own.scanner, downloadBaseUrl: 's3://corp-artifacts/trivy' } })).trivyFromAccount).toBe(true);
    expect(latencyStackOf(resolveSettings({ ...own, scanner: { ...own.scanner, downloadBaseUrl: 'https://artifacts.example.com/trivy' } })).trivyFromAccount).toBe(false);
  });
});
