import { clusterNameOf, isFargate, isStartingOrRunning, taskOwner } from '../../../functions/core/gate/task';

describe('taskOwner', () => {
  it('reads a service task from its group and deployment', () => {
    expect(taskOwner({ group: 'service:web', startedBy: 'ecs-svc/9223370545345641169' })).toEqual({ kind: 'service', service: 'web', deploymentId: '9223370545345641169' });
  });

  it('still sees a service without its deployment id', () => {
    expect(taskOwner({ group: 'service:web' })).toEqual({ kind: 'service', service: 'web' });
  });

  it('treats family groups and missing groups as standalone', () => {
    expect(taskOwner({ group: 'family:batch', startedBy: 'nightly' })).toEqual({ kind: 'standalone' });
    expect(taskOwner({})).toEqual({ kind: 'standalone' });
  });
});

describe('task state helpers', () => {
  it('knows the starting states', () => {
    for (const lastStatus of ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING']) expect(isStartingOrRunning({ lastStatus, desiredStatus: 'RUNNING' })).toBe(true);
    expect(isStartingOrRunning({ lastStatus: 'DEACTIVATING', desiredStatus: 'RUNNING' })).toBe(false);
    expect(isStartingOrRunning({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED' })).toBe(false);
  });

  it('recognises Fargate by launch type or capacity provider', () => {
    expect(isFargate('FARGATE', undefined)).toBe(true);
    expect(isFargate(undefined, 'FARGATE_SPOT')).toBe(true);
    expect(isFargate('EC2', 'my-asg-provider')).toBe(false);
  });

  it('names a cluster from its ARN', () => {
    expect(clusterNameOf('arn:aws:ecs:eu-west-1:123456789012:cluster/prod')).toBe('prod');
    expect(clusterNameOf('prod')).toBe('prod');
  });
});
