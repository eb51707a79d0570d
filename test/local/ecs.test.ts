import { REGISTRY, digestOf, world } from './helpers';

const GOOD = `${REGISTRY}/shop/api:1.0`;
const BAD = `${REGISTRY}/shop/api:2.0`;

function setup(options: Parameters<typeof world>[0] = {}) {
  const w = world({ images: { v1: GOOD, v2: BAD }, ...options });
  w.backend.images.declare(GOOD, digestOf('1'));
  w.backend.images.declare(BAD, digestOf('2'));
  return w;
}

describe('FakeEcs tasks', () => {
  it('walks a RunTask through PROVISIONING, PENDING, RUNNING with increasing versions, showing the digest from RUNNING on', async () => {
    const { ecs, simulation, taskEvents, families } = setup();
    const task = ecs.launchTask({ cluster: 'batch', taskDefinitionArn: families.get('v1') as string });
    await simulation.settle();
    const details = taskEvents().map((event) => event.detail as { lastStatus: string; version: number; containers: { imageDigest?: string }[] });
    expect(details.map((d) => [d.lastStatus, d.version])).toEqual([['PROVISIONING', 1], ['PENDING', 2], ['RUNNING', 3]]);
    expect(details.map((d) => d.containers[0].imageDigest)).toEqual([undefined, undefined, digestOf('1')]);
    expect((await ecs.describeTasks('batch', [task.taskArn]))[0]).toMatchObject({ lastStatus: 'RUNNING', containers: [{ imageDigest: digestOf('1') }] });
  });

  it('describes a task with its task definition revision and its RunTask overrides, as the ECS adapter reads DescribeTasks', async () => {
    const { ecs, simulation, families } = setup();
    const environment = [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }];
    const overridden = ecs.launchTask({
      cluster: 'batch',
      taskDefinitionArn: families.get('v1') as string,
      overrides: { containerOverrides: [{ name: 'app', environment }], taskRoleArn: 'arn:aws:iam::123456789012:role/export' },
    });
    const plain = ecs.launchTask({ cluster: 'batch', taskDefinitionArn: families.get('v1') as string });
    await simulation.settle();
    const [withOverrides, without] = await ecs.describeTasks('batch', [overridden.taskArn, plain.taskArn]);
    expect(withOverrides).toMatchObject({
      taskDefinitionArn: families.get('v1'),
      overrides: { containerOverrides: [{ name: 'app', environment }], taskRoleArn: 'arn:aws:iam::123456789012:role/export' },
    });
    // ECS lists every container in containerOverrides, with just its name when RunTask overrode nothing.
    expect(without).toMatchObject({ taskDefinitionArn: families.get('v1'), overrides: { containerOverrides: [{ name: 'app' }] } });
    // A copy: what the gate does with the answer cannot change the world's task.
    (withOverrides.overrides as { containerOverrides: { environment: unknown[] }[] }).containerOverrides[0].environment.length = 0;
    expect(overridden.overrides.containerOverrides[0]).toEqual({ name: 'app', environment });
  });

  it('stops a task with the reason kept, a desiredStatus event first, and says nothing more for a second stop', async () => {
    const { ecs, simulation, taskEvents, families, backend } = setup();
    const task = ecs.launchTask({ cluster: 'batch', taskDefinitionArn: families.get('v1') as string });
    await simulation.settle();
    await ecs.stopTask('arn:aws:ecs:us-east-1:123456789012:cluster/batch', task.taskArn, 'fargate-gate: denied');
    await simulation.settle();
    await ecs.stopTask('batch', task.taskArn, 'fargate-gate: denied');
    await simulation.settle();
    const last = taskEvents().slice(-2).map((event) => event.detail as Record<string, unknown>);
    expect(last.map((d) => [d.lastStatus, d.desiredStatus])).toEqual([['RUNNING', 'STOPPED'], ['STOPPED', 'STOPPED']]);
    expect(last[1]).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'fargate-gate: denied' });
    expect(backend.activity.actions.filter((a) => a.type === 'stopTask').map((a) => (a as { alreadyStopped: boolean }).alreadyStopped)).toEqual([false, true]);
    expect(taskEvents()).toHaveLength(5);
  });

  it('treats StopTask of a task it does not know, or of another cluster, as nothing to stop', async () => {
    const { ecs, simulation, families, backend } = setup();
    const task = ecs.launchTask({ cluster: 'batch', taskDefinitionArn: families.get('v1') as string });
    await simulation.settle();
    await ecs.stopTask('prod', task.taskArn, 'wrong cluster');
    expect(task.desiredStatus).toBe('RUNNING');
    expect(backend.activity.actions[0]).toMatchObject({ type: 'stopTask', notFound: true });
  });

  it('keeps only 255 characters of a longer reason, and notes it', async () => {
    const { ecs, simulation, families, backend } = setup();
    const task = ecs.launchTask({ cluster: 'batch', taskDefinitionArn: families.get('v1') as string });
    await simulation.settle();
    await ecs.stopTask('batch', task.taskArn, 'r'.repeat(300));
    expect(task.stoppedReason).toHaveLength(255);
    expect(backend.activity.notes.some((note) => /300 characters/.test(note.text))).toBe(true);
  });

  it('fails a task whose image does not exist with CannotPullContainerError', async () => {
    const w = world({ images: { ghost: `${REGISTRY}/shop/ghost:1.0` } });
    const task = w.ecs.launchTask({ cluster: 'batch', taskDefinitionArn: w.families.get('ghost') as string });
    await w.simulation.settle();
    expect(task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stopCause: 'failedToStart' });
    expect(task.stoppedReason).toMatch(/CannotPullContainerError/);
  });

  it('refuses to move a task back to an earlier status', async () => {
    const { ecs, simulation, families } = setup();
    const task = ecs.launchTask({ cluster: 'batch', taskDefinitionArn: families.get('v1') as string });
    await simulation.settle();
    expect(() => ecs.setStatus(task.taskArn, 'PENDING')).toThrow(/cannot go back/);
  });
});

