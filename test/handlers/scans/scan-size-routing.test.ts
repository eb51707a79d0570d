import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import { CodeBuildScanner } from '../../../functions/adapters/codebuild';
import { EcrRegistry } from '../../../functions/adapters/ecr';
import { createGate } from '../../../functions/handlers/gate';
import { buildRuntime } from '../../../functions/handlers/runtime';
import { rescan } from '../../../functions/handlers/scans/scan-records';
import { createWorld, policyOf, type World } from '../support/fakes';
import { ACCOUNT, REGION, REGISTRY, REVISION_ARN, buildEvent, digestOf, hookPayload, registerTaskDefinition, runningTask, taskArnOf, taskEvent, uploadReport, type TaskInput } from '../support/scenario';

const WEB = `${REGISTRY}/shop/web`;
const IMAGE = digestOf('an image whose size ECR reports');
const GIB = 1024 ** 3;
const FALLBACK = { fallbackScanProjectName: 'fargate-gate-scan-ec2', fallbackScanTimeoutMinutes: 55 };

function setup(size: number | undefined, config: Parameters<World['deps']>[1] = FALLBACK) {
  const world = createWorld();
  registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:2` }]);
  world.registry.tags.set(`${WEB}:2`, IMAGE);
  // Pushed before the task's pull: the resolved tag is evidence enough to stop the task on a failing verdict.
  world.registry.pushedAt.set(IMAGE, '2026-01-05T08:00:00Z');
  if (size !== undefined) world.registry.sizes.set(IMAGE, size);
  return { world, gate: createGate(world.deps(policyOf({ onScanError: 'allow' }), config)) };
}

/**
 * An ECR push, in the shape of the AWS documentation's sample ("Amazon ECR events and EventBridge", ecr-eventbridge.html;
 * ../shared/conformance/events/ecr-image-action-push-awsdocs.json): no size in it.
 */
function pushEvent(repository: string, digest: string, tag: string): Record<string, unknown> {
  return {
    version: '0',
    id: `push-${digest.slice(7, 15)}`,
    'detail-type': 'ECR Image Action',
    source: 'aws.ecr',
    account: ACCOUNT,
    time: '2026-01-05T08:59:00Z',
    region: REGION,
    resources: [],
    detail: { result: 'SUCCESS', 'repository-name': repository, 'image-digest': digest, 'action-type': 'PUSH', 'image-tag': tag },
  };
}

/** A task whose container names the tag only (no digest yet): the gate resolves it with DescribeImages. */
async function launchByTag(world: World, gate: ReturnType<typeof createGate>, id: string, imageDigest?: string) {
  const task: TaskInput = { id, containers: [{ name: 'web', image: `${WEB}:2`, ...(imageDigest ? { imageDigest } : {}) }] };
  world.ecs.tasks.set(runningTask(task).taskArn, runningTask(task));
  return gate.handleEvent(taskEvent(task));
}

describe('a scan whose image ECR says is too large for Lambda compute', () => {
  it('starts straight on the EC2 fallback project, recorded and counted with cause size, and its build gives the verdict', async () => {
    const { world, gate } = setup(3 * GIB);
    await launchByTag(world, gate, 'a1000000000000000000000000000001');

    expect(world.scanner.requests.map((r) => [r.scanId, r.compute])).toEqual([['scan-0001', 'ec2Fallback']]);
    const record = world.store.scans.get(IMAGE);
    expect(record).toMatchObject({ state: 'running', compute: 'ec2Fallback', buildId: 'fargate-gate-scan-ec2:build-1' });
    // The fallback project's deadline, not the Lambda scan's.
    expect(Date.parse(record?.deadline ?? '') - world.clock.now().getTime()).toBe(55 * 60_000);
    expect(world.metrics.total('ScanComputeFallbacks', { cause: 'size' })).toBe(1);
    expect(world.metrics.total('ScanComputeFallbacks')).toBe(1);

    uploadReport(world, IMAGE, { reference: `${WEB}@${IMAGE}`, digest: IMAGE, critical: 1 });
    const finished = await gate.handleEvent(buildEvent('fargate-gate-scan-ec2:build-1', 'SUCCEEDED', 'fargate-gate-scan-ec2'));
    expect(finished).toMatchObject({ finished: { key: IMAGE, outcome: 'verdict', scanId: 'scan-0001' } });
    expect(world.scanner.requests).toHaveLength(1);
    expect(world.ecs.stops.map((s) => s.taskArn)).toEqual([taskArnOf('a1000000000000000000000000000001')]);
  });

  it.each([
    ['an image under the threshold (100 MiB)', 100 * 1024 * 1024],
    ['an image exactly at the threshold (2 GiB)', 2 * GIB],
    ['no size from ECR', undefined],
    ['a negative size', -5 * GIB],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a size past 2^53', 2 ** 70],
    ['a fractional size', 3 * GIB + 0.5],
  ])('keeps %s on Lambda compute, as before, and counts no fallback', async (_what, size) => {
    const { world, gate } = setup(size);
    await launchByTag(world, gate, 'a1000000000000000000000000000002');
    expect(world.scanner.requests.map((r) => r.compute)).toEqual([undefined]);
    expect(world.store.scans.get(IMAGE)?.compute).toBeUndefined();
    expect(world.metrics.total('ScanComputeFallbacks')).toBe(0);
  });

  it('follows the stack setting: 1.5 GiB goes to EC2 under a 1 GiB threshold', async () => {
    const { world, gate } = setup(1.5 * GIB, { ...FALLBACK, ec2AboveImageBytes: GIB });
    await launchByTag(world, gate, 'a1000000000000000000000000000003');
    expect(world.scanner.requests.map((r) => r.compute)).toEqual(['ec2Fallback']);
  });

  it('stays on the scan project on a stack without a fallback project, whatever the size', async () => {
    const { world, gate } = setup(30 * GIB, {});
    await launchByTag(world, gate, 'a1000000000000000000000000000004');
    expect(world.scanner.requests.map((r) => r.compute)).toEqual([undefined]);
    expect(world.metrics.total('ScanComputeFallbacks')).toBe(0);
  });

  it('asks ECR once (DescribeImages by digest) for a task that reports its digest, and routes it by that size', async () => {
    const { world, gate } = setup(3 * GIB);
    await launchByTag(world, gate, 'a1000000000000000000000000000005', IMAGE);
    expect(world.calls().filter((call) => call.startsWith('registry.'))).toEqual(['registry.imageSize']);
    expect(world.scanner.requests.map((r) => r.compute)).toEqual(['ec2Fallback']);

    // The next launch finds the scan in flight: no second call.
    await launchByTag(world, gate, 'a1000000000000000000000000000015', IMAGE);
    expect(world.calls().filter((call) => call === 'registry.imageSize')).toHaveLength(1);
  });

  it('asks nothing on a stack without a fallback project (nowhere else to send the scan)', async () => {
    const { world, gate } = setup(3 * GIB, {});
    await launchByTag(world, gate, 'a1000000000000000000000000000016', IMAGE);
    expect(world.calls().filter((call) => call.startsWith('registry.'))).toEqual([]);
    expect(world.scanner.requests.map((r) => r.compute)).toEqual([undefined]);
  });

  it('starts on Lambda compute when the size lookup fails: the scan never waits on it', async () => {
    const { world, gate } = setup(3 * GIB);
    world.registry.imageSize = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    await launchByTag(world, gate, 'a1000000000000000000000000000017', IMAGE);
    expect(world.scanner.requests.map((r) => r.compute)).toEqual([undefined]);
    expect(world.store.scans.get(IMAGE)).toMatchObject({ state: 'running' });
  });

  it('pre-scans a pushed image that is too large on EC2 compute at once (the push event carries no size: one DescribeImages)', async () => {
    const { world, gate } = setup(3 * GIB);
    const outcome = await gate.handleEvent(pushEvent('shop/web', IMAGE, '2'));
    expect(outcome).toMatchObject({ kind: 'imagePushed', scan: 'started' });
    expect(world.calls().filter((call) => call.startsWith('registry.'))).toEqual(['registry.imageSize']);
    expect(world.scanner.requests.map((r) => [r.imageReference, r.compute])).toEqual([[`${WEB}@${IMAGE}`, 'ec2Fallback']]);
    expect(world.metrics.total('ScanComputeFallbacks', { cause: 'size' })).toBe(1);
  });

  it('routes a rescan by size too, and a rescan without a size back to the scan project', async () => {
    const { world, gate } = setup(3 * GIB);
    await launchByTag(world, gate, 'a1000000000000000000000000000006');
    uploadReport(world, IMAGE, { reference: `${WEB}@${IMAGE}`, digest: IMAGE });
    await gate.handleEvent(buildEvent('fargate-gate-scan-ec2:build-1', 'SUCCEEDED', 'fargate-gate-scan-ec2'));
    const rt = buildRuntime(world.deps(policyOf(), FALLBACK));

    const done = world.store.scans.get(IMAGE);
    await rescan(rt, done as NonNullable<typeof done>, rt.logger, done?.imageReference, { mode: 'image' }, { sizeBytes: 3 * GIB });
    expect(world.scanner.requests.at(-1)?.compute).toBe('ec2Fallback');
    expect(world.store.scans.get(IMAGE)?.compute).toBe('ec2Fallback');
    expect(world.metrics.total('ScanComputeFallbacks', { cause: 'size' })).toBe(2);

    // An SBOM re-judgement pulls no image: its size does not matter.
    const running = world.store.scans.get(IMAGE);
    uploadReport(world, IMAGE, { reference: `${WEB}@${IMAGE}`, digest: IMAGE });
    await gate.handleEvent(buildEvent(running?.buildId as string, 'SUCCEEDED', 'fargate-gate-scan-ec2'));
    const again = world.store.scans.get(IMAGE);
    expect(again).toMatchObject({ state: 'done', scanId: running?.scanId });
    await rescan(rt, again as NonNullable<typeof again>, rt.logger, again?.imageReference, { mode: 'sbom', sbomKey: 'reports/x.cdx.json' }, { sizeBytes: 3 * GIB });
    expect(world.scanner.requests.at(-1)).toMatchObject({ mode: 'sbom' });
    expect(world.scanner.requests.at(-1)?.compute).toBeUndefined();
  });
});

describe('the Lambda lifecycle hook', () => {
  /** A service revision that names the tag only (no digest): the hook resolves it with DescribeImages. */
  function hookSetup(size: number, withDigest: boolean) {
    const world = createWorld();
    const taskDefinitionArn = registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:2` }], 9);
    world.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn, containers: [{ name: 'web', image: `${WEB}:2`, ...(withDigest ? { imageDigest: IMAGE } : {}) }] });
    world.registry.tags.set(`${WEB}:2`, IMAGE);
    world.registry.sizes.set(IMAGE, size);
    return { world, gate: createGate(world.deps(policyOf(), FALLBACK)) };
  }

  it.each([
    ['a tag it resolves (the size comes with the tag)', false, ['registry.resolveDigest']],
    ['a digest the revision gives (one DescribeImages by digest)', true, ['registry.imageSize']],
  ])('starts the scan of a too-large image named by %s on EC2 compute', async (_what, withDigest, registryCalls) => {
    const { world, gate } = hookSetup(3 * GIB, withDigest);
    expect(await gate.handleHook(hookPayload())).toMatchObject({ hookStatus: 'IN_PROGRESS' });
    expect(world.scanner.requests.map((r) => r.compute)).toEqual(['ec2Fallback']);
    expect(world.calls().filter((call) => call.startsWith('registry.'))).toEqual(registryCalls);
    expect(world.metrics.total('ScanComputeFallbacks', { cause: 'size' })).toBe(1);
  });

  it('keeps a small image on Lambda compute', async () => {
    const { world, gate } = hookSetup(50 * 1024 * 1024, false);
    await gate.handleHook(hookPayload());
    expect(world.scanner.requests.map((r) => r.compute)).toEqual([undefined]);
    expect(world.metrics.total('ScanComputeFallbacks')).toBe(0);
  });
});

