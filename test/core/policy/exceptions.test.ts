import type { PolicyInput } from '../../../functions/core/policy/schema';
import { container, DIGEST, evaluate, misconfig, NOW, OTHER_DIGEST, policy, report, vuln } from './support';

type ExceptionInput = NonNullable<PolicyInput['exceptions']>[number];
const exception = (id: string, match: ExceptionInput['match'], expiresAt = '2027-01-01'): ExceptionInput => ({ id, match, reason: `reason ${id}`, owner: `owner ${id}`, expiresAt });

const rules: PolicyInput['rules'] = {
  rootUser: { action: 'deny' },
  vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' }, maxCounts: { high: 0 } },
  misconfigurations: { action: 'deny', minSeverity: 'low' },
  images: { action: 'deny', denyTags: ['latest'] },
};
const scan = report({
  image: { ...report().image, configUser: 'root' },
  vulnerabilities: [
    vuln('CVE-2023-44487', 'high', 'fixed', { name: 'golang.org/x/net', purl: 'pkg:golang/golang.org/x/net@v0.7.0' }, ['GHSA-qppj-fm5r-hxr3']),
    vuln('CVE-2024-0001', 'critical', 'fixed', { name: 'openssl', purl: 'pkg:deb/debian/openssl@3.0.11' }),
  ],
  misconfigurations: [misconfig('DS-0026', 'low')],
});

