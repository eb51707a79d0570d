import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runSimulate } from '../../functions/cli/simulate';
import { defaultGateFactory } from '../../functions/cli/simulate-gate';
import { DEFAULT_SIMULATION_LIMITS, type SimulationLimits } from '../../functions/cli/simulate-runner';

const SCENARIOS = resolve(__dirname, '../../examples/scenarios');
const REPORTS = resolve(__dirname, '../../examples/reports');

interface JsonAction {
  type: string;
  buildId?: string;
  refused?: string;
  replayed?: boolean;
  taskArn?: string;
  task?: string;
  reason?: string;
  outcome?: string;
  repeated?: boolean;
  desiredCount?: number;
  service?: string;
  response?: { hookStatus?: string };
  event?: { decision: string; mode: string; action: string; taskArn?: string; rules: string[]; policy: { name: string } };
}
interface JsonResult {
  ok: boolean;
  actions: JsonAction[];
  tasks: { label: string; lastStatus: string; taskDefinition: string; stopCause?: string; images: { digest?: string }[] }[];
  services: { name: string; desiredCount: number; restartLoop: boolean; running: { taskDefinition: string; tasks: number }[] }[];
  counts: { events: number; handlerErrors: number; awsCalls: number; actions: Record<string, number> };
  expectations: { what: string; ok: boolean }[];
}

async function simulate(file: string, format: 'json' | 'timeline' = 'json', limits?: Partial<SimulationLimits>) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) };
  const code = await runSimulate({ scenario: file, format }, io, defaultGateFactory, { ...DEFAULT_SIMULATION_LIMITS, ...limits });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as JsonResult };
}

const started = (result: JsonResult) => result.actions.filter((a) => a.type === 'startScan' && a.buildId && !a.replayed);
const of = (result: JsonResult, type: string) => result.actions.filter((a) => a.type === type);
const task = (result: JsonResult, label: string) => result.tasks.find((t) => t.label === label);

