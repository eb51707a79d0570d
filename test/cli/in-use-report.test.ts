import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInUseReport } from '../../functions/core/posture/in-use-report';
import { inUseReportSchema, type InUseReport } from '../../functions/core/posture/in-use-report-schema';
import { renderInUseJson } from '../../functions/core/render/in-use-json';
import { REPORT_NOW, digestOf, reportPolicy, use, verdict, vuln } from '../core/posture/in-use-fixtures';
import { REPO_ROOT, cli, tempDir } from './harness';

const loaded = reportPolicy();
const exported: InUseReport = buildInUseReport({
  uses: [use(digestOf('f'), 't1'), use(digestOf('e'), 't2', { service: '=cmd|calc' })],
  verdicts: new Map([
    [digestOf('f'), verdict(loaded, digestOf('f'), [vuln('CVE-2026-0001', 'critical')])],
    [digestOf('e'), verdict(loaded, digestOf('e'), [])],
  ]),
  policy: loaded,
  now: REPORT_NOW,
});

describe('fargate-gate report --in-use FILE', () => {
  const temp = tempDir();
  afterAll(temp.cleanup);
  const file = temp.path('in-use.json');
  writeFileSync(file, renderInUseJson(exported));

  it('renders an export as HTML by default, to standard output', async () => {
    const run = await cli(['report', '--in-use', file]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(run.stdout).toContain(digestOf('f'));
  });

  it('renders CSV and JSON; the JSON is the export again', async () => {
    const csv = await cli(['report', '--in-use', file, '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^digest,decision,/);
    expect(csv.stdout).toContain(',prod/=cmd|calc,');
    const json = await cli(['report', '--in-use', file, '--format', 'json']);
    expect(inUseReportSchema.parse(JSON.parse(json.stdout))).toEqual(exported);
  });

  it('writes to --output and says what it wrote', async () => {
    const out = temp.path('out.html');
    const run = await cli(['report', '--in-use', file, '-o', out]);
    expect(run).toEqual({ code: 0, stdout: '', stderr: `fargate-gate: 2 images in use, 1 failing; html written to ${out}\n` });
    expect(readFileSync(out, 'utf8')).toContain('<table id="in-use">');
  });

  it.each([
    ['a wrong value', (r: Record<string, unknown>) => ({ ...r, rows: [{ ...(r.rows as object[])[0], taskCount: -1 }] }), /bad\.json at rows\[0\]\.taskCount: in-use report: expected at least 0, got the number -1\n$/],
    ['an unknown key', (r: Record<string, unknown>) => ({ ...r, extra: true }), /bad\.json at extra: in-use report: unknown key; expected one of schema, generatedAt, /],
    ['another schema', (r: Record<string, unknown>) => ({ ...r, schema: 'fargate-gate/in-use-report@9' }), /bad\.json at schema: expected an in-use report \("schema": "fargate-gate\/in-use-report@1"\), found "fargate-gate\/in-use-report@9"/],
    ['a scan report', () => ({ SchemaVersion: 2, Results: [] }), /at schema: expected an in-use report .*found no schema/],
  ])('refuses %s with the file and the JSON path, exit 2', async (_name, mutate, message) => {
    const bad = temp.path('bad.json');
    writeFileSync(bad, JSON.stringify(mutate(JSON.parse(renderInUseJson(exported)) as Record<string, unknown>)));
    const run = await cli(['report', '--in-use', bad]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.startsWith(`fargate-gate: ${bad}`)).toBe(true);
  });

  it('refuses text that is not JSON, naming the line', async () => {
    const bad = temp.path('truncated.json');
    writeFileSync(bad, renderInUseJson(exported).slice(0, 200));
    const run = await cli(['report', '--in-use', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/the in-use report is not valid JSON/);
  });

  it('refuses a file over --max-report-size before reading it', async () => {
    const run = await cli(['report', '--in-use', file, '--max-report-size', '1k']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/more than the 1\.0 KiB|1024-byte/);
  });
});

describe('fargate-gate report: arguments', () => {
  it.each([
    [['report'], /exactly one of --in-use FILE .* and --scenario FILE/],
    [['report', '--in-use', 'a.json', '--scenario', 'b.json'], /exactly one of/],
    [['report', '--scenario', 'examples/scenarios/demo.json', '--exception-window', 'soon'], /--exception-window: expected whole days from 0 to 366, got "soon"/],
    [['report', '--in-use', 'a.json', '--exception-window', '7'], /--exception-window applies to --scenario/],
    [['report', '--in-use', 'a.json', '--format', 'pdf'], /argument 'pdf' is invalid/],
  ])('%j: exit 2 and why', async (argv, message) => {
    const run = await cli(argv, { cwd: REPO_ROOT });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

/** An example scenario without its reconcile steps (and their expectations), written where a test can run it. */
function withoutReconciliation(name: string, dir: ReturnType<typeof tempDir>): string {
  const file = join(REPO_ROOT, 'examples/scenarios', name);
  const scenario = JSON.parse(readFileSync(file, 'utf8')) as { policy: string; steps: Record<string, unknown>[]; expect?: unknown };
  const variant = { ...scenario, policy: join(REPO_ROOT, 'examples/scenarios', scenario.policy), steps: scenario.steps.filter((step) => !('reconcile' in step)) };
  delete variant.expect;
  const out = dir.path(name);
  writeFileSync(out, JSON.stringify(variant).replaceAll('"../', `"${join(REPO_ROOT, 'examples')}/`));
  return out;
}

describe('fargate-gate report --scenario FILE', () => {
  const temp = tempDir();
  afterAll(() => temp.cleanup());

  it('renders what the simulated gate recorded in its inventory, not what the simulated world runs', async () => {
    // The STOPPED event of one job never arrives and nothing reconciles: the gate still counts its digest in use.
    const lost = await cli(['report', '--scenario', withoutReconciliation('lost-stopped-event.json', temp), '--format', 'json'], { cwd: REPO_ROOT });
    expect(lost.stderr).toBe('');
    const lostReport = inUseReportSchema.parse(JSON.parse(lost.stdout));
    expect(lostReport.summary).toMatchObject({ images: 1, tasks: 1 });
    // Two tasks started before the gate and nothing reconciles: the gate knows only the one it saw start.
    const before = await cli(['report', '--scenario', withoutReconciliation('reconcile-before-gate.json', temp), '--format', 'json'], { cwd: REPO_ROOT });
    expect(before.stderr).toBe('');
    expect(inUseReportSchema.parse(JSON.parse(before.stdout)).summary).toMatchObject({ images: 1, tasks: 1 });
    // With its reconcile step the same scenario reports all three.
    const reconciled = await cli(['report', '--scenario', 'examples/scenarios/reconcile-before-gate.json', '--format', 'json'], { cwd: REPO_ROOT });
    expect(inUseReportSchema.parse(JSON.parse(reconciled.stdout)).summary).toMatchObject({ images: 1, tasks: 3 });
  });

  it('reports the images the simulated tasks run at the end, judged by the scenario policy', async () => {
    const run = await cli(['report', '--scenario', 'examples/scenarios/demo.json', '--format', 'json'], { cwd: REPO_ROOT });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = inUseReportSchema.parse(JSON.parse(run.stdout));
    const simulated = await cli(['simulate', '--scenario', 'examples/scenarios/demo.json', '--format', 'json'], { cwd: REPO_ROOT });
    const tasks = (JSON.parse(simulated.stdout) as { tasks: { lastStatus: string; service?: string; images: { digest?: string }[] }[] }).tasks;
    // payments' two tasks ran before the gate (a scenario's services start running) and the demo never reconciles, so
    // the gate has not recorded them: the report leaves them out. Every other running task the gate saw start.
    const running = tasks.filter((task) => task.lastStatus === 'RUNNING');
    expect(running.filter((task) => task.service === 'payments')).toHaveLength(2);
    const recorded = running.filter((task) => task.service !== 'payments');
    expect(report.summary.tasks).toBe(recorded.length);
    expect(report.rows.map((row) => row.digest).sort()).toEqual([...new Set(recorded.flatMap((task) => task.images.map((image) => image.digest)))].sort());
    expect(report.rows.flatMap((row) => row.services)).not.toContain('prod/payments');
    expect(report.rows.flatMap((row) => row.services)).toContain('prod/checkout');
    // The batch job's root image runs on in the sandbox cluster, where the policy only audits: reported failing, not enforced.
    expect(report.rows.find((row) => row.clusters.includes('sandbox'))).toMatchObject({ decision: 'fail', mode: 'audit' });
    expect(report.policy.name).toBe((JSON.parse(readFileSync(join(REPO_ROOT, 'examples/scenarios/demo.json'), 'utf8')) as { policy: { name: string } }).policy.name);
  });
});
