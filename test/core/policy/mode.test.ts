import { isBlocking } from '../../../functions/core/policy/evaluate';
import type { PolicyInput } from '../../../functions/core/policy/schema';
import { container, evaluate, facts, policy, report } from './support';

const rules: PolicyInput['rules'] = { rootUser: { action: 'deny' } };
const rootScan = report({ image: facts({ configUser: 'root' }) });
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

function judge(overrides: Partial<PolicyInput>, options: { cluster?: string; service?: string; images?: [string, string][] } = {}) {
  const loaded = policy({ rules, ...overrides });
  const images = options.images ?? [['web', `${ECR}/team/app:1.0`]];
  return evaluate(
    loaded,
    images.map(([name, image]) => container(loaded, rootScan, { name, image })),
    { cluster: options.cluster ?? 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod', service: options.service },
  );
}

describe('mode', () => {
  it('enforce: a deny violation fails and blocks', () => {
    const result = judge({ mode: 'enforce' });
    expect(result).toMatchObject({ mode: 'enforce', decision: 'fail' });
    expect(isBlocking(result)).toBe(true);
  });

  it('audit: violations stay reported with their action, but nothing blocks', () => {
    const result = judge({ mode: 'audit' });
    expect(result).toMatchObject({ mode: 'audit', decision: 'fail' });
    expect(result.violations[0].action).toBe('deny');
    expect(isBlocking(result)).toBe(false);
  });
});

describe('modeOverrides', () => {
  it('applies to clusters by short name or ARN', () => {
    expect(judge({ modeOverrides: [{ match: { clusters: ['prod'] }, mode: 'audit' }] }).mode).toBe('audit');
    expect(judge({ modeOverrides: [{ match: { clusters: ['arn:aws:ecs:*:*:cluster/prod'] }, mode: 'audit' }] }).mode).toBe('audit');
    expect(judge({ modeOverrides: [{ match: { clusters: ['staging'] }, mode: 'audit' }] }).mode).toBe('enforce');
  });

  it('applies to accounts, read from the task\'s cluster ARN (a gate serving an organisation)', () => {
    const sandbox: PolicyInput['modeOverrides'] = [{ match: { accounts: ['444455556666'] }, mode: 'audit', reason: 'sandbox account' }];
    expect(judge({ modeOverrides: sandbox }, { cluster: 'arn:aws:ecs:eu-west-1:444455556666:cluster/prod' }).mode).toBe('audit');
    expect(judge({ modeOverrides: sandbox }, { cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod' }).mode).toBe('enforce');
    expect(judge({ modeOverrides: [{ match: { accounts: ['4444*'] }, mode: 'audit' }] }, { cluster: 'arn:aws:ecs:eu-west-1:444455556666:cluster/prod' }).mode).toBe('audit');
  });

  it('never matches an accounts scope when the task\'s account is unknown (a cluster given by name)', () => {
    expect(judge({ modeOverrides: [{ match: { accounts: ['*'] }, mode: 'audit' }] }, { cluster: 'prod' }).mode).toBe('enforce');
    expect(judge({ modeOverrides: [{ match: { accounts: ['*'] }, mode: 'audit' }] }, { cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod' }).mode).toBe('audit');
  });

  it('needs an accounts key and a clusters key to match together', () => {
    const modeOverrides: PolicyInput['modeOverrides'] = [{ match: { accounts: ['444455556666'], clusters: ['sandbox-*'] }, mode: 'audit' }];
    expect(judge({ modeOverrides }, { cluster: 'arn:aws:ecs:eu-west-1:444455556666:cluster/sandbox-1' }).mode).toBe('audit');
    expect(judge({ modeOverrides }, { cluster: 'arn:aws:ecs:eu-west-1:444455556666:cluster/prod' }).mode).toBe('enforce');
    expect(judge({ modeOverrides }, { cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/sandbox-1' }).mode).toBe('enforce');
  });

  it('first match wins, in policy order', () => {
    const modeOverrides: PolicyInput['modeOverrides'] = [
      { match: { clusters: ['prod'], services: ['payments'] }, mode: 'enforce', reason: 'payments is always enforced' },
      { match: { clusters: ['prod'] }, mode: 'audit', reason: 'prod rollout' },
    ];
    expect(judge({ modeOverrides }, { service: 'payments' }).mode).toBe('enforce');
    expect(judge({ modeOverrides }, { service: 'search' }).mode).toBe('audit');
  });

  it('needs every key it gives to match; a services key never matches a standalone task', () => {
    const modeOverrides: PolicyInput['modeOverrides'] = [{ match: { clusters: ['prod'], services: ['*'] }, mode: 'audit' }];
    expect(judge({ modeOverrides }, { service: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web' }).mode).toBe('audit');
    expect(judge({ modeOverrides }).mode).toBe('enforce');
  });

  it('can enforce a scope of an audit policy', () => {
    const result = judge({ mode: 'audit', modeOverrides: [{ match: { repositories: ['team/*'] }, mode: 'enforce' }] });
    expect(result.mode).toBe('enforce');
    expect(isBlocking(result)).toBe(true);
  });

  it('matches repositories and tags of the container image', () => {
    expect(judge({ modeOverrides: [{ match: { repositories: [`${ECR}/team/**`] }, mode: 'audit' }] }).mode).toBe('audit');
    expect(judge({ modeOverrides: [{ match: { tags: ['*-dev'] }, mode: 'audit' }] }, { images: [['web', `${ECR}/team/app:1.0-dev`]] }).mode).toBe('audit');
    expect(judge({ modeOverrides: [{ match: { tags: ['latest'] }, mode: 'audit' }] }, { images: [['web', 'nginx']] }).mode).toBe('audit');
    expect(judge({ modeOverrides: [{ match: { repositories: ['nginx'] }, mode: 'audit' }] }, { images: [['web', 'nginx:1.27']] }).mode).toBe('audit');
  });

  it('enforces a task with containers in both modes, turning the audit-scoped denials into warnings', () => {
    const result = judge(
      { modeOverrides: [{ match: { repositories: ['third-party/*'] }, mode: 'audit', reason: 'vendor images' }] },
      { images: [['app', `${ECR}/team/app:1.0`], ['agent', `${ECR}/third-party/agent:7`]] },
    );
    expect(result.mode).toBe('enforce');
    const byContainer = Object.fromEntries(result.violations.map((v) => [v.container, v]));
    expect(byContainer.app).toMatchObject({ action: 'deny' });
    expect(byContainer.agent).toMatchObject({ action: 'warn', details: { auditOnly: true, policyAction: 'deny' } });
    expect(byContainer.agent.message).toMatch(/ \(audit scope: reported, not blocking\)$/);
    expect(byContainer.app.message).not.toContain('audit scope');
    expect(result.decision).toBe('fail');
  });

  it('does not block a mixed task whose only denials are in audit scope', () => {
    const loaded = policy({ rules, modeOverrides: [{ match: { repositories: ['third-party/*'] }, mode: 'audit' }] });
    const result = evaluate(loaded, [
      container(loaded, report({ image: facts({ configUser: '1000' }) }), { name: 'app', image: `${ECR}/team/app:1.0` }),
      container(loaded, rootScan, { name: 'agent', image: `${ECR}/third-party/agent:7` }),
    ]);
    expect(result).toMatchObject({ mode: 'enforce', decision: 'warn' });
    expect(isBlocking(result)).toBe(false);
  });

  it('is audit for a task whose containers are all audit-scoped', () => {
    const result = judge({ modeOverrides: [{ match: { repositories: ['team/*'] }, mode: 'audit' }] }, { images: [['a', `${ECR}/team/a:1`], ['b', `${ECR}/team/b:1`]] });
    expect(result.mode).toBe('audit');
    expect(result.violations.every((v) => v.action === 'deny')).toBe(true);
  });
});
