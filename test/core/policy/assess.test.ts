import { assessImage } from '../../../functions/core/policy/assess';
import { misconfig, policy, report, secret, vuln } from './support';

describe('assessImage', () => {
  const loaded = policy({
    rules: {
      rootUser: { action: 'deny' },
      secrets: { action: 'deny', minSeverity: 'high' },
      vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } },
      misconfigurations: { action: 'warn', minSeverity: 'medium' },
    },
  });
  const scan = report({
    vulnerabilities: [vuln('CVE-1', 'critical'), vuln('CVE-2', 'low'), vuln('CVE-3', 'critical', 'unfixed')],
    secrets: [secret('aws-access-key-id', 'critical'), secret('jwt-token', 'medium', 'JWT')],
    misconfigurations: [misconfig('DS-0002', 'high'), misconfig('DS-0013', 'medium'), misconfig('DS-0026', 'low')],
  });

  it('keeps only the findings a rule matched, as candidates without a container', () => {
    const assessment = assessImage(loaded, scan);
    expect(assessment.candidates.map((c) => `${c.rule}:${c.id}:${c.action}`)).toEqual(['vulnerabilities:CVE-1:deny', 'secrets:aws-access-key-id:deny', 'misconfigurations:DS-0013:warn']);
    expect(assessment.candidates.every((c) => c.container === undefined)).toBe(true);
  });

  it('turns a failed DS-0002 into scannerSaysRoot instead of a candidate', () => {
    const assessment = assessImage(loaded, scan);
    expect(assessment.scannerSaysRoot).toBe(true);
    expect(assessment.candidates.map((c) => c.id)).not.toContain('DS-0002');
    expect(assessImage(loaded, report()).scannerSaysRoot).toBe(false);
  });

  it('carries the image facts and provenance unchanged', () => {
    const assessment = assessImage(loaded, scan);
    expect(assessment.facts).toBe(scan.image);
    expect(assessment.provenance).toBe(scan.provenance);
  });

  it('is plain JSON with no undefined members, so it can be stored as is', () => {
    const assessment = assessImage(loaded, scan);
    expect(JSON.parse(JSON.stringify(assessment))).toStrictEqual(assessment);
  });

  it('depends on the policy: a policy without rules keeps nothing', () => {
    expect(assessImage(policy(), scan).candidates).toEqual([]);
  });

  it('tolerates a report missing finding lists', () => {
    const partial = { ...report(), vulnerabilities: undefined, secrets: undefined, misconfigurations: undefined } as unknown as Parameters<typeof assessImage>[1];
    expect(assessImage(loaded, partial)).toMatchObject({ candidates: [], scannerSaysRoot: false });
  });
});

describe('assessImage: the scanner root-user check', () => {
  it('records a passing DS-0002 as scannerSaysNonRoot, and a failing one wins over it', () => {
    const loaded = policy({ rules: { rootUser: { action: 'deny' } } });
    expect(assessImage(loaded, report({ misconfigurations: [misconfig('DS-0002', 'high', 'pass')] }))).toMatchObject({ scannerSaysRoot: false, scannerSaysNonRoot: true });
    expect(assessImage(loaded, report({ misconfigurations: [misconfig('DS-0002', 'high', 'pass'), misconfig('DS002', 'high')] }))).toMatchObject({
      scannerSaysRoot: true,
      scannerSaysNonRoot: false,
    });
  });

  it('keeps a failed DS-0002 as a misconfiguration candidate when rules.rootUser is absent or disabled', () => {
    const scan = report({ misconfigurations: [misconfig('DS-0002', 'high')] });
    const noRoot = policy({ rules: { misconfigurations: { action: 'warn', minSeverity: 'medium' } } });
    expect(assessImage(noRoot, scan).candidates.map((c) => `${c.rule}:${c.id}`)).toEqual(['misconfigurations:DS-0002']);
    const disabled = policy({ rules: { rootUser: { action: 'deny', enabled: false }, misconfigurations: { action: 'warn', minSeverity: 'medium' } } });
    expect(assessImage(disabled, scan).candidates.map((c) => `${c.rule}:${c.id}`)).toEqual(['misconfigurations:DS-0002']);
  });
});
