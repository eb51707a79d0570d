import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runSimulate } from '../../functions/cli/simulate';
import { scanProjects, simulateJson, writeScenarioCopy } from './simulate-support';

const SCENARIO = resolve(__dirname, '../../examples/scenarios/lambda-compute-ec2-fallback.json');

/** The run, and the decisions of the verdict events about tasks in order. */
async function simulate(file: string): Promise<{ code: number; actions: Awaited<ReturnType<typeof simulateJson>>['actions']; decisions: string[] }> {
  const { code, actions } = await simulateJson(file);
  const decisions = actions.filter((a) => a.type === 'notify' && a.event?.taskArn).map((a) => a.event?.decision as string);
  return { code, actions, decisions };
}

/** The example scenario with its image's scan outcome and the world's compute changed, written beside a copy. */
function variant(change: (scenario: { world: Record<string, unknown>; images: Record<string, { scan: Record<string, unknown> }> }) => void): string {
  const scenario = JSON.parse(readFileSync(SCENARIO, 'utf8'));
  // Relative paths in the scenario (policy, reports) resolve against its folder: keep them absolute in the copy.
  scenario.policy = resolve(__dirname, '../../policies/default.json');
  for (const image of Object.values(scenario.images) as { scan: Record<string, unknown> }[]) image.scan.report = resolve(__dirname, '../../examples/reports/alpine-root-critical.trivy.json');
  change(scenario);
  return writeScenarioCopy(scenario, 'ec2-fallback');
}

const builds = scanProjects;

describe('simulate: a Lambda-compute scan that times out, retried on EC2 compute', () => {
  it('the example: the EC2 build gives the verdict, and the stop names that build', async () => {
    const run = await simulate(SCENARIO);
    expect(run.code).toBe(0);
    expect(builds(run.actions)).toEqual(['fargate-gate-scan', 'fargate-gate-scan-ec2']);
    const [stop] = run.actions.filter((a) => a.type === 'stopTask');
    expect(stop.task).toBe('training-run');
    expect(stop.reason).toContain('build: fargate-gate-scan-ec2:');
    // Judged on the report (fail), not on onScanError (error).
    expect(run.decisions).toEqual(['fail']);
  });

  it("logs the move and the retry's start under the retry's own scan id and build, once each", async () => {
    let stdout = '';
    await runSimulate({ scenario: SCENARIO, format: 'timeline', logs: true }, { stdout: (text) => (stdout += text), stderr: () => undefined });
    const records = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    const started = records.filter((r) => r.msg === 'scan started');
    const moved = records.find((r) => r.msg === 'scan outgrew Lambda compute: retrying it once on EC2 compute');
    expect(started.map((r) => String(r.buildId).split(':')[0])).toEqual(['fargate-gate-scan', 'fargate-gate-scan-ec2']);
    expect(started[1].scanId).not.toBe(started[0].scanId);
    expect(moved).toMatchObject({ scanId: started[1].scanId, previousScanId: started[0].scanId, previousBuildId: started[0].buildId, reason: expect.stringContaining('timed out') });
  });

  it('a stack on EC2 compute has no fallback: the same image scans once, on the scan project', async () => {
    const run = await simulate(variant((s) => (s.world.scanCompute = 'ec2')));
    expect(builds(run.actions)).toEqual(['fargate-gate-scan']);
    expect(run.decisions).toEqual(['fail']);
  });

  it('an image the EC2 retry cannot scan either is a scan error after two builds, never three (onScanError deny stops it)', async () => {
    const run = await simulate(
      variant((s) => {
        for (const image of Object.values(s.images)) image.scan = { error: 'no space left on device', outgrowsLambdaCompute: true };
      }),
    );
    expect(builds(run.actions)).toEqual(['fargate-gate-scan', 'fargate-gate-scan-ec2']);
    expect(run.decisions).toEqual(['error']);
    expect(run.actions.filter((a) => a.type === 'stopTask').map((a) => a.task)).toEqual(['training-run']);
  });
});
