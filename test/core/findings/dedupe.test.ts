import fc from 'fast-check';
import { assertProperty } from '../../support/property';
import { dedupeMisconfigurations, dedupeOwnVulnerabilities, dedupeSecrets, dedupeVulnerabilities, mergeAliases, mergeVulnerabilityOccurrences, packageName, readMergedOccurrences } from '../../../functions/core/findings/dedupe';
import type { TupleKey } from '../../../functions/core/findings/tuple-groups';
import type { MisconfigurationFinding, SecretFinding, VulnerabilityFinding } from '../../../functions/core/findings/model';

const vuln = (over: Partial<VulnerabilityFinding> = {}, pkg: Partial<VulnerabilityFinding['package']> = {}): VulnerabilityFinding => ({
  id: 'CVE-2024-1',
  aliases: [],
  severity: 'medium',
  fixState: 'fixed',
  package: { name: 'openssl', installedVersion: '3.0.1', path: 'img (debian 12)', ...pkg },
  target: 'img (debian 12)',
  ...over,
});

describe('dedupeVulnerabilities', () => {
  it('merges the same id, package, version, target and path: highest severity, every alias, first position', () => {
    const result = dedupeVulnerabilities([
      vuln({ aliases: ['DSA-1'] }),
      vuln({ id: 'CVE-2024-2' }),
      vuln({ id: 'cve-2024-1', severity: 'critical', aliases: ['DLA-2', 'dsa-1'] }),
      vuln({ severity: 'low', aliases: ['GHSA-x'] }),
    ]);
    expect(result).toHaveLength(2);
    expect(result[0]).toMatchObject({ id: 'CVE-2024-1', severity: 'critical', aliases: ['DSA-1', 'DLA-2', 'GHSA-x'] });
    expect(result[1].id).toBe('CVE-2024-2');
  });

  it.each([
    ['package', vuln({}, { name: 'libssl3' })],
    ['version', vuln({}, { installedVersion: '3.0.2' })],
    ['target', vuln({ target: 'Java' })],
    ['path', vuln({}, { path: 'app/lib/a.jar' })],
  ])('keeps findings that differ in %s', (_label, other) => {
    expect(dedupeVulnerabilities([vuln(), other])).toHaveLength(2);
  });

  it('returns findings alone in their occurrence as they are, in place among merged ones', () => {
    const alone = [vuln({}, { name: 'zlib' }), vuln({}, { name: 'curl' })];
    const result = dedupeVulnerabilities([alone[0], vuln({ aliases: ['DSA-1'] }), alone[1], vuln({ severity: 'high' })]);
    expect(result).toHaveLength(3);
    expect(result[0]).toBe(alone[0]);
    expect(result[1]).toMatchObject({ package: { name: 'openssl' }, severity: 'high', aliases: ['DSA-1'] });
    expect(result[2]).toBe(alone[1]);
  });

  it('handles many findings with one key among thousands of others', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => vuln({ id: `CVE-2024-${i % 10_000}` }));
    expect(dedupeVulnerabilities(many)).toHaveLength(10_000);
  });
});

describe('dedupeVulnerabilities: hostile package names', () => {
  it('keeps two occurrences apart whose parts a NUL would have run together (name "a\\0b" version "c" against name "a" version "b\\0c")', () => {
    const result = dedupeVulnerabilities([vuln({}, { name: 'a\u0000b', installedVersion: 'c' }), vuln({ severity: 'critical' }, { name: 'a', installedVersion: 'b\u0000c' })]);
    expect(result.map((f) => [f.package.name, f.package.installedVersion, f.severity])).toEqual([
      ['a\u0000b', 'c', 'medium'],
      ['a', 'b\u0000c', 'critical'],
    ]);
  });
});

describe('dedupeSecrets', () => {
  const secret = (over: Partial<SecretFinding> = {}): SecretFinding => ({
    ruleId: 'aws-access-key-id',
    category: 'AWS',
    severity: 'high',
    title: 'AWS Access Key ID',
    location: { kind: 'layer', path: '/app/.env', layerDigest: 'sha256:1' },
    startLine: 2,
    match: 'KEY=****',
    ...over,
  });

  it('merges identical secrets, keeping the highest severity', () => {
    expect(dedupeSecrets([secret(), secret({ severity: 'critical' })])).toEqual([secret({ severity: 'critical' })]);
  });

  it.each([
    ['line', secret({ startLine: 3 })],
    ['layer', secret({ location: { kind: 'layer', path: '/app/.env', layerDigest: 'sha256:2' } })],
    ['location kind', secret({ location: { kind: 'imageConfig', detail: '/app/.env' } })],
    ['rule', secret({ ruleId: 'aws-secret-access-key' })],
    ['task-definition variable', secret({ location: { kind: 'taskDefinition', container: 'app', variable: 'KEY' } })],
  ])('keeps secrets that differ in %s', (_label, other) => {
    expect(dedupeSecrets([secret(), other])).toHaveLength(2);
  });
});

