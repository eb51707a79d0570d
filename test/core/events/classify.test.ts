import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { classifyGateEvent, readLifecycleHook, type GateEvent } from '../../../functions/core/events';
import { planImage } from '../../../functions/core/gate/images';
import { conformanceFiles, describeWithConformance } from '../../support/conformance';
import { jsonish, mutated, shellInjection } from './mutate';
import { assertProperty } from '../../support/property';

/** Real AWS samples (../shared/conformance/events): each is classified as what it is, or ignored; none throws. */
function read(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
}

type Expectation = { kind: GateEvent['kind']; malformed?: boolean; reason?: RegExp };

/** What each sample must become. A sample added later without an entry must still be classified without throwing. */
const EXPECTED: Record<string, Expectation> = {
  'ecs-task-state-change-fargate-running-awsdocs.json': { kind: 'taskStateChange' },
  'ecs-task-state-change-fargate-running-env-override-bom-aws-lambda-dotnet.json': { kind: 'taskStateChange' },
  'ecs-task-state-change-fargate-stopped-two-containers-fivexl.json': { kind: 'taskStopped' },
  // Routed to the gate by the InspectorFinding rule; handlers/posture/inspector.ts reads the detail leniently.
  'inspector2-finding-ecr-image-awsdocs.json': { kind: 'inspectorFinding' },
  'ecs-task-state-change-ec2-2019-no-image-field-awsdocs.json': { kind: 'ignored', malformed: false, reason: /not a Fargate task/ },
  'codebuild-build-state-change-awsdocs.json': { kind: 'ignored', malformed: false, reason: /not the gate's scan project/ },
  'codebuild-build-state-change-aws-lambda-go.json': { kind: 'ignored', malformed: false, reason: /not the gate's scan project/ },
  // The documentation shortens the digest to 60 hex characters: not a digest the gate can pin a scan to.
  'ecr-image-action-push-awsdocs.json': { kind: 'ignored', malformed: true, reason: /image-digest.*sha256/ },
  'ecr-image-action-delete-awsdocs.json': { kind: 'ignored', malformed: false, reason: /not a push/ },
  // Raw CloudTrail records, not EventBridge events.
  'cloudtrail-record-ecr-putimage-awsdocs.json': { kind: 'ignored', malformed: true, reason: /not an EventBridge event/ },
  'cloudtrail-record-ecs-createcluster-awsdocs.json': { kind: 'ignored', malformed: true, reason: /not an EventBridge event/ },
};

describeWithConformance('conformance events', () => {
  const files = conformanceFiles('events');

  it('finds the samples', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files.map((file) => [basename(file), file]))('%s is classified without throwing', (name, file) => {
    const event = classifyGateEvent(read(file), { scanProjectName: 'fargate-gate-scan' });
    const expected = EXPECTED[name] ?? { kind: 'ignored' };
    expect(event.kind).toBe(expected.kind);
    if (event.kind === 'ignored') {
      expect(event.reason.length).toBeGreaterThan(0);
      if (expected.malformed !== undefined) expect(event.malformed).toBe(expected.malformed);
      if (expected.reason) expect(event.reason).toMatch(expected.reason);
    }
  });

  it('reads the documented Fargate RUNNING event: task, cluster, definition, digest', () => {
    const file = files.find((f) => f.endsWith('ecs-task-state-change-fargate-running-awsdocs.json')) as string;
    const event = classifyGateEvent(read(file));
    if (event.kind !== 'taskStateChange') throw new Error(`expected a task event, got ${event.kind}`);
    expect(event.task).toEqual({
      taskArn: 'arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad',
      clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster',
      taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/sample-fargate:1',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      group: 'family:sample-fargate',
      version: 4,
      createdAt: '2020-01-23T17:57:34.402Z',
      pullStartedAt: '2020-01-23T17:57:52.103Z',
      overrides: { containerOverrides: [{ name: 'FargateApp' }] },
      // The event's platformVersion; it has no enableExecuteCommand member and never a public IP.
      launch: { platformVersion: { value: '1.3.0', source: 'from the ECS task event' } },
      containers: [
        {
          name: 'FargateApp',
          image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/hello-repository:latest',
          imageDigest: 'sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6',
        },
      ],
    });
    expect(event.meta).toMatchObject({ id: '3317b2af-7005-947d-b652-f55e762e571a', region: 'us-west-2', account: '111122223333' });
  });

  it('keeps the RunTask environment override of the .NET sample for judging', () => {
    const file = files.find((f) => f.includes('env-override-bom')) as string;
    const event = classifyGateEvent(read(file));
    if (event.kind !== 'taskStateChange') throw new Error(`expected a task event, got ${event.kind}`);
    expect(JSON.stringify(event.task.overrides)).toContain('environment');
  });

  it('reads a documented build event when the project is the scan project', () => {
    const file = files.find((f) => f.endsWith('codebuild-build-state-change-aws-lambda-go.json')) as string;
    const event = classifyGateEvent(read(file), { scanProjectName: 'my-sample-project' });
    expect(event).toMatchObject({
      kind: 'scanBuildFinished',
      status: 'SUCCEEDED',
      projectName: 'my-sample-project',
      buildId: 'arn:aws:codebuild:us-west-2:123456789012:build/my-sample-project:8745a7a9-c340-456a-9166-edf953571bEX',
    });
  });

  it('keeps the build environment variables of the documented build events (additional-information.environment)', () => {
    const withOne = files.find((f) => f.endsWith('codebuild-build-state-change-aws-lambda-go.json')) as string;
    expect(classifyGateEvent(read(withOne), { scanProjectName: 'my-sample-project' })).toMatchObject({ kind: 'scanBuildFinished', environment: { TEST: 'TEST' } });
    const withNone = files.find((f) => f.endsWith('codebuild-build-state-change-awsdocs.json')) as string;
    expect(classifyGateEvent(read(withNone), { scanProjectName: 'my-sample-project' })).not.toHaveProperty('environment');
  });

  it('takes an Inspector finding only from aws.inspector2: the same detail under another source is ignored', () => {
    const file = files.find((f) => f.endsWith('inspector2-finding-ecr-image-awsdocs.json')) as string;
    const sample = read(file) as Record<string, unknown>;
    expect(classifyGateEvent(sample).kind).toBe('inspectorFinding');
    const spoofed = classifyGateEvent({ ...sample, source: 'my.app' });
    expect(spoofed.kind).toBe('ignored');
  });

  it('ignores the documented task event when its cluster is out of scope', () => {
    const file = files.find((f) => f.endsWith('ecs-task-state-change-fargate-running-awsdocs.json')) as string;
    const event = classifyGateEvent(read(file), { clusterArns: ['arn:aws:ecs:us-west-2:111122223333:cluster/Other'] });
    expect(event).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringMatching(/scope/) });
  });
});

