import { InputError } from '../../core/errors';
import { planImage } from '../../core/gate/images';
import { notificationKey, serviceKey, taskKey } from '../../core/gate/keys';
import type { EnforcementPlan } from '../../core/gate/plan';
import { decideRestore, type RestoreContainer, type RestoreDecision } from '../../core/gate/restore';
import { buildStopReason, decidingBuildIds } from '../../core/gate/stop-reason';
import type { TaskOwner, TaskSnapshot } from '../../core/gate/task';
import { buildVerdictEvent, decisionRules, type VerdictImage } from '../../core/gate/verdict-event';
import { isSha256Digest } from '../../core/image/reference';
import type { EnforcementRecord, RollbackOutcome, ServiceRevisionImages, ServiceTaskRef, VerdictEvent } from '../../core/ports';
import type { EvaluationResult } from '../../core/result/model';
import { decisionLogFields } from '../decision-log';
import type { Logger } from '../logger';
import { notifyOnce, releaseClaim } from './notify';
import { mayScaleToZero } from '../posture/scale-to-zero';
import type { GateRuntime } from '../runtime';

export interface TaskDecisionInput {
  task: TaskSnapshot;
  owner: TaskOwner;
  result: EvaluationResult;
  plan: EnforcementPlan;
  images: VerdictImage[];
  /** Verdict keys of the task's images (digests, or `ref-` keys): a service is reported on once per set. */
  imageKeys: string[];
  /** Launcher from the verdict read; `launcherKnown` says whether it was looked up at all. */
  launcher?: string;
  launcherKnown: boolean;
  log: Logger;
}

export interface EnforcementOutcome {
  action: VerdictEvent['action'];
  notified: boolean;
}

type ServiceOwner = { kind: 'service'; service: string; deploymentId: string };

/**
 * Carries out a task decision. Every action comes first and every verdict event after it: an event that cannot be
 * published (PutEvents refused or throttled) is logged and counted (`VerdictEventsLost`), its claim released so a
 * later event of the same subject sends it, and never prevents or changes an action. Calls, by case (the benchmark
 * counts them):
 * - standalone, blocked: StopTask, claim `task#arn`, PutEvents (first time only).
 * - service, `fail`: the service action, StopTask, claim `service#cluster#service#ecs-svc/deployment#digests`,
 *   PutEvents (first time only). The service action is `rollbackDeployment` of the task's own deployment (the
 *   adapter confirms from ECS that the deployment is the service's and runs the task's revision), then by outcome:
 *   rolled back (or already rolling back): done; superseded by a newer deployment: nothing more (the task is
 *   stopped); completed: restore the revision it replaced when the gate would let that revision run, else scale the
 *   service to zero; first deployment: scale to zero; membership not confirmed: the task is treated as standalone.
 * - service, `error`, and anything not blocked (warn, audit mode, allowed scan error): claim a notification key
 *   (per task, or per service deployment and digests), PutEvents. A scan error never acts on a service.
 *
 * Why the service action comes before any claim, not after one: a claim taken first and then stranded (the Lambda
 * timed out or crashed between the two) made every later task of the deployment skip the action while ECS replaced
 * the stopped tasks forever. Every service action is safe to repeat instead: a rollback already under way is
 * reported, not requested again; a rolled-back or restored deployment reads as superseded afterwards; scaling sets
 * an absolute count (and is skipped at zero). So a crash anywhere loses at most the verdict event, and the claim,
 * written after the action, only keeps the event to one per service deployment and image set. Two tasks of one
 * deployment judged at the same moment may both ask ECS; both asks lead to the same state.
 */