describe('dedupeMisconfigurations', () => {
  const check = (over: Partial<MisconfigurationFinding> = {}): MisconfigurationFinding => ({
    id: 'DS-0002',
    aliases: ['DS-0002', 'DS002'],
    severity: 'high',
    status: 'fail',
    message: 'root',
    target: 'img',
    ...over,
  });

  it('merges identical checks and their aliases, keeps different statuses or targets', () => {
    expect(dedupeMisconfigurations([check(), check({ aliases: ['DS-0002', 'AVD-DS-0002'] })])).toEqual([
      check({ aliases: ['DS-0002', 'DS002', 'AVD-DS-0002'] }),
    ]);
    expect(dedupeMisconfigurations([check(), check({ status: 'pass' }), check({ target: 'Dockerfile' })])).toHaveLength(3);
  });
});

describe('mergeAliases', () => {
  it('drops the id itself, blanks and case-insensitive repeats', () => {
    expect(mergeAliases('CVE-2021-44228', ['cve-2021-44228', ' GHSA-jfh8-c2jp-5v3q ', ''], ['ghsa-JFH8-c2jp-5v3q', 'DLA-1'])).toEqual([
      'GHSA-jfh8-c2jp-5v3q',
      'DLA-1',
    ]);
  });
});

describe('deduplication leaves its input alone', () => {
  it('does not change the findings it was given', () => {
    const first = vuln({ aliases: ['DSA-1'] });
    const second = vuln({ severity: 'critical', aliases: ['DLA-2'] });
    const snapshot = JSON.parse(JSON.stringify([first, second]));
    dedupeVulnerabilities([first, second]);
    expect([first, second]).toEqual(snapshot);
  });
});

