import { planImage } from '../../../functions/core/gate/images';
import { evidenceIsConclusive, planEnforcement } from '../../../functions/core/gate/plan';

const service = { kind: 'service' as const, service: 'web' };
const standalone = { kind: 'standalone' as const };

describe('planEnforcement', () => {
  it('stops a blocked standalone task and rolls back a blocked service', () => {
    expect(planEnforcement('fail', true, standalone)).toEqual({ action: 'stopTask', notify: true });
    expect(planEnforcement('error', true, service)).toEqual({ action: 'rollbackService', notify: true });
  });

  it('only notifies when the decision does not block (warn, audit mode, allowed scan error)', () => {
    expect(planEnforcement('fail', false, standalone)).toEqual({ action: 'none', notify: true });
    expect(planEnforcement('warn', false, service)).toEqual({ action: 'none', notify: true });
  });

  it('is silent on a pass', () => {
    expect(planEnforcement('pass', false, service)).toEqual({ action: 'none', notify: false });
  });
});

describe('evidenceIsConclusive', () => {
  const pinned = planImage({ name: 'a', image: `nginx@sha256:${'e'.repeat(64)}` });
  const guessed = planImage({ name: 'b', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1' });

  it('waits for the digest ECS reports while a task with a resolved tag is starting', () => {
    expect(evidenceIsConclusive([pinned, guessed], 'PENDING')).toBe(false);
    expect(evidenceIsConclusive([pinned], 'PENDING')).toBe(true);
  });

  it('accepts the resolved tag once the task runs: nothing better will come', () => {
    expect(evidenceIsConclusive([pinned, guessed], 'RUNNING')).toBe(true);
  });
});
