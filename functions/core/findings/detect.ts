import { InputError } from '../errors';
import { describeJsonValue } from '../validation/issues';

export type ReportFormat = 'trivy' | 'grype';

/** The Trivy JSON schema this normaliser reads (pkg/types/report.go, Trivy 0.20 and later). */
export const SUPPORTED_TRIVY_SCHEMA_VERSION = 2;

const EXPECTED = 'expected a Trivy JSON report (`trivy image --format json`, SchemaVersion 2) or a Grype JSON report (`grype -o json`)';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Trivy before 0.20 wrote a bare array of results: `[{"Target": ..., "Vulnerabilities": [...]}]`. */
function looksLikeLegacyTrivy(value: unknown[]): boolean {
  const first = value.find(isRecord);
  return first !== undefined && ('Target' in first || 'Vulnerabilities' in first);
}

function keyList(value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  if (keys.length === 0) return 'it is an empty object';
  const shown = keys.slice(0, 8).map((k) => JSON.stringify(k.slice(0, 40)));
  return `its top-level keys are ${shown.join(', ')}${keys.length > 8 ? `, … (${keys.length} in all)` : ''}`;
}

/**
 * Tells a Trivy report from a Grype report by the keys each always writes, and turns every other document
 * (Trivy's legacy array, SARIF, CycloneDX, SPDX, a Kubernetes report, anything else) into one clear
 * `InputError` that says what the file is and what to produce instead.
 */
export function detectReportFormat(json: unknown, source: string): ReportFormat {
  const fail = (message: string): never => {
    throw new InputError(message, { source });
  };

  if (Array.isArray(json)) {
    if (looksLikeLegacyTrivy(json)) {
      fail(
        'this is a Trivy report in the legacy format (a top-level array of results without SchemaVersion, written by Trivy before 0.20), which is not supported; ' +
          're-run the scan with Trivy 0.20 or later and `--format json`, which writes SchemaVersion 2',
      );
    }
    fail(`${EXPECTED}, got ${describeJsonValue(json)} instead of a JSON object`);
  }
  if (!isRecord(json)) fail(`${EXPECTED}, got ${describeJsonValue(json)} instead of a JSON object`);
  const doc = json as Record<string, unknown>;

  if ('SchemaVersion' in doc) {
    const version = doc.SchemaVersion;
    if (version !== SUPPORTED_TRIVY_SCHEMA_VERSION) {
      throw new InputError(
        `Trivy report SchemaVersion ${typeof version === 'number' ? version : describeJsonValue(version)} is not supported; expected ${SUPPORTED_TRIVY_SCHEMA_VERSION} (the JSON schema of Trivy 0.20 and later)`,
        { source, path: 'SchemaVersion' },
      );
    }
    return 'trivy';
  }
  if ('matches' in doc) return 'grype';

  const schema = typeof doc.$schema === 'string' ? doc.$schema.toLowerCase() : '';
  if (schema.includes('sarif') || (Array.isArray(doc.runs) && 'version' in doc)) {
    fail(`this is a SARIF file, which carries no image config and no fix states; ${EXPECTED} (re-run with \`--format json\` instead of \`--format sarif\`)`);
  }
  if (doc.bomFormat === 'CycloneDX' || schema.includes('cyclonedx')) {
    fail(`this is a CycloneDX document (an SBOM or VEX), not a scan report; ${EXPECTED}`);
  }
  if ('spdxVersion' in doc) fail(`this is an SPDX SBOM, not a scan report; ${EXPECTED}`);
  if ('ClusterName' in doc) {
    fail(`this is a Trivy Kubernetes report (\`trivy k8s\`), which is not supported; ${EXPECTED} for each image`);
  }
  if ('Results' in doc || 'ArtifactName' in doc || 'ArtifactType' in doc) {
    fail('this looks like a Trivy report but has no SchemaVersion; expected SchemaVersion 2 (`trivy image --format json`, Trivy 0.20 and later)');
  }
  if ('descriptor' in doc || 'distro' in doc) {
    fail('this looks like a Grype report but has no "matches" array; expected `grype -o json` output');
  }
  return fail(`${EXPECTED}; ${keyList(doc)}`);
}
