import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runSimulate } from '../../functions/cli/simulate';
import { renderTimeline } from '../../functions/cli/simulate-output';
import type { ScenarioResult } from '../../functions/cli/simulate-runner';
import type { TimelineEntry } from '../../functions/local/activity';
import { loadScenario } from '../../functions/cli/simulate-scenario';
import { displayWidth } from '../../functions/core/render/text';
import { cli } from './harness';

const SCENARIOS = resolve(__dirname, '../../examples/scenarios');
const DEMO = join(SCENARIOS, 'demo.json');

async function simulate(file: string, options: { logs?: boolean; verbose?: boolean; columns?: number; format?: 'timeline' | 'json' } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runSimulate(
    { scenario: file, format: options.format ?? 'timeline', logs: options.logs, verbose: options.verbose },
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), ...(options.columns ? { columns: options.columns } : {}) },
  );
  return { code, stdout, stderr, lines: stdout.split('\n').filter(Boolean) };
}

/** The keys of a JSON object's top level as written, duplicates included (JSON.parse keeps only the last). */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let keyNext = false;
  for (let i = 0; i < json.length; i += 1) {
    const char = json[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') {
        inString = false;
        if (depth === 1 && keyNext) {
          keys.push(JSON.parse(json.slice(start, i + 1)) as string);
          keyNext = false;
        }
      }
      continue;
    }
    if (char === '"') {
      inString = true;
      start = i;
    } else if (char === '{' || char === '[') {
      depth += 1;
      if (depth === 1) keyNext = true;
    } else if (char === '}' || char === ']') {
      depth -= 1;
    } else if (char === ',' && depth === 1) {
      keyNext = true;
    }
  }
  return keys;
}

const decisionLine = (lines: string[], subject: string) => lines.find((line) => line.includes(`== ${subject} `));

describe('simulate timeline: decision lines name what decided', () => {
  let lines: string[];
  beforeAll(async () => {
    const run = await simulate(DEMO);
    expect(run.code).toBe(0);
    lines = run.lines;
  });

  // The ids are facts of the fixture reports (examples/reports/*.trivy.json) the demo's images are scanned with.
  it('a stopped task: the CVE ids and where the root user comes from', () => {
    const line = decisionLine(lines, 'shard-4');
    expect(line).toMatch(/fail under acme\/production: vulnerabilities .*CVE-2023-5363/);
    expect(line).toContain('root user: no user set in the image config or task definition');
    // One CVE in two packages is named once.
    expect(line?.match(/CVE-2024-5535/g)).toHaveLength(1);
  });

  it('a rolled-back deployment: the secret rule and the file and line it is in', () => {
    expect(decisionLine(lines, 'notifier#3')).toContain('secrets aws-access-key-id (/app/config/.env.production line 3)');
  });

  it('a revision the lifecycle hook refused: its CVE ids', () => {
    expect(decisionLine(lines, 'service payments revision')).toMatch(/^\+0:03:00 .*refused \(fail\) under acme\/production: vulnerabilities .*CVE-2023-5363/);
  });

  it('a pass an exception allowed: the exception, the findings it allowed, its owner and expiry', () => {
    expect(decisionLine(lines, 'ingest')).toMatch(/ingest pass under acme\/production: allowed by exception SEC-2291 CVE-2024-6345 \(owner team-data-platform, expires 2026-06-30\)$/);
  });

  it('an audit-scope failure says it was reported, not enforced', () => {
    expect(decisionLine(lines, 'sandbox-report')).toContain('fail (audit: reported, not enforced)');
  });

  it('a plain pass gets no decision line (the result line says it)', () => {
    expect(decisionLine(lines, 'checkout#3')).toBeUndefined();
    expect(lines.some((line) => line.includes('-- judged pass, nothing to do'))).toBe(true);
  });
});

