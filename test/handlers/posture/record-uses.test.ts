import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../functions/core/errors';
import { createGate } from '../../../functions/handlers/gate';
import { ActivityLog } from '../../../functions/local/activity';
import { MemoryInventoryStore } from '../../../functions/local/memory-inventory';
import { conformanceFiles, describeWithConformance } from '../../support/conformance';
import { createWorld, policyOf } from '../support/fakes';
import { CLUSTER, REGISTRY, digestOf, registerTaskDefinition, storeVerdict, taskArnOf, taskEvent } from '../support/scenario';

const policy = policyOf();
const APP = digestOf('app');
const SIDECAR = digestOf('sidecar');

function setup() {
  const world = createWorld();
  const activity = new ActivityLog(() => world.clock.now());
  const inventory = new MemoryInventoryStore(world.clock, activity);
  registerTaskDefinition(world, 'web', [{ name: 'app', image: `${REGISTRY}/web:1` }, { name: 'envoy', image: `${REGISTRY}/envoy:1` }]);
  storeVerdict(world, policy, APP, { reference: `${REGISTRY}/web:1`, digest: APP });
  storeVerdict(world, policy, SIDECAR, { reference: `${REGISTRY}/envoy:1`, digest: SIDECAR });
  const gate = createGate({ ...world.deps(policy), inventory });
  const inventoryCalls = () => activity.counts().byMethod;
  return { world, gate, inventory, inventoryCalls };
}

const containers = [
  { name: 'app', image: `${REGISTRY}/web:1`, imageDigest: APP },
  { name: 'envoy', image: `${REGISTRY}/envoy:1`, imageDigest: SIDECAR },
];