function run(exceptions: ExceptionInput[], options: { image?: string; name?: string; digest?: string; cluster?: string; service?: string; now?: Date } = {}) {
  const loaded = policy({ rules, exceptions });
  const evidence = container(loaded, scan, { image: options.image ?? '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:latest', name: options.name ?? 'api' }, options.digest ? { digest: options.digest } : {});
  return evaluate(loaded, [evidence], { cluster: options.cluster ?? 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod', service: options.service ?? 'service:api' }, options.now ?? NOW);
}
const suppressedIds = (result: ReturnType<typeof run>) => result.suppressed.map((v) => v.id).sort();

describe('exceptions', () => {
  it('suppress a violation by id, saying which exception did, and list it as used', () => {
    const result = run([exception('EXC-1', { ids: ['CVE-2024-0001'] })]);
    expect(result.suppressed).toHaveLength(1);
    expect(result.suppressed[0]).toMatchObject({
      id: 'CVE-2024-0001',
      suppressedBy: { exceptionId: 'EXC-1', reason: 'reason EXC-1', owner: 'owner EXC-1', expiresAt: '2027-01-01' },
    });
    expect(result.violations.map((v) => v.id)).not.toContain('CVE-2024-0001');
    expect(result.exceptions).toEqual({ used: [{ id: 'EXC-1', reason: 'reason EXC-1', owner: 'owner EXC-1', expiresAt: '2027-01-01' }], unused: [], expired: [] });
  });

  it('match ids through aliases and any spelling', () => {
    expect(suppressedIds(run([exception('A', { ids: ['ghsa-qppj-fm5r-hxr3'] })]))).toEqual(['CVE-2023-44487']);
    expect(suppressedIds(run([exception('B', { ids: ['DS026'] })]))).toEqual(['DS-0026']);
    expect(suppressedIds(run([exception('C', { ids: ['rootUser', 'images.tag', 'vulnerabilities.maxCounts.high'] })]))).toEqual([
      'images.tag',
      'rootUser',
      'vulnerabilities.maxCounts.high',
    ]);
  });

  it.each<[string, ExceptionInput['match'], string[]]>([
    ['packages by name', { packages: ['golang.org/x/*'] }, ['CVE-2023-44487']],
    ['packages by purl', { packages: ['pkg:deb/debian/openssl@*'] }, ['CVE-2024-0001']],
    ['repositories by path', { repositories: ['team/*'], rules: ['misconfigurations'] }, ['DS-0026']],
    ['repositories by full name', { repositories: ['*.dkr.ecr.*.amazonaws.com/team/api'], ids: ['DS-0026'] }, ['DS-0026']],
    ['digests', { digests: [DIGEST], rules: ['rootUser'] }, ['rootUser']],
    ['clusters by short name', { clusters: ['prod'], ids: ['CVE-2024-0001'] }, ['CVE-2024-0001']],
    ['clusters by ARN', { clusters: ['arn:aws:ecs:*:*:cluster/prod'], ids: ['CVE-2024-0001'] }, ['CVE-2024-0001']],
    ['services from the task group', { services: ['api'], rules: ['images'] }, ['images.tag']],
    ['containers', { containers: ['api'], rules: ['images'] }, ['images.tag']],
    ['rules', { rules: ['vulnerabilities'] }, ['CVE-2023-44487', 'CVE-2024-0001', 'vulnerabilities.maxCounts.high']],
  ])('match %s', (_label, match, expected) => {
    const result = run([exception('X', match)]);
    expect(suppressedIds(result)).toEqual(expected);
    expect(result.exceptions.used.map((e) => e.id)).toEqual(['X']);
  });

  it.each<[string, ExceptionInput['match']]>([
    ['a different cluster', { ids: ['CVE-2024-0001'], clusters: ['staging'] }],
    ['a different service', { ids: ['CVE-2024-0001'], services: ['worker'] }],
    ['a different repository', { ids: ['CVE-2024-0001'], repositories: ['team/web'] }],
    ['a different digest', { ids: ['CVE-2024-0001'], digests: [OTHER_DIGEST] }],
    ['a different container', { ids: ['CVE-2024-0001'], containers: ['web'] }],
    ['a different package', { ids: ['CVE-2024-0001'], packages: ['libssl*'] }],
    ['a different rule', { ids: ['CVE-2024-0001'], rules: ['secrets'] }],
    ['a package on a violation without one', { packages: ['*'], rules: ['rootUser'] }],
  ])('need every given key to match: %s suppresses nothing and is unused', (_label, match) => {
    const result = run([exception('X', match)]);
    expect(result.suppressed).toEqual([]);
    expect(result.exceptions.unused.map((e) => e.id)).toEqual(['X']);
  });

  it('do not apply once expired, and are reported as expired; the violation names the expired exception', () => {
    const result = run([exception('OLD', { ids: ['CVE-2024-0001'] }, '2026-08-01')]);
    expect(result.suppressed).toEqual([]);
    expect(result.exceptions.expired.map((e) => e.id)).toEqual(['OLD']);
    expect(result.exceptions.used).toEqual([]);
    expect(result.violations.find((v) => v.id === 'CVE-2024-0001')?.details?.expiredException).toBe('OLD');
    expect(result.decision).toBe('fail');
  });

  it('say in the violation message which exception expired and when, not only in details', () => {
    const dated = run([exception('EXC-1', { ids: ['CVE-2024-0001'] }, '2026-01-01')]).violations.find((v) => v.id === 'CVE-2024-0001');
    expect(dated?.message).toMatch(/ \(exception EXC-1 expired on 2026-01-01\)$/);
    const instant = run([exception('EXC-2', { ids: ['CVE-2024-0001'] }, '2026-08-01T12:00:00Z')]).violations.find((v) => v.id === 'CVE-2024-0001');
    expect(instant?.message).toMatch(/ \(exception EXC-2 expired at 2026-08-01T12:00:00Z\)$/);
    const live = run([exception('EXC-3', { ids: ['CVE-2023-44487'] })]).violations.find((v) => v.id === 'CVE-2024-0001');
    expect(live?.message).not.toContain('expired');
  });

  it('expire at 00:00 UTC of a date-only expiry, and at the instant of a date-time', () => {
    const dateOnly = [exception('D', { ids: ['CVE-2024-0001'] }, '2026-09-02')];
    expect(run(dateOnly, { now: new Date('2026-09-01T23:59:59Z') }).suppressed).toHaveLength(1);
    expect(run(dateOnly, { now: new Date('2026-09-02T00:00:00Z') }).suppressed).toHaveLength(0);
    const instant = [exception('T', { ids: ['CVE-2024-0001'] }, '2026-09-01T14:00:00+02:00')];
    expect(run(instant, { now: new Date('2026-09-01T11:59:59Z') }).suppressed).toHaveLength(1);
    expect(run(instant, { now: new Date('2026-09-01T12:00:00Z') }).exceptions.expired.map((e) => e.id)).toEqual(['T']);
  });

  it('record the first matching exception in policy order; every matching one counts as used', () => {
    const result = run([exception('BROAD', { rules: ['vulnerabilities'] }), exception('NARROW', { ids: ['CVE-2024-0001'] }), exception('IDLE', { ids: ['CVE-1999-0001'] })]);
    expect(result.suppressed.find((v) => v.id === 'CVE-2024-0001')?.suppressedBy.exceptionId).toBe('BROAD');
    expect(result.exceptions.used.map((e) => e.id)).toEqual(['BROAD', 'NARROW']);
    expect(result.exceptions.unused.map((e) => e.id)).toEqual(['IDLE']);
  });

  it('let a task pass when every deny violation is suppressed', () => {
    const result = run([exception('ALL', { digests: [DIGEST] })]);
    expect(result.violations).toEqual([]);
    expect(result.suppressed.length).toBeGreaterThan(0);
    expect(result.decision).toBe('pass');
  });

  it('scale: 2,000 exceptions against 10,000 violations suppress exactly the matching ones', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => vuln(`CVE-2024-${String(i).padStart(5, '0')}`, 'high', 'fixed', { name: `pkg${i}` }));
    const exceptions = Array.from({ length: 2_000 }, (_, i) => exception(`E${i}`, { ids: [`CVE-2024-${String(i * 5).padStart(5, '0')}`] }));
    exceptions.push(exception('PKG', { packages: ['pkg1'] }));
    const loaded = policy({ rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } } }, exceptions });
    const result = evaluate(loaded, [container(loaded, report({ vulnerabilities: many }))]);
    expect(result.suppressed).toHaveLength(2_001);
    expect(result.violations).toHaveLength(7_999);
    expect(result.exceptions.unused).toEqual([]);
  });
});
