import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoGateStore } from '../../../functions/adapters/dynamo-gate-store';
import { VerdictTooLargeError } from '../../../functions/adapters/dynamo-items';
import { InputError } from '../../../functions/core/errors';
import { referenceScanKey, reportKeyFor } from '../../../functions/core/gate/images';
import { parseImageReference } from '../../../functions/core/image/reference';
import type { GateStore } from '../../../functions/core/ports';
import { createGate } from '../../../functions/handlers/gate';
import { MemoryGateStore } from '../../../functions/local/memory-store';
import { useGateTable } from '../../support/dynalite';
import { createWorld, policyOf, type World } from '../support/fakes';
import {
  CLUSTER,
  REGISTRY,
  buildEvent,
  digestOf,
  registerTaskDefinition,
  runningTask,
  scanBuildEvent,
  storeVerdict,
  sweepEvent,
  taskArnOf,
  taskEvent,
  trivyReport,
  uploadReport,
  type TaskInput,
} from '../support/scenario';

const WEB = `${REGISTRY}/shop/web`;
const NEW = digestOf('new image');

function setup(policy = policyOf(), config: Parameters<World['deps']>[1] = {}): { world: World; gate: ReturnType<typeof createGate>; policy: typeof policy } {
  const world = createWorld();
  registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:2` }]);
  return { world, gate: createGate(world.deps(policy, config)), policy };
}

/** A task that is running in the fake ECS and whose event the gate gets. */
async function launch(world: World, gate: ReturnType<typeof createGate>, input: Omit<TaskInput, 'containers'> & { digest?: string | null; image?: string } = {}) {
  const task: TaskInput = { ...input, containers: [{ name: 'web', image: input.image ?? `${WEB}:2`, ...(input.digest === null ? {} : { imageDigest: input.digest ?? NEW }) }] };
  world.ecs.tasks.set(runningTask(task).taskArn, runningTask(task));
  return gate.handleEvent(taskEvent(task));
}

function buildIdOf(world: World, key = NEW): string {
  const id = world.store.scans.get(key)?.buildId;
  if (!id) throw new Error(`no build for ${key}`);
  return id;
}

describe('an unknown digest', () => {
  it('is scanned once however many events and tasks ask, in any order', async () => {
    const { world, gate } = setup();
    const first = await launch(world, gate, { id: 'f0000000000000000000000000000001', lastStatus: 'RUNNING', version: 4 });
    await launch(world, gate, { id: 'f0000000000000000000000000000001', lastStatus: 'PENDING', version: 2 });
    await launch(world, gate, { id: 'f0000000000000000000000000000001', lastStatus: 'RUNNING', version: 4 });
    await launch(world, gate, { id: 'f0000000000000000000000000000002', lastStatus: 'RUNNING', version: 3 });

    expect(first).toMatchObject({ judgement: { status: 'waiting', on: [NEW] } });
    expect(world.scanner.requests).toEqual([
      { scanId: 'scan-0001', digest: NEW, imageReference: `${WEB}@${NEW}`, reportKey: `reports/sha256/${NEW.slice(7)}/scan-0001.json` },
    ]);
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'running', buildId: 'fargate-gate-scan:build-1' });
    expect(world.store.allWaiters().map((w) => w.taskArn).sort()).toEqual([taskArnOf('f0000000000000000000000000000001'), taskArnOf('f0000000000000000000000000000002')]);
    expect(world.ecs.stops).toEqual([]);
    expect(world.metrics.total('ScansStarted')).toBe(1);
  });

  it('is judged for every waiting task when its scan finishes, with one verdict event for the scan', async () => {
    const { world, gate, policy } = setup();
    await launch(world, gate, { id: 'f0000000000000000000000000000003' });
    await launch(world, gate, { id: 'f0000000000000000000000000000004' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });

    const result = await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));

    expect(result).toMatchObject({ kind: 'scanBuildFinished', finished: { key: NEW, outcome: 'verdict' } });
    expect(world.store.verdicts.get(`${NEW}#${policy.hash}`)).toMatchObject({ digest: NEW, buildId: 'fargate-gate-scan:build-1', reportLocation: `s3://reports-bucket/reports/sha256/${NEW.slice(7)}/scan-0001.json` });
    expect(world.store.scans.get(NEW)?.state).toBe('done');
    expect(world.ecs.stops.map((s) => s.taskArn).sort()).toEqual([taskArnOf('f0000000000000000000000000000003'), taskArnOf('f0000000000000000000000000000004')]);
    expect(world.store.allWaiters()).toEqual([]);
    const actions = world.notifier.published.map((e) => `${e.action}:${e.taskArn ?? 'image'}`).sort();
    expect(actions).toEqual(['none:image', `stopTask:${taskArnOf('f0000000000000000000000000000003')}`, `stopTask:${taskArnOf('f0000000000000000000000000000004')}`]);

    // The same build event again (at least once delivery): nothing new happens.
    world.notifier.published.length = 0;
    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(world.notifier.published).toEqual([]);
  });

  it('is not acted on for a task that stopped before the verdict', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f0000000000000000000000000000005' });
    const task = world.ecs.tasks.get(taskArnOf('f0000000000000000000000000000005'));
    if (task) task.desiredStatus = 'STOPPED';
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(world.recorder.count('ecs.stopTask')).toBe(0);
    expect(world.store.allWaiters()).toEqual([]);
    expect(world.metrics.total('WaitersDropped')).toBe(1);
  });

  it('is judged by the digest the waiting task runs now', async () => {
    const { world, gate, policy } = setup();
    await launch(world, gate, { id: 'f0000000000000000000000000000006' });
    // By the time the scan ends, ECS says the task runs another image, which has a failing verdict.
    const other = digestOf('other');
    storeVerdict(world, policy, other, { reference: `${WEB}:2`, critical: 3 });
    world.ecs.tasks.set(taskArnOf('f0000000000000000000000000000006'), runningTask({ id: 'f0000000000000000000000000000006', containers: [{ name: 'web', image: `${WEB}:2`, imageDigest: other }] }));
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 0 });
    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(world.ecs.stops).toHaveLength(1);
    expect(world.notifier.published.find((e) => e.taskArn)?.images[0].digest).toBe(other);
  });
});

