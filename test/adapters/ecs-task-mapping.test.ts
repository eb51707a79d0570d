import type { Task } from '@aws-sdk/client-ecs';
import { toListedTask, toRunningTask } from '../../functions/adapters/ecs-task-mapping';

const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
const REVISION = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const CONTAINERS: Task['containers'] = [{ name: 'app', image: 'web:1', imageDigest: DIGEST }, { name: 'sidecar', image: 'envoy:1' }, { name: 'no-image' }, { image: 'nameless' }];

/** Every member either reading takes, in an order unlike either output's, so the output's own order shows. */
const FULL: Task = {
  stoppedAt: new Date('2026-11-01T09:00:00Z'),
  pullStartedAt: new Date('2026-11-01T07:59:30Z'),
  createdAt: new Date('2026-11-01T07:59:00Z'),
  startedAt: new Date('2026-11-01T08:00:00Z'),
  overrides: { containerOverrides: [{ name: 'app', environment: [{ name: 'MODE', value: 'x' }] }] },
  enableExecuteCommand: true,
  platformVersion: '1.4.0',
  startedBy: 'ecs-svc/123',
  group: 'service:web',
  capacityProviderName: 'FARGATE_SPOT',
  launchType: 'FARGATE',
  containers: CONTAINERS,
  desiredStatus: 'RUNNING',
  lastStatus: 'RUNNING',
  taskDefinitionArn: REVISION,
  clusterArn: CLUSTER,
  taskArn: TASK,
};

describe('toRunningTask (the gate reading DescribeTasks)', () => {
  it('keeps only containers with a name and an image, and the members the gate uses, in a fixed order', () => {
    expect(JSON.stringify(toRunningTask(FULL))).toBe(
      JSON.stringify({
        taskArn: TASK,
        clusterArn: CLUSTER,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        containers: [{ name: 'app', image: 'web:1', imageDigest: DIGEST }, { name: 'sidecar', image: 'envoy:1' }],
        group: 'service:web',
        startedBy: 'ecs-svc/123',
        taskDefinitionArn: REVISION,
        overrides: FULL.overrides,
        createdAt: '2026-11-01T07:59:00.000Z',
        pullStartedAt: '2026-11-01T07:59:30.000Z',
        launch: { execCommand: { value: true, source: 'from DescribeTasks' }, platformVersion: { value: '1.4.0', source: 'from DescribeTasks' } },
      }),
    );
  });

  it('reads a task without statuses as UNKNOWN and leaves out empty members and dates that are not valid', () => {
    expect(
      toRunningTask({ taskArn: TASK, clusterArn: CLUSTER, group: '', startedBy: '', taskDefinitionArn: '', createdAt: new Date(Number.NaN), pullStartedAt: undefined }),
    ).toEqual({ taskArn: TASK, clusterArn: CLUSTER, lastStatus: 'UNKNOWN', desiredStatus: 'UNKNOWN', containers: [] });
  });

  it.each([
    ['no task ARN', { clusterArn: CLUSTER }],
    ['no cluster', { taskArn: TASK }],
    ['an empty task ARN', { taskArn: '', clusterArn: CLUSTER }],
  ])('leaves out a task with %s', (_name, task) => {
    expect(toRunningTask(task)).toBeUndefined();
  });
});

describe('toListedTask (the reconciliation reading DescribeTasks)', () => {
  it('keeps containers with a name (image optional) and the members the reconciliation uses, in a fixed order', () => {
    expect(JSON.stringify(toListedTask(FULL))).toBe(
      JSON.stringify({
        taskArn: TASK,
        clusterArn: CLUSTER,
        taskDefinitionArn: REVISION,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        containers: [{ name: 'app', image: 'web:1', imageDigest: DIGEST }, { name: 'sidecar', image: 'envoy:1' }, { name: 'no-image' }],
        launchType: 'FARGATE',
        capacityProviderName: 'FARGATE_SPOT',
        group: 'service:web',
        startedBy: 'ecs-svc/123',
        startedAt: '2026-11-01T08:00:00.000Z',
        stoppedAt: '2026-11-01T09:00:00.000Z',
      }),
    );
  });

  it('leaves out empty members and dates that are not valid', () => {
    const { taskArn, clusterArn, taskDefinitionArn, lastStatus, desiredStatus } = FULL;
    expect(
      toListedTask({ taskArn, clusterArn, taskDefinitionArn, lastStatus, desiredStatus, group: '', capacityProviderName: '', startedAt: new Date('not a date'), stoppedAt: new Date(Number.NaN) }),
    ).toEqual({ taskArn, clusterArn, taskDefinitionArn, lastStatus, desiredStatus, containers: [] });
  });

  it.each(['taskArn', 'clusterArn', 'taskDefinitionArn', 'lastStatus', 'desiredStatus'] as const)('leaves out a task without %s', (member) => {
    expect(toListedTask({ ...FULL, [member]: undefined })).toBeUndefined();
    expect(toListedTask({ ...FULL, [member]: '' })).toBeUndefined();
  });
});
