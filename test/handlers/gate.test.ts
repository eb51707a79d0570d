import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { createGate, type EventResult } from '../../functions/handlers/gate';
import { conformanceFiles, describeWithConformance } from '../support/conformance';
import { jsonish, mutated, shellInjection } from '../core/events/mutate';
import { createWorld, policyOf } from './support/fakes';
import { REGISTRY, digestOf, registerTaskDefinition, storeVerdict, taskEvent } from './support/scenario';
import { assertProperty } from '../support/property';

const FIXTURES = join(__dirname, '../fixtures/events');
const read = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => read(join(FIXTURES, name)));
const samples = conformanceFiles('events').map(read);
const policy = policyOf();
const HOOK_STATUSES = ['SUCCEEDED', 'FAILED', 'IN_PROGRESS'];
const ACTED_KINDS: EventResult['kind'][] = ['taskStateChange', 'taskStopped', 'runTaskCall', 'scanBuildFinished', 'imagePushed', 'hookAwaitingAction', 'sweep', 'inspectorFinding', 'failed'];

/** The samples the gate acts on (conformance-samples.test.ts follows what it does with them); it must ignore every other one. */
const ACTED_ON = ['ecs-task-state-change-fargate-running-awsdocs.json', 'ecs-task-state-change-fargate-running-env-override-bom-aws-lambda-dotnet.json'];
/** STOPPED samples only close inventory rows (test/handlers/posture/record-uses.test.ts): no AWS call here either. */
const CLOSED_ONLY = ['ecs-task-state-change-fargate-stopped-two-containers-fivexl.json'];
/** Inspector findings re-judge digests in use (test/handlers/posture/gate-sweep.test.ts); below, a gate without an inventory. */
const INSPECTOR = ['inspector2-finding-ecr-image-awsdocs.json'];
const sampleRows = (acted: boolean) =>
  conformanceFiles('events')
    .filter((file) => !CLOSED_ONLY.includes(basename(file)) && !INSPECTOR.includes(basename(file)) && ACTED_ON.includes(basename(file)) === acted)
    .map((file) => [basename(file), file]);

describeWithConformance('the gate on real AWS samples', () => {
  it.each(sampleRows(false))('%s: an ignored sample causes no AWS call', async (_name, file) => {
    const world = createWorld();
    const result = await createGate(world.deps(policy)).handleEvent(read(file));
    expect(result.kind).toBe('ignored');
    expect(world.calls()).toEqual([]);
  });

  it.each(conformanceFiles('events').filter((file) => INSPECTOR.includes(basename(file))).map((file) => [basename(file), file]))(
    '%s: an Inspector finding is read, and a gate without an inventory makes no AWS call for it',
    async (_name, file) => {
      const world = createWorld();
      const result = await createGate(world.deps(policy)).handleEvent(read(file));
      expect(result.kind).toBe('inspectorFinding');
      expect(world.calls()).toEqual([]);
    },
  );

  it.each(sampleRows(true))('%s: a starting Fargate task is judged, its unknown image sent to a scan', async (_name, file) => {
    const world = createWorld();
    const result = await createGate(world.deps(policy)).handleEvent(read(file));
    expect(result).toMatchObject({ kind: 'taskStateChange', judgement: { status: 'waiting' } });
    expect(world.calls()).toContain('scanner.startScan');
  });
});

describe('the gate under hostile input', () => {
  it('never throws on random values and makes no AWS call for them', async () => {
    await assertProperty(
      fc.asyncProperty(jsonish, async (value) => {
        const world = createWorld();
        const result = await createGate(world.deps(policy)).handleEvent(value);
        expect(result.kind).toBe('ignored');
        expect(world.calls()).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated events; whatever it ignores costs no AWS call', async () => {
    const seen = new Set<string>();
    await assertProperty(
      fc.asyncProperty(fc.constantFrom(...fixtures, ...samples).chain(mutated), async (event) => {
        const world = createWorld();
        const result = await createGate(world.deps(policy)).handleEvent(event);
        seen.add(result.kind);
        if (result.kind === 'ignored') expect(world.calls()).toEqual([]);
        else expect(ACTED_KINDS).toContain(result.kind);
      }),
      { numRuns: 600 },
    );
    // Both branches ran: the mutations leave some events usable and break others.
    expect([...seen].filter((kind) => kind !== 'ignored')).not.toEqual([]);
    expect(seen).toContain('ignored');
  });

  it('always answers a lifecycle hook with a valid status, whatever the payload', async () => {
    const hooks = fixtures.filter((f) => typeof f === 'object' && f !== null && ('executionDetails' in f || 'targetServiceRevisionArn' in f));
    await assertProperty(
      fc.asyncProperty(fc.oneof(jsonish, fc.constantFrom(...hooks).chain(mutated)), async (payload) => {
        const world = createWorld();
        const response = await createGate(world.deps(policy)).handleHook(payload);
        expect(HOOK_STATUSES).toContain(response.hookStatus);
      }),
      { numRuns: 400 },
    );
  });

  it('never passes an image reference with shell metacharacters to a scan, a registry call or an event', async () => {
    const web = `${REGISTRY}/shop/web`;
    await assertProperty(
      fc.asyncProperty(shellInjection, fc.constantFrom(`${web}:1`, 'nginx:1.25', `${web}@${digestOf('x')}`), fc.nat(40), async (injection, base, at) => {
        const position = at % (base.length + 1);
        const image = `${base.slice(0, position)}${injection}${base.slice(position)}`;
        const world = createWorld();
        registerTaskDefinition(world, 'web', [{ name: 'web', image: `${web}:1` }]);
        storeVerdict(world, policy, digestOf('x'), { reference: `${web}:1` });
        const gate = createGate(world.deps(policy));
        await gate.handleEvent(taskEvent({ lastStatus: 'PENDING', containers: [{ name: 'web', image }] }));
        expect(world.scanner.requests).toEqual([]);
        expect(world.recorder.count('registry.resolveDigest')).toBe(0);
        const everything = JSON.stringify({ stops: world.ecs.stops, events: world.notifier.published, scans: [...world.store.scans.values()], waiters: world.store.allWaiters() });
        expect(everything).not.toContain(JSON.stringify(image).slice(1, -1));
      }),
      { numRuns: 300 },
    );
  });
});