export async function enforceTaskDecision(rt: GateRuntime, input: TaskDecisionInput): Promise<EnforcementOutcome> {
  const { task, owner, result, plan, log } = input;

  if (plan.action === 'stopTask') return stopStandalone(rt, input);

  // Only a policy failure acts on a service (planEnforcement sends a scan error to notification; this holds it here too).
  if (plan.action === 'rollbackService' && owner.kind === 'service' && result.decision === 'fail') {
    if (!owner.deploymentId) {
      unverifiedServiceTask(rt, input, `the task carries no ecs-svc/ deployment id in startedBy (${JSON.stringify(task.startedBy ?? null)})`);
      return stopStandalone(rt, input);
    }
    return enforceOnService(rt, input, { kind: 'service', service: owner.service, deploymentId: owner.deploymentId });
  }

  if (plan.notify) {
    const subject =
      owner.kind === 'service'
        ? { clusterArn: task.clusterArn, service: owner.service, digests: input.imageKeys, deploymentId: owner.deploymentId }
        : { taskArn: task.taskArn };
    const notified = await notifyOnce(rt, { key: notificationKey(subject, result.policy.hash), action: 'notify', decision: result.decision }, () => eventFor(rt, input, 'none', owner), log);
    return { action: 'none', notified };
  }
  return { action: 'none', notified: false };
}

/** A standalone task, or a service task whose service ECS does not confirm: StopTask, then one verdict event per task. */
async function stopStandalone(rt: GateRuntime, input: TaskDecisionInput): Promise<EnforcementOutcome> {
  await stopTheTask(rt, input);
  const standalone: TaskOwner = { kind: 'standalone' };
  const notified = await publishOnce(rt, input, { key: taskKey(input.task.taskArn), action: 'stopTask' }, () => eventFor(rt, input, 'stopTask', standalone));
  return { action: 'stopTask', notified };
}

async function enforceOnService(rt: GateRuntime, input: TaskDecisionInput, owner: ServiceOwner): Promise<EnforcementOutcome> {
  const { task, log } = input;
  const ref: ServiceTaskRef = { cluster: task.clusterArn, service: owner.service, deploymentId: `ecs-svc/${owner.deploymentId}`, taskDefinitionArn: task.taskDefinitionArn };
  // `ecsService`: every line's `service` is the logger's own (`fargate-gate`), and a key bound twice is written twice.
  const serviceLog = log.child({ ecsService: owner.service, deploymentId: ref.deploymentId });

  let outcome: RollbackOutcome;
  let action: VerdictEvent['action'] = 'stopTask';
  try {
    outcome = await rt.ecs.rollbackDeployment(ref, reasonFor(input));
    if (outcome.kind !== 'notInService') action = await followUp(rt, input, ref, outcome, serviceLog);
  } catch (error) {
    // The service action failed (throttled, refused): the task is stopped all the same, then the error goes up so
    // Lambda retries the event, and the service action with it (it is safe to repeat).
    try {
      await stopTheTask(rt, input);
    } catch (stopError) {
      serviceLog.error({ err: stopError }, 'the task could not be stopped either');
    }
    throw error;
  }
  if (outcome.kind === 'notInService') {
    unverifiedServiceTask(rt, input, outcome.why);
    return stopStandalone(rt, input);
  }

  if (action === 'none') {
    // Drift the policy does not let scale a service to zero: nothing is stopped (ECS would start the same digest
    // again), the failure is reported once per service deployment.
    const subject = { clusterArn: task.clusterArn, service: owner.service, digests: input.imageKeys, deploymentId: owner.deploymentId };
    const notified = await notifyOnce(rt, { key: notificationKey(subject, input.result.policy.hash), action: 'notify', decision: input.result.decision }, () => eventFor(rt, input, 'none', owner), log);
    return { action: 'none', notified };
  }
  await stopTheTask(rt, input);
  const key = serviceKey(task.clusterArn, owner.service, input.imageKeys, owner.deploymentId);
  const notified = await publishOnce(rt, input, { key, action }, () => eventFor(rt, input, action, owner));
  return { action, notified };
}

