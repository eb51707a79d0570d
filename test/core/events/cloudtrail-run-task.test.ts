import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyGateEvent } from '../../../functions/core/events';

/** The project's own event fixtures (test/fixtures/events), for shapes the conformance set has no sample of. */
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/events', name), 'utf8'));
const options = { scanProjectName: 'fargate-gate-scan' };

describe('CloudTrail RunTask', () => {
  it('reads the launched Fargate task, its overrides and who launched it', () => {
    const event = classifyGateEvent(fixture('cloudtrail-runtask-fargate.json'), options);
    if (event.kind !== 'runTaskCall') throw new Error(`expected runTaskCall, got ${event.kind}`);
    expect(event.launchedBy).toBe('arn:aws:sts::123456789012:assumed-role/ci-deployer/deploy-bot');
    expect(event.tasks).toHaveLength(1);
    const [task] = event.tasks;
    expect(task).toMatchObject({
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/batch/0d3f1c9e2b7a4c5d8e6f7a8b9c0d1e2f',
      clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/nightly-report:7',
      lastStatus: 'PROVISIONING',
      group: 'family:nightly-report',
    });
    expect(task.containers[0].image).toContain('@sha256:4a5b6c7d');
    expect(JSON.stringify(task.overrides)).toContain('AWS_SECRET_ACCESS_KEY');
  });

  it('takes launch type and overrides from the request when the response task lacks them', () => {
    const raw = fixture('cloudtrail-runtask-fargate.json') as { detail: { responseElements: { tasks: Record<string, unknown>[] } } };
    delete raw.detail.responseElements.tasks[0].launchType;
    delete raw.detail.responseElements.tasks[0].overrides;
    const event = classifyGateEvent(raw, options);
    if (event.kind !== 'runTaskCall') throw new Error(`expected runTaskCall, got ${event.kind}`);
    expect(JSON.stringify(event.tasks[0].overrides)).toContain('REPORT_DATE');
  });

  it('ignores a failed call: no task was started', () => {
    const event = classifyGateEvent(fixture('cloudtrail-runtask-failed.json'), options);
    expect(event).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringContaining('AccessDeniedException') });
  });

  it('ignores other ECS calls', () => {
    expect(classifyGateEvent(fixture('cloudtrail-updateservice.json'), options)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('UpdateService') });
  });

  it('names an AWS service that called on someone\'s behalf when there is no caller ARN', () => {
    const raw = fixture('cloudtrail-runtask-fargate.json') as { detail: { userIdentity: Record<string, unknown> } };
    raw.detail.userIdentity = { type: 'AWSService', invokedBy: 'scheduler.amazonaws.com' };
    const event = classifyGateEvent(raw, options);
    expect(event).toMatchObject({ kind: 'runTaskCall', launchedBy: 'scheduler.amazonaws.com' });
  });
});
