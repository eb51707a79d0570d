/*
 * Keys of enforcement records (GateStore.claimEnforcement). A claim is a conditional write that succeeds once per
 * key, so every action and every notification the gate must not repeat on a retried or duplicated event is
 * guarded by one. Formats are part of the store contract (EnforcementRecord.key in ports.ts).
 */

/** A standalone task the gate stopped (and notified about) once. */
export function taskKey(taskArn: string): string {
  return `task#${taskArn}`;
}

/**
 * The gate's action on a service (rollback, restore, or scale to zero) for the images its tasks run, reported at
 * most once per (service deployment, digests). The claim is written after the action, which is safe to repeat (the
 * ECS adapter reports a rollback under way, a replaced deployment reads as superseded), so a crash between the two
 * loses at most the event; the tasks of one deployment share the key, so duplicate and redelivered events, and the
 * deployment's other tasks, send no second event. A new deployment is a new subject even with the very same images:
 * the claim lives for weeks, and a bad image set deployed again a week later must be reported again. The digests
 * stay in the key (all of a task's, sorted) because one deployment can run two image sets when an ECR tag is
 * re-resolved for tasks that opt out of version consistency.
 *
 * `deploymentId` is the id after `ecs-svc/` in the task's `startedBy` (TaskOwner.deploymentId). The gate acts on a
 * service only with one (and once ECS confirms it), so blocked tasks always use the first form; the form without it,
 * (service, digests), is kept for records written before and is what `notificationKey` falls back to.
 */
export function serviceKey(clusterArn: string, service: string, digests: readonly string[], deploymentId: string | undefined): string {
  const subject = [...new Set(digests)].sort().join(',');
  return deploymentId ? `service#${clusterArn}#${service}#ecs-svc/${deploymentId}#${subject}` : `service#${clusterArn}#${service}#${subject}`;
}

/** A lifecycle hook invocation that failed a deployment (or warned) and was notified. */
export function hookKey(executionId: string): string {
  return `hook#${executionId}`;
}

/** The verdict event of one finished scan. */
export function scanNotificationKey(scanKey: string, scanId: string): string {
  return `scan#${scanKey}#${scanId}`;
}

/**
 * A decision that only notifies (warn, audit-mode failure, allowed scan error), once per subject and policy: per task
 * for standalone tasks; for service tasks per (service deployment, digests), so a service with fifty tasks sends one
 * event, and a redeploy of the same warn-level images (a new deployment) is a new notice rather than one swallowed by
 * the first deployment's claim for its whole lifetime. `deploymentId` is TaskOwner.deploymentId, as in `serviceKey`;
 * without it the key falls back to (service, digests) for the same reason.
 */
export function notificationKey(
  subject: { taskArn: string } | { clusterArn: string; service: string; digests: readonly string[]; deploymentId?: string },
  policyHash: string,
): string {
  if ('taskArn' in subject) return `notify#task#${subject.taskArn}#${policyHash}`;
  const digests = [...new Set(subject.digests)].sort().join(',');
  const deployment = subject.deploymentId ? `ecs-svc/${subject.deploymentId}#` : '';
  return `notify#service#${subject.clusterArn}#${subject.service}#${deployment}${digests}#${policyHash}`;
}
