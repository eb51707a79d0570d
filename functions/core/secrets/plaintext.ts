import type { SecretFinding } from '../findings/model';
import { severityRank, type Severity } from '../severity';
import type { ContainerSpec, EnvVar } from '../taskdef/model';

/**
 * Plaintext credentials in an ECS container's `environment` (and RunTask overrides): anyone who can call
 * `ecs:DescribeTaskDefinition` or read the task's CloudTrail records can read them, and they never rotate.
 * They belong in `secrets` with `valueFrom` (Secrets Manager or SSM Parameter Store).
 *
 * Two detectors: value formats (rule ids and categories follow Trivy's built-in secret rules, so one policy
 * filter means the same for image and environment findings) and credential-like names holding a literal that
 * is neither a placeholder nor a reference. Raw values never leave this module: findings carry a masked match.
 */

export const PLAINTEXT_CREDENTIAL_RULE = 'plaintext-credential';

interface FormatRule {
  id: string;
  category: string;
  title: string;
  severity: Severity;
  pattern: RegExp;
  /** Characters of the match that are public (a format prefix such as `AKIA` or `ghp_`) and may be shown. */
  publicPrefix: (match: RegExpExecArray) => string;
  /** Extra condition on the variable name (AWS secret keys are only recognisable next to an AWS name). */
  name?: (tokens: readonly string[]) => boolean;
}

const MASK = '********';
const prefix = (length: number) => (m: RegExpExecArray) => m[0].slice(0, length);
const literal = (text: string) => () => text;

