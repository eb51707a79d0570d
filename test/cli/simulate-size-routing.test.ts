import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { scanProjects, simulateJson, writeScenarioCopy } from './simulate-support';

const SCENARIO = resolve(__dirname, '../../examples/scenarios/lambda-compute-size-routing.json');

const simulate = simulateJson;

/** The example with a change, its relative paths made absolute, written to a temporary file. */
function variant(change: (scenario: Record<string, any>) => void): string {
  const scenario = JSON.parse(readFileSync(SCENARIO, 'utf8'));
  scenario.policy = resolve(__dirname, '../../policies/default.json');
  for (const image of Object.values(scenario.images) as { scan: { report: string } }[]) image.scan.report = resolve(__dirname, '../../examples/reports', image.scan.report.split('/').pop() as string);
  for (const step of scenario.steps as { push?: { scan: { report: string } } }[]) {
    if (step.push) step.push.scan.report = resolve(__dirname, '../../examples/reports', step.push.scan.report.split('/').pop() as string);
  }
  change(scenario);
  return writeScenarioCopy(scenario, 'size-routing');
}

const projects = scanProjects;

describe('simulate: scans routed to EC2 compute by the image size ECR reports', () => {
  it('the example: the large trainer (by tag) and the pushed one (by digest) start on EC2, the small web image on Lambda', async () => {
    const run = await simulate(SCENARIO);
    expect(run.code).toBe(0);
    expect(projects(run.actions)).toEqual(['fargate-gate-scan-ec2', 'fargate-gate-scan', 'fargate-gate-scan-ec2']);
    expect(run.actions.filter((a) => a.type === 'stopTask').map((a) => a.task)).toEqual(['training-run']);
  });

  it('without sizes, the trainer starts on Lambda compute and is still running after 6 minutes (the scenario fails)', async () => {
    const run = await simulate(
      variant((scenario) => {
        for (const image of Object.values(scenario.images) as Record<string, unknown>[]) delete image.size;
        for (const step of scenario.steps as { push?: Record<string, unknown> }[]) if (step.push) delete step.push.size;
        // A quota raised to 3: size alone decides here, not the overflow of a full Lambda compute (simulate-lambda-overflow.test.ts).
        scenario.gate = { lambdaComputeConcurrency: 3 };
      }),
    );
    expect(run.code).not.toBe(0);
    expect(projects(run.actions)).toEqual(['fargate-gate-scan', 'fargate-gate-scan', 'fargate-gate-scan']);
  });

  it('follows gate.ec2AboveImageSize: under a 4 GiB threshold the 3 GiB trainer stays on Lambda, the 5 GiB push goes to EC2', async () => {
    const run = await simulate(variant((scenario) => (scenario.gate = { ec2AboveImageSize: '4GiB', lambdaComputeConcurrency: 3 })));
    expect(projects(run.actions)).toEqual(['fargate-gate-scan', 'fargate-gate-scan', 'fargate-gate-scan-ec2']);
  });

  it.each([
    ['a negative size', { size: -1 }, 'images'],
    ['a size that is not one', { size: 'huge' }, 'images'],
  ])('refuses %s in the scenario, naming its JSON path', async (_what, change, where) => {
    const run = await simulate(
      variant((scenario) => {
        const [first] = Object.values(scenario.images) as Record<string, unknown>[];
        Object.assign(first, change);
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(where);
    expect(run.stderr).toContain('size');
  });

  it('refuses a threshold out of bounds', async () => {
    const run = await simulate(variant((scenario) => (scenario.gate = { ec2AboveImageSize: '1MiB' })));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('ec2AboveImageSize');
  });
});
