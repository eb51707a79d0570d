import { summariseFindings } from '../../../functions/core/findings/summary';
import { normaliseTrivyReport } from '../../../functions/core/findings/trivy';
import { fixtureJson } from './support';

describe('summariseFindings', () => {
  it('counts the edge-case Trivy report by severity, fix state, secrets and misconfiguration status', () => {
    const report = normaliseTrivyReport(fixtureJson('trivy/image-edge-cases.json'), 'r.json');
    expect(summariseFindings(report)).toEqual({
      vulnerabilities: {
        total: 13,
        bySeverity: { unknown: 2, negligible: 0, low: 3, medium: 3, high: 3, critical: 2 },
        byFixState: { fixed: 5, unfixed: 3, wont_fix: 1, end_of_life: 1, unknown: 2, not_affected: 1 },
      },
      secrets: { total: 3, bySeverity: { unknown: 0, negligible: 0, low: 0, medium: 0, high: 0, critical: 3 } },
      misconfigurations: {
        failed: 1,
        passed: 1,
        exceptions: 1,
        failedBySeverity: { unknown: 0, negligible: 0, low: 0, medium: 0, high: 1, critical: 0 },
      },
    });
  });

  it('has every key at zero for an empty report', () => {
    const summary = summariseFindings({ vulnerabilities: [], secrets: [], misconfigurations: [] });
    expect(summary.vulnerabilities.total).toBe(0);
    expect(Object.values(summary.vulnerabilities.bySeverity)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Object.values(summary.vulnerabilities.byFixState)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(summary.misconfigurations).toMatchObject({ failed: 0, passed: 0, exceptions: 0 });
  });

  it('keeps not_affected findings visible: counted in the total and under their own fix state', () => {
    const vulnerability = (fixState: 'not_affected' | 'fixed') => ({ id: `CVE-${fixState}`, aliases: [], severity: 'critical' as const, fixState, package: { name: 'bash' } });
    const summary = summariseFindings({ vulnerabilities: [vulnerability('not_affected'), vulnerability('fixed')], secrets: [], misconfigurations: [] });
    expect(summary.vulnerabilities).toMatchObject({ total: 2, bySeverity: { critical: 2 }, byFixState: { fixed: 1, not_affected: 1, unknown: 0 } });
  });
});
