import { clientPackagesOf } from '../../../bench/lambda-bundles';
import { HOOK_HANDLER_ENTRY } from '../../../infra/paths';
import { buildFunctionBundle, type BuiltFunctionBundle } from '../../support/function-bundle';

/**
 * The lifecycle hook function's bundle, built as the stack builds it (`bundleFunction`: the stack's esbuild options,
 * ES module chunks), read through esbuild's metafile. Its cold start (the entry and the chunks it imports statically,
 * bench/lambda-bundles.ts) loads what admitting a revision whose digests have verdicts needs, and nothing of the gate
 * function's paths: the hook's cold start is measured against the bare clients of that path (issue 9, `npm run bench`).
 */
describe('the hook function bundle', () => {
  let bundle: BuiltFunctionBundle;
  let coldInputs: string[];
  let allInputs: string[];

  beforeAll(() => {
    bundle = buildFunctionBundle(HOOK_HANDLER_ENTRY, 'fargate-gate-hook-bundle-');
    ({ coldInputs, allInputs } = bundle);
  }, 120_000);

  afterAll(() => bundle?.remove());

  const clientsOf = (inputs: string[]) => clientPackagesOf({ inputs: Object.fromEntries(inputs.map((input) => [input, {}])) });
  const own = (inputs: string[], path: string) => inputs.filter((input) => input.endsWith(path));

  it('loads at cold start the ECS and DynamoDB clients alone; ECR, CodeBuild, S3, EventBridge and STS are in chunks a path imports', () => {
    expect(clientsOf(coldInputs)).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-ecs']);
    expect(clientsOf(allInputs)).toEqual(expect.arrayContaining(['@aws-sdk/client-codebuild', '@aws-sdk/client-ecr', '@aws-sdk/client-eventbridge', '@aws-sdk/client-s3', '@aws-sdk/client-sts']));
  });

  it.each([
    // A tag without a digest: the registry adapter.
    'functions/adapters/ecr.ts',
    // A digest without a verdict: the hook's scan path, the scan records, the scanner adapter.
    'functions/handlers/admission/hook-scans.ts',
    'functions/handlers/scans/scan-records.ts',
    'functions/adapters/codebuild.ts',
    // A decision to publish; an organisation's member accounts.
    'functions/adapters/eventbridge.ts',
    'functions/handlers/lambda/organisation.ts',
  ])('leaves %s to a chunk the path that needs it imports', (path) => {
    expect(own(coldInputs, path)).toEqual([]);
    expect(own(allInputs, path)).toEqual([path]);
  });

  it.each([
    'functions/handlers/gate.ts',
    'functions/handlers/lambda/wiring.ts',
    'functions/handlers/admission/task-gate.ts',
    'functions/handlers/enforcement/enforce.ts',
    'functions/handlers/posture/record-uses.ts',
    'functions/core/events/classify.ts',
  ])('holds none of the gate function\'s event paths: %s', (path) => {
    expect(own(allInputs, path)).toEqual([]);
  });
});
