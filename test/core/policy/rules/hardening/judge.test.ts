import { evaluatePolicy } from '../../../../../functions/core/policy/evaluate';
import type { EvaluationInput } from '../../../../../functions/core/policy/input';
import { HARDENING_RULES } from '../../../../../functions/core/policy/rules/hardening';
import type { PolicyInput } from '../../../../../functions/core/policy/schema';
import { container, NOW, policy, report } from '../../support';

type Hardening = NonNullable<PolicyInput['rules']['hardening']>;

function judge(hardening: Hardening, input: Partial<EvaluationInput> & { specs?: Parameters<typeof container>[2][] }, extra: Partial<PolicyInput> = {}) {
  const loaded = policy({ rules: { hardening }, ...extra });
  const containers = (input.specs ?? [{}]).map((s) => container(loaded, report(), s));
  return evaluatePolicy(loaded, { containers, context: input.context ?? { cluster: 'prod', service: 'web' }, now: NOW, task: input.task ?? { networkMode: 'awsvpc' }, ...(input.launch ? { launch: input.launch } : {}) });
}

describe('hardening rules in the engine', () => {
  it('a deny fails the task, names the rule as hardening.<key> and carries the controls', () => {
    const result = judge({ privileged: { action: 'deny' } }, { specs: [{ name: 'app', privileged: true }] });
    expect(result.decision).toBe('fail');
    expect(result.violations).toEqual([
      expect.objectContaining({ rule: 'hardening.privileged', id: 'hardening.privileged', kind: 'hardening', container: 'app', action: 'deny', severity: 'critical', controls: expect.arrayContaining(['Security Hub ECS.4']) }),
    ]);
  });

  it('a warn only warns; a disabled rule is not applied', () => {
    expect(judge({ privileged: { action: 'warn' } }, { specs: [{ privileged: true }] }).decision).toBe('warn');
    expect(judge({ privileged: { action: 'deny', enabled: false } }, { specs: [{ privileged: true }] }).decision).toBe('pass');
  });

  it('an unknown launch fact is a note by default and a warning under whenUnknown "warn", never a pass without a word', () => {
    const noted = judge({ publicIp: { action: 'deny' } }, {});
    expect(noted.decision).toBe('pass');
    expect(noted.notes).toEqual([expect.stringMatching(/^hardening\.publicIp not judged: /)]);
    const warned = judge({ publicIp: { action: 'deny', whenUnknown: 'warn' } }, {});
    expect(warned.decision).toBe('warn');
    expect(warned.violations[0]).toMatchObject({ rule: 'hardening.publicIp', action: 'warn', details: { judged: false } });
    expect(warned.violations[0].controls).toBeUndefined();
  });

  it('a known launch fact is judged and its source named', () => {
    const result = judge({ publicIp: { action: 'deny' } }, { launch: { publicIp: { value: true, source: 'from the RunTask call' } } });
    expect(result.decision).toBe('fail');
    expect(result.violations[0].message).toContain('(from the RunTask call)');
    expect(result.notes).toBeUndefined();
  });

  it('without a task definition the hardening rules are not judged, and the result says so', () => {
    const loaded = policy({ rules: { hardening: { privileged: { action: 'deny' } } } });
    const result = evaluatePolicy(loaded, { containers: [container(loaded, report(), { privileged: true })], context: {}, now: NOW });
    expect(result.decision).toBe('pass');
    expect(result.notes).toEqual(['hardening rules not judged: no task definition was given']);
  });

  it('exceptions by container, service, cluster and rule suppress a hardening violation', () => {
    const exception = (match: Record<string, unknown>) => ({ exceptions: [{ id: 'EX-1', match, reason: 'debug sidecar', owner: 'team', expiresAt: '2030-01-01' }] });
    for (const match of [{ containers: ['app'] }, { services: ['web'] }, { clusters: ['prod'] }, { rules: ['hardening.capabilities'] }, { ids: ['hardening.capabilities'] }, { repositories: ['team/app'] }]) {
      const result = judge({ capabilities: { action: 'deny' } }, { specs: [{ name: 'app', addedCapabilities: ['SYS_PTRACE'] }] }, exception(match) as Partial<PolicyInput>);
      expect([match, result.decision, result.suppressed.map((s) => s.rule)]).toEqual([match, 'pass', ['hardening.capabilities']]);
    }
    const other = judge({ capabilities: { action: 'deny' } }, { specs: [{ name: 'app', addedCapabilities: ['SYS_PTRACE'] }] }, exception({ containers: ['other'] }) as Partial<PolicyInput>);
    expect(other.decision).toBe('fail');
  });

  it('a task-level violation is waived by cluster, never by container or repository (it belongs to no container)', () => {
    const exception = (match: Record<string, unknown>) => ({ exceptions: [{ id: 'EX-1', match, reason: 'legacy', owner: 'team', expiresAt: '2030-01-01' }] }) as Partial<PolicyInput>;
    expect(judge({ hostPid: { action: 'deny' } }, { task: { pidMode: 'host' } }, exception({ clusters: ['prod'] })).decision).toBe('pass');
    expect(judge({ hostPid: { action: 'deny' } }, { task: { pidMode: 'host' } }, exception({ containers: ['web'] })).decision).toBe('fail');
    expect(judge({ hostPid: { action: 'deny' } }, { task: { pidMode: 'host' } }, exception({ repositories: ['team/app'] })).decision).toBe('fail');
  });

  it('a container in audit scope reports its hardening denial as a warning in an enforced task', () => {
    const result = judge(
      { privileged: { action: 'deny' } },
      { specs: [{ name: 'app', privileged: true, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/sandbox/x:1' }, { name: 'web' }] },
      { modeOverrides: [{ match: { repositories: ['sandbox/*'] }, mode: 'audit' }] },
    );
    expect(result.mode).toBe('enforce');
    expect(result.violations[0]).toMatchObject({ container: 'app', action: 'warn', details: { auditOnly: true } });
    expect(result.decision).toBe('warn');
  });

  it('every rule names a Security Hub control or none; none names NIST or PCI beyond the published mappings', () => {
    const withNist = HARDENING_RULES.filter((rule) => rule.controls.some((c) => c.startsWith('NIST') || c.startsWith('PCI')));
    expect(withNist.map((rule) => rule.key).sort()).toEqual(['publicIp', 'readonlyRootFilesystem']);
  });

  it('imagesJudged false: a container without a report is no scan error, and the result notes the image rules were not judged', () => {
    const loaded = policy({ rules: { hardening: { privileged: { action: 'deny' } } } });
    const evidence = { ...container(loaded, undefined, { name: 'app' }) };
    const judged = evaluatePolicy(loaded, { containers: [evidence], context: {}, now: NOW, task: {} });
    expect(judged.decision).toBe('error');
    const alone = evaluatePolicy(loaded, { containers: [evidence], context: {}, now: NOW, task: {}, imagesJudged: false });
    expect(alone.decision).toBe('pass');
    expect(alone.errors).toEqual([]);
    expect(alone.notes).toEqual([expect.stringMatching(/^image rules not judged: no scan report was given/)]);
  });
});
