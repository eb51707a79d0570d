import type { SecretFinding } from '../../../../functions/core/findings/model';
import { container, env, evaluate, evaluateReport, policy, report, secret } from '../support';

const GH_TOKEN = `ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`;

describe('rules.secrets: scanner findings', () => {
  const scan = report({
    secrets: [
      secret('aws-access-key-id', 'critical', 'AWS', '/app/.env'),
      secret('private-key', 'high', 'AsymmetricPrivateKey', '/root/.ssh/id_rsa'),
      secret('jwt-token', 'medium', 'JWT', '/app/config.js'),
      secret('mysecret', 'low', 'custom', '/app/x'),
    ],
  });

  it('reports secrets from minSeverity up, with location and masked match', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny', minSeverity: 'high' } } });
    const result = evaluateReport(loaded, scan);
    expect(result.violations.map((v) => v.id)).toEqual(['aws-access-key-id', 'private-key']);
    expect(result.violations[0]).toMatchObject({
      rule: 'secrets',
      kind: 'secret',
      severity: 'critical',
      action: 'deny',
      details: { category: 'AWS', location: 'layer', path: '/app/.env', match: 'KEY=****' },
    });
    expect(result.violations[0].message).toMatch(/^secret aws-access-key-id \(aws-access-key-id title, critical\) in \/app\/\.env \(layer sha256:a+…\); remove it from the image, rebuild, and rotate the credential$/);
  });

  it('reports every secret when minSeverity is left at its default', () => {
    const loaded = policy({ rules: { secrets: { action: 'warn' } } });
    expect(evaluateReport(loaded, scan).violations).toHaveLength(4);
  });

  it('filters by category and rule id (either listed selects), case-insensitively', () => {
    const byCategory = policy({ rules: { secrets: { action: 'deny', categories: ['aws', 'jwt'] } } });
    expect(evaluateReport(byCategory, scan).violations.map((v) => v.id).sort()).toEqual(['aws-access-key-id', 'jwt-token']);
    const byRule = policy({ rules: { secrets: { action: 'deny', ruleIds: ['MYSECRET'] } } });
    expect(evaluateReport(byRule, scan).violations.map((v) => v.id)).toEqual(['mysecret']);
    const both = policy({ rules: { secrets: { action: 'deny', categories: ['AWS'], ruleIds: ['mysecret'] } } });
    expect(evaluateReport(both, scan).violations.map((v) => v.id).sort()).toEqual(['aws-access-key-id', 'mysecret']);
    const filteredAndHigh = policy({ rules: { secrets: { action: 'deny', minSeverity: 'high', ruleIds: ['mysecret'] } } });
    expect(evaluateReport(filteredAndHigh, scan).violations).toEqual([]);
  });

  it('reports one violation per rule, place and match', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny' } } });
    const duplicate = report({ secrets: [secret('aws-access-key-id', 'critical'), secret('aws-access-key-id', 'critical'), secret('aws-access-key-id', 'critical', 'AWS', '/other')] });
    expect(evaluateReport(loaded, duplicate).violations).toHaveLength(2);
  });

  it('words secrets in the image config for the Dockerfile', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny' } } });
    const inConfig: SecretFinding = { ruleId: 'aws-secret-access-key', category: 'AWS', severity: 'critical', title: 'AWS Secret Access Key', location: { kind: 'imageConfig', detail: 'ENV' } };
    const [violation] = evaluateReport(loaded, report({ secrets: [inConfig] })).violations;
    expect(violation.message).toContain('in the image config (ENV)');
    expect(violation.message).toContain('remove it from the Dockerfile (ENV/ARG/LABEL)');
  });

  it('does nothing when disabled', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny', enabled: false } } });
    expect(evaluateReport(loaded, scan).violations).toEqual([]);
    expect(evaluate(loaded, [container(loaded, report(), { environment: [env('DB_PASSWORD', 'hunter2-literal')] })]).violations).toEqual([]);
  });
});

