import { effectiveUser, isRootUser } from '../../../../functions/core/policy/rules/rootUser';
import { container, evaluate, evaluateReport, facts, misconfig, policy, report } from '../support';

describe('isRootUser', () => {
  it.each([undefined, '', '   ', '0', ' 0 ', '00', '0:0', '0:1000', ' 0 : 0 ', 'root', 'root:root', 'root:wheel', ' root ', ':0', 'ContainerAdministrator'])(
    '%j is root',
    (user) => {
      expect(isRootUser(user)).toBe(true);
    },
  );

  it.each(['1000', '65532', '1000:0', '1000:1000', 'nginx', 'nobody', 'node:node', 'rootless', 'Root', '10', 'ContainerUser'])('%j is not root', (user) => {
    expect(isRootUser(user)).toBe(false);
  });
});

describe('effectiveUser', () => {
  it('takes the task definition user over the image config', () => {
    expect(effectiveUser('1000', facts({ configUser: 'root' }), true)).toEqual({ user: '1000', source: 'taskDefinition', root: false, imageConfigKnown: true, scannerSaysRoot: true });
    expect(effectiveUser('0', facts({ configUser: '65532' }), false)).toMatchObject({ user: '0', source: 'taskDefinition', root: true });
  });

  it('falls back to the image config when the task definition user is absent or blank', () => {
    expect(effectiveUser(undefined, facts({ configUser: '65532' }), false)).toMatchObject({ user: '65532', source: 'imageConfig', root: false });
    expect(effectiveUser('  ', facts({ configUser: 'root' }), false)).toMatchObject({ user: 'root', source: 'imageConfig', root: true });
  });

  it('is root by default when the known image config sets no user', () => {
    expect(effectiveUser(undefined, facts({ configUser: undefined }), false)).toMatchObject({ source: 'default', root: true, imageConfigKnown: true });
  });

  it('lets the scanner root check decide only when the image config is unknown', () => {
    expect(effectiveUser(undefined, facts({ hasImageConfig: false, configUser: undefined }), true)).toMatchObject({ source: 'scanner', root: true, imageConfigKnown: false });
    expect(effectiveUser(undefined, facts({ hasImageConfig: false, configUser: undefined }), false)).toMatchObject({ source: 'default', root: true, imageConfigKnown: false });
    // config.User is authoritative over the scanner's history-derived guess
    expect(effectiveUser(undefined, facts({ configUser: '1000' }), true)).toMatchObject({ source: 'imageConfig', root: false });
  });
});

