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
 * A service rolled back (or scaled to zero) for the images its tasks run: at most once per (service, digests).
 * A task with several containers is keyed on all its digests, sorted, so a later deployment that changes any
 * image is a new subject while the tasks of one deployment share one key.
 */
export function serviceKey(clusterArn: string, service: string, digests: readonly string[]): string {
  return `service#${clusterArn}#${service}#${[...new Set(digests)].sort().join(',')}`;
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
 * for standalone tasks, per (service, digests) for service tasks so a service with fifty tasks sends one event.
 */
export function notificationKey(subject: { taskArn: string } | { clusterArn: string; service: string; digests: readonly string[] }, policyHash: string): string {
  if ('taskArn' in subject) return `notify#task#${subject.taskArn}#${policyHash}`;
  return `notify#service#${subject.clusterArn}#${subject.service}#${[...new Set(subject.digests)].sort().join(',')}#${policyHash}`;
}
