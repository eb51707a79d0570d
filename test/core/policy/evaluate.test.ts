import fc from 'fast-check';
import type { ScanReport } from '../../../functions/core/findings/model';
import { FIX_STATES } from '../../../functions/core/findings/model';
import { assessImage } from '../../../functions/core/policy/assess';
import { compareViolations, evaluatePolicy, isBlocking } from '../../../functions/core/policy/evaluate';
import type { ContainerEvidence } from '../../../functions/core/policy/input';
import { loadPolicy } from '../../../functions/core/policy/load';
import type { PolicyInput } from '../../../functions/core/policy/schema';
import type { EvaluationResult } from '../../../functions/core/result/model';
import { sortSuppressed, sortViolations } from '../../../functions/core/render/common';
import { SEVERITIES } from '../../../functions/core/severity';
import { container, DIGEST, env, evaluate, evaluateReport, facts, NOW, policy, policyDoc, report, secret, vuln } from './support';
import { assertProperty } from '../../support/property';

const defaultRules: PolicyInput['rules'] = {
  rootUser: { action: 'deny' },
  secrets: { action: 'deny', minSeverity: 'high' },
  vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' }, unfixable: { minSeverity: 'critical', action: 'warn' } },
};

describe('evaluatePolicy: decision', () => {
  const loaded = policy({ rules: defaultRules });

  it('passes a clean image, with an empty but complete result', () => {
    const result = evaluate(loaded, [container(loaded, report())], { cluster: 'prod', service: 'web', taskArn: 'arn:task', taskDefinition: 'web:3' });
    expect(result).toEqual({
      decision: 'pass',
      mode: 'enforce',
      violations: [],
      suppressed: [],
      exceptions: { used: [], unused: [], expired: [] },
      errors: [],
      policy: { name: 'test', hash: loaded.hash, schemaVersion: '1' },
      subject: {
        cluster: 'prod',
        service: 'web',
        taskArn: 'arn:task',
        taskDefinition: 'web:3',
        images: [
          {
            container: 'web',
            reference: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0',
            digest: DIGEST,
            repository: 'team/app',
            tag: '1.0',
            scanner: 'trivy',
            scannerVersion: '0.69.0',
            scannedAt: '2026-09-01T00:00:00Z',
          },
        ],
      },
      evaluatedAt: '2026-09-01T12:00:00.000Z',
    });
    expect(isBlocking(result)).toBe(false);
  });

  it('warns when only warn violations remain', () => {
    const result = evaluate(loaded, [container(loaded, report({ vulnerabilities: [vuln('CVE-1', 'critical', 'unfixed')] }))]);
    expect(result.decision).toBe('warn');
    expect(isBlocking(result)).toBe(false);
  });

  it('fails on any deny violation', () => {
    const result = evaluate(loaded, [container(loaded, report({ vulnerabilities: [vuln('CVE-1', 'critical', 'unfixed'), vuln('CVE-2', 'high', 'fixed')] }))]);
    expect(result.decision).toBe('fail');
    expect(isBlocking(result)).toBe(true);
  });

  it('orders violations deny first, then by severity, rule, container and id', () => {
    const scan = report({
      vulnerabilities: [vuln('CVE-B', 'critical', 'unfixed'), vuln('CVE-C', 'high', 'fixed'), vuln('CVE-A', 'critical', 'fixed'), vuln('CVE-D', 'critical', 'wont_fix')],
      secrets: [secret('private-key', 'high', 'AsymmetricPrivateKey')],
    });
    const result = evaluate(loaded, [container(loaded, scan, { name: 'b' }), container(loaded, scan, { name: 'a' })]);
    expect(result.violations.map((v) => `${v.action}:${v.severity}:${v.container}:${v.id}`)).toEqual([
      'deny:critical:a:CVE-A',
      'deny:critical:b:CVE-A',
      'deny:high:a:private-key',
      'deny:high:b:private-key',
      'deny:high:a:CVE-C',
      'deny:high:b:CVE-C',
      'warn:critical:a:CVE-B',
      'warn:critical:a:CVE-D',
      'warn:critical:b:CVE-B',
      'warn:critical:b:CVE-D',
    ]);
  });

  it('orders by rule before container and id, as every renderer does (one comparator)', () => {
    const scan = report({ image: facts({ configUser: 'root' }), vulnerabilities: [vuln('CVE-1', 'high')], secrets: [secret('private-key', 'high', 'AsymmetricPrivateKey')] });
    const result = evaluate(loaded, [container(loaded, scan, { name: 'b' }), container(loaded, scan, { name: 'a' })]);
    expect(result.violations.map((v) => `${v.rule}:${v.container}:${v.id}`)).toEqual([
      'rootUser:a:rootUser',
      'rootUser:b:rootUser',
      'secrets:a:private-key',
      'secrets:b:private-key',
      'vulnerabilities:a:CVE-1',
      'vulnerabilities:b:CVE-1',
    ]);
    expect(result.violations).toEqual(sortViolations(result.violations));
  });

  it('attributes image candidates to each container that runs the image', () => {
    const scan = report({ vulnerabilities: [vuln('CVE-1', 'high')] });
    const result = evaluate(loaded, [container(loaded, scan, { name: 'web' }), container(loaded, scan, { name: 'worker' })]);
    expect(result.violations.map((v) => v.container)).toEqual(['web', 'worker']);
    expect(result.subject.images.map((i) => i.container)).toEqual(['web', 'worker']);
  });

  it('evaluates a bare report without containers names or context', () => {
    const result = evaluateReport(loaded, report({ vulnerabilities: [vuln('CVE-1', 'high')] }));
    expect(result.violations[0].container).toBeUndefined();
    expect(result.subject).toEqual({ images: [expect.objectContaining({ reference: facts().reference, digest: DIGEST })] });
  });

  it('returns a result with no undefined members, ready for DynamoDB and EventBridge', () => {
    const result = evaluate(loaded, [container(loaded, report({ image: facts({ configUser: 'root' }), vulnerabilities: [vuln('CVE-1', 'high')] }), { environment: [env('API_KEY', 'literal-value-1')] })]);
    expect(JSON.parse(JSON.stringify(result))).toStrictEqual(result);
  });
});

