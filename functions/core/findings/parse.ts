import { InputError } from '../errors';
import { detectReportFormat } from './detect';
import { findJsonSyntaxError, lineAndColumn } from './json-syntax';
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

function jsonSyntaxError(text: string, error: unknown, source: string): InputError {
  const problem = findJsonSyntaxError(text);
  if (problem === undefined) {
    // JSON.parse and the locator disagree only on inputs neither was built for; still one clear error.
    return new InputError('is not valid JSON', { source, cause: error });
  }
  const { line, column } = lineAndColumn(text, problem.offset);
  const message = problem.truncated
    ? `is not valid JSON: the text ends at line ${line}, column ${column} (character ${problem.offset}) where ${problem.expected} was expected, so the file is probably truncated (an interrupted scan or upload)`
    : `is not valid JSON at line ${line}, column ${column} (character ${problem.offset}): expected ${problem.expected}, found ${JSON.stringify(text[problem.offset])}`;
  return new InputError(message, { source, cause: error });
}

/** `parseScanReport` for the text of a report file: a clear `InputError` for empty, truncated or invalid JSON. */
export function parseScanReportText(text: string, source: string): ScanReport {
  if (typeof text !== 'string') throw new InputError(`expected the report as text, got ${typeof text}`, { source });
  // Editors and PowerShell on Windows save UTF-8 with a byte-order mark, which JSON.parse rejects.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new InputError('is empty; expected a Trivy or Grype JSON report (did the scan fail before writing it?)', { source });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw jsonSyntaxError(body, error, source);
  }
  return parseScanReport(json, source);
}
