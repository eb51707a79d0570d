import { container, evaluate, evaluateReport, policy, report, vuln } from '../support';

describe('rules.vulnerabilities', () => {
  const thresholds = policy({
    rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' }, unfixable: { minSeverity: 'critical', action: 'warn' } } },
  });

  it('judges fixable and unfixable findings by their own threshold and action', () => {
    const scan = report({
      vulnerabilities: [
        vuln('CVE-2024-0001', 'critical', 'fixed'),
        vuln('CVE-2024-0002', 'high', 'fixed'),
        vuln('CVE-2024-0003', 'medium', 'fixed'),
        vuln('CVE-2024-0004', 'critical', 'unfixed'),
        vuln('CVE-2024-0005', 'high', 'unfixed'),
      ],
    });
    const result = evaluateReport(thresholds, scan);
    expect(result.violations.map((v) => [v.id, v.action, v.details?.matchedBy])).toEqual([
      ['CVE-2024-0001', 'deny', 'fixable'],
      ['CVE-2024-0002', 'deny', 'fixable'],
      ['CVE-2024-0004', 'warn', 'unfixable'],
    ]);
    expect(result.decision).toBe('fail');
  });

  it.each(['unfixed', 'wont_fix', 'end_of_life', 'unknown'] as const)('treats fix state %s as unfixable', (fixState) => {
    const result = evaluateReport(thresholds, report({ vulnerabilities: [vuln('CVE-2024-0009', 'critical', fixState)] }));
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ action: 'warn', details: { fixState, matchedBy: 'unfixable' } });
  });

  it('ignores a class that has no threshold', () => {
    const onlyFixable = policy({ rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'low' } } } });
    const result = evaluateReport(onlyFixable, report({ vulnerabilities: [vuln('CVE-1', 'critical', 'unfixed'), vuln('CVE-2', 'low', 'fixed')] }));
    expect(result.violations.map((v) => v.id)).toEqual(['CVE-2']);
  });

  it('writes actionable messages with versions and the scanner fix state', () => {
    const scan = report({
      vulnerabilities: [
        vuln('CVE-2021-44228', 'critical', 'fixed', { name: 'log4j-core', installedVersion: '2.14.1', fixedVersion: '2.15.0' }),
        { ...vuln('CVE-2019-1010022', 'critical', 'wont_fix', { name: 'libc6', installedVersion: '2.28-10' }), scannerFixState: 'will_not_fix' },
      ],
    });
    const [fixed, unfixable] = evaluateReport(thresholds, scan).violations;
    expect(fixed.message).toBe('CVE-2021-44228 (critical) in log4j-core 2.14.1: fixed in 2.15.0; upgrade log4j-core or rebuild on a patched base image');
    expect(unfixable.message).toBe(
      'CVE-2019-1010022 (critical) in libc6 2.28-10: no fix available (will_not_fix); remove or replace libc6, or add an exception with an owner and an expiry',
    );
    expect(fixed.details).toMatchObject({ package: 'log4j-core', installedVersion: '2.14.1', fixedVersion: '2.15.0', fixState: 'fixed' });
  });

  it('denies listed ids whatever their severity, matching aliases case-insensitively', () => {
    const loaded = policy({ rules: { vulnerabilities: { action: 'deny', denyIds: ['ghsa-jfh8-c2jp-5v3q', 'CVE-2014-0160'] } } });
    const scan = report({
      vulnerabilities: [
        vuln('CVE-2021-44228', 'low', 'unfixed', { name: 'log4j-core' }, ['GHSA-jfh8-c2jp-5v3q']),
        vuln('cve-2014-0160', 'negligible', 'fixed'),
        vuln('CVE-2099-0001', 'critical', 'fixed'),
      ],
    });
    const result = evaluateReport(loaded, scan);
    // low before negligible: violations are ordered by severity
    expect(result.violations.map((v) => [v.id, v.details?.matchedBy])).toEqual([
      ['CVE-2021-44228', 'denyIds'],
      ['cve-2014-0160', 'denyIds'],
    ]);
    expect(result.violations.find((v) => v.id === 'CVE-2021-44228')?.message).toContain("is on the policy's deny list; no fix available");
    expect(result.violations.find((v) => v.id === 'CVE-2021-44228')?.details?.aliases).toBe('GHSA-jfh8-c2jp-5v3q');
  });

  it('takes the strictest action when a deny-listed id also crosses a warn threshold', () => {
    const loaded = policy({ rules: { vulnerabilities: { action: 'deny', denyIds: ['CVE-1'], unfixable: { minSeverity: 'high', action: 'warn' } } } });
    const [violation] = evaluateReport(loaded, report({ vulnerabilities: [vuln('CVE-1', 'critical', 'unfixed')] })).violations;
    expect(violation).toMatchObject({ action: 'deny', details: { matchedBy: 'denyIds,unfixable' } });
  });

  it('reports one violation per vulnerability and package occurrence', () => {
    const loaded = policy({ rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'low' } } } });
    const scan = report({
      vulnerabilities: [
        vuln('CVE-1', 'high', 'fixed', { name: 'openssl', path: undefined }),
        { ...vuln('CVE-1', 'high', 'fixed', { name: 'openssl' }), target: 'debian 12' },
        vuln('CVE-1', 'high', 'fixed', { name: 'libssl3' }),
        vuln('CVE-1', 'high', 'fixed', { name: 'jackson', path: '/app/a.jar' }),
        vuln('CVE-1', 'high', 'fixed', { name: 'jackson', path: '/app/b.jar' }),
      ],
    });
    expect(evaluateReport(loaded, scan).violations).toHaveLength(4);
  });

  it('judges unknown severity at treatUnknownAs', () => {
    const failClosed = policy({ rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' }, treatUnknownAs: 'high' } } });
    const [violation] = evaluateReport(failClosed, report({ vulnerabilities: [vuln('GO-2024-0001', 'unknown', 'fixed')] })).violations;
    expect(violation).toMatchObject({ severity: 'high', details: { reportedSeverity: 'unknown' } });
    expect(violation.message).toContain('(high, rated unknown by the scanner)');
    expect(evaluateReport(thresholds, report({ vulnerabilities: [vuln('GO-2024-0001', 'unknown', 'fixed')] })).violations).toEqual([]);
  });

  describe('maxCounts', () => {
    const counts = policy({ rules: { vulnerabilities: { action: 'deny', maxCounts: { critical: 0, medium: 2, action: 'warn' } } } });
    const many = (n: number, severity: 'critical' | 'medium' | 'high', fixState: 'fixed' | 'unfixed' = 'unfixed') =>
      Array.from({ length: n }, (_, i) => vuln(`CVE-2024-${severity}-${fixState}-${i}`, severity, fixState));

    it('reports a count above the limit, per exact severity, fixable or not', () => {
      const result = evaluateReport(counts, report({ vulnerabilities: [...many(1, 'critical'), ...many(2, 'medium', 'fixed'), ...many(1, 'medium'), ...many(9, 'high')] }));
      expect(result.violations.map((v) => [v.id, v.severity, v.action, v.details])).toEqual([
        ['vulnerabilities.maxCounts.critical', 'critical', 'warn', { count: 1, max: 0 }],
        ['vulnerabilities.maxCounts.medium', 'medium', 'warn', { count: 3, max: 2 }],
      ]);
      expect(result.violations[1].message).toBe('the image has 3 medium vulnerabilities (fixable or not), more than the 2 the policy allows; update the base image and packages to bring the count down');
    });

    it('allows a count equal to the limit', () => {
      expect(evaluateReport(counts, report({ vulnerabilities: many(2, 'medium') })).violations).toEqual([]);
    });

    it('counts a vulnerability once per package occurrence, not per report target', () => {
      const dup = [vuln('CVE-9', 'medium', 'fixed'), { ...vuln('CVE-9', 'medium', 'fixed'), target: 'debian 12' }, vuln('CVE-10', 'medium', 'fixed')];
      expect(evaluateReport(counts, report({ vulnerabilities: dup })).violations).toEqual([]);
    });

    it('counts unknown severity at treatUnknownAs', () => {
      const loaded = policy({ rules: { vulnerabilities: { action: 'deny', maxCounts: { high: 0 }, treatUnknownAs: 'high' } } });
      expect(evaluateReport(loaded, report({ vulnerabilities: [vuln('X-1', 'unknown')] })).violations.map((v) => v.id)).toEqual(['vulnerabilities.maxCounts.high']);
    });
  });

  it('does nothing when disabled', () => {
    const loaded = policy({ rules: { vulnerabilities: { action: 'deny', enabled: false, fixable: { minSeverity: 'low' } } } });
    expect(evaluate(loaded, [container(loaded, report({ vulnerabilities: [vuln('CVE-1', 'critical')] }))]).violations).toEqual([]);
  });
});

