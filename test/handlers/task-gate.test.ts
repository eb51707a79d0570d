import { createGate } from '../../functions/handlers/gate';
import { createWorld, policyOf, type World } from './support/fakes';
import { CLUSTER, REGISTRY, buildEvent, digestOf, registerTaskDefinition, runningTask, storeVerdict, taskArnOf, taskEvent } from './support/scenario';

const policy = policyOf();
const GOOD = digestOf('good');
const BAD = digestOf('bad');
const WEB = `${REGISTRY}/shop/web`;

function setup(policyOverride = policy): { world: World; gate: ReturnType<typeof createGate> } {
  const world = createWorld();
  registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:1` }]);
  storeVerdict(world, policyOverride, GOOD, { reference: `${WEB}:1`, user: '1000', critical: 0 });
  storeVerdict(world, policyOverride, BAD, { reference: `${WEB}:1`, user: '1000', critical: 2 }, 60_000, 'fargate-gate-scan:bad-build');
  const gate = createGate(world.deps(policyOverride));
  return { world, gate };
}

/** Warms the execution environment's task-definition cache, as any earlier event of the revision would. */
async function warm(world: World, gate: ReturnType<typeof createGate>): Promise<void> {
  await gate.handleEvent(taskEvent({ id: 'warm0000000000000000000000000000', containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
  world.recorder.reset();
  world.notifier.published.length = 0;
}

describe('a task whose digest has a verdict', () => {
  it('passes with exactly one port call: the verdict read', async () => {
    const { world, gate } = setup();
    await warm(world, gate);
    const result = await gate.handleEvent(taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    expect(result).toMatchObject({ kind: 'taskStateChange', judgement: { status: 'judged', decision: 'pass', action: 'none' } });
    expect(world.calls()).toEqual(['store.getVerdictsForTask']);
    expect(world.notifier.published).toEqual([]);
  });

  it('reads the task definition once per revision, not per event', async () => {
    const { world, gate } = setup();
    for (const id of ['a0000000000000000000000000000001', 'a0000000000000000000000000000002', 'a0000000000000000000000000000003']) {
      await gate.handleEvent(taskEvent({ id, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    }
    expect(world.recorder.count('taskDefinitions.get')).toBe(1);
  });

  it('stops a denied standalone task in four calls, with a short reason and one verdict event', async () => {
    const { world, gate } = setup();
    await warm(world, gate);
    world.store.launchers.set(taskArnOf('a1b2c3d4e5f60718293a4b5c6d7e8f90'), 'arn:aws:sts::123456789012:assumed-role/ci/bot');
    const result = await gate.handleEvent(taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] }));

    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'fail', blocking: true, action: 'stopTask', notified: true } });
    expect(world.calls()).toEqual(['store.getVerdictsForTask', 'ecs.stopTask', 'store.claimEnforcement', 'notifier.publishVerdict']);
    const [stop] = world.ecs.stops;
    expect(stop.cluster).toBe(CLUSTER);
    expect(stop.reason.length).toBeLessThanOrEqual(255);
    expect(stop.reason).toBe('fargate-gate: denied by policy "production"; rules: vulnerabilities; build: fargate-gate-scan:bad-build');
    expect(world.notifier.published).toHaveLength(1);
    expect(world.notifier.published[0]).toMatchObject({
      decision: 'fail',
      action: 'stopTask',
      taskArn: taskArnOf('a1b2c3d4e5f60718293a4b5c6d7e8f90'),
      launchedBy: 'arn:aws:sts::123456789012:assumed-role/ci/bot',
      images: [{ container: 'web', digest: BAD, buildId: 'fargate-gate-scan:bad-build' }],
    });
  });

  it('does not notify twice for a duplicated event, and the duplicate costs three calls', async () => {
    const { world, gate } = setup();
    await warm(world, gate);
    const event = taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] });
    await gate.handleEvent(event);
    world.recorder.reset();
    await gate.handleEvent(event);
    expect(world.calls()).toEqual(['store.getVerdictsForTask', 'ecs.stopTask', 'store.claimEnforcement']);
    expect(world.notifier.published).toHaveLength(1);
  });

  it('looks the launcher up only when it notifies about a task that had no image to read a verdict for', async () => {
    const { world, gate } = setup();
    await warm(world, gate);
    world.store.launchers.set(taskArnOf('a1b2c3d4e5f60718293a4b5c6d7e8f90'), 'arn:aws:iam::123456789012:user/alice');
    await gate.handleEvent(taskEvent({ containers: [{ name: 'web', image: `${WEB}:1 --privileged` }] }));
    expect(world.calls()).toEqual(['ecs.stopTask', 'store.claimEnforcement', 'store.getLauncher', 'notifier.publishVerdict']);
    expect(world.notifier.published[0]).toMatchObject({ decision: 'error', launchedBy: 'arn:aws:iam::123456789012:user/alice' });
  });

  it('judges the digest the task really runs, not the one its tag points to now', async () => {
    const { world, gate } = setup();
    world.registry.tags.set(`${WEB}:1`, GOOD);
    // Early event: the gate resolves the tag itself (GOOD); a guess, so nothing is done.
    const early = await gate.handleEvent(taskEvent({ lastStatus: 'PENDING', version: 2, containers: [{ name: 'web', image: `${WEB}:1` }] }));
    expect(early).toMatchObject({ judgement: { status: 'provisional', decision: 'pass' } });
    // ECS then reports the digest it pulled: the tag had moved to BAD.
    const running = await gate.handleEvent(taskEvent({ lastStatus: 'RUNNING', version: 3, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] }));
    expect(running).toMatchObject({ judgement: { status: 'judged', decision: 'fail', action: 'stopTask' } });
    expect(world.ecs.stops).toHaveLength(1);
  });

  it('acts on a resolved tag once the task runs and ECS still reports no digest', async () => {
    const { world, gate } = setup();
    world.registry.tags.set(`${WEB}:1`, BAD);
    const result = await gate.handleEvent(taskEvent({ lastStatus: 'RUNNING', containers: [{ name: 'web', image: `${WEB}:1` }] }));
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'fail', action: 'stopTask' } });
  });

  it('drops duplicate and late early events before asking ECR again', async () => {
    const { world, gate } = setup();
    world.registry.tags.set(`${WEB}:1`, GOOD);
    await gate.handleEvent(taskEvent({ lastStatus: 'PENDING', version: 2, containers: [{ name: 'web', image: `${WEB}:1` }] }));
    const duplicate = await gate.handleEvent(taskEvent({ lastStatus: 'PENDING', version: 2, containers: [{ name: 'web', image: `${WEB}:1` }] }));
    const late = await gate.handleEvent(taskEvent({ lastStatus: 'PROVISIONING', version: 1, containers: [{ name: 'web', image: `${WEB}:1` }] }));
    expect(duplicate).toMatchObject({ judgement: { status: 'skipped' } });
    expect(late).toMatchObject({ judgement: { status: 'skipped' } });
    expect(world.recorder.count('registry.resolveDigest')).toBe(1);
  });

  it('only notifies in audit mode', async () => {
    const audit = policyOf({ mode: 'audit' });
    const { world, gate } = setup(audit);
    await gate.handleEvent(taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] }));
    expect(world.ecs.stops).toEqual([]);
    expect(world.ecs.rollbacks).toEqual([]);
    expect(world.notifier.published).toEqual([expect.objectContaining({ decision: 'fail', mode: 'audit', action: 'none' })]);
  });

  it('judges RunTask environment overrides like the task definition', async () => {
    const { world, gate } = setup();
    const overrides = { containerOverrides: [{ name: 'web', environment: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }] }] };
    const result = await gate.handleEvent(taskEvent({ overrides, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    expect(result).toMatchObject({ judgement: { decision: 'fail', action: 'stopTask' } });
    expect(world.ecs.stops[0].reason).toContain('rules: secrets');
    expect(JSON.stringify(world.notifier.published)).not.toContain('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
  });

  it('never stops a task while one of its digests has no verdict, even if another already fails', async () => {
    const { world, gate } = setup();
    registerTaskDefinition(world, 'pair', [
      { name: 'web', image: `${WEB}:1` },
      { name: 'sidecar', image: `${REGISTRY}/shop/sidecar:1` },
    ]);
    const unknown = digestOf('unknown sidecar');
    const result = await gate.handleEvent(
      taskEvent({ family: 'pair', containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }, { name: 'sidecar', image: `${REGISTRY}/shop/sidecar:1`, imageDigest: unknown }] }),
    );
    expect(result).toMatchObject({ judgement: { status: 'waiting', on: [unknown] } });
    expect(world.ecs.stops).toEqual([]);
    expect(world.scanner.requests.map((r) => r.digest)).toEqual([unknown]);
  });
});

describe('a service task whose digest is denied', () => {
  const serviceTask = (id: string) => taskEvent({ id, service: 'web', containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] });

  it('rolls the deployment back once and stops every offending task', async () => {
    const { world, gate } = setup();
    await warm(world, gate);
    await gate.handleEvent(serviceTask('b0000000000000000000000000000001'));
    expect(world.calls()).toEqual(['store.getVerdictsForTask', 'store.claimEnforcement', 'ecs.rollbackDeployment', 'notifier.publishVerdict', 'ecs.stopTask']);
    world.recorder.reset();
    await gate.handleEvent(serviceTask('b0000000000000000000000000000002'));
    await gate.handleEvent(serviceTask('b0000000000000000000000000000001'));
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.ecs.rollbacks[0]).toMatchObject({ cluster: CLUSTER, service: 'web' });
    expect(world.ecs.stops.map((s) => s.taskArn)).toEqual([
      taskArnOf('b0000000000000000000000000000001'),
      taskArnOf('b0000000000000000000000000000002'),
      taskArnOf('b0000000000000000000000000000001'),
    ]);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'rollbackDeployment', service: 'web' })]);
  });

  it('scales the service to zero when there is nothing to roll back to, once', async () => {
    const { world, gate } = setup();
    world.ecs.rollbackOutcome = { kind: 'nothingToRollBack' };
    await gate.handleEvent(serviceTask('c0000000000000000000000000000001'));
    await gate.handleEvent(serviceTask('c0000000000000000000000000000002'));
    expect(world.ecs.scales).toEqual([{ cluster: CLUSTER, service: 'web', desiredCount: 0 }]);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'scaleService' })]);
  });

  it('rolls back again when a later deployment brings other images', async () => {
    const { world, gate } = setup();
    await gate.handleEvent(serviceTask('d0000000000000000000000000000001'));
    const worse = digestOf('worse');
    storeVerdict(world, policy, worse, { reference: `${WEB}:2`, critical: 1 });
    await gate.handleEvent(taskEvent({ id: 'd0000000000000000000000000000002', service: 'web', containers: [{ name: 'web', image: `${WEB}:2`, imageDigest: worse }] }));
    expect(world.ecs.rollbacks).toHaveLength(2);
  });

  it('rolls back the same bad images again when they are deployed again, once per deployment', async () => {
    const { world, gate } = setup();
    const FIRST = '4412863370297563981';
    const SECOND = '5523974481308674092';
    const inDeployment = (id: string, deployment: string) =>
      taskEvent({ id, service: 'web', startedBy: `ecs-svc/${deployment}`, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] });

    await gate.handleEvent(inDeployment('f0000000000000000000000000000001', FIRST));
    await gate.handleEvent(inDeployment('f0000000000000000000000000000002', FIRST));
    await gate.handleEvent(inDeployment('f0000000000000000000000000000001', FIRST));
    expect(world.ecs.rollbacks).toHaveLength(1);

    // A week later the same image set is deployed again; the first deployment's claim is still in the store.
    world.clock.advance(7 * 24 * 3600 * 1000);
    storeVerdict(world, policy, BAD, { reference: `${WEB}:1`, user: '1000', critical: 2 });
    await gate.handleEvent(inDeployment('f0000000000000000000000000000003', SECOND));
    await gate.handleEvent(inDeployment('f0000000000000000000000000000003', SECOND));
    await gate.handleEvent(inDeployment('f0000000000000000000000000000004', SECOND));

    expect(world.ecs.rollbacks).toHaveLength(2);
    expect(world.ecs.rollbacks.every((rollback) => rollback.service === 'web' && rollback.cluster === CLUSTER)).toBe(true);
    expect(world.notifier.published.map((event) => event.action)).toEqual(['rollbackDeployment', 'rollbackDeployment']);
    expect([...world.store.enforcements.keys()].sort()).toEqual([`service#${CLUSTER}#web#ecs-svc/${FIRST}#${BAD}`, `service#${CLUSTER}#web#ecs-svc/${SECOND}#${BAD}`]);
    // Every offending task is still stopped, duplicates included (StopTask is idempotent).
    expect(world.ecs.stops).toHaveLength(6);
  });

  it('acts once per service and images for service tasks that carry no deployment id', async () => {
    const { world, gate } = setup();
    const withoutDeployment = (id: string) => taskEvent({ id, service: 'web', startedBy: null, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] });
    await gate.handleEvent(withoutDeployment('a9000000000000000000000000000001'));
    await gate.handleEvent(withoutDeployment('a9000000000000000000000000000002'));
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect([...world.store.enforcements.keys()]).toEqual([`service#${CLUSTER}#web#${BAD}`]);
    expect(world.ecs.stops).toHaveLength(2);
  });

  it('releases the claim when the rollback fails, so the retried event rolls back', async () => {
    const { world, gate } = setup();
    world.ecs.failNext.set('rollbackDeployment', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' }));
    await expect(gate.handleEvent(serviceTask('e0000000000000000000000000000001'))).rejects.toThrow('Rate exceeded');
    expect(world.ecs.stops).toEqual([]);
    await gate.handleEvent(serviceTask('e0000000000000000000000000000001'));
    expect(world.recorder.count('ecs.rollbackDeployment')).toBe(2);
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.notifier.published).toHaveLength(1);
  });
});

