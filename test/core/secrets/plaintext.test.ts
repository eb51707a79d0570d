import fc from 'fast-check';
import {
  detectPlaintextSecret,
  findPlaintextSecrets,
  isCredentialName,
  isLiteralCredentialValue,
  nameTokens,
  PLAINTEXT_CREDENTIAL_RULE,
} from '../../../functions/core/secrets/plaintext';

// Test values are assembled at run time so this file does not itself look like a leaked credential to scanners.
const alnum = (n: number, seed = 'a1B2c3D4e5') => Array.from({ length: n }, (_, i) => seed[i % seed.length]).join('');
const PEM = ['-----BEGIN', 'RSA PRIVATE KEY-----\n', alnum(64), '\n-----END RSA PRIVATE KEY-----'].join(' ');
const JWT = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.');

describe('detectPlaintextSecret: value formats', () => {
  it.each([
    ['ANY_NAME', `AKIA${'IOSFODNN7EXAMPLE'}`, 'aws-access-key-id', 'AWS', 'critical', 'ANY_NAME=AKIA********'],
    ['SESSION', `ASIA${'Y34FZKBOKMUTVV7A'}`, 'aws-access-key-id', 'AWS', 'critical', 'SESSION=ASIA********'],
    ['AWS_SECRET_ACCESS_KEY', `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${'EXAMPLEKEY'}`, 'aws-secret-access-key', 'AWS', 'critical', 'AWS_SECRET_ACCESS_KEY=********'],
    ['CREDS_FILE_CONTENT', `[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY${'EXAMPLEKEY'}\n`, 'aws-secret-access-key', 'AWS', 'critical', 'CREDS_FILE_CONTENT=aws_secret_access_key = ********'],
    ['TLS_KEY', PEM, 'private-key', 'AsymmetricPrivateKey', 'high', 'TLS_KEY=-----BEGIN RSA PRIVATE KEY-----********'],
    ['GH', `ghp_${alnum(36)}`, 'github-pat', 'GitHub', 'critical', 'GH=ghp_********'],
    ['GH', `gho_${alnum(36)}`, 'github-oauth', 'GitHub', 'critical', 'GH=gho_********'],
    ['GH', `ghs_${alnum(36)}`, 'github-app-token', 'GitHub', 'critical', 'GH=ghs_********'],
    ['GH', `github_pat_${alnum(22)}_${alnum(59)}`, 'github-fine-grained-pat', 'GitHub', 'critical', 'GH=github_pat_********'],
    ['GL', `glpat-${alnum(20)}`, 'gitlab-pat', 'GitLab', 'critical', 'GL=glpat-********'],
    ['SLACK', `xoxb-${'1234567890'}-${alnum(24)}`, 'slack-access-token', 'Slack', 'high', 'SLACK=xoxb-********'],
    ['HOOK', `https://hooks.slack.com/services/T000/B000/${alnum(24)}`, 'slack-web-hook', 'Slack', 'medium', 'HOOK=https://hooks.slack.com/********'],
    ['STRIPE', `sk_live_${alnum(24)}`, 'stripe-secret-token', 'Stripe', 'critical', 'STRIPE=sk_live_********'],
    ['MAPS', `AIza${alnum(35)}`, 'gcp-api-key', 'Google', 'high', 'MAPS=AIza********'],
    ['GCP_JSON', '{"type": "service_account", "project_id": "p"}', 'gcp-service-account', 'Google', 'critical', 'GCP_JSON={"type": "service_account", ...********'],
    ['NPMRC', `npm_${alnum(36)}`, 'npm-access-token', 'Npm', 'critical', 'NPMRC=npm_********'],
    ['SESSION_COOKIE', JWT, 'jwt-token', 'JWT', 'medium', 'SESSION_COOKIE=eyJ********'],
    ['DATABASE_URL', 'postgres://app:s3cr3t-pa55@db.internal:5432/app', 'url-password', 'Password', 'high', 'DATABASE_URL=postgres://********'],
    ['DB', 'Server=db;Database=app;User Id=app;Password=s3cr3t-pa55;', 'connection-string-password', 'Password', 'high', 'DB=Password=********'],
  ])('%s: %s → %s', (name, value, ruleId, category, severity, match) => {
    expect(detectPlaintextSecret(name, value)).toEqual(expect.objectContaining({ ruleId, category, severity, match }));
  });

  it('finds a base64-encoded PEM private key without showing any of it', () => {
    const encoded = Buffer.from(PEM).toString('base64');
    expect(detectPlaintextSecret('TLS_KEY_B64', encoded)).toEqual(expect.objectContaining({ ruleId: 'private-key', match: 'TLS_KEY_B64=(base64) ********' }));
  });

  it('raises a format of low severity to high when the name confirms it is a credential', () => {
    expect(detectPlaintextSecret('AUTH_TOKEN', JWT)?.severity).toBe('high');
    expect(detectPlaintextSecret('TRACE_CONTEXT', JWT)?.severity).toBe('medium');
  });

  it('picks the most severe format when several match', () => {
    const value = `https://${'ghp_'}${alnum(36)}:x-oauth-basic@github.com/org/repo.git`;
    expect(detectPlaintextSecret('REPO_URL', value)?.ruleId).toBe('github-pat');
  });

  it('recognises a bare 40-character AWS secret key only next to an AWS name', () => {
    const key = `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${'EXAMPLEKEY'}`;
    expect(detectPlaintextSecret('AWS_SECRET_ACCESS_KEY', key)?.ruleId).toBe('aws-secret-access-key');
    expect(detectPlaintextSecret('GIT_COMMIT', 'e83c5163316f89bfbde7d9ab23ca2e25604af290')).toBeUndefined();
  });

  it('ignores URLs whose password is a template placeholder, and URLs without a password', () => {
    expect(detectPlaintextSecret('DATABASE_URL', 'postgres://app:${DB_PASSWORD}@db:5432/app')).toBeUndefined();
    expect(detectPlaintextSecret('DATABASE_URL', 'postgres://app:<password>@db:5432/app')).toBeUndefined();
    expect(detectPlaintextSecret('DATABASE_URL', 'postgres://db.internal:5432/app')).toBeUndefined();
    expect(detectPlaintextSecret('API_BASE', 'https://api.example.com/v1')).toBeUndefined();
  });

  it('does not flag AWS access key ids embedded in longer words', () => {
    expect(detectPlaintextSecret('X', `XAKIA${'IOSFODNN7EXAMPLE'}`)).toBeUndefined();
  });
});

