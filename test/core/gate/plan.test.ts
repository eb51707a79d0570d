import { planImage } from '../../../functions/core/gate/images';
import { TAG_PUSH_MARGIN_MS, evidenceIsConclusive, planEnforcement, tagMatchesPull } from '../../../functions/core/gate/plan';

const service = { kind: 'service' as const, service: 'web' };
const standalone = { kind: 'standalone' as const };

describe('planEnforcement', () => {
  it('stops a blocked standalone task and rolls back a blocked service', () => {
    expect(planEnforcement('fail', true, standalone)).toEqual({ action: 'stopTask', notify: true });
    expect(planEnforcement('fail', true, service)).toEqual({ action: 'rollbackService', notify: true });
  });

  it('stops a standalone task the policy denies for a scan error, but only notifies about a service task', () => {
    expect(planEnforcement('error', true, standalone)).toEqual({ action: 'stopTask', notify: true });
    expect(planEnforcement('error', true, { ...service, deploymentId: '1' })).toEqual({ action: 'none', notify: true });
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

  const pulled = { pullStartedAt: '2026-01-05T09:00:10Z', createdAt: '2026-01-05T09:00:00Z' };
  const pushedBefore = { plan: guessed, tagPushedAt: '2026-01-05T08:00:00Z' };
  const pushedAfter = { plan: guessed, tagPushedAt: '2026-01-05T09:00:11Z' };

  it('waits for the digest ECS reports while a task with a resolved tag is starting', () => {
    expect(evidenceIsConclusive([{ plan: pinned }, pushedBefore], { lastStatus: 'PENDING', ...pulled })).toBe(false);
    expect(evidenceIsConclusive([{ plan: pinned }], { lastStatus: 'PENDING' })).toBe(true);
  });

  it('accepts the resolved tag once the task runs, if the image was pushed before the task began to pull', () => {
    expect(evidenceIsConclusive([{ plan: pinned }, pushedBefore], { lastStatus: 'RUNNING', ...pulled })).toBe(true);
  });

  it('never accepts a resolved tag without evidence that the task pulled that image', () => {
    expect(evidenceIsConclusive([{ plan: pinned }, pushedAfter], { lastStatus: 'RUNNING', ...pulled })).toBe(false);
    expect(evidenceIsConclusive([{ plan: guessed }], { lastStatus: 'RUNNING', ...pulled })).toBe(false);
    expect(evidenceIsConclusive([pushedBefore], { lastStatus: 'RUNNING' })).toBe(false);
  });
});

describe('tagMatchesPull', () => {
  it('needs the push before the pull began, from pullStartedAt or else createdAt', () => {
    expect(tagMatchesPull('2026-01-05T09:00:08Z', { pullStartedAt: '2026-01-05T09:00:10Z', createdAt: '2026-01-05T09:00:00Z' })).toBe(true);
    expect(tagMatchesPull('2026-01-05T09:00:10Z', { pullStartedAt: '2026-01-05T09:00:10Z' })).toBe(false);
    expect(tagMatchesPull('2026-01-05T09:00:09Z', { createdAt: '2026-01-05T09:00:00Z' })).toBe(false);
    expect(tagMatchesPull('2026-01-05T08:59:58Z', { createdAt: '2026-01-05T09:00:00Z' })).toBe(true);
  });

  it('allows for ECR stating imagePushedAt in whole seconds and for the two services\' clocks', () => {
    // A push at 09:00:10.900 that ECR states as 09:00:10, half a second after the task began to pull: the task may
    // well have pulled the image the tag named before, so this is no evidence.
    expect(tagMatchesPull('2026-01-05T09:00:10Z', { pullStartedAt: '2026-01-05T09:00:10.500Z' })).toBe(false);
    expect(tagMatchesPull('2026-01-05T09:00:09Z', { pullStartedAt: '2026-01-05T09:00:10.500Z' })).toBe(false);
    // The boundary: pushed a full margin before the pull began.
    expect(tagMatchesPull('2026-01-05T09:00:08Z', { pullStartedAt: new Date(Date.parse('2026-01-05T09:00:08Z') + TAG_PUSH_MARGIN_MS).toISOString() })).toBe(true);
    expect(tagMatchesPull('2026-01-05T09:00:08Z', { pullStartedAt: new Date(Date.parse('2026-01-05T09:00:08Z') + TAG_PUSH_MARGIN_MS - 1).toISOString() })).toBe(false);
  });

  it('is no evidence when a time is missing or unreadable', () => {
    expect(tagMatchesPull(undefined, { pullStartedAt: '2026-01-05T09:00:10Z' })).toBe(false);
    expect(tagMatchesPull('2026-01-05T08:00:00Z', {})).toBe(false);
    expect(tagMatchesPull('yesterday', { pullStartedAt: '2026-01-05T09:00:10Z' })).toBe(false);
  });
});
