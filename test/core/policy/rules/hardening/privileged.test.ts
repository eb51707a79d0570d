import { privileged } from '../../../../../functions/core/policy/rules/hardening/privileged';
import { findings, run } from './support';

describe('hardening.privileged', () => {
  it('flags only privileged: true', () => {
    const out = findings(run(privileged, { action: 'deny' }, { containers: [{ name: 'a', privileged: true }, { name: 'b', privileged: false }, { name: 'c' }] }));
    expect(out.map((f) => f.container)).toEqual(['a']);
    expect(out[0].message).toContain('is privileged');
    expect(privileged.controls).toEqual(expect.arrayContaining(['Security Hub ECS.4', 'Checkov CKV_AWS_334', 'Control Tower CT.ECS.PR.11']));
  });
});
