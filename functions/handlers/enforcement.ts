import { buildStopReason } from '../core/gate/stop-reason';
import { notificationKey, serviceKey, taskKey } from '../core/gate/keys';
import type { EnforcementPlan } from '../core/gate/plan';
import type { TaskOwner, TaskSnapshot } from '../core/gate/task';
import { buildVerdictEvent, decisionRules, type VerdictImage } from '../core/gate/verdict-event';
import type { VerdictEvent } from '../core/ports';
import type { EvaluationResult } from '../core/result/model';
import type { Logger } from './logger';
import { notifyOnce, releaseClaim } from './notify';
import type { GateRuntime } from './runtime';

export interface TaskDecisionInput {
  task: TaskSnapshot;
  owner: TaskOwner;
  result: EvaluationResult;
  plan: EnforcementPlan;
  images: VerdictImage[];
  /** Verdict keys of the task's images (digests, or `ref-` keys): a service is acted on once per set. */
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

/**
 * Carries out a task decision. Calls, by case (the benchmark counts them):
 * - standalone, blocked: StopTask, claim `task#arn`, PutEvents (first time only). StopTask goes first and every
 *   time: it is idempotent, and doing it before the claim means a crash between the two can never leave a blocked
 *   task running behind a claim that says it was handled.
 * - service, blocked: claim `service#cluster#service#ecs-svc/deployment#digests` (keys.ts: once per deployment, so
 *   the same bad images deployed again are rolled back again); the winner rolls the deployment back (or scales the
 *   service to zero when there is nothing to roll back to) and notifies; every offending task is then stopped.
 *   Rollback is not idempotent, so its claim is released only if the rollback itself failed.
 * - not blocked but not a pass (warn, audit mode, allowed scan error): claim a notification key (per task, or per
 *   service deployment and digests), PutEvents.
 */
export async function enforceTaskDecision(rt: GateRuntime, input: TaskDecisionInput): Promise<EnforcementOutcome> {
  const { task, owner, result, plan, log } = input;
  const now = () => rt.clock.now().toISOString();
  const reason = () =>
    buildStopReason({
      policyName: result.policy.name,
      decision: result.decision,
      rules: decisionRules(result),
      buildIds: input.images.map((image) => image.buildId).filter((id): id is string => Boolean(id)),
    });
  const eventFor = async (action: VerdictEvent['action']): Promise<VerdictEvent> =>
    buildVerdictEvent({
      result,
      action,
      images: input.images,
      cluster: task.clusterArn,
      service: owner.kind === 'service' ? owner.service : undefined,
      taskArn: task.taskArn,
      taskDefinitionArn: task.taskDefinitionArn,
      launchedBy: await launcherOf(rt, input),
    });

  if (plan.action === 'stopTask') {
    await rt.ecs.stopTask(task.clusterArn, task.taskArn, reason());
    rt.metrics.count('EnforcementActions', 1, { action: 'stopTask' });
    log.warn({ decision: result.decision, rules: decisionRules(result) }, 'task stopped');
    const notified = await notifyOnce(rt, { key: taskKey(task.taskArn), action: 'stopTask', decision: result.decision }, () => eventFor('stopTask'), log);
    return { action: 'stopTask', notified };
  }

  if (plan.action === 'rollbackService' && owner.kind === 'service') {
    const key = serviceKey(task.clusterArn, owner.service, input.imageKeys, owner.deploymentId);
    if (!owner.deploymentId) {
      log.warn({ service: owner.service, startedBy: task.startedBy, key }, 'service task without an ecs-svc deployment id: acting once per service and images');
    }
    let action: VerdictEvent['action'] = 'stopTask';
    let notified = false;
    if (await rt.store.claimEnforcement({ key, action: 'rollbackDeployment', decision: result.decision, at: now() })) {
      try {
        const rollback = await rt.ecs.rollbackDeployment(task.clusterArn, owner.service, reason());
        if (rollback.kind === 'rolledBack') {
          action = 'rollbackDeployment';
          log.warn({ service: owner.service, deploymentArn: rollback.deploymentArn }, 'service deployment rolled back');
        } else {
          await rt.ecs.scaleService(task.clusterArn, owner.service, 0);
          action = 'scaleService';
          log.warn({ service: owner.service }, 'nothing to roll back to: service scaled to zero');
        }
      } catch (error) {
        await releaseClaim(rt, key, log);
        throw error;
      }
      rt.metrics.count('EnforcementActions', 1, { action });
      try {
        await rt.notifier.publishVerdict(await eventFor(action));
        rt.metrics.count('VerdictEvents', 1, { decision: result.decision });
        notified = true;
      } catch (error) {
        // The rollback happened and must not be repeated, so this claim stays; the event is lost, the log keeps it.
        rt.metrics.count('VerdictEventsLost');
        log.error({ err: error, key, action }, 'verdict event for a service action could not be published');
      }
    } else {
      log.info({ service: owner.service, key }, 'service already acted on for these images; stopping the task only');
    }
    await rt.ecs.stopTask(task.clusterArn, task.taskArn, reason());
    rt.metrics.count('EnforcementActions', 1, { action: 'stopTask' });
    return { action, notified };
  }

  if (plan.notify) {
    const subject =
      owner.kind === 'service'
        ? { clusterArn: task.clusterArn, service: owner.service, digests: input.imageKeys, deploymentId: owner.deploymentId }
        : { taskArn: task.taskArn };
    const notified = await notifyOnce(rt, { key: notificationKey(subject, result.policy.hash), action: 'notify', decision: result.decision }, () => eventFor('none'), log);
    return { action: 'none', notified };
  }
  return { action: 'none', notified: false };
}

/**
 * Who launched a standalone task: from the verdict read, else (a task with no image to read a verdict for) one
 * read, only now that an event goes out.
 */
async function launcherOf(rt: GateRuntime, input: TaskDecisionInput): Promise<string | undefined> {
  if (input.launcherKnown || input.owner.kind === 'service') return input.launcher;
  return (await rt.store.getLauncher(input.task.taskArn)) ?? input.launcher;
}