describe('a service task whose images only warn', () => {
  const warnOnly = policyOf({ rules: { vulnerabilities: { action: 'warn', fixable: { minSeverity: 'high' } } } });
  const FIRST = '4412863370297563981';
  const SECOND = '5523974481308674092';
  const inDeployment = (id: string, deployment: string | null) =>
    taskEvent({ id, service: 'web', startedBy: deployment === null ? null : `ecs-svc/${deployment}`, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] });

  it('notifies once per deployment: its other tasks stay quiet, and a redeploy of the same images notifies again', async () => {
    const { world, gate } = setup(warnOnly);
    await gate.handleEvent(inDeployment('w0000000000000000000000000000001', FIRST));
    await gate.handleEvent(inDeployment('w0000000000000000000000000000002', FIRST));
    await gate.handleEvent(inDeployment('w0000000000000000000000000000001', FIRST));
    expect(world.notifier.published).toEqual([expect.objectContaining({ decision: 'warn', action: 'none', service: 'web' })]);

    // Redeployed a week later: the first deployment's notification claim is still in the store.
    world.clock.advance(7 * 24 * 3600 * 1000);
    storeVerdict(world, warnOnly, BAD, { reference: `${WEB}:1`, user: '1000', critical: 2 });
    await gate.handleEvent(inDeployment('w0000000000000000000000000000003', SECOND));
    await gate.handleEvent(inDeployment('w0000000000000000000000000000004', SECOND));

    expect(world.notifier.published.map((event) => [event.decision, event.taskArn])).toEqual([
      ['warn', taskArnOf('w0000000000000000000000000000001')],
      ['warn', taskArnOf('w0000000000000000000000000000003')],
    ]);
    expect([...world.store.enforcements.keys()].sort()).toEqual([
      `notify#service#${CLUSTER}#web#ecs-svc/${FIRST}#${BAD}#${warnOnly.hash}`,
      `notify#service#${CLUSTER}#web#ecs-svc/${SECOND}#${BAD}#${warnOnly.hash}`,
    ]);
    expect(world.ecs.stops).toEqual([]);
    expect(world.ecs.rollbacks).toEqual([]);
  });

  it('notifies once per service and images for service tasks that carry no deployment id', async () => {
    const { world, gate } = setup(warnOnly);
    await gate.handleEvent(inDeployment('w1000000000000000000000000000001', null));
    await gate.handleEvent(inDeployment('w1000000000000000000000000000002', null));
    expect(world.notifier.published).toHaveLength(1);
    expect([...world.store.enforcements.keys()]).toEqual([`notify#service#${CLUSTER}#web#${BAD}#${warnOnly.hash}`]);
  });
});

