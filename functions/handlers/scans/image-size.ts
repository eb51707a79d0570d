import { parseImageReference } from '../../core/image/reference';
import { classifyFailure, describeError } from '../failures';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';

/**
 * The size of the image a scan is about to pull, asked of ECR (DescribeImages by digest) when nothing the gate already
 * read said it: a push event carries no size (its detail is `result`, `repository-name`, `image-digest`, `action-type`,
 * `image-tag`: "Amazon ECR events and EventBridge", https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html),
 * nor does a task that reports its digest. Worth one call: it is made once per scan started (not per launch), only on a
 * stack with an EC2 fallback project and only for ECR images, and it can save a Lambda build of up to 15 minutes for an
 * image that would not fit. The gate's role may already call it (the tag-resolution grant, infra/permissions.ts).
 *
 * Never in the way of the scan: a reference that is not an ECR digest, a registry without the call, or any failure
 * (throttling, a refusal, a member role that cannot be assumed) gives undefined, and the scan starts on Lambda compute as
 * it did before; the failure fallback still catches an image that outgrows it.
 */
export async function lookUpImageSize(rt: GateRuntime, imageReference: string, log: Logger): Promise<number | undefined> {
  if (!rt.registry.imageSize) return undefined;
  let reference;
  try {
    reference = parseImageReference(imageReference);
  } catch {
    return undefined;
  }
  if (!reference.ecr || !reference.digest) return undefined;
  try {
    return await rt.registry.imageSize(reference);
  } catch (error) {
    log.warn({ failure: classifyFailure(error), reason: describeError(error).message, imageReference }, 'could not read the image size from ECR: the scan starts on the scan project');
    return undefined;
  }
}
