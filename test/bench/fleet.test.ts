import { DEFAULT_FLEET, KIND_BLOCKS, TRANSIENT_SCAN_FAULT_SHARE, mustBlock, planFleet, stopExcusedByScanFault, type FleetOptions } from '../../bench/fleet';

const SMALL: FleetOptions = { ...DEFAULT_FLEET, repositories: 24, launches: 600, services: 6 };

describe('planFleet', () => {
  it('plans the same fleet for the same seed, and another for another seed', () => {
    expect(planFleet(SMALL)).toEqual(planFleet(SMALL));
    expect(planFleet({ ...SMALL, seed: 'other' }).launches).not.toEqual(planFleet(SMALL).launches);
  });

  it('reuses images with a Zipf-like skew: a few images carry most launches', () => {
    const plan = planFleet(DEFAULT_FLEET);
    const counts = new Map<number, number>();
    for (const launch of plan.launches) counts.set(launch.taskDefinition, (counts.get(launch.taskDefinition) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const top10 = sorted.slice(0, 10).reduce((sum, n) => sum + n, 0);
    expect(top10 / plan.launches.length).toBeGreaterThan(0.3);
    expect(sorted[0]).toBeGreaterThan(10 * sorted[Math.floor(sorted.length / 2)]);
  });

  it('has at least 200 image versions, every kind of image, and scan errors among them', () => {
    const plan = planFleet(DEFAULT_FLEET);
    expect(plan.images.length).toBeGreaterThanOrEqual(200);
    const kinds = new Set(plan.images.map((image) => image.kind));
    expect([...kinds].sort()).toEqual(Object.keys(KIND_BLOCKS).sort());
    expect(plan.images.some((image) => image.capacityErrors > 0)).toBe(true);
    expect(plan.images.some((image) => image.lostEvent)).toBe(true);
  });

  it('refers only to images and task definitions it defines, pushes images before their first use, and keeps launches in time order', () => {
    const plan = planFleet(SMALL);
    for (const definition of plan.taskDefinitions) for (const container of definition.containers) expect(plan.images[container.image]).toBeDefined();
    for (const launch of plan.launches) expect(plan.taskDefinitions[launch.taskDefinition]).toBeDefined();
    expect(plan.launches.map((l) => l.atMs)).toEqual([...plan.launches.map((l) => l.atMs)].sort((a, b) => a - b));
    for (const service of plan.services) for (const deployment of service.deployments) expect(plan.taskDefinitions[deployment.taskDefinition]).toBeDefined();
    const firstLaunch = new Map<number, number>();
    for (const launch of plan.launches) {
      for (const container of plan.taskDefinitions[launch.taskDefinition].containers) if (!firstLaunch.has(container.image)) firstLaunch.set(container.image, launch.atMs);
    }
    const pushedAndLaunched = [...plan.images.entries()].filter(([index, image]) => image.pushAtMs !== undefined && firstLaunch.has(index));
    expect(pushedAndLaunched.length).toBeGreaterThan(0);
    for (const [index, image] of pushedAndLaunched) expect(image.pushAtMs).toBeLessThanOrEqual(firstLaunch.get(index) as number);
  });

  it('decides ground truth from image kinds and cluster scope alone', () => {
    const plan = planFleet(SMALL);
    const blocking = plan.images.findIndex((image) => KIND_BLOCKS[image.kind]);
    const harmless = plan.images.findIndex((image) => image.kind === 'compliant');
    const warning = plan.images.findIndex((image) => image.kind === 'wontfixWarn');
    expect(mustBlock(plan, [harmless, blocking], 'prod')).toBe(true);
    expect(mustBlock(plan, [harmless, blocking], 'sandbox')).toBe(false);
    expect(mustBlock(plan, [harmless, warning], 'batch')).toBe(false);
  });

  it('makes most scan failures passing and a few permanent, on images of every content', () => {
    const plan = planFleet(DEFAULT_FLEET);
    const permanent = plan.images.filter((image) => image.kind === 'scanError');
    const passing = plan.images.filter((image) => image.failingScans > 0);
    expect(permanent.length).toBeGreaterThan(0);
    expect(passing.length).toBeGreaterThan(permanent.length);
    expect(passing.every((image) => image.kind !== 'scanError' && image.failingScans === 1)).toBe(true);
    expect(new Set(passing.map((image) => KIND_BLOCKS[image.kind]))).toEqual(new Set([true, false]));
    // About 4% of images fail their first scan, three quarters of them passingly.
    const failing = permanent.length + passing.length;
    expect(failing / plan.images.length).toBeGreaterThan(0.02);
    expect(failing / plan.images.length).toBeLessThan(0.07);
    expect(TRANSIENT_SCAN_FAULT_SHARE).toBe(0.75);
  });

  it('draws scan faults from a stream of their own: only images whose scan fails change with the share', () => {
    const none = planFleet({ ...SMALL, transientScanFaultShare: 0 });
    const all = planFleet({ ...SMALL, transientScanFaultShare: 1 });
    const scrubbed = (plan: ReturnType<typeof planFleet>) => ({ ...plan, images: plan.images.map(({ kind: _kind, failingScans: _failing, ...rest }) => rest) });
    expect(scrubbed(all)).toEqual(scrubbed(none));
    const failing = none.images.flatMap((image, index) => (image.kind === 'scanError' ? [index] : []));
    expect(failing.length).toBeGreaterThan(0);
    expect(none.images.every((image) => image.failingScans === 0)).toBe(true);
    none.images.forEach((image, index) => {
      if (failing.includes(index)) expect(all.images[index]).toMatchObject({ failingScans: 1, kind: expect.not.stringMatching(/^scanError$/) });
      else expect(all.images[index]).toEqual(image);
    });
  });
});

describe('stopExcusedByScanFault', () => {
  const plan = planFleet(SMALL);
  const passing = plan.images.findIndex((image) => image.failingScans > 0);
  const clean = plan.images.findIndex((image) => image.failingScans === 0 && image.kind === 'compliant');
  const history = { firstFailureEndedAt: 1_000, firstSuccessStartedAt: 5_000 };
  const scans = () => history;

  it('excuses a stop of a task launched before the good scan started and stopped after the failure was known', () => {
    expect(passing).toBeGreaterThanOrEqual(0);
    expect(stopExcusedByScanFault(plan, [clean, passing], 'prod', { launchedAtMs: 0, stoppedAtMs: 1_000 }, scans)).toBe(true);
    expect(stopExcusedByScanFault(plan, [passing], 'prod', { launchedAtMs: 4_999, stoppedAtMs: 6_000 }, scans)).toBe(true);
    // Never scanned successfully: every launch met the error.
    expect(stopExcusedByScanFault(plan, [passing], 'batch', { launchedAtMs: 9_000, stoppedAtMs: 9_500 }, () => ({ firstFailureEndedAt: 1_000 }))).toBe(true);
  });

  it('excuses nothing else: a later launch, a stop before any failure, a clean image, an audited cluster', () => {
    expect(stopExcusedByScanFault(plan, [passing], 'prod', { launchedAtMs: 5_000, stoppedAtMs: 6_000 }, scans)).toBe(false);
    expect(stopExcusedByScanFault(plan, [passing], 'prod', { launchedAtMs: 0, stoppedAtMs: 999 }, scans)).toBe(false);
    expect(stopExcusedByScanFault(plan, [passing], 'prod', { launchedAtMs: 0, stoppedAtMs: 2_000 }, () => ({}))).toBe(false);
    expect(stopExcusedByScanFault(plan, [clean], 'prod', { launchedAtMs: 0, stoppedAtMs: 2_000 }, scans)).toBe(false);
    expect(stopExcusedByScanFault(plan, [passing], 'sandbox', { launchedAtMs: 0, stoppedAtMs: 2_000 }, scans)).toBe(false);
  });
});