describe('a task whose image has a scan error still in force', () => {
  const BROKEN = digestOf('broken');
  const launch = (id: string) => taskEvent({ id, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BROKEN }] });
  const failedScan = (retryAt: string) => ({
    digest: BROKEN,
    imageReference: `${WEB}@${BROKEN}`,
    scanId: 'failed-earlier',
    state: 'error' as const,
    error: 'UNAUTHORIZED: the scanner may not pull shop/web',
    attempts: 2,
    startedAt: '2026-01-05T08:40:00Z',
    deadline: '2026-01-05T09:10:00Z',
    retryAt,
  });

  it('is judged on the error with one scan read once this environment saw the error stand: no waiter written and removed', async () => {
    const { world, gate } = setup();
    await warm(world, gate);
    world.store.scans.set(BROKEN, failedScan('2026-01-05T09:20:00Z'));

    // The first task in a fresh environment cannot know: the waiter goes first, as for any image without a verdict.
    const first = await gate.handleEvent(launch('c1000000000000000000000000000001'));
    expect(first).toMatchObject({ judgement: { status: 'judged', decision: 'error', action: 'stopTask' } });
    expect(world.calls()).toEqual([
      'store.getVerdictsForTask',
      'store.addWaiter',
      'store.getScan',
      'store.removeWaiter',
      'ecs.stopTask',
      'store.claimEnforcement',
      'notifier.publishVerdict',
    ]);

    world.recorder.reset();
    world.clock.advance(10 * 60_000);
    const second = await gate.handleEvent(launch('c1000000000000000000000000000002'));
    expect(second).toMatchObject({ judgement: { status: 'judged', decision: 'error', action: 'stopTask' } });
    expect(world.calls()).toEqual(['store.getVerdictsForTask', 'store.getScan', 'ecs.stopTask', 'store.claimEnforcement', 'notifier.publishVerdict']);
    expect(world.notifier.published[1].errors?.[0].message).toContain('UNAUTHORIZED: the scanner may not pull shop/web');
    expect(world.store.allWaiters()).toEqual([]);
    expect(world.scanner.requests).toEqual([]);
  });

  it('reads first in the environment that failed the scan, from the first launch after it', async () => {
    const { world, gate } = setup();
    await warm(world, gate);
    await gate.handleEvent(launch('c2000000000000000000000000000001'));
    world.ecs.tasks.set(taskArnOf('c2000000000000000000000000000001'), runningTask({ id: 'c2000000000000000000000000000001', containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BROKEN }] }));
    await gate.handleEvent(buildEvent(world.store.scans.get(BROKEN)?.buildId as string, 'FAILED'));
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf('c2000000000000000000000000000001')]);

    world.recorder.reset();
    await gate.handleEvent(launch('c2000000000000000000000000000002'));
    expect(world.calls()).toEqual(['store.getVerdictsForTask', 'store.getScan', 'ecs.stopTask', 'store.claimEnforcement', 'notifier.publishVerdict']);
  });

  it('scans again once the error may be retried, waiter first, carrying the failures over', async () => {
    const { world, gate } = setup();
    await warm(world, gate);
    world.store.scans.set(BROKEN, failedScan('2026-01-05T09:20:00Z'));
    await gate.handleEvent(launch('c3000000000000000000000000000001'));

    world.clock.advance(30 * 60_000);
    world.recorder.reset();
    const result = await gate.handleEvent(launch('c3000000000000000000000000000002'));
    expect(result).toMatchObject({ judgement: { status: 'waiting', on: [BROKEN] } });
    expect(world.calls()).toEqual(['store.getVerdictsForTask', 'store.addWaiter', 'store.getScan', 'store.claimScan', 'scanner.startScan', 'store.updateScan']);
    expect(world.store.scans.get(BROKEN)).toMatchObject({ state: 'running', attempts: 2 });
  });

  it('takes the usual path when the error it remembers was replaced, and waits for the scan that replaced it', async () => {
    const { world, gate } = setup();
    await warm(world, gate);
    world.store.scans.set(BROKEN, failedScan('2026-01-05T09:20:00Z'));
    await gate.handleEvent(launch('c4000000000000000000000000000001'));
    // Someone else re-scanned the image early (an operator, another tool writing the table).
    world.store.scans.set(BROKEN, { ...failedScan('2026-01-05T09:20:00Z'), scanId: 'rescan', state: 'running', buildId: 'fargate-gate-scan:manual', retryAt: undefined });

    world.recorder.reset();
    const result = await gate.handleEvent(launch('c4000000000000000000000000000002'));
    expect(result).toMatchObject({ judgement: { status: 'waiting', on: [BROKEN] } });
    expect(world.calls()).toEqual(['store.getVerdictsForTask', 'store.getScan', 'store.addWaiter', 'store.getScan']);
    expect(world.store.allWaiters().map((waiter) => waiter.taskArn)).toEqual([taskArnOf('c4000000000000000000000000000002')]);
    expect(world.ecs.stops).toHaveLength(1);
  });
});

