import { basename, join } from 'node:path';
import type { Decision, EvaluationResult } from '../../functions/core/result/model';
import { conformanceFiles, describeWithConformance } from '../support/conformance';
import { cli, fixture, REPO_ROOT } from './harness';

/*
 * Every real Trivy and Grype report in ../shared/conformance, judged by the CLI under policies/default.json.
 * The expectations below were worked out by hand from each file's content and SOURCES.md, reading the default
 * policy for what it means, not from the engine's output:
 *
 *   rootUser         deny: effective user = task-definition `user`, else image config `User`, else root. A
 *                    report without an image config cannot prove a non-root user, so it counts as root (the
 *                    policy fails closed; the schema says so). Named users ("cams") count as non-root.
 *   secrets          deny scanner secrets of severity high or above, and credentials baked into the image's ENV
 *                    (the plaintext detector, run on the config's Env values) of severity high or above.
 *   vulnerabilities  deny fixable (fix state "fixed") high/critical; warn unfixable critical; nothing else.
 *                    Unknown severity stays unknown (treatUnknownAs defaults to "unknown"), so it never matches.
 *
 * `decision` is for the bare report. `nonRoot` is the same report with a task definition whose only container
 * sets `user: "1000"` (test/fixtures/cli/taskdef-alpine-user-1000.json, with --allow-image-mismatch since it runs
 * alpine and most reports scanned other images): the root verdict drops out and what
 * remains is the secrets and vulnerabilities verdict, which is where the table really tests the engine.
 *
 * Repository and filesystem scans (`trivy repo`, `trivy fs`; rows with `notAnImage`) are not scans of an image, so
 * they cannot vouch for one: bare or with a task definition, the CLI refuses them with exit 2 (issue 7: a CI job that
 * ran `trivy fs` by mistake must not pass the gate). A CI job that means to judge its source tree opts in per report,
 * `--allow-non-image-report FILE` (bare) or `--allow-non-image-report CONTAINER`, and the decisions below are then
 * those under the opt-in. Such a report carries no image config: nothing in it says which user an image built from
 * that source runs as. By the policy's meaning that is "root, unknown", so every such report fails on rootUser when
 * judged bare. With a task-definition user the root question is settled and the findings decide (a Dockerfile's
 * DS-0002 is moot then, since the container definition's user overrides the Dockerfile's USER).
 */

type RuleName = 'rootUser' | 'secrets' | 'vulnerabilities';

interface Expected {
  decision: Decision;
  /** Rules with at least one deny violation, sorted. */
  denied: RuleName[];
  /** Vulnerability ids denied (fixable high/critical) and warned (unfixable critical). */
  vulnDenied?: string[];
  vulnWarned?: string[];
  /** Scanner secret rule ids denied. */
  secrets?: string[];
  nonRoot: Decision;
  /** The report's ArtifactType when it is not an image scan: refused with exit 2 unless --allow-non-image-report names it. */
  notAnImage?: 'filesystem' | 'repository';
}

interface ExpectedError {
  error: string;
}

