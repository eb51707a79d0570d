import { compilePolicy, expiryMs } from '../../../functions/core/policy/compile';
import { policy } from './support';

describe('compilePolicy', () => {
  it('builds once per policy document and reuses the result', () => {
    const loaded = policy({ rules: { images: { action: 'deny', denyTags: ['latest'] } } });
    expect(compilePolicy(loaded)).toBe(compilePolicy({ ...loaded, source: 'copy' }));
    expect(compilePolicy(policy())).not.toBe(compilePolicy(loaded));
  });

  it('indexes exception ids in both canonical spellings', () => {
    const loaded = policy({ exceptions: [{ id: 'E', match: { ids: ['ds026', 'cve-2024-1'] }, reason: 'r', owner: 'o', expiresAt: '2027-01-01' }] });
    expect([...(compilePolicy(loaded).exceptions[0].idKeys ?? [])].sort()).toEqual(['CVE-2024-1', 'DS-0026', 'DS026']);
  });

  it('counts a tag too long to match as denied, and a too long package as not excepted', () => {
    const overlong = 'a'.repeat(5000);
    const loaded = policy({
      rules: { images: { action: 'deny', denyTags: ['b*'] } },
      exceptions: [{ id: 'E', match: { packages: ['a*'] }, reason: 'r', owner: 'o', expiresAt: '2027-01-01' }],
    });
    const compiled = compilePolicy(loaded);
    expect(compiled.denyTags?.([overlong])).toBe(true);
    expect(compiled.exceptions[0].packages?.([overlong])).toBe(false);
  });
});

describe('expiryMs', () => {
  it('reads a date as 00:00 UTC and a date-time at its offset', () => {
    expect(expiryMs('2026-10-01')).toBe(Date.UTC(2026, 9, 1));
    expect(expiryMs('2026-10-01T02:00:00+02:00')).toBe(Date.UTC(2026, 9, 1));
  });
});
