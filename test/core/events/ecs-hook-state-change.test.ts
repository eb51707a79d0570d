import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyGateEvent } from '../../../functions/core/events';

/** AWS's documented HOOK_AWAITING_ACTION example, its stage set to PRE_SCALE_UP (see the fixture's _comment). */
const fixture = (): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/ecs-hook-state-change-awaiting-action-pre-scale-up.json'), 'utf8'));
const DEPLOYMENT = 'arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/0EYSiB0qap8xf0N76FsbE';
const SERVICE = 'arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service';
const HOOK = 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw';
const withDetail = (changes: Record<string, unknown>): Record<string, unknown> => {
  const event = fixture();
  event.detail = { ...(event.detail as object), ...changes };
  return event;
};

describe('ECS Hook State Change', () => {
  it('reads the documented HOOK_AWAITING_ACTION into the deployment and hook it names, its stage and its expiry', () => {
    expect(classifyGateEvent(fixture())).toEqual({
      kind: 'hookAwaitingAction',
      meta: expect.objectContaining({ detailType: 'ECS Hook State Change' }),
      target: { serviceDeploymentArn: DEPLOYMENT, serviceArn: SERVICE },
      hookId: HOOK,
      lifecycleStage: 'PRE_SCALE_UP',
      expiresAt: '2026-03-05T16:04:41.000Z',
    });
  });

  it('ignores the documented example itself (a PAUSE hook at POST_TEST_TRAFFIC_SHIFT) and any stage but PRE_SCALE_UP: someone else\'s hook', () => {
    for (const stage of ['POST_TEST_TRAFFIC_SHIFT', 'POST_SCALE_UP', 'PRE_PRODUCTION_TRAFFIC_SHIFT', 'RECONCILE_SERVICE', 'pre_scale_up']) {
      expect(classifyGateEvent(withDetail({ lifecycleStage: stage }))).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringContaining(stage) });
    }
  });

  it('ignores a hook event of any other hook type than PAUSE', () => {
    expect(classifyGateEvent(withDetail({ hookType: 'AWS_LAMBDA' }))).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringContaining('AWS_LAMBDA') });
  });

  it('reads an event that names no stage or type without one (the handler then asks DescribeServiceDeployments)', () => {
    const event = withDetail({});
    const detail = event.detail as Record<string, unknown>;
    delete detail.lifecycleStage;
    delete detail.hookType;
    const read = classifyGateEvent(event);
    expect(read).toMatchObject({ kind: 'hookAwaitingAction', hookId: HOOK });
    expect(read).not.toHaveProperty('lifecycleStage');
  });

  it('is malformed when the stage or type is not a bounded string', () => {
    expect(classifyGateEvent(withDetail({ lifecycleStage: 'X'.repeat(500) }))).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('detail.lifecycleStage') });
    expect(classifyGateEvent(withDetail({ hookType: { type: 'PAUSE' } }))).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('detail.hookType') });
  });

  it('leaves out an unreadable expiry, and reads the event all the same', () => {
    for (const expiresAt of ['tomorrow', 42, '2026-13-45T99:00:00Z']) {
      const read = classifyGateEvent(withDetail({ expiresAt }));
      expect(read).toMatchObject({ kind: 'hookAwaitingAction', hookId: HOOK });
      expect(read).not.toHaveProperty('expiresAt');
    }
  });

  it('falls back to the service in resources when the detail names no deployment', () => {
    const event = fixture();
    event.resources = [SERVICE];
    event.detail = { eventName: 'HOOK_AWAITING_ACTION', hookId: HOOK };
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'hookAwaitingAction', target: { serviceArn: SERVICE }, hookId: HOOK });
  });

  it('ignores other hook events without calling them malformed', () => {
    const event = fixture();
    event.detail = { ...(event.detail as object), eventName: 'HOOK_SUCCEEDED' };
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'ignored', malformed: false });
  });

  it('never carries a hostile or unexpected deployment ARN on, and still reads the event by what else names the deployment', () => {
    const other = fixture();
    other.resources = [];
    other.detail = { ...(other.detail as object), serviceDeploymentArn: 'arn:aws:ecs:us-west-2:123456789012:service-deployment/../../x' };
    expect(classifyGateEvent(other)).toEqual(expect.objectContaining({ kind: 'hookAwaitingAction', target: { serviceArn: SERVICE }, hookId: HOOK }));
  });

  it.each([
    ['a hostile hook id', 'x'.repeat(500)],
    ['a hook id that is not a string', { id: 1 }],
    ['a hook id with characters ECS never issues', 'ecs-pause-../../x'],
    ['no hook id', undefined],
  ])('does nothing for an event with %s: never "some hook awaiting action" of the deployment instead', (_what, hookId) => {
    const event = withDetail({ hookId });
    if (hookId === undefined) delete (event.detail as Record<string, unknown>).hookId;
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('detail.hookId') });
  });

  it('is malformed when its only names are hostile', () => {
    const event = fixture();
    event.resources = ['arn:aws:ecs:us-west-2:123456789012:service/../x'];
    event.detail = { eventName: 'HOOK_AWAITING_ACTION', hookId: HOOK, serviceDeploymentArn: 'not-an-arn', serviceArn: 42 };
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'ignored', malformed: true });
  });

  it('names the path of an unreadable event name', () => {
    const event = fixture();
    event.detail = { ...(event.detail as object), eventName: 'x'.repeat(500) };
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('detail.eventName') });
  });

  it('is malformed when it names neither a deployment nor a service', () => {
    const event = fixture();
    event.resources = [];
    event.detail = { eventName: 'HOOK_AWAITING_ACTION', hookId: HOOK };
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('names neither') });
  });

  it('is not accepted from a custom source posing as ECS', () => {
    expect(classifyGateEvent({ ...fixture(), source: 'my.app' })).toMatchObject({ kind: 'ignored' });
  });
});
