import { parseScanReportText } from '../../../functions/core/findings';
import { assessImage, evaluatePolicy, isBlocking, type LoadedPolicy, type Policy } from '../../../functions/core/policy';
import { loadPolicy } from '../../../functions/core/policy/load';
import { resolveDriftSettings } from '../../../functions/core/policy/drift';
import type { ImageAssessment } from '../../../functions/core/policy/input';
import { trivyReport, digestOf } from '../../handlers/support/scenario';

const REF = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/web:2';
const DIGEST = digestOf('web 2');
const OPENED = '2026-01-05T00:00:00.000Z';
const DAY = 86_400_000;

function policy(drift?: Record<string, unknown>): LoadedPolicy<Policy> {
  return loadPolicy(
    {
      schemaVersion: '1',
      name: 'production',
      mode: 'enforce',
      onScanError: 'deny',
      rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } } },
      ...(drift ? { drift } : {}),
    },
    'test policy',
  );
}

function driftedAssessment(p: LoadedPolicy<Policy>): ImageAssessment {
  const assessment = assessImage(p, parseScanReportText(trivyReport({ reference: REF, digest: DIGEST, critical: 1 }), 'report'));
  return { ...assessment, drift: [{ rule: 'vulnerabilities', id: 'CVE-2025-1000', openedAt: OPENED }] };
}

function judgeAt(p: LoadedPolicy<Policy>, now: number, context: { cluster?: string; service?: string } = { cluster: 'prod', service: 'web' }) {
  return evaluatePolicy(p, { containers: [{ name: 'web', digest: DIGEST, assessment: driftedAssessment(p) }], context, now: new Date(now) });
}

describe('policy drift: launches of a digest whose findings drifted in', () => {
  const withGrace = policy({ grace: { critical: '3d', high: '7d' } });

  it('are allowed with a warning within the grace for the severity, naming until when', () => {
    const result = judgeAt(withGrace, Date.parse(OPENED) + 2 * DAY);
    expect(result.decision).toBe('warn');
    expect(isBlocking(result)).toBe(false);
    expect(result.violations[0]).toMatchObject({ id: 'CVE-2025-1000', action: 'warn', details: { drift: true, driftGraceUntil: '2026-01-08T00:00:00.000Z', policyAction: 'deny' } });
  });

  it('are denied once the grace expired, the reason saying "drift grace expired"', () => {
    const result = judgeAt(withGrace, Date.parse(OPENED) + 3 * DAY);
    expect(result.decision).toBe('fail');
    expect(isBlocking(result)).toBe(true);
    expect(result.violations[0].message).toContain('drift grace expired at 2026-01-08T00:00:00.000Z');
    expect(result.violations[0].details).toMatchObject({ driftGraceExpired: true });
  });

  it('are denied at once without a drift part (as before drift existed) or for a severity without a grace', () => {
    expect(judgeAt(policy(), Date.parse(OPENED) + 60_000).decision).toBe('fail');
    expect(judgeAt(policy({ grace: { high: '7d' } }), Date.parse(OPENED) + 60_000).decision).toBe('fail');
  });

  it('take the grace of the launch scope: first matching scope wins, others get the drift part\'s own', () => {
    const scoped = policy({ grace: { critical: '3d' }, scopes: [{ match: { clusters: ['sandbox-*'] }, grace: { critical: '30d' } }] });
    const fiveDays = Date.parse(OPENED) + 5 * DAY;
    expect(judgeAt(scoped, fiveDays, { cluster: 'sandbox-1', service: 'web' }).decision).toBe('warn');
    expect(judgeAt(scoped, fiveDays, { cluster: 'prod', service: 'web' }).decision).toBe('fail');
  });
});

describe('resolveDriftSettings', () => {
  const scope = (cluster: string, service?: string) => ({ cluster: [cluster], service: service ? [service] : [], repositories: ['shop/web'] });

  it('acts on nothing running and notifies, without a drift part', () => {
    expect(resolveDriftSettings(policy(), scope('prod'))).toEqual({ notify: true, graceMs: {}, stopStandaloneTasks: false, rollBackServices: false, scaleServicesToZero: false });
  });

  it('opts a scope in to acting on running tasks, key by key over the drift part', () => {
    const p = policy({
      notify: true,
      grace: { critical: '3d' },
      scopes: [{ match: { clusters: ['prod'] }, actOnRunning: { stopStandaloneTasks: true, rollBackServices: true }, reason: 'production acts' }],
    });
    expect(resolveDriftSettings(p, scope('prod', 'web'))).toEqual({
      notify: true,
      graceMs: { critical: 3 * DAY },
      stopStandaloneTasks: true,
      rollBackServices: true,
      scaleServicesToZero: false,
      scope: 0,
      reason: 'production acts',
    });
    expect(resolveDriftSettings(p, scope('staging', 'web'))).toMatchObject({ stopStandaloneTasks: false, rollBackServices: false });
  });

  it('never scales a service to zero unless scaleServicesToZero says so', () => {
    expect(resolveDriftSettings(policy({ actOnRunning: { rollBackServices: true } }), scope('prod', 'web')).scaleServicesToZero).toBe(false);
    expect(resolveDriftSettings(policy({ actOnRunning: { rollBackServices: true, scaleServicesToZero: true } }), scope('prod', 'web')).scaleServicesToZero).toBe(true);
  });
});

describe('policy drift schema', () => {
  it.each([
    ['a grace that is not a duration', { grace: { critical: '3 days' } }, /drift\.grace\.critical/],
    ['an unknown severity', { grace: { urgent: '1d' } }, /drift\.grace/],
    ['an unknown action', { actOnRunning: { deleteService: true } }, /drift\.actOnRunning/],
    ['a scope without a match', { scopes: [{ grace: { critical: '1d' } }] }, /drift\.scopes\[0\]\.match|drift\.scopes\.0\.match/],
  ])('refuses %s, naming where', (_name, drift, where) => {
    expect(() => policy(drift)).toThrow(where);
  });
});