describe('the PAUSE lifecycle hook', () => {
  // AWS's documented HOOK_AWAITING_ACTION event at PRE_SCALE_UP (test/fixtures/events, see its _comment) and its deployment.
  const DEPLOYMENT = 'arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/0EYSiB0qap8xf0N76FsbE';
  const HOOK_SERVICE_ARN = 'arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service';
  const hookEvent = (): Record<string, unknown> =>
    JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/ecs-hook-state-change-awaiting-action-pre-scale-up.json'), 'utf8'));

  it("starts the scan of a too-large image the revision names by tag on EC2 compute, with the size the tag's DescribeImages gave", async () => {
    const world = createWorld();
    const taskDefinitionArn = registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:2` }], 9);
    world.ecs.revisions.set(REVISION_ARN, { cluster: 'my-cluster', service: 'my-service', taskDefinitionArn, containers: [{ name: 'web', image: `${WEB}:2` }] });
    world.ecs.pausedDeployments.set(DEPLOYMENT, {
      serviceDeploymentArn: DEPLOYMENT,
      serviceArn: HOOK_SERVICE_ARN,
      clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/my-cluster',
      status: 'IN_PROGRESS',
      targetServiceRevisionArn: REVISION_ARN,
      pauseHooks: [{ hookId: 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw', status: 'AWAITING_ACTION', expiresAt: '2026-01-06T09:00:00.000Z', timeoutAction: 'ROLLBACK' }],
    });
    world.registry.tags.set(`${WEB}:2`, IMAGE);
    world.registry.sizes.set(IMAGE, 3 * GIB);
    const gate = createGate(world.deps(policyOf(), FALLBACK));

    await gate.handleEvent(hookEvent());

    expect(world.scanner.requests.map((r) => r.compute)).toEqual(['ec2Fallback']);
    // The size came with the tag: no second DescribeImages.
    expect(world.calls().filter((call) => call.startsWith('registry.'))).toEqual(['registry.resolveDigest']);
  });
});

describe('the cause of ScanComputeFallbacks', () => {
  it('is timed-out or failed-phase for a scan that outgrew Lambda compute after starting there', async () => {
    const { world, gate } = setup(undefined);
    await launchByTag(world, gate, 'a1000000000000000000000000000007');
    await gate.handleEvent(buildEvent(world.store.scans.get(IMAGE)?.buildId as string, 'TIMED_OUT'));
    expect(world.metrics.counts.filter((c) => c.name === 'ScanComputeFallbacks')).toEqual([{ name: 'ScanComputeFallbacks', value: 1, dimensions: { cause: 'timed-out' } }]);

    const failed = setup(undefined);
    await launchByTag(failed.world, failed.gate, 'a1000000000000000000000000000008');
    const event = buildEvent(failed.world.store.scans.get(IMAGE)?.buildId as string, 'FAILED') as { detail: Record<string, unknown> };
    // The scan step's reserved exit status: Trivy ran out of memory, /tmp or time (compute-fallback.ts).
    event.detail['additional-information'] = {
      phases: [
        { 'phase-type': 'BUILD', 'phase-status': 'FAILED', 'phase-context': ['COMMAND_EXECUTION_ERROR: Error while executing command: trivy_run image. Reason: exit status 75'] },
        { 'phase-type': 'COMPLETED' },
      ],
    };
    await failed.gate.handleEvent(event);
    expect(failed.world.metrics.counts.filter((c) => c.name === 'ScanComputeFallbacks')).toEqual([{ name: 'ScanComputeFallbacks', value: 1, dimensions: { cause: 'failed-phase' } }]);
  });
});

describe('size routing on the real ECR and CodeBuild clients (aws-sdk-client-mock)', () => {
  const ecrMock = mockClient(ECRClient);
  const codeBuildMock = mockClient(CodeBuildClient);
  beforeEach(() => {
    ecrMock.reset();
    codeBuildMock.reset();
  });

  function realPorts(world: World) {
    const deps = world.deps(policyOf({ onScanError: 'allow' }), FALLBACK);
    return createGate({
      ...deps,
      registry: new EcrRegistry({ clientFor: () => new ECRClient({ region: 'eu-west-1' }) }),
      scanner: new CodeBuildScanner({ client: new CodeBuildClient({ region: 'eu-west-1' }), projectName: 'fargate-gate-scan', fallbackProjectName: 'fargate-gate-scan-ec2' }),
    });
  }

  it.each([
    ['over the threshold', 3 * GIB, 'fargate-gate-scan-ec2'],
    ['under it', 200 * 1024 * 1024, 'fargate-gate-scan'],
    ['not said', undefined, 'fargate-gate-scan'],
  ])('StartBuild names the project for an image %s (DescribeImages imageSizeInBytes)', async (_what, size, project) => {
    const world = createWorld();
    registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:2` }]);
    ecrMock.on(DescribeImagesCommand).resolves({
      imageDetails: [{ imageDigest: IMAGE, imagePushedAt: new Date('2026-01-05T08:00:00Z'), ...(size !== undefined ? { imageSizeInBytes: size } : {}) }],
    });
    codeBuildMock.on(StartBuildCommand).resolves({ build: { id: `${project}:0001` } });

    await launchByTag(world, realPorts(world), 'a1000000000000000000000000000009');

    expect(ecrMock.commandCalls(DescribeImagesCommand)[0].args[0].input).toMatchObject({ repositoryName: 'shop/web', imageIds: [{ imageTag: '2' }] });
    const starts = codeBuildMock.commandCalls(StartBuildCommand).map((call) => call.args[0].input.projectName);
    expect(starts).toEqual([project]);
    expect(world.store.scans.get(IMAGE)).toMatchObject({ state: 'running', buildId: `${project}:0001` });
  });
});
