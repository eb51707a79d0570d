import fc from 'fast-check';
import { MAX_TEST_CASES, renderJunit } from '../../../functions/core/render/junit';
import type { EvaluationResult } from '../../../functions/core/result/model';
import { assertWellFormedXml, parseJunit, xmlVisible, type ParsedSuite } from './junit-xml';
import { HOSTILE, arbResult, busyResult, exception, result, suppressed, violation } from './results';
import { assertProperty } from '../../support/property';

const statusRank = { error: 0, failure: 1, passed: 2, skipped: 3 } as const;

function expectCountsMatch(suite: ParsedSuite): void {
  const count = (status: string) => suite.cases.filter((c) => c.status === status).length;
  const actual = { tests: suite.cases.length, failures: count('failure'), errors: count('error'), skipped: count('skipped') };
  expect(suite.counts).toEqual(actual);
  expect(suite.rootCounts).toEqual(actual);
}

function manyFindings(denied: number, warned: number): EvaluationResult {
  const make = (n: number, action: 'deny' | 'warn') =>
    Array.from({ length: n }, (_, i) => violation({ id: `CVE-2024-${String(i).padStart(5, '0')}`, action, severity: i % 2 ? 'high' : 'critical' }));
  return result({ decision: denied > 0 ? 'fail' : 'warn', violations: [...make(denied, 'deny'), ...make(warned, 'warn')] });
}

