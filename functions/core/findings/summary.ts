import { SEVERITIES, type Severity } from '../severity';
import { FIX_STATES, type FixState, type ScanReport } from './model';

export interface FindingsSummary {
  vulnerabilities: {
    total: number;
    bySeverity: Record<Severity, number>;
    byFixState: Record<FixState, number>;
  };
  secrets: { total: number; bySeverity: Record<Severity, number> };
  misconfigurations: {
    failed: number;
    passed: number;
    exceptions: number;
    /** Severities of the failed checks only: passes and exceptions are not problems. */
    failedBySeverity: Record<Severity, number>;
  };
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** Counts for renderers (summary lines, JUnit properties, verdict records): every key present, zeros included. */
export function summariseFindings(report: Pick<ScanReport, 'vulnerabilities' | 'secrets' | 'misconfigurations'>): FindingsSummary {
  const summary: FindingsSummary = {
    vulnerabilities: { total: 0, bySeverity: zeros(SEVERITIES), byFixState: zeros(FIX_STATES) },
    secrets: { total: 0, bySeverity: zeros(SEVERITIES) },
    misconfigurations: { failed: 0, passed: 0, exceptions: 0, failedBySeverity: zeros(SEVERITIES) },
  };
  for (const v of report.vulnerabilities) {
    summary.vulnerabilities.total += 1;
    summary.vulnerabilities.bySeverity[v.severity] += 1;
    summary.vulnerabilities.byFixState[v.fixState] += 1;
  }
  for (const s of report.secrets) {
    summary.secrets.total += 1;
    summary.secrets.bySeverity[s.severity] += 1;
  }
  for (const m of report.misconfigurations) {
    if (m.status === 'fail') {
      summary.misconfigurations.failed += 1;
      summary.misconfigurations.failedBySeverity[m.severity] += 1;
    } else if (m.status === 'pass') summary.misconfigurations.passed += 1;
    else summary.misconfigurations.exceptions += 1;
  }
  return summary;
}