describe('RunTask overrides of a waiting task', () => {
  it('are judged from DescribeTasks when the scan finishes, even when the event that made the task wait had none', async () => {
    const { world, gate } = setup();
    const overrides = { containerOverrides: [{ name: 'web', environment: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }] }] };
    const keys = { id: 'f1000000000000000000000000000001', containers: [{ name: 'web', image: `${WEB}:2`, imageDigest: NEW }] };
    const plain = { id: 'f1000000000000000000000000000002', containers: [{ name: 'web', image: `${WEB}:2`, imageDigest: NEW }] };
    world.ecs.tasks.set(taskArnOf(keys.id), runningTask({ ...keys, overrides }));
    world.ecs.tasks.set(taskArnOf(plain.id), runningTask({ ...plain, overrides: { containerOverrides: [{ name: 'web' }] } }));
    await gate.handleEvent(taskEvent(keys));
    await gate.handleEvent(taskEvent(plain));
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 0 });

    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));

    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf(keys.id)]);
    expect(world.ecs.stops[0].reason).toContain('rules: secrets');
    expect(world.store.allWaiters()).toEqual([]);
  });
});

describe('service tasks waiting on a scan', () => {
  it('roll their deployment back once, under the key the task events use', async () => {
    const { world, gate } = setup();
    const deployment = 'ecs-svc/4412863370297563981';
    await launch(world, gate, { id: 'f1000000000000000000000000000001', service: 'web', startedBy: deployment });
    await launch(world, gate, { id: 'f1000000000000000000000000000002', service: 'web', startedBy: deployment });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });

    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect([...world.store.enforcements.keys()]).toContain(`service#${CLUSTER}#web#${deployment}#${NEW}`);

    // A later event of another task of the same deployment finds the claim: its task is stopped, nothing rolled back.
    await launch(world, gate, { id: 'f1000000000000000000000000000003', service: 'web', startedBy: deployment });
    expect(world.ecs.rollbacks).toHaveLength(1);
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toContain(taskArnOf('f1000000000000000000000000000003'));
  });
});