describe('fargate-gate simulate: the example scenarios', () => {
  const files = readdirSync(SCENARIOS).filter((name) => name.endsWith('.json'));

  it('has the scenarios the README lists, and a demo', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'runtask-root-image.json',
        'runtask-override-secret.json',
        'service-compliant.json',
        'service-rollback.json',
        'burst-duplicates.json',
        'scan-error-deny.json',
        'scan-error-allow.json',
        'audit-mode.json',
        'exception.json',
        'lifecycle-hook.json',
        'pause-hook-rolling.json',
        'hook-writable-root-fs.json',
        'running-image-drift.json',
        'organisation-two-members.json',
        'demo.json',
      ]),
    );
  });

  it.each(files)('%s runs, meets its expectations, and never makes the gate throw', async (name) => {
    const run = await simulate(join(SCENARIOS, name));
    const result = run.json();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(result.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(result.counts.handlerErrors).toBe(0);
    for (const stop of of(result, 'stopTask')) expect((stop.reason as string).length).toBeLessThanOrEqual(255);
  });

  it('runtask-root-image: one scan, then each launch stopped with a reason naming the policy, the rules and the build', async () => {
    const result = (await simulate(join(SCENARIOS, 'runtask-root-image.json'))).json();
    expect(started(result)).toHaveLength(1);
    const stops = of(result, 'stopTask');
    expect(stops.map((s) => s.task)).toEqual(['nightly-report', 'rerun']);
    for (const stop of stops) {
      expect(stop.reason).toContain('fargate-gate/default');
      expect(stop.reason).toMatch(/rootUser/);
      expect(stop.reason).toContain(started(result)[0].buildId as string);
    }
  });

  it('runtask-override-secret: once the scan passes, the launch with plaintext AWS keys in its RunTask overrides is stopped by the secrets rule; the plain launch runs', async () => {
    const result = (await simulate(join(SCENARIOS, 'runtask-override-secret.json'))).json();
    expect(started(result)).toHaveLength(1);
    // Both tasks waited for the scan: the decision was made after it, on what DescribeTasks returned.
    expect(of(result, 'stopTask').map((s) => s.task)).toEqual(['export-with-keys']);
    expect(of(result, 'stopTask')[0].reason).toContain('rules: secrets');
    expect(task(result, 'export-with-keys')?.lastStatus).toBe('STOPPED');
    expect(task(result, 'export-plain')?.lastStatus).toBe('RUNNING');
    const verdicts = of(result, 'notify').map((a) => a.event);
    // The waiting tasks are acted on first; the scan's own verdict event (the image alone) follows.
    expect(verdicts.map((e) => [e?.decision, e?.action, e?.rules])).toEqual([
      ['fail', 'stopTask', ['secrets']],
      ['pass', 'none', []],
    ]);
    // The verdict names the variables, never their values.
    expect(JSON.stringify(result.actions)).not.toMatch(/wJalrXUtnFEMI|AKIAIOSFODNN7EXAMPLE/);
  });

  it('burst-duplicates: exactly one scan for the digest and exactly one stop per task, whatever the duplicates and order', async () => {
    const result = (await simulate(join(SCENARIOS, 'burst-duplicates.json'))).json();
    expect(started(result)).toHaveLength(1);
    const stops = of(result, 'stopTask');
    expect(stops.map((s) => s.task).sort()).toEqual(['shard-1', 'shard-2', 'shard-3', 'shard-4']);
    expect(result.counts.events).toBeGreaterThanOrEqual(3 * 13);
  });

  it('service-rollback: one rollback and no second, no scale to zero, no loop; the service runs the previous revision', async () => {
    const result = (await simulate(join(SCENARIOS, 'service-rollback.json'))).json();
    const rollbacks = of(result, 'rollbackDeployment');
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]).toMatchObject({ outcome: 'rolledBack', service: 'notifier' });
    expect(rollbacks[0].repeated).toBeUndefined();
    expect(of(result, 'scaleService')).toHaveLength(0);
    const service = result.services.find((s) => s.name === 'notifier');
    expect(service).toMatchObject({ desiredCount: 2, restartLoop: false, running: [{ taskDefinition: 'notifier:7', tasks: 2 }] });
    const badTasks = result.tasks.filter((t) => t.taskDefinition === 'notifier:8');
    expect(badTasks.length).toBe(2);
    expect(badTasks.every((t) => t.lastStatus === 'STOPPED')).toBe(true);
  });

  it('service-completed-restore: a deployment that completed before its verdict is undone by restoring the revision it replaced, never by scaling to zero', async () => {
    const result = (await simulate(join(SCENARIOS, 'service-completed-restore.json'))).json();
    expect(result.ok).toBe(true);
    expect(of(result, 'rollbackDeployment')).toMatchObject([{ outcome: 'restored', service: 'notifier' }]);
    expect(of(result, 'scaleService')).toEqual([]);
    const service = result.services.find((s) => s.name === 'notifier');
    expect(service).toMatchObject({ desiredCount: 2, restartLoop: false, running: [{ taskDefinition: 'notifier:7', tasks: 2 }] });
    expect(result.tasks.filter((t) => t.taskDefinition === 'notifier:8').every((t) => t.lastStatus === 'STOPPED')).toBe(true);
    const verdicts = of(result, 'notify').map((a) => a.event);
    expect(verdicts.filter((e) => e?.taskArn).map((e) => [e?.decision, e?.action])).toEqual([['fail', 'rollbackDeployment']]);
  });

  it('service-first-deployment: nothing to roll back to, so the service is scaled to zero, once', async () => {
    const run = await simulate(join(SCENARIOS, 'service-first-deployment.json'));
    const result = run.json();
    // Asking to roll back a first deployment changes nothing in ECS: no rollback action, one scale to zero.
    expect(of(result, 'rollbackDeployment')).toEqual([]);
    expect(of(result, 'scaleService')).toMatchObject([{ service: 'cart', desiredCount: 0 }]);
    const timeline = (await simulate(join(SCENARIOS, 'service-first-deployment.json'), 'timeline')).stdout;
    expect(timeline.match(/first deployment: nothing to roll back to/g)).toHaveLength(1);
    expect(result.tasks.every((t) => t.lastStatus === 'STOPPED')).toBe(true);
  });

  it('service-compliant: the scan passes and the gate touches nothing', async () => {
    const result = (await simulate(join(SCENARIOS, 'service-compliant.json'))).json();
    expect(started(result)).toHaveLength(1);
    expect(result.actions.filter((a) => ['stopTask', 'rollbackDeployment', 'scaleService'].includes(a.type))).toEqual([]);
    expect(of(result, 'notify').map((a) => a.event?.decision)).toEqual(['pass']);
  });

  it('scan-error-deny and scan-error-allow: onScanError decides; the decision is error or warn, never fail', async () => {
    const deny = (await simulate(join(SCENARIOS, 'scan-error-deny.json'))).json();
    const allow = (await simulate(join(SCENARIOS, 'scan-error-allow.json'))).json();
    expect(task(deny, 'etl-run')?.lastStatus).toBe('STOPPED');
    expect(task(allow, 'etl-run')?.lastStatus).toBe('RUNNING');
    expect(of(deny, 'notify').map((a) => a.event?.decision)).not.toContain('fail');
    expect(of(allow, 'notify').map((a) => a.event?.decision).every((d) => d === 'warn')).toBe(true);
  });

  it('audit-mode: the verdict says fail and the mode audit, and nothing is stopped', async () => {
    const result = (await simulate(join(SCENARIOS, 'audit-mode.json'))).json();
    expect(of(result, 'stopTask')).toEqual([]);
    const verdicts = of(result, 'notify').map((a) => a.event);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.every((e) => e?.decision === 'fail' && e.mode === 'audit' && e.action === 'none')).toBe(true);
  });

  it('exception: the excepted repository runs, the same content elsewhere is stopped', async () => {
    const result = (await simulate(join(SCENARIOS, 'exception.json'))).json();
    expect(task(result, 'ingest')?.lastStatus).toBe('RUNNING');
    expect(task(result, 'fork')?.lastStatus).toBe('STOPPED');
    expect(of(result, 'stopTask').map((a) => a.task)).toEqual(['fork']);
  });

  it('lifecycle-hook: IN_PROGRESS then FAILED; no task of the refused revision ever starts', async () => {
    const result = (await simulate(join(SCENARIOS, 'lifecycle-hook.json'))).json();
    expect(of(result, 'hookResponse').map((a) => a.response?.hookStatus)).toEqual(['IN_PROGRESS', 'FAILED', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(result.tasks.filter((t) => t.taskDefinition === 'payments:41')).toEqual([]);
    expect(of(result, 'stopTask')).toEqual([]);
  });

  it('hook-writable-root-fs: under strict.json a revision with a writable root filesystem is refused (FAILED) before any task of it starts; the read-only one is admitted', async () => {
    const result = (await simulate(join(SCENARIOS, 'hook-writable-root-fs.json'))).json();
    expect(of(result, 'hookResponse').map((a) => a.response?.hookStatus)).toEqual(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    const refusals = of(result, 'notify').filter((a) => a.event?.action === 'hookFailed');
    expect(refusals.map((a) => [a.event?.policy.name, a.event?.decision, a.event?.rules])).toEqual([['fargate-gate/strict', 'fail', ['hardening.readonlyRootFilesystem']]]);
    expect(result.tasks.filter((t) => t.taskDefinition === 'ledger:8')).toEqual([]);
    expect(result.services.find((s) => s.name === 'ledger')?.running).toEqual([{ taskDefinition: 'ledger:9', tasks: 2 }]);
  });

  it('pause-hook-rolling: the bad revision is held at PRE_SCALE_UP and rolled back before any task of it starts; the good one is continued and rolls out', async () => {
    const result = (await simulate(join(SCENARIOS, 'pause-hook-rolling.json'))).json();
    const continued = of(result, 'continueServiceDeployment') as (JsonAction & { action?: string })[];
    expect(continued.map((a) => [a.service, a.action])).toEqual([
      ['web', 'ROLLBACK'],
      ['web', 'CONTINUE'],
    ]);
    expect(of(result, 'hookResponse')).toEqual([]);
    expect(result.tasks.filter((t) => t.taskDefinition === 'web:2')).toEqual([]);
    expect(result.services.find((s) => s.name === 'web')?.running).toEqual([{ taskDefinition: 'web:3', tasks: 2 }]);

    const timeline = (await simulate(join(SCENARIOS, 'pause-hook-rolling.json'), 'timeline')).stdout;
    expect(timeline).toMatch(/#1 ECS Hook State Change: HOOK_AWAITING_ACTION PRE_SCALE_UP prod\/web deployment \S+\n(?:.*\n)*?.*-- deployment \S+ held at its PAUSE hook, waiting for sha256:9e2f1b0c8d7a/);
    expect(timeline).toMatch(/=> continueServiceDeployment web ROLLBACK .*\n.*\.\. ECS: web \S+ rolled back at its PAUSE hook before any task started/);
    expect(timeline).toMatch(/=> continueServiceDeployment web CONTINUE /);
  });

  it('malformed-events: no scan and no exception, whatever arrives', async () => {
    const result = (await simulate(join(SCENARIOS, 'malformed-events.json'))).json();
    expect(started(result)).toHaveLength(0);
    expect(result.counts.handlerErrors).toBe(0);
    expect(of(result, 'hookResponse')).toHaveLength(1);
  });

  it('gives the same JSON on every run (ids, times and order are seeded)', async () => {
    const first = await simulate(join(SCENARIOS, 'demo.json'));
    const second = await simulate(join(SCENARIOS, 'demo.json'));
    expect(second.stdout).toBe(first.stdout);
  });

  it('prints a timeline with the steps, the events, the gate actions under them, and a summary', async () => {
    const run = await simulate(join(SCENARIOS, 'service-rollback.json'), 'timeline');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^fargate-gate simulate: service-rollback /);
    expect(run.stdout).toMatch(/\+0:00:00 {2}step 1: deploy notifier:8 to service notifier/);
    expect(run.stdout).toMatch(/#\d+ CodeBuild Build State Change: build fargate-gate-scan:[0-9a-f]{8}… SUCCEEDED\n(?:.*(?:=> (?:rollbackDeployment|stopTask|notify fail notifier)|== ).*\n)*.*=> notify fail image/);
    expect(run.stdout).toMatch(/=> rollbackDeployment notifier: fargate-gate: denied/);
    expect(run.stdout).toMatch(/service notifier: desired 2, running notifier:7 x2\n/);
    expect(run.stdout).toMatch(/expectations: 9\/9 met\n$/);
  });
});

describe('fargate-gate simulate: exit codes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
  const write = (name: string, document: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document));
    return file;
  };
  const base = {
    name: 'exit-codes',
    policy: resolve(__dirname, '../../policies/default.json'),
    taskDefinitions: [{ family: 'job', revision: 1, containerDefinitions: [{ name: 'job', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/batch/job:1' }] }],
    images: { '123456789012.dkr.ecr.us-east-1.amazonaws.com/batch/job:1': { digest: `sha256:${'1'.repeat(64)}`, scan: { report: join(REPORTS, 'alpine-root-critical.trivy.json') } } },
    steps: [{ runTask: { taskDefinition: 'job:1', cluster: 'batch', as: 'j' } }, { advanceClock: '5m' }],
  };

  it('is 2, with its own message, when a scenario loops past the bound on gate invocations (a sweep every minute for a day)', async () => {
    const looping = write('sweep-loop.json', { ...base, gate: { sweepEvery: '1m' }, steps: [{ advanceClock: '1d' }] });
    const run = await simulate(looping, 'timeline', { maxInvocations: 50 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fargate-gate simulate: stopped at a bound: the scenario reached the bound of 50 gate invocations \(events delivered and hook calls\) at 2\d{3}-/);
    expect(run.stdout).toBe('');
  });

  it('is 2 when a scenario asks for more simulated time than the bound, before running it', async () => {
    const run = await simulate(write('long.json', { ...base, steps: [...base.steps, { advanceClock: '400d' }] }));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `fargate-gate simulate: stopped at a bound: the scenario reached the bound of ${DEFAULT_SIMULATION_LIMITS.maxSimulatedMs / 86_400_000} days of simulated time at steps[2] (it would run to 400 days after its start): stopped there\n`,
    );
  });

  it('is 2 when the output would pass the bound on its size, and writes none of it', async () => {
    const run = await simulate(write('chatty.json', base), 'timeline', { maxOutputBytes: 500 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fargate-gate simulate: stopped at a bound: the timeline output of exit-codes would be \d+ bytes, more than the bound of 500; nothing was written\n$/);
    expect(run.stdout).toBe('');
  });

  it('is 1 when the scenario runs but an expectation is not met, and says which', async () => {
    const run = await simulate(write('unmet.json', { ...base, expect: { tasks: { j: 'RUNNING' }, actions: { startScan: 2 } } }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('2 expectations of exit-codes not met: startScan actions (expected 2, got 1); task j (expected RUNNING, got STOPPED)');
    expect(run.json().ok).toBe(false);
  });

  it('is 1 when the gate throws while handling an event', async () => {
    let stdout = '';
    const code = await runSimulate(
      { scenario: write('ok.json', base), format: 'json' },
      { stdout: (s) => (stdout += s), stderr: () => undefined },
      () => ({
        handleEvent: async () => {
          throw new Error('boom');
        },
        handleHook: async () => ({ hookStatus: 'SUCCEEDED' }),
      }),
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout).counts.handlerErrors).toBeGreaterThan(0);
  });

  it('is 2, naming the file and the step, when the scenario asks the world for something impossible', async () => {
    const file = write('backwards.json', { ...base, steps: [...base.steps, { taskState: { task: 'j', lastStatus: 'PENDING' } }] });
    const run = await simulate(file);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`fargate-gate simulate: ${file} at steps[2]: task j is already STOPPED; it cannot go back to PENDING\n`);
    expect(run.stdout).toBe('');
  });

  it('is 2 for a file that does not exist', async () => {
    const run = await simulate(join(dir, 'missing.json'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`fargate-gate simulate: ${join(dir, 'missing.json')}: cannot read scenario: no such file or directory\n`);
  });
});