describe('failures', () => {
  it('rethrows a throttled read so Lambda retries the event', async () => {
    const { world, gate } = setup();
    world.store.failNext.set('getVerdictsForTask', Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' }));
    await expect(gate.handleEvent(taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }))).rejects.toThrow('slow down');
  });

  it('reports a permanent AWS refusal without rethrowing it', async () => {
    const { world, gate } = setup();
    world.ecs.failNext.set('stopTask', Object.assign(new Error('not authorized to perform ecs:StopTask'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    const result = await gate.handleEvent(taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] }));
    expect(result).toMatchObject({ kind: 'failed', failure: 'permanent', eventKind: 'taskStateChange' });
    expect(world.metrics.total('GateErrors', { failure: 'permanent' })).toBe(1);
  });

  it('ignores a task whose task definition cannot be read as input, without throwing', async () => {
    const { gate } = setup();
    const result = await gate.handleEvent(taskEvent({ family: 'unknown', containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    expect(result).toMatchObject({ kind: 'failed', failure: 'input' });
  });

  it('publishes on the retry when publishing failed after the stop', async () => {
    const { world, gate } = setup();
    world.notifier.failNext = Object.assign(new Error('bus unavailable'), { name: 'InternalException', $fault: 'server' });
    const event = taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] });
    await expect(gate.handleEvent(event)).rejects.toThrow('bus unavailable');
    await gate.handleEvent(event);
    expect(world.notifier.published).toHaveLength(1);
    expect(world.ecs.stops).toHaveLength(2);
  });

  it('counts a claim it could not give back after publishing failed: the retry stops the task again but cannot publish', async () => {
    const { world, gate } = setup();
    world.notifier.failNext = Object.assign(new Error('bus unavailable'), { name: 'InternalException', $fault: 'server' });
    world.store.failNext.set('releaseEnforcement', Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' }));
    const event = taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] });
    await expect(gate.handleEvent(event)).rejects.toThrow('bus unavailable');
    expect(world.metrics.total('ClaimsStranded')).toBe(1);
    expect(world.store.enforcements.has(`task#${taskArnOf('a1b2c3d4e5f60718293a4b5c6d7e8f90')}`)).toBe(true);
    await gate.handleEvent(event);
    expect(world.ecs.stops).toHaveLength(2);
    expect(world.notifier.published).toEqual([]);
  });

  it('treats an image reference a shell would act on as a scan error, and repeats it nowhere', async () => {
    const { world, gate } = setup();
    const evil = `${WEB}:1;curl$(printf x)|sh`;
    const result = await gate.handleEvent(taskEvent({ containers: [{ name: 'web', image: evil }] }));
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'error', action: 'stopTask' } });
    expect(world.scanner.requests).toEqual([]);
    expect(world.recorder.count('registry.resolveDigest')).toBe(0);
    const everything = JSON.stringify({ stops: world.ecs.stops, events: world.notifier.published, scans: [...world.store.scans.values()], waiters: world.store.allWaiters() });
    expect(everything).not.toContain('curl');
    expect(world.ecs.stops[0].reason).toContain('image could not be judged');
  });
});