describe('evaluatePolicy: scan errors and onScanError', () => {
  const deny = policy({ rules: defaultRules, onScanError: 'deny' });
  const allow = policy({ rules: defaultRules, onScanError: 'allow' });

  it('deny: an image that could not be scanned makes the decision error, which blocks', () => {
    const result = evaluate(deny, [container(deny, undefined, { user: '1000' }, { scanError: 'CodeBuild build FAILED: manifest unknown' })]);
    expect(result.decision).toBe('error');
    expect(result.errors).toEqual([
      {
        container: 'web',
        message:
          'container web (123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0) could not be scanned: CodeBuild build FAILED: manifest unknown; the policy\'s onScanError "deny" treats this as blocking',
      },
    ]);
    expect(isBlocking(result)).toBe(true);
  });

  it('allow: the error is reported and the decision is at most warn', () => {
    const result = evaluate(allow, [container(allow, undefined, { user: '1000' }, { scanError: 'timed out' })]);
    expect(result.decision).toBe('warn');
    expect(result.errors[0].message).toContain('onScanError "allow" lets it through with a warning');
    expect(isBlocking(result)).toBe(false);
  });

  it('treats an image with neither assessment nor error as unscanned', () => {
    const result = evaluate(deny, [container(deny, undefined)]);
    expect(result.decision).toBe('error');
    expect(result.errors[0].message).toContain('has no scan result');
  });

  it('says that audit mode only reports a scan error under onScanError deny', () => {
    const audit = policy({ rules: defaultRules, onScanError: 'deny', mode: 'audit' });
    const result = evaluate(audit, [container(audit, undefined, {}, { scanError: 'x' })]);
    expect(result).toMatchObject({ mode: 'audit', decision: 'error' });
    expect(result.errors[0].message).toContain('onScanError "deny" makes this an error, which audit mode only reports');
    expect(isBlocking(result)).toBe(false);
  });

  it('reports fail over error when another container fails the policy, keeping the error', () => {
    const result = evaluate(deny, [container(deny, report({ vulnerabilities: [vuln('CVE-1', 'critical')] }), { name: 'app' }), container(deny, undefined, { name: 'sidecar' }, { scanError: 'x' })]);
    expect(result.decision).toBe('fail');
    expect(result.errors.map((e) => e.container)).toEqual(['sidecar']);
  });

  it('does not block on an error in a container that is audit-scoped within an enforced task', () => {
    const loaded = policy({ rules: defaultRules, modeOverrides: [{ match: { repositories: ['third-party/*'] }, mode: 'audit', reason: 'vendor images' }] });
    const result = evaluate(loaded, [
      container(loaded, report(), { name: 'app' }),
      container(loaded, undefined, { name: 'agent', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/third-party/agent:7' }, { scanError: 'x' }),
    ]);
    expect(result).toMatchObject({ mode: 'enforce', decision: 'warn' });
    expect(result.errors[0].message).toContain('audit scope (vendor images), so this is reported only');
  });

  it('treats a scan older than maxScanAge like a scan error, keeping its findings, when asked to check scan age', () => {
    const loaded = policy({ rules: defaultRules, maxScanAge: '7d', onScanError: 'deny' });
    const stale = report({ provenance: { scanner: 'trivy', scannedAt: '2026-08-20T00:00:00Z' }, vulnerabilities: [vuln('CVE-1', 'critical', 'unfixed')] });
    const checked = (scan: ScanReport) =>
      evaluatePolicy(loaded, { containers: [container(loaded, scan)], context: { cluster: 'prod', service: 'web' }, now: NOW, checkScanAge: true });
    const result = checked(stale);
    expect(result.decision).toBe('error');
    expect(result.errors[0].message).toContain('from 2026-08-20T00:00:00Z is 12.5 days old, older than the policy\'s maxScanAge (7d); rescan the image');
    expect(result.violations.map((v) => v.id)).toEqual(['CVE-1']);

    expect(checked(report({ provenance: { scanner: 'trivy', scannedAt: '2026-08-26T00:00:00Z' } })).errors).toEqual([]);
  });

  describe('fails closed when the age cannot be checked', () => {
    const loaded = policy({ rules: defaultRules, maxScanAge: '7d', onScanError: 'deny' });
    const checked = (scan: ScanReport, checkScanAge = true) =>
      evaluatePolicy(loaded, { containers: [container(loaded, scan)], context: { cluster: 'prod', service: 'web' }, now: NOW, checkScanAge });

    it('a report without a scan time is a scan problem that says so', () => {
      const result = checked(report({ provenance: { scanner: 'grype' } }));
      expect(result.decision).toBe('error');
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0].message).toContain('has no scan time, so its age cannot be checked against the policy\'s maxScanAge (7d)');
      expect(result.errors[0].message).toContain('onScanError "deny" treats this as blocking');
    });

    it('a report dated more than 5 minutes in the future is a scan problem that says so', () => {
      const result = checked(report({ provenance: { scanner: 'trivy', scannedAt: '2026-09-01T12:06:00Z' } }));
      expect(result.decision).toBe('error');
      expect(result.errors[0].message).toContain('is dated 2026-09-01T12:06:00Z, 6 minutes after the evaluation time');
      expect(result.errors[0].message).toContain('more than the 5 minutes of clock skew allowed');
    });

    it('tolerates up to 5 minutes of clock skew', () => {
      expect(checked(report({ provenance: { scanner: 'trivy', scannedAt: '2026-09-01T12:05:00Z' } })).errors).toEqual([]);
    });

    it('judges neither when the age check was not asked for, or the policy sets no maxScanAge', () => {
      expect(checked(report({ provenance: { scanner: 'grype' } }), false).errors).toEqual([]);
      const ageless = policy({ rules: defaultRules, onScanError: 'deny' });
      const input = { containers: [container(ageless, report({ provenance: { scanner: 'grype' } }))], context: {}, now: NOW, checkScanAge: true };
      expect(evaluatePolicy(ageless, input).errors).toEqual([]);
    });
  });

  it('judges a stale report as it is unless asked to check scan age', () => {
    const loaded = policy({ rules: defaultRules, maxScanAge: '7d', onScanError: 'deny' });
    const stale = report({ provenance: { scanner: 'trivy', scannedAt: '2020-01-01T00:00:00Z' }, vulnerabilities: [vuln('CVE-1', 'critical', 'unfixed')] });
    const result = evaluate(loaded, [container(loaded, stale)]);
    expect(result.errors).toEqual([]);
    expect(result.decision).not.toBe('error');
  });
});

