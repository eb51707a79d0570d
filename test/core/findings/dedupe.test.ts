import { dedupeMisconfigurations, dedupeSecrets, dedupeVulnerabilities, mergeAliases } from '../../../functions/core/findings/dedupe';
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

  it('handles many findings with one key among thousands of others', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => vuln({ id: `CVE-2024-${i % 10_000}` }));
    expect(dedupeVulnerabilities(many)).toHaveLength(10_000);
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
