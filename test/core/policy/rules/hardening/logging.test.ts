import { logging } from '../../../../../functions/core/policy/rules/hardening/logging';
import { findings, run } from './support';

describe('hardening.logging', () => {
  const containers = [{ name: 'a' }, { name: 'b', logDriver: 'awslogs' }, { name: 'c', essential: false }, { name: 'd', logDriver: ' ' }];

  it('flags every container without a log driver by default, as ECS.9 does: essential: false is no way around it', () => {
    const out = findings(run(logging, { action: 'warn' }, { containers }));
    expect(out.map((f) => [f.container, f.message.split(' ')[0]])).toEqual([
      ['a', 'essential'],
      ['c', 'non-essential'],
      ['d', 'essential'],
    ]);
    expect(findings(run(logging, { action: 'warn' }, { containers: [{ name: 'workload', essential: false }, { name: 'sidecar', logDriver: 'awslogs' }] })).map((f) => f.container)).toEqual(['workload']);
  });

  it('checks essential containers only with essentialOnly: true', () => {
    const out = findings(run(logging, { action: 'warn', essentialOnly: true }, { containers }));
    expect(out.map((f) => f.container)).toEqual(['a', 'd']);
    expect(logging.controls).toContain('Security Hub ECS.9');
  });
});
