import fc from 'fast-check';
import { MAX_STOP_REASON_LENGTH, buildStopReason, decidingBuildIds } from '../../../functions/core/gate/stop-reason';
import type { Violation } from '../../../functions/core/result/model';
import { assertProperty } from '../../support/property';

describe('buildStopReason', () => {
  it('names the policy, the failing rules and the build', () => {
    expect(
      buildStopReason({ policyName: 'production', decision: 'fail', rules: ['rootUser', 'vulnerabilities'], buildIds: ['arn:aws:codebuild:eu-west-1:123456789012:build/fargate-gate-scan:7c8d9e0f-1a2b'] }),
    ).toBe('fargate-gate: denied by policy "production"; rules: rootUser,vulnerabilities; build: fargate-gate-scan:7c8d9e0f-1a2b');
  });

  it('says so when the image could not be judged', () => {
    expect(buildStopReason({ policyName: 'p', decision: 'error', rules: ['onScanError'], buildIds: [] })).toBe(
      'fargate-gate: image could not be judged by policy "p"; rules: onScanError',
    );
  });

  it('lists each rule and build once', () => {
    const reason = buildStopReason({ policyName: 'p', decision: 'fail', rules: ['secrets', 'secrets', 'rootUser'], buildIds: ['b:1', 'b:1'] });
    expect(reason).toBe('fargate-gate: denied by policy "p"; rules: secrets,rootUser; build: b:1');
  });

  it('keeps the build pointer when a long rule list has to be cut', () => {
    const rules = Array.from({ length: 60 }, (_, i) => `rule${i}`);
    const reason = buildStopReason({ policyName: 'p', decision: 'fail', rules, buildIds: ['project:uuid-1', 'project:uuid-2'] });
    expect(reason.length).toBeLessThanOrEqual(MAX_STOP_REASON_LENGTH);
    expect(reason).toMatch(/ \+\d+ more; build: project:uuid-1 \+1 more$/);
  });

  it('shortens a very long policy name and build id', () => {
    const reason = buildStopReason({ policyName: 'p'.repeat(500), decision: 'fail', rules: ['rootUser'], buildIds: [`${'x'.repeat(300)}:id`] });
    expect(reason.length).toBeLessThanOrEqual(MAX_STOP_REASON_LENGTH);
    expect(reason).toContain(`"${'p'.repeat(63)}…"`);
    expect(reason).toContain('rules: rootUser');
  });

  it('keeps the reason on one line whatever the policy name holds', () => {
    const reason = buildStopReason({ policyName: 'evil\nname\r\u0000\u2028x', decision: 'fail', rules: ['rootUser'], buildIds: [] });
    expect(reason).toBe('fargate-gate: denied by policy "evil name x"; rules: rootUser');
  });

  it('is at most 255 UTF-16 code units and never splits a character, for any input', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 400 });
    assertProperty(
      fc.property(text, fc.constantFrom('fail', 'error'), fc.array(text, { maxLength: 30 }), fc.array(text, { maxLength: 10 }), (policyName, decision, rules, buildIds) => {
        const reason = buildStopReason({ policyName, decision: decision as 'fail' | 'error', rules, buildIds });
        expect(reason.length).toBeLessThanOrEqual(MAX_STOP_REASON_LENGTH);
        expect(reason.startsWith('fargate-gate: ')).toBe(true);
        expect(reason).not.toMatch(/[\u0000-\u001f]/);
        // A lone surrogate would mean a character was cut in half.
        expect(reason).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      }),
      { numRuns: 400 },
    );
  });
});

describe('decidingBuildIds', () => {
  const images = [
    { container: 'web', buildId: 'scan:web' },
    { container: 'agent', buildId: 'scan:agent-failed' },
    { container: 'sidecar' },
  ];
  const violation = (container: string | undefined, action: 'deny' | 'warn'): Violation =>
    ({ rule: 'vulnerabilities', kind: 'vulnerability', container, id: 'CVE-1', severity: 'high', action, message: 'm' }) as Violation;

  it('names the builds of the containers that made the decision only', () => {
    expect(decidingBuildIds({ decision: 'error', violations: [], errors: [{ container: 'agent', message: 'the scan failed' }] }, images)).toEqual(['scan:agent-failed']);
    expect(decidingBuildIds({ decision: 'fail', violations: [violation('web', 'deny'), violation('agent', 'warn')], errors: [] }, images)).toEqual(['scan:web']);
  });

  it('names no build rather than another container\'s when the deciding one has none', () => {
    expect(decidingBuildIds({ decision: 'error', violations: [], errors: [{ container: 'sidecar', message: 'invalid reference' }] }, images)).toEqual([]);
  });

  it('falls back to every build when the decision names no container', () => {
    expect(decidingBuildIds({ decision: 'fail', violations: [violation(undefined, 'deny')], errors: [] }, images)).toEqual(['scan:web', 'scan:agent-failed']);
  });
});
