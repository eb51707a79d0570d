import { parseScanReportText } from '../../../functions/core/findings';
import { assessImage, type LoadedPolicy, type Policy } from '../../../functions/core/policy';
import { loadPolicy } from '../../../functions/core/policy/load';
import type { ImageAssessment } from '../../../functions/core/policy/input';
import { buildFindingEvent, compareVerdicts, findingCorrelationId, MAX_EVENT_USES } from '../../../functions/core/posture/findings';
import { digestOf, trivyReport } from '../../handlers/support/scenario';
import { taskUse } from '../../support/inventory-test-double';

const REF = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/web:2';
const DIGEST = digestOf('web 2');
const NOW = new Date('2026-01-06T09:00:00Z');

const POLICY: LoadedPolicy<Policy> = loadPolicy(
  {
    schemaVersion: '1',
    name: 'production',
    mode: 'enforce',
    onScanError: 'deny',
    rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } } },
  },
  'test policy',
);

const assessment = (critical: number): ImageAssessment => assessImage(POLICY, parseScanReportText(trivyReport({ reference: REF, digest: DIGEST, critical }), 'report'));

describe('compareVerdicts', () => {
  it('opens drift for a finding the new verdict denies and the previous one (same policy) allowed', () => {
    const change = compareVerdicts(POLICY, DIGEST, assessment(0), assessment(1), NOW);
    expect(change.opened.map((v) => v.id)).toEqual(['CVE-2025-1000']);
    expect(change.drifted.map((v) => v.id)).toEqual(['CVE-2025-1000']);
    expect(change.resolved).toEqual([]);
    expect(change.marks).toEqual([{ rule: 'vulnerabilities', id: 'CVE-2025-1000', openedAt: NOW.toISOString() }]);
  });

  it('keeps when a drift finding first opened while it stays denied, and opens only the new ones', () => {
    const previous = { ...assessment(1), drift: [{ rule: 'vulnerabilities', id: 'CVE-2025-1000', openedAt: '2026-01-02T00:00:00.000Z' }] };
    const change = compareVerdicts(POLICY, DIGEST, previous, assessment(2), NOW);
    expect(change.opened.map((v) => v.id)).toEqual(['CVE-2025-1001']);
    // Every finding denied now, the one denied before too: its opened event may still be owed (a lost publish).
    expect(change.denied.map((v) => v.id).sort()).toEqual(['CVE-2025-1000', 'CVE-2025-1001']);
    expect(change.marks).toEqual([
      { rule: 'vulnerabilities', id: 'CVE-2025-1000', openedAt: '2026-01-02T00:00:00.000Z' },
      { rule: 'vulnerabilities', id: 'CVE-2025-1001', openedAt: NOW.toISOString() },
    ]);
  });

  it('against a previous verdict of an earlier policy: opens what the edit denies without drift, keeps the marks still denied', () => {
    const warned = loadPolicy({ ...POLICY.document, rules: { ...POLICY.document.rules, vulnerabilities: { action: 'warn', fixable: { minSeverity: 'high' } } } }, 'earlier policy');
    const earlier = { ...assessImage(warned, parseScanReportText(trivyReport({ reference: REF, digest: DIGEST, critical: 2 }), 'report')), drift: [{ rule: 'vulnerabilities', id: 'CVE-2025-1001', openedAt: '2026-01-02T00:00:00.000Z' }] };
    const change = compareVerdicts(POLICY, DIGEST, earlier, assessment(2), NOW, 'other');
    expect(change.opened.map((v) => v.id).sort()).toEqual(['CVE-2025-1000', 'CVE-2025-1001']);
    expect(change.drifted).toEqual([]);
    expect(change.marks).toEqual([{ rule: 'vulnerabilities', id: 'CVE-2025-1001', openedAt: '2026-01-02T00:00:00.000Z' }]);
  });

  it('resolves findings the new verdict no longer denies, and drops their marks', () => {
    const previous = { ...assessment(2), drift: [{ rule: 'vulnerabilities', id: 'CVE-2025-1001', openedAt: '2026-01-02T00:00:00.000Z' }] };
    const change = compareVerdicts(POLICY, DIGEST, previous, assessment(1), NOW);
    expect(change.resolved.map((v) => v.id)).toEqual(['CVE-2025-1001']);
    expect(change.opened).toEqual([]);
    expect(change.marks).toEqual([]);
  });

  it('is no drift without a previous verdict under the same policy (a first judgement), though its denials are opened findings', () => {
    const change = compareVerdicts(POLICY, DIGEST, undefined, assessment(1), NOW);
    expect(change.opened.map((v) => v.id)).toEqual(['CVE-2025-1000']);
    expect(change.drifted).toEqual([]);
    expect(change.marks).toEqual([]);
  });
});

