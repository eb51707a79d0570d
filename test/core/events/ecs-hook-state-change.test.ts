import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyGateEvent } from '../../../functions/core/events';

/** Hand-written from the documented detail-type and event name (see the fixture's _comment): no captured sample exists. */
const fixture = (): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/ecs-hook-state-change-awaiting-action.handwritten.json'), 'utf8'));
const DEPLOYMENT = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/EZe5RNVLH6PPzHXINuP28';
const SERVICE = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web';

describe('ECS Hook State Change', () => {
  it('reads HOOK_AWAITING_ACTION into the deployment and hook it names', () => {
    expect(classifyGateEvent(fixture())).toEqual({
      kind: 'hookAwaitingAction',
      meta: expect.objectContaining({ detailType: 'ECS Hook State Change' }),
      target: { serviceDeploymentArn: DEPLOYMENT, serviceArn: SERVICE },
      hookId: 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw',
    });
  });

  it('falls back to the service in resources when the detail names no deployment', () => {
    const event = fixture();
    event.detail = { eventName: 'HOOK_AWAITING_ACTION' };
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'hookAwaitingAction', target: { serviceArn: SERVICE } });
  });

  it('ignores other hook events without calling them malformed', () => {
    const event = fixture();
    event.detail = { ...(event.detail as object), eventName: 'HOOK_SUCCEEDED' };
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'ignored', malformed: false });
  });

  it('never carries a hostile or unexpected hook id or deployment ARN on, and still reads the event by what else names the deployment', () => {
    const event = fixture();
    event.detail = { ...(event.detail as object), hookId: 'x'.repeat(500) };
    const read = classifyGateEvent(event);
    expect(read).toMatchObject({ kind: 'hookAwaitingAction', target: { serviceDeploymentArn: DEPLOYMENT } });
    expect(read).not.toHaveProperty('hookId');

    const other = fixture();
    other.detail = { ...(other.detail as object), serviceDeploymentArn: 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/../../x', hookId: { id: 1 } };
    expect(classifyGateEvent(other)).toEqual(expect.objectContaining({ kind: 'hookAwaitingAction', target: { serviceArn: SERVICE } }));
    expect(classifyGateEvent(other)).not.toHaveProperty('hookId');
  });

  it('is malformed when its only names are hostile', () => {
    const event = fixture();
    event.resources = ['arn:aws:ecs:eu-west-1:123456789012:service/../x'];
    event.detail = { eventName: 'HOOK_AWAITING_ACTION', serviceDeploymentArn: 'not-an-arn', serviceArn: 42 };
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
    event.detail = { eventName: 'HOOK_AWAITING_ACTION' };
    expect(classifyGateEvent(event)).toMatchObject({ kind: 'ignored', malformed: true });
  });

  it('is not accepted from a custom source posing as ECS', () => {
    expect(classifyGateEvent({ ...fixture(), source: 'my.app' })).toMatchObject({ kind: 'ignored' });
  });
});
