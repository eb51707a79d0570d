import { CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServiceRevisionsCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verdictToItem } from '../../../functions/adapters/dynamo-items';
import { parseScanReportText } from '../../../functions/core/findings';
import { assessImage } from '../../../functions/core/policy';
import { loadBundledPolicyFileSync } from '../../../functions/io/bundled-policy-file';
import { GATE_ENV } from '../../../functions/handlers/environment';
import { createLambdaHook } from '../../../functions/handlers/lambda/hook-wiring';
import { CLUSTER, REGISTRY, REVISION_ARN, SERVICE_ARN, digestOf, hookPayload, taskDefinitionArnOf, trivyReport } from '../support/scenario';

/**
 * The hook function's own wiring, on its real adapters with every SDK client mocked: a revision whose digests have
 * verdicts is admitted with ECS and DynamoDB alone, and each path that needs more (a tag without a digest, a digest
 * without a verdict, a decision to publish, an organisation) still reaches its client, loaded when that path needs it.
 */
const dir = mkdtempSync(join(tmpdir(), 'gate-hook-wiring-'));
const policyPath = join(dir, 'policy.json');
writeFileSync(policyPath, JSON.stringify({ schemaVersion: '1', name: 'bundled', mode: 'enforce', onScanError: 'deny', rules: { rootUser: { action: 'deny' } } }));
const policy = loadBundledPolicyFileSync(policyPath).policy;

const env = (overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
  [GATE_ENV.tableName]: 'gate-table',
  [GATE_ENV.reportBucket]: 'gate-reports',
  [GATE_ENV.scanProjectName]: 'fargate-gate-scan',
  [GATE_ENV.eventBusName]: 'gate-verdicts',
  [GATE_ENV.policyFile]: policyPath,
  [GATE_ENV.logLevel]: 'silent',
  AWS_REGION: 'eu-west-1',
  ...overrides,
});

const DIGEST = digestOf('web');
const IMAGE = `${REGISTRY}/shop/web:2026.01.05`;
const TASK_DEFINITION = taskDefinitionArnOf('web', 42);