describe('rules.vulnerabilities: one vulnerability reported under two ids', () => {
  const lodash = { name: 'lodash', installedVersion: '4.17.20', path: '/app/node_modules/lodash/package.json' };
  const pair = [
    vuln('GHSA-35jh-r3h4-6jhm', 'high', 'fixed', { ...lodash, fixedVersion: '4.17.21' }, ['CVE-2021-23337']),
    vuln('CVE-2021-23337', 'high', 'unknown', lodash, ['GHSA-35jh-r3h4-6jhm']),
  ];

  it('is one violation, under the CVE, with the advisory as an alias', () => {
    const loaded = policy({ rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' }, unfixable: { minSeverity: 'high' } } } });
    const result = evaluateReport(loaded, report({ vulnerabilities: pair }));
    expect(result.violations.map((v) => [v.id, v.details?.aliases, v.details?.fixState])).toEqual([['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm', 'fixed']]);
  });

  it('is counted once by maxCounts', () => {
    const loaded = policy({ rules: { vulnerabilities: { action: 'deny', maxCounts: { high: 1 } } } });
    expect(evaluateReport(loaded, report({ vulnerabilities: pair })).violations).toEqual([]);
    const two = policy({ rules: { vulnerabilities: { action: 'deny', maxCounts: { high: 0 } } } });
    expect(evaluateReport(two, report({ vulnerabilities: pair })).violations[0].details).toEqual({ count: 1, max: 0 });
  });
});

describe('rules.vulnerabilities: fix state not_affected', () => {
  const notAffected = vuln('CVE-2024-0005', 'critical', 'not_affected', { name: 'bash' });

  it('is judged by no part of the rule: thresholds, deny list or counts', () => {
    const loaded = policy({
      rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'low' }, unfixable: { minSeverity: 'low' }, denyIds: ['CVE-2024-0005'], maxCounts: { critical: 0 } } },
    });
    const result = evaluateReport(loaded, report({ vulnerabilities: [notAffected] }));
    expect(result.violations).toEqual([]);
    expect(result.decision).toBe('pass');
  });

  it('does not hide an affected copy of the same vulnerability in another package', () => {
    const loaded = policy({ rules: { vulnerabilities: { action: 'deny', unfixable: { minSeverity: 'high' } } } });
    const result = evaluateReport(loaded, report({ vulnerabilities: [notAffected, vuln('CVE-2024-0005', 'critical', 'unfixed', { name: 'bash-static' })] }));
    expect(result.violations.map((v) => v.details?.package)).toEqual(['bash-static']);
  });
});
