import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGate } from '../../functions/handlers/gate';
import { createWorld, policyOf, type World } from './support/fakes';
import { REGISTRY, REVISION_ARN, buildEvent, digestOf, hookPayload, registerTaskDefinition, storeVerdict, uploadReport } from './support/scenario';

const WEB = `${REGISTRY}/shop/web`;
const GOOD = digestOf('good');
const BAD = digestOf('bad');
const NEW = digestOf('new');

function setup(policy = policyOf(), digest = NEW): { world: World; gate: ReturnType<typeof createGate> } {
  const world = createWorld();
  const taskDefinitionArn = registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:3` }], 9);
  world.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn, containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: digest }] });
  storeVerdict(world, policy, GOOD, { reference: `${WEB}:3`, critical: 0 });
  storeVerdict(world, policy, BAD, { reference: `${WEB}:3`, critical: 1 }, 60_000, 'fargate-gate-scan:bad');
  return { world, gate: createGate(world.deps(policy)) };
}

const state = (response: { hookDetails?: Record<string, unknown> }) => response.hookDetails?.fargateGate as { scans: Record<string, string>; failures: number };

describe('the PRE_SCALE_UP lifecycle hook', () => {
  it('admits a revision whose images all pass, silently', async () => {
    const { world, gate } = setup(policyOf(), GOOD);
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(world.notifier.published).toEqual([]);
  });

  it('refuses a revision with a blocking verdict and says why in a verdict event', async () => {
    const { world, gate } = setup(policyOf(), BAD);
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
    expect(world.notifier.published).toEqual([
      expect.objectContaining({
        decision: 'fail',
        action: 'hookFailed',
        service: 'web',
        cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:9',
        images: [expect.objectContaining({ digest: BAD, buildId: 'fargate-gate-scan:bad' })],
      }),
    ]);
    expect(world.ecs.stops).toEqual([]);
  });

  it('admits a failing revision in audit mode, with a verdict event', async () => {
    const audit = policyOf({ mode: 'audit' });
    const { world, gate } = setup(audit, BAD);
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(world.notifier.published).toEqual([expect.objectContaining({ decision: 'fail', action: 'hookSucceeded', mode: 'audit' })]);
  });

  it('starts the scan of an unknown image and answers IN_PROGRESS, then FAILED once the scan fails the image', async () => {
    const { world, gate } = setup();
    const first = await gate.handleHook(hookPayload());
    expect(first).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: { fargateGate: { scans: { [NEW]: 'scan-0001' }, failures: 0 } } });
    expect(world.scanner.requests).toHaveLength(1);

    // ECS calls back while the scan runs: still in progress, no second scan.
    const again = await gate.handleHook(hookPayload({ hookDetails: first.hookDetails }));
    expect(again.hookStatus).toBe('IN_PROGRESS');
    expect(world.scanner.requests).toHaveLength(1);

    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'SUCCEEDED'));
    expect(await gate.handleHook(hookPayload({ hookDetails: again.hookDetails }))).toEqual({ hookStatus: 'FAILED' });
  });

  it('answers SUCCEEDED on the call back after a passing scan', async () => {
    const { world, gate } = setup();
    const first = await gate.handleHook(hookPayload());
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 0 });
    await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'SUCCEEDED'));
    expect(await gate.handleHook(hookPayload({ hookDetails: first.hookDetails }))).toEqual({ hookStatus: 'SUCCEEDED' });
  });

  it('lets onScanError decide when its own scan failed', async () => {
    const { world, gate } = setup();
    const first = await gate.handleHook(hookPayload());
    await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'FAILED'));
    expect(await gate.handleHook(hookPayload({ hookDetails: first.hookDetails }))).toEqual({ hookStatus: 'FAILED' });
    expect(world.notifier.published.find((e) => e.action === 'hookFailed')).toMatchObject({ decision: 'error', rules: ['onScanError'] });

  });

  it('admits with a warning when its own scan failed under onScanError allow', async () => {
    const { world, gate } = setup(policyOf({ onScanError: 'allow' }));
    const first = await gate.handleHook(hookPayload());
    await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'FAILED'));
    expect(await gate.handleHook(hookPayload({ hookDetails: first.hookDetails }))).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(world.notifier.published.find((e) => e.action === 'hookSucceeded')).toMatchObject({ decision: 'warn' });
  });

  it('scans again when the failed scan it finds is an older one, not its own', async () => {
    const { world, gate } = setup();
    world.store.scans.set(NEW, { digest: NEW, imageReference: `${WEB}@${NEW}`, scanId: 'yesterday', state: 'error', error: 'registry unreachable', attempts: 0, startedAt: '2026-01-04T09:00:00Z', deadline: '2026-01-04T09:30:00Z' });
    const response = await gate.handleHook(hookPayload());
    expect(response.hookStatus).toBe('IN_PROGRESS');
    expect(state(response).scans[NEW]).toBe('scan-0001');
    expect(world.scanner.requests).toHaveLength(1);
  });

  it('carries the failures of the older failed scan over when it scans again, so the back-off keeps growing', async () => {
    const { world, gate } = setup();
    world.store.scans.set(NEW, { digest: NEW, imageReference: `${WEB}@${NEW}`, scanId: 'earlier', state: 'error', error: 'registry unreachable', attempts: 3, startedAt: '2026-01-05T07:00:00Z', deadline: '2026-01-05T07:30:00Z', retryAt: '2026-01-05T08:59:00Z' });
    const first = await gate.handleHook(hookPayload());
    expect(world.store.scans.get(NEW)).toMatchObject({ scanId: 'scan-0001', state: 'running', attempts: 3 });

    await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'FAILED'));
    // The fourth failure in a row waits 80 minutes (10 doubled three times), less the jitter (87.5 % at random 0.5): 70.
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', attempts: 4, retryAt: '2026-01-05T10:10:00.000Z' });
    expect(await gate.handleHook(hookPayload({ hookDetails: first.hookDetails }))).toEqual({ hookStatus: 'FAILED' });
  });

  it('lets a recent failed scan of another launch stand instead of scanning again', async () => {
    const { world, gate } = setup();
    world.store.scans.set(NEW, { digest: NEW, imageReference: `${WEB}@${NEW}`, scanId: 'a-task-scan', state: 'error', error: 'registry unreachable', attempts: 0, startedAt: '2026-01-05T08:55:00Z', deadline: '2026-01-05T09:25:00Z', retryAt: '2026-01-05T09:05:00Z' });
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
    expect(world.scanner.requests).toEqual([]);
    expect(world.notifier.published[0].errors?.[0].message).toContain('registry unreachable');
  });

  it('passes stages other than PRE_SCALE_UP without any AWS call', async () => {
    const { world, gate } = setup(policyOf(), BAD);
    const payload = JSON.parse(readFileSync(join(__dirname, '../fixtures/events/lifecycle-hook-post-scale-up.json'), 'utf8'));
    expect(await gate.handleHook(payload)).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(world.calls()).toEqual([]);
  });

  it('admits services outside the gate\'s clusters without judging them', async () => {
    const world = createWorld();
    const gate = createGate(world.deps(policyOf(), { clusterArns: ['arn:aws:ecs:eu-west-1:123456789012:cluster/other'] }));
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(world.calls()).toEqual([]);
  });

  it('lets onScanError decide on a payload it cannot read, without throwing', async () => {
    const deny = setup();
    expect(await deny.gate.handleHook({ hello: 'world' })).toEqual({ hookStatus: 'FAILED' });
    const allow = setup(policyOf({ onScanError: 'allow' }));
    expect(await allow.gate.handleHook('not even an object')).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(deny.world.calls()).toEqual([]);
  });

  it('answers IN_PROGRESS on an AWS failure and decides by onScanError after too many in a row', async () => {
    const { world, gate } = setup();
    const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
    let details: Record<string, unknown> | undefined;
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      world.ecs.failNext.set('describeServiceRevision', throttled());
      const response = await gate.handleHook(hookPayload({ hookDetails: details }));
      expect(response).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 30 });
      expect(state(response).failures).toBe(attempt);
      details = response.hookDetails;
    }
    world.ecs.failNext.set('describeServiceRevision', throttled());
    expect(await gate.handleHook(hookPayload({ hookDetails: details }))).toEqual({ hookStatus: 'FAILED' });
  });

  it('refuses a revision whose task definition cannot be read, by onScanError', async () => {
    const { world, gate } = setup(policyOf(), GOOD);
    world.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/gone:1', containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: GOOD }] });
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
  });

  it('sends the verdict event of one hook execution once', async () => {
    const { world, gate } = setup(policyOf(), BAD);
    await gate.handleHook(hookPayload());
    await gate.handleHook(hookPayload());
    expect(world.notifier.published).toHaveLength(1);
  });
});
