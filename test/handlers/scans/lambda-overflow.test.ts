import { ScanCapacityError, type ScanRequest, type ScannerPort } from '../../../functions/core/ports';
import type { LambdaComputeSlotsPort } from '../../../functions/core/gate/lambda-overflow';
import { createGate } from '../../../functions/handlers/gate';
import { silentLogger } from '../../../functions/handlers/logger';
import { buildRuntime, type GateRuntime } from '../../../functions/handlers/runtime';
import { ensureScan } from '../../../functions/handlers/scans/scan-records';
import { MemoryLambdaComputeSlots } from '../../../functions/local/memory-lambda-slots';
import { createWorld, policyOf, type World } from '../support/fakes';
import { REGISTRY, buildEvent, digestOf, sweepEvent, uploadReport } from '../support/scenario';

const FALLBACK = { fallbackScanProjectName: 'fargate-gate-scan-ec2', fallbackScanTimeoutMinutes: 55, scanTimeoutMinutes: 20 };
const WEB = `${REGISTRY}/shop/web`;
const log = silentLogger();

/** CodeBuild as the fake world has it, refusing for capacity on the projects listed in `refuse`. */
function refusing(world: World, refuse: Set<'scanProject' | 'ec2Fallback'>): ScannerPort & { refused: ScanRequest[] } {
  const refused: ScanRequest[] = [];
  return {
    refused,
    startScan: async (request) => {
      if (refuse.has(request.compute ?? 'scanProject')) {
        refused.push(request);
        throw new ScanCapacityError('AccountLimitExceededException: Cannot have more than 1 active builds for the project');
      }
      return world.scanner.startScan(request);
    },
    getBuildStatuses: (ids) => world.scanner.getBuildStatuses(ids),
  };
}

function setup(options: { limit?: number; refuse?: ('scanProject' | 'ec2Fallback')[]; slots?: LambdaComputeSlotsPort | null; fallback?: boolean } = {}) {
  const world = createWorld();
  const slots = options.slots === null ? undefined : (options.slots ?? new MemoryLambdaComputeSlots(world.clock));
  const refuse = new Set(options.refuse ?? []);
  const scanner = refusing(world, refuse);
  const config = { ...(options.fallback === false ? {} : FALLBACK), ...(options.limit !== undefined ? { lambdaComputeConcurrency: options.limit } : {}) };
  const deps = { ...world.deps(policyOf({ onScanError: 'allow' }), config), scanner, ...(slots ? { lambdaComputeSlots: slots } : {}) };
  return { world, scanner, slots, refuse, rt: buildRuntime(deps), gate: createGate(deps) };
}

const scan = (rt: GateRuntime, label: string) => ensureScan(rt, digestOf(label), `${WEB}@${digestOf(label)}`, log);
const projects = (world: World) => world.scanner.requests.map((request) => request.compute ?? 'scanProject');