describe('scan errors', () => {
  it('block under onScanError deny', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f0000000000000000000000000000007' });
    const result = await gate.handleEvent(buildEvent(buildIdOf(world), 'FAILED'));
    expect(result).toMatchObject({ finished: { outcome: 'error', error: expect.stringContaining('FAILED') } });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error' });
    expect(world.ecs.stops[0].reason).toContain('image could not be judged');
    // The stop reason and the task's verdict event name the build that failed.
    expect(world.ecs.stops[0].reason).toContain(`build: ${buildIdOf(world)}`);
    const taskEvent = world.notifier.published.find((e) => e.taskArn);
    expect(taskEvent).toMatchObject({ decision: 'error', rules: ['onScanError'] });
    expect(taskEvent?.images[0].buildId).toBe(buildIdOf(world));
  });

  it('let the task run with a warning under onScanError allow', async () => {
    const { world, gate } = setup(policyOf({ onScanError: 'allow' }));
    await launch(world, gate, { id: 'f0000000000000000000000000000008' });
    await gate.handleEvent(buildEvent(buildIdOf(world), 'TIMED_OUT'));
    expect(world.ecs.stops).toEqual([]);
    expect(world.notifier.published.find((e) => e.taskArn)).toMatchObject({ decision: 'warn', action: 'none' });
  });

  it('include a missing or unreadable report', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f0000000000000000000000000000009' });
    const missing = await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(missing).toMatchObject({ finished: { outcome: 'error', error: expect.stringContaining('without a report') } });

    const other = digestOf('truncated');
    await launch(world, gate, { id: 'f000000000000000000000000000000a', digest: other });
    const record = world.store.scans.get(other);
    world.reports.objects.set(`reports/sha256/${other.slice(7)}/${record?.scanId}.json`, '{"SchemaVersion": 2, "Results": [');
    const unreadable = await gate.handleEvent(buildEvent(buildIdOf(world, other), 'SUCCEEDED'));
    expect(unreadable).toMatchObject({ finished: { outcome: 'error', error: expect.stringContaining('truncated') } });
  });

  it('stand for a while that doubles with each failure in a row; the next task after it scans again', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f000000000000000000000000000000b' });
    await gate.handleEvent(buildEvent(buildIdOf(world), 'FAULT'));
    // First failure: 10 minutes, jittered into [7.5, 10] (the test world's random is 0.5: 8 min 45 s).
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', attempts: 1, retryAt: '2026-01-05T09:08:45.000Z' });

    // A burst of launches of the broken image: judged by the error that stands, no new scan each time.
    const soon = await launch(world, gate, { id: 'f000000000000000000000000000000c' });
    expect(soon).toMatchObject({ judgement: { status: 'judged', decision: 'error', action: 'stopTask' } });
    expect(world.scanner.requests).toHaveLength(1);

    world.clock.advance(8 * 60_000 + 45_000);
    const later = await launch(world, gate, { id: 'f000000000000000000000000000000d' });
    expect(later).toMatchObject({ judgement: { status: 'waiting' } });
    expect(world.scanner.requests).toHaveLength(2);
    // The retry carries the failure count, so its own failure waits twice as long: 20 minutes, 17 min 30 s here.
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'running', scanId: 'scan-0002', attempts: 1 });
    await gate.handleEvent(buildEvent(buildIdOf(world), 'FAILED'));
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', attempts: 2, retryAt: '2026-01-05T09:26:15.000Z' });

    world.clock.advance(17 * 60_000 + 29_000);
    await launch(world, gate, { id: 'f000000000000000000000000000000e' });
    expect(world.scanner.requests).toHaveLength(2);
    world.clock.advance(1000);
    await launch(world, gate, { id: 'f000000000000000000000000000000f' });
    expect(world.scanner.requests).toHaveLength(3);

    // A scan that produces a report ends the run of failures.
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW });
    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'done', attempts: 0 });
  });

  it('include a scan request the scanner refuses outright, backed off like any failure', async () => {
    const { world, gate } = setup();
    world.store.scans.set(NEW, { digest: NEW, imageReference: `${WEB}@${NEW}`, scanId: 'old', state: 'error', error: 'throttled', attempts: 1, startedAt: '2026-01-05T08:00:00Z', deadline: '2026-01-05T08:30:00Z', retryAt: '2026-01-05T08:59:00Z' });
    world.scanner.startScan = async () => {
      throw new InputError('scan request: the image reference has a control character');
    };
    const result = await launch(world, gate, { id: 'f000000000000000000000000000001f' });
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'error', action: 'stopTask' } });
    expect(world.store.scans.get(NEW)).toMatchObject({
      state: 'error',
      attempts: 2,
      error: expect.stringContaining('could not be requested'),
      retryAt: '2026-01-05T09:17:30.000Z',
    });
  });

  it('cost a logarithmic number of scans however many tasks keep launching the broken image', async () => {
    const { world, gate } = setup();
    // A launch every minute for twelve hours; every scan of the image fails.
    for (let minute = 0; minute < 12 * 60; minute += 1) {
      const id = `e${minute.toString(16).padStart(31, '0')}`;
      await launch(world, gate, { id });
      const running = world.store.scans.get(NEW);
      if (running?.state === 'running' && running.buildId) await gate.handleEvent(buildEvent(running.buildId, 'FAILED'));
      world.clock.advance(60_000);
    }
    // Waits of 8.75, 17.5, 35, 70, 140, 280 min (then 315): seven scans in twelve hours, not 720.
    expect(world.scanner.requests).toHaveLength(7);
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', attempts: 7 });
  });
});

describe('a task that starts while a failed scan is being finished', () => {
  it('is judged by the new scan it started, not by the old error', async () => {
    // Errors retried at once, so the arriving task re-claims the record the moment it is marked.
    const { world, gate } = setup(policyOf(), { scanErrorRetryMinutes: 0 });
    await launch(world, gate, { id: 'f0000000000000000000000000000020' });
    const buildId = buildIdOf(world);
    // Right after the failed scan is marked, another task arrives, re-claims the error record and waits.
    const update = world.store.updateScan.bind(world.store);
    let raced = false;
    world.store.updateScan = async (digest, expected, changes) => {
      const applied = await update(digest, expected, changes);
      if (applied && changes.state === 'error' && !raced) {
        raced = true;
        await launch(world, gate, { id: 'f0000000000000000000000000000021' });
      }
      return applied;
    };
    await gate.handleEvent(buildEvent(buildId, 'FAILED'));
    expect(world.ecs.stops.map((s) => s.taskArn)).toEqual([taskArnOf('f0000000000000000000000000000020')]);
    expect(world.store.allWaiters().map((w) => w.taskArn)).toEqual([taskArnOf('f0000000000000000000000000000021')]);
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'running', scanId: 'scan-0002' });
  });
});

describe('CodeBuild capacity', () => {
  it('queues a refused scan with back-off and lets the sweep start it when its time comes', async () => {
    const { world, gate } = setup();
    world.scanner.capacityErrors = 1;
    const result = await launch(world, gate, { id: 'f000000000000000000000000000000d' });
    expect(result).toMatchObject({ judgement: { status: 'waiting' } });
    // Back-off after one refusal: between 15 s and 30 s (jitter 0.5 in the test world: 22.5 s).
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'queued', attempts: 1, retryAt: '2026-01-05T09:00:22.500Z' });

    world.recorder.reset();
    await gate.handleEvent(sweepEvent());
    expect(world.calls()).toEqual(['store.listUnfinishedScans']);

    world.clock.advance(23_000);
    const swept = await gate.handleEvent(sweepEvent());
    expect(swept).toMatchObject({ kind: 'sweep', summary: { retried: 1 } });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'running', buildId: 'fargate-gate-scan:build-1' });

    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 2 });
    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(world.ecs.stops).toHaveLength(1);
  });

  it('backs a retry of a failing image off from its failures so far, so images that never failed go first', async () => {
    const { world, gate } = setup();
    world.store.scans.set(NEW, { digest: NEW, imageReference: `${WEB}@${NEW}`, scanId: 'old', state: 'error', error: 'throttled', attempts: 3, startedAt: '2026-01-05T08:00:00Z', deadline: '2026-01-05T08:30:00Z', retryAt: '2026-01-05T08:59:00Z' });
    world.scanner.capacityErrors = 1;
    await launch(world, gate, { id: 'f000000000000000000000000000001e' });
    // Fourth unsuccessful attempt: ceiling 30 s × 2³ = 4 min, equal jitter at 0.5: 3 min.
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'queued', attempts: 4, retryAt: '2026-01-05T09:03:00.000Z' });
  });

  it('gives up on a scan that could not start before its deadline: onScanError decides', async () => {
    const { world, gate } = setup();
    world.scanner.capacityErrors = 1000;
    await launch(world, gate, { id: 'f000000000000000000000000000000e' });
    for (let minute = 0; minute < 125; minute += 5) {
      world.clock.advance(5 * 60_000);
      await gate.handleEvent(sweepEvent());
    }
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', error: expect.stringContaining('could not be started') });
    expect(world.ecs.stops).toHaveLength(1);
  });
});