describe('rules.rootUser in evaluation', () => {
  const loaded = policy({ rules: { rootUser: { action: 'deny' }, misconfigurations: { action: 'deny', minSeverity: 'low' } } });
  const rootViolations = (result: ReturnType<typeof evaluate>) => result.violations.filter((v) => v.rule === 'rootUser');

  it.each([
    ['0:0', true],
    ['root:root', true],
    [' 0 ', true],
    ['1000', false],
    ['65532', false],
  ])('task definition user %j → root %s', (user, root) => {
    const result = evaluate(loaded, [container(loaded, report({ image: facts({ configUser: '1000' }) }), { user })]);
    expect(rootViolations(result)).toHaveLength(root ? 1 : 0);
    if (root) {
      expect(result.violations[0]).toMatchObject({ id: 'rootUser', kind: 'rootUser', container: 'web', severity: 'high', action: 'deny', details: { userSource: 'taskDefinition', user } });
      expect(result.violations[0].message).toBe(
        `container web runs as root (user ${JSON.stringify(user)} from the task definition); set \`user\` in the container definition to a non-root UID such as "1000"`,
      );
    }
  });

  it('says when the image config decided', () => {
    const [violation] = rootViolations(evaluate(loaded, [container(loaded, report({ image: facts({ configUser: 'root' }) }))]));
    expect(violation.details).toMatchObject({ userSource: 'imageConfig', user: 'root', imageConfigKnown: true });
    expect(violation.message).toContain('user "root" from the image config and the task definition sets no `user`');
  });

  it('says when neither sets a user', () => {
    const [violation] = rootViolations(evaluate(loaded, [container(loaded, report({ image: facts({ configUser: undefined }) }))]));
    expect(violation.details).toMatchObject({ userSource: 'default', imageConfigKnown: true });
    expect(violation.message).toContain('the image config sets no user');
  });

  it('says so when the image config is unknown and nothing else decides', () => {
    const [violation] = rootViolations(evaluate(loaded, [container(loaded, report({ image: facts({ hasImageConfig: false, configUser: undefined }) }))]));
    expect(violation.details).toMatchObject({ userSource: 'default', imageConfigKnown: false, scannerSaysRoot: false });
    expect(violation.message).toMatch(/^container web may run as root: the report has no image config, so the image's user is unknown/);
    expect(violation.message).toContain('rescan with the image config');
  });

  it('folds DS-0002 in: it supports root when the image config is absent, and is never a second violation', () => {
    for (const id of ['DS-0002', 'DS002', 'AVD-DS-0002']) {
      const scan = report({ image: facts({ hasImageConfig: false, configUser: undefined }), misconfigurations: [misconfig(id, 'high')] });
      const result = evaluate(loaded, [container(loaded, scan)]);
      expect(result.violations).toHaveLength(1);
      expect(result.violations[0]).toMatchObject({ rule: 'rootUser', details: { userSource: 'scanner', scannerSaysRoot: true } });
      expect(result.violations[0].message).toContain("the scanner's root-user check DS-0002 failed");
    }
  });

  it('makes DS-0002 moot when the task definition sets a non-root user', () => {
    const scan = report({ image: facts({ configUser: undefined }), misconfigurations: [misconfig('DS-0002', 'high')] });
    const result = evaluate(loaded, [container(loaded, scan, { user: '1000' })]);
    expect(result.violations).toEqual([]);
    expect(result.decision).toBe('pass');
  });

  it('words the message for a bare report without a task definition', () => {
    const result = evaluateReport(loaded, report({ image: facts({ configUser: '0' }) }));
    expect(result.violations[0].message).toBe(
      'the image runs as root (user "0" from the image config); add a non-root USER (e.g. "USER 1000") to the Dockerfile, or set `user` in the container definition',
    );
    expect(result.violations[0].container).toBeUndefined();
  });

  it('judges a task-definition root user even when the image has no scan yet', () => {
    const result = evaluate(loaded, [container(loaded, undefined, { user: 'root' }, { scanError: 'build timed out' })]);
    expect(rootViolations(result)).toHaveLength(1);
    expect(result.errors).toHaveLength(1);
    const nonRoot = evaluate(loaded, [container(loaded, undefined, { user: '1000' }, { scanError: 'build timed out' })]);
    expect(rootViolations(nonRoot)).toHaveLength(0);
    const unknown = evaluate(loaded, [container(loaded, undefined, {}, { scanError: 'build timed out' })]);
    expect(rootViolations(unknown)).toHaveLength(0);
  });

  it('uses the rule action and honours enabled: false', () => {
    const warn = policy({ rules: { rootUser: { action: 'warn' } } });
    const result = evaluate(warn, [container(warn, report({ image: facts({ configUser: 'root' }) }))]);
    expect(result.violations[0].action).toBe('warn');
    expect(result.decision).toBe('warn');
    const off = policy({ rules: { rootUser: { action: 'deny', enabled: false } } });
    expect(evaluate(off, [container(off, report({ image: facts({ configUser: 'root' }) }))]).violations).toEqual([]);
  });

  it('does not run when the policy has no rootUser rule: DS-0002 is then judged as a misconfiguration', () => {
    const noRule = policy({ rules: { misconfigurations: { action: 'deny', minSeverity: 'low' } } });
    const result = evaluate(noRule, [container(noRule, report({ image: facts({ configUser: 'root' }), misconfigurations: [misconfig('DS-0002', 'high')] }))]);
    expect(result.violations.map((v) => [v.rule, v.id])).toEqual([['misconfigurations', 'DS-0002']]);
  });

  it('takes a passing DS-0002 without an image config as a non-root user (the Dockerfile sets one)', () => {
    const scan = report({ image: facts({ hasImageConfig: false, configUser: undefined }), misconfigurations: [misconfig('DS-0002', 'high', 'pass')] });
    expect(rootViolations(evaluate(loaded, [container(loaded, scan)]))).toEqual([]);
    expect(evaluateReport(loaded, scan).violations).toEqual([]);
    expect(effectiveUser(undefined, facts({ hasImageConfig: false, configUser: undefined }), false, true)).toMatchObject({ source: 'scanner', root: false });
    // A failing copy of the check (another target) wins: the scanner saw root somewhere.
    const both = report({ image: facts({ hasImageConfig: false, configUser: undefined }), misconfigurations: [misconfig('DS-0002', 'high', 'pass'), misconfig('DS002', 'high')] });
    expect(rootViolations(evaluate(loaded, [container(loaded, both)]))).toEqual([expect.objectContaining({ details: expect.objectContaining({ userSource: 'scanner' }) })]);
  });

  it('lets a known image config and the task definition outrank a passing DS-0002', () => {
    const scan = report({ image: facts({ configUser: 'root' }), misconfigurations: [misconfig('DS-0002', 'high', 'pass')] });
    expect(rootViolations(evaluate(loaded, [container(loaded, scan)]))).toEqual([expect.objectContaining({ details: expect.objectContaining({ userSource: 'imageConfig', user: 'root' }) })]);
    const unknown = report({ image: facts({ hasImageConfig: false, configUser: undefined }), misconfigurations: [misconfig('DS-0002', 'high', 'pass')] });
    expect(rootViolations(evaluate(loaded, [container(loaded, unknown, { user: '0' })]))).toEqual([expect.objectContaining({ details: expect.objectContaining({ userSource: 'taskDefinition' }) })]);
  });
});