describe('simulate timeline: routine ignored events', () => {
  it('are counted per reason without --verbose, and listed one by one with it', async () => {
    const quiet = await simulate(DEMO);
    const verbose = await simulate(DEMO, { verbose: true });
    const listed = (reason: string) => verbose.lines.filter((line) => line.includes(`-- ${reason}`)).length;
    const notStarting = listed('ignored: not a starting task');
    const duplicates = listed('skipped: duplicate or out-of-order event');
    // STOPPED events only close the task's uses in the inventory: routine too.
    const stopped = listed('task stopped:');
    // Sweeps every 5 minutes over the demo's simulated day: those that found nothing are routine too.
    const QUIET_SWEEP = /-- sweep: 0 finished, 0 past deadline, 0 retried, 0 still running; posture: \d+ digest\(s\) in use, 0 SBOM and 0 image re-judgement\(s\), 0 report\(s\) judged again$/;
    const quietSweeps = verbose.lines.filter((line) => QUIET_SWEEP.test(line)).length;
    expect(quietSweeps).toBeGreaterThan(0);
    expect(notStarting).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(0);
    expect(stopped).toBeGreaterThan(0);

    expect(quiet.lines.filter((line) => line.includes('-- ignored: not a starting task') || line.includes('-- skipped:') || line.includes('-- task stopped:') || QUIET_SWEEP.test(line))).toEqual([]);
    const summary = quiet.lines.find((line) => /^ {2}\d+ routine events ignored: /.test(line));
    expect(summary).toContain(`not a starting task (${notStarting})`);
    expect(summary).toContain(`duplicate or out-of-order event (${duplicates})`);
    expect(summary).toContain(`task stopped (${stopped})`);
    expect(summary).toContain(`sweep with nothing to do (${quietSweeps})`);
    expect(summary).toContain(`${notStarting + duplicates + stopped + quietSweeps} routine events ignored`);
    // Every item of the list is a reason with its count: no word after the last count reads as one more reason.
    expect(summary).toMatch(/^ {2}\d+ routine events ignored: [^,()]+ \(\d+\)(, [^,()]+ \(\d+\))* \(--verbose lists them\)$/);
    // Under the step they happened in, too.
    expect(quiet.lines).toContainEqual(expect.stringMatching(/^\+0:00:00 {6}\.\. \d+ routine events ignored: duplicate or out-of-order event \(\d+\) \(--verbose lists them\)$/));
    expect(verbose.stdout).not.toContain('routine events ignored');
  });

  it('malformed events are not routine: each stays listed', async () => {
    const quiet = await simulate(join(SCENARIOS, 'malformed-events.json'));
    expect(quiet.lines.some((line) => line.includes('-- ignored (malformed)'))).toBe(true);
  });

  it('an ignored event under which something happened (an action, a world note, an error) stays listed', () => {
    const at = '2026-01-05T09:00:00.000Z';
    const timeline: TimelineEntry[] = [
      { kind: 'step', at, text: 'step 1' },
      { kind: 'event', at, label: '#1', detailType: 'ECS Task State Change', summary: 'quiet', event: {} },
      { kind: 'result', at, label: '#1', text: 'ignored: not a starting task (lastStatus STOPPED)', routine: 'not a starting task' },
      { kind: 'event', at, label: '#2', detailType: 'ECS Task State Change', summary: 'noted', event: {} },
      { kind: 'note', note: { at, trigger: '#2', text: 'ECS: something happened' } },
      { kind: 'result', at, label: '#2', text: 'ignored: not a starting task (lastStatus RUNNING)', routine: 'not a starting task' },
      { kind: 'event', at, label: '#3', detailType: 'ECS Task State Change', summary: 'acted', event: {} },
      { kind: 'action', action: { type: 'scaleService', at, trigger: '#3', cluster: 'c', service: 's', desiredCount: 0, previousCount: 1 } },
      { kind: 'result', at, label: '#3', text: 'skipped: duplicate or out-of-order event', routine: 'duplicate or out-of-order event' },
    ];
    const result = {
      scenario: { name: 'unit', file: '/tmp/unit.json', policy: { name: 'p', hash: 'sha256:0' }, account: '123456789012', region: 'us-east-1' },
      backend: { activity: { timeline } },
      counts: { events: 3, handlerErrors: 0, awsCalls: 0, byMethod: {}, actions: {} },
      tasks: [],
      services: [],
      scans: [],
      expectations: [],
      labelOf: (arn: string) => arn,
      startedAt: at,
      endedAt: at,
    } as unknown as ScenarioResult;
    const text = renderTimeline(result, { cwd: '/tmp' });
    expect(text).not.toContain('#1 ECS');
    expect(text).toContain('#2 ECS Task State Change: noted');
    expect(text).toContain('#3 ECS Task State Change: acted');
    expect(text).toContain('.. 1 routine event ignored: not a starting task (1) (--verbose lists them)');
  });
});

