import { hookKey, notificationKey, scanNotificationKey, serviceKey, taskKey } from '../../../functions/core/gate/keys';

const cluster = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'b'.repeat(64)}`;

describe('enforcement keys', () => {
  it('follow the store contract formats', () => {
    expect(taskKey('arn:aws:ecs:eu-west-1:123456789012:task/prod/abc')).toBe('task#arn:aws:ecs:eu-west-1:123456789012:task/prod/abc');
    expect(serviceKey(cluster, 'web', [a], '9223370545345641169')).toBe(`service#${cluster}#web#ecs-svc/9223370545345641169#${a}`);
    expect(serviceKey(cluster, 'web', [a], undefined)).toBe(`service#${cluster}#web#${a}`);
    expect(hookKey('exec-1')).toBe('hook#exec-1');
    expect(scanNotificationKey(a, 'scan-1')).toBe(`scan#${a}#scan-1`);
  });

  it('give the tasks of one deployment one service key, whatever the container order', () => {
    expect(serviceKey(cluster, 'web', [b, a, a], '1')).toBe(serviceKey(cluster, 'web', [a, b], '1'));
    expect(serviceKey(cluster, 'web', [b, a], undefined)).toBe(serviceKey(cluster, 'web', [a, b], undefined));
  });

  it('give a new deployment of the very same images a new service key', () => {
    expect(serviceKey(cluster, 'web', [a], '1111111111111111111')).not.toBe(serviceKey(cluster, 'web', [a], '2222222222222222222'));
  });

  it('give a deployment that changes any image a new service key', () => {
    expect(serviceKey(cluster, 'web', [a, b], '1')).not.toBe(serviceKey(cluster, 'web', [a], '1'));
    expect(serviceKey(cluster, 'web', [a, b], undefined)).not.toBe(serviceKey(cluster, 'web', [a], undefined));
  });

  it('never give a task with a deployment id the key of one without', () => {
    expect(serviceKey(cluster, 'web', [a], '1')).not.toBe(serviceKey(cluster, 'web', [a], undefined));
    expect(serviceKey(cluster, 'web', [a], '')).toBe(serviceKey(cluster, 'web', [a], undefined));
  });

  it('separate notifications per policy, so a new policy notifies again', () => {
    expect(notificationKey({ taskArn: 't' }, 'h1')).not.toBe(notificationKey({ taskArn: 't' }, 'h2'));
    expect(notificationKey({ clusterArn: cluster, service: 'web', digests: [a], deploymentId: '1' }, 'h1')).not.toBe(
      notificationKey({ clusterArn: cluster, service: 'web', digests: [a], deploymentId: '1' }, 'h2'),
    );
  });

  it('notify about a service once per deployment and digests, whatever the container order', () => {
    expect(notificationKey({ clusterArn: cluster, service: 'web', digests: [b, a, b], deploymentId: '9223370545345641169' }, 'h')).toBe(
      `notify#service#${cluster}#web#ecs-svc/9223370545345641169#${a},${b}#h`,
    );
    expect(notificationKey({ clusterArn: cluster, service: 'web', digests: [a], deploymentId: '1111111111111111111' }, 'h')).not.toBe(
      notificationKey({ clusterArn: cluster, service: 'web', digests: [a], deploymentId: '2222222222222222222' }, 'h'),
    );
    expect(notificationKey({ clusterArn: cluster, service: 'web', digests: [a, b], deploymentId: '1' }, 'h')).not.toBe(
      notificationKey({ clusterArn: cluster, service: 'web', digests: [a], deploymentId: '1' }, 'h'),
    );
  });

  it('notify about a service task without a deployment id once per service and digests', () => {
    expect(notificationKey({ clusterArn: cluster, service: 'web', digests: [b, a] }, 'h')).toBe(`notify#service#${cluster}#web#${a},${b}#h`);
    expect(notificationKey({ clusterArn: cluster, service: 'web', digests: [a], deploymentId: '' }, 'h')).toBe(notificationKey({ clusterArn: cluster, service: 'web', digests: [a] }, 'h'));
    expect(notificationKey({ clusterArn: cluster, service: 'web', digests: [a], deploymentId: '1' }, 'h')).not.toBe(notificationKey({ clusterArn: cluster, service: 'web', digests: [a] }, 'h'));
  });
});
