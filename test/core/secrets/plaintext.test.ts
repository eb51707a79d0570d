import fc from 'fast-check';
import {
  detectPlaintextSecret,
  findPlaintextSecrets,
  isCredentialName,
  isLiteralCredentialValue,
  nameTokens,
  PLAINTEXT_CREDENTIAL_RULE,
} from '../../../functions/core/secrets/plaintext';
import { assertProperty } from '../../support/property';

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
    // Not a password word: under DB_PASSWORD a number is a password (see the reviewer findings below).
    expect(detectPlaintextSecret('SESSION_SECRET', value)).toBeUndefined();
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
    assertProperty(
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

// ---------- reviewer findings: missed credentials and false positives on configuration names ----------

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('detectPlaintextSecret: credentials the name-based and URL detectors used to miss', () => {
  it.each([
    // The credential word glued to a prefix: one token, matched as a suffix.
    ['PGPASSWORD', 'Pg-Passw0rd-123', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    ['MYSQLPWD', 'My-Sql-Pw-42', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    ['SLACKTOKEN', 'opaque-slack-value', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    ['APPSECRET', 'opaque-app-value', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    // Numbers are passwords when the name's last word is a password word.
    ['DB_PASSWORD', '12345678', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    ['ELASTIC_PASSWORD', '2024', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    ['SMTP_PASS', '90210', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    // Weak but real passwords: a literal is a literal.
    ['DB_PASSWORD', 'password', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    ['DB_PASSWORD', 'secret', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    ['SESSION_SECRET', 'secret', PLAINTEXT_CREDENTIAL_RULE, 'high'],
    // URLs: empty user, `/` in the password, numeric password.
    ['REDIS_URL', 'redis://:R3disPassw0rd@redis:6379/0', 'url-password', 'high'],
    ['DATABASE_URL', 'postgres://user:ab/cd==@db', 'url-password', 'high'],
    ['DATABASE_URL', 'mysql://app:12345678@db:3306/app', 'url-password', 'high'],
    ['AMQP_URL', 'amqp://guest:password@rabbitmq:5672/', 'url-password', 'high'],
    // JDBC and other connection strings.
    ['JDBC_URL', 'jdbc:postgresql://db:5432/app?user=app&password=s3cr3t-pa55', 'url-query-password', 'high'],
    ['JDBC_URL', 'jdbc:mysql://db:3306/app?useSSL=true&password=s3cr3t-pa55&user=app', 'url-query-password', 'high'],
    ['JDBC_URL', 'jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=S3cret-pa55', 'connection-string-password', 'high'],
    ['JDBC_URL', 'jdbc:db2://db:50000/app:user=app;password=s3cr3t-pa55;', 'connection-string-password', 'high'],
    // Kafka JAAS and other quoted assignments.
    [
      'KAFKA_SASL_JAAS_CONFIG',
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="app" password="k4fka-S3cret";',
      'config-password',
      'high',
    ],
    ['SPRING_APPLICATION_JSON', '{"spring":{"datasource":{"password":"s3cr3t-pa55"}}}', 'config-password', 'high'],
    ['JAVA_OPTS', '-Xmx512m -Djavax.net.ssl.keyStorePassword=k3yst0re-pa55 -Dfoo=bar', 'config-password', 'high'],
    // A user and password pair, and HTTP Authorization values.
    ['BASIC_AUTH', 'user:pass', 'basic-auth-credentials', 'high'],
    ['PROXY_AUTH', 'proxyuser:Pr0xy-pa55', 'basic-auth-credentials', 'high'],
    ['AUTHORIZATION', `Bearer ${JWT}`, 'authorization-header', 'high'],
    ['API_HEADERS', `Authorization: Bearer ${alnum(32)}`, 'authorization-header', 'high'],
    ['AUTHORIZATION', `Basic ${b64('admin:Adm1n-pa55')}`, 'authorization-header', 'high'],
  ])('%s=%s → %s (%s)', (name, value, ruleId, severity) => {
    const detection = detectPlaintextSecret(name, value);
    expect(detection).toEqual(expect.objectContaining({ ruleId, severity }));
    // The masked match never repeats the secret part of the value.
    expect(detection?.match.startsWith(`${name}=`)).toBe(true);
    expect(detection?.match.endsWith('********')).toBe(true);
  });

  it('never shows the password of a URL, a query, a JAAS line or an Authorization header', () => {
    const cases: [string, string, string][] = [
      ['REDIS_URL', 'redis://:R3disPassw0rd@redis:6379/0', 'R3disPassw0rd'],
      ['DATABASE_URL', 'postgres://user:ab/cd==@db', 'ab/cd=='],
      ['JDBC_URL', 'jdbc:postgresql://db:5432/app?user=app&password=s3cr3t-pa55', 's3cr3t-pa55'],
      ['KAFKA_SASL_JAAS_CONFIG', 'x required username="app" password="k4fka-S3cret";', 'k4fka-S3cret'],
      ['BASIC_AUTH', 'user:Us3r-pa55', 'Us3r-pa55'],
      ['AUTHORIZATION', `Bearer ${JWT}`, JWT.slice(3)],
    ];
    for (const [name, value, secretPart] of cases) expect(detectPlaintextSecret(name, value)?.match).not.toContain(secretPart);
  });

  it('still ignores placeholders in every new place a password can sit', () => {
    for (const [name, value] of [
      ['DB_PASSWORD', 'changeme'],
      ['DB_PASSWORD', '<password>'],
      ['DB_PASSWORD', '${DB_PASSWORD}'],
      ['DB_PASSWORD', 'xxx'],
      ['DB_PASSWORD', 'xxxxxxxx'],
      ['DB_PASSWORD', ''],
      ['REDIS_URL', 'redis://:${REDIS_PASSWORD}@redis:6379/0'],
      ['JDBC_URL', 'jdbc:postgresql://db:5432/app?user=app&password=${DB_PASSWORD}'],
      ['KAFKA_SASL_JAAS_CONFIG', 'x required username="app" password="${KAFKA_PASSWORD}";'],
      ['BASIC_AUTH', 'user:changeme'],
      ['AUTHORIZATION', 'Bearer ${API_TOKEN}'],
      ['AUTHORIZATION', 'Bearer <token>'],
    ]) {
      expect([name, value, detectPlaintextSecret(name, value)]).toEqual([name, value, undefined]);
    }
  });

  it('does not let a placeholder early in a value hide a literal later in it', () => {
    expect(detectPlaintextSecret('KAFKA_SASL_JAAS_CONFIG', 'x required secret="${KAFKA_SECRET}" password="k4fka-S3cret";')?.ruleId).toBe('config-password');
    expect(detectPlaintextSecret('JDBC_URL', 'jdbc:postgresql://db/app?token=${TOKEN}&password=s3cr3t-pa55')?.ruleId).toBe('url-query-password');
    expect(detectPlaintextSecret('LINKS', 'https://host:8080/a/@b postgres://app:s3cr3t-pa55@db/app')?.ruleId).toBe('url-password');
  });

  it('does not take a port and a path for a password, or prose for an Authorization header', () => {
    expect(detectPlaintextSecret('LINK', 'https://host.example.com:8080/users/@me')).toBeUndefined();
    expect(detectPlaintextSecret('PROFILE_URL', 'https://medium.com/@someone/post')).toBeUndefined();
    expect(detectPlaintextSecret('AUTH_HELP', 'Basic authentication is required for the admin pages')).toBeUndefined();
    expect(detectPlaintextSecret('AUTH_SCHEME', 'Bearer')).toBeUndefined();
    expect(detectPlaintextSecret('LISTEN', 'localhost:8080')).toBeUndefined();
  });

  it('judges numbers as passwords only under a password word: other credential words keep numbers as settings', () => {
    expect(isLiteralCredentialValue('12345678')).toBe(false);
    expect(isLiteralCredentialValue('12345678', { password: true })).toBe(true);
    expect(detectPlaintextSecret('SESSION_TOKEN', '3600')).toBeUndefined();
    expect(detectPlaintextSecret('DB_PASSWORD', 'true')).toBeUndefined();
    // A flag named after a password (bitnami, mysql images) holds a flag, not a password.
    expect(detectPlaintextSecret('ALLOW_EMPTY_PASSWORD', 'yes')).toBeUndefined();
    expect(detectPlaintextSecret('MYSQL_RANDOM_ROOT_PASSWORD', 'yes')).toBeUndefined();
  });
});

/*
 * The name rule, as documented in plaintext.ts: a name is credential-like only when its LAST word (after at most two
 * trailing qualifiers such as `_1`, `_OLD`, `_NEW`, `_PROD`, `_B64`) is a credential word, a token ending in one
 * (`PGPASSWORD`), or `<qualifier>_KEY` (`API_KEY`, `SECRET_KEY`). Words before the last one only describe.
 */
describe('isCredentialName: the credential word must be the last word', () => {
  it.each([
    'PGPASSWORD',
    'MYSQL_ROOT_PASSWORD',
    'DB_PASSWORD',
    'DB_PASSWORD_1',
    'DB_PASSWORD_OLD',
    'DB_PASSWORD_NEW',
    'DB_PASSWORD_PROD',
    'DB_PASSWORD_B64',
    'DB_PASSWORD_PROD_2',
    'dbPasswordOld',
    'REDIS_PASSWD',
    'REDIS_PWD',
    'SMTP_PASS',
    'LDAP_BIND_PW',
    'GPG_PASSPHRASE',
    'CLIENT_SECRET',
    'JWT_SECRET',
    'JWT_SECRET_NEW',
    'APPSECRET',
    'GITHUB_TOKEN',
    'SLACK_BOT_TOKEN_2',
    'ACCESS_TOKEN',
    'APP_SECRETS',
    'SERVICE_CREDENTIALS',
    'GOOGLE_APPLICATION_CREDENTIALS_JSON',
    'DB_CREDS',
    'API_KEY',
    'API_KEY_V2',
    'apiKey',
    'OPENAIAPIKEY',
    'STRIPE_SECRET_KEY',
    'SECRET_KEY_BASE',
    'PRIVATE_KEY',
    'SIGNING_KEY',
    'ENCRYPTION_KEY',
    'NEW_RELIC_LICENSE_KEY',
    'APP_KEY',
    'AUTH_BEARER',
  ])('%s is credential-like', (name) => {
    expect(isCredentialName(name)).toBe(true);
    expect(detectPlaintextSecret(name, 'hunter2-literal')).toEqual(expect.objectContaining({ ruleId: PLAINTEXT_CREDENTIAL_RULE, severity: 'high' }));
  });

  it.each([
    ['OIDC_TOKEN_ENDPOINT_AUTH_METHOD', 'client_secret_basic'],
    ['OIDC_ID_TOKEN_SIGNED_RESPONSE_ALG', 'RS256'],
    ['PASSWORD_ENCODER', 'bcrypt'],
    ['TOKEN_CACHE', 'redis'],
    ['TOKEN_VALIDATION', 'strict'],
    ['GIT_CREDENTIAL_HELPER', 'store'],
    ['JWT_SECRET_ENCODING', 'base64'],
    ['KEYCLOAK_TOKEN_REALM', 'master'],
    ['KEY_PASSWORD_ENV', 'KEYSTORE_PASS'],
    ['LOG_LEVEL', 'debug'],
    ['PASSWORD_FILE', '/run/secrets/db'],
    ['TOKEN_URL', 'https://auth.example.com/oauth2/token'],
    ['SECRET_NAME', 'prod/db'],
    ['SECRET_ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf'],
    ['SECRET_ID', 'prod/payments/db'],
    ['PASSWORD_MIN_LENGTH', '12'],
    ['PASSWORD_HASH_ALGORITHM', 'argon2id'],
    ['PASSWORD_RESET_URL', 'https://app.example.com/reset'],
    ['TOKEN_TTL', '3600'],
    ['TOKEN_ENDPOINT_AUTH_METHOD', 'private_key_jwt'],
    ['TOKEN_AUDIENCE', 'payments-api'],
    ['API_KEY_HEADER', 'X-Api-Key'],
    ['API_KEY_ID', 'key-2024-01'],
    ['CSRF_TOKEN_HEADER', 'X-CSRF-Token'],
    ['CACHE_KEY', 'users-v2'],
    ['S3_KEY', 'uploads/avatar.png'],
    ['PARTITION_KEY', 'tenantId'],
    ['GPG_KEY', 'E3FF2839C048B25C084DEBE9B26995E310250568'],
    ['GPG_KEYS', '05AB33110949707C93A279E3D3EFE6B686867BA6 07E48665A34DCAFAE522E5E6266191C37C037D42'],
    ['KEYSTORE_TYPE', 'PKCS12'],
    ['SECRETS_MANAGER_REGION', 'eu-west-1'],
    ['SESSION_COOKIE_NAME', 'sid'],
    ['POSTGRES_HOST_AUTH_METHOD', 'trust'],
    ['AUTH_MODE', 'oauth'],
    ['PASS_THROUGH', 'enabled-for-all'],
    ['BYPASS', 'maintenance-window'],
    ['COMPASS', 'north-by-northwest'],
    ['PWD', '/app'],
    ['OLDPWD', '/root'],
    ['KEY', 'some-literal-value'],
    ['TOKENIZER_MODEL_x', 'bert-base-uncased'],
  ])('%s=%s is not a credential', (name, value) => {
    expect(isCredentialName(name)).toBe(false);
    expect(detectPlaintextSecret(name, value)).toBeUndefined();
    // Whatever the value: only a value format could make these names report.
    expect(detectPlaintextSecret(name, 'hunter2-literal')).toBeUndefined();
  });

  it('still reports a value format under a configuration name', () => {
    expect(detectPlaintextSecret('TOKEN_CACHE', `redis://:R3disPassw0rd@redis:6379/0`)?.ruleId).toBe('url-password');
    expect(detectPlaintextSecret('LOG_LEVEL', `AKIA${'IOSFODNN7EXAMPLE'}`)?.ruleId).toBe('aws-access-key-id');
    expect(detectPlaintextSecret('PASSWORD_FILE', `ghp_${alnum(36)}`)?.ruleId).toBe('github-pat');
    expect(detectPlaintextSecret('SECRET_NAME', `xoxb-${'1234567890'}-${alnum(24)}`)?.ruleId).toBe('slack-access-token');
    expect(detectPlaintextSecret('TOKEN_URL', `sk_live_${alnum(24)}`)?.ruleId).toBe('stripe-secret-token');
    expect(detectPlaintextSecret('KEYCLOAK_TOKEN_REALM', JWT)?.ruleId).toBe('jwt-token');
    expect(detectPlaintextSecret('JWT_SECRET_ENCODING', PEM)?.ruleId).toBe('private-key');
  });
});