describe('the sweep', () => {
  it('finishes a scan whose build event was lost', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f000000000000000000000000000000f' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    world.scanner.statuses.set(buildIdOf(world), 'SUCCEEDED');
    const result = await gate.handleEvent(sweepEvent());
    expect(result).toMatchObject({ summary: { finished: 1 } });
    expect(world.ecs.stops).toHaveLength(1);
  });

  it('fails a scan still running past its deadline', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f0000000000000000000000000000010' });
    world.clock.advance(10 * 60_000);
    expect(await gate.handleEvent(sweepEvent())).toMatchObject({ summary: { stillRunning: 1 } });
    world.clock.advance(25 * 60_000);
    expect(await gate.handleEvent(sweepEvent())).toMatchObject({ summary: { expired: 1 } });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', error: 'the scan did not finish within 30 minutes' });
    expect(world.ecs.stops).toHaveLength(1);
  });

  it('restarts a scan whose start was lost with its invocation', async () => {
    const { world, gate } = setup();
    world.scanner.startScan = async () => {
      world.recorder.record('scanner.startScan');
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    };
    await expect(launch(world, gate, { id: 'f0000000000000000000000000000011' })).rejects.toThrow('socket hang up');
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'queued' });
    // Within the start lease, the sweep leaves it alone; after it, the sweep starts it.
    delete (world.scanner as { startScan?: unknown }).startScan;
    await gate.handleEvent(sweepEvent());
    expect(world.scanner.requests).toHaveLength(0);
    world.clock.advance(121_000);
    await gate.handleEvent(sweepEvent());
    expect(world.scanner.requests).toHaveLength(1);
  });
});

describe('verdict reuse', () => {
  it('re-evaluates a stored report for a new policy instead of scanning again', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f0000000000000000000000000000012' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, user: 'root' });
    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(world.ecs.stops).toHaveLength(1);

    // Same world, a policy without the root-user rule: a new policy hash, no verdict for it yet.
    const lenient = policyOf({ name: 'lenient', rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } } } });
    const next = createGate(world.deps(lenient));
    world.recorder.reset();
    const result = await launch(world, next, { id: 'f0000000000000000000000000000013' });
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'pass' } });
    expect(world.recorder.count('scanner.startScan')).toBe(0);
    expect(world.recorder.count('reports.getReport')).toBe(1);
    expect(world.store.verdicts.get(`${NEW}#${lenient.hash}`)).toBeDefined();
  });

  it('rescans an image whose verdict is older than maxScanAge, and the task waits for it', async () => {
    const policy = policyOf({ maxScanAge: '1d' });
    const { world, gate } = setup(policy);
    storeVerdict(world, policy, NEW, { reference: `${WEB}:2`, critical: 0 }, 2 * 86_400_000);
    world.store.scans.set(NEW, {
      digest: NEW,
      imageReference: `${WEB}@${NEW}`,
      scanId: 'old-scan',
      state: 'done',
      attempts: 0,
      startedAt: new Date(world.clock.now().getTime() - 2 * 86_400_000).toISOString(),
      deadline: new Date(world.clock.now().getTime() - 86_400_000).toISOString(),
      buildId: 'fargate-gate-scan:old',
    });
    const result = await launch(world, gate, { id: 'f0000000000000000000000000000014' });
    expect(result).toMatchObject({ judgement: { status: 'waiting', on: [NEW] } });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'running', scanId: 'scan-0001', buildId: 'fargate-gate-scan:build-1' });
    expect(world.metrics.total('Rescans')).toBe(1);
  });
});

