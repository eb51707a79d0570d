import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { classifyGateEvent, type ClassifyOptions, type DetailKind } from '../../functions/core/events';
import { classifyEvent } from '../../functions/handlers/classify-event';
import { withZod } from '../../functions/io/zod-loader';
import { conformanceFiles, readConformanceJson } from '../support/conformance';
import { assertProperty } from '../support/property';
import { jsonish, mutated } from '../core/events/mutate';

/**
 * The gate's handler classifies with one routing (core/events/route.ts) and each kind's reader loaded when an event of
 * that kind arrives; core/events/classify.ts has every reader at hand. Both must say the same of every event. This file
 * runs without zod preloaded (jest.config.js, "lambda paths"), as the Lambda function does: the synchronous classifier
 * is called through `withZod`, the lazy one loads zod itself.
 */
const FIXTURES = join(__dirname, '../fixtures/events');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, any>;
const documents: unknown[] = [
  ...readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown),
  ...conformanceFiles('events').map(readConformanceJson),
];
const options: ClassifyOptions = { scanProjectName: 'fargate-gate-scan', clusterArns: [] };
const synchronously = (raw: unknown, with_: ClassifyOptions = options) => withZod(() => classifyGateEvent(raw, with_));

describe('classifyEvent (a kind\'s reader loaded when its event arrives)', () => {
  it('says of every fixture and real sample what the synchronous classifier says', async () => {
    expect(documents.length).toBeGreaterThanOrEqual(12);
    for (const document of documents) expect(await classifyEvent(document, options)).toEqual(await synchronously(document));
  });

  it('reaches every kind of the routing table through the fixtures', async () => {
    const kinds = new Set(await Promise.all(documents.map(async (document) => (await classifyEvent(document, options)).kind)));
    const detailKinds: DetailKind[] = ['taskStateChange', 'taskStopped', 'runTaskCall', 'scanBuildFinished', 'imagePushed', 'hookAwaitingAction'];
    // The stopped sample and the inspector finding are real samples (../shared/conformance), absent from a bare clone.
    const expected = conformanceFiles('events').length > 0 ? [...detailKinds, 'sweep', 'inspectorFinding'] : detailKinds.filter((kind) => kind !== 'taskStopped');
    for (const kind of expected) expect(kinds).toContain(kind);
  });

  it('says of mutated events and any JSON value what the synchronous classifier says', async () => {
    await assertProperty(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...documents).chain(mutated), jsonish), async (value) => {
        expect(await classifyEvent(value, options)).toEqual(await synchronously(value));
      }),
      { numRuns: 600 },
    );
  });

  it('passes the options to the lazily loaded readers: the scan project and the clusters in scope', async () => {
    const build = fixture('codebuild-build-state-change-scan-failed.json');
    expect(await classifyEvent(build, { scanProjectName: 'another-project' })).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringContaining('scan project') });
    expect(await classifyEvent(build, { scanProjectName: 'another-project', fallbackScanProjectName: 'fargate-gate-scan' })).toMatchObject({ kind: 'scanBuildFinished' });
    const call = fixture('cloudtrail-runtask-fargate.json');
    const outOfScope = { clusterArns: ['arn:aws:ecs:eu-west-1:123456789012:cluster/elsewhere'] };
    expect(await classifyEvent(call, outOfScope)).toEqual(await synchronously(call, outOfScope));
    expect(await classifyEvent(call, outOfScope)).toMatchObject({ kind: 'ignored', malformed: false });
  });

  describe('a malformed event of a lazily read kind is ignored as malformed, naming what is wrong', () => {
    const malformed: [string, () => unknown, RegExp][] = [
      ['a RunTask call', () => withTask(fixture('cloudtrail-runtask-fargate.json')), /malformed responseElements\.tasks\[0\] at detail\.taskArn/],
      ['a scan build state change', () => ({ ...fixture('codebuild-build-state-change-scan-failed.json'), detail: { ...fixture('codebuild-build-state-change-scan-failed.json').detail, 'build-id': 'build-1' } }), /malformed CodeBuild Build State Change at detail\["build-id"\]/],
      ['an image push', () => ({ ...fixture('ecr-image-action-push.json'), detail: { ...fixture('ecr-image-action-push.json').detail, 'image-digest': 'sha256:abc' } }), /malformed ECR Image Action: detail\["image-digest"\]/],
      ['a hook state change', () => ({ ...fixture('ecs-hook-state-change-awaiting-action-pre-scale-up.json'), detail: { ...fixture('ecs-hook-state-change-awaiting-action-pre-scale-up.json').detail, hookId: 'a b' } }), /detail\.hookId/],
      ['a stopped task', () => stopped(), /malformed ECS Task State Change \(STOPPED\) at detail\.taskArn/],
    ];

    it.each(malformed)('%s', async (_what, event, reason) => {
      expect(await classifyEvent(event(), options)).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringMatching(reason) });
    });
  });
});

function withTask(call: Record<string, any>): unknown {
  call.detail.responseElements.tasks[0].taskArn = 'task-1';
  return call;
}

/** A STOPPED Fargate task's event with a task id where its ARN belongs. */
function stopped(): unknown {
  const running = fixture('ecs-task-state-change-fargate-spot-provisioning-service.json');
  return { ...running, detail: { ...running.detail, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', taskArn: 'task-1' } };
}
