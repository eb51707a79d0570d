import { Writable } from 'node:stream';
import { planEnforcement } from '../../../functions/core/gate/plan';
import { evaluatePolicy } from '../../../functions/core/policy';
import type { RollbackOutcome, ServiceRevisionImages } from '../../../functions/core/ports';
import { enforceTaskDecision } from '../../../functions/handlers/enforcement/enforce';
import { createGate } from '../../../functions/handlers/gate';
import { createLogger } from '../../../functions/handlers/logger';
import { buildRuntime } from '../../../functions/handlers/runtime';
import { judgeWaiters } from '../../../functions/handlers/admission/judge-waiters';
import { createWorld, policyOf } from '../support/fakes';
import {
  CLUSTER,
  REGISTRY,
  REVISION_ARN,
  digestOf,
  registerTaskDefinition,
  runningTask,
  storeVerdict,
  taskArnOf,
  taskDefinitionArnOf,
  taskEvent,
} from '../support/scenario';

const policy = policyOf();
const GOOD = digestOf('good');
const BAD = digestOf('bad');
const WEB = `${REGISTRY}/shop/web`;
const DEPLOYMENT = '4412863370297563981';
/** The revision the bad deployment replaced: web:7, running `shop/web:1` (GOOD). The bad tasks run web:1 with `shop/web:2`. */
const PREVIOUS_TD = taskDefinitionArnOf('web', 7);
const BAD_TD = taskDefinitionArnOf('web', 1);
const previous: ServiceRevisionImages = { serviceRevisionArn: REVISION_ARN, taskDefinitionArn: PREVIOUS_TD, containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] };
const completedDeployment = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/done1';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

function setup(policyOverride = policy) {
  const world = createWorld();
  registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:2` }]);
  registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:1`, user: '1000' }], 7);
  storeVerdict(world, policyOverride, GOOD, { reference: `${WEB}:1`, user: '1000', critical: 0 }, 60_000, 'fargate-gate-scan:good-build');
  storeVerdict(world, policyOverride, BAD, { reference: `${WEB}:2`, user: '1000', critical: 2 }, 60_000, 'fargate-gate-scan:bad-build');
  world.registry.tags.set(`${WEB}:1`, GOOD);
  const { logger, lines } = capture();
  const gate = createGate({ ...world.deps(policyOverride), logger });
  return { world, gate, lines };
}

const serviceTask = (id: string, deployment: string | null = DEPLOYMENT, digest = BAD) =>
  taskEvent({ id, service: 'web', startedBy: deployment === null ? null : `ecs-svc/${deployment}`, containers: [{ name: 'web', image: `${WEB}:2`, imageDigest: digest }] });
const standaloneTask = (id: string, digest = BAD) => taskEvent({ id, containers: [{ name: 'web', image: `${WEB}:2`, imageDigest: digest }] });
const serviceKeyOf = (deployment: string, digest = BAD) => `service#${CLUSTER}#web#ecs-svc/${deployment}#${digest}`;
const throttled = (message: string) => Object.assign(new Error(message), { name: 'ThrottlingException', $fault: 'client' });
const busDown = () => Object.assign(new Error('bus unavailable'), { name: 'InternalException', $fault: 'server' });