describe('isBlocking', () => {
  const base = evaluate(policy(), []);
  it.each([
    ['enforce', 'fail', true],
    ['enforce', 'error', true],
    ['enforce', 'warn', false],
    ['enforce', 'pass', false],
    ['audit', 'fail', false],
    ['audit', 'error', false],
  ] as const)('%s + %s → %s', (mode, decision, blocking) => {
    expect(isBlocking({ ...base, mode, decision })).toBe(blocking);
  });
});

describe('evaluatePolicy at scale', () => {
  it('judges a 10,000-finding report completely', () => {
    const loaded = policy({ rules: { ...defaultRules, vulnerabilities: { action: 'deny', fixable: { minSeverity: 'medium' }, maxCounts: { low: 100 } } } });
    const severities = ['low', 'medium', 'high', 'critical'] as const;
    const findings = Array.from({ length: 10_000 }, (_, i) => vuln(`CVE-2025-${i}`, severities[i % 4], i % 2 === 0 ? 'fixed' : 'unfixed', { name: `pkg-${i % 500}` }));
    const assessment = assessImage(loaded, report({ vulnerabilities: findings }));
    // fixable (even i) findings of medium+ : i % 4 in {2} → 2,500 findings; plus the low count limit
    expect(assessment.candidates).toHaveLength(2_501);
    const result = evaluatePolicy(loaded, { containers: [{ name: 'web', assessment }], context: {}, now: NOW });
    expect(result.violations).toHaveLength(2_501);
    expect(result.violations.at(-1)?.id).toBe('vulnerabilities.maxCounts.low');
  });
});

