import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PausedDeployment } from '../../../functions/core/ports';
import { createGate } from '../../../functions/handlers/gate';
import { createWorld, policyOf, type World } from '../support/fakes';
import { REGISTRY, REVISION_ARN, buildEvent, digestOf, registerTaskDefinition, storeVerdict, sweepEvent, uploadReport } from '../support/scenario';

const WEB = `${REGISTRY}/shop/web`;
const GOOD = digestOf('good');
const BAD = digestOf('bad');
const NEW = digestOf('new');
// The names in AWS's documented HOOK_AWAITING_ACTION example (the fixture below).
const DEPLOYMENT = 'arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/0EYSiB0qap8xf0N76FsbE';
const SERVICE = 'arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service';
const CLUSTER = 'arn:aws:ecs:us-west-2:123456789012:cluster/my-cluster';
const HOOK = 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw';

/** AWS's documented HOOK_AWAITING_ACTION event, its stage set to PRE_SCALE_UP (test/fixtures/events, see its _comment). */
const hookEvent = (detail: Record<string, unknown> = {}): Record<string, unknown> => {
  const event = JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/ecs-hook-state-change-awaiting-action-pre-scale-up.json'), 'utf8')) as Record<string, unknown>;
  event.detail = { ...(event.detail as object), ...detail };
  return event;
};
/** The same event without a `lifecycleStage`. */
const stagelessHookEvent = (): Record<string, unknown> => {
  const event = hookEvent();
  delete (event.detail as Record<string, unknown>).lifecycleStage;
  return event;
};

