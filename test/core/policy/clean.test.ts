import { clean } from '../../../functions/core/policy/clean';
import type { Violation } from '../../../functions/core/result/model';

const violation = (details?: Violation['details']): Violation => ({
  rule: 'vulnerabilities',
  kind: 'vulnerability',
  id: 'CVE-2024-1',
  severity: 'high',
  action: 'deny',
  message: 'CVE-2024-1 (high) in openssl 1.0',
  ...(details ? { details } : {}),
});

describe('clean', () => {
  it('drops undefined members of the violation and of its details, keeping the order of the rest', () => {
    const cleaned = clean({ ...violation({ package: 'openssl', fixedVersion: undefined, fixState: 'fixed', purl: undefined }), container: undefined });
    expect(Object.keys(cleaned)).toEqual(['rule', 'kind', 'id', 'severity', 'action', 'message', 'details']);
    expect(Object.keys(cleaned.details ?? {})).toEqual(['package', 'fixState']);
    expect(JSON.stringify(cleaned)).toBe(JSON.stringify(violation({ package: 'openssl', fixState: 'fixed' })));
  });

  it('drops a details member that is itself undefined', () => {
    expect(Object.keys(clean({ ...violation(), details: undefined }))).toEqual(['rule', 'kind', 'id', 'severity', 'action', 'message']);
  });

  it('leaves a violation with nothing undefined as it is (not copied)', () => {
    const whole = violation({ package: 'openssl', fixState: 'fixed' });
    expect(clean(whole)).toBe(whole);
    const bare = violation();
    expect(clean(bare)).toBe(bare);
  });

  it('copies a violation or details of another prototype into plain objects, as before', () => {
    const inherited = Object.assign(Object.create({ inherited: 'x' }), violation()) as Violation;
    const cleaned = clean(inherited);
    expect(cleaned).not.toBe(inherited);
    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
    const details = Object.assign(Object.create({ inherited: 'x' }), { package: 'openssl' }) as Record<string, string>;
    const withDetails = clean(violation(details));
    expect(Object.getPrototypeOf(withDetails.details)).toBe(Object.prototype);
    expect(withDetails.details).toEqual({ package: 'openssl' });
  });
});
