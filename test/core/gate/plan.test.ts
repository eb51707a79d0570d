import { planImage } from '../../../functions/core/gate/images';
import { TAG_PUSH_MARGIN_MS, decideRestore, evidenceIsConclusive, planEnforcement, tagMatchesPull, type RestoreContainer } from '../../../functions/core/gate/plan';
import { parseImageReference } from '../../../functions/core/image/reference';
import { assessImage } from '../../../functions/core/policy/assess';
import type { StoredVerdict } from '../../../functions/core/ports';
import type { TaskDefinitionSpec } from '../../../functions/core/taskdef/model';
import { DIGEST, NOW, OTHER_DIGEST, policy, report, spec, vuln } from '../policy/support';

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

describe('decideRestore', () => {
  const loaded = policy({ rules: { rootUser: { action: 'deny' }, vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } } } });
  const IMAGE = parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0');
  const verdict = (digest: string, critical: number, scannedAt = '2026-09-01T11:00:00Z'): StoredVerdict => ({
    digest,
    policyHash: loaded.hash,
    assessment: assessImage(loaded, report({ vulnerabilities: Array.from({ length: critical }, (_, i) => vuln(`CVE-2026-${1000 + i}`, 'critical')) })),
    scannedAt,
    expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400,
  });
  const taskDefinition = (user = '1000'): TaskDefinitionSpec => ({ arn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:7', containers: [spec({ name: 'app', user })] });
  const decide = (containers: RestoreContainer[], td = taskDefinition()) => decideRestore({ policy: loaded, spec: td, containers, context: { cluster: 'prod', service: 'web' }, now: NOW });

  it('restores a revision whose every image has a current verdict that passes', () => {
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: verdict(DIGEST, 0) }])).toMatchObject({ restore: true, result: { decision: 'pass' } });
  });

  it('does not restore a revision the policy would deny too, for its images or its task definition', () => {
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: verdict(DIGEST, 2) }])).toEqual({ restore: false, why: 'the revision would be denied too (decision fail)' });
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: verdict(DIGEST, 0) }], taskDefinition('root'))).toMatchObject({ restore: false });
  });

  it('restores on a verdict older than maxScanAge (a revision that ran for weeks), not on one past its TTL', () => {
    const old = { ...verdict(DIGEST, 0, '2026-06-01T00:00:00Z') };
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: old }])).toMatchObject({ restore: true });
    const expired = { ...old, expiresAt: Math.floor(NOW.getTime() / 1000) - 1 };
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: expired }])).toEqual({ restore: false, why: `container app: the verdict for ${DIGEST} has expired` });
  });

  it('does not restore what it does not know: a missing or unpinnable image', () => {
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: verdict(DIGEST, 0) }, { name: 'side', digest: OTHER_DIGEST }])).toEqual({
      restore: false,
      why: `container side: no verdict for ${OTHER_DIGEST} under the current policy`,
    });
    expect(decide([{ name: 'app', image: IMAGE, problem: 'its image tag no longer exists in ECR' }])).toEqual({ restore: false, why: 'container app: its image tag no longer exists in ECR' });
    expect(decide([])).toMatchObject({ restore: false });
  });
});
