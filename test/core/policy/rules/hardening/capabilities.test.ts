import { capabilities } from '../../../../../functions/core/policy/rules/hardening/capabilities';
import { findings, run } from './support';

describe('hardening.capabilities', () => {
  it('flags added capabilities', () => {
    const out = findings(run(capabilities, { action: 'warn' }, { containers: [{ name: 'a', addedCapabilities: ['SYS_PTRACE'] }, { name: 'b' }] }));
    expect(out).toEqual([expect.objectContaining({ container: 'a', message: expect.stringContaining('adds Linux capabilities SYS_PTRACE') })]);
    expect(out[0].message).not.toContain('drop');
  });

  it('with requireDropAll, flags a container that does not drop ALL (any case) and passes one that does', () => {
    const out = findings(
      run(capabilities, { action: 'deny', requireDropAll: true }, { containers: [{ name: 'a' }, { name: 'b', droppedCapabilities: ['NET_RAW'] }, { name: 'c', droppedCapabilities: ['all'] }] }),
    );
    expect(out.map((f) => f.container)).toEqual(['a', 'b']);
    expect(out[0].message).toContain('set `drop: ["ALL"]`');
    expect(out[0].message).not.toContain('remove the added');
  });

  it('without requireDropAll, a container that adds nothing passes whatever it drops', () => {
    expect(findings(run(capabilities, { action: 'deny' }, { containers: [{ name: 'a' }] }))).toEqual([]);
  });
});