describe('detectPlaintextSecret: credential-like names', () => {
  it.each([
    'DB_PASSWORD',
    'PASSWORD',
    'postgresPassword',
    'smtp-pass',
    'REDIS_PWD',
    'SECRET_KEY_BASE',
    'DJANGO_SECRET_KEY',
    'CLIENT_SECRET',
    'API_KEY',
    'STRIPE_API_KEY',
    'apiKey',
    'NEW_RELIC_LICENSE_KEY',
    'PRIVATE_KEY',
    'SIGNING_KEY',
    'GITHUB_TOKEN',
    'ACCESS_TOKEN',
    'GOOGLE_APPLICATION_CREDENTIALS_JSON',
    'SERVICE_CREDENTIALS',
    'ENCRYPTION_KEY',
    'JWT_SECRET',
    'PASSPHRASE',
  ])('%s is credential-like', (name) => {
    expect(isCredentialName(name)).toBe(true);
    const detection = detectPlaintextSecret(name, 'hunter2-literal');
    expect(detection).toEqual({ ruleId: PLAINTEXT_CREDENTIAL_RULE, category: 'Generic', title: 'Credential-like variable with a literal value', severity: 'high', match: `${name}=********` });
  });

  it.each([
    'PASSWORD_FILE',
    'DB_PASSWORD_PATH',
    'SECRET_ARN',
    'SECRET_NAME',
    'SECRET_ID',
    'TOKEN_URL',
    'TOKEN_ENDPOINT',
    'TOKEN_TTL',
    'PASSWORD_MIN_LENGTH',
    'API_KEY_HEADER',
    'API_KEY_ID',
    'CACHE_KEY',
    'S3_KEY',
    'PASS_THROUGH',
    'BYPASS',
    'AUTH_MODE',
    'PASSWORD_HASH',
    'KEY',
    'TOKENIZER_MODEL_x',
    'LOG_LEVEL',
  ])('%s is not credential-like', (name) => {
    expect(isCredentialName(name)).toBe(false);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'blank'],
    ['abc', 'too short'],
    ['${DB_PASSWORD}', 'shell placeholder'],
    ['$DB_PASSWORD', 'variable'],
    ['{{ password }}', 'template'],
    ['<your-password>', 'angle placeholder'],
    ['changeme', 'placeholder word'],
    ['CHANGE_ME', 'placeholder word'],
    ['your-api-key-here', 'your-* placeholder'],
    ['********', 'already masked'],
    ['xxxxxxxx', 'placeholder'],
    ['true', 'flag'],
    ['disabled', 'flag'],
    ['3600', 'number'],
    ['30s', 'duration'],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf', 'Secrets Manager ARN'],
    ['arn:aws:ssm:eu-west-1:123456789012:parameter/db/password', 'SSM ARN'],
    ['ssm:/prod/db/password', 'reference'],
    ['/run/secrets/db_password', 'file path'],
    ['https://vault.internal/v1/secret', 'plain URL'],
  ])('ignores the value %j (%s) under a credential-like name', (value) => {
    expect(isLiteralCredentialValue(value)).toBe(false);
    expect(detectPlaintextSecret('DB_PASSWORD', value)).toBeUndefined();
  });

  it('ignores non-credential names with ordinary values', () => {
    expect(detectPlaintextSecret('NODE_ENV', 'production')).toBeUndefined();
    expect(detectPlaintextSecret('JAVA_OPTS', '-Xmx512m -XX:+UseG1GC')).toBeUndefined();
  });

  it('splits names into words across conventions', () => {
    expect(nameTokens('dbPassword')).toEqual(['db', 'password']);
    expect(nameTokens('DB_PASSWORD')).toEqual(['db', 'password']);
    expect(nameTokens('db-password.v2')).toEqual(['db', 'password', 'v2']);
    expect(nameTokens('HTTPSProxyToken')).toEqual(['https', 'proxy', 'token']);
  });
});

