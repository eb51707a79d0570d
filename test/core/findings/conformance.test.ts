import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { conformanceFiles, CONFORMANCE_DIR, describeWithConformance } from '../../support/conformance';
import { parseScanReportText } from '../../../functions/core/findings/parse';
import type { FixState, ScanReport } from '../../../functions/core/findings/model';
import { summariseFindings } from '../../../functions/core/findings/summary';
import type { Severity } from '../../../functions/core/severity';
import { inputErrorOf, invariantViolations } from './support';

type Counts<K extends string> = Partial<Record<K, number>>;

/** Facts SOURCES.md documents for a file (severity counts as listed there, before our deduplication unless noted). */
interface Expected {
  severities?: Counts<Severity>;
  fixStates?: Counts<FixState>;
  check?: (report: ScanReport) => void;
}

const onlyNonZero = <K extends string>(counts: Record<K, number>): Counts<K> =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => (n as number) > 0)) as Counts<K>;

const REJECTED: Record<string, RegExp> = {
  'trivy/defectdojo-legacy-v1-array-format.json': /: this is a Trivy report in the legacy format .*re-run the scan with Trivy 0\.20 or later/,
};

const EXPECTED: Record<string, Expected> = {
  'trivy/trivy-golden-alpine-310-medium-fixable-user-unset.json': {
    severities: { medium: 4 },
    fixStates: { fixed: 4 },
    check: (r) => {
      expect(r.image).toMatchObject({ hasImageConfig: true, os: { family: 'alpine', name: '3.10.2', eosl: true } });
      expect(r.image.configUser).toBeUndefined();
    },
  },
  'trivy/trivy-golden-alpine-39-critical-medium-all-fixable.json': { severities: { critical: 2, medium: 4 }, fixStates: { fixed: 6 } },
  'trivy/trivy-golden-alpine-39-no-results.json': {
    severities: {},
    check: (r) => {
      expect(r.image.os).toBeUndefined();
      expect(r.secrets).toEqual([]);
    },
  },
  'trivy/trivy-golden-alpine-distroless-nonroot-user-65532.json': {
    severities: { medium: 1 },
    fixStates: { fixed: 1 },
    check: (r) => expect(r.image).toMatchObject({ configUser: '65532', hasImageConfig: true, envNames: ['PATH', 'SSL_CERT_FILE'] }),
  },
  'trivy/trivy-golden-amazonlinux-2-medium-low.json': { severities: { medium: 1, low: 1 }, fixStates: { fixed: 2 } },
  'trivy/trivy-golden-debian-buster-critical-fixable-low-unfixed.json': {
    severities: { critical: 1, low: 1 },
    fixStates: { fixed: 1, unfixed: 1 },
    check: (r) => expect(r.vulnerabilities.find((v) => v.severity === 'critical')?.fixState).toBe('fixed'),
  },
  'trivy/trivy-golden-debian-stretch-medium-low-mixed-fix.json': { severities: { medium: 4, low: 1 }, fixStates: { fixed: 4, end_of_life: 1 } },
  'trivy/trivy-golden-centos-7-low-medium-one-unfixed.json': { severities: { medium: 1, low: 2 }, fixStates: { fixed: 2, wont_fix: 1 } },
  'trivy/trivy-golden-distroless-base-unfixed-mix.json': {
    severities: { medium: 2, low: 2 },
    check: (r) => {
      expect(r.vulnerabilities.filter((v) => v.severity === 'medium').map((v) => v.fixState)).toEqual(['unfixed', 'unfixed']);
      expect(r.vulnerabilities.filter((v) => v.severity === 'low').map((v) => v.fixState)).toEqual(['fixed', 'fixed']);
    },
  },
  'trivy/trivy-golden-photon-30-two-critical-one-high-fixable.json': { severities: { critical: 2, high: 1 }, fixStates: { fixed: 3 } },
  'trivy/trivy-golden-mariner-1.0-high-unfixed-low-fixed.json': {
    severities: { high: 1, low: 1 },
    check: (r) => {
      expect(r.vulnerabilities.find((v) => v.severity === 'high')?.fixState).toBe('unfixed');
      expect(r.vulnerabilities.find((v) => v.severity === 'low')?.fixState).toBe('fixed');
    },
  },
  'trivy/trivy-golden-ubi-7-low-unfixed-only.json': { severities: { low: 1 }, fixStates: { wont_fix: 1 } },
  'trivy/trivy-golden-ubi-7-comprehensive-os-plus-python-pkg.json': { severities: { high: 1, low: 1 }, fixStates: { fixed: 1, wont_fix: 1 } },
  'trivy/trivy-golden-sle-micro-rancher-5.4-os-pkgs-no-vulns.json': {
    severities: {},
    check: (r) => expect(r.image.os?.family).toBe('slem'),
  },
  'trivy/trivy-golden-spring4shell-jre11-jar-critical.json': {
    severities: { critical: 1 },
    fixStates: { fixed: 1 },
    check: (r) => expect(r.vulnerabilities[0].package.type).toBe('jar'),
  },
  'trivy/trivy-golden-fluentd-image-gemspec-critical-high.json': { severities: { critical: 1, high: 1 }, fixStates: { fixed: 2 } },
  'trivy/trivy-golden-busybox-image-cargo-lockfile-high-medium.json': {
    severities: { high: 1, medium: 1 },
    check: (r) => {
      expect(r.image.os).toBeUndefined();
      expect(r.vulnerabilities.every((v) => v.package.type === 'cargo')).toBe(true);
    },
  },
  'trivy/trivy-golden-repo-npm-medium.json': { severities: { medium: 1 } },
  'trivy/trivy-golden-repo-pip-high-medium.json': { severities: { high: 1, medium: 1 } },
  'trivy/trivy-golden-repo-gomod-unknown-severity.json': { severities: { unknown: 4, medium: 1 } },
  'trivy/trivy-golden-repo-pom-jar-critical-high.json': { severities: { critical: 1, high: 1 }, fixStates: { fixed: 2 } },
  'trivy/trivy-golden-repo-secrets-aws-key-critical.json': {
    severities: {},
    check: (r) => {
      expect(r.secrets.map((s) => [s.ruleId, s.severity, s.category])).toEqual([
        ['aws-access-key-id', 'critical', 'AWS'],
        ['mysecret', 'high', 'Custom'],
      ]);
      expect(r.secrets.every((s) => s.match?.includes('****'))).toBe(true);
      expect(r.secrets[0].location).toEqual({ kind: 'layer', path: 'deploy.sh' });
    },
  },
  'trivy/trivy-golden-repo-dockerfile-ds002-root-user.json': {
    severities: {},
    check: (r) =>
      expect(r.misconfigurations).toEqual([
        expect.objectContaining({ id: 'DS-0002', status: 'fail', severity: 'high', aliases: ['DS-0002', 'DS002', 'AVD-DS-0002'] }),
      ]),
  },
  'trivy/trivy-docs-alpine-latest-repodigest-low.json': {
    severities: { low: 2 },
    fixStates: { fixed: 2 },
    check: (r) => {
      expect(r.image.digest).toMatch(/^sha256:1e42bbe2/);
      expect(r.image.repoDigests).toEqual([`alpine@${r.image.digest}`]);
      expect(r.provenance.scannerVersion).toBeUndefined();
      expect(r.image.configUser).toBeUndefined();
    },
  },
  'trivy/trivy-action-0.72.0-repo-secret-github-pat.json': {
    severities: {},
    check: (r) => {
      expect(r.provenance.scannerVersion).toBe('0.72.0');
      expect(r.secrets.map((s) => [s.ruleId, s.severity])).toEqual([['github-pat', 'critical']]);
    },
  },
  'trivy/trivy-operator-fixture-alpine-3.10.2-vulns-and-image-secrets.json': {
    // No Severity field: Trivy's own derivation from VendorSeverity[SeveritySource = nvd] gives MEDIUM and LOW.
    severities: { medium: 1, low: 1 },
    fixStates: { fixed: 2 },
    check: (r) => {
      expect(r.secrets.map((s) => [s.ruleId, s.severity, s.location])).toEqual([
        ['stripe-publishable-token', 'high', { kind: 'layer', path: '/app/config/secret.yaml' }],
        ['stripe-access-token', 'critical', { kind: 'layer', path: '/app/config/secret.yaml' }],
        ['aws-access-key-id', 'critical', { kind: 'layer', path: '/etc/apt/s3auth.conf' }],
        ['aws-secret-access-key', 'critical', { kind: 'layer', path: '/etc/apt/s3auth.conf' }],
      ]);
      expect(r.image.digest).toMatch(/^sha256:72c42ed4/);
      expect(r.image.hasImageConfig).toBe(false);
    },
  },
  'trivy/defectdojo-image-teamdojo-alpine-jar-critical-fixable.json': {
    severities: { critical: 1, high: 1, medium: 3 },
    fixStates: { fixed: 5 },
    check: (r) => expect(r.image.hasImageConfig).toBe(false),
  },
  'trivy/defectdojo-fs-ds002-secrets-pip.json': {
    severities: { high: 1, medium: 1 },
    check: (r) => {
      expect(r.misconfigurations.map((m) => [m.id, m.status, m.severity])).toEqual([['DS-0002', 'fail', 'high']]);
      expect(r.misconfigurations[0].aliases).toContain('DS002');
      expect(r.secrets.map((s) => [s.ruleId, s.severity, s.location])).toEqual([
        ['github-pat', 'critical', { kind: 'layer', path: 'Dockerfile' }],
        ['github-pat', 'critical', { kind: 'layer', path: 'secret.txt' }],
      ]);
      expect(r.image.hasImageConfig).toBe(false);
    },
  },
  'trivy/defectdojo-image-debian-all-vuln-statuses.json': {
    severities: { low: 8 },
    fixStates: { fixed: 1, unfixed: 2, wont_fix: 1, end_of_life: 1, unknown: 2, not_affected: 1 },
    check: (r) => {
      expect(r.image.reference).toBeUndefined();
      expect(r.image.repoDigests).toEqual([]);
      expect(r.image.digest).toBeUndefined();
      expect(new Set(r.vulnerabilities.map((v) => v.scannerFixState))).toEqual(
        new Set(['affected', 'end_of_life', 'fix_deferred', 'fixed', 'not_affected', 'under_investigation', 'unknown', 'will_not_fix']),
      );
    },
  },
  'grype/grype-snapshot-image-centos8-critical-unfixed-low-fixed.json': {
    severities: { critical: 1, low: 1 },
    check: (r) => {
      expect(r.vulnerabilities.find((v) => v.severity === 'critical')?.fixState).toBe('unknown');
      expect(r.vulnerabilities.find((v) => v.severity === 'low')).toMatchObject({ fixState: 'fixed', package: { fixedVersion: '1.2.1' } });
      expect(r.provenance.scannerVersion).toBeUndefined();
      expect(r.image.digest).toMatch(/^sha256:ca738abb/);
      expect(r.image.os).toEqual({ family: 'centos', name: '8.0' });
    },
  },
  'grype/defectdojo-grype-0.28-debian10-image-critical-high.json': {
    // SOURCES.md counts 3 High: two of them are the same Django match, merged here.
    severities: { critical: 2, high: 2, negligible: 1 },
    check: (r) => {
      expect(r.provenance).toMatchObject({ scannerVersion: '0.28.0', dbBuiltAt: '2021-12-24T08:14:02.000Z' });
      expect(r.image).toMatchObject({ configUser: '1001', hasImageConfig: true, reference: 'vulnerable-image:latest' });
      expect(r.vulnerabilities.find((v) => v.id === 'GHSA-v6rh-hp5x-86rv')).toMatchObject({ aliases: ['CVE-2021-44420'], fixState: 'fixed' });
      expect(JSON.stringify(r)).not.toMatch(/DD_ADMIN_PASSWORD=/);
      // The Dockerfile bakes two passwords into ENV (DD_ADMIN_PASSWORD is empty): secrets of the image config, masked.
      expect(r.secrets.map((s) => [s.ruleId, s.severity, s.location, s.match])).toEqual([
        ['plaintext-credential', 'high', { kind: 'imageConfig', detail: 'ENV DD_CELERY_BROKER_PASSWORD', variable: 'DD_CELERY_BROKER_PASSWORD' }, 'DD_CELERY_BROKER_PASSWORD=********'],
        ['plaintext-credential', 'high', { kind: 'imageConfig', detail: 'ENV DD_DATABASE_PASSWORD', variable: 'DD_DATABASE_PASSWORD' }, 'DD_DATABASE_PASSWORD=********'],
      ]);
      expect(JSON.stringify(r.secrets)).not.toContain('defectdojo');
    },
  },
  'grype/defectdojo-grype-0.96-ubi8-image-java-rpm-repodigest.json': {
    severities: { critical: 1, high: 18, medium: 13, low: 2, unknown: 1 },
    check: (r) => {
      expect(r.vulnerabilities.find((v) => v.severity === 'critical')?.fixState).toBe('fixed');
      expect(r.vulnerabilities.find((v) => v.id === 'CVE-2024-26308')?.severity).toBe('unknown');
      expect(r.image.repoDigests).toEqual([
        'quay.io/cloudservices/xjoin-kafka-connect-strimzi@sha256:97e6d5aeed19f627205b218f45b284cd01ff658dd181416ab1d3e21aeb28d68e',
      ]);
      expect(r.image.digest).toBe('sha256:11557074a2e35fcbb2f367ffe1c6bb90968a56c3a08a48bf9370f8445ae2cc36');
      expect(r.provenance).toMatchObject({ scannerVersion: '0.96.0', dbBuiltAt: '2024-02-22T01:23:26.000Z' });
    },
  },
  'grype/defectdojo-grype-0.94-busybox-binary-epss.json': {
    severities: { critical: 1, high: 10, medium: 2, low: 2 },
    check: (r) => {
      expect(r.vulnerabilities.filter((v) => v.fixState === 'fixed')).toHaveLength(1);
      expect(r.provenance.dbBuiltAt).toBe('2025-06-19T04:12:38.000Z');
      expect(r.image.repoDigests[0]).toMatch(/^busybox@sha256:/);
      expect(r.image).toMatchObject({ hasImageConfig: true, envNames: ['PATH'] });
      expect(r.image.configUser).toBeUndefined();
    },
  },
  'grype/defectdojo-grype-0.75-ubuntu-binary-fix-available.json': {
    severities: { high: 1 },
    fixStates: { fixed: 1 },
    check: (r) => {
      expect(r.vulnerabilities[0].package.fixedVersion).toBe('1.2.3');
      expect(r.image.configUser).toBe('cams');
    },
  },
  'grype/defectdojo-grype-0.75-ubuntu-binary-fix-not-available.json': { severities: { high: 1 }, fixStates: { unknown: 1 } },
};

