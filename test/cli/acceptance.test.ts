import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationResult } from '../../functions/core/result/model';
import { CONFORMANCE_DIR, describeWithConformance } from '../support/conformance';
import { cli, fixture, tempDir } from './harness';

/*
 * The acceptance examples, on the real Trivy goldens, run as a user would type them. The goldens were
 * scanned on 2021-08-25: a report is judged as it is unless --check-scan-age asks for the policy's maxScanAge.
 */
const TRIVY = join(CONFORMANCE_DIR, 'trivy');
const DISTROLESS = join(TRIVY, 'trivy-golden-alpine-distroless-nonroot-user-65532.json');
const ALPINE_39 = join(TRIVY, 'trivy-golden-alpine-39-critical-medium-all-fixable.json');

function result(stdout: string): EvaluationResult {
  return JSON.parse(stdout) as EvaluationResult;
}

describeWithConformance('acceptance examples on the real Trivy goldens (default policy)', () => {
  it('the distroless image with User "65532" passes: exit 0', async () => {
    const run = await cli(['evaluate', '--report', DISTROLESS, '--format', 'json']);
    expect(run.code).toBe(0);
    const judged = result(run.stdout);
    expect(judged.decision).toBe('pass');
    expect(judged.violations).toEqual([]);
    expect(judged.policy.name).toBe('fargate-gate/default');
  });

  it('alpine 3.9 fails: root user (no User in the image config) and fixable critical vulnerabilities, exit 1', async () => {
    const run = await cli(['evaluate', '--report', ALPINE_39, '--format', 'json']);
    expect(run.code).toBe(1);
    const judged = result(run.stdout);
    expect(judged.decision).toBe('fail');
    const root = judged.violations.filter((v) => v.rule === 'rootUser');
    expect(root).toEqual([expect.objectContaining({ action: 'deny', details: expect.objectContaining({ userSource: 'default', imageConfigKnown: true }) })]);
    const vulns = judged.violations.filter((v) => v.rule === 'vulnerabilities');
    expect(vulns.map((v) => `${v.id} ${v.details?.package}`).sort()).toEqual(['CVE-2019-14697 musl', 'CVE-2019-14697 musl-utils']);
    expect(vulns.every((v) => v.kind === 'vulnerability' && v.action === 'deny' && v.severity === 'critical')).toBe(true);
  });

  it('alpine 3.9 under a task definition whose container sets user "1000": no rootUser violation, still fails on the vulnerabilities', async () => {
    const run = await cli(['evaluate', '--report', ALPINE_39, '--task-definition', fixture('taskdef-alpine-user-1000.json'), '--format', 'json']);
    const judged = result(run.stdout);
    expect(judged.violations.filter((v) => v.rule === 'rootUser')).toEqual([]);
    expect(judged.violations.map((v) => v.rule)).toEqual(['vulnerabilities', 'vulnerabilities']);
    expect(judged.violations.every((v) => v.container === 'tools')).toBe(true);
    expect(run.code).toBe(1);
  });

  it('a truncated copy of the alpine report exits 2 with a message naming the file', async () => {
    const tmp = tempDir();
    try {
      const bytes = readFileSync(ALPINE_39);
      const cut = tmp.path('alpine-39-truncated.json');
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      const run = await cli(['evaluate', '--report', cut]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(new RegExp(`^fargate-gate: ${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the scan report is not valid JSON: the text ends at line \\d+`));
      expect(run.stderr).toContain('probably truncated');
    } finally {
      tmp.cleanup();
    }
  });

  it('with --check-scan-age the 2021 scan is too old for maxScanAge 7d (decision error, exit 2), unless judged --now as of then', async () => {
    const stale = await cli(['evaluate', '--report', DISTROLESS, '--format', 'json', '--check-scan-age']);
    expect(stale.code).toBe(2);
    const judged = result(stale.stdout);
    expect(judged.decision).toBe('error');
    expect(judged.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("older than the policy's maxScanAge") })]);

    const then = await cli(['evaluate', '--report', DISTROLESS, '--format', 'json', '--check-scan-age', '--now', '2021-08-26T00:00:00Z']);
    expect(then.code).toBe(0);
    expect(result(then.stdout).decision).toBe('pass');
  });
});