function setup(
  policy = policyOf(),
  digest = NEW,
  status: PausedDeployment['status'] = 'IN_PROGRESS',
  deployment: Partial<PausedDeployment> = {},
  clusterArns?: string[],
): { world: World; gate: ReturnType<typeof createGate> } {
  const world = createWorld();
  const taskDefinitionArn = registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:3` }], 9);
  world.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn, containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: digest }] });
  world.ecs.pausedDeployments.set(DEPLOYMENT, {
    serviceDeploymentArn: DEPLOYMENT,
    serviceArn: SERVICE,
    clusterArn: CLUSTER,
    status,
    targetServiceRevisionArn: REVISION_ARN,
    pauseHooks: [{ hookId: HOOK, status: 'AWAITING_ACTION', expiresAt: '2026-01-06T09:00:00.000Z', timeoutAction: 'ROLLBACK' }],
    ...deployment,
  });
  storeVerdict(world, policy, GOOD, { reference: `${WEB}:3`, critical: 0 });
  storeVerdict(world, policy, BAD, { reference: `${WEB}:3`, critical: 1 }, 60_000, 'fargate-gate-scan:bad');
  return { world, gate: createGate(world.deps(policy, clusterArns ? { clusterArns } : undefined)) };
}

describe('admission at a PAUSE lifecycle hook', () => {
  it('continues a deployment whose images all pass, at once and silently', async () => {
    const { world, gate } = setup(policyOf(), GOOD);
    const result = await gate.handleEvent(hookEvent());
    expect(result).toEqual({ kind: 'hookAwaitingAction', outcomes: [expect.objectContaining({ kind: 'continued', action: 'CONTINUE', decision: 'pass' })] });
    expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action: 'CONTINUE' }]);
    expect(world.scanner.requests).toEqual([]);
    expect(world.notifier.published).toEqual([]);
  });

  it('rolls back a deployment with a blocking verdict before any task starts, and says why', async () => {
    const { world, gate } = setup(policyOf(), BAD);
    await gate.handleEvent(hookEvent());
    expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action: 'ROLLBACK' }]);
    expect(world.notifier.published).toEqual([expect.objectContaining({ decision: 'fail', action: 'hookFailed', service: 'my-service', images: [expect.objectContaining({ digest: BAD })] })]);
    expect(world.ecs.stops).toEqual([]);
  });

  it('continues a failing deployment in audit mode and reports it', async () => {
    const { world, gate } = setup(policyOf({ mode: 'audit' }), BAD);
    await gate.handleEvent(hookEvent());
    expect(world.ecs.continues).toEqual([expect.objectContaining({ action: 'CONTINUE' })]);
    expect(world.notifier.published).toEqual([expect.objectContaining({ decision: 'fail', mode: 'audit', action: 'hookSucceeded' })]);
  });

  it('holds an unknown digest: one scan, the deployment recorded as its waiter, then ROLLBACK from the scan completion path', async () => {
    const { world, gate } = setup();
    const result = await gate.handleEvent(hookEvent());
    expect(result).toEqual({ kind: 'hookAwaitingAction', outcomes: [{ kind: 'waiting', serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, digests: [NEW] }] });
    expect(world.ecs.continues).toEqual([]);
    expect(world.scanner.requests).toHaveLength(1);
    expect(await world.store.listWaiters(NEW)).toEqual([expect.objectContaining({ taskArn: DEPLOYMENT, hookId: HOOK })]);

    // A repeated event while the scan runs: no second scan, no decision.
    await gate.handleEvent(hookEvent());
    expect(world.scanner.requests).toHaveLength(1);
    expect(world.ecs.continues).toEqual([]);

    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'SUCCEEDED'));
    expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action: 'ROLLBACK' }]);
    expect(await world.store.listWaiters(NEW)).toEqual([]);
    // The paused deployment is not a task: the task path never described it.
    expect(world.recorder.count('ecs.describeTasks')).toBe(0);
  });

  it('continues a held deployment once its scan passes', async () => {
    const { world, gate } = setup();
    await gate.handleEvent(hookEvent());
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 0 });
    await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'SUCCEEDED'));
    expect(world.ecs.continues).toEqual([expect.objectContaining({ action: 'CONTINUE' })]);
  });

  it('lets onScanError decide when the scan fails: deny rolls back, allow continues', async () => {
    const denied = setup(policyOf({ onScanError: 'deny' }));
    await denied.gate.handleEvent(hookEvent());
    await denied.gate.handleEvent(buildEvent(denied.world.store.scans.get(NEW)?.buildId as string, 'FAILED'));
    expect(denied.world.ecs.continues).toEqual([expect.objectContaining({ action: 'ROLLBACK' })]);

    const allowed = setup(policyOf({ onScanError: 'allow' }));
    await allowed.gate.handleEvent(hookEvent());
    await allowed.gate.handleEvent(buildEvent(allowed.world.store.scans.get(NEW)?.buildId as string, 'FAILED'));
    expect(allowed.world.ecs.continues).toEqual([expect.objectContaining({ action: 'CONTINUE' })]);
  });

  it('does nothing for a repeated event once the hook was answered', async () => {
    const { world, gate } = setup(policyOf(), GOOD);
    await gate.handleEvent(hookEvent());
    await gate.handleEvent(hookEvent());
    expect(world.ecs.continues).toHaveLength(1);
    expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(1);
  });

  it('does nothing for a deployment that is no longer IN_PROGRESS', async () => {
    const { world, gate } = setup(policyOf(), GOOD, 'ROLLBACK_IN_PROGRESS');
    const result = await gate.handleEvent(hookEvent());
    expect(result).toEqual({ kind: 'hookAwaitingAction', outcomes: [expect.objectContaining({ kind: 'notAwaiting' })] });
    expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(0);
  });

  it('answers a hook ECS reports paused at PRE_SCALE_UP', async () => {
    const { world, gate } = setup(policyOf(), BAD, 'IN_PROGRESS', { lifecycleStage: 'PRE_SCALE_UP' });
    await gate.handleEvent(hookEvent());
    expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action: 'ROLLBACK' }]);
  });

  it.each(['POST_TEST_TRAFFIC_SHIFT', 'POST_SCALE_UP', 'PRE_PRODUCTION_TRAFFIC_SHIFT'])(
    'never answers a PAUSE hook ECS reports at %s (someone else\'s approval), whatever the verdict',
    async (stage) => {
      for (const digest of [GOOD, BAD]) {
        const { world, gate } = setup(policyOf(), digest, 'IN_PROGRESS', { lifecycleStage: stage });
        const result = await gate.handleEvent(hookEvent());
        expect(result).toEqual({ kind: 'hookAwaitingAction', outcomes: [expect.objectContaining({ kind: 'notAwaiting', why: expect.stringContaining(stage) })] });
        expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(0);
        expect(world.scanner.requests).toEqual([]);
      }
    },
  );

  describe('answers only a PAUSE hook it knows is at PRE_SCALE_UP, and only the hook the event names (review items 2, 18)', () => {
    it.each(['POST_SCALE_UP', 'POST_TEST_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT'])(
      'never answers an event at %s, though DescribeServiceDeployments names no stage: no describe, no scan, no call',
      async (stage) => {
        for (const digest of [GOOD, BAD, NEW]) {
          const { world, gate } = setup(policyOf(), digest);
          const result = await gate.handleEvent(hookEvent({ lifecycleStage: stage }));
          expect(result).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringContaining(stage) });
          expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(0);
          expect(world.recorder.count('ecs.describePausedDeployments')).toBe(0);
          expect(world.scanner.requests).toEqual([]);
        }
      },
    );

    it('never answers a hook event of a Lambda hook', async () => {
      const { world, gate } = setup(policyOf(), BAD);
      expect(await gate.handleEvent(hookEvent({ hookType: 'AWS_LAMBDA' }))).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('AWS_LAMBDA') });
      expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(0);
      expect(world.recorder.count('ecs.describePausedDeployments')).toBe(0);
    });

    it('does nothing when neither the event nor DescribeServiceDeployments names the stage: logs, counts, leaves the hook to its timeout', async () => {
      for (const digest of [GOOD, BAD, NEW]) {
        const { world, gate } = setup(policyOf(), digest);
        const result = await gate.handleEvent(stagelessHookEvent());
        expect(result).toEqual({ kind: 'hookAwaitingAction', outcomes: [expect.objectContaining({ kind: 'notAwaiting', why: expect.stringContaining('names the stage') })] });
        expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(0);
        expect(world.scanner.requests).toEqual([]);
        expect(world.metrics.total('PausedDeploymentsStageUnknown')).toBe(1);
      }
    });

    it('answers an event that names no stage when DescribeServiceDeployments says PRE_SCALE_UP', async () => {
      const { world, gate } = setup(policyOf(), BAD, 'IN_PROGRESS', { lifecycleStage: 'PRE_SCALE_UP' });
      await gate.handleEvent(stagelessHookEvent());
      expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action: 'ROLLBACK' }]);
      expect(world.metrics.total('PausedDeploymentsStageUnknown')).toBe(0);
    });

    it('answers a PRE_SCALE_UP event when DescribeServiceDeployments names no stage, and again from the scan it waited on', async () => {
      const { world, gate } = setup();
      await gate.handleEvent(hookEvent());
      uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 0 });
      await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'SUCCEEDED'));
      expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action: 'CONTINUE' }]);
    });

    it.each([
      ['a hook id ECS never issues', 'ecs-pause-../../x'],
      ['an oversized hook id', 'x'.repeat(500)],
      ['a hook id that is not a string', 42],
    ])('does nothing for an event with %s, though a hook of the deployment awaits action', async (_what, hookId) => {
      const { world, gate } = setup(policyOf(), BAD);
      expect(await gate.handleEvent(hookEvent({ hookId }))).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('detail.hookId') });
      expect(world.recorder.count('ecs.describePausedDeployments')).toBe(0);
      expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(0);
    });

    it('does nothing for an event naming a hook the deployment does not have awaiting action: never its other hook instead', async () => {
      const { world, gate } = setup(policyOf(), BAD);
      const result = await gate.handleEvent(hookEvent({ hookId: 'ecs-pause-someone-elses' }));
      expect(result).toEqual({ kind: 'hookAwaitingAction', outcomes: [expect.objectContaining({ kind: 'notAwaiting', why: expect.stringContaining('ecs-pause-someone-elses') })] });
      expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(0);
    });
  });

  it('counts PausedDeploymentsWaiting once per deployment that starts waiting, not per delivery of its event (review item 17)', async () => {
    const { world, gate } = setup();
    await gate.handleEvent(hookEvent());
    await gate.handleEvent(hookEvent());
    await gate.handleEvent(hookEvent());
    expect(world.scanner.requests).toHaveLength(1);
    expect(world.metrics.total('PausedDeploymentsWaiting')).toBe(1);
  });

  describe('a hook that times out before the gate can answer is reported (review item 5)', () => {
    const at = (world: World, minutes: number) => new Date(world.clock.now().getTime() + minutes * 60_000).toISOString().replace('.000Z', 'Z');
    // The scan deadline (scanTimeoutMinutes 30) plus one sweep (60): 90 minutes; plus the EC2 fallback's 55 when there is one.
    const limits = { scanTimeoutMinutes: 30, sweepIntervalMinutes: 60 };

    it.each([
      [60, {}, 1],
      [100, {}, 0],
      [100, { fallbackScanProjectName: 'fargate-gate-scan-ec2', fallbackScanTimeoutMinutes: 55 }, 1],
      [150, { fallbackScanProjectName: 'fargate-gate-scan-ec2', fallbackScanTimeoutMinutes: 55 }, 0],
    ])('a hook expiring in %i minutes, config %j: PausedDeploymentsExpiringBeforeScan %i, counted once', async (minutes, fallback, expected) => {
      const { world } = setup();
      const gate = createGate(world.deps(policyOf(), { ...limits, ...fallback }));
      await gate.handleEvent(hookEvent({ expiresAt: at(world, minutes) }));
      await gate.handleEvent(hookEvent({ expiresAt: at(world, minutes) }));
      expect(world.metrics.total('PausedDeploymentsExpiringBeforeScan')).toBe(expected);
      expect(world.ecs.continues).toEqual([]);
    });

    it("takes DescribeServiceDeployments' expiresAt when the event has none", async () => {
      const { world } = setup();
      world.ecs.pausedDeployments.get(DEPLOYMENT)!.pauseHooks[0].expiresAt = at(world, 60);
      const gate = createGate(world.deps(policyOf(), limits));
      const event = hookEvent();
      delete (event.detail as Record<string, unknown>).expiresAt;
      await gate.handleEvent(event);
      expect(world.metrics.total('PausedDeploymentsExpiringBeforeScan')).toBe(1);
    });
  });

  it('never answers a paused deployment of a cluster outside the gate\'s clusters, nor describes it', async () => {
    const { world, gate } = setup(policyOf(), BAD, 'IN_PROGRESS', {}, ['arn:aws:ecs:us-west-2:123456789012:cluster/other']);
    expect(await gate.handleEvent(hookEvent())).toEqual({ kind: 'hookAwaitingAction', outcomes: [] });
    expect(world.recorder.count('ecs.describePausedDeployments')).toBe(0);
    expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(0);
  });

  it('answers a paused deployment of a cluster in scope when clusters are listed', async () => {
    const { world, gate } = setup(policyOf(), BAD, 'IN_PROGRESS', {}, [CLUSTER]);
    await gate.handleEvent(hookEvent());
    expect(world.ecs.continues).toEqual([expect.objectContaining({ action: 'ROLLBACK' })]);
  });

  it('in an organisation, answers a member\'s paused deployment though the central cluster list names only central clusters', async () => {
    // The member's clusters are scoped by its member stack; the central list (another account's cluster) does not apply.
    const world = setup(policyOf(), BAD).world;
    const gate = createGate(world.deps(policyOf(), { clusterArns: ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod'], organisationAccount: '111122223333' }));
    await gate.handleEvent(hookEvent());
    expect(world.ecs.continues).toEqual([expect.objectContaining({ action: 'ROLLBACK' })]);
  });

  it('leaves a deployment ECS reports in another cluster than the event named alone', async () => {
    // The event names my-cluster/my-service, but ECS's own record puts the service in a cluster outside scope: ECS's word wins.
    const { world, gate } = setup(policyOf(), BAD, 'IN_PROGRESS', { serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/other/my-service' }, [CLUSTER]);
    const result = await gate.handleEvent(hookEvent());
    expect(result).toEqual({ kind: 'hookAwaitingAction', outcomes: [expect.objectContaining({ kind: 'notAwaiting', why: expect.stringContaining('outside') })] });
    expect(world.recorder.count('ecs.continueServiceDeployment')).toBe(0);
  });

  it("one paused deployment that cannot be judged holds up neither the others nor the scan's verdict", async () => {
    const { world, gate } = setup();
    const SECOND = 'arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/Second00000000000000';
    const SECOND_HOOK = 'ecs-pause-second';
    world.ecs.pausedDeployments.set(SECOND, { ...(world.ecs.pausedDeployments.get(DEPLOYMENT) as PausedDeployment), serviceDeploymentArn: SECOND, pauseHooks: [{ hookId: SECOND_HOOK, status: 'AWAITING_ACTION' }] });
    const second = hookEvent();
    second.detail = { ...(second.detail as object), serviceDeploymentArn: SECOND, hookId: SECOND_HOOK };
    await gate.handleEvent(hookEvent());
    await gate.handleEvent(second);
    expect(await world.store.listWaiters(NEW)).toHaveLength(2);

    // The first deployment judged on the scan's completion cannot have its revision read, for good.
    world.ecs.failNext.set('describeServiceRevision', Object.assign(new Error('revision not found'), { name: 'InvalidParameterException', $fault: 'client' }));
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'SUCCEEDED'));

    expect(world.ecs.continues).toEqual([expect.objectContaining({ action: 'ROLLBACK' })]);
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'done' });
    expect(world.store.scans.get(NEW)?.finishFailures).toBeUndefined();
    expect(await world.store.listWaiters(NEW)).toEqual([]);
    expect(world.metrics.total('GateErrors', { failure: 'permanent' })).toBe(1);
  });

  it('a throttled paused deployment is retried with the scan, after the others were judged', async () => {
    const { world, gate } = setup();
    const SECOND = 'arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/Second00000000000000';
    world.ecs.pausedDeployments.set(SECOND, { ...(world.ecs.pausedDeployments.get(DEPLOYMENT) as PausedDeployment), serviceDeploymentArn: SECOND, pauseHooks: [{ hookId: 'ecs-pause-second', status: 'AWAITING_ACTION' }] });
    const second = hookEvent();
    second.detail = { ...(second.detail as object), serviceDeploymentArn: SECOND, hookId: 'ecs-pause-second' };
    await gate.handleEvent(hookEvent());
    await gate.handleEvent(second);

    world.ecs.failNext.set('describePausedDeployments', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' }));
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 0 });
    const build = world.store.scans.get(NEW)?.buildId as string;
    await expect(gate.handleEvent(buildEvent(build, 'SUCCEEDED'))).rejects.toThrow('Rate exceeded');
    expect(world.ecs.continues).toHaveLength(1);
    expect(await world.store.listWaiters(NEW)).toHaveLength(1);

    await gate.handleEvent(buildEvent(build, 'SUCCEEDED'));
    expect(world.ecs.continues.map((c) => c.action)).toEqual(['CONTINUE', 'CONTINUE']);
    expect(await world.store.listWaiters(NEW)).toEqual([]);
  });

  it('a scan given up on still answers its paused deployments when the tasks waiting on it could not be judged', async () => {
    const { world, gate } = setup(policyOf({ onScanError: 'deny' }));
    await gate.handleEvent(hookEvent());
    const build = world.store.scans.get(NEW)?.buildId as string;
    world.scanner.statuses.set(build, 'SUCCEEDED');
    const listWaiters = world.store.listWaiters.bind(world.store);
    let afterGivingUp = 0;
    world.store.listWaiters = async (key) => {
      // Finishing fails for good while the scan runs (it is given up on at the third attempt); once it is an error,
      // the tasks' pass (the first query) fails for a reason a retry may fix, the paused deployments' pass works.
      if (world.store.scans.get(NEW)?.state === 'running') throw Object.assign(new Error('not authorized to perform dynamodb:Query'), { name: 'AccessDeniedException', $fault: 'client' });
      afterGivingUp += 1;
      if (afterGivingUp === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
      return listWaiters(key);
    };
    await gate.handleEvent(buildEvent(build, 'SUCCEEDED'));
    await gate.handleEvent(sweepEvent());
    await gate.handleEvent(sweepEvent());
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', error: expect.stringContaining('could not be finished') });
    expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action: 'ROLLBACK' }]);
  });

  it('answers a paused deployment by onScanError when its queued scan is refused for good on the retry', async () => {
    const { world, gate } = setup(policyOf({ onScanError: 'deny' }));
    world.scanner.capacityErrors = 1;
    await gate.handleEvent(hookEvent());
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'queued' });
    world.scanner.startScan = async () => {
      throw Object.assign(new Error('not authorized to perform codebuild:StartBuild'), { name: 'AccessDeniedException', $fault: 'client' });
    };
    world.clock.advance(60 * 60 * 1000);
    await gate.handleEvent(sweepEvent());
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error' });
    expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action: 'ROLLBACK' }]);
    expect(await world.store.listWaiters(NEW)).toEqual([]);
  });

  it('logs a refused ContinueServiceDeployment (the hook timed out meanwhile) and does not retry it', async () => {
    const { world, gate } = setup(policyOf(), GOOD);
    world.ecs.failNext.set('continueServiceDeployment', Object.assign(new Error('The hook is not awaiting action.'), { name: 'InvalidParameterException', $fault: 'client' }));
    const result = await gate.handleEvent(hookEvent());
    expect(result).toEqual({ kind: 'hookAwaitingAction', outcomes: [expect.objectContaining({ kind: 'refused', action: 'CONTINUE' })] });
    expect(world.metrics.total('GateErrors', { failure: 'permanent' })).toBe(1);
  });

  it('rethrows a throttled ContinueServiceDeployment so Lambda retries the event', async () => {
    const { world, gate } = setup(policyOf(), GOOD);
    world.ecs.failNext.set('continueServiceDeployment', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $retryable: { throttling: true } }));
    await expect(gate.handleEvent(hookEvent())).rejects.toThrow('Rate exceeded');
  });
});

describe("a PAUSE hook judges the task definition's hardening", () => {
  const policy = policyOf({
    rules: { rootUser: { action: 'deny' }, vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } }, hardening: { readonlyRootFilesystem: { action: 'deny' } } },
  });

  it.each([
    [false, 'ROLLBACK'],
    [true, 'CONTINUE'],
  ] as const)('with readonlyRootFilesystem %s, a revision whose images pass under a policy that denies a writable root filesystem: %s', async (readonlyRootFilesystem, action) => {
    const { world, gate } = setup(policy, GOOD);
    registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:3`, readonlyRootFilesystem }], 9);
    await gate.handleEvent(hookEvent());
    expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action }]);
    expect(world.notifier.published.filter((e) => e.rules?.includes('hardening.readonlyRootFilesystem')).length).toBe(readonlyRootFilesystem ? 0 : 1);
  });
});

describe('a PAUSE hook judges the launch facts of the service revision it already read', () => {
  const policy = policyOf({ rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } }, hardening: { publicIp: { action: 'deny' } } } });

  it.each([
    [true, 'ROLLBACK'],
    [false, 'CONTINUE'],
  ] as const)('with a public IP in the revision %s: %s', async (publicIp, action) => {
    const { world, gate } = setup(policy, GOOD);
    const revision = world.ecs.revisions.get(REVISION_ARN)!;
    world.ecs.revisions.set(REVISION_ARN, { ...revision, launch: { publicIp: { value: publicIp, source: 'from the service revision' } }, loadBalancing: 'none' });
    await gate.handleEvent(hookEvent());
    expect(world.ecs.continues).toEqual([{ serviceDeploymentArn: DEPLOYMENT, hookId: HOOK, action }]);
    const refusals = world.notifier.published.filter((e) => e.rules?.includes('hardening.publicIp'));
    expect(refusals.map((e) => e.violations?.[0]?.message)).toEqual(publicIp ? [expect.stringContaining('(from the service revision)')] : []);
  });
});