describe('buildFindingEvent', () => {
  const [violation] = compareVerdicts(POLICY, DIGEST, assessment(0), assessment(1), NOW).opened;
  const exploited = { ...violation, details: { ...violation.details, knownExploited: 'CISA KEV catalogue', kevDateAdded: '2026-01-03', epss: 0.91, epssPercentile: 0.99 } };

  it('carries the finding, the exploit data the policy saw, where the digest runs, its owners and a correlation id', () => {
    const uses = [
      taskUse(DIGEST, { taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/b', launchedBy: 'arn:aws:iam::111122223333:role/deployer' }),
      taskUse(DIGEST, { taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/a', service: undefined, deploymentId: undefined, launchedBy: 'arn:aws:iam::111122223333:user/alice' }),
    ];
    const event = buildFindingEvent({ state: 'opened', digest: DIGEST, violation: exploited, policy: { name: POLICY.name, hash: POLICY.hash }, uses, drift: { rule: 'vulnerabilities', id: 'CVE-2025-1000', openedAt: NOW.toISOString() }, at: NOW });
    expect(event).toMatchObject({
      state: 'opened',
      correlationId: `finding#${DIGEST}#vulnerabilities:CVE-2025-1000`,
      finding: { rule: 'vulnerabilities', id: 'CVE-2025-1000', severity: 'critical', package: 'openssl', installedVersion: '3.0.1-r0', fixedVersion: '3.0.2-r0' },
      exploit: { knownExploited: 'CISA KEV catalogue', kevDateAdded: '2026-01-03', epss: 0.91, epssPercentile: 0.99 },
      drift: { openedAt: NOW.toISOString() },
      totalUses: 2,
      owners: ['arn:aws:iam::111122223333:role/deployer', 'arn:aws:iam::111122223333:user/alice'],
      exposure: 'unknown',
    });
    expect(event.uses.map((use) => [use.taskArn.slice(-1), use.service])).toEqual([
      ['a', undefined],
      ['b', 'web'],
    ]);
    expect(event.uses[1]).toMatchObject({ cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod', taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:1' });
  });

  it('carries where it runs, the owner tags and whether the tasks are reachable from outside, per task and in all', () => {
    const prod = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
    const uses = [
      taskUse(DIGEST, { taskArn: `${prod.replace('cluster', 'task')}/a`, exposure: { value: 'internal', source: 'no public IP (RunTask) and no load balancer' }, taskDefinitionTags: { team: 'payments' } }),
      taskUse(DIGEST, {
        taskArn: `${prod.replace('cluster', 'task')}/b`,
        service: 'api',
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/api:3',
        exposure: { value: 'public', source: 'a public IP is assigned (RunTask)' },
        taskDefinitionTags: { team: 'checkout', owner: 'alice' },
      }),
      taskUse(DIGEST, { taskArn: `${prod.replace('cluster', 'task')}/c` }),
    ];
    const event = buildFindingEvent({ state: 'opened', digest: DIGEST, violation: exploited, policy: { name: POLICY.name, hash: POLICY.hash }, uses, at: NOW });
    expect(event).toMatchObject({
      clusters: [prod],
      services: [`${prod}/api`, `${prod}/web`],
      taskDefinitions: ['arn:aws:ecs:eu-west-1:111122223333:task-definition/api:3', 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:1'],
      ownerTags: { owner: ['alice'], team: ['checkout', 'payments'] },
      exposure: 'public',
      exposureCounts: { public: 1, internal: 1, unknown: 1 },
    });
    expect(event.uses.map((use) => [use.taskArn.slice(-1), use.exposure, use.exposureSource, use.taskDefinitionTags])).toEqual([
      ['a', 'internal', 'no public IP (RunTask) and no load balancer', { team: 'payments' }],
      ['b', 'public', 'a public IP is assigned (RunTask)', { team: 'checkout', owner: 'alice' }],
      ['c', 'unknown', undefined, undefined],
    ]);
    const internalOnly = buildFindingEvent({ state: 'opened', digest: DIGEST, violation, policy: { name: POLICY.name, hash: POLICY.hash }, uses: uses.slice(0, 1), at: NOW });
    expect(internalOnly.exposure).toBe('internal');
  });

  it('names the parts of the rule that denied the finding and every exploit fact it was judged with', () => {
    // The details as the vulnerabilities rule writes them (rules/vulnerabilities.ts): matchedBy is comma-joined.
    const judged = { ...violation, details: { ...violation.details, matchedBy: 'knownExploited,epss', knownExploited: 'CISA KEV catalogue', kevDateAdded: '2026-01-03', kevDueDate: '2026-01-24', kevRansomware: 'Known', epss: 0.42, epssPercentile: 0.97, epssDate: '2026-01-05' } };
    const event = buildFindingEvent({ state: 'opened', digest: DIGEST, violation: judged, policy: { name: POLICY.name, hash: POLICY.hash }, uses: [taskUse(DIGEST)], at: NOW });
    expect(event.exploit).toEqual({ matchedBy: ['knownExploited', 'epss'], knownExploited: 'CISA KEV catalogue', kevDateAdded: '2026-01-03', kevDueDate: '2026-01-24', kevRansomware: 'Known', epss: 0.42, epssPercentile: 0.97, epssDate: '2026-01-05' });
    // A finding denied by its severity alone (the policy's fixable.minSeverity high) says so, and has no exploit fact.
    expect(buildFindingEvent({ state: 'opened', digest: DIGEST, violation, policy: { name: POLICY.name, hash: POLICY.hash }, uses: [], at: NOW }).exploit).toEqual({ matchedBy: ['fixable'] });
  });

  it('lists at most MAX_EVENT_USES uses and counts them all', () => {
    const uses = Array.from({ length: MAX_EVENT_USES + 5 }, (_, i) => taskUse(DIGEST, { taskArn: `arn:aws:ecs:eu-west-1:111122223333:task/prod/t${String(i).padStart(3, '0')}` }));
    const event = buildFindingEvent({ state: 'resolved', digest: DIGEST, violation, policy: { name: POLICY.name, hash: POLICY.hash }, uses, at: NOW });
    expect(event.uses).toHaveLength(MAX_EVENT_USES);
    expect(event.totalUses).toBe(MAX_EVENT_USES + 5);
    expect(event.drift).toBeUndefined();
  });

  it('gives the events of one (digest, finding) the same correlation id under every policy, so a policy edit keeps tickets matched', () => {
    const opened = buildFindingEvent({ state: 'opened', digest: DIGEST, violation, policy: { name: 'p', hash: 'p1' }, uses: [], at: NOW });
    const resolved = buildFindingEvent({ state: 'resolved', digest: DIGEST, violation, policy: { name: 'p', hash: 'p2' }, uses: [], at: NOW });
    expect(resolved.correlationId).toBe(opened.correlationId);
    expect(opened.correlationId).toBe(`finding#${DIGEST}#vulnerabilities:CVE-2025-1000`);
    expect(findingCorrelationId(DIGEST, { rule: 'vulnerabilities', id: 'CVE-2025-1001' })).not.toBe(opened.correlationId);
  });
});
