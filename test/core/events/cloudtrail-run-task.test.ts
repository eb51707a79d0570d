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

describe('CloudTrail RunTask: launch facts', () => {
  it('takes the public IP from the request and ECS Exec and the platform version from the response task, each naming its source; no public IP and no load balancer is internal', () => {
    const raw = fixture('cloudtrail-runtask-fargate.json') as { detail: { responseElements: { tasks: Record<string, unknown>[] } } };
    raw.detail.responseElements.tasks[0].enableExecuteCommand = true;
    const event = classifyGateEvent(raw, options);
    if (event.kind !== 'runTaskCall') throw new Error(`expected runTaskCall, got ${event.kind}`);
    expect(event.tasks[0].launch).toEqual({
      execCommand: { value: true, source: 'from the RunTask response' },
      platformVersion: { value: '1.4.0', source: 'from the RunTask response' },
      publicIp: { value: false, source: 'from the RunTask call' },
    });
    expect(event.tasks[0].exposure).toEqual({ value: 'internal', source: 'no public IP (from the RunTask call) and no load balancer' });
  });

  it('a request with assignPublicIp ENABLED makes the task public; what the response task leaves out the request decides, with its API defaults', () => {
    const raw = fixture('cloudtrail-runtask-fargate.json') as {
      detail: { requestParameters: { networkConfiguration: { awsvpcConfiguration: Record<string, unknown> } }; responseElements: { tasks: Record<string, unknown>[] } };
    };
    raw.detail.requestParameters.networkConfiguration.awsvpcConfiguration.assignPublicIp = 'ENABLED';
    delete raw.detail.responseElements.tasks[0].platformVersion;
    const event = classifyGateEvent(raw, options);
    if (event.kind !== 'runTaskCall') throw new Error(`expected runTaskCall, got ${event.kind}`);
    expect(event.tasks[0].launch).toEqual({
      execCommand: { value: false, source: 'from the RunTask call' },
      platformVersion: { value: 'LATEST', source: 'from the RunTask call' },
      publicIp: { value: true, source: 'from the RunTask call' },
    });
    expect(event.tasks[0].exposure).toEqual({ value: 'public', source: 'a public IP is assigned (from the RunTask call)' });
  });

  it('an unreadable network configuration gives no request facts and no exposure, and the task is still judged', () => {
    const raw = fixture('cloudtrail-runtask-fargate.json') as { detail: { requestParameters: Record<string, unknown> } };
    raw.detail.requestParameters.networkConfiguration = { awsvpcConfiguration: { assignPublicIp: 42 } };
    const event = classifyGateEvent(raw, options);
    if (event.kind !== 'runTaskCall') throw new Error(`expected runTaskCall, got ${event.kind}`);
    expect(event.tasks[0].launch).toEqual({ platformVersion: { value: '1.4.0', source: 'from the RunTask response' } });
    expect(event.tasks[0].exposure).toBeUndefined();
  });
});
