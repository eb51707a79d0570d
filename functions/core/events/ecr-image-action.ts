import { zodSchema } from '../zod-on-demand';
import { isSha256Digest, parseImageReference, pinnedReference } from '../image/reference';
import { ACCOUNT_ID, REGION_NAME, describeSchemaError, type EventMeta } from './common';
import { ignoredEvent, type DetailReader, type GateEvent } from './route';

/**
 * ECR Image Action (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html): a push is the
 * earliest moment the gate can scan a digest, so the verdict usually exists before any task asks.
 *
 * A registry holds more than container images: cosign signatures and attestations, OCI 1.1 referrers (SBOMs,
 * Notation signatures), BuildKit cache manifests, Helm charts. Scanning one of those fails the scan build and fires
 * the scan-failure alarm for nothing, so only pushes that look like an image start a scan. ECR names what was pushed in
 * `manifest-media-type` (the manifest's media type) and `artifact-media-type` (the config's media type, or the
 * artifact type); the gate's push rule filters on the same lists (infra/event-patterns.ts).
 */

/** Manifests of one image (OCI and Docker schema 2). */
export const IMAGE_MANIFEST_MEDIA_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'] as const;
/** Multi-platform image indexes (OCI and Docker manifest list): they carry no config, so no artifact media type. */
export const IMAGE_INDEX_MEDIA_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'] as const;
/** Config media types of a runnable image; anything else (Helm, BuildKit cache, SBOM, signature) is an artifact. */
export const IMAGE_CONFIG_MEDIA_TYPES = ['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'] as const;
/**
 * Tags cosign gives the signature, attestation and SBOM it stores beside an image (`sha256-<digest>.sig`, ...). Their
 * manifests look like an image's (OCI manifest, OCI config), so only the tag tells them apart. EventBridge wildcards.
 */
export const COSIGN_TAG_WILDCARDS = ['sha256-*.sig', 'sha256-*.att', 'sha256-*.sbom'] as const;

const COSIGN_TAG = /^sha256-.*\.(?:sig|att|sbom)$/;

export const ecrImageActionSchema = zodSchema((z) => z.looseObject({
  'action-type': z.string().min(1),
  result: z.string().min(1),
  'repository-name': z.string().min(1).max(256),
  'image-digest': z.string().max(256).nullish(),
  'image-tag': z.string().max(300).nullish(),
  'manifest-media-type': z.string().max(256).nullish(),
  'artifact-media-type': z.string().max(256).nullish(),
}));

export type PushReading =
  | { ok: true; digest: string; imageReference: string; repositoryName: string; tag?: string }
  | { ok: false; reason: string; malformed: boolean };

export function readImagePush(detail: unknown, meta: EventMeta): PushReading {
  const parsed = ecrImageActionSchema().safeParse(detail);
  if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, detail, 'malformed ECR Image Action'), malformed: true };
  const action = parsed.data;
  if (action['action-type'] !== 'PUSH') return { ok: false, reason: `ECR ${action['action-type']} is not a push`, malformed: false };
  if (action.result !== 'SUCCESS') return { ok: false, reason: `ECR push ended ${action.result}`, malformed: false };
  const notAnImage = nonImageArtifact(action);
  if (notAnImage) return { ok: false, reason: `ECR push of ${notAnImage}, not a container image: nothing to scan`, malformed: false };
  const digest = action['image-digest'];
  if (!isSha256Digest(digest)) {
    return { ok: false, reason: 'malformed ECR Image Action: detail["image-digest"] is not a sha256 digest (sha256: and 64 lowercase hex characters)', malformed: true };
  }
  if (!meta.account || !ACCOUNT_ID.test(meta.account) || !meta.region || !REGION_NAME.test(meta.region)) {
    return { ok: false, reason: 'malformed ECR Image Action: the event has no valid account and region to name the registry', malformed: true };
  }
  // ECR events come from the registry's own account and region; China regions use the .amazonaws.com.cn domain.
  const host = `${meta.account}.dkr.ecr.${meta.region}.amazonaws.com${meta.region.startsWith('cn-') ? '.cn' : ''}`;
  let reference;
  try {
    reference = parseImageReference(`${host}/${action['repository-name']}@${digest}`);
  } catch {
    return { ok: false, reason: 'malformed ECR Image Action: detail["repository-name"] is not a valid repository name', malformed: true };
  }
  const reading: PushReading = { ok: true, digest, imageReference: pinnedReference(reference, digest), repositoryName: action['repository-name'] };
  if (action['image-tag']) reading.tag = action['image-tag'];
  return reading;
}

/**
 * What the push is when it is not an image, or undefined for an image. Absent media types pass: older events carry
 * none, and an index has no config; a push the gate cannot place is scanned rather than skipped.
 */
export function nonImageArtifact(detail: { 'manifest-media-type'?: string | null; 'artifact-media-type'?: string | null; 'image-tag'?: string | null }): string | undefined {
  const manifest = detail['manifest-media-type'];
  const artifact = detail['artifact-media-type'];
  const tag = detail['image-tag'];
  if (manifest && !(IMAGE_MANIFEST_MEDIA_TYPES as readonly string[]).includes(manifest) && !(IMAGE_INDEX_MEDIA_TYPES as readonly string[]).includes(manifest)) {
    return `a ${JSON.stringify(manifest)} manifest`;
  }
  if (artifact && !(IMAGE_CONFIG_MEDIA_TYPES as readonly string[]).includes(artifact)) return `a ${JSON.stringify(artifact)} artifact`;
  if (tag && COSIGN_TAG.test(tag)) return `the cosign signature, attestation or SBOM tagged ${JSON.stringify(tag)}`;
  return undefined;
}

/** The GateEvent of an ECR Image Action: a pushed image to pre-scan, anything else ignored. */
export const readImagePushEvent: DetailReader = (event, meta) => {
  const reading = readImagePush(event.detail, meta);
  if (!reading.ok) return ignoredEvent(meta, reading.reason, reading.malformed);
  const push: GateEvent = { kind: 'imagePushed', meta, digest: reading.digest, imageReference: reading.imageReference, repositoryName: reading.repositoryName };
  if (reading.tag) push.tag = reading.tag;
  return push;
};