describeWithConformance('conformance: every Trivy and Grype file in ../shared/conformance', () => {
  const files = [...conformanceFiles('trivy'), ...conformanceFiles('grype')];
  const key = (file: string) => `${basename(join(file, '..'))}/${basename(file)}`;

  it('has files to check, and every documented fact names a file that exists', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const name of [...Object.keys(EXPECTED), ...Object.keys(REJECTED)]) {
      expect(existsSync(join(CONFORMANCE_DIR, name))).toBe(true);
    }
  });

  it.each(files.map((file) => [key(file), file]))('%s parses, or fails with its documented error', (name, file) => {
    const text = readFileSync(file, 'utf8');
    const rejected = REJECTED[name];
    if (rejected) {
      const error = inputErrorOf(() => parseScanReportText(text, name));
      expect(error.message.startsWith(`${name}: `)).toBe(true);
      expect(error.message).toMatch(rejected);
      return;
    }
    const report = parseScanReportText(text, name);
    expect(invariantViolations(report)).toEqual([]);
    const expected = EXPECTED[name];
    if (!expected) return;
    const summary = summariseFindings(report);
    if (expected.severities) expect(onlyNonZero(summary.vulnerabilities.bySeverity)).toEqual(expected.severities);
    if (expected.fixStates) expect(onlyNonZero(summary.vulnerabilities.byFixState)).toEqual(expected.fixStates);
    expected.check?.(report);
  });
});
