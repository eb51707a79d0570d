import { createHash } from 'node:crypto';
import { formatImageReference, isSha256Digest, parseImageReference, type ImageReference } from '../image/reference';
import type { ContainerSnapshot } from './task';

/**
 * How the gate learns which image a container runs, best evidence first:
 * 1. `pinned`: the digest ECS reports for the container (`imageDigest`), or the digest the reference itself pins;
 * 2. `resolveTag`: an ECR tag, resolved with ECR DescribeImages. A guess: the tag may have moved since the pull;
 * 3. `byReference`: any other tag, scanned by reference; the scan report says which digest it pulled;
 * 4. `invalid`: no usable reference. Nothing is sent anywhere; the container counts as a scan error.
 */
export type ImagePlan =
  | { kind: 'pinned'; container: string; reference: ImageReference; digest: string; source: 'task' | 'reference' }
  | { kind: 'resolveTag'; container: string; reference: ImageReference }
  | { kind: 'byReference'; container: string; reference: ImageReference; scanKey: string }
  | { kind: 'invalid'; container: string; error: string };

/** The message for an invalid reference. It never repeats the reference: a hostile string goes nowhere, not even into a verdict event. */
export const INVALID_REFERENCE = 'the image reference is not a valid OCI image reference';
export const MISSING_REFERENCE = 'ECS reported no image reference for the container and the task definition has none';

export function planImage(container: ContainerSnapshot, taskDefinitionImage?: string): ImagePlan {
  const text = container.image ?? taskDefinitionImage;
  if (text === undefined) return { kind: 'invalid', container: container.name, error: MISSING_REFERENCE };
  let reference: ImageReference;
  try {
    reference = parseImageReference(text);
  } catch {
    return { kind: 'invalid', container: container.name, error: INVALID_REFERENCE };
  }
  if (isSha256Digest(container.imageDigest)) return { kind: 'pinned', container: container.name, reference, digest: container.imageDigest, source: 'task' };
  if (isSha256Digest(reference.digest)) return { kind: 'pinned', container: container.name, reference, digest: reference.digest, source: 'reference' };
  if (reference.ecr && reference.digest === undefined) return { kind: 'resolveTag', container: container.name, reference };
  return { kind: 'byReference', container: container.name, reference, scanKey: referenceScanKey(reference) };
}

const REFERENCE_KEY_PREFIX = 'ref-';

/**
 * Key under which a scan by reference (and its verdict) is stored: `ref-` and the sha256 of the canonical
 * reference. Never mistaken for a digest, and safe in an S3 key and a DynamoDB key whatever the reference holds.
 */
export function referenceScanKey(reference: ImageReference): string {
  return `${REFERENCE_KEY_PREFIX}${createHash('sha256').update(formatImageReference(reference)).digest('hex')}`;
}

export function isReferenceScanKey(key: string): boolean {
  return key.startsWith(REFERENCE_KEY_PREFIX);
}

/**
 * Where the scan build writes the raw report: `<prefix><algorithm>/<hex>/<scanId>.json` for a digest
 * (`reports/sha256/ab12.../<scanId>.json`) and `<prefix>ref-<hex>/<scanId>.json` for a scan by reference. The same
 * layout as the S3 adapter's `keyFor`, so one bucket has one layout; a prefix without a trailing `/` gets one.
 */
export function reportKeyFor(prefix: string, scanKey: string, scanId: string): string {
  const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return `${folder}${scanKey.replace(':', '/')}/${scanId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}