describe('a denied service task whose deployment is in progress', () => {
  it('rolls back exactly the deployment that started the task, naming its id and task definition to ECS', async () => {
    const { world, gate } = setup();
    await gate.handleEvent(serviceTask('b0000000000000000000000000000001'));
    expect(world.ecs.rollbacks).toEqual([{ cluster: CLUSTER, service: 'web', deploymentId: `ecs-svc/${DEPLOYMENT}`, taskDefinitionArn: BAD_TD, reason: expect.stringContaining('denied') }]);
  });

  it('acts first and reports after: rollback, StopTask, then one claimed verdict event; later tasks only stop', async () => {
    const { world, gate } = setup();
    // An earlier event of the revision warmed the task-definition cache.
    await gate.handleEvent(taskEvent({ id: 'warm0000000000000000000000000000', containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }] }));
    world.recorder.reset();
    await gate.handleEvent(serviceTask('b0000000000000000000000000000001'));
    expect(world.calls()).toEqual([
      'store.getVerdictsForTask',
      'ecs.rollbackDeployment',
      'ecs.stopTask',
      'store.claimEnforcement',
      'notifier.publishVerdict',
    ]);
    world.recorder.reset();
    await gate.handleEvent(serviceTask('b0000000000000000000000000000002'));
    // The adapter reports the rollback under way; nothing is asked of ECS twice and no second event goes out.
    expect(world.calls()).toEqual(['store.getVerdictsForTask', 'ecs.rollbackDeployment', 'ecs.stopTask', 'store.claimEnforcement']);
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf('b0000000000000000000000000000001'), taskArnOf('b0000000000000000000000000000002')]);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'rollbackDeployment', service: 'web', decision: 'fail' })]);
    expect([...world.store.enforcements.keys()]).toEqual([serviceKeyOf(DEPLOYMENT)]);
  });

  it('rolls back each deployment that brings bad images, also the same images deployed again', async () => {
    const { world, gate } = setup();
    const SECOND = '5523974481308674092';
    await gate.handleEvent(serviceTask('f0000000000000000000000000000001', DEPLOYMENT));
    await gate.handleEvent(serviceTask('f0000000000000000000000000000002', DEPLOYMENT));
    world.clock.advance(7 * 24 * 3600 * 1000);
    storeVerdict(world, policy, BAD, { reference: `${WEB}:2`, user: '1000', critical: 2 });
    await gate.handleEvent(serviceTask('f0000000000000000000000000000003', SECOND));
    await gate.handleEvent(serviceTask('f0000000000000000000000000000003', SECOND));
    expect(world.ecs.rollbacks.map((rollback) => rollback.deploymentId)).toEqual([`ecs-svc/${DEPLOYMENT}`, `ecs-svc/${SECOND}`]);
    expect(world.notifier.published.map((event) => event.action)).toEqual(['rollbackDeployment', 'rollbackDeployment']);
    expect([...world.store.enforcements.keys()].sort()).toEqual([serviceKeyOf(DEPLOYMENT), serviceKeyOf(SECOND)]);
    expect(world.ecs.stops).toHaveLength(4);
  });

  it('reports a second image set of one deployment again, without a second rollback', async () => {
    const { world, gate } = setup();
    const worse = digestOf('worse');
    storeVerdict(world, policy, worse, { reference: `${WEB}:2`, critical: 1 });
    await gate.handleEvent(serviceTask('d0000000000000000000000000000001'));
    await gate.handleEvent(serviceTask('d0000000000000000000000000000002', DEPLOYMENT, worse));
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect([...world.store.enforcements.keys()].sort()).toEqual([serviceKeyOf(DEPLOYMENT), serviceKeyOf(DEPLOYMENT, worse)].sort());
  });

  it('still stops the task when the rollback fails, and rethrows so the retried event rolls back', async () => {
    const { world, gate } = setup();
    world.ecs.failNext.set('rollbackDeployment', throttled('Rate exceeded'));
    await expect(gate.handleEvent(serviceTask('e0000000000000000000000000000001'))).rejects.toThrow('Rate exceeded');
    expect(world.ecs.stops).toHaveLength(1);
    expect(world.store.enforcements.size).toBe(0);
    await gate.handleEvent(serviceTask('e0000000000000000000000000000001'));
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.notifier.published).toHaveLength(1);
  });

  it('scales the service to zero when it is the first deployment, and not again once it is at zero', async () => {
    const { world, gate } = setup();
    world.ecs.rollbackOutcome = { kind: 'nothingToRollBack', desiredCount: 3 };
    await gate.handleEvent(serviceTask('c0000000000000000000000000000001'));
    world.ecs.rollbackOutcome = { kind: 'nothingToRollBack', desiredCount: 0 };
    await gate.handleEvent(serviceTask('c0000000000000000000000000000002'));
    expect(world.ecs.scales).toEqual([{ cluster: CLUSTER, service: 'web', desiredCount: 0 }]);
    expect(world.ecs.stops).toHaveLength(2);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'scaleService' })]);
  });
});

