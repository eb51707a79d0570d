import { normaliseGrypeReport } from '../../../functions/core/findings/grype';
import type { ScanReport } from '../../../functions/core/findings/model';
import { fixtureJson, inputErrorOf, invariantViolations } from './support';

const EDGE = 'grype/image-edge-cases.json';
/** The edge-case report's match without a severity (as Grype writes one its data has no rating for) is noted, not read as "unknown" silently. */
const NO_SEVERITY =
  'vulnerabilities with no severity were read as "unknown" severity, which the vulnerabilities rule judges as its treatUnknownAs says: 1 ("CVE-2024-26308")';
/** The edge-case report's CVE-2022-42004 has a `fix` with an empty versions list and no state, which no Grype writes: noted, not read as "unknown" silently. */
const STATELESS_FIX =
  'vulnerabilities with a vulnerability.fix that has neither state nor versions have an unknown fix state and are judged by the unfixable thresholds: 1 ("CVE-2022-42004")';
const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');

describe('normaliseGrypeReport: an image report with every edge case', () => {
  const raw = fixtureJson(EDGE);
  const report = normaliseGrypeReport(raw, EDGE);
  const find = (id: string, pkg?: string) => {
    const found = report.vulnerabilities.filter((v) => v.id === id && (pkg === undefined || v.package.name === pkg));
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('satisfies the model invariants', () => {
    expect(invariantViolations(report)).toEqual([]);
  });

  it('takes provenance from descriptor: version, timestamp (UTC) and db.status.built', () => {
    expect(report.provenance).toEqual({
      scanner: 'grype',
      scannerVersion: '0.86.1',
      scannedAt: '2025-01-14T10:20:30.456Z',
      dbBuiltAt: '2025-01-14T04:11:00.000Z',
    });
  });

  it('decodes the base64 image config for the user and the env names, and keeps no value', () => {
    expect(report.image).toEqual({
      reference: '123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2.3.0',
      repoDigests: [`123456789012.dkr.ecr.us-east-1.amazonaws.com/orders@${raw.source.target.manifestDigest}`],
      digest: raw.source.target.manifestDigest,
      imageId: raw.source.target.imageID,
      configUser: '1001:0',
      hasImageConfig: true,
      envNames: ['PATH', 'JAVA_HOME', 'DB_PASSWORD', 'FEATURE_FLAG'],
      os: { family: 'ubuntu', name: '22.04' },
    });
    const text = JSON.stringify(report);
    expect(text).not.toContain('correct-horse-battery-staple');
    expect(text).not.toContain(raw.source.target.config);
  });

  it('merges the advisory and the CVE it relates to (one vulnerability, two ids): CVE id, advisory alias, first fix version', () => {
    expect(report.vulnerabilities.filter((v) => v.id === 'GHSA-jfh8-c2jp-5v3q')).toEqual([]);
    expect(find('CVE-2021-44228')).toEqual({
      id: 'CVE-2021-44228',
      aliases: ['GHSA-jfh8-c2jp-5v3q'],
      severity: 'critical',
      fixState: 'fixed',
      scannerFixState: 'fixed',
      package: {
        name: 'log4j-core',
        installedVersion: '2.14.1',
        fixedVersion: '2.15.0',
        type: 'java-archive',
        purl: 'pkg:maven/log4j-core@2.14.1',
        path: '/app.jar:BOOT-INF/lib/log4j-core-2.14.1.jar',
      },
      primaryUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
    });
  });

  it.each([
    ['CVE-2023-44487', 'unfixed', 'not-fixed'],
    ['CVE-2022-1471', 'wont_fix', 'wont-fix'],
    ['CVE-2024-22262', 'unknown', 'unknown'],
    ['CVE-2024-26308', 'fixed', 'fixed'],
    ['CVE-2023-2976', 'fixed', undefined],
    ['CVE-2020-8908', 'unknown', undefined],
    ['CVE-2022-42003', 'fixed', undefined],
    ['CVE-2022-42004', 'unknown', undefined],
  ])('%s: fix state %s (fix.state %s)', (id, fixState, state) => {
    expect(find(id).fixState).toBe(fixState);
    expect(find(id).scannerFixState).toBe(state);
  });

  it.each([
    ['CVE-2024-26308', 'unknown'],
    ['CVE-2022-42004', 'unknown'],
    ['CVE-2020-8908', 'negligible'],
    ['CVE-2023-2976', 'low'],
    ['CVE-2024-22262', 'medium'],
  ])('%s: severity %s (a match without severity is unknown)', (id, severity) => {
    expect(find(id).severity).toBe(severity);
  });

  it('merges the two matches of CVE-2023-44487 in the same jar: highest severity, every alias', () => {
    expect(find('CVE-2023-44487')).toMatchObject({ severity: 'high', aliases: ['GHSA-qppj-fm5r-hxr3'] });
    expect(report.vulnerabilities).toHaveLength(9);
  });

  it('reports the credential baked into the image ENV as a secret, masked, and has no misconfigurations, and warns only of the unrated match and the stateless fix', () => {
    expect(report.secrets).toEqual([
      {
        ruleId: 'plaintext-credential',
        category: 'Generic',
        severity: 'high',
        title: 'Credential-like variable with a literal value',
        location: { kind: 'imageConfig', detail: 'ENV DB_PASSWORD', variable: 'DB_PASSWORD' },
        match: 'DB_PASSWORD=********',
      },
    ]);
    expect(report.misconfigurations).toEqual([]);
    expect(report.warnings).toEqual([NO_SEVERITY, STATELESS_FIX]);
  });
});

describe('normaliseGrypeReport: other shapes', () => {
  it('reads a directory scan with the older descriptor.db.built', () => {
    const report = normaliseGrypeReport(fixtureJson('grype/directory-db-built.json'), 'r.json');
    expect(report.provenance).toEqual({
      scanner: 'grype',
      scannerVersion: '0.61.0',
      scannedAt: '2023-05-02T12:03:11.500Z',
      dbBuiltAt: '2023-05-02T01:30:27.000Z',
    });
    expect(report.image).toEqual({ reference: '/src', repoDigests: [], hasImageConfig: false, envNames: [] });
    expect(report.warnings).toEqual([]);
    expect(report.vulnerabilities.map((v) => [v.id, v.aliases, v.package.type])).toEqual([['GHSA-p6mc-m468-83gw', ['CVE-2020-8203'], 'npm']]);
  });

  it('records a corrupt image config as absent, with a warning, and keeps every finding', () => {
    const report = normaliseGrypeReport(fixtureJson('grype/image-corrupt-config.json'), 'r.json');
    expect(report.image.hasImageConfig).toBe(false);
    expect(report.image.configUser).toBeUndefined();
    expect(report.image.envNames).toEqual([]);
    expect(report.warnings).toEqual([
      'source.target.config does not decode to JSON; the image config was recorded as absent, so the image user and environment are unknown',
    ]);
    // Its two matches are the advisory and the CVE of one log4j-core occurrence: one finding.
    expect(report.vulnerabilities.map((v) => [v.id, v.aliases])).toEqual([['CVE-2021-44228', ['GHSA-jfh8-c2jp-5v3q']]]);
    expect(invariantViolations(report)).toEqual([]);
  });
});

describe('normaliseGrypeReport: variants', () => {
  const variant = (change: (doc: any) => void): ScanReport => {
    const doc = fixtureJson(EDGE);
    change(doc);
    return normaliseGrypeReport(doc, 'variant.json');
  };

  it.each([
    ['text that is not base64', 'not base64 at all!', 'is not standard base64'],
    ['base64 of bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('base64'), 'does not decode to UTF-8 text'],
    ['base64 of JSON whose User is a number', encode({ config: { User: 0 } }), 'decodes to JSON that is not an OCI image config (config.User: expected a string, got a number)'],
    ['base64 of JSON whose Env is one string', encode({ config: { Env: 'DB_PASSWORD=hunter2' } }), 'decodes to JSON that is not an OCI image config (config.Env: expected an array, got a string)'],
    ['base64 of JSON with an Env entry that is not a string', encode({ config: { Env: ['A=1', { DB_PASSWORD: 'hunter2' }] } }), 'decodes to JSON that is not an OCI image config (config.Env[1]: expected a string, got an object)'],
    ['base64 of a JSON array', encode([1, 2]), 'decodes to JSON that is not an OCI image config (expected an object, got an array of 2)'],
  ])('warns about a config that is %s', (_label, config, problem) => {
    const report = variant((doc) => (doc.source.target.config = config));
    expect(report.image.hasImageConfig).toBe(false);
    expect(report.warnings).toHaveLength(3);
    expect(report.warnings?.[0]).toContain(`source.target.config ${problem}`);
    expect(report.warnings?.slice(1)).toEqual([NO_SEVERITY, STATELESS_FIX]);
    // The config's environment holds credentials: a warning names the kind of a value, never the value.
    expect(report.warnings?.[0]).not.toContain('hunter2');
  });

  it('reads a config without a user as "no user", known', () => {
    const report = variant((doc) => (doc.source.target.config = encode({ architecture: 'arm64', os: 'linux', config: { Env: ['A=1'] } })));
    expect(report.image).toMatchObject({ hasImageConfig: true, envNames: ['A'] });
    expect(report.image.configUser).toBeUndefined();
  });

  it('warns when an image report has no config at all', () => {
    const report = variant((doc) => (doc.source.target.config = null));
    expect(report.image.hasImageConfig).toBe(false);
    expect(report.warnings).toEqual(['source.target.config is absent, so the image user and environment are unknown', NO_SEVERITY, STATELESS_FIX]);
  });

  it('ignores a manifestDigest that is not sha256, with a warning, and falls back to repoDigests', () => {
    const report = variant((doc) => (doc.source.target.manifestDigest = 'sha256:abc'));
    expect(report.image.digest).toBe(fixtureJson(EDGE).source.target.manifestDigest);
    expect(report.warnings).toEqual(['source.target.manifestDigest "sha256:abc" is not a sha256 digest and was ignored', NO_SEVERITY, STATELESS_FIX]);
  });

  it('takes the digest from repoDigests when there is no manifestDigest', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const report = variant((doc) => {
      delete doc.source.target.manifestDigest;
      doc.source.target.repoDigests = ['REDACTED', `example.com/orders@${digest}`];
    });
    expect(report.image.digest).toBe(digest);
  });

  it('treats "[not provided]", an empty timestamp and a missing db as not known', () => {
    const report = variant((doc) => {
      doc.descriptor.version = '[not provided]';
      doc.descriptor.timestamp = '';
      delete doc.descriptor.db;
    });
    expect(report.provenance).toEqual({ scanner: 'grype' });
  });

  it('prefers db.status.built over db.built when both are present', () => {
    const report = variant((doc) => (doc.descriptor.db.built = '2020-01-01T00:00:00Z'));
    expect(report.provenance.dbBuiltAt).toBe('2025-01-14T04:11:00.000Z');
  });

  it('accepts a report with no source, distro or descriptor', () => {
    const report = variant((doc) => {
      delete doc.source;
      delete doc.distro;
      delete doc.descriptor;
    });
    expect(report.image).toEqual({ repoDigests: [], hasImageConfig: false, envNames: [] });
    expect(report.secrets).toEqual([]);
    expect(report.vulnerabilities).toHaveLength(9);
  });

  it.each([
    ['a match without vulnerability.id', (doc: any) => delete doc.matches[3].vulnerability.id, 'matches[3].vulnerability.id', 'is required: expected a string'],
    ['a related vulnerability id that is a number', (doc: any) => (doc.matches[0].relatedVulnerabilities[0].id = 44228), 'matches[0].relatedVulnerabilities[0].id', 'expected a string, got the number 44228'],
    ['an artifact without name', (doc: any) => delete doc.matches[1].artifact.name, 'matches[1].artifact.name', 'expected a string'],
    ['fix versions that are not strings', (doc: any) => (doc.matches[0].vulnerability.fix.versions = [2.15]), 'matches[0].vulnerability.fix.versions[0]', 'expected a string, got the number 2.15'],
    ['a severity that is a number', (doc: any) => (doc.matches[2].vulnerability.severity = 4), 'matches[2].vulnerability.severity', 'expected a string'],
    ['matches that is an object', (doc: any) => (doc.matches = { a: 1 }), 'matches', 'expected an array, got an object'],
    ['a source.target that is a number', (doc: any) => (doc.source.target = 7), 'source.target', 'expected an object (an image) or a string (a scanned path), got the number 7'],
    ['repoDigests that is a string', (doc: any) => (doc.source.target.repoDigests = 'x@sha256:1'), 'source.target.repoDigests', 'expected an array'],
    ['a descriptor timestamp that is not a timestamp', (doc: any) => (doc.descriptor.timestamp = '14/01/2025'), 'descriptor.timestamp', 'expected an RFC 3339 timestamp'],
    ['a db.status.built that is not a timestamp', (doc: any) => (doc.descriptor.db.status.built = 'today'), 'descriptor.db.status.built', 'expected an RFC 3339 timestamp'],
  ])('rejects %s, naming the JSON path', (_label, change, path, expected) => {
    const doc = fixtureJson(EDGE);
    change(doc);
    const error = inputErrorOf(() => normaliseGrypeReport(doc, 'grype.json'));
    expect(error.path).toBe(path);
    expect(error.message).toContain(`grype.json at ${path}: `);
    expect(error.message).toContain(expected);
  });
});

/*
 * Grype before 0.13 wrote no `fix` object: the fix was one string, `vulnerability.fixedInVersion`, omitted when no fix
 * is known. Schema: anchore/grype `grype/presenter/json/vulnerability.go` at v0.7.0
 * (https://github.com/anchore/grype/blob/v0.7.0/grype/presenter/json/vulnerability.go, `FixedInVersion string
 * json:"fixedInVersion,omitempty"`), moved unchanged to `grype/presenter/models/vulnerability.go` by v0.10.0
 * (https://github.com/anchore/grype/blob/v0.10.0/grype/presenter/models/vulnerability.go) and replaced by
 * `Fix Fix json:"fix"` in v0.13.0. The same files show `severity` omitted when Grype had no metadata for the match.
 * The fixture is the project's own report in that shape (its presenter snapshot TestJsonImgsPresenter.golden at v0.10.0).
 */
describe('normaliseGrypeReport: a Grype 0.10 report (fixedInVersion, before the fix object)', () => {
  const LEGACY = 'grype/legacy-0.10-fixed-in-version.json';
  const report = normaliseGrypeReport(fixtureJson(LEGACY), LEGACY);
  const find = (id: string) => {
    const found = report.vulnerabilities.filter((v) => v.id === id);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('satisfies the model invariants', () => {
    expect(invariantViolations(report)).toEqual([]);
  });

  it('reads fixedInVersion as a fix: fix state "fixed" and the fixed version', () => {
    expect(find('CVE-2019-1547')).toMatchObject({ severity: 'high', fixState: 'fixed', package: { name: 'openssl', fixedVersion: '1.1.1d-0+deb10u2' } });
    expect(find('CVE-2019-1547').scannerFixState).toBeUndefined();
    expect(find('CVE-2019-1563')).toMatchObject({ severity: 'low', fixState: 'fixed', package: { fixedVersion: '1.1.1d-0+deb10u2' } });
  });

  it('takes a match without fixedInVersion as an unknown fix state, and says so with the unrated match', () => {
    expect(find('CVE-2019-12900')).toMatchObject({ severity: 'critical', fixState: 'unknown' });
    expect(find('CVE-2019-12900').package.fixedVersion).toBeUndefined();
    expect(find('CVE-2019-5094')).toMatchObject({ severity: 'unknown', fixState: 'unknown' });
    expect(report.warnings).toEqual([
      'vulnerabilities with neither vulnerability.fix (Grype 0.13 and later) nor vulnerability.fixedInVersion (earlier Grype, which omits it when it knows no fix) ' +
        'have an unknown fix state and are judged by the unfixable thresholds: 2 ("CVE-2019-12900", "CVE-2019-5094")',
      'vulnerabilities with no severity were read as "unknown" severity, which the vulnerabilities rule judges as its treatUnknownAs says: 1 ("CVE-2019-5094")',
    ]);
  });

  it('reads the image as Grype 0.10 described it', () => {
    expect(report.provenance).toEqual({ scanner: 'grype', scannerVersion: '0.10.0' });
    expect(report.image).toMatchObject({ reference: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/legacy/app:2.0.1', configUser: '1000', hasImageConfig: true });
  });

  it('refuses a fixedInVersion that is not a string, naming the JSON path', () => {
    const doc = fixtureJson(LEGACY);
    doc.matches[0].vulnerability.fixedInVersion = ['1.1.1d'];
    const error = inputErrorOf(() => normaliseGrypeReport(doc, LEGACY));
    expect(error.message).toContain('matches[0].vulnerability.fixedInVersion');
  });
});

describe('normaliseGrypeReport: gaps are said, never read as the lenient value silently', () => {
  const variant = (change: (doc: any) => void): ScanReport => {
    const doc = fixtureJson(EDGE);
    change(doc);
    return normaliseGrypeReport(doc, 'variant.json');
  };

  it('a modern match that lost its fix object: unknown fix state, with a warning', () => {
    const at = (doc: any) => doc.matches.findIndex((m: any) => m.vulnerability.id === 'CVE-2022-1471');
    const report = variant((doc) => delete doc.matches[at(doc)].vulnerability.fix);
    expect(report.vulnerabilities.find((v) => v.id === 'CVE-2022-1471')?.fixState).toBe('unknown');
    expect(report.warnings).toContain(
      'vulnerabilities with neither vulnerability.fix (Grype 0.13 and later) nor vulnerability.fixedInVersion (earlier Grype, which omits it when it knows no fix) ' +
        'have an unknown fix state and are judged by the unfixable thresholds: 1 ("CVE-2022-1471")',
    );
  });

  // Review of issue 7: a `fix` object without `state` (every Grype since 0.13 writes it) and without versions became
  // "unknown", judged by the unfixable thresholds, in silence.
  it.each([
    ['an empty fix object', {}],
    ['a fix with no state and no versions', { versions: [] }],
    ['a fix whose state and versions are null', { state: null, versions: null }],
  ])('%s: unknown fix state, with a warning', (_label, fix) => {
    const at = (doc: any) => doc.matches.findIndex((m: any) => m.vulnerability.id === 'CVE-2022-1471');
    const report = variant((doc) => (doc.matches[at(doc)].vulnerability.fix = fix));
    expect(report.vulnerabilities.find((v) => v.id === 'CVE-2022-1471')?.fixState).toBe('unknown');
    expect(report.warnings).toContain(
      'vulnerabilities with a vulnerability.fix that has neither state nor versions have an unknown fix state and are judged by the unfixable thresholds: 2 ("CVE-2022-1471", "CVE-2022-42004")',
    );
  });

  it('Grype\'s own empty state (its data has none) is read as unknown without a warning, as policy-engines.md §5.6 maps it', () => {
    const at = (doc: any) => doc.matches.findIndex((m: any) => m.vulnerability.id === 'CVE-2022-1471');
    const report = variant((doc) => (doc.matches[at(doc)].vulnerability.fix = { versions: [], state: '' }));
    expect(report.vulnerabilities.find((v) => v.id === 'CVE-2022-1471')?.fixState).toBe('unknown');
    expect(report.warnings?.filter((w) => w.includes('CVE-2022-1471'))).toEqual([]);
  });

  it('a fix.state word Grype does not document: unknown, with a warning naming the word', () => {
    const report = variant((doc) => (doc.matches[0].vulnerability.fix = { state: 'patched-upstream', versions: ['9.9'] }));
    expect(report.warnings).toContain(
      `vulnerabilities with a fix.state Grype does not document ("patched-upstream") have an unknown fix state and are judged by the unfixable thresholds: 1 (${JSON.stringify(fixtureJson(EDGE).matches[0].vulnerability.id)})`,
    );
  });
});

describe('normaliseGrypeReport: what was scanned (artifact)', () => {
  it.each([
    [EDGE, { kind: 'image', type: 'image' }],
    ['grype/legacy-0.10-fixed-in-version.json', { kind: 'image', type: 'image' }],
    ['grype/directory-db-built.json', { kind: 'other', type: 'directory' }],
  ])('%s: %j', (file, artifact) => {
    expect(normaliseGrypeReport(fixtureJson(file), file).artifact).toEqual(artifact);
  });

  // Grype's source types (grype/presenter/models/source.go: image, directory, file, snap, sbom-file, purl, cpe, unknown):
  // only "image", spelt exactly so, is an image scan.
  it.each(['directory', 'file', 'snap', 'sbom-file', 'purl', 'cpe', 'unknown', 'Image', 'IMAGE'])('source.type %j is not an image scan', (type) => {
    const doc = fixtureJson(EDGE);
    doc.source.type = type;
    expect(normaliseGrypeReport(doc, 'r.json').artifact).toEqual({ kind: 'other', type });
  });

  it('a report without source states nothing', () => {
    const doc = fixtureJson(EDGE);
    delete doc.source;
    expect(normaliseGrypeReport(doc, 'r.json').artifact).toEqual({ kind: 'unstated' });
  });
});
