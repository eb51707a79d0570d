import { COMPROMISED_TRIVY_VERSIONS, PINNED_TRIVY, assertTrivyVersionAllowed, trivyAssetName } from '../../infra/trivy';

describe('pinned Trivy release', () => {
  it('is an exact release that is not one of the March 2026 malicious releases', () => {
    expect(PINNED_TRIVY.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(COMPROMISED_TRIVY_VERSIONS).toEqual(expect.arrayContaining(['0.69.4']));
    expect(COMPROMISED_TRIVY_VERSIONS).not.toContain(PINNED_TRIVY.version);
    expect(() => assertTrivyVersionAllowed(PINNED_TRIVY.version)).not.toThrow();
  });

  it('carries a distinct SHA-256 per architecture', () => {
    expect(PINNED_TRIVY.sha256.x86_64).toMatch(/^[0-9a-f]{64}$/);
    expect(PINNED_TRIVY.sha256.arm64).toMatch(/^[0-9a-f]{64}$/);
    expect(PINNED_TRIVY.sha256.x86_64).not.toBe(PINNED_TRIVY.sha256.arm64);
  });

  it('names the Linux tarballs as the release does', () => {
    expect(trivyAssetName('0.70.0', 'x86_64')).toBe('trivy_0.70.0_Linux-64bit.tar.gz');
    expect(trivyAssetName('0.70.0', 'arm64')).toBe('trivy_0.70.0_Linux-ARM64.tar.gz');
  });

  it.each(['0.69.4', '0.69.5', '0.69.6'])('refuses %s', (version) => {
    expect(() => assertTrivyVersionAllowed(version)).toThrow(/attacker/);
  });
});
