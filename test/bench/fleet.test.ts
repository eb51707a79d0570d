import { DEFAULT_FLEET, KIND_BLOCKS, mustBlock, planFleet, type FleetOptions } from '../../bench/fleet';

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
    for (const [index, image] of plan.images.entries()) {
      if (image.pushAtMs !== undefined && firstLaunch.has(index)) expect(image.pushAtMs).toBeLessThanOrEqual(firstLaunch.get(index) as number);
    }
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
});
