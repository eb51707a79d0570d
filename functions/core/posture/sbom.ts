import type { ScanReport } from '../findings/model';

/**
 * Where a scan's CycloneDX SBOM lives: beside its raw report, the report key with `.cdx.json` for `.json` (the
 * inline-scan buildspec writes it there with `${REPORT_KEY%.json}.cdx.json`; the two must agree).
 */
export function sbomKeyFor(reportKey: string): string {
  return reportKey.endsWith('.json') ? `${reportKey.slice(0, -'.json'.length)}.cdx.json` : `${reportKey}.cdx.json`;
}

/** The image scan's report beside an SBOM: the SBOM key with `.json` for `.cdx.json` (inverse of `sbomKeyFor`). */
export function baseReportKeyFor(sbomKey: string): string {
  return sbomKey.endsWith('.cdx.json') ? `${sbomKey.slice(0, -'.cdx.json'.length)}.json` : sbomKey;
}

/**
 * The report an SBOM re-judgement stands for: the image scan's report (its image facts, secrets, misconfigurations,
 * which an SBOM does not carry) with the vulnerabilities the SBOM scan found against the newest data, and the SBOM
 * scan's time and scanner version (the verdict's age counts from it). An SBOM names no image, so without the base the
 * SBOM report alone could not vouch for the digest.
 */
export function mergeSbomRejudgement(base: ScanReport, sbom: ScanReport): ScanReport {
  return {
    ...base,
    provenance: { ...base.provenance, ...definedOnly({ scannerVersion: sbom.provenance.scannerVersion, scannedAt: sbom.provenance.scannedAt, dbBuiltAt: sbom.provenance.dbBuiltAt }) },
    vulnerabilities: sbom.vulnerabilities,
    warnings: [...(base.warnings ?? []), ...(sbom.warnings ?? [])],
  };
}

function definedOnly<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