describe('other triggers', () => {
  it('pre-scans a pushed image once', async () => {
    const { world, gate } = setup();
    const push = JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/ecr-image-action-push.json'), 'utf8'));
    expect(await gate.handleEvent(push)).toEqual({ kind: 'imagePushed', scan: 'started' });
    expect(await gate.handleEvent(push)).toEqual({ kind: 'imagePushed', scan: 'inFlight' });
    expect(world.scanner.requests.map((r) => r.imageReference)).toEqual([
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
    ]);
  });

  it('scans an image outside ECR by reference and keeps the verdict under the digest the report names', async () => {
    const { world, gate, policy } = setup();
    registerTaskDefinition(world, 'proxy', [{ name: 'web', image: 'nginx:1.25' }]);
    const key = referenceScanKey(parseImageReference('nginx:1.25'));
    const pulled = digestOf('nginx 1.25');
    const result = await launch(world, gate, { id: 'f0000000000000000000000000000015', family: 'proxy', image: 'nginx:1.25', digest: null });
    expect(result).toMatchObject({ judgement: { status: 'waiting', on: [key] } });
    expect(world.scanner.requests[0]).toMatchObject({ digest: '', imageReference: 'docker.io/library/nginx:1.25', reportKey: `reports/${key}/scan-0001.json` });

    uploadReport(world, key, { reference: 'nginx:1.25', digest: pulled, critical: 0 });
    await gate.handleEvent(buildEvent(buildIdOf(world, key), 'SUCCEEDED'));
    // The report claims 08:30, before the scan started at 09:00: its time counts from the start. The tag verdict
    // lives past the scan deadline and a sweep (30 + 60 minutes) plus 10 minutes of use.
    expect(world.store.verdicts.get(`${key}#${policy.hash}`)).toMatchObject({ scannedAt: '2026-01-05T09:00:00.000Z', expiresAt: Date.parse('2026-01-05T10:40:00Z') / 1000 });
    expect(world.store.verdicts.get(`${pulled}#${policy.hash}`)).toMatchObject({ digest: pulled });
    expect(world.notifier.published.find((e) => !e.taskArn)?.images[0]).toMatchObject({ digest: pulled });
  });

  it('remembers who called RunTask and names them when the task is judged', async () => {
    const { world, gate } = setup();
    const call = JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/cloudtrail-runtask-fargate.json'), 'utf8'));
    const taskArn = 'arn:aws:ecs:eu-west-1:123456789012:task/batch/0d3f1c9e2b7a4c5d8e6f7a8b9c0d1e2f';
    registerTaskDefinition(world, 'nightly-report', [{ name: 'report', image: `${REGISTRY}/reports/nightly@sha256:4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566778899` }], 7);
    const result = await gate.handleEvent(call);
    expect(result).toMatchObject({ kind: 'runTaskCall', judgements: [{ status: 'waiting' }] });
    expect(world.store.launchers.get(taskArn)).toBe('arn:aws:sts::123456789012:assumed-role/ci-deployer/deploy-bot');
    expect(world.store.allWaiters()[0]).toMatchObject({ taskArn, launchedBy: 'arn:aws:sts::123456789012:assumed-role/ci-deployer/deploy-bot' });
  });
});

const denied = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 403 } });
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });

describe('a scan whose outcome cannot be stored or read for good', () => {
  it.each([
    ['a report over the size cap', () => new InputError('is 300000000 bytes, more than the 67108864-byte limit for a scanner report', { source: 'scan report s3://b/k' }), 'more than the 67108864-byte limit'],
    ['a report the gate may not read (403)', () => denied('AccessDenied', 'Access Denied'), 'Access Denied'],
  ])('ends in a scan error on %s, and its waiting task is judged under onScanError', async (_label, failure, message) => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2000000000000000000000000000001' });
    world.reports.getReport = async () => {
      throw failure();
    };
    const result = await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
    expect(result).toMatchObject({ kind: 'scanBuildFinished', finished: { outcome: 'error', error: expect.stringContaining(message) } });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', error: expect.stringContaining('could not be read') });
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf('f2000000000000000000000000000001')]);
    expect(world.store.allWaiters()).toEqual([]);
  });

  it('ends in a scan error when the verdict is too large to store', async () => {
    const { world, gate } = setup(policyOf({ onScanError: 'allow' }));
    await launch(world, gate, { id: 'f2000000000000000000000000000002' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    world.store.putVerdict = async () => {
      throw new VerdictTooLargeError('the assessment is 900000 bytes gzipped');
    };
    const result = await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
    expect(result).toMatchObject({ finished: { outcome: 'error', error: expect.stringContaining('could not be stored') } });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error' });
    // onScanError allow: the task runs, with a warning event.
    expect(world.ecs.stops).toEqual([]);
    expect(world.notifier.published.find((e) => e.taskArn)).toMatchObject({ decision: 'warn', rules: ['onScanError'] });
  });

  it('stays running on a failure a retry may fix, so the retried event finishes it', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2000000000000000000000000000003' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    const read = world.reports.getReport.bind(world.reports);
    world.reports.getReport = async () => {
      throw throttled();
    };
    await expect(gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'))).rejects.toThrow('Rate exceeded');
    expect(world.store.scans.get(NEW)?.state).toBe('running');
    world.reports.getReport = read;
    await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
    expect(world.store.scans.get(NEW)?.state).toBe('done');
    expect(world.ecs.stops).toHaveLength(1);
  });
});

describe('verdict events of a finishing scan', () => {
  it('never hold up the waiting tasks: with PutEvents denied, the task is stopped and the scan finished', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2100000000000000000000000000001' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, user: '0', critical: 4 });
    world.notifier.publishVerdict = async () => {
      world.recorder.record('notifier.publishVerdict');
      throw denied('AccessDeniedException', 'User is not authorized to perform: events:PutEvents');
    };
    const result = await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
    expect(result).toMatchObject({ kind: 'scanBuildFinished', finished: { outcome: 'verdict' } });
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf('f2100000000000000000000000000001')]);
    expect(world.store.scans.get(NEW)?.state).toBe('done');
    expect(world.store.allWaiters()).toEqual([]);
    expect(world.metrics.total('VerdictEventsLost')).toBeGreaterThanOrEqual(1);
    // The claim of the scan's event was given back: whatever judges the scan again may still send it.
    expect([...world.store.enforcements.keys()].filter((key) => key.startsWith('scan#'))).toEqual([]);
  });

  it('go out after the waiting tasks were acted on', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2100000000000000000000000000002' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    world.recorder.reset();
    await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
    const calls = world.calls();
    expect(calls.indexOf('ecs.stopTask')).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf('ecs.stopTask')).toBeLessThan(calls.indexOf('notifier.publishVerdict'));
    expect(world.notifier.published.map((e) => e.taskArn ?? 'image')).toContain('image');
  });
});

