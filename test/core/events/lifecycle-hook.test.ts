import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookExecutionOf, readLifecycleHook, serviceOfArn } from '../../../functions/core/events';

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
    ['no executionDetails and no flat fields', (p: Record<string, unknown>) => delete p.executionDetails, 'serviceArn'],
    ['a revision ARN that is not one', (p: Record<string, unknown>) => ((p.executionDetails as Record<string, unknown>).targetServiceRevisionArn = 'arn:aws:ecs:x'), 'targetServiceRevisionArn'],
    ['an execution id that is not a string', (p: Record<string, unknown>) => (p.executionId = 7), 'executionId'],
    ['executionDetails that are not an object', (p: Record<string, unknown>) => (p.executionDetails = 'prod/web'), 'executionDetails'],
  ])('refuses a payload with %s, naming the field', (_name, mutate, field) => {
    const raw = fixture('lifecycle-hook-pre-scale-up.json') as Record<string, unknown>;
    mutate(raw);
    const reading = readLifecycleHook(raw);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.reason).toContain(field);
  });
});

/*
 * The flat shape of the ECS developer guide's "Lifecycle payloads" (deployment-lifecycle-hooks.html): the deployment
 * details at the top level, with no executionId and no lifecycleStage.
 */
describe('flat lifecycle hook payloads', () => {
  const wrapped = () => fixture('lifecycle-hook-pre-scale-up.json') as Record<string, unknown> & { executionDetails: Record<string, unknown> };

  it('reads the flat PRE_SCALE_UP payload into the same deployment details as the wrapped one', () => {
    const flat = readLifecycleHook(fixture('lifecycle-hook-pre-scale-up-flat.json'));
    const nested = readLifecycleHook(wrapped());
    if (!flat.ok) throw new Error(flat.reason);
    if (!nested.ok) throw new Error(nested.reason);
    expect(flat.payload.executionDetails).toEqual(nested.payload.executionDetails);
    expect(flat.payload.executionDetails).toEqual({
      serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
      targetServiceRevisionArn: 'arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/9313423515462893900',
      testTrafficWeights: {},
      productionTrafficWeights: {},
    });
    expect(flat.payload.lifecycleStage).toBeUndefined();
    expect(flat.state).toEqual({});
  });

  it('reads the stage, execution id and the gate\'s state when a flat payload carries them', () => {
    const raw = { ...(fixture('lifecycle-hook-pre-scale-up-flat.json') as object), executionId: 'exec-9', lifecycleStage: 'POST_SCALE_UP', hookDetails: { fargateGate: { failures: 2 } } };
    const reading = readLifecycleHook(raw);
    if (!reading.ok) throw new Error(reading.reason);
    expect(reading.payload).toMatchObject({ executionId: 'exec-9', lifecycleStage: 'POST_SCALE_UP' });
    expect(reading.state).toEqual({ failures: 2 });
  });

  it.each([
    ['targetServiceRevisionArn', 'expected a service revision ARN'],
    ['serviceArn', 'expected a service ARN'],
  ])('refuses a flat payload without %s, naming it', (field) => {
    const raw = fixture('lifecycle-hook-pre-scale-up-flat.json') as Record<string, unknown>;
    delete raw[field];
    const reading = readLifecycleHook(raw);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.reason).toContain(field);
  });

  it('refuses a payload whose top-level details contradict its executionDetails', () => {
    const raw = { ...wrapped(), targetServiceRevisionArn: 'arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/1' };
    const reading = readLifecycleHook(raw);
    expect(reading).toEqual({ ok: false, reason: expect.stringMatching(/ambiguous.*targetServiceRevisionArn/) });
  });

  it('accepts a payload that carries both shapes when they agree', () => {
    const raw = wrapped();
    const reading = readLifecycleHook({ ...raw, serviceArn: raw.executionDetails.serviceArn, targetServiceRevisionArn: raw.executionDetails.targetServiceRevisionArn });
    expect(reading.ok).toBe(true);
  });

  it('identifies the execution by its id, else the deployment, else the revision', () => {
    const read = (raw: unknown) => {
      const reading = readLifecycleHook(raw);
      if (!reading.ok) throw new Error(reading.reason);
      return hookExecutionOf(reading.payload);
    };
    expect(read(wrapped())).toBe('e8d5a28f-eb01-4f3c-9454-a30ba6dc54bc');
    const withoutId = wrapped();
    delete withoutId.executionId;
    expect(read(withoutId)).toBe('arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/EZe5RNVLH6PPzHXINuP28');
    expect(read(fixture('lifecycle-hook-pre-scale-up-flat.json'))).toBe('arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/9313423515462893900');
  });
});

describe('serviceOfArn', () => {
  it('reads cluster and service from new-format ARNs and the service from old ones', () => {
    expect(serviceOfArn('arn:aws:ecs:eu-west-1:123456789012:service/prod/web')).toEqual({ cluster: 'prod', service: 'web' });
    expect(serviceOfArn('arn:aws:ecs:eu-west-1:123456789012:service/web')).toEqual({ service: 'web' });
  });
});