describe('overflow to the EC2 fallback when Lambda compute is full', () => {
  it("at the default (1, AWS's default quota) the second and third new scans start on EC2, counted as lambda-full, their records on EC2's deadline", async () => {
    const { world, rt } = setup();
    for (const label of ['a', 'b', 'c']) expect(await scan(rt, label)).toMatchObject({ state: 'started' });
    expect(projects(world)).toEqual(['scanProject', 'ec2Fallback', 'ec2Fallback']);
    expect(world.store.scans.get(digestOf('a'))).not.toHaveProperty('compute');
    const overflowed = world.store.scans.get(digestOf('b'));
    expect(overflowed).toMatchObject({ state: 'running', compute: 'ec2Fallback', buildId: expect.stringMatching(/^fargate-gate-scan-ec2:/) });
    expect(Date.parse(overflowed?.deadline ?? '') - world.clock.now().getTime()).toBe(55 * 60_000);
    expect(world.metrics.total('ScanComputeFallbacks', { cause: 'lambda-full' })).toBe(2);
    expect(world.metrics.total('ScansStarted', { compute: 'scanProject' })).toBe(1);
    expect(world.metrics.total('ScansStarted', { compute: 'ec2Fallback' })).toBe(2);
  });

  it('follows the setting: with 3, three scans run on Lambda compute and the fourth starts on EC2', async () => {
    const { world, rt } = setup({ limit: 3 });
    for (const label of ['a', 'b', 'c', 'd']) await scan(rt, label);
    expect(projects(world)).toEqual(['scanProject', 'scanProject', 'scanProject', 'ec2Fallback']);
  });

  it('gives the slot back when the Lambda build ends: the next new scan runs on Lambda compute again', async () => {
    const { world, rt, gate } = setup();
    await scan(rt, 'a');
    const build = world.store.scans.get(digestOf('a'))?.buildId as string;
    uploadReport(world, digestOf('a'), { reference: `${WEB}@${digestOf('a')}`, digest: digestOf('a') });
    await gate.handleEvent(buildEvent(build, 'SUCCEEDED'));
    expect(world.store.scans.get(digestOf('a'))).toMatchObject({ state: 'done' });
    await scan(rt, 'b');
    expect(projects(world)).toEqual(['scanProject', 'scanProject']);
  });

  it('an EC2 build ending gives back no Lambda slot that another scan holds', async () => {
    const { world, rt, gate, slots } = setup();
    await scan(rt, 'a');
    await scan(rt, 'b');
    const ec2Build = world.store.scans.get(digestOf('b'))?.buildId as string;
    uploadReport(world, digestOf('b'), { reference: `${WEB}@${digestOf('b')}`, digest: digestOf('b') });
    await gate.handleEvent(buildEvent(ec2Build, 'SUCCEEDED', 'fargate-gate-scan-ec2'));
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([world.store.scans.get(digestOf('a'))?.scanId]);
    await scan(rt, 'c');
    expect(projects(world)).toEqual(['scanProject', 'ec2Fallback', 'ec2Fallback']);
  });

  it("CodeBuild refusing the Lambda build (at the project's concurrent build limit, or a full queue) starts it on EC2 at once, counted as lambda-refused, and frees the slot", async () => {
    const { world, rt, scanner, slots } = setup({ limit: 3, refuse: ['scanProject'] });
    expect(await scan(rt, 'a')).toMatchObject({ state: 'started' });
    expect(scanner.refused.map((r) => r.compute ?? 'scanProject')).toEqual(['scanProject']);
    expect(projects(world)).toEqual(['ec2Fallback']);
    expect(world.store.scans.get(digestOf('a'))).toMatchObject({ state: 'running', compute: 'ec2Fallback' });
    expect(world.metrics.total('ScanComputeFallbacks', { cause: 'lambda-refused' })).toBe(1);
    expect(world.metrics.total('ScansQueued')).toBe(0);
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([]);
  });

  it('with the EC2 fallback full too, the scan queues for Lambda compute (CodeBuild queues it), holding an overflow lease above the limit', async () => {
    const { world, rt, slots } = setup({ refuse: ['ec2Fallback'] });
    await scan(rt, 'a');
    expect(await scan(rt, 'b')).toMatchObject({ state: 'started' });
    expect(projects(world)).toEqual(['scanProject', 'scanProject']);
    expect(world.store.scans.get(digestOf('b'))).not.toHaveProperty('compute');
    expect(world.metrics.total('ScanComputeFallbacks')).toBe(0);
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([digestOf('a'), digestOf('b')].map((d) => world.store.scans.get(d)?.scanId));
  });

  it('a scan started on Lambda compute without a slot (both full) keeps counting: the slot its predecessor frees does not send the next scan to Lambda compute', async () => {
    // The review's repro: limit 1; a takes the slot, b finds both full and queues for Lambda compute; a ends; EC2 has room again.
    const { world, rt, gate, refuse, slots } = setup({ limit: 1, refuse: ['ec2Fallback'] });
    await scan(rt, 'a');
    await scan(rt, 'b');
    const aBuild = world.store.scans.get(digestOf('a'))?.buildId as string;
    uploadReport(world, digestOf('a'), { reference: `${WEB}@${digestOf('a')}`, digest: digestOf('a') });
    await gate.handleEvent(buildEvent(aBuild, 'SUCCEEDED'));
    refuse.delete('ec2Fallback');
    await scan(rt, 'c');
    expect(projects(world)).toEqual(['scanProject', 'scanProject', 'ec2Fallback']);
    const runningOnLambda = [...world.store.scans.values()].filter((record) => record.state === 'running' && record.compute === undefined);
    expect(runningOnLambda.map((record) => record.digest)).toEqual([digestOf('b')]);
    expect(world.metrics.total('ScanComputeFallbacks', { cause: 'lambda-full' })).toBe(1);
    // b's build ends: its overflow lease goes with it, and the next scan runs on Lambda compute again.
    const bBuild = world.store.scans.get(digestOf('b'))?.buildId as string;
    uploadReport(world, digestOf('b'), { reference: `${WEB}@${digestOf('b')}`, digest: digestOf('b') });
    await gate.handleEvent(buildEvent(bBuild, 'SUCCEEDED'));
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([]);
    await scan(rt, 'd');
    expect(projects(world)).toEqual(['scanProject', 'scanProject', 'ec2Fallback', 'scanProject']);
  });

  it('an error after StartBuild gave a Lambda build (the record update throttled) keeps the slot while that build runs, so the next scan finds Lambda compute full', async () => {
    const { world, rt, slots } = setup();
    jest.spyOn(world.store, 'updateScan').mockRejectedValueOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(scan(rt, 'a')).rejects.toThrow('Rate exceeded');
    const record = world.store.scans.get(digestOf('a'));
    expect(world.scanner.requests).toHaveLength(1);
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([record?.scanId]);
    // Another scan meanwhile finds Lambda compute full.
    await scan(rt, 'b');
    expect(projects(world)).toEqual(['scanProject', 'ec2Fallback']);
  });

  it('an error before any build started (StartBuild failing) gives the slot back', async () => {
    const { world, rt, slots } = setup();
    jest.spyOn(world.scanner, 'startScan').mockRejectedValueOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await expect(scan(rt, 'a')).rejects.toThrow('socket hang up');
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([]);
  });

  it('both projects refusing: the scan is queued for the retry, as before, holding no slot', async () => {
    const { world, rt, slots } = setup({ refuse: ['scanProject', 'ec2Fallback'] });
    expect(await scan(rt, 'a')).toMatchObject({ state: 'queued' });
    expect(world.store.scans.get(digestOf('a'))).toMatchObject({ state: 'queued', attempts: 1 });
    expect(world.store.scans.get(digestOf('a'))).not.toHaveProperty('compute');
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([]);
  });

  it('a scan already routed to EC2 (its size, or a retry after outgrowing Lambda compute) takes no slot', async () => {
    const { world, rt, slots } = setup();
    const digest = digestOf('big');
    await world.store.claimScan({ digest, imageReference: `${WEB}@${digest}`, scanId: 'routed', state: 'queued', attempts: 0, startedAt: world.clock.now().toISOString(), deadline: new Date(world.clock.now().getTime() + 3_600_000).toISOString(), compute: 'ec2Fallback' });
    const { startScan } = await import('../../../functions/handlers/scans/scan-records');
    await startScan(rt, (await world.store.getScan(digest))!, 'queued', log);
    expect(projects(world)).toEqual(['ec2Fallback']);
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([]);
    expect(world.metrics.total('ScanComputeFallbacks')).toBe(0);
  });

  it('a slot store that fails does not hold the scan up: it starts on Lambda compute, and the failure is counted', async () => {
    const broken: LambdaComputeSlotsPort = {
      claim: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
      claimOverflow: async () => undefined,
      release: async () => undefined,
    };
    const { world, rt } = setup({ slots: broken });
    expect(await scan(rt, 'a')).toMatchObject({ state: 'started' });
    expect(projects(world)).toEqual(['scanProject']);
    expect(world.metrics.total('GateErrors', { failure: 'transient' })).toBe(1);
  });

  it('without a slot count, or without a fallback project, nothing overflows', async () => {
    const noCount = setup({ slots: null });
    for (const label of ['a', 'b']) await scan(noCount.rt, label);
    expect(projects(noCount.world)).toEqual(['scanProject', 'scanProject']);
    const noFallback = setup({ fallback: false });
    for (const label of ['a', 'b']) await scan(noFallback.rt, label);
    expect(projects(noFallback.world)).toEqual(['scanProject', 'scanProject']);
  });

  it('an invalid limit in the config (0) is not taken: the default of 1 applies', async () => {
    const { world, rt } = setup({ limit: 0 });
    for (const label of ['a', 'b']) await scan(rt, label);
    expect(projects(world)).toEqual(['scanProject', 'ec2Fallback']);
  });
});

