import { parseScanReportText } from '../../../functions/core/findings';
import { MAX_EVENT_VIOLATIONS, buildVerdictEvent } from '../../../functions/core/gate/verdict-event';
import { parseImageReference } from '../../../functions/core/image/reference';
import { assessImage, evaluatePolicy } from '../../../functions/core/policy';
import { policyOf } from '../../handlers/support/fakes';
import { digestOf, trivyReport } from '../../handlers/support/scenario';

const policy = policyOf();
const now = new Date('2026-01-05T09:00:00Z');
const digest = digestOf('web');

function resultFor(report: { user?: string; critical?: number } | undefined, scanError?: string) {
  const assessment = report ? assessImage(policy, parseScanReportText(trivyReport({ reference: 'web:1', digest, ...report }), 'r')) : undefined;
  return evaluatePolicy(policy, {
    containers: [{ name: 'web', image: parseImageReference('nginx:1.25'), digest, ...(assessment ? { assessment } : {}), ...(scanError ? { scanError } : {}) }],
    context: { cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod', taskArn: 't' },
    now,
  });
}

describe('buildVerdictEvent', () => {
  it('carries decision, failing rules, images, subject and launcher', () => {
    const event = buildVerdictEvent({
      result: resultFor({ user: 'root', critical: 2 }),
      action: 'stopTask',
      images: [{ container: 'web', image: 'docker.io/library/nginx:1.25', digest, buildId: 'b:1', reportLocation: 's3://r/k' }],
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc',
      launchedBy: 'arn:aws:sts::123456789012:assumed-role/ci/bot',
    });
    expect(event).toMatchObject({
      decision: 'fail',
      mode: 'enforce',
      action: 'stopTask',
      policy: { name: 'production', hash: policy.hash },
      launchedBy: 'arn:aws:sts::123456789012:assumed-role/ci/bot',
      totalViolations: 3,
      images: [{ container: 'web', digest, buildId: 'b:1', reportLocation: 's3://r/k' }],
    });
    expect(event.rules.sort()).toEqual(['rootUser', 'vulnerabilities']);
    expect(event.violations[0]).toMatchObject({ action: 'deny', container: 'web' });
    expect(event).not.toHaveProperty('service');
    expect(event).not.toHaveProperty('errors');
  });

  it('carries the account the task runs in, read from its ARN, so one organisation-wide gate\'s events can be routed per account', () => {
    const base = { result: resultFor({ user: 'root' }), action: 'stopTask' as const, images: [] };
    expect(buildVerdictEvent({ ...base, taskArn: 'arn:aws:ecs:eu-west-1:444455556666:task/prod/abc', cluster: 'arn:aws:ecs:eu-west-1:444455556666:cluster/prod' }).account).toBe('444455556666');
    expect(buildVerdictEvent({ ...base, cluster: 'arn:aws:ecs:eu-west-1:777788889999:cluster/prod' }).account).toBe('777788889999');
    expect(buildVerdictEvent({ ...base, taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3' }).account).toBe('123456789012');
    expect('account' in buildVerdictEvent({ ...base, cluster: 'prod' })).toBe(false);
  });

  it('names onScanError and the reason when an image could not be judged', () => {
    const event = buildVerdictEvent({ result: resultFor(undefined, 'the scan build ended FAILED'), action: 'stopTask', images: [] });
    expect(event.decision).toBe('error');
    expect(event.rules).toEqual(['onScanError']);
    expect(event.errors?.[0].message).toContain('the scan build ended FAILED');
  });

  it('lists at most 100 violations, the most severe first, and says how many there were', () => {
    const event = buildVerdictEvent({ result: resultFor({ critical: 150 }), action: 'none', images: [] });
    expect(event.violations).toHaveLength(MAX_EVENT_VIOLATIONS);
    expect(event.totalViolations).toBe(150);
  });
});
