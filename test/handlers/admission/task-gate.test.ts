import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGate } from '../../../functions/handlers/gate';
import { createWorld, policyOf, type World } from '../support/fakes';
import { parseTaskDefinition } from '../../../functions/core/taskdef/parse';
import { CLUSTER, REGISTRY, buildEvent, digestOf, registerTaskDefinition, runningTask, storeVerdict, taskArnOf, taskDefinitionArnOf, taskEvent, uploadReport } from '../support/scenario';

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

  describe('a running task ECS reports no digest for, whose ECR tag the gate resolves', () => {
    const PULL_STARTED = '2026-01-05T09:00:01.000Z';
    const running = () => taskEvent({ lastStatus: 'RUNNING', pullStartedAt: PULL_STARTED, containers: [{ name: 'web', image: `${WEB}:1` }] });

    it('is acted on when the image the tag names was pushed before the task began to pull', async () => {
      const { world, gate } = setup();
      world.registry.tags.set(`${WEB}:1`, BAD);
      world.registry.pushedAt.set(BAD, '2026-01-05T08:30:00.000Z');
      const result = await gate.handleEvent(running());
      expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'fail', action: 'stopTask' } });
      expect(world.ecs.stops).toHaveLength(1);
    });

    it('is not stopped when the tag was moved to a failing image after the task began to pull', async () => {
      const { world, gate } = setup();
      world.registry.tags.set(`${WEB}:1`, BAD);
      world.registry.pushedAt.set(BAD, '2026-01-05T09:00:05.000Z');
      const result = await gate.handleEvent(running());
      expect(result).toMatchObject({ judgement: { status: 'provisional', decision: 'fail' } });
      expect(world.ecs.stops).toEqual([]);
      expect(world.notifier.published).toEqual([]);
    });

    it('is not stopped when ECR gives no push time to compare with', async () => {
      const { world, gate } = setup();
      world.registry.tags.set(`${WEB}:1`, BAD);
      const result = await gate.handleEvent(running());
      expect(result).toMatchObject({ judgement: { status: 'provisional' } });
      expect(world.ecs.stops).toEqual([]);
    });

    it('compares with the task\'s creation when the event has no pull time', async () => {
      const { world, gate } = setup();
      world.registry.tags.set(`${WEB}:1`, BAD);
      world.registry.pushedAt.set(BAD, '2026-01-05T08:59:59.000Z');
      // taskEvent's createdAt is 08:59:58: the image came a second later.
      const late = await gate.handleEvent(taskEvent({ lastStatus: 'RUNNING', containers: [{ name: 'web', image: `${WEB}:1` }] }));
      expect(late).toMatchObject({ judgement: { status: 'provisional' } });
      // Two seconds before it (TAG_PUSH_MARGIN_MS): evidence.
      world.registry.pushedAt.set(BAD, '2026-01-05T08:59:56.000Z');
      const early = await gate.handleEvent(taskEvent({ lastStatus: 'RUNNING', containers: [{ name: 'web', image: `${WEB}:1` }] }, 'evt-2'));
      expect(early).toMatchObject({ judgement: { status: 'judged', action: 'stopTask' } });
    });

    it('is not stopped after the scan of the moved tag\'s image finishes either', async () => {
      const { world, gate } = setup();
      const MOVED = digestOf('moved');
      world.registry.tags.set(`${WEB}:1`, MOVED);
      world.registry.pushedAt.set(MOVED, '2026-01-05T09:00:05.000Z');
      const first = await gate.handleEvent(running());
      expect(first).toMatchObject({ judgement: { status: 'waiting', on: [MOVED] } });
      const task = runningTask({ lastStatus: 'RUNNING', pullStartedAt: PULL_STARTED, containers: [{ name: 'web', image: `${WEB}:1` }] });
      world.ecs.tasks.set(task.taskArn, task);
      uploadReport(world, MOVED, { reference: `${WEB}@${MOVED}`, digest: MOVED, critical: 1 });
      await gate.handleEvent(buildEvent(world.store.scans.get(MOVED)?.buildId as string, 'SUCCEEDED'));
      expect(world.ecs.stops).toEqual([]);
      expect(await world.store.listWaiters(MOVED)).toEqual([]);
    });
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

