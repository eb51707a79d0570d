import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { scanProjects, simulateJson, writeScenarioCopy, type SimulatedAction } from './simulate-support';

const SCENARIO = resolve(__dirname, '../../examples/scenarios/lambda-compute-overflow.json');

/** The example with a change, its relative paths made absolute, written to a temporary file. */
function variant(change: (scenario: Record<string, any>) => void): string {
  const scenario = JSON.parse(readFileSync(SCENARIO, 'utf8'));
  scenario.policy = resolve(__dirname, '../../policies/default.json');
  for (const image of Object.values(scenario.images) as { scan: { report: string } }[]) image.scan.report = resolve(__dirname, '../../examples/reports', image.scan.report.split('/').pop() as string);
  change(scenario);
  return writeScenarioCopy(scenario, 'lambda-overflow');
}

const stops = (actions: Awaited<ReturnType<typeof simulateJson>>['actions']) => actions.filter((a) => a.type === 'stopTask').map((a) => a.task);

describe('simulate: scans overflow to the EC2 fallback when Lambda compute is full', () => {
  it('the example: one scan on Lambda compute, the two that would wait on EC2; every task judged within minutes', async () => {
    const run = await simulateJson(SCENARIO);
    expect(run.code).toBe(0);
    expect(scanProjects(run.actions)).toEqual(['fargate-gate-scan', 'fargate-gate-scan-ec2', 'fargate-gate-scan-ec2']);
    expect(run.actions.filter((a) => a.type === 'startScan' && a.reason !== undefined)).toEqual([]);
    expect(stops(run.actions)).toEqual(['reports-job']);
  });

  it('with the quota and the setting raised to 3, all three run on Lambda compute', async () => {
    const run = await simulateJson(
      variant((scenario) => {
        scenario.world.lambdaComputeQuota = 3;
        scenario.gate.lambdaComputeConcurrency = 3;
      }),
    );
    expect(run.code).toBe(0);
    expect(scanProjects(run.actions)).toEqual(['fargate-gate-scan', 'fargate-gate-scan', 'fargate-gate-scan']);
  });

  it('a setting above the real quota: CodeBuild queues the Lambda builds past it (none refused), so the tasks wait for one build after another', async () => {
    const run = await simulateJson(
      variant((scenario) => {
        scenario.gate.lambdaComputeConcurrency = 3;
        // The three 2-minute builds run one after another under the quota of 1: the last verdict comes at 6 minutes.
        scenario.steps[scenario.steps.length - 1].advanceClock = '7m';
      }),
    );
    expect(run.code).toBe(0);
    const starts = run.actions.filter((a) => a.type === 'startScan') as (SimulatedAction & { queued?: boolean })[];
    expect(starts.map((a) => [a.buildId?.split(':')[0], a.queued === true])).toEqual([
      ['fargate-gate-scan', false],
      ['fargate-gate-scan', true],
      ['fargate-gate-scan', true],
    ]);
    expect(stops(run.actions)).toEqual(['reports-job']);
  });

  it('with the example advanced only 3 minutes, a setting above the quota leaves two tasks unjudged: their builds still queue', async () => {
    const run = await simulateJson(
      variant((scenario) => {
        scenario.gate.lambdaComputeConcurrency = 3;
        delete scenario.expect.tasks;
        delete scenario.expect.decisions;
        scenario.expect.actions.stopTask = 0;
      }),
    );
    expect(run.code).toBe(0);
    expect(stops(run.actions)).toEqual([]);
  });

  it("the scan project's own concurrent build limit refuses StartBuild: the scans past it start on EC2 at once (lambda-refused)", async () => {
    const run = await simulateJson(
      variant((scenario) => {
        scenario.world.lambdaComputeQuota = 3;
        scenario.world.scanProjectBuildLimit = 1;
        scenario.gate.lambdaComputeConcurrency = 3;
        scenario.expect.actions.startScanRefused = 2;
      }),
    );
    expect(run.code).toBe(0);
    const starts = run.actions.filter((a) => a.type === 'startScan');
    // Refused on the Lambda project (no build id), then started on EC2: no retry back-off, no waiting.
    expect(starts.map((a) => (a.buildId ? a.buildId.split(':')[0] : 'refused'))).toEqual(['fargate-gate-scan', 'refused', 'fargate-gate-scan-ec2', 'refused', 'fargate-gate-scan-ec2']);
    expect(stops(run.actions)).toEqual(['reports-job']);
  });

  it.each([
    ['gate.lambdaComputeConcurrency 0', (s: Record<string, any>) => (s.gate.lambdaComputeConcurrency = 0), 'lambdaComputeConcurrency'],
    ['gate.lambdaComputeConcurrency "2"', (s: Record<string, any>) => (s.gate.lambdaComputeConcurrency = '2'), 'lambdaComputeConcurrency'],
    ['world.lambdaComputeQuota 1.5', (s: Record<string, any>) => (s.world.lambdaComputeQuota = 1.5), 'lambdaComputeQuota'],
    ['world.scanProjectBuildLimit 0', (s: Record<string, any>) => (s.world.scanProjectBuildLimit = 0), 'scanProjectBuildLimit'],
  ])('refuses %s, naming its JSON path', async (_what, change, key) => {
    const run = await simulateJson(variant(change));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(key);
    expect(run.actions).toEqual([]);
  });
});