describe('the Lambda slot is given back on every end of a Lambda-compute scan', () => {
  const denied = () => Object.assign(new Error('not authorized to perform dynamodb:Query'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });

  it("the sweep's deadline path: a build past the scan's deadline gives its slot back", async () => {
    const { world, rt, gate, slots } = setup();
    await scan(rt, 'a');
    const record = world.store.scans.get(digestOf('a'));
    const release = jest.spyOn(slots as MemoryLambdaComputeSlots, 'release');
    world.clock.advance(21 * 60_000);
    await gate.handleEvent(sweepEvent());
    expect(world.store.scans.get(digestOf('a'))).toMatchObject({ state: 'error' });
    expect(release).toHaveBeenCalledWith(record?.scanId);
  });

  it('a scan given up on (finishing failed for good three times: giveUp, endWithScanError) holds no slot: the next scan runs on Lambda compute', async () => {
    const { world, rt, gate, slots } = setup();
    await scan(rt, 'a');
    const buildId = world.store.scans.get(digestOf('a'))?.buildId as string;
    uploadReport(world, digestOf('a'), { reference: `${WEB}@${digestOf('a')}`, digest: digestOf('a') });
    world.scanner.statuses.set(buildId, 'SUCCEEDED');
    world.store.listWaiters = async () => {
      throw denied();
    };
    await gate.handleEvent(buildEvent(buildId, 'SUCCEEDED'));
    await gate.handleEvent(sweepEvent());
    await gate.handleEvent(sweepEvent());
    expect(world.store.scans.get(digestOf('a'))).toMatchObject({ state: 'error', error: expect.stringContaining('could not be finished') });
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([]);
    await scan(rt, 'b');
    expect(projects(world)).toEqual(['scanProject', 'scanProject']);
  });

  it('a Lambda build that TIMED_OUT and falls back to EC2 gives its slot back (the EC2 retry takes none): the next scan runs on Lambda compute', async () => {
    const { world, rt, gate, slots } = setup();
    await scan(rt, 'a');
    const lambdaBuild = world.store.scans.get(digestOf('a'))?.buildId as string;
    expect(await gate.handleEvent(buildEvent(lambdaBuild, 'TIMED_OUT'))).toMatchObject({ finished: { outcome: 'fallback' } });
    expect(world.store.scans.get(digestOf('a'))).toMatchObject({ state: 'running', compute: 'ec2Fallback' });
    expect((slots as MemoryLambdaComputeSlots).holders()).toEqual([]);
    await scan(rt, 'b');
    expect(projects(world)).toEqual(['scanProject', 'ec2Fallback', 'scanProject']);
  });
});
