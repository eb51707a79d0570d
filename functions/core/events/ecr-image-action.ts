import { z } from 'zod';
import { isSha256Digest, parseImageReference, pinnedReference } from '../image/reference';
import { ACCOUNT_ID, REGION_NAME, describeSchemaError, type EventMeta } from './common';

/**
 * ECR Image Action (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html): a push is the
 * earliest moment the gate can scan a digest, so the verdict usually exists before any task asks.
 */
export const ecrImageActionSchema = z.looseObject({
  'action-type': z.string().min(1),
  result: z.string().min(1),
  'repository-name': z.string().min(1).max(256),
  'image-digest': z.string().max(256).nullish(),
  'image-tag': z.string().max(300).nullish(),
});

export type PushReading =
  | { ok: true; digest: string; imageReference: string; repositoryName: string; tag?: string }
  | { ok: false; reason: string; malformed: boolean };

export function readImagePush(detail: unknown, meta: EventMeta): PushReading {
  const parsed = ecrImageActionSchema.safeParse(detail);
  if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, detail, 'malformed ECR Image Action'), malformed: true };
  const action = parsed.data;
  if (action['action-type'] !== 'PUSH') return { ok: false, reason: `ECR ${action['action-type']} is not a push`, malformed: false };
  if (action.result !== 'SUCCESS') return { ok: false, reason: `ECR push ended ${action.result}`, malformed: false };
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
