import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListClustersCommand, ListTasksCommand, type DescribeTasksCommandOutput } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcsTaskListing } from '../../functions/adapters/ecs-task-listing';
import { CONFORMANCE_DIR, describeWithConformance } from '../support/conformance';
import { awsError } from './sample-data';

const ecsMock = mockClient(ECSClient);
const listing = new EcsTaskListing({ client: new ECSClient({ region: 'eu-west-1' }) });
const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
const GONE = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/ffffffffffffffffffffffffffffffff';
const DIGEST = `sha256:${'a'.repeat(64)}`;

beforeEach(() => ecsMock.reset());

describe('EcsTaskListing.listTaskPage', () => {
  it('asks for one page of 100 Fargate tasks ECS means to keep running (launchType FARGATE: no EC2 task of a mixed cluster), passing the token on', async () => {
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [TASK], nextToken: 'next-1' });
    expect(await listing.listTaskPage(CLUSTER)).toEqual({ taskArns: [TASK], nextToken: 'next-1' });
    expect(await listing.listTaskPage(CLUSTER, 'next-1')).toEqual({ taskArns: [TASK], nextToken: 'next-1' });
    expect(ecsMock.commandCalls(ListTasksCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: CLUSTER, desiredStatus: 'RUNNING', launchType: 'FARGATE', maxResults: 100 },
      { cluster: CLUSTER, desiredStatus: 'RUNNING', launchType: 'FARGATE', maxResults: 100, nextToken: 'next-1' },
    ]);
  });

  it('answers the last page without a token, and an empty cluster with no tasks', async () => {
    ecsMock.on(ListTasksCommand).resolves({});
    expect(await listing.listTaskPage(CLUSTER)).toEqual({ taskArns: [] });
  });

  it('passes throttling on as the SDK raised it, for the reconciliation to stop its run', async () => {
    ecsMock.on(ListTasksCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(listing.listTaskPage(CLUSTER)).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('EcsTaskListing.describeTaskBatch', () => {
  it('maps the tasks and keeps failures[] (MISSING) instead of dropping them', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK,
          clusterArn: CLUSTER,
          taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3',
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          capacityProviderName: 'FARGATE_SPOT',
          launchType: 'FARGATE',
          group: 'service:web',
          startedBy: 'ecs-svc/123',
          startedAt: new Date('2026-11-01T08:00:00Z'),
          containers: [{ name: 'app', image: 'web:1', imageDigest: DIGEST }, { name: 'no-image' }, { image: 'nameless' }],
        },
        { taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/without-cluster' },
      ],
      failures: [{ arn: GONE, reason: 'MISSING' }, { reason: 'MISSING' }],
    } as DescribeTasksCommandOutput);
    expect(await listing.describeTaskBatch(CLUSTER, [TASK, GONE, TASK])).toEqual({
      tasks: [
        {
          taskArn: TASK,
          clusterArn: CLUSTER,
          taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3',
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          capacityProviderName: 'FARGATE_SPOT',
          launchType: 'FARGATE',
          group: 'service:web',
          startedBy: 'ecs-svc/123',
          startedAt: '2026-11-01T08:00:00.000Z',
          containers: [{ name: 'app', image: 'web:1', imageDigest: DIGEST }, { name: 'no-image' }],
        },
      ],
      failures: [{ arn: GONE, reason: 'MISSING' }],
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: CLUSTER, tasks: [TASK, GONE] });
  });

  it('refuses more than 100 tasks in one call, and makes no call for none', async () => {
    await expect(listing.describeTaskBatch(CLUSTER, Array.from({ length: 101 }, (_, i) => `${TASK}${i}`))).rejects.toThrow(/at most 100 tasks per call, got 101/);
    expect(await listing.describeTaskBatch(CLUSTER, [])).toEqual({ tasks: [], failures: [] });
    expect(ecsMock).not.toHaveReceivedCommand(DescribeTasksCommand);
  });
});

describe('EcsTaskListing.taskDefinitionTags', () => {
  const TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7';

  it('reads the tags DescribeTaskDefinition returns with include TAGS, as key → value', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEFINITION }, tags: [{ key: 'team', value: 'payments' }, { key: 'cost-centre', value: '42' }] });
    expect(await listing.taskDefinitionTags(CLUSTER, TASK_DEFINITION)).toEqual({ team: 'payments', 'cost-centre': '42' });
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand).map((call) => call.args[0].input)).toEqual([{ taskDefinition: TASK_DEFINITION, include: ['TAGS'] }]);
  });

  it('answers undefined for a task definition without tags, and holds hostile tags to ECS\'s limits', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEFINITION } });
    expect(await listing.taskDefinitionTags(CLUSTER, TASK_DEFINITION)).toBeUndefined();
    const many = Array.from({ length: 80 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ tags: [{ key: 'x'.repeat(129), value: 'too long a key' }, ...many] });
    const tags = await listing.taskDefinitionTags(CLUSTER, TASK_DEFINITION);
    expect(Object.keys(tags ?? {})).toHaveLength(50);
    expect(tags).not.toHaveProperty('x'.repeat(129));
  });
});

describe('EcsTaskListing.listClusterPage', () => {
  it('lists one page of clusters', async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER], nextToken: 'c2' });
    expect(await listing.listClusterPage()).toEqual({ clusterArns: [CLUSTER], nextToken: 'c2' });
    expect(ecsMock).toHaveReceivedCommandWith(ListClustersCommand, { maxResults: 100 });
  });
});

describeWithConformance('EcsTaskListing on the AWS CLI DescribeTasks example', () => {
  it('reads the Fargate tasks of the documented answer', async () => {
    const sample = JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'ecs-api', 'awscli-example-describe-tasks-multiple-fargate-nginx.json'), 'utf8')) as DescribeTasksCommandOutput;
    ecsMock.on(DescribeTasksCommand).resolves(sample);
    const arns = (sample.tasks ?? []).map((task) => task.taskArn as string);
    const { tasks, failures } = await listing.describeTaskBatch('arn:aws:ecs:us-east-1:123456789012:cluster/MyCluster', arns);
    expect(tasks.map((task) => task.taskArn)).toEqual(arns);
    expect(tasks.every((task) => task.launchType === 'FARGATE' && task.lastStatus === 'RUNNING')).toBe(true);
    expect(failures).toEqual([]);
  });
});
