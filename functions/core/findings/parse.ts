import { parseJsonText } from '../json-text';
import { detectReportFormat } from './detect';
import { normaliseGrypeReport } from './grype';
import type { ScanReport } from './model';
import { normaliseTrivyReport, type ReportOrigin } from './trivy';

/**
 * One scanner report, whatever produced it, as the model every rule reads. The format is detected from the
 * document (Trivy `SchemaVersion: 2` or Grype `matches`); anything else, and any report with a field of the
 * wrong type, is an `InputError` that names `source` and, where it helps, the JSON path.
 */
export function parseScanReport(json: unknown, source: string): ScanReport {
  return normaliseReport(json, source, 'value');
}

function normaliseReport(json: unknown, source: string, origin: ReportOrigin): ScanReport {
  return detectReportFormat(json, source) === 'trivy' ? normaliseTrivyReport(json, source, origin) : normaliseGrypeReport(json, source);
}

/** `parseScanReport` for the text of a report file: a clear `InputError` for empty, truncated or invalid JSON. */
export function parseScanReportText(text: string, source: string): ScanReport {
  const json = parseJsonText(text, {
    source,
    what: 'scan report',
    expected: 'a Trivy or Grype JSON report (did the scan fail before writing it?)',
  });
  // What JSON.parse made: the normaliser may skip the checks only a value built in code could fail.
  return normaliseReport(json, source, 'json-text');
}
