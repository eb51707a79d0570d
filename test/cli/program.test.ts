import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationResult } from '../../functions/core/result/model';
import { parseJunit } from '../core/render/junit-xml';
import { ANSI, FIXTURE_NOW, REPO_ROOT, cli, fixture, tempDir } from './harness';

const ROOT_CRITICAL = fixture('trivy-payments-api-root-critical.json');
const NONROOT = fixture('trivy-payments-api-nonroot.json');
const UNFIXED_CRITICAL = fixture('trivy-ledger-worker-unfixed-critical.json');
const IMAGE_SECRET = fixture('trivy-payments-api-image-secret.json');
const GRYPE_SIDECAR = fixture('grype-log-router.json');
const TASKDEF = fixture('taskdef-payments.json');
const AUDIT_POLICY = join(REPO_ROOT, 'policies/audit.json');
const DEFAULT_POLICY = join(REPO_ROOT, 'policies/default.json');
/** The plaintext value in overrides-plaintext-key.json: it must never reach any output. */
const PLAINTEXT_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

function json(stdout: string): EvaluationResult {
  return JSON.parse(stdout) as EvaluationResult;
}

function keys(result: EvaluationResult): string[] {
  return result.violations.map((v) => `${v.action} ${v.rule} ${v.container ?? '-'} ${v.id}`).sort();
}

describe('fargate-gate evaluate: decisions and exit codes', () => {
  it('fails a root image with a fixable critical vulnerability: exit 1, both violations', async () => {
    const run = await cli(['evaluate', '--report', ROOT_CRITICAL, '--format', 'json']);
    expect(run.code).toBe(1);
    const result = json(run.stdout);
    expect(result.decision).toBe('fail');
    expect(keys(result)).toEqual(['deny rootUser - rootUser', 'deny vulnerabilities - CVE-2024-45491']);
    // The HIGH without a fix and the MEDIUM are below the default policy's thresholds.
    expect(result.violations.map((v) => v.id)).not.toContain('CVE-2023-52425');
    expect(run.stderr).toBe('');
  });

  it('passes a non-root image with only medium and low findings: exit 0', async () => {
    const run = await cli(['evaluate', '--report', NONROOT, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ decision: 'pass', violations: [] });
  });

  it('warns on an unfixable critical vulnerability and still exits 0', async () => {
    const run = await cli(['evaluate', '--report', UNFIXED_CRITICAL, '--format', 'json']);
    expect(run.code).toBe(0);
    const result = json(run.stdout);
    expect(result.decision).toBe('warn');
    expect(keys(result)).toEqual(['warn vulnerabilities - CVE-2023-45853']);
  });

  it('fails an image with a critical secret in a layer', async () => {
    const run = await cli(['evaluate', '--report', IMAGE_SECRET, '--format', 'json']);
    expect(run.code).toBe(1);
    expect(keys(json(run.stdout))).toEqual(['deny secrets - aws-access-key-id']);
  });

  it('reads Grype reports: the image config without a user means root', async () => {
    const run = await cli(['evaluate', '--report', GRYPE_SIDECAR, '--format', 'json']);
    expect(run.code).toBe(1);
    const result = json(run.stdout);
    expect(keys(result)).toEqual(['deny rootUser - rootUser']);
    expect(result.subject.images[0]).toMatchObject({ scanner: 'grype', scannerVersion: '0.87.0' });
  });

  it('exits 0 under an audit-mode policy even when the result is a failure', async () => {
    const run = await cli(['evaluate', '--report', ROOT_CRITICAL, '--policy', AUDIT_POLICY, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ decision: 'fail', mode: 'audit', policy: { name: 'fargate-gate/audit' } });
  });

  it('judges a report as it is by default; --check-scan-age applies maxScanAge (exit 2, decision error); --now moves the clock', async () => {
    const monthLater = { now: new Date('2025-07-03T00:00:00Z') };
    const asIs = await cli(['evaluate', '--report', NONROOT, '--format', 'json'], monthLater);
    expect(asIs.code).toBe(0);
    expect(json(asIs.stdout)).toMatchObject({ decision: 'pass', errors: [] });

    const stale = await cli(['evaluate', '--report', NONROOT, '--format', 'json', '--check-scan-age'], monthLater);
    expect(stale.code).toBe(2);
    const result = json(stale.stdout);
    expect(result.decision).toBe('error');
    expect(result.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("older than the policy's maxScanAge") })]);

    const asOfThen = await cli(['evaluate', '--report', NONROOT, '--format', 'json', '--check-scan-age', '--now', '2025-06-03T08:00:00Z'], monthLater);
    expect(asOfThen.code).toBe(0);
    expect(json(asOfThen.stdout)).toMatchObject({ decision: 'pass', evaluatedAt: '2025-06-03T08:00:00.000Z' });
  });

  it('passes on what the report could not tell as a warning on stderr (no image config: the user is unknown)', async () => {
    const tmp = tempDir();
    try {
      const report = JSON.parse(readFileSync(NONROOT, 'utf8')) as { Metadata: Record<string, unknown> };
      delete report.Metadata.ImageConfig;
      writeFileSync(tmp.path('no-config.json'), JSON.stringify(report));
      const run = await cli(['evaluate', '--report', tmp.path('no-config.json'), '--format', 'json']);
      expect(run.stderr).toBe(`fargate-gate: warning: ${tmp.path('no-config.json')}: the report has no Metadata.ImageConfig, so the image user and environment are unknown\n`);
      expect(run.code).toBe(1);
      const [violation] = json(run.stdout).violations;
      expect(violation).toMatchObject({ rule: 'rootUser', details: { imageConfigKnown: false } });
      expect(violation.message).toMatch(/may run as root/);
    } finally {
      tmp.cleanup();
    }
  });

  it('records --cluster and --service in the result subject', async () => {
    const run = await cli(['evaluate', '-r', NONROOT, '-f', 'json', '--cluster', 'prod', '--service', 'payments']);
    expect(json(run.stdout).subject).toMatchObject({ cluster: 'prod', service: 'payments' });
  });
});

