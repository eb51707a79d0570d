import { describeGateResult, routineReason } from '../../functions/local/describe';

describe('routineReason (which gate results a timeline may summarise)', () => {
  it('an event ignored for a routine reason: the reason without its particulars', () => {
    expect(routineReason({ kind: 'ignored', reason: 'not a starting task (lastStatus STOPPED, desiredStatus STOPPED)', malformed: false })).toBe('not a starting task');
    expect(routineReason({ kind: 'ignored', reason: "cluster not in the gate's scope", malformed: false })).toBe("cluster not in the gate's scope");
  });

  it('a malformed event is never routine', () => {
    expect(routineReason({ kind: 'ignored', reason: 'malformed ECS Task State Change: ...', malformed: true })).toBeUndefined();
  });

  it('a task event skipped as a duplicate is routine; one judged or waiting is not', () => {
    expect(routineReason({ kind: 'taskStateChange', judgement: { status: 'skipped', reason: 'duplicate or out-of-order event' } })).toBe('duplicate or out-of-order event');
    expect(routineReason({ kind: 'taskStateChange', judgement: { status: 'waiting', on: ['sha256:1'] } })).toBeUndefined();
    expect(routineReason({ kind: 'taskStateChange', judgement: { status: 'judged', decision: 'pass' } })).toBeUndefined();
  });

  it('a RunTask call is routine only when every task in it was skipped', () => {
    const skipped = { status: 'skipped', reason: 'duplicate or out-of-order event' };
    expect(routineReason({ kind: 'runTaskCall', judgements: [skipped, skipped] })).toBe('duplicate or out-of-order event');
    expect(routineReason({ kind: 'runTaskCall', judgements: [skipped, { status: 'waiting', on: [] }] })).toBeUndefined();
    expect(routineReason({ kind: 'runTaskCall', judgements: [] })).toBeUndefined();
  });

  it('a sweep that found nothing to do is routine; one that did anything is not', () => {
    const quiet = { retried: 0, finished: 0, expired: 0, stillRunning: 0 };
    const posture = { inUse: 3, reevaluated: 0, sbomScans: 0, imageScans: 0, deferred: 0, inFlight: 0, drift: { expired: 0 }, expiringExceptions: 0 };
    expect(routineReason({ kind: 'sweep', summary: quiet })).toBe('sweep with nothing to do');
    expect(routineReason({ kind: 'sweep', summary: quiet, posture })).toBe('sweep with nothing to do');
    expect(routineReason({ kind: 'sweep', summary: { ...quiet, finished: 1 } })).toBeUndefined();
    expect(routineReason({ kind: 'sweep', summary: quiet, posture: { ...posture, sbomScans: 1 } })).toBeUndefined();
    expect(routineReason({ kind: 'sweep', summary: quiet, posture: { ...posture, drift: { expired: 2 } } })).toBeUndefined();
  });

  it('anything else, or nothing readable, is not routine', () => {
    for (const result of [undefined, null, 'text', { kind: 'sweep', summary: {} }, { kind: 'failed' }]) expect(routineReason(result)).toBeUndefined();
  });
});

describe('describeGateResult of an ECS Hook State Change', () => {
  const ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/Dep1';

  it('says a held deployment waits, on which digests; a decided one is left to its action line', () => {
    const waiting = { kind: 'waiting', serviceDeploymentArn: ARN, hookId: 'ecs-pause-x', digests: [`sha256:${'a'.repeat(64)}`] };
    const decided = { kind: 'continued', serviceDeploymentArn: ARN, hookId: 'ecs-pause-x', action: 'CONTINUE', decision: 'pass' };
    expect(describeGateResult({ kind: 'hookAwaitingAction', outcomes: [waiting] })).toBe('deployment Dep1 held at its PAUSE hook, waiting for sha256:aaaaaaaaaaaa…');
    expect(describeGateResult({ kind: 'hookAwaitingAction', outcomes: [decided] })).toBeUndefined();
  });

  it('says why nothing was decided: no deployment, a hook no longer awaiting action, or ECS refusing the answer', () => {
    expect(describeGateResult({ kind: 'hookAwaitingAction', outcomes: [] })).toBe('no deployment in progress for this hook event');
    expect(describeGateResult({ kind: 'hookAwaitingAction', outcomes: [{ kind: 'notAwaiting', serviceDeploymentArn: ARN, why: 'no PAUSE hook is AWAITING_ACTION' }] })).toBe(
      'deployment Dep1: nothing to decide (no PAUSE hook is AWAITING_ACTION)',
    );
    expect(describeGateResult({ kind: 'hookAwaitingAction', outcomes: [{ kind: 'refused', serviceDeploymentArn: ARN, hookId: 'h', action: 'ROLLBACK', message: 'not awaiting action' }] })).toBe(
      'ContinueServiceDeployment ROLLBACK refused for Dep1: not awaiting action',
    );
  });
});