const FORMAT_RULES: readonly FormatRule[] = [
  {
    id: 'aws-access-key-id',
    category: 'AWS',
    title: 'AWS Access Key ID',
    severity: 'critical',
    pattern: /(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/,
    publicPrefix: prefix(4),
  },
  {
    id: 'aws-secret-access-key',
    category: 'AWS',
    title: 'AWS Secret Access Key',
    severity: 'critical',
    // A secret key inline in a larger value, e.g. a credentials file pasted into one variable.
    pattern: /aws_?(?:sec(?:ret)?)?_?(?:access)?_?key["']?\s*(?::|=>|=)\s*["']?[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/i,
    publicPrefix: (m) => /^[^:=]*[:=]>?\s*["']?/.exec(m[0])?.[0] ?? '',
  },
  {
    id: 'aws-secret-access-key',
    category: 'AWS',
    title: 'AWS Secret Access Key',
    severity: 'critical',
    pattern: /^[A-Za-z0-9/+=]{40}$/,
    publicPrefix: literal(''),
    name: (tokens) => tokens.includes('aws') && (tokens.includes('secret') || tokens.includes('key')),
  },
  {
    id: 'private-key',
    category: 'AsymmetricPrivateKey',
    title: 'Asymmetric Private Key',
    severity: 'high',
    pattern: /-----\s*BEGIN[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?\s*-----/,
    publicPrefix: (m) => m[0],
  },
  { id: 'github-pat', category: 'GitHub', title: 'GitHub Personal Access Token', severity: 'critical', pattern: /ghp_[0-9a-zA-Z]{36}/, publicPrefix: prefix(4) },
  { id: 'github-oauth', category: 'GitHub', title: 'GitHub OAuth Access Token', severity: 'critical', pattern: /gho_[0-9a-zA-Z]{36}/, publicPrefix: prefix(4) },
  { id: 'github-app-token', category: 'GitHub', title: 'GitHub App Token', severity: 'critical', pattern: /(?:ghu|ghs)_[0-9a-zA-Z]{36}/, publicPrefix: prefix(4) },
  { id: 'github-refresh-token', category: 'GitHub', title: 'GitHub Refresh Token', severity: 'critical', pattern: /ghr_[0-9a-zA-Z]{76}/, publicPrefix: prefix(4) },
  {
    id: 'github-fine-grained-pat',
    category: 'GitHub',
    title: 'GitHub Fine-grained personal access token',
    severity: 'critical',
    pattern: /github_pat_[a-zA-Z0-9]{22}_[a-zA-Z0-9]{59}/,
    publicPrefix: prefix(11),
  },
  { id: 'gitlab-pat', category: 'GitLab', title: 'GitLab Personal Access Token', severity: 'critical', pattern: /glpat-[0-9a-zA-Z_-]{20}/, publicPrefix: prefix(6) },
  { id: 'slack-access-token', category: 'Slack', title: 'Slack token', severity: 'high', pattern: /xox[abeoprs]-[0-9A-Za-z-]{10,}/, publicPrefix: prefix(5) },
  {
    id: 'slack-web-hook',
    category: 'Slack',
    title: 'Slack Webhook',
    severity: 'medium',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/]{20,}/,
    publicPrefix: literal('https://hooks.slack.com/'),
  },
  {
    id: 'stripe-secret-token',
    category: 'Stripe',
    title: 'Stripe Secret Key',
    severity: 'critical',
    pattern: /(?<![A-Za-z0-9])[sr]k_(?:live|test)_[0-9a-zA-Z]{10,99}/,
    publicPrefix: (m) => /^[sr]k_(?:live|test)_/.exec(m[0])?.[0] ?? '',
  },
  { id: 'gcp-api-key', category: 'Google', title: 'Google API Key', severity: 'high', pattern: /AIza[0-9A-Za-z_-]{35}/, publicPrefix: prefix(4) },
  {
    id: 'gcp-service-account',
    category: 'Google',
    title: 'Google (GCP) Service-account',
    severity: 'critical',
    pattern: /"type"\s*:\s*"service_account"/,
    publicPrefix: literal('{"type": "service_account", ...'),
  },
  { id: 'npm-access-token', category: 'Npm', title: 'npm access token', severity: 'critical', pattern: /npm_[A-Za-z0-9]{36}/, publicPrefix: prefix(4) },
  { id: 'pypi-upload-token', category: 'PyPI', title: 'PyPI upload token', severity: 'high', pattern: /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/, publicPrefix: prefix(5) },
  {
    id: 'hugging-face-access-token',
    category: 'HuggingFace',
    title: 'Hugging Face Access Token',
    severity: 'critical',
    pattern: /(?<![A-Za-z0-9])hf_[A-Za-z0-9]{34,40}(?![A-Za-z0-9])/,
    publicPrefix: prefix(3),
  },
  {
    id: 'openai-api-key',
    category: 'OpenAI',
    title: 'OpenAI API Key',
    severity: 'high',
    pattern: /sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}/,
    publicPrefix: literal('sk-'),
  },
  {
    id: 'anthropic-api-key',
    category: 'Anthropic',
    title: 'Anthropic API Key',
    severity: 'high',
    pattern: /sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}/,
    publicPrefix: prefix(7),
  },
  { id: 'sendgrid-api-token', category: 'SendGrid', title: 'SendGrid API token', severity: 'medium', pattern: /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/, publicPrefix: prefix(3) },
  {
    id: 'dockerconfig-secret',
    category: 'Docker',
    title: 'Docker registry credentials',
    severity: 'high',
    pattern: /"auths"\s*:\s*\{[\s\S]*"auth"\s*:\s*"[A-Za-z0-9+/=]{8,}"/,
    publicPrefix: literal('{"auths": ...'),
  },
  {
    id: 'jwt-token',
    category: 'JWT',
    title: 'JWT token',
    severity: 'medium',
    pattern: /(?<![A-Za-z0-9_-])ey[A-Za-z0-9_-]{15,}\.ey[A-Za-z0-9_-]{15,}\.[A-Za-z0-9_-]*/,
    publicPrefix: literal('eyJ'),
  },
  {
    id: 'url-password',
    category: 'Password',
    title: 'Password in a URL',
    severity: 'high',
    pattern: /(?<![A-Za-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/([^\s:/@]+):([^\s/@]+)@([^\s/?#]+)/i,
    // Only the scheme: the user name can itself be a token (`https://<token>:x-oauth-basic@github.com`).
    publicPrefix: (m) => m[0].slice(0, m[0].indexOf('://') + 3),
  },
  {
    id: 'connection-string-password',
    category: 'Password',
    title: 'Password in a connection string',
    severity: 'high',
    pattern: /(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*([^;]+)/i,
    publicPrefix: (m) => m[0].slice(0, m[0].indexOf('=') + 1).replace(/^;?\s*/, ''),
  },
];

/** Words that make a variable name credential-like on their own. */
const CREDENTIAL_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'apikey',
  'credential',
  'credentials',
  'creds',
  'privatekey',
  'secretkey',
  'accesskey',
  'clientsecret',
  'bearer',
]);
/** Words that are credential-like only as the last word (`DB_PASS`, not `PASS_THROUGH`). */
const CREDENTIAL_LAST_WORDS = new Set(['pass', 'pwd', 'pw']);
/** `<qualifier>_KEY` pairs that name a key which is itself the secret. */
const KEY_QUALIFIERS = new Set(['api', 'private', 'secret', 'access', 'signing', 'encryption', 'master', 'auth', 'session', 'license', 'client', 'hmac', 'jwt']);
/** A last word that says the variable describes a credential rather than holding one (`TOKEN_URL`, `SECRET_ARN`). */
const DESCRIPTIVE_LAST_WORDS = new Set([
  'file',
  'files',
  'path',
  'dir',
  'arn',
  'id',
  'ids',
  'url',
  'uri',
  'endpoint',
  'host',
  'hostname',
  'port',
  'name',
  'names',
  'type',
  'length',
  'len',
  'size',
  'ttl',
  'expiry',
  'expires',
  'expiration',
  'timeout',
  'lifetime',
  'duration',
  'age',
  'enabled',
  'enable',
  'disabled',
  'required',
  'policy',
  'header',
  'region',
  'version',
  'count',
  'prefix',
  'suffix',
  'format',
  'mode',
  'param',
  'parameter',
  'ref',
  'location',
  'field',
  'hash',
  'algorithm',
  'algo',
  'scheme',
  'strategy',
  'provider',
  'source',
  'store',
  'backend',
  'rotation',
  'interval',
  'min',
  'max',
  'pattern',
  'regex',
  'complexity',
  'issuer',
  'audience',
  'scope',
  'scopes',
  'kind',
  'level',
]);

/** Variable name split into lowercase words: `dbPassword`, `DB_PASSWORD`, `db-password` → [db, password]. */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** Whether a variable name says it holds a credential (`DB_PASSWORD`, `stripeApiKey`), not something about one (`TOKEN_URL`). */
export function isCredentialName(name: string): boolean {
  const tokens = nameTokens(name);
  if (tokens.length === 0) return false;
  const last = tokens[tokens.length - 1];
  if (DESCRIPTIVE_LAST_WORDS.has(last)) return false;
  if (CREDENTIAL_LAST_WORDS.has(last)) return true;
  return tokens.some((token, index) => CREDENTIAL_WORDS.has(token) || (token === 'key' && index > 0 && KEY_QUALIFIERS.has(tokens[index - 1])));
}

const PLACEHOLDER =
  /^(?:\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]*\}\}|<[^>]*>|%\(?[a-z_]*\)?s|\*+|x+|\.{3}|…|-+|_+|#+|\?+|null|nil|none|undefined|n\/a|tbd|todo|fixme|changeme|change[_-]?me|replace[_-]?me|your[_-].*|placeholder|example|dummy|redacted|secret|password|token|unset|empty)$/i;
const BOOLEAN_OR_NUMBER = /^(?:true|false|yes|no|on|off|enabled|disabled|-?\d+(?:\.\d+)?(?:[smhdw]|ms)?)$/i;
/** Values that point at a credential store or a file instead of holding the credential. */
const REFERENCE =
  /^(?:arn:aws[a-z-]*:(?:secretsmanager|ssm|kms|iam|sts):|(?:ssm|secretsmanager|awssm|aws-sm|vault|sm|op|gcp-sm|azure-kv|kms):|\/|\.\.?\/|~\/|file:|s3:\/\/)/i;
const URL_WITHOUT_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i;

/** Whether a value is a literal worth calling a credential: not empty, a placeholder, a flag, a number, a reference or a plain URL. */
export function isLiteralCredentialValue(value: string): boolean {
  const trimmed = value.trim().replace(/^(["'])(.*)\1$/, '$2');
  if (trimmed.length < 4) return false;
  return !PLACEHOLDER.test(trimmed) && !BOOLEAN_OR_NUMBER.test(trimmed) && !REFERENCE.test(trimmed) && !URL_WITHOUT_USERINFO.test(trimmed);
}

export interface PlaintextDetection {
  ruleId: string;
  category: string;
  title: string;
  severity: Severity;
  /** `NAME=<public prefix>********`: never the value itself. */
  match: string;
}

/**
 * Judges one variable. The most severe format match wins (earlier rules break ties); when the name is also
 * credential-like the severity is at least that of a credential-like name, since the name confirms the intent.
 */
export function detectPlaintextSecret(name: string, value: string): PlaintextDetection | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const tokens = nameTokens(name);
  const candidates = [value, ...decodedPem(value)];
  let best: { rule: FormatRule; match: RegExpExecArray; encoded: boolean } | undefined;
  for (const rule of FORMAT_RULES) {
    if (rule.name && !rule.name(tokens)) continue;
    for (let i = 0; i < candidates.length; i++) {
      const match = rule.pattern.exec(candidates[i]);
      if (!match || isPlaceholderMatch(rule, match)) continue;
      if (!best || severityRank(rule.severity) > severityRank(best.rule.severity)) best = { rule, match, encoded: i > 0 };
      break;
    }
  }
  const credentialName = isCredentialName(name) && isLiteralCredentialValue(value);
  if (best) {
    const severity = credentialName && severityRank(best.rule.severity) < severityRank('high') ? 'high' : best.rule.severity;
    const shown = best.encoded ? '(base64) ' : safePrefix(best.rule.publicPrefix(best.match));
    return { ruleId: best.rule.id, category: best.rule.category, title: best.rule.title, severity, match: `${name}=${shown}${MASK}` };
  }
  if (credentialName) {
    return { ruleId: PLAINTEXT_CREDENTIAL_RULE, category: 'Generic', title: 'Credential-like variable with a literal value', severity: 'high', match: `${name}=${MASK}` };
  }
  return undefined;
}

/** A URL or connection string whose "password" is a template placeholder (`${DB_PASSWORD}`) is not a leak. */
function isPlaceholderMatch(rule: FormatRule, match: RegExpExecArray): boolean {
  if (rule.id === 'url-password') return !isLiteralCredentialValue(decodeURIComponentSafe(match[2]));
  if (rule.id === 'connection-string-password') return !isLiteralCredentialValue(match[1]);
  return false;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A PEM private key is often stored base64-encoded in one line (`LS0tLS1CRUdJTi...`). */
function decodedPem(value: string): string[] {
  const trimmed = value.trim();
  if (!/^LS0tLS1CRUdJT[A-Za-z0-9+/=\s]+$/.test(trimmed)) return [];
  const decoded = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64').toString('utf8');
  return /PRIVATE KEY/.test(decoded) ? [decoded] : [];
}

/** A public prefix is shown only while it is short and cannot carry the secret itself. */
function safePrefix(text: string): string {
  return text.length <= 48 ? text.replace(/\s+/g, ' ') : '';
}

export interface PlaintextScanOptions {
  /** Variable names never reported (glob matcher over the name, built by the caller). */
  isAllowed?: (name: string) => boolean;
}

/** Findings for one list of variables: `where` says whether they came from the task definition or RunTask overrides. */
export function scanEnvironment(container: string, variables: readonly EnvVar[], where: 'taskDefinition' | 'overrides', options: PlaintextScanOptions = {}): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const variable of variables) {
    if (options.isAllowed?.(variable.name)) continue;
    const detection = detectPlaintextSecret(variable.name, variable.value);
    if (!detection) continue;
    findings.push({
      ruleId: detection.ruleId,
      category: detection.category,
      severity: detection.severity,
      title: detection.title,
      location: { kind: where, container, variable: variable.name },
      match: detection.match,
    });
  }
  return findings;
}

/** Plaintext credentials of a container: its task-definition environment, then its RunTask override environment. */
export function findPlaintextSecrets(spec: Pick<ContainerSpec, 'name' | 'environment' | 'overrideEnvironment'>, options: PlaintextScanOptions = {}): SecretFinding[] {
  return [
    ...scanEnvironment(spec.name, spec.environment ?? [], 'taskDefinition', options),
    ...scanEnvironment(spec.name, spec.overrideEnvironment ?? [], 'overrides', options),
  ];
}