/** What the rollback outcome leaves to do; returns the action the verdict event reports. */
async function followUp(rt: GateRuntime, input: TaskDecisionInput, ref: ServiceTaskRef, outcome: Exclude<RollbackOutcome, { kind: 'notInService' }>, log: Logger): Promise<VerdictEvent['action']> {
  switch (outcome.kind) {
    case 'rolledBack':
      if (outcome.repeated) {
        log.info({ deploymentArn: outcome.deploymentArn }, 'deployment already rolling back');
      } else {
        rt.metrics.count('EnforcementActions', 1, { action: 'rollbackDeployment' });
        log.warn({ deploymentArn: outcome.deploymentArn }, 'service deployment rolled back');
      }
      return 'rollbackDeployment';
    case 'superseded':
      log.info({ supersededBy: outcome.by }, "the task's deployment has been replaced by a newer one: stopping the task only");
      return 'stopTask';
    case 'nothingToRollBack':
      log.warn({ deploymentArn: outcome.deploymentArn }, 'first deployment of the service: nothing to roll back to');
      return scaleToZero(rt, input, ref, outcome.desiredCount, log);
    case 'completed': {
      if (!outcome.previous) {
        log.warn({ deploymentArn: outcome.deploymentArn }, 'the deployment completed and replaced no revision ECS still describes');
        return scaleToZero(rt, input, ref, outcome.desiredCount, log);
      }
      const decision = await judgeRestore(rt, ref, outcome.previous);
      if (!decision.restore) {
        log.warn({ deploymentArn: outcome.deploymentArn, previousTaskDefinition: outcome.previous.taskDefinitionArn, why: decision.why }, 'the revision the deployment replaced cannot be restored');
        return scaleToZero(rt, input, ref, outcome.desiredCount, log);
      }
      await rt.ecs.restoreServiceRevision(ref.cluster, ref.service, outcome.previous.taskDefinitionArn, reasonFor(input));
      rt.metrics.count('EnforcementActions', 1, { action: 'restoreServiceRevision' });
      log.warn(
        { deploymentArn: outcome.deploymentArn, restoredTaskDefinition: outcome.previous.taskDefinitionArn, restoredRevision: outcome.previous.serviceRevisionArn },
        'the deployment had completed: service restored to the revision it replaced',
      );
      return 'rollbackDeployment';
    }
  }
}

async function scaleToZero(rt: GateRuntime, input: TaskDecisionInput, ref: ServiceTaskRef, desiredCount: number | undefined, log: Logger): Promise<VerdictEvent['action']> {
  if (!mayScaleToZero(rt.policy, input.result, ref)) {
    rt.metrics.count('DriftScaleToZeroRefused');
    log.warn('not scaled to zero: the service fails only on drift (new vulnerability data), and its drift scope does not say scaleServicesToZero; its tasks keep running');
    return 'none';
  }
  if (desiredCount === 0) {
    log.info('service already scaled to zero');
    return 'scaleService';
  }
  await rt.ecs.scaleService(ref.cluster, ref.service, 0);
  rt.metrics.count('EnforcementActions', 1, { action: 'scaleService' });
  log.warn({ previousDesiredCount: desiredCount }, 'service scaled to zero');
  return 'scaleService';
}

/**
 * Whether the revision a completed deployment replaced may run again: what a new deployment of it would pull (tags
 * are resolved again for every deployment, so an ECR tag is resolved now rather than trusting the digest it had
 * then), each with a current verdict, and the revision judged as a whole (container users and environment too).
 * A revision whose task definition cannot be read is not restored.
 */
async function judgeRestore(rt: GateRuntime, ref: ServiceTaskRef, previous: ServiceRevisionImages): Promise<RestoreDecision> {
  let spec;
  try {
    spec = await rt.taskDefinitions.get(previous.taskDefinitionArn);
  } catch (error) {
    if (error instanceof InputError) return { restore: false, why: `its task definition cannot be read: ${error.message}` };
    throw error;
  }
  const containers = await Promise.all(
    spec.containers.map(async (container): Promise<RestoreContainer> => {
      const image = previous.containers.find((candidate) => candidate.name === container.name)?.image ?? container.image;
      const plan = planImage({ name: container.name, image });
      switch (plan.kind) {
        case 'invalid':
          return { name: container.name, problem: plan.error };
        case 'byReference':
          return { name: container.name, image: plan.reference, problem: 'its image is a tag outside ECR: the digest a new deployment would pull cannot be known' };
        case 'pinned':
          return { name: container.name, image: plan.reference, digest: plan.digest };
        case 'resolveTag': {
          // A new deployment of the revision pulls what the tag names now.
          const digest = (await rt.registry.resolveDigest(plan.reference))?.digest;
          if (!isSha256Digest(digest)) return { name: container.name, image: plan.reference, problem: 'its image tag no longer exists in ECR' };
          return { name: container.name, image: plan.reference, digest };
        }
      }
    }),
  );
  const digests = [...new Set(containers.flatMap((container) => (container.digest ? [container.digest] : [])))];
  const verdicts = digests.length > 0 ? await rt.store.getVerdicts(digests, rt.policy.hash) : new Map();
  for (const container of containers) {
    const verdict = container.digest ? verdicts.get(container.digest) : undefined;
    if (verdict) container.verdict = verdict;
  }
  return decideRestore({
    policy: rt.policy,
    spec,
    containers,
    context: { cluster: ref.cluster, service: ref.service, taskDefinition: previous.taskDefinitionArn },
    now: rt.clock.now(),
  });
}

