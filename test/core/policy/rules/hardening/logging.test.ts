import { logging } from '../../../../../functions/core/policy/rules/hardening/logging';
import { findings, run } from './support';

describe('hardening.logging', () => {
  it('flags essential containers without a log driver, not non-essential ones', () => {
    const out = findings(
      run(logging, { action: 'warn' }, { containers: [{ name: 'a' }, { name: 'b', logDriver: 'awslogs' }, { name: 'c', essential: false }, { name: 'd', logDriver: ' ' }] }),
    );
    expect(out.map((f) => f.container)).toEqual(['a', 'd']);
    expect(logging.controls).toContain('Security Hub ECS.9');
  });
});
