import { classifyGateEvent, readLifecycleHook } from '../../functions/core/events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ecrPushEvent, runTaskCloudTrailEvent, scheduledEvent, lifecycleHookPayload } from '../../functions/local/events';
import { REGISTRY, digestOf, world } from './helpers';

const REPORT = readFileSync(join(__dirname, '../../examples/reports/distroless-nonroot.trivy.json'), 'utf8');

describe('events the fake world emits', () => {
  it('are ECS Task State Changes the gate reads as starting Fargate tasks, with the digest once ECS reports it', async () => {
    const w = world({ images: { app: `${REGISTRY}/shop/api:1.0` } });
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    const task = w.ecs.launchTask({ cluster: 'prod', taskDefinitionArn: w.families.get('app') as string, overrides: { containerOverrides: [{ name: 'app', environment: [{ name: 'MODE', value: 'x' }] }] } });
    await w.simulation.settle();
    const read = w.taskEvents().map((event) => classifyGateEvent(event, { clusterArns: [] }));
    expect(read.map((e) => e.kind)).toEqual(['taskStateChange', 'taskStateChange', 'taskStateChange']);
    const running = read[2] as Extract<(typeof read)[number], { kind: 'taskStateChange' }>;
    expect(running.task).toMatchObject({ taskArn: task.taskArn, version: 3, lastStatus: 'RUNNING', group: 'family:app', containers: [{ name: 'app', imageDigest: digestOf('1') }] });
    expect(running.task.overrides).toEqual({ containerOverrides: [{ name: 'app', environment: [{ name: 'MODE', value: 'x' }] }] });

    await w.ecs.stopTask('prod', task.taskArn, 'because');
    await w.simulation.settle();
    // Stopping (desired STOPPED) is not the gate's; the final STOPPED event closes the task's uses in the inventory.
    const stopping = w.taskEvents().slice(-2).map((event) => classifyGateEvent(event));
    expect(stopping.map((e) => (e.kind === 'ignored' ? `ignored${e.malformed ? ' (malformed)' : ''}` : e.kind))).toEqual(['ignored', 'taskStopped']);
  });

  it('carry service tasks as service:<name> started by the deployment', async () => {
    const w = world({ images: { app: `${REGISTRY}/shop/api:1.0` } });
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    w.ecs.createService({ name: 'web', cluster: 'prod', desiredCount: 1 });
    const deployment = w.ecs.deploy('web', 'prod', w.families.get('app') as string);
    await w.simulation.settle();
    const read = classifyGateEvent(w.taskEvents()[0]);
    expect(read).toMatchObject({ kind: 'taskStateChange', task: { group: 'service:web', startedBy: deployment.id } });
  });

  it('include a CloudTrail RunTask record the gate reads for the launcher and the tasks', async () => {
    const w = world({ images: { app: `${REGISTRY}/shop/api:1.0` } });
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    const task = w.ecs.launchTask({ cluster: 'batch', taskDefinitionArn: w.families.get('app') as string });
    const event = runTaskCloudTrailEvent([task], { cluster: 'batch', taskDefinition: 'app', count: 1 }, { arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/ci' }, { ...w.simulation.envelope(), requestId: 'r', eventId: 'e' });
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'runTaskCall', launchedBy: 'arn:aws:sts::123456789012:assumed-role/Deploy/ci', tasks: [{ taskArn: task.taskArn, lastStatus: 'PROVISIONING' }] });
    const byUser = runTaskCloudTrailEvent([task], { cluster: 'batch', taskDefinition: 'app', count: 1 }, { arn: 'arn:aws:iam::123456789012:user/dana' }, { ...w.simulation.envelope(), requestId: 'r', eventId: 'e' });
    expect(classifyGateEvent(byUser)).toMatchObject({ kind: 'runTaskCall', launchedBy: 'arn:aws:iam::123456789012:user/dana' });
  });

  it('include CodeBuild Build State Changes of the scan project', async () => {
    const w = world();
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'), { report: REPORT });
    await w.backend.scanner.startScan({ scanId: 's', digest: digestOf('1'), imageReference: `${REGISTRY}/shop/api@${digestOf('1')}`, reportKey: 'k.json' });
    await w.simulation.advance(10 * 60_000);
    expect(classifyGateEvent(w.received[0], { scanProjectName: 'fargate-gate-scan' })).toMatchObject({ kind: 'scanBuildFinished', status: 'SUCCEEDED', projectName: 'fargate-gate-scan' });
  });

  it('include ECR pushes and the sweep schedule', () => {
    const w = world();
    const push = ecrPushEvent('shop/api', digestOf('1'), '1.0', w.simulation.envelope());
    expect(classifyGateEvent(push)).toMatchObject({ kind: 'imagePushed', digest: digestOf('1'), imageReference: `${REGISTRY}/shop/api@${digestOf('1')}`, tag: '1.0' });
    expect(classifyGateEvent(scheduledEvent('fargate-gate-sweep', w.simulation.envelope()))).toMatchObject({ kind: 'sweep' });
  });

  it('include lifecycle hook payloads the gate reads, carrying the hookDetails of earlier answers', async () => {
    const w = world({ images: { v1: `${REGISTRY}/shop/api:1.0`, v2: `${REGISTRY}/shop/api:2.0` } });
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    w.backend.images.declare(`${REGISTRY}/shop/api:2.0`, digestOf('2'));
    const service = w.ecs.createService({ name: 'pay', cluster: 'prod', desiredCount: 1, lifecycleHook: true });
    const previous = w.ecs.deploy('pay', 'prod', w.families.get('v1') as string, { completed: true });
    const next = w.ecs.deploy('pay', 'prod', w.families.get('v2') as string);
    const reading = readLifecycleHook(lifecycleHookPayload(service, next, previous, 'exec-1', { fargateGate: { scans: { a: 'b' } } }));
    expect(reading).toMatchObject({ ok: true, payload: { lifecycleStage: 'PRE_SCALE_UP', executionDetails: { targetServiceRevisionArn: next.revisionArn } }, state: { scans: { a: 'b' } } });
  });

  it('include ECS Hook State Change HOOK_AWAITING_ACTION when a deployment stops at its PAUSE hook, which the gate reads as naming that deployment and hook; no Lambda hook is called and no task starts', async () => {
    const w = world({ images: { v1: `${REGISTRY}/shop/api:1.0`, v2: `${REGISTRY}/shop/api:2.0` } });
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    w.backend.images.declare(`${REGISTRY}/shop/api:2.0`, digestOf('2'));
    const service = w.ecs.createService({ name: 'web', cluster: 'prod', desiredCount: 2, pauseHook: { timeoutMs: 3_600_000, timeoutAction: 'ROLLBACK' } });
    w.ecs.deploy('web', 'prod', w.families.get('v1') as string, { completed: true });
    const held = w.ecs.deploy('web', 'prod', w.families.get('v2') as string);
    await w.simulation.settle();
    const hookEvents = w.received.filter((event) => event['detail-type'] === 'ECS Hook State Change');
    expect(hookEvents).toHaveLength(1);
    // The documented example's shape (ecs_hook_state_change_events): resources name the deployment; the detail the hook's type and stage.
    expect(hookEvents[0]).toMatchObject({
      source: 'aws.ecs',
      resources: [held.arn],
      detail: { eventName: 'HOOK_AWAITING_ACTION', hookType: 'PAUSE', lifecycleStage: 'PRE_SCALE_UP', clusterArn: service.clusterArn, serviceArn: service.serviceArn, serviceDeploymentArn: held.arn, expiresAt: expect.stringMatching(/Z$/) },
    });
    // Asserted first: an absent hook id would make the `hookId: undefined` below match an event without one.
    expect(held.pause?.hookId).toMatch(/^ecs-pause-[A-Za-z0-9_-]{43}$/);
    expect(classifyGateEvent(hookEvents[0], { clusterArns: [] })).toMatchObject({
      kind: 'hookAwaitingAction',
      target: { serviceDeploymentArn: held.arn, serviceArn: service.serviceArn },
      hookId: held.pause?.hookId,
      lifecycleStage: 'PRE_SCALE_UP',
    });
    expect(w.hooks).toEqual([]);
    expect(w.taskEvents().filter((event) => event.detail.taskDefinitionArn === w.families.get('v2'))).toEqual([]);
  });

  it('have unique ids and second-precision times', async () => {
    const w = world({ images: { app: `${REGISTRY}/shop/api:1.0` } });
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    for (let i = 0; i < 3; i += 1) w.ecs.launchTask({ cluster: 'prod', taskDefinitionArn: w.families.get('app') as string });
    await w.simulation.settle();
    const ids = w.received.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(w.received.every((event) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(event.time))).toBe(true);
  });
});
