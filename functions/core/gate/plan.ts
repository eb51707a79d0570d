import type { Decision } from '../result/model';
import type { ImagePlan } from './images';
import type { TaskOwner, TaskSnapshot } from './task';

export type GateAction = 'stopTask' | 'rollbackService' | 'none';

export interface EnforcementPlan {
  action: GateAction;
  /** Whether a verdict event is due (once per subject: the caller guards it with an enforcement claim). */
  notify: boolean;
}

/**
 * What a task decision calls for. `blocking` is the policy's own word (`isBlocking`: enforce mode and fail, or
 * error under onScanError deny), so audit mode and allowed scan errors only notify. A blocked service task rolls
 * its deployment back: stopping it alone would make ECS start a replacement with the same digest, forever.
 * A pass is silent: its digest's verdict event was sent when the scan finished.
 *
 * A scan error (`error`) on a service task only notifies, even when the policy blocks it: an error says nothing
 * about the image (one failed rescan of a digest whose last verdict passed is enough to cause one), and a
 * production service must not be rolled back or scaled to zero for it. Stopping the task alone would only make
 * ECS start the same digest again. The scan is retried on the error's back-off, and its verdict decides.
 */
export function planEnforcement(decision: Decision, blocking: boolean, owner: TaskOwner): EnforcementPlan {
  if (blocking && owner.kind === 'service' && decision === 'error') return { action: 'none', notify: true };
  if (blocking) return { action: owner.kind === 'service' ? 'rollbackService' : 'stopTask', notify: true };
  return { action: 'none', notify: decision !== 'pass' };
}

/** A container as the evidence check sees it: how its image is known and, for a resolved ECR tag, when the image the tag names was pushed. */
export interface ImageEvidence {
  plan: ImagePlan;
  /** ISO-8601 `imagePushedAt` of the image an ECR tag resolved to (RegistryPort.resolveDigest). */
  tagPushedAt?: string;
}

/**
 * How much earlier than the pull the push must be recorded to count. ECR states `imagePushedAt` in whole seconds in
 * its documented responses (`"imagePushedAt": 1499287667.0` in the ECR User Guide's "Retagging an image" and the
 * DescribeImages examples of the AWS CLI reference), so a push recorded at second S happened anywhere before S + 1 s;
 * ECS states `pullStartedAt` to the millisecond. One more second allows for the two services' clocks. A push within
 * this margin of the pull is no evidence: the gate then waits for ECS's digest rather than act on a guess.
 */
export const TAG_PUSH_MARGIN_MS = 2_000;

/**
 * Whether the image an ECR tag names now is the one the task pulled: it was pushed before the task began to pull
 * (`pullStartedAt`, else `createdAt`, which comes earlier still), by at least `TAG_PUSH_MARGIN_MS`. A tag names one
 * image at a time, so the image it named when the pull began is this one, unless the tag was moved away and back
 * onto an older image since (a re-tag keeps the image's first push time): an edge the gate cannot see, and one a
 * digest from ECS closes. Without either time there is no evidence at all.
 */
export function tagMatchesPull(tagPushedAt: string | undefined, task: Pick<TaskSnapshot, 'pullStartedAt' | 'createdAt'>): boolean {
  const pushed = Date.parse(tagPushedAt ?? '');
  const pullBegan = Date.parse(task.pullStartedAt ?? task.createdAt ?? '');
  return !Number.isNaN(pushed) && !Number.isNaN(pullBegan) && pushed + TAG_PUSH_MARGIN_MS <= pullBegan;
}

/**
 * Whether the gate may act on what it knows of a task's images. A digest resolved from an ECR tag is a guess (the
 * tag may have moved after the pull): while the task is still starting, ECS will soon report the digest it really
 * pulled, so a guess only starts scans early. Once the task is RUNNING, the guess counts only with evidence that
 * the task pulled that image (`tagMatchesPull`); without it the task's image is unknown and the gate waits for the
 * digest ECS reports, never stopping a task for an image it may not run.
 */
export function evidenceIsConclusive(images: readonly ImageEvidence[], task: Pick<TaskSnapshot, 'lastStatus' | 'pullStartedAt' | 'createdAt'>): boolean {
  return images.every((image) => image.plan.kind !== 'resolveTag' || (task.lastStatus === 'RUNNING' && tagMatchesPull(image.tagPushedAt, task)));
}
