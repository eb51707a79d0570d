import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLifecycleHook, serviceOfArn } from '../../../functions/core/events';

/** The project's own lifecycle hook payloads (test/fixtures/events), shaped after the ECS developer guide. */
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/events', name), 'utf8'));

describe('lifecycle hook payloads', () => {
  it('reads the PRE_SCALE_UP payload', () => {
    const reading = readLifecycleHook(fixture('lifecycle-hook-pre-scale-up.json'));
    if (!reading.ok) throw new Error(reading.reason);
    expect(reading.payload.lifecycleStage).toBe('PRE_SCALE_UP');
    expect(reading.payload.executionDetails.targetServiceRevisionArn).toBe('arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/9313423515462893900');
    expect(reading.state).toEqual({});
  });

  it('reads the gate\'s own state from hookDetails and leaves the service\'s details alone', () => {
    const reading = readLifecycleHook(fixture('lifecycle-hook-callback.json'));
    if (!reading.ok) throw new Error(reading.reason);
    expect(reading.state).toEqual({ scans: { 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0': 'scan-0001' }, failures: 0 });
    expect(reading.payload.hookDetails?.team).toBe('shop');
  });

  it('treats unreadable gate state as none', () => {
    const raw = fixture('lifecycle-hook-callback.json') as { hookDetails: Record<string, unknown> };
    raw.hookDetails.fargateGate = 'garbage';
    const reading = readLifecycleHook(raw);
    expect(reading.ok && reading.state).toEqual({});
  });

  it.each([
    ['no executionDetails', (p: Record<string, unknown>) => delete p.executionDetails, 'executionDetails'],
    ['a revision ARN that is not one', (p: Record<string, unknown>) => ((p.executionDetails as Record<string, unknown>).targetServiceRevisionArn = 'arn:aws:ecs:x'), 'targetServiceRevisionArn'],
    ['no execution id', (p: Record<string, unknown>) => delete p.executionId, 'executionId'],
  ])('refuses a payload with %s, naming the field', (_name, mutate, field) => {
    const raw = fixture('lifecycle-hook-pre-scale-up.json') as Record<string, unknown>;
    mutate(raw);
    const reading = readLifecycleHook(raw);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.reason).toContain(field);
  });
});

describe('serviceOfArn', () => {
  it('reads cluster and service from new-format ARNs and the service from old ones', () => {
    expect(serviceOfArn('arn:aws:ecs:eu-west-1:123456789012:service/prod/web')).toEqual({ cluster: 'prod', service: 'web' });
    expect(serviceOfArn('arn:aws:ecs:eu-west-1:123456789012:service/web')).toEqual({ service: 'web' });
  });
});
