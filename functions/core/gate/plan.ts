import type { Decision } from '../result/model';
import type { ImagePlan } from './images';
import type { TaskOwner } from './task';

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
 */
export function planEnforcement(decision: Decision, blocking: boolean, owner: TaskOwner): EnforcementPlan {
  if (blocking) return { action: owner.kind === 'service' ? 'rollbackService' : 'stopTask', notify: true };
  return { action: 'none', notify: decision !== 'pass' };
}

/**
 * Whether the gate may act on what it knows of a task's images. A digest resolved from an ECR tag is a guess
 * (the tag may have moved after the pull); while the task is still starting, ECS will soon report the digest it
 * really pulled, so a guess only starts scans early. Once the task is RUNNING no better evidence will come.
 */
export function evidenceIsConclusive(plans: readonly ImagePlan[], lastStatus: string): boolean {
  return lastStatus === 'RUNNING' || plans.every((plan) => plan.kind !== 'resolveTag');
}