const TABLE: Record<string, Expected | ExpectedError> = {
  // ---------------- trivy/ ----------------
  // `trivy fs`: zero-value ImageConfig (no os, no architecture) = no image config; DS002 FAIL in the Dockerfile
  // says root too. Two CRITICAL github-pat secrets; pip: HIGH fixable (urllib3 CVE-2021-33503) + MEDIUM.
  'defectdojo-fs-ds002-secrets-pip.json': { decision: 'fail', denied: ['rootUser', 'secrets', 'vulnerabilities'], vulnDenied: ['CVE-2021-33503'], secrets: ['github-pat'], nonRoot: 'fail', notAnImage: 'filesystem' },
  // Image config present, User unset → root. 8 LOW of every status: none reaches a threshold.
  'defectdojo-image-debian-all-vuln-statuses.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  // No ImageConfig at all → root unknown. CRITICAL + HIGH fixable in jars.
  'defectdojo-image-teamdojo-alpine-jar-critical-fixable.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2019-12900', 'CVE-2020-28196'], nonRoot: 'fail' },
  // Pre-0.20 top-level array: unsupported, with a message that says how to get a supported report.
  'defectdojo-legacy-v1-array-format.json': { error: 'legacy format' },
  // `trivy repo`: no image config → root unknown; CRITICAL github-pat.
  'trivy-action-0.72.0-repo-secret-github-pat.json': { decision: 'fail', denied: ['rootUser', 'secrets'], secrets: ['github-pat'], nonRoot: 'fail', notAnImage: 'repository' },
  // alpine:latest, User unset → root; 2 LOW fixable only.
  'trivy-docs-alpine-latest-repodigest-low.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  'trivy-golden-alpine-310-medium-fixable-user-unset.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  // 2 CRITICAL fixable = one CVE in musl and musl-utils.
  'trivy-golden-alpine-39-critical-medium-all-fixable.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2019-14697'], nonRoot: 'fail' },
  // No Results at all: only the root user decides.
  'trivy-golden-alpine-39-no-results.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  // User "65532": non-root; 1 MEDIUM fixable. The one golden that passes bare.
  'trivy-golden-alpine-distroless-nonroot-user-65532.json': { decision: 'pass', denied: [], nonRoot: 'pass' },
  'trivy-golden-amazonlinux-2-medium-low.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  // No OS, cargo only: HIGH fixable.
  'trivy-golden-busybox-image-cargo-lockfile-high-medium.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2019-15542'], nonRoot: 'fail' },
  'trivy-golden-centos-7-low-medium-one-unfixed.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  // CRITICAL fixable denied; the LOW without fix is below every threshold.
  'trivy-golden-debian-buster-critical-fixable-low-unfixed.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2019-18224'], nonRoot: 'fail' },
  'trivy-golden-debian-stretch-medium-low-mixed-fix.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  // gcr distroless/base (not the :nonroot variant): User unset → root. MEDIUM unfixed + LOW fixed: nothing.
  'trivy-golden-distroless-base-unfixed-mix.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  'trivy-golden-fluentd-image-gemspec-critical-high.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2019-18224', 'CVE-2020-8165'], nonRoot: 'fail' },
  // HIGH without a fix: unfixable threshold is critical, so not reported.
  'trivy-golden-mariner-1.0-high-unfixed-low-fixed.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  'trivy-golden-photon-30-two-critical-one-high-fixable.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2019-18276', 'CVE-2019-5481'], nonRoot: 'fail' },
  // `trivy repo` of a Dockerfile: DS-0002 FAIL is the root fact (never a misconfiguration of its own; the default
  // policy has no misconfigurations rule anyway). With a task-definition user it is moot: pass.
  'trivy-golden-repo-dockerfile-ds002-root-user.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass', notAnImage: 'repository' },
  // 4 UNKNOWN (fixable) + 1 MEDIUM: unknown severity is below high.
  'trivy-golden-repo-gomod-unknown-severity.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass', notAnImage: 'repository' },
  'trivy-golden-repo-npm-medium.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass', notAnImage: 'repository' },
  'trivy-golden-repo-pip-high-medium.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2019-14806'], nonRoot: 'fail', notAnImage: 'repository' },
  'trivy-golden-repo-pom-jar-critical-high.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2020-9548', 'CVE-2021-20190'], nonRoot: 'fail', notAnImage: 'repository' },
  // CRITICAL aws-access-key-id and the HIGH custom rule: both at or above high.
  'trivy-golden-repo-secrets-aws-key-critical.json': { decision: 'fail', denied: ['rootUser', 'secrets'], secrets: ['aws-access-key-id', 'mysecret'], nonRoot: 'fail', notAnImage: 'repository' },
  // One os-pkgs result without a Vulnerabilities key.
  'trivy-golden-sle-micro-rancher-5.4-os-pkgs-no-vulns.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  'trivy-golden-spring4shell-jre11-jar-critical.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2022-22965'], nonRoot: 'fail' },
  // HIGH fixable (python setuptools) denied; LOW will_not_fix ignored.
  'trivy-golden-ubi-7-comprehensive-os-plus-python-pkg.json': { decision: 'fail', denied: ['rootUser', 'vulnerabilities'], vulnDenied: ['CVE-2022-40897'], nonRoot: 'fail' },
  'trivy-golden-ubi-7-low-unfixed-only.json': { decision: 'fail', denied: ['rootUser'], nonRoot: 'pass' },
  // No ImageConfig (ImageID present: an image) → root unknown. 4 image secrets, HIGH and CRITICAL. The 2 vulns
  // have no Severity, only VendorSeverity (LOW/MEDIUM): below high whichever way they are read.
  'trivy-operator-fixture-alpine-3.10.2-vulns-and-image-secrets.json': {
    decision: 'fail',
    denied: ['rootUser', 'secrets'],
    secrets: ['aws-access-key-id', 'aws-secret-access-key', 'stripe-access-token', 'stripe-publishable-token'],
    nonRoot: 'fail',
  },

  // ---------------- grype/ ----------------
  // config.User "1001": non-root. High fixed (Django, GHSA id) denied; Critical wont-fix in libc-bin and libc6
  // warned; High wont-fix (with versions listed) is unfixable and below critical; Negligible ignored. The image
  // config's Env bakes in DD_DATABASE_PASSWORD=defectdojo and DD_CELERY_BROKER_PASSWORD=defectdojo (literal
  // passwords anyone who pulls the image can read; DD_ADMIN_PASSWORD is empty): two high plaintext credentials,
  // denied by the secrets rule.
  'defectdojo-grype-0.28-debian10-image-critical-high.json': {
    decision: 'fail',
    denied: ['secrets', 'vulnerabilities'],
    vulnDenied: ['GHSA-v6rh-hp5x-86rv'],
    vulnWarned: ['CVE-2021-33574'],
    secrets: ['plaintext-credential'],
    nonRoot: 'fail',
  },
  // User "cams" (named, non-root). High with fix.state fixed.
  'defectdojo-grype-0.75-ubuntu-binary-fix-available.json': { decision: 'fail', denied: ['vulnerabilities'], vulnDenied: ['CVE-2009-3882'], nonRoot: 'fail' },
  // Same scan, High with fix.state unknown: unfixable, below critical. Passes.
  'defectdojo-grype-0.75-ubuntu-binary-fix-not-available.json': { decision: 'pass', denied: [], nonRoot: 'pass' },
  // busybox: config.User "" → root. Critical with empty fix state and no versions → unknown → unfixable: warn.
  'defectdojo-grype-0.94-busybox-binary-epss.json': { decision: 'fail', denied: ['rootUser'], vulnWarned: ['CVE-2022-48174'], nonRoot: 'warn' },
  // User "1001". 1 Critical + 8 High fixed (4 distinct ids); the match without severity is unknown, ignored.
  'defectdojo-grype-0.96-ubi8-image-java-rpm-repodigest.json': {
    decision: 'fail',
    denied: ['vulnerabilities'],
    vulnDenied: ['CVE-2023-2828', 'CVE-2023-3341', 'CVE-2023-39410', 'CVE-2023-44981'],
    nonRoot: 'fail',
  },
  // config null → root unknown. Critical without fix → warn; Low fixed ignored.
  'grype-snapshot-image-centos8-critical-unfixed-low-fixed.json': { decision: 'fail', denied: ['rootUser'], vulnWarned: ['CVE-1999-0002'], nonRoot: 'warn' },
};

