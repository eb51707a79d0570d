import { parseJsonText } from '../json-text';
import { detectReportFormat } from './detect';
import { normaliseGrypeReport } from './grype';
import type { ScanReport } from './model';
import { normaliseTrivyReport } from './trivy';

/**
 * One scanner report, whatever produced it, as the model every rule reads. The format is detected from the
 * document (Trivy `SchemaVersion: 2` or Grype `matches`); anything else, and any report with a field of the
 * wrong type, is an `InputError` that names `source` and, where it helps, the JSON path.
 */
export function parseScanReport(json: unknown, source: string): ScanReport {
  return detectReportFormat(json, source) === 'trivy' ? normaliseTrivyReport(json, source) : normaliseGrypeReport(json, source);
}

/** `parseScanReport` for the text of a report file: a clear `InputError` for empty, truncated or invalid JSON. */
export function parseScanReportText(text: string, source: string): ScanReport {
  const json = parseJsonText(text, {
    source,
    what: 'scan report',
    expected: 'a Trivy or Grype JSON report (did the scan fail before writing it?)',
  });
  return parseScanReport(json, source);
}