// Denied service tasks (rollback, restore, scale to zero, membership, crash safety): test/handlers/enforcement/enforce.test.ts.

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

  it('judges a task whose task definition cannot be read under onScanError, without throwing', async () => {
    const deny = setup();
    const result = await deny.gate.handleEvent(taskEvent({ family: 'unknown', containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    expect(result).toMatchObject({ kind: 'taskStateChange', judgement: { status: 'judged', decision: 'error', action: 'stopTask' } });
    expect(deny.world.notifier.published[0].errors?.[0].message).toContain('task definition');

    const allow = setup(policyOf({ onScanError: 'allow' }));
    const allowed = await allow.gate.handleEvent(taskEvent({ family: 'unknown', containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    expect(allowed).toMatchObject({ judgement: { status: 'judged', decision: 'warn', action: 'none' } });
    expect(allow.world.ecs.stops).toEqual([]);
  });

  it('still judges the images of a task whose task definition cannot be read: a failing image fails, whatever onScanError says', async () => {
    const { world, gate } = setup(policyOf({ onScanError: 'allow' }));
    const result = await gate.handleEvent(taskEvent({ family: 'unknown', containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: BAD }] }));
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'fail', blocking: true } });
    expect(world.ecs.stops).toHaveLength(1);
  });

  // A verdict event that cannot be published after a stop: test/handlers/enforcement/enforce.test.ts ('verdict events after actions').

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

describe('task definitions and overrides the gate reads leniently', () => {
  const KEY_ID = { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAQ3EGRBZ7XN2LUYPW' };
  const SECRET = { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKQ' };

  it('judges a task definition with a nameless environment entry (ECS accepts one), and stops its failing image', async () => {
    const world = createWorld();
    const image = `${WEB}:1`;
    storeVerdict(world, policy, BAD, { reference: image, user: '0', critical: 5 });
    const arn = taskDefinitionArnOf('web');
    world.taskDefinitions.specs.set(
      arn,
      parseTaskDefinition({ taskDefinition: { taskDefinitionArn: arn, family: 'web', revision: 1, containerDefinitions: [{ name: 'web', image, environment: [{ value: 'x' }] }] } }, 'DescribeTaskDefinition'),
    );
    const result = await createGate(world.deps(policy)).handleEvent(taskEvent({ containers: [{ name: 'web', image, imageDigest: BAD }] }));
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'fail', action: 'stopTask' } });
    expect(world.ecs.stops).toHaveLength(1);
  });

  it('checks the value of a nameless environment entry for credentials', async () => {
    const world = createWorld();
    const arn = taskDefinitionArnOf('web');
    world.taskDefinitions.specs.set(
      arn,
      parseTaskDefinition({ taskDefinitionArn: arn, family: 'web', revision: 1, containerDefinitions: [{ name: 'web', image: `${WEB}:1`, environment: [{ value: SECRET.value }, { name: '', value: KEY_ID.value }] }] }, 'x'),
    );
    storeVerdict(world, policy, GOOD, { reference: `${WEB}:1`, user: '1000', critical: 0 });
    const result = await createGate(world.deps(policy)).handleEvent(taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'fail' } });
    expect(world.ecs.stops[0].reason).toContain('secrets');
  });

  it('keeps the readable RunTask overrides when one entry cannot be read', async () => {
    for (const extra of [[], [{ name: 'PORT', value: 8080 }], [{ name: '', value: 'x' }]]) {
      const { world, gate } = setup();
      const overrides = { containerOverrides: [{ name: 'web', environment: [KEY_ID, SECRET, ...extra] }] };
      const result = await gate.handleEvent(taskEvent({ containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }], overrides }));
      expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'fail', blocking: true, action: 'stopTask' } });
      expect(world.ecs.stops[0].reason).toContain('secrets');
    }
  });
});