describe('a denied service task whose deployment already completed (the scan outlasted the rollout)', () => {
  const completed = (extra: Partial<Extract<RollbackOutcome, { kind: 'completed' }>> = {}): RollbackOutcome => ({
    kind: 'completed',
    deploymentArn: completedDeployment,
    previous,
    desiredCount: 2,
    ...extra,
  });

  it('restores the revision the deployment replaced when the gate passes it, instead of scaling the service to zero', async () => {
    const { world, gate } = setup();
    world.ecs.rollbackOutcome = completed();
    const result = await gate.handleEvent(serviceTask('a1000000000000000000000000000001'));
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'fail', action: 'rollbackDeployment', notified: true } });
    expect(world.ecs.restores).toEqual([{ cluster: CLUSTER, service: 'web', taskDefinitionArn: PREVIOUS_TD, reason: expect.stringContaining('denied') }]);
    expect(world.ecs.scales).toEqual([]);
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf('a1000000000000000000000000000001')]);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'rollbackDeployment', service: 'web' })]);
    // The previous revision's ECR tag is resolved again (a new deployment pulls what the tag names now) and its verdict read.
    expect(world.recorder.count('registry.resolveDigest')).toBe(1);
    expect(world.recorder.count('store.getVerdicts')).toBe(1);
  });

  it('judges the digest a new deployment would pull: a tag moved to a denied image is not restored', async () => {
    const { world, gate } = setup();
    const moved = digestOf('moved');
    storeVerdict(world, policy, moved, { reference: `${WEB}:1`, user: '1000', critical: 3 });
    world.registry.tags.set(`${WEB}:1`, moved);
    world.ecs.rollbackOutcome = completed();
    await gate.handleEvent(serviceTask('a2000000000000000000000000000001'));
    expect(world.ecs.restores).toEqual([]);
    expect(world.ecs.scales).toEqual([{ cluster: CLUSTER, service: 'web', desiredCount: 0 }]);
  });

  it('scales to zero when the previous revision would be denied too (its task definition runs as root)', async () => {
    const { world, gate } = setup();
    registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:1`, user: 'root' }], 7);
    world.ecs.rollbackOutcome = completed();
    await gate.handleEvent(serviceTask('a3000000000000000000000000000001'));
    expect(world.ecs.restores).toEqual([]);
    expect(world.ecs.scales).toHaveLength(1);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'scaleService' })]);
  });

  it('scales to zero when an image of the previous revision has no current verdict: unknown is not restored', async () => {
    const { world, gate } = setup();
    world.store.verdicts.delete(`${GOOD}#${policy.hash}`);
    world.ecs.rollbackOutcome = completed();
    await gate.handleEvent(serviceTask('a4000000000000000000000000000001'));
    expect(world.ecs.restores).toEqual([]);
    expect(world.ecs.scales).toHaveLength(1);
  });

  it('scales to zero when the deployment replaced no revision ECS still describes, and not again at zero', async () => {
    const { world, gate } = setup();
    world.ecs.rollbackOutcome = completed({ previous: undefined });
    await gate.handleEvent(serviceTask('a5000000000000000000000000000001'));
    world.ecs.rollbackOutcome = completed({ previous: undefined, desiredCount: 0 });
    await gate.handleEvent(serviceTask('a5000000000000000000000000000002'));
    expect(world.ecs.scales).toEqual([{ cluster: CLUSTER, service: 'web', desiredCount: 0 }]);
  });
});

describe('a service task whose deployment has been superseded', () => {
  it('stops only the task: the service is neither rolled back, restored nor scaled (a fix is rolling out)', async () => {
    const { world, gate } = setup();
    world.ecs.rollbackOutcome = { kind: 'superseded', by: 'ecs-svc/9999999999999999999' };
    const result = await gate.handleEvent(serviceTask('a6000000000000000000000000000001'));
    expect(result).toMatchObject({ judgement: { action: 'stopTask', notified: true } });
    expect(world.ecs.rollbacks).toEqual([]);
    expect(world.ecs.restores).toEqual([]);
    expect(world.ecs.scales).toEqual([]);
    expect(world.ecs.stops).toHaveLength(1);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'stopTask', service: 'web' })]);
  });
});

