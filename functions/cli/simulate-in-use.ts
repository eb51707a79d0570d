import type { TaskUse } from '../core/posture/ports';
import { buildInUseReport, type InUseReport } from '../core/posture/in-use-report';
import type { ScenarioResult } from './simulate-runner';

/**
 * The tasks a simulation left running, as the inventory records them: one use per (task, digest), with the
 * containers that run the digest. A container whose digest the world never showed is left out, as the gate cannot
 * name the image it runs. Recorded as a reconciliation would find them (ListTasks and DescribeTasks at the end).
 */
export function simulatedTaskUses(result: ScenarioResult): TaskUse[] {
  const { account, region } = result.backend.location;
  const uses: TaskUse[] = [];
  for (const task of result.backend.ecs.tasks.values()) {
    if (task.lastStatus !== 'RUNNING') continue;
    const byDigest = new Map<string, { name: string; image: string }[]>();
    for (const container of task.containers) {
      if (!container.imageDigest) continue;
      const list = byDigest.get(container.imageDigest) ?? [];
      list.push({ name: container.name, image: container.image });
      byDigest.set(container.imageDigest, list);
    }
    for (const [digest, containers] of byDigest) {
      uses.push({
        digest,
        taskArn: task.taskArn,
        cluster: task.clusterArn,
        account,
        region,
        ...(task.service ? { service: task.service } : {}),
        ...(task.deploymentId ? { deploymentId: task.deploymentId } : {}),
        taskDefinitionArn: task.taskDefinitionArn,
        containers,
        ...(task.launchedBy ? { launchedBy: task.launchedBy } : {}),
        firstSeenAt: new Date(task.startedAt ?? task.createdAt).toISOString(),
        lastSeenAt: new Date(task.updatedAt).toISOString(),
        source: 'reconciliation',
      });
    }
  }
  return uses;
}

/** The in-use report of a simulation's end: its running tasks, judged from the verdicts the simulated gate stored. */
export async function inUseReportOfSimulation(result: ScenarioResult, options: { exceptionWindowDays?: number } = {}): Promise<InUseReport> {
  const uses = simulatedTaskUses(result);
  const policy = result.scenario.policy;
  const verdicts = await result.backend.store.getVerdicts([...new Set(uses.map((use) => use.digest))], policy.hash);
  return buildInUseReport({
    uses,
    verdicts,
    policy,
    now: result.backend.clock.now(),
    ...(options.exceptionWindowDays !== undefined ? { exceptionWindowDays: options.exceptionWindowDays } : {}),
  });
}
