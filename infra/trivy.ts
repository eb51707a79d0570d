/**
 * The Trivy release the scan project installs, pinned by version and by the SHA-256 of each Linux tarball.
 *
 * v0.70.0 (released 2026-04-17). Checksums as published in `trivy_0.70.0_checksums.txt` of the official release;
 * found quoted identically in the aqua registry checksum entries
 * (`github_release/github.com/aquasecurity/trivy/v0.70.0/trivy_0.70.0_Linux-64bit.tar.gz` and `..._Linux-ARM64.tar.gz`)
 * and in several independent public installers that pin both assets and state they were copied from that file.
 *
 * Never v0.69.4: it is the malicious release of the March 2026 supply-chain attack (GHSA-69fq-xp46-6x23 /
 * CVE-2026-33634); v0.69.5 and v0.69.6 were malicious images pushed during the same incident
 * (future-architect/vuls PR #2489). `assertTrivyVersionAllowed` refuses all three at synth, and the buildspec refuses
 * them again before it downloads anything.
 */
export const PINNED_TRIVY = {
  version: '0.70.0',
  sha256: {
    x86_64: '8b4376d5d6befe5c24d503f10ff136d9e0c49f9127a4279fd110b727929a5aa9',
    arm64: '2f6bb988b553a1bbac6bdd1ce890f5e412439564e17522b88a4541b4f364fc8d',
  },
} as const;

export const TRIVY_RELEASES_URL = 'https://github.com/aquasecurity/trivy/releases/download';

/** Releases published by the attacker in March 2026; no configuration may select them. */
export const COMPROMISED_TRIVY_VERSIONS: readonly string[] = ['0.69.4', '0.69.5', '0.69.6'];

export type ScanArchitecture = 'x86_64' | 'arm64';

const VERSION = /^\d+\.\d+\.\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** The release asset name for a version and architecture, as Trivy's goreleaser names them. */
export function trivyAssetName(version: string, architecture: ScanArchitecture): string {
  return `trivy_${version}_Linux-${architecture === 'arm64' ? 'ARM64' : '64bit'}.tar.gz`;
}

export function assertTrivyVersionAllowed(version: string): void {
  if (!VERSION.test(version)) {
    throw new Error(`Trivy version ${JSON.stringify(version)} is not an exact release version such as "${PINNED_TRIVY.version}" (no "v", no "latest")`);
  }
  if (COMPROMISED_TRIVY_VERSIONS.includes(version)) {
    throw new Error(`Trivy ${version} was published by an attacker (GHSA-69fq-xp46-6x23); pin another release`);
  }
}

export function assertSha256(value: string, what: string): void {
  if (!SHA256.test(value)) throw new Error(`${what} must be 64 lowercase hexadecimal characters, got ${JSON.stringify(value)}`);
}

/** An S3 location `s3://<bucket>[/<prefix>]`: a bucket name as S3 names them and key segments of letters, digits, `.`, `_`, `-`. */
const S3_LOCATION = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])((?:\/[A-Za-z0-9._-]+)*)$/;
const HTTPS_URL = /^https:\/\/[^\s"'`$\\]+$/;

/** Where a Trivy release is downloaded from: `<base>/v<version>/<asset>`, over https or from S3 with the build role. */
export type TrivyDownloadLocation = { kind: 'https'; url: string } | { kind: 's3'; url: string; bucket: string; prefix: string };

/**
 * Checks a download base URL and drops trailing slashes. https:// (curl, `--proto =https`) or s3://<bucket>[/<prefix>]
 * (`aws s3 cp` with the build role): anything else, and a location the buildspec could not quote safely, is an error
 * naming `what`.
 */
export function parseTrivyDownloadBaseUrl(value: string, what: string): TrivyDownloadLocation {
  const url = typeof value === 'string' ? value.replace(/\/+$/, '') : '';
  const s3 = S3_LOCATION.exec(url);
  if (s3 && !s3[2].split('/').some((segment) => segment === '.' || segment === '..') && !s3[1].includes('..')) {
    return { kind: 's3', url, bucket: s3[1], prefix: s3[2].replace(/^\//, '') };
  }
  if (HTTPS_URL.test(url)) return { kind: 'https', url };
  throw new Error(
    `${what} must be an https:// URL without spaces or quotes, or an s3://<bucket>[/<prefix>] location (a bucket name, then key segments of letters, digits, ".", "_", "-"), got ${JSON.stringify(value)}`,
  );
}

/** The object key of a release asset under an S3 prefix, laid out as the release URLs are: `<prefix>/v<version>/<asset>`. */
export function trivyReleaseKey(prefix: string, version: string, asset: string): string {
  return `${prefix === '' ? '' : `${prefix}/`}v${version}/${asset}`;
}

/** The release's checksums file (goreleaser's `sha256sum` format, one `<hex>  <asset>` line per asset). */
export function trivyChecksumsFileName(version: string): string {
  return `trivy_${version}_checksums.txt`;
}