describe('rules.secrets: plaintext credentials in the environment', () => {
  const environment = [env('NODE_ENV', 'production'), env('DB_PASSWORD', 'hunter2-literal'), env('AWS_ACCESS_KEY_ID', `AKIA${'IOSFODNN7EXAMPLE'}`), env('TRACE', `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${'x'.repeat(20)}`)];

  it('reports task-definition credentials with a message pointing to secrets/valueFrom', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny', minSeverity: 'high' } } });
    const result = evaluate(loaded, [container(loaded, report(), { environment })]);
    expect(result.violations.map((v) => [v.id, v.details?.variable])).toEqual([
      ['aws-access-key-id', 'AWS_ACCESS_KEY_ID'],
      ['plaintext-credential', 'DB_PASSWORD'],
    ]);
    const password = result.violations[1];
    expect(password).toMatchObject({ container: 'web', severity: 'high', action: 'deny', details: { location: 'taskDefinition', match: 'DB_PASSWORD=********' } });
    expect(password.message).toBe(
      "container web sets DB_PASSWORD in plaintext in the task definition's `environment` (Credential-like variable with a literal value, high); move it to `secrets` with `valueFrom` (Secrets Manager or SSM Parameter Store) and rotate it",
    );
    expect(JSON.stringify(result)).not.toContain('hunter2-literal');
    expect(JSON.stringify(result)).not.toContain('IOSFODNN7EXAMPLE');
  });

  it('reports RunTask override environment as such', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny' } } });
    const result = evaluate(loaded, [container(loaded, report(), { overrideEnvironment: [env('GITHUB_TOKEN', GH_TOKEN)] })]);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ id: 'github-pat', details: { location: 'overrides', variable: 'GITHUB_TOKEN' } });
    expect(result.violations[0].message).toContain("in the RunTask overrides' environment");
  });

  it('uses environment.minSeverity, else the rule minSeverity', () => {
    const inherit = policy({ rules: { secrets: { action: 'deny', minSeverity: 'critical' } } });
    expect(evaluate(inherit, [container(inherit, report(), { environment })]).violations.map((v) => v.id)).toEqual(['aws-access-key-id']);
    const own = policy({ rules: { secrets: { action: 'deny', minSeverity: 'critical', environment: { minSeverity: 'medium' } } } });
    expect(evaluate(own, [container(own, report(), { environment })]).violations).toHaveLength(3);
  });

  it('uses environment.action over the rule action', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny', environment: { action: 'warn' } } } });
    const result = evaluate(loaded, [container(loaded, report(), { environment })]);
    expect(new Set(result.violations.map((v) => v.action))).toEqual(new Set(['warn']));
    expect(result.decision).toBe('warn');
  });

  it('never reports allowed names (globs, case-insensitive)', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny', environment: { allowNames: ['db_*', 'TRACE'] } } } });
    expect(evaluate(loaded, [container(loaded, report(), { environment })]).violations.map((v) => v.details?.variable)).toEqual(['AWS_ACCESS_KEY_ID']);
  });

  it('can be switched off while scanner secrets stay on', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny', environment: { enabled: false } } } });
    const result = evaluate(loaded, [container(loaded, report({ secrets: [secret('aws-access-key-id', 'critical')] }), { environment })]);
    expect(result.violations.map((v) => v.details?.location)).toEqual(['layer']);
  });

  it('does not judge variables filled from Secrets Manager or SSM', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny' } } });
    const result = evaluate(loaded, [container(loaded, report(), { secretNames: ['DB_PASSWORD'], environment: [env('DB_HOST', 'db.internal')] })]);
    expect(result.violations).toEqual([]);
  });
});

describe('rules.secrets: credentials baked into the image ENV', () => {
  const envSecret = (variable: string, severity: SecretFinding['severity'] = 'high'): SecretFinding => ({
    ruleId: 'plaintext-credential',
    category: 'Generic',
    severity,
    title: 'Credential-like variable with a literal value',
    location: { kind: 'imageConfig', detail: `ENV ${variable}`, variable },
    match: `${variable}=********`,
  });

  it('judges them as image secrets, telling where the variable is and how to fix it', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny', minSeverity: 'high' } } });
    const result = evaluateReport(loaded, report({ secrets: [envSecret('DD_DATABASE_PASSWORD'), envSecret('LOW_ONE', 'low')] }));
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({
      rule: 'secrets',
      id: 'plaintext-credential',
      action: 'deny',
      details: { location: 'imageConfig', variable: 'DD_DATABASE_PASSWORD', match: 'DD_DATABASE_PASSWORD=********' },
    });
    expect(result.violations[0].message).toBe(
      'secret plaintext-credential (Credential-like variable with a literal value, high) in the image config (ENV DD_DATABASE_PASSWORD); ' +
        "remove the ENV from the Dockerfile, pass the value at run time through the task definition's `secrets` (valueFrom), rebuild, and rotate the credential",
    );
  });

  it('honours environment.allowNames for image ENV variables too', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny', environment: { allowNames: ['dd_*'] } } } });
    const result = evaluateReport(loaded, report({ secrets: [envSecret('DD_DATABASE_PASSWORD'), envSecret('PGPASSWORD')] }));
    expect(result.violations.map((v) => v.details?.variable)).toEqual(['PGPASSWORD']);
  });

  it('reports each variable once per policy rule, so two variables are two violations', () => {
    const loaded = policy({ rules: { secrets: { action: 'deny' } } });
    const result = evaluateReport(loaded, report({ secrets: [envSecret('A_PASSWORD'), envSecret('B_PASSWORD'), envSecret('A_PASSWORD')] }));
    expect(result.violations.map((v) => v.details?.variable)).toEqual(['A_PASSWORD', 'B_PASSWORD']);
  });
});