const EXIT_FOR: Record<Decision, number> = { pass: 0, warn: 0, fail: 1, error: 2 };
const DEFAULT_POLICY = join(REPO_ROOT, 'policies/default.json');
const USER_1000 = fixture('taskdef-alpine-user-1000.json');

function summary(result: EvaluationResult) {
  const ids = (rule: string, action: string) => [...new Set(result.violations.filter((v) => v.rule === rule && v.action === action).map((v) => v.id))].sort();
  return {
    decision: result.decision,
    denied: [...new Set(result.violations.filter((v) => v.action === 'deny').map((v) => v.rule))].sort(),
    vulnDenied: ids('vulnerabilities', 'deny'),
    vulnWarned: ids('vulnerabilities', 'warn'),
    secrets: ids('secrets', 'deny'),
    warnedRules: [...new Set(result.violations.filter((v) => v.action === 'warn').map((v) => v.rule))].sort(),
  };
}

const files = [...conformanceFiles('trivy'), ...conformanceFiles('grype')];

describeWithConformance('conformance decision table (policies/default.json)', () => {
  it('has a row for every conformance report, and no row for a file that is gone', () => {
    expect(files.map((f) => basename(f)).sort()).toEqual(Object.keys(TABLE).sort());
  });

  describe.each(files.map((file) => [basename(file), file]))('%s', (name, file) => {
    const expected = TABLE[name];

    if (expected && 'error' in expected) {
      it(`is rejected with exit 2: ${expected.error}`, async () => {
        const run = await cli(['evaluate', '--report', file, '--policy', DEFAULT_POLICY, '--format', 'json']);
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toContain(`fargate-gate: ${file}: `);
        expect(run.stderr).toContain(expected.error);
        expect(run.stderr).not.toContain('unexpected error');
      });
      return;
    }

    const row = expected as Expected;
    // The opt-in a report that is not an image scan needs: the report file (bare) or the task definition's container.
    const bareWaiver = row.notAnImage ? ['--allow-non-image-report', file] : [];
    const containerWaiver = row.notAnImage ? ['--allow-non-image-report', 'tools'] : [];

    if (row.notAnImage) {
      it(`is refused with exit 2 as a scan of a ${row.notAnImage}, bare or for a container, unless named by --allow-non-image-report`, async () => {
        for (const argv of [[], ['--task-definition', USER_1000, '--allow-image-mismatch']]) {
          const run = await cli(['evaluate', '--report', file, ...argv, '--policy', DEFAULT_POLICY, '--format', 'json']);
          expect(run.code).toBe(2);
          expect(run.stdout).toBe('');
          expect(run.stderr).toContain(`fargate-gate: ${file}: the report is a scan of a ${row.notAnImage} (ArtifactType "${row.notAnImage}"), not of an image`);
          expect(run.stderr).toContain(`--allow-non-image-report ${argv.length > 0 ? 'tools' : file}`);
        }
      });
    }

    it('bare report: decision, exit code and the violations behind them', async () => {
      const run = await cli(['evaluate', '--report', file, ...bareWaiver, '--policy', DEFAULT_POLICY, '--format', 'json']);
      const result = JSON.parse(run.stdout) as EvaluationResult;
      expect(result.errors).toEqual([]);
      expect(summary(result)).toEqual({
        decision: row.decision,
        denied: row.denied,
        vulnDenied: row.vulnDenied ?? [],
        vulnWarned: row.vulnWarned ?? [],
        secrets: row.secrets ?? [],
        warnedRules: row.vulnWarned ? ['vulnerabilities'] : [],
      });
      expect(run.code).toBe(EXIT_FOR[row.decision]);
    });

    it('with a task definition that sets user "1000": the root verdict drops out', async () => {
      // The task definition runs alpine; most reports scanned other images, so the mismatch check is waived on purpose.
      const run = await cli(['evaluate', '--report', file, '--task-definition', USER_1000, '--allow-image-mismatch', ...containerWaiver, '--format', 'json']);
      const result = JSON.parse(run.stdout) as EvaluationResult;
      expect(result.violations.filter((v) => v.rule === 'rootUser')).toEqual([]);
      expect(result.decision).toBe(row.nonRoot);
      expect(run.code).toBe(EXIT_FOR[row.nonRoot]);
    });

    it('renders as table, JUnit and Markdown with the same exit code', async () => {
      for (const format of ['table', 'junit', 'markdown']) {
        const run = await cli(['evaluate', '--report', file, ...bareWaiver, '--format', format]);
        expect([format, run.code]).toEqual([format, EXIT_FOR[row.decision]]);
        // stderr holds only what the normaliser warns about (a missing image config, for instance).
        for (const line of run.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^fargate-gate: warning: /);
        expect(run.stdout.length).toBeGreaterThan(0);
      }
    });
  });
});
