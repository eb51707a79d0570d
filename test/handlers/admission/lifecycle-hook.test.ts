import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LaunchFacts } from '../../../functions/core/policy/rules/hardening/types';
import { parseTaskDefinition } from '../../../functions/core/taskdef/parse';
import { createGate } from '../../../functions/handlers/gate';
import { createWorld, policyOf, type World } from '../support/fakes';
import { REGISTRY, REVISION_ARN, buildEvent, digestOf, hookPayload, registerTaskDefinition, scanBuildEvent, storeVerdict, taskDefinitionArnOf, uploadReport } from '../support/scenario';

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

  describe('in the flat shape of the ECS guide\'s "Lifecycle payloads" (no executionDetails, no stage)', () => {
    const flat = (hookDetails?: Record<string, unknown>) => ({
      ...JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/lifecycle-hook-pre-scale-up-flat.json'), 'utf8')),
      ...(hookDetails ? { hookDetails } : {}),
    });

    it('refuses a revision with a blocking verdict, with one verdict event per revision', async () => {
      const { world, gate } = setup(policyOf(), BAD);
      expect(await gate.handleHook(flat())).toEqual({ hookStatus: 'FAILED' });
      expect(await gate.handleHook(flat())).toEqual({ hookStatus: 'FAILED' });
      expect(world.notifier.published).toEqual([expect.objectContaining({ decision: 'fail', action: 'hookFailed', service: 'web', images: [expect.objectContaining({ digest: BAD })] })]);
    });

    it('admits a revision whose images pass', async () => {
      const { gate } = setup(policyOf(), GOOD);
      expect(await gate.handleHook(flat())).toEqual({ hookStatus: 'SUCCEEDED' });
    });

    it('scans an unknown image, answers IN_PROGRESS, then answers from the scan on the call back', async () => {
      const { world, gate } = setup();
      const first = await gate.handleHook(flat());
      expect(first).toMatchObject({ hookStatus: 'IN_PROGRESS', hookDetails: { fargateGate: { scans: { [NEW]: 'scan-0001' } } } });
      uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
      await gate.handleEvent(buildEvent(world.store.scans.get(NEW)?.buildId as string, 'SUCCEEDED'));
      expect(await gate.handleHook(flat(first.hookDetails))).toEqual({ hookStatus: 'FAILED' });
    });
  });

  it('passes stages other than PRE_SCALE_UP without any AWS call', async () => {
    const { world, gate } = setup(policyOf(), BAD);
    const payload = JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/lifecycle-hook-post-scale-up.json'), 'utf8'));
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

const putEventsDenied = () => Object.assign(new Error('User is not authorized to perform: events:PutEvents'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } });

describe('the hook\'s verdict event', () => {
  it('never changes the answer: a refused revision stays refused when PutEvents fails, and the event is counted lost', async () => {
    const { world, gate } = setup(policyOf({ onScanError: 'allow' }), BAD);
    world.notifier.publishVerdict = async () => {
      world.recorder.record('notifier.publishVerdict');
      throw putEventsDenied();
    };
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
    expect(world.metrics.total('VerdictEventsLost')).toBe(1);
    expect(world.metrics.total('HookResponses', { status: 'FAILED' })).toBe(1);
  });

  it('gives its claim back when it could not be sent, so the next invocation of the hook sends it', async () => {
    const { world, gate } = setup(policyOf(), BAD);
    world.notifier.failNext = Object.assign(new Error('bus unavailable'), { name: 'InternalException', $fault: 'server' });
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
    expect(world.notifier.published).toEqual([]);
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
    expect(world.notifier.published).toEqual([expect.objectContaining({ action: 'hookFailed' })]);
  });
});

describe('the containers the hook judges', () => {
  it('are the task definition\'s: a revision that lists no images is scanned, not admitted unseen', async () => {
    const world = createWorld();
    const taskDefinitionArn = registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:2`, user: 'root' }]);
    world.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn, containers: [] });
    world.registry.tags.set(`${WEB}:2`, NEW);
    const gate = createGate(world.deps(policyOf()));
    const first = await gate.handleHook(hookPayload());
    expect(first).toMatchObject({ hookStatus: 'IN_PROGRESS' });
    expect(world.scanner.requests).toEqual([expect.objectContaining({ digest: NEW, imageReference: `${WEB}@${NEW}` })]);
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, user: '1000' });
    await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
    // The image passes, but the task definition runs it as root.
    expect(await gate.handleHook(hookPayload({ hookDetails: first.hookDetails }))).toEqual({ hookStatus: 'FAILED' });
    expect(world.notifier.published.find((e) => e.action === 'hookFailed')?.rules).toContain('rootUser');
  });

  it('include a container the revision leaves out: its tag is resolved and its verdict counts', async () => {
    const world = createWorld();
    const policy = policyOf();
    const taskDefinitionArn = registerTaskDefinition(world, 'web', [
      { name: 'web', image: `${WEB}:3` },
      { name: 'sidecar', image: `${REGISTRY}/shop/sidecar:1` },
    ]);
    world.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn, containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: GOOD }] });
    storeVerdict(world, policy, GOOD, { reference: `${WEB}:3` });
    storeVerdict(world, policy, BAD, { reference: `${REGISTRY}/shop/sidecar:1`, critical: 2 });
    world.registry.tags.set(`${REGISTRY}/shop/sidecar:1`, BAD);
    const gate = createGate(world.deps(policy));
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
    expect(world.recorder.count('registry.resolveDigest')).toBe(1);
    expect(world.notifier.published[0].images.map((image) => image.container)).toEqual(['web', 'sidecar']);
  });

  it('go to onScanError when the task definition has none', async () => {
    const world = createWorld();
    const taskDefinitionArn = taskDefinitionArnOf('empty');
    world.taskDefinitions.specs.set(taskDefinitionArn, { arn: taskDefinitionArn, containers: [] });
    world.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn, containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: GOOD }] });
    expect(await createGate(world.deps(policyOf())).handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
    expect(await createGate(world.deps(policyOf({ onScanError: 'allow' }))).handleHook(hookPayload())).toEqual({ hookStatus: 'SUCCEEDED' });
  });
});

describe('a revision whose own scan was slow', () => {
  it('is judged on that scan on the call back, even when a short maxScanAge makes the verdict look old', async () => {
    const { world, gate } = setup(policyOf({ maxScanAge: '30m' }));
    const first = await gate.handleHook(hookPayload());
    // The build queued in CodeBuild: it ends 35 minutes after StartBuild, with a report dated before it started
    // (so its time counts from the start, 35 minutes ago).
    world.clock.advance(35 * 60_000);
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, createdAt: '2026-01-05T08:59:00Z' });
    await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
    expect(await gate.handleHook(hookPayload({ hookDetails: first.hookDetails }))).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(world.scanner.requests).toHaveLength(1);
  });

  it('still rescans a verdict too old for maxScanAge that another scan produced', async () => {
    const policy = policyOf({ maxScanAge: '30m' });
    const { world, gate } = setup(policy);
    storeVerdict(world, policy, NEW, { reference: `${WEB}:3` }, 40 * 60_000);
    world.store.scans.set(NEW, { digest: NEW, imageReference: `${WEB}@${NEW}`, scanId: 'earlier', state: 'done', attempts: 0, startedAt: '2026-01-05T08:20:00Z', deadline: '2026-01-05T08:50:00Z' });
    expect(await gate.handleHook(hookPayload())).toMatchObject({ hookStatus: 'IN_PROGRESS' });
    expect(world.scanner.requests).toHaveLength(1);
  });
});

describe('the hook\'s deadline', () => {
  const never = () => new Promise<never>(() => undefined);

  it('answers IN_PROGRESS when the work runs past the invocation\'s time, and counts it as a failure', async () => {
    const { world, gate } = setup(policyOf(), GOOD);
    world.ecs.describeServiceRevision = never;
    // 3 s are kept back to answer: 5 ms of work remain.
    const response = await gate.handleHook(hookPayload(), { remainingTimeMs: () => 3005 });
    expect(response).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 30 });
    expect(state(response).failures).toBe(1);
  });

  it('lets onScanError decide once too many invocations in a row ran out of time', async () => {
    const { world, gate } = setup(policyOf({ onScanError: 'allow' }), GOOD);
    world.ecs.describeServiceRevision = never;
    const response = await gate.handleHook(hookPayload({ hookDetails: { fargateGate: { failures: 4 } } }), { remainingTimeMs: () => 0 });
    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
  });

  it('answers without waiting for a verdict event that cannot be sent in time', async () => {
    const { world, gate } = setup(policyOf(), BAD);
    world.notifier.publishVerdict = never;
    // 50 ms left after the reserve: enough to judge, not to wait for an event that never goes out.
    const response = await gate.handleHook(hookPayload(), { remainingTimeMs: () => 3050 });
    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(world.recorder.count('store.claimEnforcement')).toBe(1);
  });

  it('leaves the answer alone when there is time', async () => {
    const { gate } = setup(policyOf(), BAD);
    expect(await gate.handleHook(hookPayload(), { remainingTimeMs: () => 30_000 })).toEqual({ hookStatus: 'FAILED' });
  });
});

describe('the hook judges the task definition\'s hardening', () => {
  it('refuses a revision whose images pass when its task definition writes to a writable root filesystem under a policy that denies it, naming the rule', async () => {
    const policy = policyOf({
      rules: { rootUser: { action: 'deny' }, vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } }, hardening: { readonlyRootFilesystem: { action: 'deny' } } },
    });
    const world = createWorld();
    const arn = taskDefinitionArnOf('web', 9);
    const containers = [{ name: 'web', image: `${WEB}:3`, readonlyRootFilesystem: false }];
    world.taskDefinitions.specs.set(arn, parseTaskDefinition({ taskDefinition: { taskDefinitionArn: arn, family: 'web', revision: 9, networkMode: 'awsvpc', containerDefinitions: containers } }, arn));
    world.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn: arn, containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: GOOD }] });
    storeVerdict(world, policy, GOOD, { reference: `${WEB}:3`, critical: 0 });
    const gate = createGate(world.deps(policy));
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
    expect(world.notifier.published.find((e) => e.action === 'hookFailed')?.rules).toContain('hardening.readonlyRootFilesystem');

    // The same revision with a read-only root filesystem is admitted: the denial came from the task definition.
    world.taskDefinitions.specs.set(arn, parseTaskDefinition({ taskDefinition: { taskDefinitionArn: arn, family: 'web', revision: 9, containerDefinitions: [{ ...containers[0], readonlyRootFilesystem: true }] } }, arn));
    expect(await createGate(world.deps(policy)).handleHook(hookPayload({ executionId: 'second' }))).toEqual({ hookStatus: 'SUCCEEDED' });
  });
});

describe('the hook judges the launch facts of the service revision it already read', () => {
  const launchPolicy = () =>
    policyOf({
      rules: {
        vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } },
        hardening: { publicIp: { action: 'deny' }, platformVersion: { action: 'deny', minimum: '1.4.0' }, execCommand: { action: 'deny', whenUnknown: 'note' } },
      },
    });
  const revisionWith = (world: World, launch: LaunchFacts, loadBalancing: 'none' | 'some') => {
    const arn = registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:3` }], 9);
    world.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn: arn, containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: GOOD }], launch, loadBalancing });
  };

  it('refuses a revision whose tasks get a public IP and run an old platform version, naming the revision as the source; ECS Exec (not in a revision) is noted as not judged', async () => {
    const policy = launchPolicy();
    const world = createWorld();
    revisionWith(world, { publicIp: { value: true, source: 'from the service revision' }, platformVersion: { value: '1.3.0', source: 'from the service revision' } }, 'none');
    storeVerdict(world, policy, GOOD, { reference: `${WEB}:3`, critical: 0 });
    const calls = world.calls().length;
    expect(await createGate(world.deps(policy)).handleHook(hookPayload())).toEqual({ hookStatus: 'FAILED' });
    const event = world.notifier.published.find((e) => e.action === 'hookFailed');
    expect([...(event?.rules ?? [])].sort()).toEqual(['hardening.platformVersion', 'hardening.publicIp']);
    expect(JSON.stringify(event)).toContain('(from the service revision)');
    // No call beyond the ones the hook always makes: the facts come with DescribeServiceRevisions.
    expect(world.calls().slice(calls).filter((c) => c.startsWith('ecs.'))).toEqual(['ecs.describeServiceRevision']);
  });

  it('admits a revision without a public IP on LATEST', async () => {
    const policy = launchPolicy();
    const world = createWorld();
    revisionWith(world, { publicIp: { value: false, source: 'from the service revision' }, platformVersion: { value: 'LATEST', source: 'from the service revision' } }, 'some');
    storeVerdict(world, policy, GOOD, { reference: `${WEB}:3`, critical: 0 });
    expect(await createGate(world.deps(policy)).handleHook(hookPayload())).toEqual({ hookStatus: 'SUCCEEDED' });
  });

  it('takes the exposure from the revision: internal without a public IP or a load balancer, unknown (so the policy\'s unknownAs, public) behind a load balancer', async () => {
    const policy = policyOf({
      rules: { vulnerabilities: { action: 'warn', fixable: { minSeverity: 'critical' }, exposure: { public: { fixable: { minSeverity: 'critical', action: 'deny' } } } } },
    });
    const answer = async (launch: LaunchFacts, loadBalancing: 'none' | 'some') => {
      const world = createWorld();
      revisionWith(world, launch, loadBalancing);
      storeVerdict(world, policy, GOOD, { reference: `${WEB}:3`, critical: 1 });
      return (await createGate(world.deps(policy)).handleHook(hookPayload())).hookStatus;
    };
    const noIp = { publicIp: { value: false, source: 'from the service revision' } };
    expect(await answer(noIp, 'none')).toBe('SUCCEEDED');
    expect(await answer(noIp, 'some')).toBe('FAILED');
    expect(await answer({ publicIp: { value: true, source: 'from the service revision' } }, 'none')).toBe('FAILED');
    expect(await answer({}, 'none')).toBe('FAILED');
  });
});