describe('createLambdaHook', () => {
  const ecs = mockClient(ECSClient);
  const ecr = mockClient(ECRClient);
  const dynamo = mockClient(DynamoDBDocumentClient);
  const codeBuild = mockClient(CodeBuildClient);
  const events = mockClient(EventBridgeClient);
  afterEach(() => [ecs, ecr, dynamo, codeBuild, events].forEach((mock) => mock.reset()));
  afterAll(() => [ecs, ecr, dynamo, codeBuild, events].forEach((mock) => mock.restore()));

  /** The revision (DescribeServiceRevisions) and its task definition (DescribeTaskDefinition), one container. */
  function deployment(options: { imageDigest?: string; user?: string }): void {
    ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [{
        serviceRevisionArn: REVISION_ARN,
        serviceArn: SERVICE_ARN,
        clusterArn: CLUSTER,
        taskDefinition: TASK_DEFINITION,
        launchType: 'FARGATE',
        containerImages: [{ containerName: 'web', image: IMAGE, ...(options.imageDigest ? { imageDigest: options.imageDigest } : {}) }],
      }],
      failures: [],
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: TASK_DEFINITION,
        family: 'web',
        revision: 42,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        containerDefinitions: [{ name: 'web', image: IMAGE, essential: true, ...(options.user ? { user: options.user } : {}) }],
      },
    });
  }

  /** BatchGetItem answers a verdict (a report without findings, scanned a minute ago; its image runs as `imageUser`) for each key asked, or none. */
  function verdicts(stored: boolean, imageUser = '1000'): void {
    dynamo.on(BatchGetCommand).callsFake(async (input: { RequestItems: Record<string, { Keys: { pk: string; sk: string }[] }> }) => {
      const responses: Record<string, Record<string, unknown>[]> = {};
      for (const [table, { Keys }] of Object.entries(input.RequestItems)) {
        responses[table] = stored
          ? await Promise.all(Keys.map(async (key) => ({
              ...(await verdictToItem(
                {
                  digest: key.pk.replace(/^digest#/, ''),
                  policyHash: policy.hash,
                  assessment: assessImage(policy, parseScanReportText(trivyReport({ reference: IMAGE, digest: DIGEST, user: imageUser }), 'test report')),
                  scannedAt: new Date(Date.now() - 60_000).toISOString(),
                  expiresAt: Math.floor(Date.now() / 1000) + 86_400,
                },
                { compressAboveBytes: 1_000_000 },
              )),
              ...key,
            })))
          : [];
      }
      return { Responses: responses, UnprocessedKeys: {} };
    });
  }

  it('admits a revision whose digests have passing verdicts with ECS and DynamoDB alone: no ECR, CodeBuild or EventBridge call', async () => {
    deployment({ imageDigest: DIGEST, user: '1000' });
    verdicts(true);
    const built = await createLambdaHook(env());
    await expect(built.hook(hookPayload())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(ecs.commandCalls(DescribeServiceRevisionsCommand)[0].args[0].input).toEqual({ serviceRevisionArns: [REVISION_ARN] });
    expect(dynamo.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems?.['gate-table'].Keys).toEqual([{ pk: `digest#${DIGEST}`, sk: `verdict#${policy.hash}` }]);
    expect([ecr.calls(), codeBuild.calls(), events.calls()].map((calls) => calls.length)).toEqual([0, 0, 0]);
  });

  it('resolves an ECR tag the revision gives no digest for, through the ECR client loaded on that path', async () => {
    deployment({ user: '1000' });
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ registryId: '123456789012', repositoryName: 'shop/web', imageDigest: DIGEST, imageTags: ['2026.01.05'] }] });
    verdicts(true);
    const built = await createLambdaHook(env());
    await expect(built.hook(hookPayload())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(ecr.commandCalls(DescribeImagesCommand)[0].args[0].input).toMatchObject({ repositoryName: 'shop/web', imageIds: [{ imageTag: '2026.01.05' }] });
    expect(dynamo.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems?.['gate-table'].Keys).toEqual([{ pk: `digest#${DIGEST}`, sk: `verdict#${policy.hash}` }]);
  });

  it('starts a CodeBuild scan for a digest without a verdict and answers IN_PROGRESS, naming the scan for the call back', async () => {
    deployment({ imageDigest: DIGEST, user: '1000' });
    verdicts(false);
    dynamo.on(GetCommand).resolves({});
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    codeBuild.on(StartBuildCommand).resolves({ build: { id: 'fargate-gate-scan:0f0e0d0c-0b0a-4909-8807-060504030201' } });
    const built = await createLambdaHook(env());
    const response = await built.hook(hookPayload());
    expect(response).toMatchObject({ hookStatus: 'IN_PROGRESS', hookDetails: { fargateGate: { scans: { [DIGEST]: expect.any(String) }, failures: 0 } } });
    expect(codeBuild.commandCalls(StartBuildCommand)[0].args[0].input).toMatchObject({ projectName: 'fargate-gate-scan' });
  });

  it('refuses the revision of an image that runs as root and publishes the verdict event on the gate\'s bus', async () => {
    deployment({ imageDigest: DIGEST });
    verdicts(true, 'root');
    dynamo.on(PutCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const built = await createLambdaHook(env());
    await expect(built.hook(hookPayload())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(events.commandCalls(PutEventsCommand)[0].args[0].input.Entries?.[0]).toMatchObject({ EventBusName: 'gate-verdicts', DetailType: expect.any(String) });
  });

  it('routes through the organisation when GATE_ORGANIZATION_ID is set: a missing GATE_ACCOUNT_ID fails the build', async () => {
    await expect(createLambdaHook(env({ [GATE_ENV.organizationId]: 'o-a1b2c3d4e5' }))).rejects.toThrow(`${GATE_ENV.accountId} must be the gate's 12-digit account id`);
    await expect(createLambdaHook(env({ [GATE_ENV.organizationId]: 'o-a1b2c3d4e5', [GATE_ENV.accountId]: '111122223333' }))).resolves.toMatchObject({ policy: { name: 'bundled' } });
  });

  it('fails the build naming a missing setting', async () => {
    await expect(createLambdaHook(env({ [GATE_ENV.tableName]: undefined }))).rejects.toThrow(`environment variable ${GATE_ENV.tableName} is required`);
  });
});
