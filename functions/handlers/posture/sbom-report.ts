import { InputError } from '../../core/errors';
import { parseScanReportText } from '../../core/findings';
import type { ScanReport } from '../../core/findings/model';
import { ReportMissingError } from '../../core/ports';
import { baseReportKeyFor, mergeSbomRejudgement } from '../../core/posture/sbom';
import { classifyFailure, describeError, isNonRetryable } from '../failures';
import type { GateRuntime } from '../runtime';

/**
 * The SBOM scan's report merged into the image scan's report beside the SBOM. A base that is gone or unusable makes
 * the re-judgement a scan error (the next one then scans the image); a failure a retry may fix propagates.
 */
export async function withBaseReport(rt: GateRuntime, sbomKey: string, sbomReport: ScanReport): Promise<{ report: ScanReport } | { error: string }> {
  const baseKey = baseReportKeyFor(sbomKey);
  const location = rt.reports.locationOf(baseKey);
  let text: string;
  try {
    text = await rt.reports.getReport(baseKey);
  } catch (error) {
    if (error instanceof ReportMissingError) return { error: `the SBOM re-judgement has no image scan report at ${location} to stand on` };
    if (isNonRetryable(classifyFailure(error))) return { error: `the image scan report ${location} could not be read: ${describeError(error).message}` };
    throw error;
  }
  try {
    return { report: mergeSbomRejudgement(parseScanReportText(text, location), sbomReport) };
  } catch (error) {
    if (error instanceof InputError) return { error: `the image scan report behind the SBOM is unusable: ${error.message}` };
    throw error;
  }
}
