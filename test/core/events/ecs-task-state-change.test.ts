import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyGateEvent } from '../../../functions/core/events';
import { CONFORMANCE_DIR, describeWithConformance, readConformanceJson } from '../../support/conformance';

/** The project's own event fixtures (test/fixtures/events), for shapes the conformance set has no sample of. */
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/events', name), 'utf8'));
const options = { scanProjectName: 'fargate-gate-scan' };

describe('ECS Task State Change', () => {
  it('accepts a service task launched through FARGATE_SPOT, before ECS reports digests', () => {
    const event = classifyGateEvent(fixture('ecs-task-state-change-fargate-spot-provisioning-service.json'), options);
    if (event.kind !== 'taskStateChange') throw new Error(`expected taskStateChange, got ${event.kind}`);
    expect(event.task).toMatchObject({ group: 'service:web', startedBy: 'ecs-svc/4412863370297563981', lastStatus: 'PROVISIONING', version: 1 });
    expect(event.task.containers.map((c) => c.imageDigest)).toEqual([undefined, undefined]);
  });

  it('calls a starting Fargate task with an unusable task ARN malformed', () => {
    const raw = fixture('ecs-task-state-change-fargate-spot-provisioning-service.json') as { detail: Record<string, unknown> };
    raw.detail.taskArn = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/$(reboot)';
    expect(classifyGateEvent(raw, options)).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('detail.taskArn') });
  });

  it('ignores a task that is being stopped even while it still runs', () => {
    const raw = fixture('ecs-task-state-change-fargate-spot-provisioning-service.json') as { detail: Record<string, unknown> };
    raw.detail.lastStatus = 'RUNNING';
    raw.detail.desiredStatus = 'STOPPED';
    expect(classifyGateEvent(raw, options)).toMatchObject({ kind: 'ignored', malformed: false });
  });

  it('does not accept an ECS-looking event from a custom source', () => {
    const raw = fixture('ecs-task-state-change-fargate-spot-provisioning-service.json') as Record<string, unknown>;
    raw.source = 'my.app';
    expect(classifyGateEvent(raw, options)).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringContaining('my.app') });
  });
});

describe('values that are not plain JSON', () => {
  it('does not throw on objects without a prototype where a status is expected', () => {
    const raw = fixture('ecs-task-state-change-fargate-spot-provisioning-service.json') as { detail: Record<string, unknown> };
    raw.detail.lastStatus = Object.create(null);
    raw.detail.capacityProviderName = Object.create(null);
    raw.detail.launchType = Object.create(null);
    expect(classifyGateEvent(raw, options)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('an object') });
  });
});

describeWithConformance('launch facts a real task event carries (../shared/conformance/events)', () => {
  const event = (file: string) => readConformanceJson(join(CONFORMANCE_DIR, 'events', file)) as { detail: Record<string, unknown> };

  it('AWS documentation sample (RUNNING): the platform version, named as from the task event; no ECS Exec member, so none; never a public IP', () => {
    const classified = classifyGateEvent(event('ecs-task-state-change-fargate-running-awsdocs.json'), { scanProjectName: 'fargate-gate-scan' });
    if (classified.kind !== 'taskStateChange') throw new Error(`expected taskStateChange, got ${classified.kind}`);
    expect(classified.task.launch).toEqual({ platformVersion: { value: '1.3.0', source: 'from the ECS task event' } });
    expect(classified.task.exposure).toBeUndefined();
  });

  it('fivexl sample, as it was while it ran: ECS Exec enabled and platform version 1.4.0', () => {
    const raw = event('ecs-task-state-change-fargate-stopped-two-containers-fivexl.json');
    raw.detail.lastStatus = 'RUNNING';
    raw.detail.desiredStatus = 'RUNNING';
    const classified = classifyGateEvent(raw, { scanProjectName: 'fargate-gate-scan' });
    if (classified.kind !== 'taskStateChange') throw new Error(`expected taskStateChange, got ${classified.kind}`);
    expect(classified.task.launch).toEqual({
      execCommand: { value: true, source: 'from the ECS task event' },
      platformVersion: { value: '1.4.0', source: 'from the ECS task event' },
    });
  });
});
