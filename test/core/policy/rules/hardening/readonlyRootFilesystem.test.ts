import { readonlyRootFilesystem } from '../../../../../functions/core/policy/rules/hardening/readonlyRootFilesystem';
import { findings, run } from './support';

describe('hardening.readonlyRootFilesystem', () => {
  it('flags a container that leaves readonlyRootFilesystem unset or false, and passes one that sets it', () => {
    const out = findings(run(readonlyRootFilesystem, { action: 'deny' }, { containers: [{ name: 'a' }, { name: 'b', readonlyRootFilesystem: false }, { name: 'c', readonlyRootFilesystem: true }] }));
    expect(out.map((f) => f.container)).toEqual(['a', 'b']);
    expect(out[0].message).toContain('`readonlyRootFilesystem` is not set');
    expect(out[1].message).toContain('`readonlyRootFilesystem` is false');
  });

  it('maps to Security Hub ECS.5, Checkov CKV_AWS_336 and Control Tower CT.ECS.PR.6 with the published NIST and PCI sets', () => {
    expect(readonlyRootFilesystem.controls).toEqual(expect.arrayContaining(['Security Hub ECS.5', 'Checkov CKV_AWS_336', 'Control Tower CT.ECS.PR.6', 'PCI DSS 3.2.1 7.1.1, 7.2.1, 7.2.2']));
  });
});