describe('FakeEcs services', () => {
  async function runningService(options: Parameters<typeof world>[0] = {}) {
    const w = setup(options);
    const service = w.ecs.createService({ name: 'web', cluster: 'prod', desiredCount: 2 });
    w.ecs.deploy('web', 'prod', w.families.get('v1') as string, { completed: true });
    await w.simulation.settle();
    w.received.length = 0;
    return { ...w, service };
  }

  const running = (w: Awaited<ReturnType<typeof runningService>>) =>
    [...w.ecs.tasks.values()].filter((task) => task.service === 'web' && task.desiredStatus === 'RUNNING').map((task) => task.taskDefinitionArn.split('/')[1]);

  it('rolls out a new revision: new tasks start, old ones stop once the new ones run, and the deployment completes after settling', async () => {
    const w = await runningService();
    const deployment = w.ecs.deploy('web', 'prod', w.families.get('v2') as string);
    await w.simulation.settle();
    expect(running(w)).toEqual(['v2:1', 'v2:1']);
    expect(deployment.status).toBe('IN_PROGRESS');
    await w.simulation.advance(5 * 60_000);
    expect(deployment).toMatchObject({ status: 'SUCCESSFUL', completed: true });
  });

  /** The task as the gate names it to ECS: its service, its deployment (startedBy) and its revision. */
  const refOf = (deployment: { id: string; taskDefinitionArn: string }, service = 'web') => ({ cluster: 'prod', service, deploymentId: deployment.id, taskDefinitionArn: deployment.taskDefinitionArn });

  it('rolls the task\'s in-progress deployment back to the last completed one; afterwards it reads as superseded', async () => {
    const w = await runningService();
    const deployment = w.ecs.deploy('web', 'prod', w.families.get('v2') as string);
    await w.simulation.settle();
    const first = await w.ecs.rollbackDeployment(refOf(deployment), 'bad image');
    const second = await w.ecs.rollbackDeployment(refOf(deployment), 'bad image');
    expect(first).toEqual({ kind: 'rolledBack', deploymentArn: deployment.arn });
    expect(second).toMatchObject({ kind: 'superseded' });
    expect(w.backend.activity.actions.filter((a) => a.type === 'rollbackDeployment')).toHaveLength(1);
    await w.simulation.settle();
    expect(running(w)).toEqual(['v1:1', 'v1:1']);
    expect(deployment.status).toBe('ROLLBACK_SUCCESSFUL');
    const stoppedByRollback = [...w.ecs.tasks.values()].filter((task) => task.stopCause === 'gateRollback');
    expect(stoppedByRollback).toHaveLength(2);
  });

  it('rolls back only the task\'s own deployment: one superseded by a newer deployment is left to it', async () => {
    const w = await runningService();
    const bad = w.ecs.deploy('web', 'prod', w.families.get('v2') as string);
    const fix = w.ecs.deploy('web', 'prod', w.families.get('v1') as string);
    expect(await w.ecs.rollbackDeployment(refOf(bad), 'bad image')).toEqual({ kind: 'superseded', by: fix.id });
    expect(fix.status).toBe('IN_PROGRESS');
    expect(w.backend.activity.actions.filter((a) => a.type === 'rollbackDeployment')).toEqual([]);
  });

  it('does not confirm a task that names a deployment the service does not have, or another task definition, or no such service', async () => {
    const w = await runningService();
    const deployment = w.ecs.deploy('web', 'prod', w.families.get('v2') as string);
    expect(await w.ecs.rollbackDeployment({ ...refOf(deployment), deploymentId: 'ecs-svc/1' }, 'x')).toMatchObject({ kind: 'notInService' });
    expect(await w.ecs.rollbackDeployment({ ...refOf(deployment), taskDefinitionArn: w.families.get('v1') as string }, 'x')).toMatchObject({ kind: 'notInService' });
    expect(await w.ecs.rollbackDeployment(refOf(deployment, 'payments'), 'x')).toMatchObject({ kind: 'notInService' });
    expect(deployment.status).toBe('IN_PROGRESS');
  });

  it('has nothing to roll back for a first deployment; a completed one reports the revision it replaced', async () => {
    const w = setup();
    w.ecs.createService({ name: 'fresh', cluster: 'prod', desiredCount: 1 });
    const first = w.ecs.deploy('fresh', 'prod', w.families.get('v2') as string);
    await w.simulation.settle();
    expect(await w.ecs.rollbackDeployment(refOf(first, 'fresh'), 'x')).toEqual({ kind: 'nothingToRollBack', deploymentArn: first.arn, desiredCount: 1 });

    const r = await runningService();
    const old = r.service.deployments[0];
    const late = r.ecs.deploy('web', 'prod', r.families.get('v2') as string);
    await r.simulation.advance(10 * 60_000);
    expect(await r.ecs.rollbackDeployment(refOf(late), 'too late')).toEqual({
      kind: 'completed',
      deploymentArn: late.arn,
      desiredCount: 2,
      previous: { serviceRevisionArn: old.revisionArn, taskDefinitionArn: old.taskDefinitionArn, containers: [{ name: 'app', image: GOOD, imageDigest: digestOf('1') }] },
    });
  });

  it('restores a revision with a new deployment that resolves its images again; the bad deployment\'s tasks retire', async () => {
    const w = await runningService();
    const late = w.ecs.deploy('web', 'prod', w.families.get('v2') as string);
    await w.simulation.advance(10 * 60_000);
    await w.ecs.restoreServiceRevision('prod', 'web', w.families.get('v1') as string, 'denied');
    await w.simulation.settle();
    expect(running(w)).toEqual(['v1:1', 'v1:1']);
    expect(await w.ecs.rollbackDeployment(refOf(late), 'again')).toMatchObject({ kind: 'superseded' });
    expect(w.backend.activity.actions.filter((a) => a.type === 'rollbackDeployment')).toMatchObject([{ outcome: 'restored', service: 'web', taskDefinitionArn: w.families.get('v1') }]);
    expect([...w.ecs.tasks.values()].filter((task) => task.stopCause === 'gateRollback')).toHaveLength(2);
  });

  it('replaces tasks the gate stops, with the same digest, and flags a restart loop past the limit', async () => {
    const w = await runningService({ loopLimit: 3 });
    for (let round = 0; round < 10; round += 1) {
      const victims = [...w.ecs.tasks.values()].filter((task) => task.service === 'web' && task.desiredStatus === 'RUNNING');
      for (const task of victims) await w.ecs.stopTask('prod', task.taskArn, 'stop only');
      await w.simulation.settle();
    }
    expect(w.service.loopDetected).toBe(true);
    const launched = [...w.ecs.tasks.values()].filter((task) => task.service === 'web');
    expect(new Set(launched.map((task) => task.containers[0].imageDigest))).toEqual(new Set([digestOf('1')]));
    expect(launched.length).toBeLessThan(12);
  });

  it('scales in to the desired count the gate sets', async () => {
    const w = await runningService();
    await w.ecs.scaleService('prod', 'web', 0);
    await w.simulation.settle();
    expect(running(w)).toEqual([]);
    expect([...w.ecs.tasks.values()].every((task) => task.stopCause === 'gateScale')).toBe(true);
  });

  it('describes a service revision with the digests resolved at deployment time, even after the tag moves', async () => {
    const w = await runningService();
    const deployment = w.ecs.deploy('web', 'prod', w.families.get('v2') as string);
    w.backend.images.declare(BAD, digestOf('3'));
    const revision = await w.ecs.describeServiceRevision(deployment.revisionArn);
    expect(revision).toEqual({
      cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
      service: 'web',
      taskDefinitionArn: w.families.get('v2'),
      containers: [{ name: 'app', image: BAD, imageDigest: digestOf('2') }],
      // The service's launch settings, CreateService's defaults here: LATEST, no public IP, no load balancer.
      launch: { platformVersion: { value: 'LATEST', source: 'from the service revision' }, publicIp: { value: false, source: 'from the service revision' } },
      loadBalancing: 'none',
    });
    await expect(w.ecs.describeServiceRevision(`${deployment.revisionArn}9`)).rejects.toThrow(/not found/);
  });

  it('gives a service its launch settings: the revision states the public IP, the platform version and its load balancer; its tasks report ECS Exec and the resolved platform version', async () => {
    const w = setup();
    w.ecs.createService({ name: 'edge', cluster: 'prod', desiredCount: 1, launch: { enableExecuteCommand: true, assignPublicIp: 'ENABLED', platformVersion: '1.3.0', loadBalancer: true } });
    const deployment = w.ecs.deploy('edge', 'prod', w.families.get('v1') as string, { completed: true });
    await w.simulation.settle();
    const revision = await w.ecs.describeServiceRevision(deployment.revisionArn);
    expect(revision.launch).toEqual({ platformVersion: { value: '1.3.0', source: 'from the service revision' }, publicIp: { value: true, source: 'from the service revision' } });
    expect(revision.loadBalancing).toBe('some');
    const [task] = [...w.ecs.tasks.values()];
    expect(await w.ecs.describeTasks('prod', [task.taskArn])).toEqual([
      expect.objectContaining({ launch: { execCommand: { value: true, source: 'from DescribeTasks' }, platformVersion: { value: '1.3.0', source: 'from DescribeTasks' } } }),
    ]);
  });

  it('holds a deployment of a hooked service until the hook answers, and drops it when the hook fails', async () => {
    const w = setup();
    w.ecs.createService({ name: 'pay', cluster: 'prod', desiredCount: 2, lifecycleHook: true });
    w.ecs.deploy('pay', 'prod', w.families.get('v1') as string, { completed: true });
    await w.simulation.settle();
    const deployment = w.ecs.deploy('pay', 'prod', w.families.get('v2') as string);
    await w.simulation.settle();
    expect([...w.ecs.tasks.values()].filter((task) => task.deploymentId === deployment.id)).toHaveLength(0);
    w.ecs.hookAnswered('pay', 'prod', deployment.id, 'FAILED');
    await w.simulation.settle();
    expect(deployment).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL', rolledBackBy: 'hook' });
    expect([...w.ecs.tasks.values()].filter((task) => task.deploymentId === deployment.id)).toHaveLength(0);
  });
});
