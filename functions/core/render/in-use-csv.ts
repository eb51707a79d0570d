import type { InUseReport, InUseRow } from '../posture/in-use-report-schema';
import { SEVERITIES } from '../severity';

/*
 * The in-use report as CSV (RFC 4180: CRLF line ends, a field with a comma, a quote or a line break in double quotes,
 * quotes doubled). Image tags, repository and service names are chosen by whoever pushes or deploys, and a
 * spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a formula: such cells get a leading
 * apostrophe, as OWASP's "CSV Injection" page recommends (https://owasp.org/www-community/attacks/CSV_Injection).
 */

const FIXABLE = [...SEVERITIES].reverse();

export const IN_USE_CSV_COLUMNS = [
  'digest',
  'decision',
  'mode',
  'images',
  'repositories',
  'accounts',
  'clusters',
  'services',
  'service_count',
  'task_count',
  'tasks',
  'denied_count',
  'denied_findings',
  ...FIXABLE.map((severity) => `fixable_${severity}`),
  'verdict_scanned_at',
  'verdict_age_hours',
  'exceptions_expiring_soon',
  'in_use_since',
  'errors',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: formula-guarded, then quoted when RFC 4180 requires it. */
export function csvField(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

function cells(row: InUseRow): string[] {
  return [
    row.digest,
    row.decision,
    row.mode,
    row.images.join(' '),
    row.repositories.join(' '),
    row.accounts.join(' '),
    row.clusters.join(' '),
    row.services.join(' '),
    String(row.serviceCount),
    String(row.taskCount),
    row.tasks.join(' '),
    String(row.deniedCount),
    row.deniedFindings.map((finding) => `${finding.id} (${finding.severity})`).join(' '),
    ...FIXABLE.map((severity) => String(row.fixableBySeverity[severity])),
    row.verdict?.scannedAt ?? '',
    row.verdict ? String(row.verdict.ageHours) : '',
    row.exceptionsExpiringSoon.map((exception) => `${exception.id} (${exception.expiresAt})`).join(' '),
    row.inUseSince,
    row.errors.join(' | '),
  ];
}

/**
 * Header and one record per image. A truncated report ends with one more record whose first field says how many
 * images were left out, so a reader of the file alone knows it is not the whole fleet.
 */
export function renderInUseCsv(report: InUseReport): string {
  const records = [[...IN_USE_CSV_COLUMNS], ...report.rows.map(cells)];
  if (report.truncated) {
    const note = `# truncated: ${report.truncated.shown} of ${report.truncated.total} images in use are listed (most urgent first)`;
    records.push([note, ...IN_USE_CSV_COLUMNS.slice(1).map(() => '')]);
  }
  return records.map((record) => `${record.map(csvField).join(',')}\r\n`).join('');
}
