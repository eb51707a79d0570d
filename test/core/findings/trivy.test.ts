import fc from 'fast-check';
import { assertProperty } from '../../support/property';
import { normaliseTrivyReport } from '../../../functions/core/findings/trivy';
import { parseScanReportText } from '../../../functions/core/findings/parse';
import type { ScanReport, VulnerabilityFinding } from '../../../functions/core/findings/model';
import { fixtureJson, inputErrorOf, invariantViolations } from './support';

const EDGE = 'trivy/image-edge-cases.json';
/** The edge-case report's "SEVERE" is no severity word Trivy writes: read as unknown, and said so. */
const SEVERE =
  'vulnerabilities with a severity word the gate does not know ("SEVERE") were read as "unknown" severity, which the vulnerabilities rule judges as its treatUnknownAs says: 1 ("CVE-2024-0007")';

function byId(report: ScanReport, id: string, pkg?: string): VulnerabilityFinding {
  const found = report.vulnerabilities.filter((v) => v.id === id && (pkg === undefined || v.package.name === pkg));
  expect(found).toHaveLength(1);
  return found[0];
}

describe('normaliseTrivyReport: a container image report with every edge case', () => {
  const raw = fixtureJson(EDGE);
  const report = normaliseTrivyReport(raw, EDGE);
  const [layer1, layer2] = raw.Metadata.Layers.map((l: { Digest: string }) => l.Digest);
  const diff2 = raw.Metadata.Layers[1].DiffID;
  const manifest = raw.Metadata.RepoDigests[0].split('@')[1];

  it('satisfies the model invariants', () => {
    expect(invariantViolations(report)).toEqual([]);
  });

  it('takes provenance from Trivy.Version, CreatedAt (as UTC) and SchemaVersion', () => {
    expect(report.provenance).toEqual({
      scanner: 'trivy',
      scannerVersion: '0.58.1',
      scannedAt: '2025-01-14T08:12:44.123Z',
      schemaVersion: 2,
    });
  });

  it('takes image facts from Metadata, with the manifest digest from RepoDigests', () => {
    expect(report.image).toEqual({
      reference: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.4.2',
      repoDigests: [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api@${manifest}`],
      digest: manifest,
      imageId: raw.Metadata.ImageID,
      configUser: 'node',
      hasImageConfig: true,
      envNames: ['PATH', 'NODE_ENV', 'STRIPE_SECRET_KEY', 'EMPTY_VALUE'],
      os: { family: 'debian', name: '12.8', eosl: false },
    });
  });

  it('never keeps an environment value', () => {
    expect(JSON.stringify(report)).not.toContain('value-that-must-never-leave-the-normaliser');
  });

  it.each([
    ['CVE-2024-5535', 'libssl3', 'fixed', 'fixed'],
    ['CVE-2024-0001', 'curl', 'unfixed', 'affected'],
    ['CVE-2024-0002', 'libtiff6', 'wont_fix', 'will_not_fix'],
    ['CVE-2024-0003', 'systemd', 'unfixed', 'fix_deferred'],
    ['CVE-2024-0004', 'libdb5.3', 'end_of_life', 'end_of_life'],
    ['CVE-2024-0005', 'bash', 'not_affected', 'not_affected'],
    ['CVE-2024-0006', 'perl-base', 'unknown', 'under_investigation'],
    ['TEMP-0841856-B18BAF', 'bash', 'unknown', 'unknown'],
    ['CVE-2024-0007', 'zlib1g', 'fixed', undefined],
    ['CVE-2024-0008', 'login', 'unfixed', undefined],
  ])('%s in %s: fix state %s from Status %s', (id, pkg, fixState, status) => {
    const finding = byId(report, id, pkg);
    expect(finding.fixState).toBe(fixState);
    expect(finding.scannerFixState).toBe(status);
  });

  it('maps severities, with a word Trivy does not define as unknown', () => {
    expect(byId(report, 'CVE-2024-0001').severity).toBe('high');
    expect(byId(report, 'TEMP-0841856-B18BAF').severity).toBe('unknown');
    expect(byId(report, 'CVE-2024-0007').severity).toBe('unknown');
  });

  it('keeps the package, its versions, type, purl and where it was found', () => {
    expect(byId(report, 'CVE-2024-0001')).toEqual({
      id: 'CVE-2024-0001',
      aliases: [],
      severity: 'high',
      fixState: 'unfixed',
      scannerFixState: 'affected',
      package: {
        name: 'curl',
        installedVersion: '7.88.1-10+deb12u8',
        type: 'debian',
        purl: 'pkg:deb/debian/curl@7.88.1-10+deb12u8?arch=amd64&distro=debian-12.8',
        path: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.4.2 (debian 12.8)',
      },
      title: 'curl: issue CVE-2024-0001',
      target: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.4.2 (debian 12.8)',
      primaryUrl: 'https://avd.aquasec.com/nvd/cve-2024-0001',
    });
    const fixed = byId(report, 'CVE-2024-5535', 'libssl3');
    expect(fixed.package.fixedVersion).toBe('3.0.15-1~deb12u1');
  });

  it('merges the duplicate CVE-2024-5535/libssl3: highest severity, every vendor id once', () => {
    const merged = byId(report, 'CVE-2024-5535', 'libssl3');
    expect(merged.severity).toBe('critical');
    expect(merged.aliases).toEqual(['DSA-5532-1', 'DLA-3942-1']);
    expect(byId(report, 'CVE-2024-5535', 'openssl').aliases).toEqual([]);
    expect(report.vulnerabilities).toHaveLength(13);
  });

  it('keeps one language-package finding per file path, with PkgPath as the path', () => {
    const lodash = report.vulnerabilities.filter((v) => v.id === 'GHSA-35jh-r3h4-6jhm');
    expect(lodash.map((v) => v.package.path)).toEqual([
      'app/node_modules/lodash/package.json',
      'app/node_modules/legacy-lib/node_modules/lodash/package.json',
    ]);
    expect(lodash[0]).toMatchObject({ target: 'Node.js', package: { type: 'node-pkg', purl: 'pkg:npm/lodash@4.17.20', fixedVersion: '4.17.21' } });
  });

  it('reads secrets in files with their layer, and secrets in the image config', () => {
    expect(report.secrets).toEqual([
      {
        ruleId: 'aws-access-key-id',
        category: 'AWS',
        severity: 'critical',
        title: 'AWS Access Key ID',
        location: { kind: 'layer', path: '/app/config/.env', layerDigest: layer2 },
        startLine: 2,
        match: 'AWS_ACCESS_KEY_ID=********************',
      },
      {
        ruleId: 'aws-secret-access-key',
        category: 'AWS',
        severity: 'critical',
        title: 'AWS Secret Access Key',
        location: { kind: 'layer', path: '/app/config/.env', layerDigest: diff2 },
        startLine: 3,
        match: 'AWS_SECRET_ACCESS_KEY=****************************************',
      },
      {
        ruleId: 'stripe-secret-token',
        category: 'Stripe',
        severity: 'critical',
        title: 'Stripe Secret Key',
        location: { kind: 'imageConfig', detail: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.4.2' },
        startLine: 31,
        match: '"STRIPE_SECRET_KEY=********************************",',
      },
    ]);
    expect(layer1).not.toBe(layer2);
  });

  it('reads misconfigurations with the canonical id and every spelling, for FAIL, PASS and EXCEPTION', () => {
    expect(report.misconfigurations).toEqual([
      {
        id: 'DS-0002',
        aliases: ['DS-0002', 'DS002', 'AVD-DS-0002'],
        severity: 'high',
        status: 'fail',
        title: "Image user should not be 'root'",
        message: "Last USER command in Dockerfile should not be 'root'",
        target: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.4.2',
      },
      {
        id: 'DS-0026',
        aliases: ['DS-0026', 'DS026', 'AVD-DS-0026'],
        severity: 'low',
        status: 'pass',
        title: 'No HEALTHCHECK defined',
        message: 'Add HEALTHCHECK instruction in your Dockerfile',
        target: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.4.2',
      },
      {
        id: 'DS-0005',
        aliases: ['DS-0005', 'DS005', 'AVD-DS-0005'],
        severity: 'low',
        status: 'exception',
        title: 'ADD instead of COPY',
        message: "Consider using 'COPY' instead of 'ADD'",
        target: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.4.2',
      },
    ]);
  });

  it('warns of nothing but the severity word it could not read', () => {
    expect(report.warnings).toEqual([SEVERE]);
  });
});

describe('normaliseTrivyReport: variants of the edge-case report', () => {
  const variant = (change: (doc: any) => void): ScanReport => {
    const doc = fixtureJson(EDGE);
    change(doc);
    return normaliseTrivyReport(doc, 'variant.json');
  };

  it('derives a missing Severity from VendorSeverity[SeveritySource], as trivy-operator reports need', () => {
    const report = variant((doc) => {
      const v = doc.Results[0].Vulnerabilities[1];
      delete v.Severity;
      v.SeveritySource = 'nvd';
      v.VendorSeverity = { debian: 1, nvd: 4 };
    });
    expect(byId(report, 'CVE-2024-0001').severity).toBe('critical');
  });

  it.each([
    ['no SeveritySource', (v: any) => delete v.SeveritySource],
    ['a source missing from VendorSeverity', (v: any) => (v.SeveritySource = 'redhat')],
    ['a score out of range', (v: any) => (v.VendorSeverity = { debian: 9 })],
    ['a score that is not a number', (v: any) => (v.VendorSeverity = { debian: 'HIGH' })],
  ])('without Severity and with %s, severity is unknown', (_label, change) => {
    const report = variant((doc) => {
      const v = doc.Results[0].Vulnerabilities[1];
      delete v.Severity;
      change(v);
    });
    expect(byId(report, 'CVE-2024-0001').severity).toBe('unknown');
  });

  it('records an image report without ImageConfig as "config unknown", with a warning', () => {
    const report = variant((doc) => delete doc.Metadata.ImageConfig);
    expect(report.image).toMatchObject({ hasImageConfig: false, envNames: [] });
    expect(report.image.configUser).toBeUndefined();
    expect(report.warnings).toEqual(['the report has no Metadata.ImageConfig, so the image user and environment are unknown', SEVERE]);
  });

  it('treats an empty config.User as no user, while the config is known', () => {
    const report = variant((doc) => (doc.Metadata.ImageConfig.config.User = ''));
    expect(report.image.hasImageConfig).toBe(true);
    expect(report.image.configUser).toBeUndefined();
  });

  it('keeps config.User exactly as written (root checks are the policy engine\'s job)', () => {
    expect(variant((doc) => (doc.Metadata.ImageConfig.config.User = 'root:root')).image.configUser).toBe('root:root');
  });

  it('takes the digest from the first RepoDigest that has a well-formed one', () => {
    const good = `sha256:${'b'.repeat(64)}`;
    const report = variant((doc) => (doc.Metadata.RepoDigests = ['', 'REDACTED', 'example.com/app@sha256:short', `example.com/app@${good}`]));
    expect(report.image.repoDigests).toEqual(['REDACTED', 'example.com/app@sha256:short', `example.com/app@${good}`]);
    expect(report.image.digest).toBe(good);
  });

  it('has no digest when no RepoDigest has one', () => {
    const report = variant((doc) => (doc.Metadata.RepoDigests = ['']));
    expect(report.image.repoDigests).toEqual([]);
    expect(report.image.digest).toBeUndefined();
  });

  it('treats a secret result named after the artifact as a file when the scan was not of an image', () => {
    const report = variant((doc) => (doc.ArtifactType = 'filesystem'));
    expect(report.secrets.find((s) => s.ruleId === 'stripe-secret-token')?.location).toEqual({
      kind: 'layer',
      path: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.4.2',
    });
  });

  it('accepts null where Go writes a nil slice or pointer', () => {
    const report = variant((doc) => {
      doc.Results[1].Vulnerabilities = null;
      doc.Results[3].Secrets = null;
      doc.Metadata.OS = null;
      doc.Trivy = null;
    });
    expect(report.vulnerabilities.some((v) => v.target === 'Node.js')).toBe(false);
    expect(report.secrets).toHaveLength(1);
    expect(report.image.os).toBeUndefined();
    expect(report.provenance.scannerVersion).toBeUndefined();
  });

  it('accepts a misconfiguration status in any letter case', () => {
    const report = variant((doc) => (doc.Results[5].Misconfigurations[0].Status = 'fail'));
    expect(report.misconfigurations[0].status).toBe('fail');
  });

  it('uses the RuleID as the title when a secret has none, and an empty category', () => {
    const report = variant((doc) => {
      delete doc.Results[4].Secrets[0].Title;
      delete doc.Results[4].Secrets[0].Category;
    });
    expect(report.secrets[2]).toMatchObject({ title: 'stripe-secret-token', category: '' });
  });

  it.each([
    ['a VulnerabilityID that is a number', (doc: any) => (doc.Results[0].Vulnerabilities[3].VulnerabilityID = 2024), 'Results[0].Vulnerabilities[3].VulnerabilityID', 'expected a string, got the number 2024'],
    ['an empty VulnerabilityID', (doc: any) => (doc.Results[0].Vulnerabilities[3].VulnerabilityID = '  '), 'Results[0].Vulnerabilities[3].VulnerabilityID', 'expected a non-empty string'],
    ['a vulnerability without PkgName', (doc: any) => delete doc.Results[1].Vulnerabilities[0].PkgName, 'Results[1].Vulnerabilities[0].PkgName', 'is required: expected a string'],
    ['Vulnerabilities that is an object', (doc: any) => (doc.Results[1].Vulnerabilities = {}), 'Results[1].Vulnerabilities', 'expected an array, got an object'],
    ['a secret without RuleID', (doc: any) => delete doc.Results[3].Secrets[1].RuleID, 'Results[3].Secrets[1].RuleID', 'expected a string'],
    ['a StartLine that is text', (doc: any) => (doc.Results[3].Secrets[0].StartLine = 'two'), 'Results[3].Secrets[0].StartLine', 'expected a number'],
    ['an unknown misconfiguration status', (doc: any) => (doc.Results[5].Misconfigurations[2].Status = 'SKIPPED'), 'Results[5].Misconfigurations[2].Status', 'expected one of "FAIL", "PASS", "EXCEPTION", got the string "SKIPPED"'],
    ['a misconfiguration without ID', (doc: any) => delete doc.Results[5].Misconfigurations[1].ID, 'Results[5].Misconfigurations[1].ID', 'expected a string'],
    ['a secret result without Target', (doc: any) => delete doc.Results[3].Target, 'Results[3].Target', 'expected a Target naming the file'],
    ['config.User that is a number', (doc: any) => (doc.Metadata.ImageConfig.config.User = 1000), 'Metadata.ImageConfig.config.User', 'expected a string, got the number 1000'],
    ['Env values that are not strings', (doc: any) => (doc.Metadata.ImageConfig.config.Env = [{ name: 'A' }]), 'Metadata.ImageConfig.config.Env[0]', 'expected a string, got an object'],
    ['a CreatedAt that is not a timestamp', (doc: any) => (doc.CreatedAt = 'last Tuesday'), 'CreatedAt', 'expected an RFC 3339 timestamp'],
    ['EOSL that is a string', (doc: any) => (doc.Metadata.OS.EOSL = 'yes'), 'Metadata.OS.EOSL', 'expected true or false, got the string "yes"'],
  ])('rejects %s, naming the JSON path', (_label, change, path, expected) => {
    const doc = fixtureJson(EDGE);
    change(doc);
    const error = inputErrorOf(() => normaliseTrivyReport(doc, 'scan/report.json'));
    expect(error.source).toBe('scan/report.json');
    expect(error.path).toBe(path);
    expect(error.message).toContain(`scan/report.json at ${path}: `);
    expect(error.message).toContain(expected);
  });

  it('counts the further problems in a report with many', () => {
    const doc = fixtureJson(EDGE);
    for (const v of doc.Results[0].Vulnerabilities) delete v.VulnerabilityID;
    expect(inputErrorOf(() => normaliseTrivyReport(doc, 'r.json')).message).toMatch(/: Trivy report: is required: expected a string \(and 11 more problems\)$/);
  });
});

describe('normaliseTrivyReport: small reports', () => {
  it('reads a report without Results as an image with no findings; OS family "none" is no OS', () => {
    const report = normaliseTrivyReport(fixtureJson('trivy/image-no-results.json'), 'r.json');
    expect(report.vulnerabilities).toEqual([]);
    expect(report.secrets).toEqual([]);
    expect(report.misconfigurations).toEqual([]);
    expect(report.image.os).toBeUndefined();
    expect(report.image.hasImageConfig).toBe(true);
    expect(report.image.configUser).toBeUndefined();
    expect(report.image.repoDigests).toHaveLength(1);
    expect(report.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(invariantViolations(report)).toEqual([]);
  });

  it('reads empty Results; a Go zero CreatedAt is no scan time; a root user "0:0" is kept', () => {
    const report = normaliseTrivyReport(fixtureJson('trivy/image-empty-results.json'), 'r.json');
    expect(report.vulnerabilities).toEqual([]);
    expect(report.provenance.scannedAt).toBeUndefined();
    expect(report.image.configUser).toBe('0:0');
    expect(report.image.envNames).toEqual(['PATH']);
  });

  it('reads a filesystem scan: its zero-value ImageConfig is no image config, and no warning', () => {
    const report = normaliseTrivyReport(fixtureJson('trivy/filesystem-zero-image-config.json'), 'r.json');
    expect(report.image).toEqual({ reference: '.', repoDigests: [], hasImageConfig: false, envNames: [] });
    expect(report.misconfigurations.map((m) => [m.id, m.status, m.target])).toEqual([['DS-0002', 'fail', 'Dockerfile']]);
    expect(report.warnings).toEqual([]);
  });

  it('rejects Results that is not an array', () => {
    const error = inputErrorOf(() => normaliseTrivyReport(fixtureJson('trivy/bad-results-not-array.json'), 'bad.json'));
    expect(error.message).toBe('bad.json at Results: Trivy report: expected an array, got an object');
  });

  it('rejects a vulnerability without VulnerabilityID, naming its exact place', () => {
    const error = inputErrorOf(() => normaliseTrivyReport(fixtureJson('trivy/bad-vulnerability-without-id.json'), 'bad.json'));
    expect(error.message).toBe(
      'bad.json at Results[2].Vulnerabilities[0].VulnerabilityID: Trivy report: is required: expected a string',
    );
  });
});

describe('normaliseTrivyReport: credentials baked into the image ENV', () => {
  const variant = (change: (doc: any) => void): ScanReport => {
    const doc = fixtureJson(EDGE);
    change(doc);
    return normaliseTrivyReport(doc, 'variant.json');
  };
  const envFindings = (report: ScanReport) => report.secrets.filter((s) => s.location.kind === 'imageConfig' && s.location.detail?.startsWith('ENV '));

  it("does not report again a variable Trivy's own image-config secret scanner reported", () => {
    const report = normaliseTrivyReport(fixtureJson(EDGE), EDGE);
    expect(envFindings(report)).toEqual([]);
    expect(report.secrets.filter((s) => s.location.kind === 'imageConfig')).toHaveLength(1);
  });

  it('reports it when Trivy ran without its image-config secret scanner, masked, as a finding of the image config', () => {
    const report = variant((doc) => (doc.Results[4].Secrets = null));
    expect(envFindings(report)).toEqual([
      {
        ruleId: 'plaintext-credential',
        category: 'Generic',
        severity: 'high',
        title: 'Credential-like variable with a literal value',
        location: { kind: 'imageConfig', detail: 'ENV STRIPE_SECRET_KEY', variable: 'STRIPE_SECRET_KEY' },
        match: 'STRIPE_SECRET_KEY=********',
      },
    ]);
    expect(JSON.stringify(report)).not.toContain('value-that-must-never-leave-the-normaliser');
    expect(invariantViolations(report)).toEqual([]);
  });

  it('reports other ENV credentials next to what Trivy found, and never their values', () => {
    const report = variant((doc) => doc.Metadata.ImageConfig.config.Env.push('PGPASSWORD=Pg-Passw0rd-123', 'REDIS_URL=redis://:R3disPassw0rd@redis:6379/0'));
    expect(envFindings(report).map((s) => [s.ruleId, s.location])).toEqual([
      ['plaintext-credential', { kind: 'imageConfig', detail: 'ENV PGPASSWORD', variable: 'PGPASSWORD' }],
      ['url-password', { kind: 'imageConfig', detail: 'ENV REDIS_URL', variable: 'REDIS_URL' }],
    ]);
    const text = JSON.stringify(report);
    expect(text).not.toContain('Pg-Passw0rd-123');
    expect(text).not.toContain('R3disPassw0rd');
  });

  it('counts a variable Trivy matched in the image history (`ENV NAME=...`) as reported', () => {
    const report = variant((doc) => {
      doc.Metadata.ImageConfig.config.Env.push('DB_PASSWORD=hunter2-literal');
      doc.Results[4].Secrets.push({ ...doc.Results[4].Secrets[0], RuleID: 'custom-db', StartLine: 40, Match: '"created_by": "ENV DB_PASSWORD=********"' });
    });
    expect(envFindings(report)).toEqual([]);
  });

  it('judges no environment when the report has no image config', () => {
    expect(envFindings(variant((doc) => delete doc.Metadata.ImageConfig))).toEqual([]);
  });
});

describe('normaliseTrivyReport: gaps are said, never read as the lenient value silently', () => {
  const variant = (change: (doc: any) => void): ScanReport => {
    const doc = fixtureJson(EDGE);
    change(doc);
    return normaliseTrivyReport(doc, 'variant.json');
  };

  it('a Status trivy-db does not document: unknown fix state, with a warning naming the word', () => {
    const report = variant((doc) => (doc.Results[0].Vulnerabilities[1].Status = 'patched_upstream'));
    expect(byId(report, 'CVE-2024-0001').fixState).toBe('unknown');
    expect(report.warnings).toContain(
      'vulnerabilities with a Status trivy-db does not document ("patched_upstream") have an unknown fix state and are judged by the unfixable thresholds: 1 ("CVE-2024-0001")',
    );
  });

  it('a vulnerability without Severity and without a usable VendorSeverity: unknown, with a warning', () => {
    const report = variant((doc) => {
      delete doc.Results[0].Vulnerabilities[1].Severity;
      delete doc.Results[0].Vulnerabilities[1].SeveritySource;
    });
    expect(byId(report, 'CVE-2024-0001').severity).toBe('unknown');
    expect(report.warnings).toContain(
      'vulnerabilities with no severity were read as "unknown" severity, which the vulnerabilities rule judges as its treatUnknownAs says: 1 ("CVE-2024-0001")',
    );
  });

  it('a secret without Severity: unknown, with a warning that only a minSeverity of "unknown" judges it', () => {
    const report = variant((doc) => {
      const result = doc.Results.find((r: any) => (r.Secrets ?? []).length > 0);
      delete result.Secrets[0].Severity;
    });
    expect(report.warnings?.filter((w) => w.startsWith('secrets with no severity were read as "unknown" severity, which only a secrets minSeverity of "unknown" judges: 1 ('))).toHaveLength(1);
  });

  it('an explicit UNKNOWN is the scanner\'s own word: no warning', () => {
    const report = variant((doc) => {
      doc.Results[0].Vulnerabilities[1].Severity = 'UNKNOWN';
      doc.Results[0].Vulnerabilities[1].Status = 'unknown';
    });
    expect(byId(report, 'CVE-2024-0001')).toMatchObject({ severity: 'unknown', fixState: 'unknown' });
    expect(report.warnings).toEqual([SEVERE]);
  });
});

describe('normaliseTrivyReport: what was scanned (artifact)', () => {
  it.each([
    ['trivy/image-edge-cases.json', { kind: 'image', type: 'container_image' }],
    ['trivy/filesystem-zero-image-config.json', { kind: 'other', type: 'filesystem' }],
  ])('%s: %j', (file, artifact) => {
    expect(normaliseTrivyReport(fixtureJson(file), file).artifact).toEqual(artifact);
  });

  // Trivy's artifact types (pkg/fanal/artifact: container_image, filesystem, repository, cyclonedx, spdx, aws_account, vm):
  // only container_image, spelt exactly so, is an image scan; another spelling is not taken for one (refused, never passed).
  it.each(['filesystem', 'repository', 'cyclonedx', 'spdx', 'aws_account', 'vm', 'CONTAINER_IMAGE', 'Container_Image', 'container-image', ' container_image x'])(
    'ArtifactType %j on an image report is not an image scan',
    (type) => {
      const doc = fixtureJson(EDGE);
      doc.ArtifactType = type;
      expect(normaliseTrivyReport(doc, 'r.json').artifact).toEqual({ kind: 'other', type: type.trim() });
    },
  );

  it('without ArtifactType: an image only with an image id, image config or repository digest', () => {
    const doc = fixtureJson(EDGE);
    delete doc.ArtifactType;
    expect(normaliseTrivyReport(doc, 'r.json').artifact).toEqual({ kind: 'image' });
    for (const key of ['ImageID', 'ImageConfig', 'RepoDigests']) delete doc.Metadata[key];
    expect(normaliseTrivyReport(doc, 'r.json').artifact).toEqual({ kind: 'unstated' });
  });
});

describe('normaliseTrivyReport: the quick read of vulnerabilities gives what zod gives', () => {
  /**
   * A vulnerability of another prototype than JSON's is one the quick read leaves to zod (which reads its fields the
   * same), so the same report with one such copy is read by zod alone: the two outcomes (report, or error) must match.
   */
  const zodOnly = (vulnerability: object) => Object.assign(Object.create({}), vulnerability) as object;
  function outcome(report: unknown): unknown {
    try {
      return normaliseTrivyReport(report, 'r.json');
    } catch (error) {
      return { error: (error as Error).message };
    }
  }
  const field = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.constantFrom('', '  ', 'CVE-2024-1', ' cve-2024-2 ', 'HIGH', 'critical', 'fixed', 'will_not_fix', 'nvd', 'x'),
    fc.string({ maxLength: 6 }),
    fc.integer({ min: -1, max: 5 }),
    fc.boolean(),
    fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null)), { minLength: 1, maxLength: 2 }),
    fc.constant([]),
    fc.dictionary(fc.constantFrom('PURL', 'nvd', 'ghsa', '__proto__', 'constructor'), fc.oneof(fc.integer({ min: 0, max: 4 }), fc.string({ maxLength: 4 }), fc.constant(null)), { minKeys: 1 }),
    fc.record({ PURL: fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 4 })) }),
  );
  const vulnerability = fc.record(
    {
      VulnerabilityID: field,
      PkgName: field,
      VendorIDs: field,
      PkgPath: field,
      PkgIdentifier: field,
      InstalledVersion: field,
      FixedVersion: field,
      Status: field,
      Severity: field,
      SeveritySource: field,
      VendorSeverity: field,
      Title: field,
      PrimaryURL: field,
    },
    { requiredKeys: [] },
  );
  const wellFormed = fc.record({
    VulnerabilityID: fc.constantFrom('CVE-2024-1', ' GHSA-aaaa-bbbb-cccc ', 'CVE-2024-2'),
    PkgName: fc.constantFrom('openssl', ' zlib '),
    InstalledVersion: fc.constantFrom('1.0', ''),
    Severity: fc.constantFrom('HIGH', 'LOW', 'SEVERE', ''),
    SeveritySource: fc.constant('nvd'),
    VendorSeverity: fc.constant({ nvd: 3 }),
    Status: fc.constantFrom('fixed', 'affected', 'odd'),
    FixedVersion: fc.constantFrom('1.1', undefined),
    VendorIDs: fc.constantFrom(undefined, null, ['DSA-1'], ['CVE-2024-1']),
    PkgIdentifier: fc.constantFrom(undefined, null, { PURL: 'pkg:deb/debian/openssl@1.0' }),
  });

  // A well-formed vulnerability with one field (any of the declared ones, or an undeclared one) set to any value.
  const oneFieldOff = fc
    .tuple(wellFormed, fc.constantFrom('VulnerabilityID', 'PkgName', 'VendorIDs', 'PkgPath', 'PkgIdentifier', 'InstalledVersion', 'FixedVersion', 'Status', 'Severity', 'SeveritySource', 'VendorSeverity', 'Title', 'PrimaryURL', 'Other'), field)
    .map(([v, key, value]) => ({ ...v, [key]: value }));

  const base = { VulnerabilityID: 'CVE-2024-1', PkgName: 'openssl', InstalledVersion: '1.0', Severity: '', SeveritySource: 'nvd', VendorSeverity: { nvd: 3 } };
  const single = (vulnerability: object) => ({ SchemaVersion: 2, ArtifactName: 'img', Results: [{ Target: 't', Vulnerabilities: [vulnerability] }] });
  it.each([
    ['a padded id', { VulnerabilityID: ' cve-2024-1 ' }],
    ['a blank id', { VulnerabilityID: '  ' }],
    ['a numeric package name', { PkgName: 5 }],
    ['a numeric title', { Title: 5 }],
    ['an object severity', { Severity: {} }],
    ['a vendor id that is not text', { VendorIDs: ['DSA-1', 7] }],
    ['vendor ids that are not a list', { VendorIDs: 'DSA-1' }],
    ['a numeric purl', { PkgIdentifier: { PURL: 1 } }],
    ['a package identifier that is a list', { PkgIdentifier: [] }],
    ['vendor severities that are a list', { VendorSeverity: [3] }],
    ['a vendor severity under __proto__', { SeveritySource: '__proto__', VendorSeverity: JSON.parse('{"__proto__": 4}') }],
    ['a vendor severity under constructor', { SeveritySource: 'constructor', VendorSeverity: { constructor: 4 } }],
    ['an undeclared constructor field', { constructor: 'x' }],
    ['package identifier with a constructor field', { PkgIdentifier: { PURL: 'pkg:x', constructor: 1 } }],
    ['nulls where Go writes nil', { VendorIDs: null, PkgIdentifier: null, VendorSeverity: null, Title: null }],
  ])('%s', (_name, change) => {
    const vulnerability = { ...base, ...change };
    expect(outcome(single(vulnerability))).toEqual(outcome(single(zodOnly(vulnerability))));
  });

  // The quick read leaves Vulnerabilities unread by zod, so a result whose Vulnerabilities is no list must still get
  // zod's error with its JSON path (the one a report of only well-formed results before it cannot hide).
  it.each([['a string', '"x"', 'the string "x"'], ['a number', '5', 'the number 5'], ['an object', '{"VulnerabilityID": "CVE-2024-1"}', 'an object'], ['a boolean', 'true', 'true']])(
    'Vulnerabilities that are %s: the JSON path and what it is',
    (_name, value, described) => {
      const report = JSON.parse(`{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": [${JSON.stringify(base)}]}, {"Target": "u", "Vulnerabilities": ${value}}]}`);
      expect(() => normaliseTrivyReport(report, 'r.json')).toThrow(`r.json at Results[1].Vulnerabilities: Trivy report: expected an array, got ${described}`);
    },
  );

  it('for any vulnerabilities, well-formed or not', () => {
    assertProperty(
      fc.property(fc.array(fc.array(fc.oneof({ arbitrary: wellFormed, weight: 1 }, { arbitrary: oneFieldOff, weight: 8 }, { arbitrary: vulnerability, weight: 1 }), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }), (results) => {
        const report = (forceZod: boolean) => ({
          SchemaVersion: 2,
          ArtifactName: 'img',
          ArtifactType: 'container_image',
          Results: results.map((vulnerabilities, i) => ({
            Target: `t${i}`,
            Type: 'debian',
            Vulnerabilities: vulnerabilities.map((v, j) => (forceZod && i === 0 && j === 0 ? zodOnly(v) : { ...v })),
          })),
        });
        expect(outcome(report(false))).toEqual(outcome(report(true)));
      }),
      { numRuns: 2000 },
    );
  });

  // parseScanReportText tells the normaliser its value came from JSON.parse, which skips the symbol check only such a
  // value cannot fail: through the text, the outcome is still zod's.
  it('for any vulnerabilities, well-formed or not, read from the text of the report', () => {
    assertProperty(
      fc.property(fc.array(fc.oneof({ arbitrary: wellFormed, weight: 1 }, { arbitrary: oneFieldOff, weight: 8 }, { arbitrary: vulnerability, weight: 1 }), { minLength: 1, maxLength: 3 }), (vulnerabilities) => {
        const text = JSON.stringify({ SchemaVersion: 2, ArtifactName: 'img', Results: [{ Target: 't', Type: 'debian', Vulnerabilities: vulnerabilities }] });
        const zodRead = JSON.parse(text) as { Results: { Vulnerabilities: object[] }[] };
        zodRead.Results[0].Vulnerabilities[0] = zodOnly(zodRead.Results[0].Vulnerabilities[0]);
        expect(textOutcome(text)).toEqual(outcome(zodRead));
      }),
      { numRuns: 1000 },
    );
  });

  // The quick read makes every result's findings before the secrets and misconfigurations of any result are read, and
  // replays what making them noted: the warnings (which gap first) must come in the order zod's way notes them.
  it('for results mixing vulnerabilities, secrets and misconfigurations that are noted: the same warnings in the same order', () => {
    const noted = fc.record({
      VulnerabilityID: fc.constantFrom('CVE-2024-1', 'CVE-2024-2'),
      PkgName: fc.constantFrom('openssl', 'zlib'),
      Severity: fc.constantFrom('HIGH', 'SEVERE', '', 'unknown'),
      Status: fc.constantFrom('fixed', 'odd', 'stranger', undefined),
    });
    const secret = fc.record({ RuleID: fc.constantFrom('aws-access-key-id', 'github-pat'), Severity: fc.constantFrom('CRITICAL', '', 'WHATEVER') });
    const misconfiguration = fc.record({ ID: fc.constantFrom('DS002', 'DS026'), Status: fc.constantFrom('FAIL', 'PASS'), Severity: fc.constantFrom('HIGH', '', 'ODD') });
    const result = fc.record(
      { Vulnerabilities: fc.array(noted, { maxLength: 3 }), Secrets: fc.array(secret, { maxLength: 2 }), Misconfigurations: fc.array(misconfiguration, { maxLength: 2 }) },
      { requiredKeys: [] },
    );
    assertProperty(
      fc.property(fc.array(result, { minLength: 1, maxLength: 3 }), (results) => {
        const text = JSON.stringify({ SchemaVersion: 2, ArtifactName: 'img', Results: results.map((r, i) => ({ Target: `t${i}`, Type: 'debian', ...r })) });
        // zod's way: a first result whose one vulnerability is of another prototype (the quick read leaves that to zod).
        const zodRead = JSON.parse(text) as { Results: { Vulnerabilities?: object[] }[] };
        zodRead.Results.unshift({ Target: 'z', Vulnerabilities: [zodOnly({ VulnerabilityID: 'CVE-2000-1', PkgName: 'first', Severity: 'LOW' })] } as never);
        const quick = textOutcome(JSON.stringify({ ...JSON.parse(text), Results: [{ Target: 'z', Vulnerabilities: [{ VulnerabilityID: 'CVE-2000-1', PkgName: 'first', Severity: 'LOW' }] }, ...JSON.parse(text).Results] }));
        const zod = outcome(zodRead);
        expect(quick).toEqual(zod);
        expect((quick as { warnings?: string[] }).warnings).toEqual((zod as { warnings?: string[] }).warnings);
      }),
      { numRuns: 1000 },
    );
  });

  it('vendor severities with a symbol key in a value built in code: zod decides, as before', () => {
    const vulnerability = { ...base, VendorSeverity: { nvd: 3, [Symbol.for('x')]: 1 } };
    expect(outcome(single(vulnerability))).toEqual(outcome(single(zodOnly(vulnerability))));
  });
});

function textOutcome(text: string): unknown {
  try {
    return parseScanReportText(text, 'r.json');
  } catch (error) {
    return { error: (error as Error).message };
  }
}