async function stopTheTask(rt: GateRuntime, input: TaskDecisionInput): Promise<void> {
  const { task, result, log } = input;
  await rt.ecs.stopTask(task.clusterArn, task.taskArn, reasonFor(input));
  rt.metrics.count('EnforcementActions', 1, { action: 'stopTask' });
  log.warn(
    {
      ...decisionLogFields(result),
      digests: input.images.flatMap((image) => (image.digest ? [image.digest] : [])),
      buildIds: decidingBuildIds(result, input.images),
    },
    'task stopped',
  );
}

/** A task that says it belongs to a service ECS does not confirm: `group` and `startedBy` are free-form RunTask parameters. */
function unverifiedServiceTask(rt: GateRuntime, input: TaskDecisionInput, why: string): void {
  rt.metrics.count('UnverifiedServiceTasks');
  input.log.warn(
    { group: input.task.group, startedBy: input.task.startedBy, taskDefinitionArn: input.task.taskDefinitionArn, why },
    'suspicious: the task claims a service ECS does not confirm; stopping it as a standalone task, the service is left alone',
  );
}

function reasonFor(input: TaskDecisionInput): string {
  return buildStopReason({
    policyName: input.result.policy.name,
    decision: input.result.decision,
    rules: decisionRules(input.result),
    buildIds: decidingBuildIds(input.result, input.images),
  });
}

async function eventFor(rt: GateRuntime, input: TaskDecisionInput, action: VerdictEvent['action'], owner: TaskOwner): Promise<VerdictEvent> {
  return buildVerdictEvent({
    result: input.result,
    action,
    images: input.images,
    cluster: input.task.clusterArn,
    service: owner.kind === 'service' ? owner.service : undefined,
    taskArn: input.task.taskArn,
    taskDefinitionArn: input.task.taskDefinitionArn,
    launchedBy: await launcherOf(rt, input, owner),
  });
}

/**
 * The verdict event of an action already taken, at most once per key. The claim is written first, so a duplicate
 * stays quiet; a claim that cannot be written (a store failure) goes up and Lambda retries the event, which repeats
 * only idempotent actions. A publish that fails does not: the action stands, the loss is logged and counted, and the
 * claim is released so the next event of the subject sends it.
 */
async function publishOnce(
  rt: GateRuntime,
  input: TaskDecisionInput,
  claim: Pick<EnforcementRecord, 'key' | 'action'>,
  build: () => Promise<VerdictEvent>,
): Promise<boolean> {
  const { result, log } = input;
  if (!(await rt.store.claimEnforcement({ ...claim, decision: result.decision, at: rt.clock.now().toISOString() }))) return false;
  try {
    await rt.notifier.publishVerdict(await build());
    rt.metrics.count('VerdictEvents', 1, { decision: result.decision });
    return true;
  } catch (error) {
    rt.metrics.count('VerdictEventsLost');
    log.error({ err: error, key: claim.key, action: claim.action }, 'verdict event of an action could not be published; a later event of the subject sends it');
    await releaseClaim(rt, claim.key, log);
    return false;
  }
}

/**
 * Who launched a standalone task: from the verdict read, else (a task with no image to read a verdict for) one
 * read, only now that an event goes out.
 */
async function launcherOf(rt: GateRuntime, input: TaskDecisionInput, owner: TaskOwner): Promise<string | undefined> {
  if (input.launcherKnown || owner.kind === 'service') return input.launcher;
  return (await rt.store.getLauncher(input.task.taskArn)) ?? input.launcher;
}