describe('dedupeVulnerabilities: one vulnerability under two ids (alias duplicates)', () => {
  // Grype matches lodash 4.17.20 twice: the GitHub advisory relates to the CVE and the NVD record to the advisory.
  const ghsa = vuln(
    { id: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'], severity: 'high', fixState: 'fixed', scannerFixState: 'fixed', primaryUrl: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm' },
    { name: 'lodash', installedVersion: '4.17.20', fixedVersion: '4.17.21', path: '/app/node_modules/lodash/package.json' },
  );
  const cve = vuln(
    { id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'], severity: 'critical', fixState: 'unknown', scannerFixState: 'unknown', primaryUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' },
    { name: 'lodash', installedVersion: '4.17.20', path: '/app/node_modules/lodash/package.json' },
  );

  it('merges them: CVE id, every alias, highest severity, the best fix state with its version', () => {
    const merged = dedupeVulnerabilities([ghsa, cve]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({
      id: 'CVE-2021-23337',
      aliases: ['GHSA-35jh-r3h4-6jhm'],
      severity: 'critical',
      fixState: 'fixed',
      scannerFixState: 'fixed',
      package: { name: 'lodash', installedVersion: '4.17.20', fixedVersion: '4.17.21' },
      primaryUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337',
    });
  });

  it('gives the same result in either order, and merges when only one side names the other', () => {
    expect(dedupeVulnerabilities([cve, ghsa])).toEqual(dedupeVulnerabilities([ghsa, cve]));
    const oneWay = dedupeVulnerabilities([{ ...ghsa }, { ...cve, aliases: [] }]);
    expect(oneWay.map((v) => [v.id, v.aliases])).toEqual([['CVE-2021-23337', ['GHSA-35jh-r3h4-6jhm']]]);
  });

  it.each([
    ['another version', vuln({ id: 'CVE-2021-23337' }, { name: 'lodash', installedVersion: '4.17.19', path: '/app/node_modules/lodash/package.json' })],
    ['another package', vuln({ id: 'CVE-2021-23337' }, { name: 'lodash-es', installedVersion: '4.17.20', path: '/app/node_modules/lodash/package.json' })],
    ['another location', vuln({ id: 'CVE-2021-23337' }, { name: 'lodash', installedVersion: '4.17.20', path: '/app/node_modules/x/node_modules/lodash/package.json' })],
  ])('keeps an alias in %s apart', (_label, other) => {
    expect(dedupeVulnerabilities([ghsa, other])).toHaveLength(2);
  });

  it('never merges two CVEs that only share an advisory (a DSA or a GHSA can cover several CVEs)', () => {
    const a = vuln({ id: 'CVE-2024-1', aliases: ['DSA-5000-1'] });
    const b = vuln({ id: 'CVE-2024-2', aliases: ['DSA-5000-1'] });
    expect(dedupeVulnerabilities([a, b]).map((v) => v.id)).toEqual(['CVE-2024-1', 'CVE-2024-2']);

    const advisory = vuln({ id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2024-1', 'CVE-2024-2'] });
    const merged = dedupeVulnerabilities([advisory, vuln({ id: 'CVE-2024-1' }), vuln({ id: 'CVE-2024-2' })]);
    expect(merged.map((v) => v.id)).toEqual(['CVE-2024-1', 'CVE-2024-2']);
    expect(merged[0].aliases).toContain('GHSA-aaaa-bbbb-cccc');
  });

  it('keeps the advisory id when no CVE is among the merged ids', () => {
    const merged = dedupeVulnerabilities([vuln({ id: 'GHSA-aaaa-bbbb-cccc', aliases: ['GO-2024-1'] }), vuln({ id: 'GO-2024-1', aliases: ['GHSA-aaaa-bbbb-cccc'] })]);
    expect(merged.map((v) => [v.id, v.aliases])).toEqual([['GHSA-aaaa-bbbb-cccc', ['GO-2024-1']]]);
  });

  it.each([
    ['fixed', 'unfixed', 'fixed'],
    ['unknown', 'wont_fix', 'wont_fix'],
    ['not_affected', 'unfixed', 'unfixed'],
    ['not_affected', 'unknown', 'unknown'],
    ['end_of_life', 'unfixed', 'unfixed'],
  ] as const)('prefers fix state %s + %s → %s (never the one that makes the image look safer)', (a, b, expected) => {
    const merged = dedupeVulnerabilities([vuln({ id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2024-1'], fixState: a }), vuln({ id: 'CVE-2024-1', fixState: b })]);
    expect(merged).toHaveLength(1);
    expect(merged[0].fixState).toBe(expected);
  });

  it('stays linear: 20,000 advisory/CVE pairs', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => [
      vuln({ id: `GHSA-${i}`, aliases: [`CVE-2024-${i}`] }, { name: `pkg-${i % 100}` }),
      vuln({ id: `CVE-2024-${i}`, aliases: [`GHSA-${i}`] }, { name: `pkg-${i % 100}` }),
    ]).flat();
    const merged = dedupeVulnerabilities(many);
    expect(merged).toHaveLength(20_000);
    expect(merged.every((v) => v.id.startsWith('CVE-'))).toBe(true);
  });
});

describe('dedupeVulnerabilities: exploit facts', () => {
  it('keeps every listing, the highest EPSS score and the earliest fix date of the findings it merges', () => {
    const grype = { kind: 'report', scanner: 'grype' } as const;
    const kev = { kind: 'catalogue', catalogue: 'cisa-kev', version: '1' } as const;
    const [merged, ...rest] = dedupeVulnerabilities([
      vuln({ id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2024-1'], epss: { score: 0.3, source: grype }, fixPublishedAt: '2024-03-01' }),
      vuln({ knownExploited: [{ source: kev, dateAdded: '2024-05-01' }], epss: { score: 0.6, source: grype }, fixPublishedAt: '2024-02-01' }),
      vuln({ knownExploited: [{ source: grype }] }),
    ]);
    expect(rest).toEqual([]);
    expect(merged).toMatchObject({
      id: 'CVE-2024-1',
      knownExploited: [{ source: kev, dateAdded: '2024-05-01' }, { source: grype }],
      epss: { score: 0.6 },
      fixPublishedAt: '2024-02-01',
    });
  });
});

describe('the package-name index a normaliser keeps for the rule', () => {
  // The vulnerabilities rule's occurrence key (core/policy/rules/vulnerabilities.ts), headed by the shared reader.
  const ruleKey: TupleKey<VulnerabilityFinding> = [packageName, (f) => f.package.installedVersion ?? '', (f) => f.package.purl ?? f.package.path ?? f.target ?? ''];
  const names = ['openssl', 'libssl', 'zlib'];
  const finding = fc
    .record({ id: fc.constantFrom('CVE-2024-1', 'CVE-2024-2', 'GHSA-aaaa-bbbb-cccc'), name: fc.constantFrom(...names), version: fc.constantFrom('1.0', '1.1'), target: fc.constantFrom('t', 'u') })
    .map(({ id, name, version, target }) => vuln({ id, target }, { name, installedVersion: version, path: undefined }));
  const change = fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), name: fc.constantFrom(...names) }),
    fc.record({ kind: fc.constant('add' as const), finding }),
    fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
  );

  it('groups the returned findings as a fresh index does, however the array changed since', () => {
    assertProperty(
      fc.property(fc.array(finding, { maxLength: 8 }), fc.array(change, { maxLength: 2 }), (found, changes) => {
        const findings = dedupeVulnerabilities(found);
        for (const c of changes) {
          if (c.kind === 'rename' && findings.length > 0) {
            const at = c.at % findings.length;
            findings[at] = { ...findings[at], package: { ...findings[at].package, name: c.name } };
          } else if (c.kind === 'add') findings.push(c.finding);
          else if (c.kind === 'remove' && findings.length > 0) findings.splice(c.at % findings.length, 1);
        }
        // A copy is an array the normaliser never returned: indexed afresh.
        const fresh = mergeVulnerabilityOccurrences([...findings], ruleKey);
        const kept = mergeVulnerabilityOccurrences(findings, ruleKey);
        expect(kept.merged).toEqual(fresh.merged);
        expect([...kept.shared]).toEqual([...fresh.shared]);
      }),
      { numRuns: 500 },
    );
  });

  it('a finding renamed into another occurrence after normalising is merged with it, as if never indexed', () => {
    const findings = dedupeVulnerabilities([vuln({ id: 'CVE-2024-1' }, { name: 'openssl', path: undefined }), vuln({ id: 'CVE-2024-1' }, { name: 'libssl', path: undefined })]);
    expect(findings).toHaveLength(2);
    findings[1] = { ...findings[1], package: { ...findings[1].package, name: 'openssl' } };
    const { merged, shared } = mergeVulnerabilityOccurrences(findings, ruleKey);
    expect(merged).toHaveLength(1);
    expect(shared.size).toBe(1);
  });
});

describe('the variants that make no copy of an array when nothing merges', () => {
  const ruleKey: TupleKey<VulnerabilityFinding> = [packageName, (f) => f.package.installedVersion ?? '', (f) => f.package.purl ?? f.package.path ?? f.target ?? ''];
  const finding = fc
    .record({ id: fc.constantFrom('CVE-2024-1', 'CVE-2024-2', 'GHSA-aaaa-bbbb-cccc'), name: fc.constantFrom('openssl', 'zlib'), version: fc.constantFrom('1.0', '1.1'), severity: fc.constantFrom('low' as const, 'high' as const) })
    .map(({ id, name, version, severity }) => vuln({ id, severity }, { name, installedVersion: version }));

  it('give what the copying ones give, and the array itself exactly when every finding is alone in its occurrence', () => {
    assertProperty(
      fc.property(fc.array(finding, { maxLength: 10 }), (found) => {
        const copied = dedupeVulnerabilities(found);
        const own = [...found];
        const deduped = dedupeOwnVulnerabilities(own);
        expect(deduped).toEqual(copied);
        // No copy exactly when every finding is alone in its occurrence (nothing to merge, nothing shared).
        const alone = (key: (f: VulnerabilityFinding) => unknown[]) => new Set(found.map((f) => JSON.stringify(key(f)))).size === found.length;
        expect(deduped === own).toBe(alone((f) => [f.package.name, f.package.installedVersion, f.target, f.package.path]));
        const read = readMergedOccurrences(found, ruleKey);
        const merged = mergeVulnerabilityOccurrences(found, ruleKey);
        expect(read.merged).toEqual(merged.merged);
        expect([...read.shared]).toEqual([...merged.shared]);
        expect(read.merged === found).toBe(alone((f) => [f.package.name, f.package.installedVersion, f.package.purl ?? f.package.path ?? f.target]));
      }),
      { numRuns: 300 },
    );
  });
});