describe('renderJunit: structure', () => {
  const suite = parseJunit(renderJunit(busyResult()));

  it('has tests/failures/errors/skipped counts that match its test cases, on the suite and the root', () => {
    expectCountsMatch(suite);
    expect(suite.counts).toEqual({ tests: 11, failures: 5, errors: 1, skipped: 1 });
  });

  it('has one case per rule, failing exactly the rules that denied something', () => {
    const rules = suite.cases.filter((c) => c.classname === 'fargate-gate.rules');
    expect(rules.map((c) => [c.name, c.status]).sort()).toEqual([
      ['images', 'passed'],
      ['misconfigurations', 'passed'],
      ['rootUser', 'failure'],
      ['secrets', 'passed'],
      ['vulnerabilities', 'failure'],
    ]);
    const vulnerabilities = rules.find((c) => c.name === 'vulnerabilities')!;
    expect(vulnerabilities.message).toBe('2 findings denied by rule vulnerabilities');
    expect(vulnerabilities.body).toBe('[CRITICAL] app: CVE-2024-0002: glibc: heap overflow\n[HIGH] app: CVE-2024-0001: openssl 3.0.1: buffer overflow, fixed in 3.0.7');
    expect(rules.find((c) => c.name === 'secrets')!.systemOut).toContain('1 warning:\n[CRITICAL] sidecar: aws-access-key-id');
  });

  it('has a failing case per denied finding, with the message and the facts', () => {
    const denied = suite.cases.filter((c) => c.classname !== 'fargate-gate.rules' && c.status === 'failure');
    expect(denied.map((c) => c.name)).toEqual(['app: CVE-2024-0002 (critical)', 'app: rootUser (high)', 'app: CVE-2024-0001 (high)']);
    expect(denied[0]).toMatchObject({ classname: 'fargate-gate.vulnerabilities', message: 'glibc: heap overflow', type: 'critical' });
    expect(denied[0].body).toContain('rule: vulnerabilities\nkind: vulnerability\ncontainer: app\nid: CVE-2024-0002');
  });

  it('reports a warning as a passing case with system-out', () => {
    const warning = suite.cases.find((c) => c.name === 'sidecar: aws-access-key-id (critical)')!;
    expect(warning.status).toBe('passed');
    expect(warning.systemOut).toMatch(/^WARNING \(critical\): AWS access key in environment variable AWS_KEY\n/);
  });

  it('reports a suppressed finding as skipped, naming the exception', () => {
    const skipped = suite.cases.filter((c) => c.status === 'skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0].name).toBe('app: CVE-2023-4444 (medium)');
    expect(skipped[0].message).toBe('suppressed by exception EX-7 (owner team-payments, expires 2026-06-30): not reachable from the network');
  });

  it('reports an evaluation error as an <error> case', () => {
    const errors = suite.cases.filter((c) => c.status === 'error');
    expect(errors).toEqual([
      {
        classname: 'fargate-gate.errors',
        name: 'evaluation of container worker',
        status: 'error',
        type: 'EvaluationError',
        message: 'scan failed: registry answered 429 Too Many Requests',
        body: 'scan failed: registry answered 429 Too Many Requests',
        systemOut: undefined,
      },
    ]);
  });

  it('puts errors first, then failures, then passes, then skipped cases', () => {
    const ranks = suite.cases.map((c) => statusRank[c.status]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('carries the decision, policy, subject and exceptions for the report reader', () => {
    expect(suite.properties).toMatchObject({
      decision: 'fail',
      mode: 'enforce',
      'policy.name': 'baseline',
      'policy.hash': busyResult().policy.hash,
      taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web-api:42',
      'image.app': expect.stringContaining('web-api:1.4.2@sha256:0c1f0ed5'),
    });
    expect(suite.systemOut).toContain('FAIL: policy "baseline" 3f2a9c1b7d0e, mode enforce; 3 denied, 1 warning, 1 suppressed, 1 error');
    expect(suite.systemOut).toContain('exception expired: EX-2');
    expect(suite.systemOut).toContain('exception unused: EX-9');
  });

  it('uses the suite name for the suite and as class-name prefix', () => {
    const named = parseJunit(renderJunit(busyResult(), { suiteName: 'image web-api' }));
    expect(named.name).toBe('image web-api');
    expect(new Set(named.cases.map((c) => c.classname.split('.')[0]))).toEqual(new Set(['image web-api']));
  });

  it('has a case per rule the caller names, plus any rule a finding names', () => {
    const custom = parseJunit(renderJunit(busyResult(), { rules: ['vulnerabilities', 'images'] }));
    expect(custom.cases.filter((c) => c.classname === 'fargate-gate.rules').map((c) => c.name).sort()).toEqual(['images', 'rootUser', 'secrets', 'vulnerabilities']);
  });

  it('passes every rule of a clean result', () => {
    const clean = parseJunit(renderJunit(result()));
    expect(clean.counts).toEqual({ tests: 5, failures: 0, errors: 0, skipped: 0 });
    expect(clean.cases.every((c) => c.systemOut === `no findings for rule ${c.name}`)).toBe(true);
  });

  it('keeps test case names unique when two findings share container and id', () => {
    const twice = result({ violations: [violation({ message: 'in openssl' }), violation({ message: 'in libssl' })] });
    const names = parseJunit(renderJunit(twice)).cases.filter((c) => c.classname === 'fargate-gate.vulnerabilities').map((c) => c.name);
    expect(names).toEqual(['app: CVE-2024-0001 (high)', 'app: CVE-2024-0001 (high) #2']);
  });
});

describe('renderJunit: the 500-case cap', () => {
  it('keeps every failure and summarises the passing cases it left out', () => {
    const suite = parseJunit(renderJunit(manyFindings(400, 300)));
    expectCountsMatch(suite);
    expect(suite.cases).toHaveLength(MAX_TEST_CASES);
    // 705 cases: 1 failing rule + 400 findings + 4 passing rules + 300 warnings; 499 kept.
    expect(suite.counts.failures).toBe(401);
    const summary = suite.cases[suite.cases.length - 1];
    expect(summary.status).toBe('passed');
    expect(summary.name).toBe('206 more test cases not shown');
    expect(summary.systemOut).toContain('206 more test cases left out (0 failed, 0 errors, 206 passed, 0 skipped)');
  });

  it('keeps denied findings before warnings when failures alone overflow, and fails the summary case', () => {
    const suite = parseJunit(renderJunit(manyFindings(700, 50)));
    expectCountsMatch(suite);
    expect(suite.cases).toHaveLength(MAX_TEST_CASES);
    const findings = suite.cases.filter((c) => c.classname === 'fargate-gate.vulnerabilities');
    expect(findings.every((c) => c.status === 'failure')).toBe(true);
    const summary = suite.cases[suite.cases.length - 1];
    expect(summary.status).toBe('failure');
    // 755 cases: 1 failing rule + 700 findings + 4 passing rules + 50 warnings; the 5 rule cases, 494 findings and the summary kept.
    expect(findings).toHaveLength(494);
    expect(summary.message).toContain('256 more test cases left out (206 failed, 0 errors, 50 passed, 0 skipped)');
    expect(suite.counts.failures).toBe(1 + 494 + 1);
  });

  it('always keeps one case per rule, failing or passing, and cuts only finding cases', () => {
    for (const [denied, warned] of [
      [700, 50],
      [0, 900],
      [499, 0],
      [5000, 5000],
    ]) {
      const suite = parseJunit(renderJunit(manyFindings(denied, warned)));
      const rules = suite.cases.filter((c) => c.classname === 'fargate-gate.rules');
      expect(rules.map((c) => c.name).sort()).toEqual(['images', 'misconfigurations', 'rootUser', 'secrets', 'vulnerabilities']);
      expect(rules.find((c) => c.name === 'vulnerabilities')!.status).toBe(denied > 0 ? 'failure' : 'passed');
      expect(rules.filter((c) => c.name !== 'vulnerabilities').every((c) => c.status === 'passed')).toBe(true);
      expect(suite.cases.length).toBeLessThanOrEqual(MAX_TEST_CASES);
    }
  });

  it('keeps evaluation errors and rule cases when findings overflow', () => {
    const errors = Array.from({ length: 3 }, (_, i) => ({ container: `c${i}`, message: `scan failed ${i}` }));
    const suite = parseJunit(renderJunit({ ...manyFindings(900, 0), errors }));
    expectCountsMatch(suite);
    expect(suite.cases.filter((c) => c.status === 'error').map((c) => c.name)).toEqual(['evaluation of container c0', 'evaluation of container c1', 'evaluation of container c2']);
    expect(suite.cases.filter((c) => c.classname === 'fargate-gate.rules')).toHaveLength(5);
    expect(suite.cases).toHaveLength(MAX_TEST_CASES);
  });

  it('adds no summary case when everything fits', () => {
    const suite = parseJunit(renderJunit(manyFindings(250, 245)));
    expect(suite.cases).toHaveLength(500);
    expect(suite.cases.some((c) => c.name.includes('not shown'))).toBe(false);
  });

  it('never writes more than 500 cases, keeps every rule case, and never loses a denied finding it had room for', () => {
    assertProperty(
      fc.property(fc.integer({ min: 0, max: 900 }), fc.integer({ min: 0, max: 400 }), (denied, warned) => {
        const suite = parseJunit(renderJunit(manyFindings(denied, warned)));
        expectCountsMatch(suite);
        const ruleCases = 5;
        const total = ruleCases + denied + warned;
        expect(suite.cases.length).toBe(Math.min(total, MAX_TEST_CASES));
        expect(suite.cases.filter((c) => c.classname === 'fargate-gate.rules')).toHaveLength(ruleCases);
        const findingRoom = total > MAX_TEST_CASES ? MAX_TEST_CASES - ruleCases - 1 : total - ruleCases;
        const deniedKept = suite.cases.filter((c) => c.classname === 'fargate-gate.vulnerabilities' && c.status === 'failure').length;
        expect(deniedKept).toBe(Math.min(denied, findingRoom));
      }),
      { numRuns: 40 },
    );
  });
});

describe('renderJunit: audit mode', () => {
  const NOTE = '(audit: not blocking)';
  const audited = parseJunit(renderJunit({ ...busyResult(), mode: 'audit' }));

  it('keeps audit-mode failures visible but marks the suite and every failure and error message as not blocking', () => {
    expect(audited.name).toBe(`fargate-gate ${NOTE}`);
    const red = audited.cases.filter((c) => c.status === 'failure' || c.status === 'error');
    expect(red.length).toBe(6);
    for (const c of red) expect(c.message!.endsWith(` ${NOTE}`)).toBe(true);
    expect(audited.cases.find((c) => c.classname === 'fargate-gate.rules' && c.name === 'vulnerabilities')!.message).toBe(`2 findings denied by rule vulnerabilities ${NOTE}`);
    expect(audited.cases.find((c) => c.name === 'app: CVE-2024-0002 (critical)')!.message).toBe(`glibc: heap overflow ${NOTE}`);
    expect(audited.properties.mode).toBe('audit');
  });

  it('keeps class names, case names and statuses as in enforce mode, so test history lines up when a policy moves between modes', () => {
    const enforced = parseJunit(renderJunit(busyResult()));
    const shape = (suite: ParsedSuite) => suite.cases.map((c) => [c.classname, c.name, c.status]);
    expect(shape(audited)).toEqual(shape(enforced));
    expect(enforced.name).toBe('fargate-gate');
    expect(enforced.cases.some((c) => c.message?.includes(NOTE))).toBe(false);
  });

  it('marks the summary case of a capped audit report too, and a custom suite name', () => {
    const capped = parseJunit(renderJunit({ ...manyFindings(700, 0), mode: 'audit' }, { suiteName: 'image web-api' }));
    expect(capped.name).toBe(`image web-api ${NOTE}`);
    expect(capped.cases[capped.cases.length - 1].message!.endsWith(NOTE)).toBe(true);
    expect(new Set(capped.cases.map((c) => c.classname.split('.')[0]))).toEqual(new Set(['image web-api']));
  });
});

describe('renderJunit: escaping', () => {
  it.each(HOSTILE.map((s) => [s]))('writes %j as well-formed XML and reads back as written', (hostile) => {
    const hostileResult = result({
      decision: 'fail',
      violations: [violation({ id: hostile, container: hostile, message: hostile, details: { [hostile]: hostile } }), violation({ action: 'warn', message: hostile })],
      suppressed: [suppressed({}, { id: hostile, reason: hostile, owner: hostile })],
      exceptions: { used: [], unused: [exception({ reason: hostile })], expired: [] },
      errors: [{ container: hostile, message: hostile }],
      policy: { name: hostile, hash: hostile, schemaVersion: hostile },
    });
    const xml = renderJunit(hostileResult, { suiteName: hostile });
    const suite = parseJunit(xml);
    expectCountsMatch(suite);
    const visible = xmlVisible(hostile);
    const denied = suite.cases.find((c) => c.status === 'failure' && c.type === 'high')!;
    expect(denied.message).toBe(visible);
    expect(denied.body).toContain(`message: ${visible}\ndetail: ${visible}=${visible}`);
    expect(suite.cases.find((c) => c.status === 'error')!.message).toBe(visible);
    expect(suite.cases.find((c) => c.status === 'skipped')!.message).toContain(`exception ${visible} (owner ${visible}`);
    expect(suite.properties['policy.name']).toBe(visible);
    expect(suite.systemOut).toContain(visible);
  });

  it('cuts very long messages in attributes but keeps them whole in the element text', () => {
    const long = 'x'.repeat(5000);
    const suite = parseJunit(renderJunit(result({ violations: [violation({ message: long })] })));
    const finding = suite.cases.find((c) => c.classname === 'fargate-gate.vulnerabilities')!;
    expect(finding.message!.length).toBe(1000);
    expect(finding.message!.endsWith('...')).toBe(true);
    expect(finding.body).toContain(`message: ${long}`);
  });
});

describe('renderJunit: determinism and robustness', () => {
  it('writes the same bytes whatever order the engine listed findings in', () => {
    const busy = busyResult();
    const reordered = { ...busy, violations: [...busy.violations].reverse(), errors: [...busy.errors].reverse() };
    expect(renderJunit(reordered)).toBe(renderJunit(busy));
    expect(renderJunit(busy)).toBe(renderJunit(busyResult()));
  });

  it('always writes well-formed XML with matching counts, for any result', () => {
    assertProperty(
      fc.property(arbResult(), fc.option(fc.string({ unit: 'binary', maxLength: 10 }), { nil: undefined }), (anyResult, suiteName) => {
        const xml = renderJunit(anyResult, { suiteName });
        const suite = parseJunit(xml);
        expectCountsMatch(suite);
        expect(suite.cases.length).toBeLessThanOrEqual(MAX_TEST_CASES);
        expect(suite.counts.errors).toBe(anyResult.errors.length);
        expect(suite.counts.skipped).toBe(anyResult.suppressed.length);
        expect(suite.cases.filter((c) => c.status === 'failure' && !c.classname.endsWith('.rules')).length).toBe(anyResult.violations.filter((v) => v.action === 'deny').length);
      }),
      { numRuns: 150 },
    );
  });

  it('rejects what the checker is meant to reject (so a pass above means something)', () => {
    expect(() => assertWellFormedXml('<a>\u0001</a>')).toThrow(/illegal XML character/);
    expect(() => assertWellFormedXml('<a>]]></a>')).toThrow(/]]>/);
    expect(() => assertWellFormedXml('<a>&nbsp;</a>')).toThrow(/unknown entity/);
    expect(() => assertWellFormedXml('<a>&#1;</a>')).toThrow(/illegal character/);
    expect(() => assertWellFormedXml('<a><b></a>')).toThrow(/not well-formed/);
  });
});