// ---------- property: any input gives a well-formed result ----------

const severity = fc.constantFrom(...SEVERITIES);
const idArb = fc.constantFrom('CVE-2021-44228', 'CVE-2024-0001', 'GHSA-jfh8-c2jp-5v3q', 'DS-0002', 'DS002', 'DS-0026', 'aws-access-key-id', 'rootUser', 'images.tag');
const reportArb: fc.Arbitrary<ScanReport> = fc.record({
  provenance: fc.record({ scanner: fc.constantFrom('trivy' as const, 'grype' as const), scannedAt: fc.option(fc.constantFrom('2026-08-31T00:00:00Z', '2026-01-01T00:00:00Z', 'garbage'), { nil: undefined }) }),
  image: fc.record({
    reference: fc.option(fc.constantFrom('nginx:latest', '/tmp/x.tar', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/a/b:1'), { nil: undefined }),
    repoDigests: fc.constant([]),
    digest: fc.option(fc.constant(DIGEST), { nil: undefined }),
    configUser: fc.option(fc.constantFrom('0', 'root', '1000', ' ', 'app'), { nil: undefined }),
    hasImageConfig: fc.boolean(),
    envNames: fc.constant([]),
  }),
  vulnerabilities: fc.array(
    fc.record({
      id: idArb,
      aliases: fc.array(idArb, { maxLength: 2 }),
      severity,
      fixState: fc.constantFrom(...FIX_STATES),
      package: fc.record({ name: fc.constantFrom('openssl', 'log4j-core', 'x'), installedVersion: fc.option(fc.constant('1.0'), { nil: undefined }) }),
    }),
    { maxLength: 12 },
  ),
  secrets: fc.array(fc.tuple(fc.constantFrom('aws-access-key-id', 'private-key', 'jwt-token'), severity).map(([id, s]) => secret(id, s)), { maxLength: 4 }),
  misconfigurations: fc.array(
    fc.record({ id: idArb, aliases: fc.array(idArb, { maxLength: 2 }), severity, status: fc.constantFrom('fail' as const, 'pass' as const, 'exception' as const) }),
    { maxLength: 4 },
  ),
});

const RAW_SECRET = 'zz-raw-secret-value-zz';
const evidenceArb = (assess: (r: ScanReport) => ContainerEvidence['assessment']) =>
  fc.record({
    name: fc.option(fc.constantFrom('web', 'sidecar', 'log-router'), { nil: undefined }),
    image: fc.constantFrom('nginx', 'nginx:latest', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0', `x/y@${DIGEST}`, 'Not A Reference'),
    user: fc.option(fc.constantFrom('0', 'root', '1000', '', '0:0'), { nil: undefined }),
    env: fc.subarray([env('DB_PASSWORD', RAW_SECRET), env('NODE_ENV', 'production'), env('TOKEN', `ghp_${'a'.repeat(36)}`)]),
    scan: fc.option(reportArb, { nil: undefined }),
    scanError: fc.option(fc.constant('build failed'), { nil: undefined }),
    withSpec: fc.boolean(),
  }).map(({ name, image, user, env: environment, scan, scanError, withSpec }): ContainerEvidence => ({
    ...(name !== undefined ? { name } : {}),
    ...(withSpec ? { spec: { name: name ?? 'c', image, user, environment, overrideEnvironment: [], secretNames: [], addedCapabilities: [], essential: true } } : {}),
    ...(scan ? { assessment: assess(scan) } : {}),
    ...(scanError ? { scanError } : {}),
  }));

const policyArb: fc.Arbitrary<PolicyInput> = fc.record({
  mode: fc.constantFrom('enforce' as const, 'audit' as const),
  onScanError: fc.constantFrom('deny' as const, 'allow' as const),
  maxScanAge: fc.option(fc.constantFrom('1d', '30d'), { nil: undefined }),
  rules: fc.record(
    {
      rootUser: fc.record({ action: fc.constantFrom('deny' as const, 'warn' as const) }),
      secrets: fc.record({ action: fc.constantFrom('deny' as const, 'warn' as const), minSeverity: severity }),
      vulnerabilities: fc.record({
        action: fc.constantFrom('deny' as const, 'warn' as const),
        fixable: fc.record({ minSeverity: severity }),
        denyIds: fc.array(idArb, { minLength: 1, maxLength: 2 }),
        maxCounts: fc.record({ high: fc.nat(3) }),
      }),
      misconfigurations: fc.record({ action: fc.constantFrom('deny' as const, 'warn' as const), minSeverity: severity }),
      images: fc.record({ action: fc.constantFrom('deny' as const, 'warn' as const), denyTags: fc.constant(['latest']), requireDigest: fc.boolean() }),
    },
    { requiredKeys: [] },
  ),
  modeOverrides: fc.option(fc.constant([{ match: { clusters: ['sandbox-*'] }, mode: 'audit' as const }, { match: { repositories: ['team/*'] }, mode: 'enforce' as const }]), { nil: undefined }),
  exceptions: fc.option(
    fc.array(
      fc.record({
        id: fc.constantFrom('E1', 'E2', 'E3'),
        match: fc.record({ ids: fc.array(idArb, { minLength: 1, maxLength: 2 }), clusters: fc.constant(['prod', 'sandbox-*']) }, { requiredKeys: ['ids'] }),
        reason: fc.constant('r'),
        owner: fc.constant('o'),
        expiresAt: fc.constantFrom('2026-01-01', '2027-01-01'),
      }),
      { maxLength: 3 },
    ).map((list) => list.filter((e, i) => list.findIndex((x) => x.id === e.id) === i)),
    { nil: undefined },
  ),
}).map((parts) => policyDoc(parts as Partial<PolicyInput>));

function checkWellFormed(result: EvaluationResult, exceptionIds: string[], containers: number): void {
  expect(['pass', 'warn', 'fail', 'error']).toContain(result.decision);
  expect(['enforce', 'audit']).toContain(result.mode);
  for (let i = 1; i < result.violations.length; i++) expect(compareViolations(result.violations[i - 1], result.violations[i])).toBeLessThanOrEqual(0);
  // The renderers' order is the engine's order.
  expect(result.violations).toEqual(sortViolations(result.violations));
  expect(result.suppressed).toEqual(sortSuppressed(result.suppressed));
  for (const v of [...result.violations, ...result.suppressed]) {
    expect(SEVERITIES).toContain(v.severity);
    expect(['deny', 'warn']).toContain(v.action);
    expect(v.message.length).toBeGreaterThan(10);
  }
  for (const s of result.suppressed) expect(exceptionIds).toContain(s.suppressedBy.exceptionId);
  const reported = [...result.exceptions.used, ...result.exceptions.unused, ...result.exceptions.expired].map((e) => e.id);
  expect(reported.sort()).toEqual([...exceptionIds].sort());
  const anyDeny = result.violations.some((v) => v.action === 'deny');
  expect(result.decision === 'fail').toBe(anyDeny);
  if (result.decision === 'pass') expect(result.violations.length + result.errors.length).toBe(0);
  if (result.decision === 'error') expect(result.errors.length).toBeGreaterThan(0);
  expect(isBlocking(result)).toBe(result.mode === 'enforce' && (result.decision === 'fail' || result.decision === 'error'));
  expect(result.subject.images).toHaveLength(containers);
  expect(result.evaluatedAt).toBe(NOW.toISOString());
  const json = JSON.stringify(result);
  expect(JSON.parse(json)).toStrictEqual(result);
  expect(json).not.toContain(RAW_SECRET);
}

describe('evaluatePolicy on random input (property)', () => {
  it('always returns a well-formed, deterministic result', () => {
    assertProperty(
      fc.property(
        policyArb.chain((doc) => {
          const loaded = loadPolicy(doc, 'random.json');
          return fc.record({
            loaded: fc.constant(loaded),
            containers: fc.array(evidenceArb((r) => assessImage(loaded, r)), { maxLength: 3 }),
            cluster: fc.option(fc.constantFrom('prod', 'sandbox-1', 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod'), { nil: undefined }),
            service: fc.option(fc.constantFrom('web', 'service:api'), { nil: undefined }),
          });
        }),
        ({ loaded, containers, cluster, service }) => {
          const input = { containers, context: { cluster, service }, now: NOW };
          const result = evaluatePolicy(loaded, input);
          checkWellFormed(result, (loaded.document.exceptions ?? []).map((e) => e.id), containers.length);
          expect(evaluatePolicy(loaded, input)).toEqual(result);
        },
      ),
      { numRuns: 300 },
    );
  });
});