describe('service membership the task only claims', () => {
  it('treats a task ECS does not confirm as the service\'s as standalone: stopped, the service untouched, logged as suspicious', async () => {
    const { world, gate, lines } = setup();
    world.ecs.rollbackOutcome = { kind: 'notInService', why: 'service payments has no current deployment ecs-svc/1' };
    // A developer's RunTask with --group service:payments --started-by ecs-svc/1 (both free-form).
    const spoofed = taskEvent({ id: 'a7000000000000000000000000000001', service: 'payments', startedBy: 'ecs-svc/1', containers: [{ name: 'web', image: `${WEB}:2`, imageDigest: BAD }] });
    world.store.launchers.set(taskArnOf('a7000000000000000000000000000001'), 'arn:aws:iam::123456789012:user/dev');
    const result = await gate.handleEvent(spoofed);
    expect(result).toMatchObject({ judgement: { action: 'stopTask', notified: true } });
    expect(world.ecs.scales).toEqual([]);
    expect(world.ecs.restores).toEqual([]);
    expect(world.ecs.stops).toHaveLength(1);
    expect([...world.store.enforcements.keys()]).toEqual([`task#${taskArnOf('a7000000000000000000000000000001')}`]);
    expect(world.notifier.published[0].service).toBeUndefined();
    expect(world.notifier.published[0].launchedBy).toBe('arn:aws:iam::123456789012:user/dev');
    expect(world.metrics.total('UnverifiedServiceTasks')).toBe(1);
    expect(lines.find((line) => String(line.msg).startsWith('suspicious'))).toMatchObject({ level: 'warn', group: 'service:payments', startedBy: 'ecs-svc/1' });
  });

  it('never asks ECS to act on a service for a task without an ecs-svc deployment id', async () => {
    const { world, gate } = setup();
    await gate.handleEvent(serviceTask('a8000000000000000000000000000001', null));
    expect(world.recorder.count('ecs.rollbackDeployment')).toBe(0);
    expect(world.ecs.scales).toEqual([]);
    expect(world.ecs.stops).toHaveLength(1);
    expect([...world.store.enforcements.keys()]).toEqual([`task#${taskArnOf('a8000000000000000000000000000001')}`]);
    expect(world.metrics.total('UnverifiedServiceTasks')).toBe(1);
  });
});

describe('a scan error on a service task', () => {
  const BROKEN = digestOf('broken');
  const brokenTask = (id: string) => taskEvent({ id, service: 'web', startedBy: `ecs-svc/${DEPLOYMENT}`, containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: BROKEN }] });

  it('never rolls back, scales or stops: it notifies once, and the scan is retried on its back-off', async () => {
    const { world, gate } = setup();
    world.store.scans.set(BROKEN, {
      digest: BROKEN,
      imageReference: `${WEB}@${BROKEN}`,
      scanId: 'failed-once',
      state: 'error',
      buildId: 'fargate-gate-scan:failed-once',
      error: 'FATAL: failed to download vulnerability DB: TOOMANYREQUESTS',
      attempts: 1,
      startedAt: '2026-01-05T08:50:00Z',
      deadline: '2026-01-05T09:20:00Z',
      retryAt: '2026-01-05T09:10:00Z',
    });
    const first = await gate.handleEvent(brokenTask('a9000000000000000000000000000001'));
    await gate.handleEvent(brokenTask('a9000000000000000000000000000002'));
    expect(first).toMatchObject({ judgement: { status: 'judged', decision: 'error', blocking: true, action: 'none', notified: true } });
    expect(world.recorder.count('ecs.rollbackDeployment')).toBe(0);
    expect(world.ecs.scales).toEqual([]);
    expect(world.ecs.stops).toEqual([]);
    expect(world.notifier.published).toEqual([expect.objectContaining({ decision: 'error', action: 'none', service: 'web' })]);
  });

  it('is never acted on at the service level even if a plan asks for it', async () => {
    const world = createWorld();
    const rt = buildRuntime(world.deps(policy));
    const result = evaluatePolicy(policy, { containers: [{ name: 'web', scanError: 'the scan failed' }], context: {}, now: world.clock.now() });
    expect(result.decision).toBe('error');
    const owner = { kind: 'service' as const, service: 'web', deploymentId: DEPLOYMENT };
    const task = { taskArn: taskArnOf('aa000000000000000000000000000001'), clusterArn: CLUSTER, taskDefinitionArn: BAD_TD, lastStatus: 'RUNNING', desiredStatus: 'RUNNING', containers: [] };
    const outcome = await enforceTaskDecision(rt, {
      task,
      owner,
      result,
      plan: { action: 'rollbackService', notify: true },
      images: [{ container: 'web' }],
      imageKeys: [BAD],
      launcherKnown: true,
      log: rt.logger,
    });
    expect(outcome.action).toBe('none');
    expect(world.recorder.count('ecs.rollbackDeployment') + world.recorder.count('ecs.scaleService') + world.recorder.count('ecs.stopTask')).toBe(0);
    expect(planEnforcement('error', true, owner)).toEqual({ action: 'none', notify: true });
  });
});