describe('simulate timeline: width', () => {
  const words = (text: string) => text.split(/\s+/).filter(Boolean);

  it('on a terminal, wraps every line at words to the width, never cutting a word', async () => {
    const piped = await simulate(DEMO);
    for (const width of [60, 100]) {
      const fitted = await simulate(DEMO, { columns: width });
      expect(fitted.code).toBe(0);
      // Only a single word wider than the line (a long digest) may pass the width: it stands alone on its line, whole.
      const over = fitted.lines.filter((line) => displayWidth(line) > width);
      expect(over.filter((line) => words(line.trim()).length !== 1)).toEqual([]);
      expect(fitted.lines.length).toBeGreaterThan(piped.lines.length);
      // The same words in the same order: nothing cut, nothing lost.
      expect(words(fitted.stdout)).toEqual(words(piped.stdout));
    }
  });

  it('piped (no terminal width), every line is written whole', async () => {
    const description = (await loadScenario(DEMO)).description as string;
    const piped = await simulate(DEMO);
    expect(piped.lines).toContain(`  ${description}`);
    expect(Math.max(...piped.lines.map((line) => line.length))).toBeGreaterThan(200);
  });

  it('the CLI passes the terminal width through', async () => {
    const run = await cli(['simulate', '--scenario', DEMO], { columns: 80, isTty: true });
    const piped = await cli(['simulate', '--scenario', DEMO]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').length).toBeGreaterThan(piped.stdout.split('\n').length);
    const over = run.stdout.split('\n').filter((line) => displayWidth(line) > 80);
    expect(over.filter((line) => words(line.trim()).length !== 1)).toEqual([]);
    expect(words(run.stdout)).toEqual(words(piped.stdout));
  });
});

describe('simulate --logs', () => {
  it('prints the functions\' log stream: every line JSON, stamped with simulated time', async () => {
    const scenario = await loadScenario(DEMO);
    const run = await simulate(DEMO, { logs: true });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const start = Date.parse(scenario.start);
    // The morning, then the simulated day after it in which the posture sweep finds checkout's drift.
    const end = start + 26 * 60 * 60_000;
    const records = run.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const pino = records.filter((record) => typeof record.msg === 'string');
    const emf = records.filter((record) => record._aws !== undefined);
    expect(pino.length).toBeGreaterThan(0);
    expect(emf.length).toBeGreaterThan(0);
    expect(pino.length + emf.length).toBe(records.length);
    for (const record of pino) {
      const time = Date.parse(String(record.time));
      expect(time).toBeGreaterThanOrEqual(start);
      expect(time).toBeLessThan(end);
      expect(['info', 'warn', 'error']).toContain(record.level);
    }
    for (const record of emf) {
      const timestamp = (record._aws as { Timestamp: number }).Timestamp;
      expect(timestamp).toBeGreaterThanOrEqual(start);
      expect(timestamp).toBeLessThan(end);
    }
    // Simulated time moves: the sweep's deadline stop is 15 minutes in.
    expect(pino.some((record) => String(record.time) === '2026-01-05T09:15:00.000Z')).toBe(true);
  });

  it('a stop carries the policy name and hash and the deciding finding ids', async () => {
    const scenario = await loadScenario(DEMO);
    const records = (await simulate(DEMO, { logs: true })).lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const stops = records.filter((record) => record.msg === 'task stopped');
    expect(stops.length).toBe(7);
    for (const message of ['task stopped', 'task judged', 'service revision refused']) {
      const found = records.filter((record) => record.msg === message && record.decision !== 'pass');
      expect(found.length).toBeGreaterThan(0);
      for (const record of found) expect(record).toMatchObject({ policy: 'acme/production', policyHash: scenario.policy.hash });
    }
    const shard = stops.find((record) => typeof record.taskArn === 'string' && JSON.stringify(record.findings).includes('CVE-2023-5363'));
    expect(shard).toMatchObject({ level: 'warn', decision: 'fail', rules: ['vulnerabilities', 'rootUser'] });
    expect(shard?.findings).toContainEqual({ id: 'rootUser', rule: 'rootUser', container: 'report-builder', where: 'no user set in the image config or task definition' });
    const notifier = stops.find((record) => JSON.stringify(record.findings).includes('aws-access-key-id'));
    expect(notifier?.findings).toContainEqual({ id: 'aws-access-key-id', rule: 'secrets', container: 'notifier', where: '/app/config/.env.production line 3' });
    const refused = records.find((record) => record.msg === 'service revision refused');
    expect(JSON.stringify(refused?.findings)).toContain('CVE-2023-5363');
    const excepted = records.find((record) => record.msg === 'task judged' && record.decision === 'pass');
    expect(excepted?.exceptions).toEqual([{ id: 'SEC-2291', owner: 'team-data-platform', expiresAt: '2026-06-30', findings: ['CVE-2024-6345'] }]);
  });

  it('the pre-scan line of a pushed image names its digest once; no line of any example binds a key twice', async () => {
    const run = await simulate(join(SCENARIOS, 'ecr-push-prescan.json'), { logs: true, verbose: true });
    const started = run.lines.filter((line) => line.includes('"kind":"imagePushed"') && line.includes('"msg":"scan started"'));
    expect(started.length).toBeGreaterThan(0);
    for (const line of started) expect(topLevelKeys(line).filter((key) => key === 'digest')).toHaveLength(1);

    for (const name of readdirSync(SCENARIOS).filter((file) => file.endsWith('.json'))) {
      const lines = (await simulate(join(SCENARIOS, name), { logs: true, verbose: true })).lines;
      const twice = lines.flatMap((line) => {
        const keys = topLevelKeys(line);
        const repeated = keys.filter((key, index) => keys.indexOf(key) !== index);
        return repeated.length > 0 ? [`${name}: ${repeated.join(', ')} in ${String((JSON.parse(line) as { msg?: string }).msg)}`] : [];
      });
      expect(twice).toEqual([]);
    }
  });

  it('shows debug lines only with --verbose, as LOG_LEVEL=info would not', async () => {
    const quiet = await simulate(DEMO, { logs: true });
    const verbose = await simulate(DEMO, { logs: true, verbose: true });
    expect(quiet.stdout).not.toContain('"level":"debug"');
    expect(verbose.stdout).toContain('"level":"debug","time"');
    expect(verbose.stdout).toContain('"msg":"event ignored"');
  });

  it('is refused with --format json (exit 2): the two are different documents', async () => {
    const run = await simulate(DEMO, { logs: true, format: 'json' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--logs');
  });

  it('works through the CLI', async () => {
    const run = await cli(['simulate', '--scenario', DEMO, '--logs']);
    expect(run.code).toBe(0);
    for (const line of run.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
