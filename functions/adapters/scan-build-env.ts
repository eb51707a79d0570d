/**
 * Environment variables the gate passes to each scan build (StartBuild `environmentVariablesOverride`, all
 * PLAINTEXT). One list, read by the CodeBuild adapter, the buildspec (buildspecs/) and the construct (infra/),
 * so the three cannot drift apart. PLAINTEXT values are echoed in the Build State Change event and in
 * BatchGetBuilds, so only references and ids go here, never secrets; the buildspec quotes every one of them.
 */
export const SCAN_BUILD_ENV = {
  /** Reference the build pulls: `registry/repository@sha256:...` whenever the digest is known. */
  imageReference: 'IMAGE_REF',
  /** Manifest digest being scanned (`sha256:...`). */
  imageDigest: 'IMAGE_DIGEST',
  /** S3 key (in the reports bucket) the raw scanner report is written to. */
  reportKey: 'REPORT_KEY',
  /** The gate's scan id: ties the build and its report back to the scan record. */
  scanId: 'SCAN_ID',
  /** `image` (absent: the default, a full scan that also writes the SBOM) or `sbom` (a re-judgement of a stored SBOM). */
  scanMode: 'SCAN_MODE',
  /** For `sbom` scans: the S3 key of the stored CycloneDX SBOM to match against the newest vulnerability data. */
  sbomKey: 'SBOM_KEY',
} as const;

export type ScanBuildEnvName = (typeof SCAN_BUILD_ENV)[keyof typeof SCAN_BUILD_ENV];
