import { decisionLogFields, MAX_LOGGED_FINDINGS } from '../../functions/handlers/decision-log';
import type { EvaluationResult, Violation } from '../../functions/core/result/model';

function result(overrides: Partial<EvaluationResult>): EvaluationResult {
  return {
    decision: 'fail',
    mode: 'enforce',
    violations: [],
    suppressed: [],
    exceptions: { used: [], unused: [], expired: [] },
    errors: [],
    policy: { name: 'acme/production', hash: 'sha256:abc', schemaVersion: '1' },
    subject: { images: [] },
    evaluatedAt: '2026-01-05T09:00:00.000Z',
    ...overrides,
  };
}

const cve = (id: string, action: Violation['action'] = 'deny'): Violation => ({
  rule: 'vulnerabilities',
  kind: 'vulnerability',
  container: 'app',
  id,
  severity: 'critical',
  action,
  message: `${id} in openssl`,
  details: { package: 'openssl' },
});

describe('decisionLogFields', () => {
  it('names the policy and its hash, the rules and the denying findings, with where a secret or a root user is', () => {
    const fields = decisionLogFields(
      result({
        violations: [
          cve('CVE-2024-1'),
          { rule: 'secrets', kind: 'secret', container: 'app', id: 'aws-access-key-id', severity: 'critical', action: 'deny', message: 'm', details: { path: '/app/.env', startLine: 3, location: 'layer' } },
          { rule: 'secrets', kind: 'secret', container: 'app', id: 'aws-secret-access-key', severity: 'critical', action: 'deny', message: 'm', details: { variable: 'AWS_SECRET_ACCESS_KEY', location: 'overrides' } },
          { rule: 'rootUser', kind: 'rootUser', container: 'app', id: 'rootUser', severity: 'high', action: 'deny', message: 'm', details: { userSource: 'imageConfig', user: 'root' } },
          cve('CVE-2024-2', 'warn'),
        ],
      }),
    );
    expect(fields).toMatchObject({ policy: 'acme/production', policyHash: 'sha256:abc', decision: 'fail', mode: 'enforce', rules: ['vulnerabilities', 'secrets', 'rootUser'] });
    // The warning does not decide a failure: it is left out.
    expect(fields.findings).toEqual([
      { id: 'CVE-2024-1', rule: 'vulnerabilities', container: 'app' },
      { id: 'aws-access-key-id', rule: 'secrets', container: 'app', where: '/app/.env line 3' },
      { id: 'aws-secret-access-key', rule: 'secrets', container: 'app', where: 'AWS_SECRET_ACCESS_KEY in the RunTask overrides environment' },
      { id: 'rootUser', rule: 'rootUser', container: 'app', where: 'user "root" from the image config' },
    ]);
    expect(fields).not.toHaveProperty('exceptions');
    expect(fields).not.toHaveProperty('findingsTotal');
  });

  it('a warn decision is decided by its warnings', () => {
    expect(decisionLogFields(result({ decision: 'warn', violations: [cve('CVE-2024-2', 'warn')] })).findings.map((f) => f.id)).toEqual(['CVE-2024-2']);
  });

  it('lists at most MAX_LOGGED_FINDINGS findings and says how many there were', () => {
    const many = Array.from({ length: MAX_LOGGED_FINDINGS + 5 }, (_, i) => cve(`CVE-2024-${1000 + i}`));
    const fields = decisionLogFields(result({ violations: many }));
    expect(fields.findings).toHaveLength(MAX_LOGGED_FINDINGS);
    expect(fields.findingsTotal).toBe(MAX_LOGGED_FINDINGS + 5);
  });

  it('names the exceptions that let findings through, with the findings each allowed', () => {
    const suppressedBy = { exceptionId: 'SEC-2291', reason: 'build time only', owner: 'team-data', expiresAt: '2026-06-30' };
    const fields = decisionLogFields(
      result({ decision: 'pass', suppressed: [{ ...cve('CVE-2024-6345'), suppressedBy }, { ...cve('CVE-2024-6345'), container: 'sidecar', suppressedBy }] }),
    );
    expect(fields.findings).toEqual([]);
    expect(fields.exceptions).toEqual([{ id: 'SEC-2291', owner: 'team-data', expiresAt: '2026-06-30', findings: ['CVE-2024-6345'] }]);
  });

  it('carries the scan errors of an error decision', () => {
    const fields = decisionLogFields(result({ decision: 'error', errors: [{ container: 'etl', message: 'container etl could not be scanned: timed out' }] }));
    expect(fields.rules).toEqual(['onScanError']);
    expect(fields.errors).toEqual(['container etl could not be scanned: timed out']);
  });
});
