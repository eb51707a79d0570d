import { reportKeyFor } from '../../../functions/core/gate/images';
import type { TaskUse } from '../../../functions/core/posture/ports';
import { sbomKeyFor } from '../../../functions/core/posture/sbom';
import { silentLogger } from '../../../functions/handlers/logger';
import { rejudgeDigestsInUse, type RejudgeSettings } from '../../../functions/handlers/posture/rejudge';
import { buildRuntime } from '../../../functions/handlers/runtime';
import { FindingEventsTestDouble, InventoryTestDouble, taskUse } from '../../support/inventory-test-double';
import { createWorld, policyOf } from '../support/fakes';
import { REGISTRY, digestOf, storeVerdict } from '../support/scenario';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEB = `${REGISTRY}/shop/web`;
const DIGEST = digestOf('web drifted');
const SETTINGS: RejudgeSettings = { rescanIntervalMs: 24 * HOUR, maxScansPerRun: 0, maxReevaluationsPerRun: 10 };
const STANDALONE = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const SERVICE_TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

/** A digest in use (a standalone task and a service task) whose verdict carries a critical drift finding opened `openedAgoMs` ago. */
async function driftedWorld(drift: Record<string, unknown>, openedAgoMs: number, policyOverrides: Record<string, unknown> = {}, useOverrides: Partial<TaskUse> = {}) {
  const world = createWorld();
  const policy = policyOf({ drift, ...policyOverrides });
  const inventory = new InventoryTestDouble();
  const rt = buildRuntime({ ...world.deps(policy), inventory, findingEvents: new FindingEventsTestDouble() });
  const verdict = storeVerdict(world, policy, DIGEST, { reference: `${WEB}@${DIGEST}`, digest: DIGEST, critical: 1 }, HOUR);
  verdict.assessment.drift = [{ rule: 'vulnerabilities', id: 'CVE-2025-1000', openedAt: new Date(world.clock.now().getTime() - openedAgoMs).toISOString() }];
  const reportKey = reportKeyFor('reports/', DIGEST, 'old');
  world.store.scans.set(DIGEST, { digest: DIGEST, imageReference: `${WEB}@${DIGEST}`, scanId: 'old', state: 'done', attempts: 0, startedAt: verdict.scannedAt, deadline: verdict.scannedAt, sbomKey: sbomKeyFor(reportKey) });
  await inventory.recordUse(taskUse(DIGEST, { taskArn: STANDALONE, service: undefined, deploymentId: undefined, ...useOverrides }));
  await inventory.recordUse(taskUse(DIGEST, { taskArn: SERVICE_TASK, ...useOverrides }));
  return { world, rt };
}

describe('drift: acting on running tasks', () => {
  it('does nothing to running tasks within the grace', async () => {
    const { world, rt } = await driftedWorld({ grace: { critical: '3d' }, actOnRunning: { stopStandaloneTasks: true, rollBackServices: true } }, 2 * DAY);
    const summary = await rejudgeDigestsInUse(rt, SETTINGS, silentLogger());
    expect(summary.drift).toEqual({ expired: 0, stoppedTasks: 0, servicesActedOn: 0, leftRunning: 0 });
    expect(world.ecs.stops).toEqual([]);
    expect(world.ecs.rollbacks).toEqual([]);
  });

  it('leaves running tasks alone after the grace unless the scope opts in (the default)', async () => {
    const { world, rt } = await driftedWorld({ grace: { critical: '3d' } }, 4 * DAY);
    const summary = await rejudgeDigestsInUse(rt, SETTINGS, silentLogger());
    expect(summary.drift).toMatchObject({ expired: 2, leftRunning: 2, stoppedTasks: 0, servicesActedOn: 0 });
    expect(world.ecs.stops).toEqual([]);
    expect(world.ecs.rollbacks).toEqual([]);
  });

  it('stops standalone tasks and rolls services back where the scope opts in', async () => {
    const { world, rt } = await driftedWorld({ grace: { critical: '3d' }, scopes: [{ match: { clusters: ['prod'] }, actOnRunning: { stopStandaloneTasks: true, rollBackServices: true } }] }, 4 * DAY);
    const summary = await rejudgeDigestsInUse(rt, SETTINGS, silentLogger());
    expect(summary.drift).toMatchObject({ expired: 2, stoppedTasks: 1, servicesActedOn: 1, leftRunning: 0 });
    expect(world.ecs.stops.map((s) => s.taskArn)).toContain(STANDALONE);
    expect(world.ecs.rollbacks).toEqual([expect.objectContaining({ service: 'web', deploymentId: 'ecs-svc/1234567890123456789' })]);
    expect(world.ecs.stops[0].reason).toMatch(/production/);
  });

  it('never scales a service to zero for drift when it has nothing to roll back to, unless scaleServicesToZero says so', async () => {
    const opted = { grace: { critical: '3d' }, actOnRunning: { rollBackServices: true } };
    const first = await driftedWorld(opted, 4 * DAY);
    first.world.ecs.rollbackOutcome = { kind: 'nothingToRollBack', desiredCount: 3 };
    await rejudgeDigestsInUse(first.rt, SETTINGS, silentLogger());
    expect(first.world.ecs.scales).toEqual([]);
    // Nothing is stopped either: ECS would start the same digest again.
    expect(first.world.ecs.stops).toEqual([]);

    const second = await driftedWorld({ ...opted, actOnRunning: { rollBackServices: true, scaleServicesToZero: true } }, 4 * DAY);
    second.world.ecs.rollbackOutcome = { kind: 'nothingToRollBack', desiredCount: 3 };
    await rejudgeDigestsInUse(second.rt, SETTINGS, silentLogger());
    expect(second.world.ecs.scales).toEqual([expect.objectContaining({ service: 'web', desiredCount: 0 })]);
  });

  it('judges a running task with the exposure it recorded at launch: a public-only rule does not stop an internal task', async () => {
    // Criticals are denied only where the task is public (unknown exposure counts as public, the default).
    const publicOnly = { rules: { vulnerabilities: { action: 'deny', exposure: { public: { fixable: { minSeverity: 'critical' } } } } } };
    const opted = { grace: { critical: '3d' }, actOnRunning: { stopStandaloneTasks: true, rollBackServices: true } };
    const internal = await driftedWorld(opted, 4 * DAY, publicOnly, { exposure: { value: 'internal', source: 'runTask' } });
    await rejudgeDigestsInUse(internal.rt, SETTINGS, silentLogger());
    expect(internal.world.ecs.stops).toEqual([]);
    expect(internal.world.ecs.rollbacks).toEqual([]);

    const exposed = await driftedWorld(opted, 4 * DAY, publicOnly, { exposure: { value: 'public', source: 'runTask' } });
    await rejudgeDigestsInUse(exposed.rt, SETTINGS, silentLogger());
    expect(exposed.world.ecs.stops.map((stop) => stop.taskArn)).toContain(STANDALONE);
    expect(exposed.world.ecs.rollbacks).toEqual([expect.objectContaining({ service: 'web' })]);
  });
});
