import fc from 'fast-check';
import { assertProperty } from '../../support/property';
import { documentedTrivyFixState, grypeFixState, isTrivyStatusWord, trivyFixState } from '../../../functions/core/findings/fix-state';
import { normaliseTrivyReport } from '../../../functions/core/findings/trivy';

describe('trivyFixState (policy-engines.md §5.6)', () => {
  it.each([
    ['fixed', '1.2', 'fixed'],
    ['fixed', undefined, 'fixed'],
    ['affected', undefined, 'unfixed'],
    ['affected', '1.2', 'unfixed'],
    ['fix_deferred', undefined, 'unfixed'],
    ['will_not_fix', undefined, 'wont_fix'],
    ['end_of_life', undefined, 'end_of_life'],
    ['not_affected', undefined, 'not_affected'],
    ['under_investigation', undefined, 'unknown'],
    ['unknown', undefined, 'unknown'],
    ['WILL_NOT_FIX', undefined, 'wont_fix'],
    ['some_future_status', '1.2', 'unknown'],
  ] as const)('Status %p with FixedVersion %p is %s', (status, fixedVersion, expected) => {
    expect(trivyFixState(status, fixedVersion)).toBe(expected);
  });

  it.each([
    [undefined, '1.2', 'fixed'],
    [undefined, undefined, 'unfixed'],
    ['', '1.2', 'fixed'],
    ['', undefined, 'unfixed'],
  ] as const)('without Status (%p), infers from FixedVersion %p: %s', (status, fixedVersion, expected) => {
    expect(trivyFixState(status, fixedVersion)).toBe(expected);
  });
});

describe('grypeFixState (policy-engines.md §5.6)', () => {
  it.each([
    ['fixed', ['1.2'], 'fixed'],
    ['not-fixed', [], 'unfixed'],
    ['wont-fix', ['1.2'], 'wont_fix'],
    ['unknown', [], 'unknown'],
    ['unknown', ['1.2'], 'unknown'],
    ['Not-Fixed', [], 'unfixed'],
    ['something-new', ['1.2'], 'unknown'],
    ['', [], 'unknown'],
    ['', ['1.2'], 'fixed'],
    [undefined, [], 'unknown'],
    [undefined, ['1.2'], 'fixed'],
  ] as const)('fix.state %p with versions %p is %s', (state, versions, expected) => {
    expect(grypeFixState(state, versions)).toBe(expected);
  });
});

describe('not_affected (the vendor says the package is not affected)', () => {
  it('is its own canonical fix state, not unknown', () => {
    expect(trivyFixState('not_affected', undefined)).toBe('not_affected');
    expect(trivyFixState('NOT_AFFECTED', '1.2')).toBe('not_affected');
  });
});

describe("hostile status words: the names of Object.prototype's members", () => {
  // Read off a plain object, `constructor` was the Object function and `__proto__` Object.prototype: a fix state that is
  // no fix state, which a stored or rendered finding cannot hold.
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'CONSTRUCTOR'])('Trivy Status %p is unknown', (status) => {
    expect(trivyFixState(status, '1.2')).toBe('unknown');
  });

  it.each(['constructor', '__proto__', 'valueOf'])('Grype fix.state %p is unknown', (state) => {
    expect(grypeFixState(state, ['1.2'])).toBe('unknown');
  });

  it('a Trivy report with such a Status reads as a finding of unknown fix state, and says so', () => {
    const report = normaliseTrivyReport(
      { SchemaVersion: 2, ArtifactName: 'img', Results: [{ Target: 't', Vulnerabilities: [{ VulnerabilityID: 'CVE-2024-1', PkgName: 'p', Status: 'constructor', Severity: 'HIGH' }] }] },
      'r.json',
    );
    expect(report.vulnerabilities.map((v) => v.fixState)).toEqual(['unknown']);
    expect(report.warnings?.join('\n')).toContain('a Status trivy-db does not document ("constructor")');
  });
});

describe('documentedTrivyFixState', () => {
  it('is trivyFixState for every word trivy-db documents and undefined for every other, whatever the fixed version', () => {
    const word = fc.oneof(
      fc.constantFrom('fixed', 'affected', 'fix_deferred', 'will_not_fix', 'end_of_life', 'not_affected', 'under_investigation', 'unknown', 'FIXED', 'Will_Not_Fix', 'constructor', '__proto__', 'odd'),
      fc.string({ minLength: 1, maxLength: 8 }),
    );
    assertProperty(
      fc.property(word, fc.option(fc.constantFrom('1.1', ''), { nil: undefined }), (status, fixedVersion) => {
        expect(documentedTrivyFixState(status)).toBe(isTrivyStatusWord(status) ? trivyFixState(status, fixedVersion) : undefined);
      }),
      { numRuns: 500 },
    );
  });
});
