import { buildInUseReport, expiringExceptions, IN_USE_REPORT_SCHEMA } from '../../../functions/core/posture/in-use-report';
import { inUseReportSchema } from '../../../functions/core/posture/in-use-report-schema';
import type { StoredVerdict } from '../../../functions/core/ports';
import { CLUSTER, REPORT_NOW, digestOf, reportPolicy, use, verdict, vuln } from './in-use-fixtures';

const FAILING = digestOf('f');
const PASSING = digestOf('e');

describe('buildInUseReport', () => {
  const loaded = reportPolicy();
  const verdicts = new Map<string, StoredVerdict>([
    [FAILING, verdict(loaded, FAILING, [vuln('CVE-2026-0001', 'critical'), vuln('CVE-2026-0002', 'medium'), vuln('CVE-2026-0004', 'critical', 'unfixed')])],
    [PASSING, verdict(loaded, PASSING, [vuln('CVE-2026-0003', 'high')], '2026-09-10T06:00:00Z')],
  ]);
  const uses = [
    use(FAILING, 't1'),
    use(FAILING, 't2', { service: 'api', account: '210987654321', cluster: 'arn:aws:ecs:eu-west-1:210987654321:cluster/blue' }),
    use(FAILING, 't3', { service: undefined, firstSeenAt: '2026-08-30T00:00:00Z' }),
    use(PASSING, 't4'),
    use(PASSING, 'gone', { stoppedAt: '2026-09-09T00:00:00Z' }),
  ];
  const report = buildInUseReport({ uses, verdicts, policy: loaded, now: REPORT_NOW });

  it('has one row per digest in use, most urgent first, with its tasks, services, clusters and accounts', () => {
    expect(report.schema).toBe(IN_USE_REPORT_SCHEMA);
    expect(report.rows.map((row) => [row.digest, row.decision])).toEqual([
      [FAILING, 'fail'],
      [PASSING, 'pass'],
    ]);
    const failing = report.rows[0];
    expect(failing.taskCount).toBe(3);
    expect(failing.services).toEqual(['blue/api', 'prod/web']);
    expect(failing.serviceCount).toBe(2);
    expect(failing.clusters).toEqual(['blue', 'prod']);
    expect(failing.accounts).toEqual(['123456789012', '210987654321']);
    expect(failing.images).toEqual(['123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0']);
    expect(failing.repositories).toEqual(['123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app']);
    expect(failing.inUseSince).toBe('2026-08-30T00:00:00Z');
    expect(report.summary).toEqual({ images: 2, tasks: 4, services: 2, byDecision: { pass: 1, warn: 0, fail: 1, error: 0 } });
  });

  it('leaves out closed uses', () => {
    expect(report.rows[1].tasks).toEqual([use(PASSING, 't4').taskArn]);
  });

  it('lists the denied findings and counts the fixable ones by severity, unfixable ones not', () => {
    const failing = report.rows[0];
    expect(failing.deniedFindings.map((finding) => [finding.id, finding.severity, finding.package, finding.fixedVersion])).toEqual([['CVE-2026-0001', 'critical', 'openssl', '1.1.1l']]);
    expect(failing.deniedCount).toBe(1);
    expect(failing.fixableBySeverity).toMatchObject({ critical: 1, high: 0, medium: 0 });
  });

  it('gives the verdict age in hours and where its report is', () => {
    expect(report.rows[0].verdict).toEqual({ scannedAt: '2026-09-09T12:00:00Z', ageHours: 24, policyHash: loaded.hash, reportLocation: `s3://reports/${FAILING}.json` });
    expect(report.rows[1].verdict?.ageHours).toBe(6);
  });

  it('names the exceptions a row relies on that expire within the window, and every such exception of the policy', () => {
    // CVE-2026-0003 (high, fixable) is denied but for EX-1, which expires in 3 days: the image passes on borrowed time.
    expect(report.rows[1].exceptionsExpiringSoon).toEqual([
      { id: 'EX-1', owner: 'team-a', reason: 'vendor patch pending', expiresAt: '2026-09-13T12:00:00.000Z', daysLeft: 3 },
    ]);
    expect(report.rows[0].exceptionsExpiringSoon).toEqual([]);
    expect(report.expiringExceptions.map((e) => e.id)).toEqual(['EX-1']);
    expect(buildInUseReport({ uses, verdicts, policy: loaded, now: REPORT_NOW, exceptionWindowDays: 90 }).expiringExceptions.map((e) => e.id)).toEqual(['EX-1', 'EX-LATER']);
  });

  it('carries the exploit facts the policy used (KEV listing, EPSS score)', () => {
    const exploited = { ...vuln('CVE-2026-0010', 'high'), knownExploited: [{ source: { kind: 'catalogue' as const, catalogue: 'cisa-kev' as const } }], epss: { score: 0.42, source: { kind: 'report' as const, scanner: 'grype' as const } } };
    const kevPolicy = reportPolicy({ rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' }, knownExploited: {} } } });
    const built = buildInUseReport({ uses: [use(FAILING, 't1')], verdicts: new Map([[FAILING, verdict(kevPolicy, FAILING, [exploited])]]), policy: kevPolicy, now: REPORT_NOW });
    expect(built.rows[0].deniedFindings[0]).toMatchObject({ id: 'CVE-2026-0010', epss: 0.42 });
    expect(built.rows[0].deniedFindings[0].knownExploited).toMatch(/KEV/);
  });

  it('judges a digest without a verdict as the gate would at launch: a scan error the policy decides', () => {
    const built = buildInUseReport({ uses: [use(FAILING, 't1')], verdicts: new Map(), policy: loaded, now: REPORT_NOW });
    expect(built.rows[0].decision).toBe('error');
    expect(built.rows[0].verdict).toBeUndefined();
    expect(built.rows[0].errors.join(' ')).toMatch(/no verdict for sha256:f{64}/);
    const lenient = reportPolicy({ onScanError: 'allow' });
    expect(buildInUseReport({ uses: [use(FAILING, 't1')], verdicts: new Map(), policy: lenient, now: REPORT_NOW }).rows[0].decision).toBe('warn');
  });

  it('judges each service the image runs in: an exception scoped to one service does not pass the image elsewhere', () => {
    const scoped = reportPolicy({
      exceptions: [{ id: 'WEB-ONLY', match: { ids: ['CVE-2026-0001'], services: ['web'] }, reason: 'internal only', owner: 'team-a', expiresAt: '2026-09-20' }],
    });
    const scopedVerdicts = new Map([[FAILING, verdict(scoped, FAILING, [vuln('CVE-2026-0001', 'critical')])]]);
    const webOnly = buildInUseReport({ uses: [use(FAILING, 't1')], verdicts: scopedVerdicts, policy: scoped, now: REPORT_NOW });
    expect(webOnly.rows[0].decision).toBe('pass');
    expect(webOnly.rows[0].exceptionsExpiringSoon.map((e) => e.id)).toEqual(['WEB-ONLY']);
    const alsoApi = buildInUseReport({ uses: [use(FAILING, 't1'), use(FAILING, 't2', { service: 'api' })], verdicts: scopedVerdicts, policy: scoped, now: REPORT_NOW });
    expect(alsoApi.rows[0].decision).toBe('fail');
  });

  it('caps rows, tasks and findings and says what it left out', () => {
    const capped = buildInUseReport({ uses, verdicts, policy: loaded, now: REPORT_NOW, limits: { maxRows: 1, maxTasksPerRow: 2, maxFindingsPerRow: 0 } });
    expect(capped.rows.map((row) => row.digest)).toEqual([FAILING]);
    expect(capped.truncated).toEqual({ shown: 1, total: 2 });
    expect(capped.summary.images).toBe(2);
    expect(capped.rows[0].tasks).toHaveLength(2);
    expect(capped.rows[0].taskCount).toBe(3);
    expect(capped.rows[0].deniedFindings).toEqual([]);
    expect(capped.rows[0].deniedCount).toBe(1);
    expect(report.truncated).toBeUndefined();
  });

  it('is valid under its own export schema', () => {
    expect(inUseReportSchema.safeParse(report).success).toBe(true);
    expect(inUseReportSchema.safeParse(buildInUseReport({ uses: [], verdicts: new Map(), policy: loaded, now: REPORT_NOW })).success).toBe(true);
  });

  it('names clusters that are not ARNs as given', () => {
    const built = buildInUseReport({ uses: [use(FAILING, 't1', { cluster: 'plain' })], verdicts, policy: loaded, now: REPORT_NOW });
    expect(built.rows[0].clusters).toEqual(['plain']);
    expect(CLUSTER).toMatch(/cluster\/prod$/);
  });
});

describe('expiringExceptions', () => {
  it('lists live exceptions expiring within the window, soonest first, and never expired ones', () => {
    const loaded = reportPolicy();
    expect(expiringExceptions(loaded, REPORT_NOW.getTime(), 14).map((e) => [e.id, e.daysLeft])).toEqual([['EX-1', 3]]);
    expect(expiringExceptions(loaded, Date.parse('2026-09-14T00:00:00Z'), 365).map((e) => e.id)).toEqual(['EX-LATER']);
  });
});

describe('buildInUseReport: exposure', () => {
  // Fixable criticals are denied everywhere, fixable highs only where the task is public; unknown exposure counts as public.
  const exposurePolicy = reportPolicy({ rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'critical' }, exposure: { public: { fixable: { minSeverity: 'high' } } } } } });
  const digest = digestOf('a');
  const verdicts = new Map<string, StoredVerdict>([[digest, verdict(exposurePolicy, digest, [vuln('CVE-2026-0005', 'high')])]]);
  const internal = { value: 'internal' as const, source: 'runTask' };
  const publicIp = { value: 'public' as const, source: 'runTask' };

  it('judges each use with the exposure it recorded at launch, as admission did', () => {
    const report = buildInUseReport({ uses: [use(digest, 't1', { exposure: internal })], verdicts, policy: exposurePolicy, now: REPORT_NOW });
    expect(report.rows[0].decision).toBe('pass');
    expect(buildInUseReport({ uses: [use(digest, 't1')], verdicts, policy: exposurePolicy, now: REPORT_NOW }).rows[0].decision).toBe('fail');
  });

  it('tells apart an internal and a public task of the same service (the worst decides)', () => {
    const report = buildInUseReport({ uses: [use(digest, 't1', { exposure: internal }), use(digest, 't2', { exposure: publicIp })], verdicts, policy: exposurePolicy, now: REPORT_NOW });
    expect(report.rows[0].decision).toBe('fail');
    expect(report.rows[0].deniedFindings.map((finding) => finding.id)).toEqual(['CVE-2026-0005']);
  });
});