function stopped(input: Parameters<typeof taskEvent>[0], stoppedAt = '2026-01-05T10:00:00.000Z') {
  const event = taskEvent({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', ...input });
  (event.detail as Record<string, unknown>).stoppedAt = stoppedAt;
  return event;
}

describe('the gate records what runs', () => {
  it('records a RUNNING task against each digest with one write per digest, beside its judgement', async () => {
    const { gate, inventory, inventoryCalls } = setup();
    const result = await gate.handleEvent(taskEvent({ service: 'web', containers }));
    expect(result).toMatchObject({ kind: 'taskStateChange', judgement: { status: 'judged' } });
    expect(inventoryCalls()).toEqual({ 'inventory.recordUse': 2 });
    const [use] = await inventory.listUsesOfDigest(APP);
    expect(use).toMatchObject({
      taskArn: taskArnOf('a1b2c3d4e5f60718293a4b5c6d7e8f90'),
      cluster: CLUSTER,
      account: '123456789012',
      region: 'eu-west-1',
      service: 'web',
      deploymentId: 'ecs-svc/1234567890123456789',
      containers: [{ name: 'app', image: `${REGISTRY}/web:1` }],
      source: 'taskEvent',
    });
    expect((await inventory.listDigestsInUse()).map((d) => d.digest).sort()).toEqual([APP, SIDECAR].sort());
  });

  describe('names who launched the task (the CloudTrail RunTask call), whichever reaches the gate first', () => {
    const LAUNCHER = 'arn:aws:sts::123456789012:assumed-role/ci-deployer/deploy-bot';
    const TASK = taskArnOf('a1b2c3d4e5f60718293a4b5c6d7e8f90');
    function runTaskCall() {
      const call = JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/cloudtrail-runtask-fargate.json'), 'utf8'));
      Object.assign(call.detail.responseElements.tasks[0], { taskArn: TASK, clusterArn: CLUSTER });
      return call;
    }

    it('the RunTask call first: the RUNNING event records the uses with the remembered launcher', async () => {
      const { gate, inventory } = setup();
      await gate.handleEvent(runTaskCall());
      await gate.handleEvent(taskEvent({ service: 'web', containers }));
      expect((await inventory.listUsesOfDigest(APP)).map((use) => [use.taskArn, use.launchedBy])).toEqual([[TASK, LAUNCHER]]);
    });

    it('the RunTask call first: the RUNNING event reads the launcher once, in the judgement\'s verdict read, with no read of its own', async () => {
      const { world, gate, inventory } = setup();
      await gate.handleEvent(runTaskCall());
      const before = world.calls().length;
      await gate.handleEvent(taskEvent({ service: 'web', containers }));
      const reads = world.calls().slice(before).filter((call) => call.startsWith('store.get'));
      expect(reads).toEqual(['store.getVerdictsForTask']);
      expect((await inventory.listUsesOfDigest(APP)).map((use) => use.launchedBy)).toEqual([LAUNCHER]);
    });

    it('the judgement fails before its verdict read returns: the uses are still recorded with the remembered launcher (one read of its own)', async () => {
      const { world, gate, inventory } = setup();
      await gate.handleEvent(runTaskCall());
      world.store.failNext.set('getVerdictsForTask', new InputError('damaged verdict item', { source: 'gate table' }));
      const before = world.calls().length;
      const result = await gate.handleEvent(taskEvent({ service: 'web', containers }));
      expect(result).toMatchObject({ kind: 'failed', failure: 'input' });
      expect(world.calls().slice(before).filter((call) => call === 'store.getLauncher')).toEqual(['store.getLauncher']);
      expect((await inventory.listUsesOfDigest(APP)).map((use) => use.launchedBy)).toEqual([LAUNCHER]);
    });

    it('the RUNNING event first: the later RunTask call names the launcher on the open uses', async () => {
      const { gate, inventory } = setup();
      await gate.handleEvent(taskEvent({ service: 'web', containers }));
      await gate.handleEvent(runTaskCall());
      const uses = [...(await inventory.listUsesOfDigest(APP)), ...(await inventory.listUsesOfDigest(SIDECAR))];
      expect(uses.map((use) => [use.taskArn, use.launchedBy])).toEqual([
        [TASK, LAUNCHER],
        [TASK, LAUNCHER],
      ]);
    });
  });

  it('records the task definition\'s tags and the exposure the task snapshot settles, with no read beyond the judgement\'s', async () => {
    const { world, gate, inventory } = setup();
    const arn = registerTaskDefinition(world, 'tagged', [{ name: 'app', image: `${REGISTRY}/web:1` }]);
    const spec = world.taskDefinitions.specs.get(arn);
    if (!spec) throw new Error('no task definition registered');
    world.taskDefinitions.specs.set(arn, { ...spec, tags: { team: 'payments', owner: 'alice' } });
    const before = world.calls().filter((call) => call === 'taskDefinitions.get').length;
    await gate.handleEvent(taskEvent({ service: 'web', family: 'tagged', containers: [containers[0]] }));
    expect(world.calls().filter((call) => call === 'taskDefinitions.get').length - before).toBe(1);
    const [use] = await inventory.listUsesOfDigest(APP);
    expect(use.taskDefinitionTags).toEqual({ team: 'payments', owner: 'alice' });
    expect(use.exposure).toBeUndefined();
  });

  it('writes nothing to the inventory for a task still starting (its digests are not final before RUNNING)', async () => {
    const { gate, inventoryCalls } = setup();
    await gate.handleEvent(taskEvent({ lastStatus: 'PENDING', containers }));
    expect(inventoryCalls()).toEqual({});
  });

  it('records only digests ECS reports or the reference pins, never a tag it would have to guess', async () => {
    const { gate, inventory } = setup();
    await gate.handleEvent(taskEvent({ containers: [containers[0], { name: 'envoy', image: `${REGISTRY}/envoy:1` }] }));
    expect((await inventory.listDigestsInUse()).map((d) => d.digest)).toEqual([APP]);
  });

  it('closes a STOPPED task with one write per digest, no read, and never judges it', async () => {
    const { world, gate, inventory, inventoryCalls } = setup();
    await gate.handleEvent(taskEvent({ containers }));
    const before = world.calls().length;
    const result = await gate.handleEvent(stopped({ containers }));
    expect(result).toEqual({ kind: 'taskStopped', outcome: { closed: 'byDigest', digests: 2 } });
    expect(world.calls().slice(before)).toEqual([]);
    expect(inventoryCalls()).toEqual({ 'inventory.recordUse': 4 });
    expect(await inventory.listDigestsInUse()).toEqual([]);
  });

  it('closes by task when a container of the STOPPED task names no digest (stopped before its pull)', async () => {
    const { gate, inventory, inventoryCalls } = setup();
    await gate.handleEvent(taskEvent({ containers }));
    const result = await gate.handleEvent(stopped({ containers: [containers[0], { name: 'envoy', image: `${REGISTRY}/envoy:1` }] }));
    expect(result).toEqual({ kind: 'taskStopped', outcome: { closed: 'byTask' } });
    expect(inventoryCalls()).toMatchObject({ 'inventory.closeTask': 1, 'inventory.closeUse': 1 });
    expect(await inventory.listDigestsInUse()).toEqual([]);
  });

  it('does not reopen a task whose RUNNING event arrives after its STOPPED one', async () => {
    const { gate, inventory } = setup();
    await gate.handleEvent(stopped({ containers }));
    await gate.handleEvent(taskEvent({ containers }));
    expect(await inventory.listDigestsInUse()).toEqual([]);
  });

  it('uses the event time when the STOPPED task has no stoppedAt of its own', async () => {
    const { gate, inventory } = setup();
    await gate.handleEvent(taskEvent({ containers }));
    await gate.handleEvent(taskEvent({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', containers }));
    expect(inventory.inspect.all().map((use) => use.stoppedAt)).toEqual(['2026-01-05T09:00:00.000Z', '2026-01-05T09:00:00.000Z']);
  });

  it('ignores a malformed STOPPED event with a reason naming the field, and closes nothing', async () => {
    const { gate, inventory } = setup();
    await gate.handleEvent(taskEvent({ containers }));
    const event = stopped({ containers });
    (event.detail as Record<string, unknown>).taskArn = 'not-an-arn';
    const result = await gate.handleEvent(event);
    expect(result).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringMatching(/malformed ECS Task State Change \(STOPPED\).*detail\.taskArn/) });
    expect((await inventory.listDigestsInUse()).length).toBe(2);
  });

  it('ignores a STOPPED task of a cluster out of scope, and an EC2 one, without a write', async () => {
    const { world, inventoryCalls } = setup();
    const scoped = createGate({ ...world.deps(policy, { clusterArns: ['arn:aws:ecs:eu-west-1:123456789012:cluster/other'] }), inventory: new MemoryInventoryStore(world.clock) });
    expect(await scoped.handleEvent(stopped({ containers }))).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringMatching(/scope/) });
    const { gate } = setup();
    expect(await gate.handleEvent(stopped({ containers, launchType: 'EC2' }))).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringMatching(/not a Fargate task/) });
    expect(inventoryCalls()).toEqual({});
  });

  it('records nothing, and calls nothing, without an inventory', async () => {
    const world = createWorld();
    const gate = createGate(world.deps(policy));
    expect(await gate.handleEvent(stopped({ containers }))).toEqual({ kind: 'taskStopped', outcome: { closed: 'notRecorded', reason: 'no inventory configured' } });
    expect(world.calls()).toEqual([]);
  });
});

describeWithConformance('the gate on the real STOPPED sample', () => {
  it('closes the two-container Fargate task of the sample by task (its envoy container names no digest), calling nothing else', async () => {
    const [file] = conformanceFiles('events').filter((path) => path.endsWith('ecs-task-state-change-fargate-stopped-two-containers-fivexl.json'));
    const sample: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const world = createWorld();
    const inventory = new MemoryInventoryStore(world.clock);
    const gate = createGate({ ...world.deps(policy), inventory });
    const result = await gate.handleEvent(sample);
    expect(result).toEqual({ kind: 'taskStopped', outcome: { closed: 'byTask' } });
    expect(await inventory.listDigestsInUse()).toEqual([]);
    expect(await inventory.listOpenUsesInCluster('arn:aws:ecs:eu-central-1:111111111111:cluster/test')).toEqual([]);
    expect(world.calls()).toEqual([]);
  });
});
