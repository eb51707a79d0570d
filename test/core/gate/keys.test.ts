import { hookKey, notificationKey, scanNotificationKey, serviceKey, taskKey } from '../../../functions/core/gate/keys';

const cluster = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'b'.repeat(64)}`;

describe('enforcement keys', () => {
  it('follow the store contract formats', () => {
    expect(taskKey('arn:aws:ecs:eu-west-1:123456789012:task/prod/abc')).toBe('task#arn:aws:ecs:eu-west-1:123456789012:task/prod/abc');
    expect(serviceKey(cluster, 'web', [a])).toBe(`service#${cluster}#web#${a}`);
    expect(hookKey('exec-1')).toBe('hook#exec-1');
    expect(scanNotificationKey(a, 'scan-1')).toBe(`scan#${a}#scan-1`);
  });

  it('give the tasks of one deployment one service key, whatever the container order', () => {
    expect(serviceKey(cluster, 'web', [b, a, a])).toBe(serviceKey(cluster, 'web', [a, b]));
  });

  it('give a deployment that changes any image a new service key', () => {
    expect(serviceKey(cluster, 'web', [a, b])).not.toBe(serviceKey(cluster, 'web', [a]));
  });

  it('separate notifications per policy, so a new policy notifies again', () => {
    expect(notificationKey({ taskArn: 't' }, 'h1')).not.toBe(notificationKey({ taskArn: 't' }, 'h2'));
    expect(notificationKey({ clusterArn: cluster, service: 'web', digests: [b, a] }, 'h')).toBe(`notify#service#${cluster}#web#${a},${b}#h`);
  });
});
