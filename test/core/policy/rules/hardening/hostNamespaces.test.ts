import { hostIpc } from '../../../../../functions/core/policy/rules/hardening/hostIpc';
import { hostNetwork } from '../../../../../functions/core/policy/rules/hardening/hostNetwork';
import { hostPid } from '../../../../../functions/core/policy/rules/hardening/hostPid';
import { findings, run } from './support';

describe.each([
  ['hostNetwork', hostNetwork, 'networkMode', 'awsvpc', 'Security Hub ECS.17'],
  ['hostPid', hostPid, 'pidMode', 'task', 'Security Hub ECS.3'],
  ['hostIpc', hostIpc, 'ipcMode', 'none', undefined],
] as const)('hardening.%s', (_name, rule, field, safe, control) => {
  it(`flags ${field} "host" (any case) as a task-level finding`, () => {
    const out = findings(run(rule, { action: 'deny' }, { task: { [field]: 'HOST' } }));
    expect(out).toHaveLength(1);
    expect(out[0].container).toBeUndefined();
    expect(out[0].message).toContain(`\`${field}: "HOST"\``);
  });

  it(`passes ${field} "${safe}" and an unset ${field}`, () => {
    expect(findings(run(rule, { action: 'deny' }, { task: { [field]: safe } }))).toEqual([]);
    expect(findings(run(rule, { action: 'deny' }, { task: {} }))).toEqual([]);
  });

  it('names its published control, or none where none exists', () => {
    if (control === undefined) expect(rule.controls).toEqual([]);
    else expect(rule.controls).toContain(control);
  });
});
