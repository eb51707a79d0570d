import { resolve } from 'node:path';
import { DEFAULT_FLEET, planFleet } from '../../bench/fleet';
import { DEFAULT_RUNTIME_OPTIONS, describeFates, measureRuntime } from '../../bench/runtime';

const ROOT = resolve(__dirname, '../..');
const plan = planFleet({ ...DEFAULT_FLEET, seed: 'runtime-test', repositories: 14, launches: 160, services: 4, durationMs: 90 * 60_000 });

describe('measureRuntime', () => {
  it('with the real gate: every task that must not run is stopped, no other is, and each digest that can be scanned is scanned once', async () => {
    const figures = await measureRuntime(plan, { root: ROOT, ...DEFAULT_RUNTIME_OPTIONS });
    expect(figures.events).toBeGreaterThan(500);
    expect(figures.details.duplicateDeliveries).toBeGreaterThan(0);
    expect(figures.details.tasksThatMustBlock).toBeGreaterThan(0);
    expect(figures.wrongStops).toBe(0);
    expect(figures.missedStops).toBe(0);
    expect(figures.details.scansPerDistinctDigestExcludingScanErrors).toBe(1);
    // Failed scans are retried with back-off, never per launch: apart from those retries, one scan per digest.
    expect(figures.details.scanErrorDigests + figures.details.transientScanErrorDigests).toBeGreaterThan(0);
    expect(figures.scanRetriesAfterError).toBeGreaterThan(0);
    expect(figures.scansPerDistinctDigestExcludingRetries).toBe(1);
    expect(figures.scansStarted - figures.scanRetriesAfterError).toBe(figures.distinctDigests);
    // 90 min of launches (3.5 h simulated): at most 0, 10, 30, 70, 150 min into an image's failures, five builds.
    expect(figures.details.scansOfScanErrorDigests).toBeLessThanOrEqual(5 * figures.details.scanErrorDigests);
    // A passing fault costs its failed build and the rescan that succeeds, at most.
    expect(figures.details.scansOfTransientScanErrorDigests).toBeLessThanOrEqual(2 * figures.details.transientScanErrorDigests);
    // A denied task: one read, StopTask, a claim and (first time only) PutEvents; the launcher comes with the read.
    expect(figures.awsCallsPerKnownDenyEvent).toBeLessThanOrEqual(4);
    expect(figures.awsCallsPerKnownDenyEventStandalone).toBeLessThanOrEqual(4);
    expect(figures.details.knownDenyStandaloneEvents + figures.details.knownDenyServiceEvents).toBe(figures.details.knownDenyEvents);
    expect(figures.naiveScans).toBeGreaterThan(figures.scansStarted);
    // One read; the first event of a task definition revision also pays DescribeTaskDefinition once.
    expect(figures.awsCallsPerKnownPassEvent).toBeGreaterThanOrEqual(1);
    expect(figures.awsCallsPerKnownPassEvent).toBeLessThan(1.1);
    expect(figures.details.maxAwsCallsKnownPass).toBeLessThanOrEqual(2);
    expect(figures.details.handlerErrors).toBe(0);
    expect(figures.details.restartLoops).toBe(0);
    // Every task that must not run is accounted for: stopped by the gate, or gone its own way (never still running).
    const d = figures.details;
    const unstopped = Object.values(d.mustBlockNotStoppedByGate).reduce((sum, n) => sum + n, 0);
    expect(d.tasksBlocked - d.stopsDuringScanFaults - figures.wrongStops + unstopped).toBe(d.tasksThatMustBlock);
    expect(d.mustBlockNotStoppedByGate.running).toBeUndefined();
  });

  it('counts wrong stops from ground truth, not from the gate: a gate that stops every task it hears of', async () => {
    const figures = await measureRuntime(plan, {
      root: ROOT,
      ...DEFAULT_RUNTIME_OPTIONS,
      makeGate: (backend) => ({
        handleEvent: async (raw) => {
          const event = raw as { 'detail-type': string; detail: { taskArn: string; clusterArn: string; desiredStatus: string } };
          if (event['detail-type'] === 'ECS Task State Change' && event.detail.desiredStatus === 'RUNNING') await backend.ports.ecs.stopTask(event.detail.clusterArn, event.detail.taskArn, 'stop everything');
        },
        handleHook: async () => ({ hookStatus: 'SUCCEEDED' }),
      }),
    });
    expect(figures.wrongStops).toBeGreaterThan(0);
    expect(figures.scansStarted).toBe(0);
  });

  it('counts missed stops: a gate that does nothing leaves every task that must not run running', async () => {
    const figures = await measureRuntime(plan, {
      root: ROOT,
      ...DEFAULT_RUNTIME_OPTIONS,
      makeGate: () => ({ handleEvent: async () => undefined, handleHook: async () => ({ hookStatus: 'SUCCEEDED' }) }),
    });
    expect(figures.wrongStops).toBe(0);
    expect(figures.missedStops).toBeGreaterThan(0);
    expect(figures.details.mustBlockNotStoppedByGate.running).toBe(figures.missedStops);
    expect(figures.scansPerDistinctDigest).toBe(0);
  });
});

describe('describeFates (the bench line about tasks that must not run and that the gate did not stop)', () => {
  it('says what became of them, a count per fate, in agreement with the count', () => {
    expect(describeFates({ exit: 1 })).toBe('1 stopped on its own (its essential container exited) before its verdict');
    expect(describeFates({ running: 2, exit: 3 })).toBe('3 stopped on their own (their essential container exited) before their verdict, 2 are still running (missed stops)');
    expect(describeFates({ mystery: 1 })).toBe('1 stopped otherwise (mystery)');
  });
});