describe('a crash between deciding and acting', () => {
  it('leaves no claim behind when the Lambda dies inside the rollback: the retried event rolls back and reports, later tasks do not', async () => {
    const { world } = setup();
    const event = serviceTask('ab000000000000000000000000000001');

    // Invocation 1: ECS is slow and the function times out inside the rollback call, which never returns.
    const realRollback = world.ecs.rollbackDeployment.bind(world.ecs);
    let hung = 0;
    world.ecs.rollbackDeployment = () => {
      hung += 1;
      return new Promise<never>(() => undefined);
    };
    void createGate(world.deps(policy)).handleEvent(event);
    for (let turn = 0; turn < 5 && hung === 0; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(hung).toBe(1);
    expect(world.store.enforcements.size).toBe(0);
    expect(world.ecs.stops).toEqual([]);

    // Lambda retries the event in a fresh environment; the scheduler starts more tasks of the same deployment.
    world.ecs.rollbackDeployment = realRollback;
    const gate = createGate(world.deps(policy));
    await gate.handleEvent(event);
    await gate.handleEvent(serviceTask('ab000000000000000000000000000002'));
    await gate.handleEvent(serviceTask('ab000000000000000000000000000003'));
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.ecs.stops).toHaveLength(3);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'rollbackDeployment' })]);
  });

  it('reports an action whose claim could not be written on the retry, without acting twice', async () => {
    const { world, gate } = setup();
    world.store.failNext.set('claimEnforcement', Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' }));
    await expect(gate.handleEvent(serviceTask('ac000000000000000000000000000001'))).rejects.toThrow('slow down');
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.ecs.stops).toHaveLength(1);
    await gate.handleEvent(serviceTask('ac000000000000000000000000000001'));
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'rollbackDeployment' })]);
  });
});

describe('verdict events after actions', () => {
  it('a service action stands when its event cannot be published: the loss is counted, the claim given back, the next task sends it', async () => {
    const { world, gate } = setup();
    world.notifier.failNext = busDown();
    const first = await gate.handleEvent(serviceTask('ad000000000000000000000000000001'));
    expect(first).toMatchObject({ judgement: { action: 'rollbackDeployment', notified: false } });
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.ecs.stops).toHaveLength(1);
    expect(world.metrics.total('VerdictEventsLost')).toBe(1);
    expect(world.store.enforcements.size).toBe(0);

    await gate.handleEvent(serviceTask('ad000000000000000000000000000002'));
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'rollbackDeployment' })]);
  });

  it('a standalone stop stands when its event cannot be published: the handler does not fail, a duplicate event sends it', async () => {
    const { world, gate } = setup();
    world.notifier.failNext = busDown();
    const event = standaloneTask('ae000000000000000000000000000001');
    const first = await gate.handleEvent(event);
    expect(first).toMatchObject({ kind: 'taskStateChange', judgement: { action: 'stopTask', notified: false } });
    expect(world.ecs.stops).toHaveLength(1);
    expect(world.metrics.total('VerdictEventsLost')).toBe(1);
    await gate.handleEvent(event);
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'stopTask', decision: 'fail' })]);
    expect(world.ecs.stops).toHaveLength(2);
  });

  it('counts a claim it could not give back after a lost event as stranded', async () => {
    const { world, gate } = setup();
    world.notifier.failNext = busDown();
    world.store.failNext.set('releaseEnforcement', Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' }));
    await gate.handleEvent(standaloneTask('af000000000000000000000000000001'));
    expect(world.metrics.total('ClaimsStranded')).toBe(1);
    expect(world.ecs.stops).toHaveLength(1);
  });
});

