import { GATE_HANDLER_ENTRY } from '../../../infra/paths';
import { buildFunctionBundle, type BuiltFunctionBundle } from '../../support/function-bundle';

/**
 * The gate function's bundle, built as the stack builds it (`bundleFunction`), read through esbuild's metafile. Its cold
 * start (the entry and the chunks it imports statically, bench/lambda-bundles.ts) loads what the typical first event
 * needs: an ECS Task State Change of a task whose image digests have verdicts (bench/lambda-first-event.ts). What only
 * other paths need is in chunks those paths import (issue 9: "load what a path needs when it needs it"). esbuild puts a
 * whole file in a cold chunk when the cold path reaches it by an import statement (evanw/esbuild#2869), so a future
 * static import of any of these brings it back, and this test names it.
 */
describe('the gate function bundle', () => {
  let bundle: BuiltFunctionBundle;
  let coldInputs: string[];
  let allInputs: string[];

  beforeAll(() => {
    bundle = buildFunctionBundle(GATE_HANDLER_ENTRY, 'fargate-gate-gate-bundle-');
    ({ coldInputs, allInputs } = bundle);
  }, 120_000);

  afterAll(() => bundle?.remove());

  const own = (inputs: string[], path: string) => inputs.filter((input) => input.endsWith(path));

  it.each([
    // The readers of the event kinds other than a (not STOPPED) task state change (handlers/classify-event.ts).
    'functions/core/events/ecs-task-stopped.ts',
    'functions/core/events/cloudtrail-run-task.ts',
    'functions/core/events/codebuild-build-state-change.ts',
    'functions/core/gate/compute-fallback.ts',
    'functions/core/events/ecr-image-action.ts',
    'functions/core/events/ecs-hook-state-change.ts',
    'functions/core/events/lifecycle-hook.ts',
    // A digest without a verdict (handlers/admission/await-scans.ts) or an image push: the scan records and starting a scan.
    'functions/handlers/admission/await-scans.ts',
    'functions/handlers/scans/scan-records.ts',
    'functions/handlers/scans/lambda-overflow.ts',
    'functions/handlers/scans/image-size.ts',
    'functions/core/gate/compute-routing.ts',
    'functions/core/gate/lambda-overflow.ts',
    // A scan's end: the tasks waiting on it, the image assessment and its rules on scanner findings.
    'functions/handlers/admission/judge-waiters.ts',
    'functions/core/policy/assess.ts',
    'functions/core/policy/rules/image-secrets.ts',
    // A decision to act on or publish: the verdict event, restoring a service's previous revision.
    'functions/core/gate/verdict-event.ts',
    'functions/core/gate/restore.ts',
  ])('leaves %s to a chunk the path that needs it imports', (path) => {
    expect(own(coldInputs, path)).toEqual([]);
    expect(own(allInputs, path)).toEqual([path]);
  });

  it('holds no synchronous classifier, which imports every kind\'s reader (core/events/classify.ts, the barrel)', () => {
    expect(allInputs.filter((input) => /functions\/core\/events\/(classify|index)\.ts$/.test(input))).toEqual([]);
  });

  it.each([
    // The routing of every event and the reader of the first event's kind.
    'functions/core/events/route.ts',
    'functions/core/events/ecs-task-state-change.ts',
    // The judgement of a task whose digests have verdicts.
    'functions/handlers/admission/task-gate.ts',
    'functions/core/policy/evaluate.ts',
  ])('loads %s at cold start: the first event needs it', (path) => {
    expect(own(coldInputs, path)).toEqual([path]);
  });
});