describe('launch facts the event carries', () => {
  const execPolicy = policyOf({ rules: { rootUser: { action: 'deny' }, hardening: { execCommand: { action: 'deny' }, publicIp: { action: 'deny' }, platformVersion: { action: 'deny' } } } });

  it('stops a task the task event shows with ECS Exec enabled, naming the rule and the event as the source, with no call beyond the verdict read', async () => {
    const { world, gate } = setup(execPolicy);
    await warm(world, gate);
    await gate.handleEvent(taskEvent({ id: 'e1000000000000000000000000000001', enableExecuteCommand: true, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf('e1000000000000000000000000000001')]);
    const event = world.notifier.published.find((e) => e.action === 'stopTask' || e.decision === 'fail');
    expect(event?.rules).toEqual(['hardening.execCommand']);
    expect(JSON.stringify(event)).toContain('ECS Exec is enabled for the task (from the ECS task event)');
    expect(world.calls().filter((c) => c !== 'ecs.stopTask' && !c.startsWith('notifier') && !c.startsWith('store.claim'))).toEqual(['store.getVerdictsForTask']);
  });

  it('passes the same task without ECS Exec; the public IP, which a task event never carries, is not judged and not assumed', async () => {
    const { world, gate } = setup(execPolicy);
    const result = await gate.handleEvent(taskEvent({ id: 'e1000000000000000000000000000002', enableExecuteCommand: false, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    expect(world.ecs.stops).toEqual([]);
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'pass' } });
  });

  it('stops a task a CloudTrail RunTask call launched with a public IP (the request says so), before its task events arrive', async () => {
    const { world, gate } = setup(execPolicy);
    const call = JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/cloudtrail-runtask-fargate.json'), 'utf8'));
    call.detail.requestParameters.networkConfiguration.awsvpcConfiguration.assignPublicIp = 'ENABLED';
    const digest = 'sha256:4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566778899';
    registerTaskDefinition(world, 'nightly-report', [{ name: 'report', image: `${REGISTRY}/reports/nightly@${digest}` }], 7);
    storeVerdict(world, execPolicy, digest, { reference: `${REGISTRY}/reports/nightly@${digest}`, user: '1000', critical: 0 });
    await gate.handleEvent(call);
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual(['arn:aws:ecs:eu-west-1:123456789012:task/batch/0d3f1c9e2b7a4c5d8e6f7a8b9c0d1e2f']);
    expect(JSON.stringify(world.notifier.published)).toContain('the task is assigned a public IP (from the RunTask call)');
  });

  it('remembers the RunTask call\'s public IP while the task waits for its scan, and judges it when the scan finishes (DescribeTasks has no public IP)', async () => {
    const { world, gate } = setup(execPolicy);
    const call = JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/cloudtrail-runtask-fargate.json'), 'utf8'));
    call.detail.requestParameters.networkConfiguration.awsvpcConfiguration.assignPublicIp = 'ENABLED';
    // No overrides: the public IP is the only thing to deny.
    delete call.detail.requestParameters.overrides;
    delete call.detail.responseElements.tasks[0].overrides;
    const digest = 'sha256:4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566778899';
    const reference = `${REGISTRY}/reports/nightly@${digest}`;
    registerTaskDefinition(world, 'nightly-report', [{ name: 'report', image: reference }], 7);
    const taskArn = 'arn:aws:ecs:eu-west-1:123456789012:task/batch/0d3f1c9e2b7a4c5d8e6f7a8b9c0d1e2f';

    expect(await gate.handleEvent(call)).toMatchObject({ judgements: [{ status: 'waiting', on: [digest] }] });
    expect((await world.store.listWaiters(digest)).map((w) => [w.taskArn, w.publicIp?.value, w.exposure?.value])).toEqual([[taskArn, true, 'public']]);

    world.ecs.tasks.set(taskArn, {
      taskArn,
      clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/nightly-report:7',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      group: 'family:nightly-report',
      containers: [{ name: 'report', image: reference, imageDigest: digest }],
      launch: { platformVersion: { value: '1.4.0', source: 'from DescribeTasks' }, execCommand: { value: false, source: 'from DescribeTasks' } },
    });
    uploadReport(world, digest, { reference, digest, user: '1000', critical: 0 });
    await gate.handleEvent(buildEvent(world.store.scans.get(digest)?.buildId as string, 'SUCCEEDED'));

    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArn]);
    const event = world.notifier.published.find((e) => e.taskArn === taskArn);
    expect(event?.rules).toEqual(['hardening.publicIp']);
    expect(JSON.stringify(event)).toContain('the task is assigned a public IP (from the RunTask call)');
    expect(await world.store.listWaiters(digest)).toEqual([]);
  });
});
