import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoInventoryStore } from '../../../functions/adapters/dynamo-inventory';
import { EcsTaskListing } from '../../../functions/adapters/ecs-task-listing';
import { organisationReconcile } from '../../../functions/handlers/lambda/reconcile-organisation';
import { reconcileDeps } from '../../../functions/handlers/lambda/reconcile';
import { RecordingMetrics } from '../../../functions/local/notifier';

const CENTRAL = '111122223333';
const MEMBER = '444455556666';
const ORG_ENV = { AWS_REGION: 'eu-west-1', GATE_ORGANIZATION_ID: 'o-a1b2c3d4e5', GATE_ACCOUNT_ID: CENTRAL };

describe('the reconciliation\'s wiring in an organisation', () => {
  const ecs = mockClient(ECSClient);
  const sts = mockClient(STSClient);
  const inventory = new DynamoInventoryStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), tableName: 'gate' });

  beforeEach(() => {
    ecs.reset();
    sts.reset();
  });

  it('leaves the central listing alone and never calls STS without an organisation id', async () => {
    const central = new EcsTaskListing({ client: new ECSClient({ region: 'eu-west-1' }) });
    const placed = organisationReconcile({ AWS_REGION: 'eu-west-1' }, central, inventory, new RecordingMetrics());
    expect(placed.ecs).toBe(central);
    expect(placed.memberClusters).toBeUndefined();
  });

  it('lists a member cluster\'s tasks with the member role of its account and region, and the central cluster\'s with the function\'s own credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'MEMBERKEY', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [] });
    const centralClient = new ECSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'CENTRALKEY', secretAccessKey: 's' } });
    const placed = organisationReconcile(ORG_ENV, new EcsTaskListing({ client: centralClient }), inventory, new RecordingMetrics());
    expect(placed.memberClusters).toEqual({ source: inventory, centralAccount: CENTRAL });

    await placed.ecs.listTaskPage(`arn:aws:ecs:eu-west-1:${MEMBER}:cluster/prod`);
    await placed.ecs.listTaskPage(`arn:aws:ecs:eu-west-1:${CENTRAL}:cluster/prod`);
    await placed.ecs.describeTaskBatch(`arn:aws:ecs:eu-west-1:${MEMBER}:cluster/prod`, [`arn:aws:ecs:eu-west-1:${MEMBER}:task/prod/0123456789abcdef`]);

    const listCalls = ecs.commandCalls(ListTasksCommand);
    const keyOf = async (index: number) => (await (listCalls[index].thisValue as ECSClient).config.credentials()).accessKeyId;
    expect([listCalls[0].args[0].input.cluster, await keyOf(0)]).toEqual([`arn:aws:ecs:eu-west-1:${MEMBER}:cluster/prod`, 'MEMBERKEY']);
    expect([listCalls[1].args[0].input.cluster, await keyOf(1)]).toEqual([`arn:aws:ecs:eu-west-1:${CENTRAL}:cluster/prod`, 'CENTRALKEY']);
    // The mocked client sends nothing, so the credentials were asked for above: one assumption serves the member's calls.
    expect((await (ecs.commandCalls(DescribeTasksCommand)[0].thisValue as ECSClient).config.credentials()).accessKeyId).toBe('MEMBERKEY');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER}:role/fargate-gate-member-eu-west-1`, RoleSessionName: 'fargate-gate-reconcile' });
  });

  it('reads a member task definition\'s owner tags with the member role of the task\'s cluster', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'MEMBERKEY', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ tags: [{ key: 'team', value: 'payments' }] });
    const placed = organisationReconcile(ORG_ENV, new EcsTaskListing({ client: new ECSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'CENTRALKEY', secretAccessKey: 's' } }) }), inventory, new RecordingMetrics());
    const taskDefinition = `arn:aws:ecs:eu-west-1:${MEMBER}:task-definition/web:3`;
    expect(await placed.ecs.taskDefinitionTags?.(`arn:aws:ecs:eu-west-1:${MEMBER}:cluster/prod`, taskDefinition)).toEqual({ team: 'payments' });
    const [call] = ecs.commandCalls(DescribeTaskDefinitionCommand);
    expect(call.args[0].input).toEqual({ taskDefinition, include: ['TAGS'] });
    expect((await (call.thisValue as ECSClient).config.credentials()).accessKeyId).toBe('MEMBERKEY');
  });

  it('refuses a malformed GATE_ACCOUNT_ID at cold start', () => {
    expect(() => organisationReconcile({ ...ORG_ENV, GATE_ACCOUNT_ID: 'x' }, new EcsTaskListing({ client: new ECSClient({ region: 'eu-west-1' }) }), inventory, new RecordingMetrics())).toThrow(/GATE_ACCOUNT_ID/);
  });

  it('is what the reconcile function\'s entry point builds from its environment', () => {
    const deps = reconcileDeps({ ...ORG_ENV, GATE_TABLE_NAME: 'gate' });
    expect(deps.memberClusters).toMatchObject({ centralAccount: CENTRAL });
    expect(reconcileDeps({ AWS_REGION: 'eu-west-1', GATE_TABLE_NAME: 'gate' }).memberClusters).toBeUndefined();
  });
});
