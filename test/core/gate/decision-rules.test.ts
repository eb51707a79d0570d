import { decisionRules } from '../../../functions/core/gate/decision-rules';

describe('decisionRules', () => {
  const violation = (rule: string, action: 'deny' | 'warn') => ({ rule, kind: 'image' as const, id: rule, severity: 'high' as const, action, message: '' });

  it('names the denying rules when there are any', () => {
    expect(decisionRules({ decision: 'fail', violations: [violation('images', 'warn'), violation('rootUser', 'deny')], errors: [{ message: 'x' }] })).toEqual(['rootUser']);
  });

  it('names the warning rules of a warning', () => {
    expect(decisionRules({ decision: 'warn', violations: [violation('images', 'warn'), violation('images', 'warn')], errors: [] })).toEqual(['images']);
  });

  it('names onScanError when an image could not be judged', () => {
    expect(decisionRules({ decision: 'error', violations: [violation('images', 'warn')], errors: [{ message: 'x' }] })).toEqual(['images', 'onScanError']);
    expect(decisionRules({ decision: 'warn', violations: [], errors: [{ message: 'x' }] })).toEqual(['onScanError']);
  });
});