const FIXTURES = join(__dirname, '../../fixtures/events');
const documents = [
  ...readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown),
  ...conformanceFiles('events').map((file) => JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown),
];
const KINDS = ['taskStateChange', 'taskStopped', 'runTaskCall', 'scanBuildFinished', 'imagePushed', 'hookAwaitingAction', 'sweep', 'inspectorFinding', 'ignored'];
const options = { scanProjectName: 'fargate-gate-scan' };

describe('event classification under hostile input', () => {
  it('never throws on any JSON value and always says what the input is', () => {
    assertProperty(
      fc.property(jsonish, (value) => {
        const event = classifyGateEvent(value, options);
        expect(KINDS).toContain(event.kind);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated real and fixture events', () => {
    assertProperty(
      fc.property(fc.constantFrom(...documents).chain(mutated), (value) => {
        const event = classifyGateEvent(value, options);
        expect(KINDS).toContain(event.kind);
        if (event.kind === 'ignored') expect(event.reason).not.toBe('');
      }),
      { numRuns: 1500 },
    );
  });

  it('never throws reading mutated lifecycle hook payloads', () => {
    const hooks = documents.filter((d) => typeof d === 'object' && d !== null && ('executionDetails' in d || 'targetServiceRevisionArn' in d));
    assertProperty(
      fc.property(fc.constantFrom(...hooks).chain(mutated), (value) => {
        const reading = readLifecycleHook(value);
        expect(typeof reading.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('only lets through task and cluster identifiers that are ARNs of their kind', () => {
    const taskEvent = documents.find((d) => (d as Record<string, unknown>)['detail-type'] === 'ECS Task State Change' && JSON.stringify(d).includes('FARGATE_SPOT'));
    assertProperty(
      fc.property(fc.constantFrom('taskArn', 'clusterArn', 'taskDefinitionArn'), shellInjection, (field, injection) => {
        const raw = structuredClone(taskEvent) as { detail: Record<string, string> };
        raw.detail[field] = `${raw.detail[field]}${injection}`;
        const event = classifyGateEvent(raw, options);
        expect(event).toMatchObject({ kind: 'ignored', malformed: true });
      }),
      { numRuns: 200 },
    );
  });

  it('rejects image references carrying shell metacharacters, and never repeats them', () => {
    const bases = ['nginx:1.25', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1', 'ghcr.io/org/app', 'public.ecr.aws/x/y@sha256:' + 'a'.repeat(64)];
    assertProperty(
      fc.property(fc.constantFrom(...bases), shellInjection, fc.nat(60), (base, injection, at) => {
        const position = at % (base.length + 1);
        const image = `${base.slice(0, position)}${injection}${base.slice(position)}`;
        const plan = planImage({ name: 'app', image });
        expect(plan.kind).toBe('invalid');
        // The plan, which is all that goes on to ports, logs and events, never repeats the reference.
        expect(JSON.stringify(plan)).not.toContain(JSON.stringify(image).slice(1, -1));
      }),
      { numRuns: 500 },
    );
  });
});

describe('scheduled events', () => {
  it('reads the scheduled event as a sweep', () => {
    const event = JSON.parse(readFileSync(join(FIXTURES, 'scheduled-event.json'), 'utf8'));
    expect(classifyGateEvent(event, options)).toMatchObject({ kind: 'sweep', meta: { id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa' } });
  });
});
