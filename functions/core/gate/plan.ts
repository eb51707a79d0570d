import type { ImageReference } from '../image/reference';
import { evaluatePolicy, isBlocking } from '../policy/evaluate';
import type { ContainerEvidence, LoadedPolicy, Policy } from '../policy';
import type { StoredVerdict } from '../ports';
import type { Decision, EvaluationResult } from '../result/model';
import type { TaskDefinitionSpec } from '../taskdef/model';
import { verdictFreshness } from './freshness';
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

/** One container of a revision the gate may restore: the digest a new deployment of it would run, and its verdict. */
export interface RestoreContainer {
  name: string;
  image?: ImageReference;
  /** The digest a new deployment would pull (tags are resolved again for every deployment). */
  digest?: string;
  /** Stored verdict of that digest under the current policy, when there is one. */
  verdict?: StoredVerdict;
  /** Why the digest cannot be known (a tag outside ECR, a tag that no longer exists, an invalid reference). */
  problem?: string;
}

export interface RestoreInput {
  policy: LoadedPolicy<Policy>;
  /** The revision's task definition (container users and environment are judged as for a task). */
  spec: TaskDefinitionSpec;
  containers: readonly RestoreContainer[];
  context: { cluster?: string; service?: string; taskDefinition?: string };
  now: Date;
}

export type RestoreDecision = { restore: true; result: EvaluationResult } | { restore: false; why: string };

/**
 * Whether the gate may put a service back on the revision a completed bad deployment replaced. Only when every image
 * the revision would run has a verdict under the policy in force now (keyed by its hash) and the revision as a whole
 * does not block: restoring a revision the gate would deny too would start a loop (restore, deny, roll back to the
 * bad one), and the gate does not itself deploy an image it never judged. An image it cannot pin to a digest, or
 * has no verdict for, is unknown, and unknown is not restored (the caller scales to zero instead).
 */
export function decideRestore(input: RestoreInput): RestoreDecision {
  const evidence: ContainerEvidence[] = [];
  for (const container of input.containers) {
    if (container.problem) return { restore: false, why: `container ${container.name}: ${container.problem}` };
    if (!container.digest) return { restore: false, why: `container ${container.name}: the digest it would run is unknown` };
    if (!container.verdict) return { restore: false, why: `container ${container.name}: no verdict for ${container.digest} under the current policy` };
    // Past its TTL the verdict is gone (DynamoDB deletes it eventually). Older than maxScanAge it still says how the
    // image was judged under this policy: a revision that ran for weeks is not taken for unknown, and if a rescan now
    // fails it, the restored deployment is judged and rolled back like any other.
    if (verdictFreshness(container.verdict, input.now, undefined) === 'expired') {
      return { restore: false, why: `container ${container.name}: the verdict for ${container.digest} has expired` };
    }
    const item: ContainerEvidence = { name: container.name, digest: container.digest, assessment: container.verdict.assessment };
    if (container.image) item.image = container.image;
    const spec = input.spec.containers.find((candidate) => candidate.name === container.name);
    if (spec) item.spec = spec;
    evidence.push(item);
  }
  if (evidence.length === 0) return { restore: false, why: 'the revision has no container the gate can judge' };
  const result = evaluatePolicy(input.policy, { containers: evidence, context: input.context, now: input.now });
  if (isBlocking(result) || result.decision === 'fail' || result.decision === 'error') {
    return { restore: false, why: `the revision would be denied too (decision ${result.decision})` };
  }
  return { restore: true, result };
}
