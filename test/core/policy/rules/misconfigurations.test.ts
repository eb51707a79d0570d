import { isRootUserCheck, scannerSaysRoot } from '../../../../functions/core/policy/rules/misconfigurations';
import { evaluateReport, misconfig, policy, report } from '../support';

describe('rules.misconfigurations', () => {
  it('matches denyIds in any spelling against any spelling in the report', () => {
    const loaded = policy({ rules: { misconfigurations: { action: 'deny', denyIds: ['DS026', 'avd-ds-0001'] } } });
    const scan = report({ misconfigurations: [misconfig('DS-0026', 'low'), misconfig('DS001', 'medium', 'fail', ['AVD-DS-0001']), misconfig('DS-0005', 'low')] });
    const result = evaluateReport(loaded, scan);
    expect(result.violations.map((v) => [v.id, v.details?.matchedBy])).toEqual([
      ['DS-0001', 'denyIds'],
      ['DS-0026', 'denyIds'],
    ]);
    expect(result.violations[0].details?.aliases).toBe('AVD-DS-0001');
  });

  it('reports failed checks from minSeverity up', () => {
    const loaded = policy({ rules: { misconfigurations: { action: 'warn', minSeverity: 'medium' } } });
    const scan = report({ misconfigurations: [misconfig('DS-0001', 'medium'), misconfig('DS-0026', 'low'), misconfig('DS-0013', 'high')] });
    const result = evaluateReport(loaded, scan);
    expect(result.violations.map((v) => [v.id, v.action, v.details?.matchedBy])).toEqual([
      ['DS-0013', 'warn', 'minSeverity'],
      ['DS-0001', 'warn', 'minSeverity'],
    ]);
    expect(result.violations[1].message).toBe('check DS-0001 failed (medium): DS-0001 title');
  });

  it('counts only status FAIL', () => {
    const loaded = policy({ rules: { misconfigurations: { action: 'deny', minSeverity: 'low', denyIds: ['DS-0026'] } } });
    const scan = report({ misconfigurations: [misconfig('DS-0026', 'low', 'pass'), misconfig('DS-0001', 'high', 'exception')] });
    expect(evaluateReport(loaded, scan).violations).toEqual([]);
  });

  it('reports one violation per check, whatever its spelling', () => {
    const loaded = policy({ rules: { misconfigurations: { action: 'deny', minSeverity: 'low' } } });
    const scan = report({ misconfigurations: [misconfig('DS-0026', 'low'), misconfig('DS026', 'low')] });
    expect(evaluateReport(loaded, scan).violations).toHaveLength(1);
  });

  it('includes the scanner message when it adds to the title', () => {
    const loaded = policy({ rules: { misconfigurations: { action: 'deny', minSeverity: 'low' } } });
    const scan = report({ misconfigurations: [{ ...misconfig('DS-0026', 'low'), title: 'No HEALTHCHECK defined', message: 'Add HEALTHCHECK instruction in your Dockerfile' }] });
    expect(evaluateReport(loaded, scan).violations[0].message).toBe('check DS-0026 failed (low): No HEALTHCHECK defined; Add HEALTHCHECK instruction in your Dockerfile');
  });

  it('never reports DS-0002 while rules.rootUser is enabled: it is evidence for that rule', () => {
    const loaded = policy({ rules: { rootUser: { action: 'warn' }, misconfigurations: { action: 'deny', minSeverity: 'unknown' } } });
    // The image config says user "1000", so rules.rootUser reports nothing either.
    for (const id of ['DS-0002', 'DS002', 'AVD-DS-0002']) {
      expect(evaluateReport(loaded, report({ misconfigurations: [misconfig(id, 'high')] })).violations).toEqual([]);
    }
    expect(evaluateReport(loaded, report({ misconfigurations: [misconfig('DS-0099', 'high', 'fail', ['AVD-DS-0002'])] })).violations).toEqual([]);
  });
});

describe('scannerSaysRoot', () => {
  it('is true only for a failed DS-0002 in any spelling', () => {
    expect(scannerSaysRoot([misconfig('DS002', 'high')])).toBe(true);
    expect(scannerSaysRoot([misconfig('X', 'high', 'fail', ['AVD-DS-0002'])])).toBe(true);
    expect(scannerSaysRoot([misconfig('DS-0002', 'high', 'pass')])).toBe(false);
    expect(scannerSaysRoot([misconfig('DS-0020', 'high')])).toBe(false);
    expect(isRootUserCheck(misconfig('ds-0002', 'high'))).toBe(true);
  });
});

describe('DS-0002 without an enabled rootUser rule', () => {
  it('is an ordinary misconfiguration when the policy has no rootUser rule', () => {
    const loaded = policy({ rules: { misconfigurations: { action: 'deny', minSeverity: 'high' } } });
    const result = evaluateReport(loaded, report({ misconfigurations: [misconfig('DS002', 'high', 'fail', ['AVD-DS-0002'])] }));
    expect(result.violations.map((v) => [v.rule, v.id, v.action])).toEqual([['misconfigurations', 'DS-0002', 'deny']]);
  });

  it('is an ordinary misconfiguration when the rootUser rule is disabled, and may be listed in denyIds then', () => {
    const loaded = policy({ rules: { rootUser: { action: 'deny', enabled: false }, misconfigurations: { action: 'warn', denyIds: ['DS002'] } } });
    const result = evaluateReport(loaded, report({ misconfigurations: [misconfig('DS-0002', 'high')] }));
    expect(result.violations.map((v) => [v.rule, v.id, v.details?.matchedBy])).toEqual([['misconfigurations', 'DS-0002', 'denyIds']]);
  });

  it('is folded into rootUser when that rule is enabled', () => {
    const loaded = policy({ rules: { rootUser: { action: 'deny' }, misconfigurations: { action: 'deny', minSeverity: 'low' } } });
    const result = evaluateReport(loaded, report({ image: { ...report().image, hasImageConfig: false, configUser: undefined }, misconfigurations: [misconfig('DS-0002', 'high')] }));
    expect(result.violations.map((v) => v.rule)).toEqual(['rootUser']);
  });
});