describe('a scan that cannot be finished', () => {
  it('is given up on after three attempts in a row fail for good: a scan error, judged under onScanError', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2200000000000000000000000000001' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 0 });
    const buildId = buildIdOf(world);
    world.scanner.statuses.set(buildId, 'SUCCEEDED');
    const listWaiters = world.store.listWaiters.bind(world.store);
    world.store.listWaiters = async () => {
      throw denied('AccessDeniedException', 'not authorized to perform dynamodb:Query');
    };

    expect(await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'))).toMatchObject({ kind: 'failed', failure: 'permanent' });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'running', finishFailures: 1, error: expect.stringMatching(/^finishing the scan failed 1 time in a row/) });
    expect(await gate.handleEvent(sweepEvent())).toMatchObject({ summary: { finished: 0 } });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'running', finishFailures: 2, error: expect.stringMatching(/^finishing the scan failed 2 times in a row/) });

    // The store recovers for the tasks, not for this scan's waiters: the third failure in a row ends it.
    world.store.listWaiters = async (key) => {
      if (key === NEW && world.store.scans.get(NEW)?.state === 'running') throw denied('AccessDeniedException', 'not authorized to perform dynamodb:Query');
      return listWaiters(key);
    };
    expect(await gate.handleEvent(sweepEvent())).toMatchObject({ summary: { finished: 1 } });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', attempts: 1, error: expect.stringContaining('could not be finished (3 attempts failed') });
    expect(world.store.scans.get(NEW)?.finishFailures).toBeUndefined();
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf('f2200000000000000000000000000001')]);
    // The stop reason and the task's verdict event name the build whose scan was given up on.
    expect(world.ecs.stops[0].reason).toContain(`build: ${buildId}`);
    expect(world.notifier.published.find((e) => e.taskArn)?.images[0].buildId).toBe(buildId);
    expect(world.store.allWaiters()).toEqual([]);
    // Off the sweep's list.
    world.recorder.reset();
    await gate.handleEvent(sweepEvent());
    expect(world.calls()).toEqual(['store.listUnfinishedScans']);
  });

  it('does not count failures a retry may fix, nor keep the count once it finished', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2200000000000000000000000000002' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 0 });
    world.scanner.statuses.set(buildIdOf(world), 'SUCCEEDED');
    const listWaiters = world.store.listWaiters.bind(world.store);
    let failure: () => Error = () => denied('AccessDeniedException', 'denied');
    world.store.listWaiters = async () => {
      throw failure();
    };
    await gate.handleEvent(sweepEvent());
    failure = throttled;
    for (let sweep = 0; sweep < 3; sweep += 1) await expect(gate.handleEvent(sweepEvent())).rejects.toThrow('Rate exceeded');
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'running', error: expect.stringContaining('1 time in a row') });
    world.store.listWaiters = listWaiters;
    expect(await gate.handleEvent(sweepEvent())).toMatchObject({ summary: { finished: 1 } });
    expect(world.store.scans.get(NEW)).toEqual(expect.objectContaining({ state: 'done' }));
    expect(world.store.scans.get(NEW)?.error).toBeUndefined();
  });

  it('counts in the sweep summary only the scans it really finished', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2200000000000000000000000000003' });
    world.scanner.statuses.set(buildIdOf(world), 'FAILED');
    world.store.updateScan = async () => {
      throw denied('AccessDeniedException', 'not authorized to perform dynamodb:UpdateItem');
    };
    expect(await gate.handleEvent(sweepEvent())).toMatchObject({ summary: { finished: 0, expired: 0 } });
  });

  it('drops the waiters of a cluster ECS no longer knows, and finishes', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2200000000000000000000000000004' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    world.ecs.failNext.set('describeTasks', Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    expect(await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'))).toMatchObject({ finished: { outcome: 'verdict' } });
    expect(world.store.scans.get(NEW)?.state).toBe('done');
    expect(world.store.allWaiters()).toEqual([]);
  });
});