describe('stop reasons, verdict events and logs name the evidence', () => {
  const AGENT = digestOf('gd-agent');
  const agentImage = '593207742271.dkr.ecr.eu-west-1.amazonaws.com/aws-guardduty-agent-fargate:v1.6.0';
  const withSidecar = { containers: [{ name: 'web', image: `${WEB}:1`, imageDigest: GOOD }, { name: 'agent', image: agentImage, imageDigest: AGENT }] };

  it('names the failed scan\'s build when a container could not be scanned, not the passing container\'s', async () => {
    const { world, gate } = setup();
    registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:1` }, { name: 'agent', image: agentImage }]);
    world.store.scans.set(AGENT, {
      digest: AGENT,
      imageReference: `593207742271.dkr.ecr.eu-west-1.amazonaws.com/aws-guardduty-agent-fargate@${AGENT}`,
      scanId: 'agent-1',
      state: 'error',
      buildId: 'fargate-gate-scan:agent-failed',
      error: 'the scan build ended FAILED',
      attempts: 1,
      startedAt: '2026-01-05T08:50:00Z',
      deadline: '2026-01-05T09:20:00Z',
      retryAt: '2026-01-05T09:30:00Z',
    });
    await gate.handleEvent(taskEvent(withSidecar));
    expect(world.ecs.stops[0].reason).toBe('fargate-gate: image could not be judged by policy "production"; rules: onScanError; build: fargate-gate-scan:agent-failed');
    const images = world.notifier.published[0].images;
    expect(images.find((image) => image.container === 'agent')).toMatchObject({ digest: AGENT, buildId: 'fargate-gate-scan:agent-failed' });
    expect(images.find((image) => image.container === 'web')).toMatchObject({ buildId: 'fargate-gate-scan:good-build' });
  });

  it('names the build a scan that just failed carries when its waiting tasks are judged', async () => {
    const { world } = setup();
    registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:1` }, { name: 'agent', image: agentImage }]);
    const rt = buildRuntime(world.deps(policy));
    const task = runningTask(withSidecar);
    world.ecs.tasks.set(task.taskArn, task);
    await rt.store.addWaiter({ digest: AGENT, taskArn: task.taskArn, cluster: CLUSTER, taskDefinitionArn: BAD_TD, seenAt: world.clock.now().toISOString() });
    await judgeWaiters(rt, AGENT, { scanErrors: new Map([[AGENT, { message: 'the scan build ended FAILED', buildId: 'fargate-gate-scan:just-failed' }]]) }, rt.logger);
    expect(world.ecs.stops[0].reason).toContain('build: fargate-gate-scan:just-failed');
    expect(world.ecs.stops[0].reason).not.toContain('good-build');
  });

  it('logs the stopped task with its digests and the builds that decided', async () => {
    const { gate, lines } = setup();
    await gate.handleEvent(standaloneTask('b1000000000000000000000000000001'));
    const stopped = lines.find((line) => line.msg === 'task stopped');
    expect(stopped).toMatchObject({ level: 'warn', taskArn: taskArnOf('b1000000000000000000000000000001'), digests: [BAD], buildIds: ['fargate-gate-scan:bad-build'], rules: ['vulnerabilities'] });
  });

  it('logs a stopped service task the same way', async () => {
    const { gate, lines } = setup();
    await gate.handleEvent(serviceTask('b2000000000000000000000000000001'));
    expect(lines.find((line) => line.msg === 'task stopped')).toMatchObject({ digests: [BAD], buildIds: ['fargate-gate-scan:bad-build'] });
  });
});