describe('findPlaintextSecrets', () => {
  const spec = {
    name: 'web',
    environment: [
      { name: 'NODE_ENV', value: 'production' },
      { name: 'DB_PASSWORD', value: 'hunter2-literal' },
      { name: 'PUBLIC_API_KEY', value: 'pk-not-really-secret' },
    ],
    overrideEnvironment: [{ name: 'GITHUB_TOKEN', value: `ghp_${alnum(36)}` }],
  };

  it('reports the task definition environment, then the RunTask overrides, with locations', () => {
    const findings = findPlaintextSecrets(spec);
    expect(findings.map((f) => [f.ruleId, f.location])).toEqual([
      [PLAINTEXT_CREDENTIAL_RULE, { kind: 'taskDefinition', container: 'web', variable: 'DB_PASSWORD' }],
      [PLAINTEXT_CREDENTIAL_RULE, { kind: 'taskDefinition', container: 'web', variable: 'PUBLIC_API_KEY' }],
      ['github-pat', { kind: 'overrides', container: 'web', variable: 'GITHUB_TOKEN' }],
    ]);
  });

  it('skips allowed names', () => {
    const findings = findPlaintextSecrets(spec, { isAllowed: (name) => name.startsWith('PUBLIC_') });
    expect(findings.map((f) => f.location)).not.toContainEqual(expect.objectContaining({ variable: 'PUBLIC_API_KEY' }));
    expect(findings).toHaveLength(2);
  });

  it('never returns a raw value (property)', () => {
    const prefixes = ['', 'AKIA', 'ghp_', 'sk_live_', 'xoxb-', 'AIza', 'glpat-', 'npm_', 'postgres://u:', 'Password=', 'eyJ'];
    const names = ['DB_PASSWORD', 'API_KEY', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DATABASE_URL', 'X', 'clientSecret'];
    const body = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=_-.@:'.split('')), minLength: 16, maxLength: 90 });
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.constantFrom(...prefixes), body, (name, prefix, rest) => {
        const value = `${prefix}${rest}`;
        for (const finding of findPlaintextSecrets({ name: 'c', environment: [{ name, value }], overrideEnvironment: [] })) {
          expect(finding.match).not.toContain(rest);
          expect(JSON.stringify(finding)).not.toContain(rest);
        }
      }),
      { numRuns: 500 },
    );
  });
});