describe('a verdict that arrives after a slow build', () => {
  it('judges the tasks that waited for it even under a maxScanAge shorter than the wait, with one build', async () => {
    const { world, gate } = setup(policyOf({ maxScanAge: '30m' }));
    await launch(world, gate, { id: 'f2300000000000000000000000000001' });
    // The build waited in CodeBuild's queue: it ends 35 minutes after StartBuild. The report was written at the end.
    world.clock.advance(35 * 60_000);
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, user: '0', critical: 3, createdAt: '2026-01-05T09:34:00Z' });
    const result = await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED', '2026-01-05T09:35:00Z'));
    expect(result).toMatchObject({ finished: { outcome: 'verdict' } });
    expect(world.ecs.stops).toHaveLength(1);
    expect(world.scanner.requests).toHaveLength(1);
    expect(world.store.scans.get(NEW)?.state).toBe('done');
  });

  it('counts its age from the report, so a task launched just after it uses it', async () => {
    const { world, gate, policy } = setup(policyOf({ maxScanAge: '30m' }));
    await launch(world, gate, { id: 'f2300000000000000000000000000002' });
    world.clock.advance(35 * 60_000);
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 0, createdAt: '2026-01-05T09:34:00Z' });
    await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
    expect(world.store.verdicts.get(`${NEW}#${policy.hash}`)?.scannedAt).toBe('2026-01-05T09:34:00.000Z');
    const next = await launch(world, gate, { id: 'f2300000000000000000000000000003' });
    expect(next).toMatchObject({ judgement: { status: 'judged', decision: 'pass' } });
    expect(world.scanner.requests).toHaveLength(1);
  });

  it('takes the build\'s end from the event when the report states no time', async () => {
    const { world, gate, policy } = setup();
    await launch(world, gate, { id: 'f2300000000000000000000000000004' });
    world.clock.advance(40 * 60_000);
    world.reports.objects.set(`reports/sha256/${NEW.slice(7)}/scan-0001.json`, JSON.stringify({ SchemaVersion: 2, ArtifactName: `${WEB}@${NEW}`, ArtifactType: 'container_image', Results: [] }));
    await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED', '2026-01-05T09:31:00Z'));
    expect(world.store.verdicts.get(`${NEW}#${policy.hash}`)?.scannedAt).toBe('2026-01-05T09:31:00.000Z');
  });
});

describe('a build event', () => {
  it('finds its scan by the build\'s own environment: one read, no listing of unfinished scans', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2400000000000000000000000000001' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    world.recorder.reset();
    await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
    expect(world.calls()[0]).toBe('store.getScan');
    expect(world.recorder.count('store.listUnfinishedScans')).toBe(0);
    expect(world.ecs.stops).toHaveLength(1);
  });

  it('finds a scan by reference by the key in its report key', async () => {
    const { world, gate } = setup();
    registerTaskDefinition(world, 'proxy', [{ name: 'web', image: 'nginx:1.25' }]);
    const key = referenceScanKey(parseImageReference('nginx:1.25'));
    await launch(world, gate, { id: 'f2400000000000000000000000000002', family: 'proxy', image: 'nginx:1.25', digest: null });
    uploadReport(world, key, { reference: 'nginx:1.25', digest: digestOf('nginx'), user: '0' });
    world.recorder.reset();
    expect(await gate.handleEvent(scanBuildEvent(world, key, 'SUCCEEDED'))).toMatchObject({ finished: { key, outcome: 'verdict' } });
    expect(world.recorder.count('store.listUnfinishedScans')).toBe(0);
  });

  it('of a scan that was replaced since finishes nothing', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2400000000000000000000000000003' });
    const old = scanBuildEvent(world, NEW, 'SUCCEEDED');
    const record = world.store.scans.get(NEW);
    world.store.scans.set(NEW, { ...(record as NonNullable<typeof record>), scanId: 'a-newer-scan' });
    world.recorder.reset();
    expect(await gate.handleEvent(old)).toEqual({ kind: 'scanBuildFinished' });
    expect(world.calls()).toEqual(['store.getScan']);
  });

  it('without the build\'s environment is matched by its build id among the unfinished scans', async () => {
    const { world, gate } = setup();
    await launch(world, gate, { id: 'f2400000000000000000000000000004' });
    uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, critical: 1 });
    world.recorder.reset();
    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(world.calls()[0]).toBe('store.listUnfinishedScans');
    expect(world.ecs.stops).toHaveLength(1);
  });
});

describe('a scan whose build cannot be started', () => {
  it('is a scan error at once when CodeBuild refuses it for good (access denied)', async () => {
    const { world, gate } = setup();
    world.scanner.startScan = async () => {
      throw denied('AccessDeniedException', 'not authorized to perform: codebuild:StartBuild');
    };
    const result = await launch(world, gate, { id: 'f2500000000000000000000000000001' });
    expect(result).toMatchObject({ judgement: { status: 'judged', decision: 'error', action: 'stopTask' } });
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', attempts: 1, error: expect.stringContaining('codebuild:StartBuild') });
  });

  it('is given up on once the time for starting it ran out, however often its start failed', async () => {
    const { world, gate } = setup();
    world.scanner.startScan = async () => {
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    };
    await expect(launch(world, gate, { id: 'f2500000000000000000000000000002' })).rejects.toThrow('socket hang up');
    // Every sweep takes the lease and fails to start the build again, until the two hours for starting it are over.
    for (let minute = 0; minute < 125; minute += 5) {
      world.clock.advance(5 * 60_000);
      await gate.handleEvent(sweepEvent()).catch(() => undefined);
    }
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', error: expect.stringContaining('every attempt at starting its build failed') });
    expect(world.ecs.stops).toHaveLength(1);
  });
});

/*
 * Two finishers of one build (the sweep and the build event) interleaved with a retry of the digest after its
 * back-off: the sweep lists the scan while it runs, the build event finishes it meanwhile (an error), the back-off
 * passes, another task claims the digest again and its build starts; only then does the sweep act on what it listed.
 * Run on every store the gate has: the handlers' fake, the in-memory store of simulate, and DynamoDB (dynalite).
 */
