import { parseImageReference } from '../../core/image/reference';
import { evaluatePolicy, isBlocking } from '../../core/policy/evaluate';
import { resolveDriftSettings } from '../../core/policy/drift';
import { clusterNames, serviceNames } from '../../core/policy/glob';
import type { TaskUse } from '../../core/posture/ports';
import type { StoredVerdict } from '../../core/ports';
import type { EvaluationResult } from '../../core/result/model';
import { enforceTaskDecision } from '../enforcement/enforce';
import { classifyFailure } from '../failures';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';
import { repositoriesOf } from './verdict-change';

export interface DriftActionSummary {
  /** Running tasks whose digest's drift grace expired in their scope. */
  expired: number;
  stoppedTasks: number;
  servicesActedOn: number;
  /** Expired, but their scope does not opt in to acting on running tasks: reported only (the finding events). */
  leftRunning: number;
}

/**
 * Acts on running tasks whose image's drift grace has expired, where the policy's drift scope opts in: standalone
 * tasks are stopped (`stopStandaloneTasks`), services rolled back to the revision their deployment replaced when it
 * passes (`rollBackServices`; scaled to zero only with `scaleServicesToZero`), through the gate's own enforcement
 * path, so the same claims keep each action and its verdict event to one. Only tasks whose every denial is expired
 * drift are acted on here; anything else failing was acted on when it launched. Digests are the ones in use with
 * drift marks: a digest not in use is never looked at.
 */
export async function actOnExpiredDrift(rt: GateRuntime, verdicts: ReadonlyMap<string, StoredVerdict>, log: Logger): Promise<DriftActionSummary> {
  const summary: DriftActionSummary = { expired: 0, stoppedTasks: 0, servicesActedOn: 0, leftRunning: 0 };
  const inventory = rt.inventory;
  if (!inventory) return summary;
  const now = rt.clock.now();
  for (const [digest, verdict] of verdicts) {
    if (!verdict.assessment.drift?.length) continue;
    for (const use of await inventory.listUsesOfDigest(digest)) {
      const result = judgeUse(rt, use, verdict, now);
      const denials = result.violations.filter((v) => v.action === 'deny');
      if (!isBlocking(result) || denials.length === 0 || !denials.every((v) => v.details?.driftGraceExpired === true)) continue;
      summary.expired += 1;
      const settings = resolveDriftSettings(rt.policy, { cluster: clusterNames(use.cluster), service: serviceNames(use.service), repositories: repositoriesOf(use), account: use.account ? [use.account] : [] });
      const standalone = !use.service;
      if (standalone ? !settings.stopStandaloneTasks : !settings.rollBackServices) {
        summary.leftRunning += 1;
        continue;
      }
      // Not bound to the service: the enforcement path's lines name it themselves (a key bound twice is written twice).
      const useLog = log.child({ digest, taskArn: use.taskArn });
      try {
        const deploymentId = use.deploymentId?.replace(/^ecs-svc\//, '');
        const outcome = await enforceTaskDecision(rt, {
          task: {
            taskArn: use.taskArn,
            clusterArn: use.cluster,
            taskDefinitionArn: use.taskDefinitionArn,
            lastStatus: 'RUNNING',
            desiredStatus: 'RUNNING',
            ...(use.service ? { group: `service:${use.service}` } : {}),
            ...(use.deploymentId ? { startedBy: use.deploymentId } : {}),
            containers: use.containers.map((c) => ({ name: c.name, image: c.image, imageDigest: digest })),
          },
          owner: use.service ? { kind: 'service', service: use.service, ...(deploymentId ? { deploymentId } : {}) } : { kind: 'standalone' },
          result,
          plan: { action: standalone ? 'stopTask' : 'rollbackService', notify: true },
          images: use.containers.map((c) => ({ container: c.name, image: c.image, digest, ...(verdict.reportLocation ? { reportLocation: verdict.reportLocation } : {}) })),
          imageKeys: [digest],
          ...(use.launchedBy ? { launcher: use.launchedBy } : {}),
          launcherKnown: true,
          log: useLog,
        });
        if (outcome.action === 'stopTask' && standalone) summary.stoppedTasks += 1;
        else if (outcome.action !== 'none') summary.servicesActedOn += 1;
        useLog.warn({ action: outcome.action }, 'drift grace expired: acted on the running task as its drift scope says');
      } catch (error) {
        rt.metrics.count('GateErrors', 1, { failure: classifyFailure(error) });
        useLog.error({ err: error }, 'could not act on a running task whose drift grace expired; the next sweep tries again');
      }
    }
  }
  if (summary.expired > 0) log.info({ ...summary }, 'drift actions done');
  return summary;
}

/** The running task judged as a launch of it would be now (its scope's drift grace applies). */
function judgeUse(rt: GateRuntime, use: TaskUse, verdict: StoredVerdict, now: Date): EvaluationResult {
  const containers = use.containers.map((container) => {
    let image;
    try {
      image = parseImageReference(container.image);
    } catch {
      image = undefined;
    }
    return { name: container.name, digest: verdict.digest, assessment: verdict.assessment, ...(image ? { image } : {}) };
  });
  return evaluatePolicy(rt.policy, {
    containers,
    // The exposure the use recorded at launch, as admission judged it (task-gate.ts): else a public-only part of the policy
    // would judge an internal task as public (unknownAs) and could stop it.
    context: { cluster: use.cluster, ...(use.service ? { service: use.service } : {}), taskArn: use.taskArn, taskDefinition: use.taskDefinitionArn, ...(use.exposure ? { exposure: use.exposure } : {}) },
    now,
  });
}
