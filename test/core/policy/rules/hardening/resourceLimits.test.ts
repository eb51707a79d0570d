import { resourceLimits } from '../../../../../functions/core/policy/rules/hardening/resourceLimits';
import { findings, run } from './support';

describe('hardening.resourceLimits', () => {
  it('by default asks for a memory hard limit only: memoryReservation does not count', () => {
    const out = findings(run(resourceLimits, { action: 'deny' }, { containers: [{ name: 'a' }, { name: 'b', memoryReservation: 256 }, { name: 'c', memory: 512 }] }));
    expect(out.map((f) => f.container)).toEqual(['a', 'b']);
    expect(out[0].message).toBe('container a has no memory hard limit (`memory`); set it in the container definition');
  });

  it('asks for cpu above 0 when requireCpu is set, and nothing when both are off', () => {
    const out = findings(run(resourceLimits, { action: 'deny', requireCpu: true }, { containers: [{ name: 'a', memory: 512, cpu: 0 }, { name: 'b' }] }));
    expect(out.map((f) => f.message)).toEqual([
      'container a has no CPU limit (`cpu`); set it in the container definition',
      'container b has no memory hard limit (`memory`) and no CPU limit (`cpu`); set them in the container definition',
    ]);
    expect(findings(run(resourceLimits, { action: 'deny', requireMemory: false }, { containers: [{ name: 'a' }] }))).toEqual([]);
  });
});