describe('a slow finisher of an older scan of the digest', () => {
  const table = useGateTable();
  const stores: [string, (world: World) => Promise<GateStore>][] = [
    ['the handlers\' fake store', async (world) => world.store],
    ['the in-memory store', async (world) => new MemoryGateStore(world.clock)],
    ['DynamoDB (dynalite)', async (world) => new DynamoGateStore({ client: table.fixture().documents, tableName: await table.freshTable(), clock: world.clock })],
  ];

  it.each(stores)('neither overwrites the newer scan nor judges its tasks, and the newer build still finishes it (%s)', async (_name, makeStore) => {
    const world = createWorld();
    registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:2` }]);
    const store = await makeStore(world);
    const gate = createGate({ ...world.deps(policyOf()), store });
    const first = { id: 'e1000000000000000000000000000001', digest: NEW };
    const second = { id: 'e1000000000000000000000000000002', digest: NEW };

    await launch(world, gate, first);
    const oldScan = await store.getScan(NEW);
    expect(oldScan).toMatchObject({ scanId: 'scan-0001', state: 'running', buildId: 'fargate-gate-scan:build-1' });

    // The sweep polls the build's status; while it waits, the build event finishes the scan, the back-off passes,
    // and the second task claims the digest again.
    world.scanner.statuses.set('fargate-gate-scan:build-1', 'FAILED');
    const poll = world.scanner.getBuildStatuses.bind(world.scanner);
    let interleaved = false;
    world.scanner.getBuildStatuses = async (ids: string[]) => {
      const statuses = await poll(ids);
      if (!interleaved) {
        interleaved = true;
        await gate.handleEvent(buildEvent('fargate-gate-scan:build-1', 'FAILED'));
        world.clock.advance(24 * 3600_000);
        await launch(world, gate, second);
      }
      return statuses;
    };
    await gate.handleEvent(sweepEvent());
    expect(interleaved).toBe(true);

    expect(await store.getScan(NEW)).toMatchObject({ scanId: 'scan-0002', state: 'running', buildId: 'fargate-gate-scan:build-2' });
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf(first.id)]);

    // The newer build's own event is not dropped: it finishes its scan, and the second task is judged on it.
    world.reports.objects.set(reportKeyFor('reports/', NEW, 'scan-0002'), trivyReport({ reference: `${WEB}@${NEW}`, digest: NEW, critical: 0 }));
    const finished = await gate.handleEvent(buildEvent('fargate-gate-scan:build-2', 'SUCCEEDED'));
    expect(finished).toMatchObject({ kind: 'scanBuildFinished', finished: { scanId: 'scan-0002', outcome: 'verdict' } });
    expect(await store.getScan(NEW)).toMatchObject({ scanId: 'scan-0002', state: 'done' });
    expect(await store.listWaiters(NEW)).toEqual([]);
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf(first.id)]);
  });
});

describe('a report naming another digest than the one scanned', () => {
  const OTHER = digestOf('another image');

  it('is a scan error that onScanError decides, explained by the verdict event naming both digests', async () => {
    const { world, gate, policy } = setup();
    await launch(world, gate, { id: 'e2000000000000000000000000000001' });
    uploadReport(world, NEW, { reference: `${WEB}@${OTHER}`, digest: OTHER, critical: 0 });

    const result = await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));

    expect(result).toMatchObject({ kind: 'scanBuildFinished', finished: { key: NEW, outcome: 'error' } });
    expect(world.store.verdicts.has(`${NEW}#${policy.hash}`)).toBe(false);
    expect(world.store.scans.get(NEW)).toMatchObject({ state: 'error', attempts: 1 });
    // onScanError deny: the waiting standalone task is stopped, as for any scan error.
    expect(world.ecs.stops.map((stop) => stop.taskArn)).toEqual([taskArnOf('e2000000000000000000000000000001')]);
    const scanEvent = world.notifier.published.find((event) => event.action === 'none');
    expect(scanEvent).toMatchObject({ decision: 'error', rules: ['onScanError'] });
    expect(scanEvent?.errors?.[0].message).toContain(`is of ${OTHER}, not of ${NEW}`);
  });

  it('lets a task pass with a warning under onScanError allow, and stores no verdict', async () => {
    const { world, gate, policy } = setup(policyOf({ onScanError: 'allow' }));
    await launch(world, gate, { id: 'e2000000000000000000000000000002' });
    uploadReport(world, NEW, { reference: `${WEB}@${OTHER}`, digest: OTHER, critical: 1 });
    await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(world.ecs.stops).toEqual([]);
    expect(world.store.verdicts.has(`${NEW}#${policy.hash}`)).toBe(false);
    expect(world.notifier.published.find((event) => event.taskArn === taskArnOf('e2000000000000000000000000000002'))).toMatchObject({ decision: 'warn' });
  });

  it('still judges a multi-architecture image: the platform manifest as its digest, the index scanned among its repo digests', async () => {
    const { world, gate, policy } = setup();
    await launch(world, gate, { id: 'e2000000000000000000000000000003' });
    const key = uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: OTHER, critical: 0 });
    const report = JSON.parse(world.reports.objects.get(key) as string);
    report.Metadata.RepoDigests = [`${WEB}@${OTHER}`, `${WEB}@${NEW}`];
    world.reports.objects.set(key, JSON.stringify(report));
    const result = await gate.handleEvent(buildEvent(buildIdOf(world), 'SUCCEEDED'));
    expect(result).toMatchObject({ finished: { outcome: 'verdict' } });
    expect(world.store.verdicts.get(`${NEW}#${policy.hash}`)).toMatchObject({ digest: NEW });
  });
});
