import { compareText, countResult, countsSentence, describeImage, detailPairs, shortHash, sortViolations } from '../../../functions/core/render/common';
import { busyResult, violation } from './results';

describe('render/common', () => {
  it('shortens a policy hash to 12 hex digits without its algorithm prefix', () => {
    expect(shortHash('sha256:3f2a9c1b7d0e9a8b7c6d')).toBe('3f2a9c1b7d0e');
    expect(shortHash('3f2a9c1b7d0e9a8b7c6d')).toBe('3f2a9c1b7d0e');
    expect(shortHash('abc')).toBe('abc');
  });

  it('compares by code unit, not by locale', () => {
    expect(['b', 'B', 'a', 'ä'].sort(compareText)).toEqual(['B', 'a', 'b', 'ä']);
  });

  it('sorts denials first, then by severity, rule, container and id', () => {
    const sorted = sortViolations([
      violation({ action: 'warn', severity: 'critical', id: 'W' }),
      violation({ severity: 'low', id: 'L' }),
      violation({ severity: 'critical', container: 'b', id: 'C2' }),
      violation({ severity: 'critical', container: 'a', id: 'C1' }),
      violation({ severity: 'critical', rule: 'images', container: 'z', id: 'I' }),
    ]);
    expect(sorted.map((v) => v.id)).toEqual(['I', 'C1', 'C2', 'L', 'W']);
  });

  it('counts and words the result', () => {
    expect(countResult(busyResult())).toEqual({ denied: 3, warned: 1, suppressed: 1, errors: 1 });
    expect(countsSentence({ denied: 0, warned: 2, suppressed: 0, errors: 1 })).toBe('0 denied, 2 warnings, 0 suppressed, 1 error');
  });

  it('describes an image by reference and digest, without repeating a digest already in the reference', () => {
    expect(describeImage({ reference: 'nginx:1.27', digest: 'sha256:abc' })).toBe('nginx:1.27@sha256:abc');
    expect(describeImage({ reference: 'nginx@sha256:abc', digest: 'sha256:abc', scanner: 'grype' })).toBe('nginx@sha256:abc (grype)');
    expect(describeImage({ repository: 'repo', tag: 'v1' })).toBe('repo:v1');
    expect(describeImage({})).toBe('(unknown image)');
  });

  it('flattens details in key order, skipping undefined', () => {
    expect(detailPairs({ b: 2, a: 'x', c: undefined, d: false })).toEqual(['a=x', 'b=2', 'd=false']);
    expect(detailPairs(undefined)).toEqual([]);
  });
});