describe('fargate-gate evaluate: output formats', () => {
  it('table (default): decision, violations, no colour when stdout is not a terminal', async () => {
    const run = await cli(['evaluate', '--report', ROOT_CRITICAL]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL\s+policy "fargate-gate\/default"/);
    expect(run.stdout).toContain('CVE-2024-45491');
    expect(run.stdout).toContain('rootUser');
    expect(run.stdout).not.toMatch(ANSI);
  });

  it('table on a terminal: colour, and lines fitted to the terminal width', async () => {
    const narrow = await cli(['evaluate', '--report', ROOT_CRITICAL], { isTty: true, columns: 80 });
    expect(narrow.stdout).toMatch(ANSI);
    const plainLines = (text: string) => text.replace(new RegExp(ANSI.source, 'g'), '').split('\n');
    const narrowLines = plainLines(narrow.stdout).filter((line) => line.includes('CVE-2024-45491'));
    expect(narrowLines.length).toBeGreaterThan(0);
    for (const line of narrowLines) expect(line.length).toBeLessThanOrEqual(80);

    const wide = await cli(['evaluate', '--report', ROOT_CRITICAL], { isTty: true, columns: 200 });
    const wideRow = plainLines(wide.stdout).find((line) => line.includes('CVE-2024-45491') && line.includes('DENY'));
    expect(wideRow!.length).toBeGreaterThan(80);
    expect(wideRow).toContain('upgrade libexpat1');
  });

  it('json: the full result, parseable, with the policy identity', async () => {
    const run = await cli(['evaluate', '--report', ROOT_CRITICAL, '--format', 'json']);
    const result = json(run.stdout);
    expect(result.policy).toEqual({ name: 'fargate-gate/default', hash: expect.stringMatching(/^[0-9a-f]{64}$/), schemaVersion: '1' });
    expect(result.evaluatedAt).toBe(FIXTURE_NOW.toISOString());
    expect(result.subject.images).toEqual([
      expect.objectContaining({
        reference: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.3.1',
        digest: 'sha256:4f9c2b7a61d0e8f3c5a2b1d9e7f6a3c8b0d4e2f1a9c7b5d3e1f0a8c6b4d2e0f9',
        scanner: 'trivy',
      }),
    ]);
  });

  it('junit: failures for denied rules and findings, one case per rule the default policy has', async () => {
    const run = await cli(['evaluate', '--report', ROOT_CRITICAL, '--format', 'junit']);
    expect(run.code).toBe(1);
    const suite = parseJunit(run.stdout);
    expect(suite.counts.failures).toBeGreaterThanOrEqual(2);
    expect(suite.properties.decision).toBe('fail');
    const ruleCases = suite.cases.filter((c) => c.classname === 'fargate-gate.rules');
    expect(Object.fromEntries(ruleCases.map((c) => [c.name, c.status]))).toEqual({
      rootUser: 'failure',
      vulnerabilities: 'failure',
      secrets: 'passed',
    });
    expect(suite.cases.some((c) => c.status === 'failure' && c.name.startsWith('CVE-2024-45491'))).toBe(true);
  });

  it('junit: a rule the policy disables or lacks is not listed as passed', async () => {
    const run = await cli(['evaluate', '--report', IMAGE_SECRET, '--format', 'junit', '--policy', fixture('policy-root-and-vulns.json')]);
    expect(run.code).toBe(0);
    const ruleCases = parseJunit(run.stdout).cases.filter((c) => c.classname === 'fargate-gate.rules');
    // secrets is present but disabled, misconfigurations and images are absent.
    expect(ruleCases.map((c) => c.name)).toEqual(['rootUser', 'vulnerabilities']);
    expect(ruleCases.every((c) => c.status === 'passed')).toBe(true);
  });

  it('markdown: heading with the decision and a violations table', async () => {
    const run = await cli(['evaluate', '--report', ROOT_CRITICAL, '--format', 'markdown']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^## fargate-gate: FAIL/m);
    expect(run.stdout).toMatch(/^\| Action \| Rule \| Container \| ID \| Severity \| Message \|$/m);
    expect(run.stdout).toMatch(/^\| deny \| vulnerabilities \| - \| CVE-2024-45491 \| critical \|/m);
  });

  it('--output writes the file, keeps stdout empty and prints a one-line summary on stderr', async () => {
    const tmp = tempDir();
    try {
      const run = await cli(['evaluate', '--report', ROOT_CRITICAL, '--format', 'json', '--output', 'result.json'], { cwd: tmp.dir });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe('fargate-gate: FAIL (2 violation(s)); json written to result.json\n');
      expect(json(readFileSync(tmp.path('result.json'), 'utf8')).decision).toBe('fail');

      // A table written to a file carries no colour codes, whatever the terminal.
      const table = await cli(['evaluate', '--report', ROOT_CRITICAL, '--output', tmp.path('result.txt')], { isTty: true, columns: 60 });
      expect(table.code).toBe(1);
      const text = readFileSync(tmp.path('result.txt'), 'utf8');
      expect(text).toContain('CVE-2024-45491');
      expect(text).not.toMatch(ANSI);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('fargate-gate evaluate: task definitions and overrides', () => {
  it('judges each container: the task-definition user decides for the sidecar, the image config for the app', async () => {
    const run = await cli(['evaluate', '-t', TASKDEF, '-r', `api=${ROOT_CRITICAL}`, '-r', `log-router=${GRYPE_SIDECAR}`, '-f', 'json']);
    expect(run.code).toBe(1);
    const result = json(run.stdout);
    expect(keys(result)).toEqual(['deny rootUser api rootUser', 'deny vulnerabilities api CVE-2024-45491']);
    expect(result.subject.taskDefinition).toBe('arn:aws:ecs:eu-west-1:111122223333:task-definition/payments:7');
    expect(result.subject.images.map((i) => i.container)).toEqual(['api', 'log-router']);
    expect(run.stderr).toBe('');
  });

  it('matches unnamed reports to containers by image repository', async () => {
    const named = await cli(['evaluate', '-t', TASKDEF, '-r', `api=${ROOT_CRITICAL}`, '-r', `log-router=${GRYPE_SIDECAR}`, '-f', 'json']);
    const unnamed = await cli(['evaluate', '-t', TASKDEF, '-r', GRYPE_SIDECAR, ROOT_CRITICAL, '-f', 'json']);
    expect(unnamed.code).toBe(1);
    expect(json(unnamed.stdout)).toEqual(json(named.stdout));
  });

  it('a container without a report is judged on its settings and flagged, and onScanError decides', async () => {
    const run = await cli(['evaluate', '-t', TASKDEF, '-r', `log-router=${GRYPE_SIDECAR}`, '-f', 'json']);
    expect(run.stderr).toContain('no report for container "api"');
    const result = json(run.stdout);
    expect(result.decision).toBe('error');
    expect(run.code).toBe(2);
    expect(result.errors).toEqual([expect.objectContaining({ container: 'api' })]);
  });

  it('warns when the task definition pins another digest than the report scanned, and records the pinned one', async () => {
    const tmp = tempDir();
    try {
      const pinned = 'sha256:' + 'ab'.repeat(32);
      const doc = JSON.parse(readFileSync(TASKDEF, 'utf8')) as { taskDefinition: { containerDefinitions: { image: string }[] } };
      doc.taskDefinition.containerDefinitions[0].image = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api@${pinned}`;
      writeFileSync(tmp.path('pinned.json'), JSON.stringify(doc));
      const run = await cli(['evaluate', '-t', tmp.path('pinned.json'), '-r', `api=${NONROOT}`, `log-router=${GRYPE_SIDECAR}`, '-f', 'json']);
      expect(run.stderr).toBe(
        `fargate-gate: warning: ${NONROOT}: the report is for sha256:9a3e5c7b1d2f4e6a8c0b2d4f6e8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f41, ` +
          `but container "api" runs ${pinned}; make sure the report is a scan of the image the task definition runs\n`,
      );
      expect(json(run.stdout).subject.images[0]).toMatchObject({ container: 'api', digest: pinned });
      expect(run.code).toBe(0);
    } finally {
      tmp.cleanup();
    }
  });

  it('applies RunTask overrides: a plaintext credential in the override environment fails, and is never printed', async () => {
    for (const format of ['json', 'table', 'junit', 'markdown']) {
      const run = await cli([
        'evaluate',
        '-t',
        TASKDEF,
        '-r',
        `api=${NONROOT}`,
        `log-router=${GRYPE_SIDECAR}`,
        '--overrides',
        fixture('overrides-plaintext-key.json'),
        '-f',
        format,
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).not.toContain(PLAINTEXT_SECRET);
      if (format === 'json') {
        const result = json(run.stdout);
        expect(keys(result)).toEqual(['deny secrets api plaintext-credential']);
        expect(result.violations[0].details).toMatchObject({ variable: 'AWS_SECRET_ACCESS_KEY', location: 'overrides' });
      }
    }
  });

  it('without the overrides the same task passes', async () => {
    const run = await cli(['evaluate', '-t', TASKDEF, '-r', `api=${NONROOT}`, `log-router=${GRYPE_SIDECAR}`, '-f', 'json']);
    expect(run.code).toBe(0);
    expect(json(run.stdout).decision).toBe('pass');
  });
});

describe('fargate-gate evaluate: bad input is exit 2 with a message that names the file', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  async function expectInputError(argv: string[], ...fragments: (string | RegExp)[]): Promise<string> {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain('unexpected error');
    for (const fragment of fragments) {
      if (typeof fragment === 'string') expect(run.stderr).toContain(fragment);
      else expect(run.stderr).toMatch(fragment);
    }
    return run.stderr;
  }

  it('a missing report file', async () => {
    await expectInputError(['evaluate', '--report', tmp.path('nope.json')], `fargate-gate: ${tmp.path('nope.json')}: cannot read scan report: no such file or directory`);
  });

  it('a directory instead of a report', async () => {
    await expectInputError(['evaluate', '--report', tmp.dir], `${tmp.dir}: cannot read scan report: is a directory`);
  });

  it('an empty report', async () => {
    writeFileSync(tmp.path('empty.json'), '\n');
    await expectInputError(['evaluate', '--report', tmp.path('empty.json')], `${tmp.path('empty.json')}: the scan report is empty; expected a Trivy or Grype JSON report`);
  });

  it('a report that is not JSON, with line and column', async () => {
    writeFileSync(tmp.path('html.json'), '<html>\n<body>502 Bad Gateway</body>\n</html>\n');
    await expectInputError(['evaluate', '--report', tmp.path('html.json')], `${tmp.path('html.json')}: the scan report is not valid JSON at line 1, column 1 (character 0): expected a JSON value\n`);
  });

  it('a truncated report', async () => {
    const text = readFileSync(ROOT_CRITICAL, 'utf8');
    writeFileSync(tmp.path('cut.json'), text.slice(0, Math.floor(text.length / 2)));
    await expectInputError(['evaluate', '--report', tmp.path('cut.json')], tmp.path('cut.json'), 'probably truncated');
  });

  it('an unsupported report format (CycloneDX SBOM)', async () => {
    await expectInputError(['evaluate', '--report', fixture('cyclonedx-sbom.json')], 'cyclonedx-sbom.json: this is a CycloneDX document', '`grype -o json`');
  });

  it('a policy with an invalid value: the file and the JSON path', async () => {
    await expectInputError(
      ['evaluate', '--report', NONROOT, '--policy', fixture('policy-bad-severity.json')],
      'policy-bad-severity.json at rules.vulnerabilities.fixable.minSeverity: expected one of',
      '"severe"',
    );
  });

  it('a missing policy file and a policy that is not JSON', async () => {
    await expectInputError(['evaluate', '--report', NONROOT, '--policy', tmp.path('policy.json')], 'policy.json: cannot read policy: no such file or directory');
    writeFileSync(tmp.path('policy.yaml'), 'schemaVersion: "1"\nname: x\n');
    await expectInputError(['evaluate', '--report', NONROOT, '--policy', tmp.path('policy.yaml')], 'policy.yaml: the policy is not valid JSON at line 1, column 1');
  });

  it('a task definition that is not JSON: position given, content never quoted (it may hold credentials)', async () => {
    writeFileSync(tmp.path('taskdef.json'), '{"containerDefinitions": [{"name": "app", "environment": [{"name": "DB_PASSWORD", "value": "hunter2-s3cret"}\n  oops]}]}');
    const stderr = await expectInputError(['evaluate', '-r', NONROOT, '-t', tmp.path('taskdef.json')], 'taskdef.json: the task definition is not valid JSON at line 2, column 3');
    expect(stderr).not.toContain('hunter2');
  });

  it('a task definition of the wrong shape', async () => {
    writeFileSync(tmp.path('array.json'), '[]');
    await expectInputError(['evaluate', '-r', NONROOT, '-t', tmp.path('array.json')], 'array.json');
  });

  it('a report named for a container the task definition does not have', async () => {
    await expectInputError(['evaluate', '-t', TASKDEF, '-r', `web=${NONROOT}`], 'no container named "web"', '"api", "log-router"');
  });

  it('two reports for one container, with and without a task definition', async () => {
    await expectInputError(['evaluate', '-t', TASKDEF, '-r', `api=${NONROOT}`, `api=${ROOT_CRITICAL}`], 'two reports given for container "api"', NONROOT, ROOT_CRITICAL);
    // Unnamed, but both match the api image.
    await expectInputError(['evaluate', '-t', TASKDEF, '-r', NONROOT, ROOT_CRITICAL], 'two reports given for container "api"');
    await expectInputError(['evaluate', '-r', `api=${NONROOT}`, `api=${ROOT_CRITICAL}`], 'two reports given for container "api"');
  });

  it('a report whose image matches no container of a multi-container task definition', async () => {
    await expectInputError(['evaluate', '-t', TASKDEF, '-r', UNFIXED_CRITICAL], 'cannot tell which container this report is for', `--report CONTAINER=${UNFIXED_CRITICAL}`);
  });

  it('--overrides without --task-definition', async () => {
    await expectInputError(['evaluate', '-r', NONROOT, '--overrides', fixture('overrides-plaintext-key.json')], '--overrides', 'needs --task-definition');
  });

  it('overrides for a container the task definition does not have', async () => {
    await expectInputError(['evaluate', '-t', TASKDEF, '-r', `api=${NONROOT}`, '--overrides', fixture('overrides-unknown-container.json')], 'overrides-unknown-container.json', '"web"');
  });

  it('CONTAINER= without a file', async () => {
    await expectInputError(['evaluate', '-r', 'api='], 'no file after "api="');
  });

  it('an unwritable --output', async () => {
    await expectInputError(['evaluate', '-r', NONROOT, '-o', tmp.path('missing-dir/out.json')], 'cannot write the result (--output): no such file or directory');
    mkdirSync(tmp.path('a-dir'), { recursive: true });
    await expectInputError(['evaluate', '-r', NONROOT, '-o', tmp.path('a-dir')], 'cannot write the result (--output): is a directory');
    expect(existsSync(tmp.path('missing-dir'))).toBe(false);
  });

  it('an invalid --now', async () => {
    await expectInputError(['evaluate', '-r', NONROOT, '--now', '2025-13-45'], '--now: expected an ISO 8601 date');
  });

  it('usage errors: unknown format, missing --report, unknown command or option', async () => {
    await expectInputError(['evaluate', '-r', NONROOT, '--format', 'sarif'], "argument 'sarif' is invalid", 'table, json, junit, markdown');
    await expectInputError(['evaluate'], "required option '-r, --report");
    await expectInputError(['evalute', '-r', NONROOT], "unknown command 'evalute'");
    await expectInputError(['evaluate', '-r', NONROOT, '--polcy', DEFAULT_POLICY], "unknown option '--polcy'");
  });
});

describe('fargate-gate --help and --version', () => {
  it.each([
    [['--help'], 'Usage: fargate-gate [options] [command]', 'evaluate'],
    [['evaluate', '--help'], 'Usage: fargate-gate evaluate [options]', '--task-definition <FILE>'],
    [['help', 'evaluate'], 'Usage: fargate-gate evaluate [options]', 'Exit status: 0 pass or warn'],
    [['policy', '--help'], 'Usage: fargate-gate policy [options] [command]', 'validate <FILE>'],
    [['policy', 'validate', '--help'], 'Usage: fargate-gate policy validate [options] <FILE>', 'JSON path'],
    [['policy', 'schema', '--help'], 'Usage: fargate-gate policy schema [options]', 'JSON Schema'],
  ])('%j prints usage on stdout and exits 0', async (argv, usage, detail) => {
    const run = await cli(argv);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(usage);
    expect(run.stdout).toContain(detail);
    expect(run.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const run = await cli(['--version']);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

describe('fargate-gate policy validate', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('prints the name and hash of a valid policy; the hash ignores formatting and key order but not content', async () => {
    const run = await cli(['policy', 'validate', DEFAULT_POLICY]);
    expect(run.code).toBe(0);
    const match = /: valid policy "fargate-gate\/default" \(schemaVersion 1, sha256 ([0-9a-f]{64})\)\n$/.exec(run.stdout);
    expect(match).not.toBeNull();

    const document = JSON.parse(readFileSync(DEFAULT_POLICY, 'utf8')) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(document).reverse());
    writeFileSync(tmp.path('reordered.json'), JSON.stringify(reordered));
    const same = await cli(['policy', 'validate', tmp.path('reordered.json')]);
    expect(same.stdout).toContain(`sha256 ${match![1]}`);

    writeFileSync(tmp.path('changed.json'), JSON.stringify({ ...document, maxScanAge: '3d' }));
    const changed = await cli(['policy', 'validate', tmp.path('changed.json')]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).not.toContain(match![1]);
  });

  it('validates every shipped policy', async () => {
    for (const name of ['default.json', 'audit.json', 'strict.json']) {
      const run = await cli(['policy', 'validate', join(REPO_ROOT, 'policies', name)]);
      expect([name, run.code, run.stderr]).toEqual([name, 0, '']);
    }
  });

  it('exits 2 with the JSON path of the problem', async () => {
    const run = await cli(['policy', 'validate', fixture('policy-bad-severity.json')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('policy-bad-severity.json at rules.vulnerabilities.fixable.minSeverity');
  });

  it('lists every problem with its path when there are several', async () => {
    writeFileSync(
      tmp.path('two.json'),
      JSON.stringify({ schemaVersion: '1', name: 'x', mode: 'enforce', onScanError: 'maybe', rules: { rootUser: { action: 'block' } } }),
    );
    const run = await cli(['policy', 'validate', tmp.path('two.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('invalid policy (2 problems)');
    expect(run.stderr).toContain('onScanError');
    expect(run.stderr).toContain('rules.rootUser.action');
  });

  it('exits 2 for a missing file', async () => {
    const run = await cli(['policy', 'validate', tmp.path('none.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('none.json: cannot read policy: no such file or directory');
  });
});

describe('fargate-gate policy schema', () => {
  it('prints the JSON Schema checked in as policies/policy.schema.json', async () => {
    const run = await cli(['policy', 'schema']);
    expect(run.code).toBe(0);
    const checkedIn = JSON.parse(readFileSync(join(REPO_ROOT, 'policies/policy.schema.json'), 'utf8'));
    expect(JSON.parse(run.stdout)).toEqual(checkedIn);
  });
});
