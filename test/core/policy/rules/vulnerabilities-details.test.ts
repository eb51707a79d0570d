import fc from 'fast-check';
import { assertProperty } from '../../../support/property';
import { detailsMemberByMember, vulnerabilityDetails } from '../../../../functions/core/policy/rules/vulnerabilities';
import type { KnownExploitedFact, VulnerabilityFinding } from '../../../../functions/core/findings/model';
import { SEVERITIES } from '../../../../functions/core/severity';
import { FIX_STATES } from '../../../../functions/core/findings/model';

/** Each optional fact present or absent, so both the one-literal way and the member-by-member way are reached. */
const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined, freq: 2 });
/** Mostly present: the one-literal way needs every one of these facts. */
const mostly = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined, freq: 8 });
const word = fc.constantFrom('1.0', 'pkg:npm/a@1', 'app/x.jar', 'https://x', 'affected', '');
const finding: fc.Arbitrary<VulnerabilityFinding> = fc
  .record({
    id: fc.constantFrom('CVE-2024-1', 'GHSA-a'),
    aliases: fc.constantFrom<string[][]>([], ['CVE-2024-2'], ['A', 'B']),
    severity: fc.constantFrom(...SEVERITIES),
    fixState: fc.constantFrom(...FIX_STATES),
    scannerFixState: mostly(word),
    name: fc.constantFrom('openssl', 'zlib'),
    installedVersion: mostly(word),
    fixedVersion: maybe(word),
    type: mostly(word),
    purl: mostly(word),
    path: mostly(word),
    target: maybe(word),
    primaryUrl: mostly(word),
    epss: maybe(fc.record({ score: fc.double({ min: 0, max: 1, noNaN: true }), source: fc.constant({ kind: 'report' as const, scanner: 'grype' as const }) })),
    fixPublishedAt: maybe(fc.constantFrom('2024-01-01', '2025-06-30T00:00:00Z')),
  })
  .map(({ name, installedVersion, fixedVersion, type, purl, path, ...rest }) => {
    // Absent facts are absent keys, as the normalisers build findings.
    const drop = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
    return drop({ ...rest, package: drop({ name, installedVersion, fixedVersion, type, purl, path }) }) as VulnerabilityFinding;
  });
const listing: fc.Arbitrary<KnownExploitedFact | undefined> = maybe(fc.record({ source: fc.constant({ kind: 'report' as const, scanner: 'grype' as const }), dateAdded: maybe(fc.constant('2024-01-02')) }).map((l) => JSON.parse(JSON.stringify(l)) as KnownExploitedFact));

describe('vulnerabilityDetails', () => {
  it('is, member for member and in the same order, what setting each known member one by one gives', () => {
    assertProperty(
      fc.property(
        finding,
        fc.option(fc.constantFrom(...SEVERITIES), { nil: undefined, freq: 2 }),
        fc.constantFrom(['fixable'], ['unfixable'], ['denyIds', 'fixable'], ['epss']),
        listing,
        fc.boolean(),
        maybe(fc.integer({ min: 0, max: 900 })),
        (f, judgedAs, matchedBy, kev, fixable, fixAgeDays) => {
          // Judged as reported (most findings) or as another severity (an unknown one under treatUnknownAs).
          const severity = judgedAs ?? f.severity;
          const general = detailsMemberByMember(f, severity, matchedBy, kev, fixable, fixAgeDays);
          const details = vulnerabilityDetails(f, severity, matchedBy, kev, fixable, fixAgeDays);
          expect(Object.entries(details)).toEqual(Object.entries(general));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('builds the usual finding of a large report (every fact known, no alias, no exploit fact) with and without a fixed version', () => {
    const usual = (fixedVersion: string | undefined): VulnerabilityFinding => ({
      id: 'CVE-2024-1',
      aliases: [],
      severity: 'high',
      fixState: fixedVersion ? 'fixed' : 'unfixed',
      scannerFixState: fixedVersion ? 'fixed' : 'affected',
      package: { name: 'openssl', installedVersion: '3.0.1', ...(fixedVersion ? { fixedVersion } : {}), type: 'debian', purl: 'pkg:deb/debian/openssl@3.0.1', path: 'img (debian 12)' },
      target: 'img (debian 12)',
      primaryUrl: 'https://avd.aquasec.com/nvd/cve-2024-1',
    });
    expect(Object.keys(vulnerabilityDetails(usual('3.0.2'), 'high', ['fixable'], undefined, true, undefined))).toEqual([
      'package', 'installedVersion', 'fixedVersion', 'fixState', 'scannerFixState', 'packageType', 'purl', 'path', 'matchedBy', 'primaryUrl',
    ]);
    expect(vulnerabilityDetails(usual(undefined), 'high', ['unfixable'], undefined, false, undefined)).toEqual({
      package: 'openssl', installedVersion: '3.0.1', fixState: 'unfixed', scannerFixState: 'affected', packageType: 'debian',
      purl: 'pkg:deb/debian/openssl@3.0.1', path: 'img (debian 12)', matchedBy: 'unfixable', primaryUrl: 'https://avd.aquasec.com/nvd/cve-2024-1',
    });
  });
});
