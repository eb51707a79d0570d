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
  publicPrefix: (match: RegExpMatchArray) => string;
  /** Extra condition on the variable name (AWS secret keys are only recognisable next to an AWS name). */
  name?: (name: NameInfo) => boolean;
  /**
   * The part of the match that is the secret, when the format wraps one (a URL, a JAAS line): a match whose secret
   * is a placeholder (`${DB_PASSWORD}`, `changeme`) is not a leak.
   */
  secret?: (match: RegExpMatchArray) => string | undefined;
  /** Whether that secret sits where a password goes, so a number is a password too (`postgres://app:12345678@db`). */
  passwordSlot?: boolean;
  /** Last look at a match the pattern cannot judge alone (a port taken for a password, prose taken for a header). */
  accept?: (match: RegExpMatchArray) => boolean;
}

/** What format rules may ask about the variable name. */
interface NameInfo {
  tokens: readonly string[];
  /** The words without trailing qualifiers (`_1`, `_OLD`, `_PROD`): the last of them says what the variable holds. */
  words: readonly string[];
  last: string | undefined;
}

const MASK = '********';
const prefix = (length: number) => (m: RegExpMatchArray) => m[0].slice(0, length);
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
    name: ({ tokens }) => tokens.includes('aws') && (tokens.includes('secret') || tokens.includes('key')),
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
    // Starts only where a token starts: otherwise `sk-sk-sk-...` would be rescanned from every `sk-` (quadratic).
    pattern: /(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}/,
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
    // The user may be empty (`redis://:pw@redis`) and the password may hold `/` (base64 passwords are rarely encoded).
    // Parts are bounded so a long value without an `@` is scanned in linear time.
    pattern: /(?<![A-Za-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/([^\s:/@]{0,256}):([^\s@]{1,256})@([^\s/?#@]+)/i,
    // Only the scheme: the user name can itself be a token (`https://<token>:x-oauth-basic@github.com`).
    publicPrefix: (m) => m[0].slice(0, m[0].indexOf('://') + 3),
    secret: (m) => decodeURIComponentSafe(m[2]),
    passwordSlot: true,
    // `https://host:8080/users/@me` is a host, a port and a path with an `@`, not a user and a password.
    accept: (m) => !/^\d{1,5}(?:[/?#]|$)/.test(m[2]),
  },
  {
    id: 'connection-string-password',
    category: 'Password',
    title: 'Password in a connection string',
    severity: 'high',
    pattern: /(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*([^;]+)/i,
    publicPrefix: (m) => m[0].slice(0, m[0].indexOf('=') + 1).replace(/^;?\s*/, ''),
    secret: (m) => m[1],
    passwordSlot: true,
  },
  {
    id: 'url-query-password',
    category: 'Password',
    title: 'Password in a URL query or JDBC parameter',
    severity: 'high',
    // `jdbc:postgresql://db/app?user=app&password=...`, `https://host/hook?token=...`.
    pattern: /[?&;](password|passwd|pwd|pass|secret|client_secret|access_token|auth_token|api_key|apikey|token)=([^&;#\s]{1,512})/i,
    publicPrefix: (m) => `${m[1]}=`,
    secret: (m) => decodeURIComponentSafe(m[2]),
    passwordSlot: true,
  },
  {
    id: 'config-password',
    category: 'Password',
    title: 'Password in inline configuration',
    severity: 'high',
    // Kafka JAAS `password="..."`, JSON `"password": "..."`, and JVM system properties `-D...Password=...`. A key
    // starts where a run of key characters starts (the lookbehinds), so a long value is scanned in linear time.
    pattern:
      /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret))["']?\s*[:=]\s*(?:"([^"]*)"|'([^']*)')|(?<![A-Za-z0-9_.-])-D([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret))=([^\s"']{1,512})/i,
    publicPrefix: (m) => `${m[1] ?? m[4]}=`,
    secret: (m) => m[2] ?? m[3] ?? m[5],
    passwordSlot: true,
  },
  {
    id: 'authorization-header',
    category: 'HTTP',
    title: 'HTTP Authorization credentials',
    severity: 'high',
    pattern: /(?:^|[\s:"'=])(Bearer|Basic|Token)\s+([A-Za-z0-9._~+/-]+=*)/i,
    publicPrefix: (m) => `${m[1]} `,
    secret: (m) => m[2],
    accept: (m) => (m[1].toLowerCase() === 'basic' ? isBasicCredentials(m[2]) : m[2].length >= 16 && /\d/.test(m[2])),
  },
  {
    id: 'basic-auth-credentials',
    category: 'Password',
    title: 'User and password pair',
    severity: 'high',
    // `BASIC_AUTH=user:pass`: only next to a name that says so, since `host:port` has the same shape.
    pattern: /^\s*([^\s:/@]+):([^\s/@]+)\s*$/,
    publicPrefix: literal(''),
    name: (info) => info.last !== undefined && AUTH_PAIR_WORDS.has(info.last),
    secret: (m) => m[2],
  },
];

/** Last words of a name that holds `user:password` (`BASIC_AUTH`, `PROXY_USERPASS`). */
const AUTH_PAIR_WORDS = new Set(['auth', 'basicauth', 'userpass', 'userinfo', 'htpasswd']);

/** `Basic <base64>` carries `user:password` in base64; prose (`Basic authentication`) does not decode to that. */
function isBasicCredentials(encoded: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return false;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return /^[\x20-\x7e]+$/.test(decoded) && colon > 0 && isLiteralCredentialValue(decoded.slice(colon + 1), { password: true });
}

/*
 * The name rule. A name is credential-like only when its LAST word holds the credential: `DB_PASSWORD`, `GITHUB_TOKEN`,
 * `STRIPE_API_KEY`, but not `PASSWORD_FILE`, `TOKEN_URL`, `OIDC_TOKEN_ENDPOINT_AUTH_METHOD` or `JWT_SECRET_ENCODING`,
 * whose last word says the variable configures something about a credential. Precisely, after splitting the name into
 * words (`dbPassword`, `DB_PASSWORD`, `db-password` → db, password) and dropping at most two trailing qualifiers
 * (digits, `v2`, `old`, `new`, `prod`, `b64`, `json`, ...: `DB_PASSWORD_OLD`, `API_KEY_2`), the last word must be
 *   - a credential word (`password`, `passwd`, `pwd`, `pass`, `pw`, `passphrase`, `secret(s)`, `token(s)`,
 *     `credential(s)`, `creds`, `apikey`, `bearer`, ...), or
 *   - one word ending in a credential word (`PGPASSWORD`, `MYSQLPWD`, `OPENAIAPIKEY`), except the short `pass`/`pw`
 *     (`BYPASS`, `COMPASS`) and the shell's working directories (`PWD`, `OLDPWD`), or
 *   - `key` after a word that makes a key secret (`API_KEY`, `SECRET_KEY`, `PRIVATE_KEY`; not `CACHE_KEY`,
 *     `S3_KEY` or `GPG_KEY`, which in official images is a public key fingerprint).
 * A few well-known names are listed outright (`SECRET_KEY_BASE`). Value formats (AKIA..., PEM, ghp_..., JWTs, URLs
 * with a password) do not depend on the name.
 */

/** Words that make a name credential-like as its last word. */
const CREDENTIAL_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'pass',
  'pw',
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
/** Under these words a number is a password as well (`DB_PASSWORD=12345678`); a `TOKEN_TTL`-like number is not a token. */
const PASSWORD_WORDS = new Set(['password', 'passwd', 'passphrase', 'pwd', 'pass', 'pw']);
/** Endings that make one glued word credential-like (`PGPASSWORD`). `pass` and `pw` are too short to be endings. */
const CREDENTIAL_ENDINGS = ['password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'credential', 'credentials', 'apikey', 'privatekey', 'secretkey', 'accesskey'];
/** `<qualifier>_KEY` pairs that name a key which is itself the secret. */
const KEY_QUALIFIERS = new Set(['api', 'private', 'secret', 'access', 'signing', 'encryption', 'master', 'auth', 'session', 'license', 'licence', 'client', 'hmac', 'jwt', 'app', 'account', 'storage', 'shared', 'webhook', 'cookie']);
/** Glued `<qualifier>key` endings (`OPENAIAPIKEY`, `APPSECRETKEY`). */
const KEY_ENDINGS = [...KEY_QUALIFIERS].map((qualifier) => `${qualifier}key`);
/** Trailing words that qualify a credential without changing what it is: `DB_PASSWORD_OLD`, `API_KEY_PROD`, `JWT_SECRET_B64`. */
const QUALIFIERS = new Set([
  'old',
  'new',
  'prev',
  'previous',
  'next',
  'current',
  'curr',
  'primary',
  'secondary',
  'backup',
  'alt',
  'fallback',
  'prod',
  'production',
  'stg',
  'staging',
  'stage',
  'dev',
  'development',
  'test',
  'qa',
  'uat',
  'local',
  'live',
  'b64',
  'base64',
  'hex',
  'encoded',
  'raw',
  'plain',
  'json',
  'value',
]);
const MAX_QUALIFIERS = 2;
const isQualifier = (word: string) => /^(?:\d+|v\d+)$/.test(word) || QUALIFIERS.has(word);
/** Whole names that look credential-like and are not: the shell's working directories. */
const NOT_CREDENTIAL_NAMES = new Set(['pwd', 'oldpwd']);
/** Well-known credential names whose last word is not a credential word. */
const KNOWN_CREDENTIAL_NAMES: readonly (readonly string[])[] = [['secret', 'key', 'base']];

/** Variable name split into lowercase words: `dbPassword`, `DB_PASSWORD`, `db-password` → [db, password]. */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

function nameInfo(name: string): NameInfo {
  const tokens = nameTokens(name);
  let end = tokens.length;
  for (let dropped = 0; dropped < MAX_QUALIFIERS && end > 1 && isQualifier(tokens[end - 1]); dropped++) end--;
  const words = tokens.slice(0, end);
  return { tokens, words, last: words[words.length - 1] };
}

/** What made a name credential-like, and whether it names a password (so a number counts as one). */
interface CredentialWord {
  word: string;
  password: boolean;
}

function credentialWord(name: string): CredentialWord | undefined {
  const { tokens, words, last } = nameInfo(name);
  if (last === undefined || NOT_CREDENTIAL_NAMES.has(tokens.join(''))) return undefined;
  const previous = words[words.length - 2];
  if (CREDENTIAL_WORDS.has(last)) return { word: last, password: PASSWORD_WORDS.has(last) };
  if (last === 'key' && previous !== undefined && KEY_QUALIFIERS.has(previous)) return { word: `${previous}_key`, password: false };
  for (const known of KNOWN_CREDENTIAL_NAMES) {
    if (words.length >= known.length && known.every((word, i) => words[words.length - known.length + i] === word)) return { word: known.join('_'), password: false };
  }
  const ending = [...CREDENTIAL_ENDINGS, ...KEY_ENDINGS].find((candidate) => last.length > candidate.length && last.endsWith(candidate));
  return ending ? { word: ending, password: PASSWORD_WORDS.has(ending) } : undefined;
}

/** Whether a variable name says it holds a credential (`DB_PASSWORD`, `stripeApiKey`), not something about one (`TOKEN_URL`). */
export function isCredentialName(name: string): boolean {
  return credentialWord(name) !== undefined;
}

// Placeholders only: a weak but real password (`password`, `secret`) is still a plaintext credential. The ellipsis is
// written `\u2026`: esbuild copies a regular expression's characters as they are, and one character past ASCII makes Node
// decode the whole chunk of a function's cold start into a two-byte string, and V8 scan it as one (about 3 ms of the gate's
// cold import; test/infra/function-bundling.test.ts holds every bundle file to ASCII).
const PLACEHOLDER =
  /^(?:\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]*\}\}|<[^>]*>|%\(?[a-z_]*\)?s|\*+|x+|\.{3}|\u2026|-+|_+|#+|\?+|null|nil|none|undefined|n\/a|tbd|todo|fixme|changeme|change[_-]?me|replace[_-]?me|your[_-].*|placeholder|example|dummy|redacted|unset|empty)$/i;
const FLAG = /^(?:true|false|yes|no|on|off|enabled|disabled)$/i;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[smhdw]|ms)?$/i;
/** Values that point at a credential store or a file instead of holding the credential. */
const REFERENCE =
  /^(?:arn:aws[a-z-]*:(?:secretsmanager|ssm|kms|iam|sts):|(?:ssm|secretsmanager|awssm|aws-sm|vault|sm|op|gcp-sm|azure-kv|kms):|\/|\.\.?\/|~\/|file:|s3:\/\/)/i;
const URL_WITHOUT_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i;

export interface LiteralOptions {
  /** The value sits where a password goes (a password-named variable, a URL's password): numbers are passwords too. */
  password?: boolean;
}

/**
 * Whether a value is a literal worth calling a credential: not empty or too short, not a placeholder, a flag, a
 * reference or a plain URL, and not a number unless it stands where a password goes.
 */
export function isLiteralCredentialValue(value: string, options: LiteralOptions = {}): boolean {
  const trimmed = value.trim().replace(/^(["'])(.*)\1$/, '$2');
  if (trimmed.length < 4) return false;
  if (PLACEHOLDER.test(trimmed) || FLAG.test(trimmed) || REFERENCE.test(trimmed) || URL_WITHOUT_USERINFO.test(trimmed)) return false;
  return options.password === true || !NUMBER.test(trimmed);
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
/** A detection as a secret finding found at `location`. */
export function detectionFinding(detection: PlaintextDetection, location: SecretFinding['location']): SecretFinding {
  return { ruleId: detection.ruleId, category: detection.category, severity: detection.severity, title: detection.title, location, match: detection.match };
}

export function detectPlaintextSecret(name: string, value: string): PlaintextDetection | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const info = nameInfo(name);
  const candidates = [value, ...decodedPem(value)];
  let best: { rule: FormatRule; match: RegExpMatchArray; encoded: boolean } | undefined;
  for (const rule of FORMAT_RULES) {
    if (rule.name && !rule.name(info)) continue;
    for (let i = 0; i < candidates.length; i++) {
      const match = firstLeak(rule, candidates[i]);
      if (!match) continue;
      if (!best || severityRank(rule.severity) > severityRank(best.rule.severity)) best = { rule, match, encoded: i > 0 };
      break;
    }
  }
  const word = credentialWord(name);
  const credentialName = word !== undefined && isLiteralCredentialValue(value, { password: word.password });
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

const GLOBAL_PATTERNS = new Map(FORMAT_RULES.map((rule) => [rule, new RegExp(rule.pattern.source, `${rule.pattern.flags}g`)]));

/**
 * The first match of the rule that is a leak: a placeholder early in a value (`secret="${S}" password="real"`) must
 * not hide a literal later in it.
 */
function firstLeak(rule: FormatRule, value: string): RegExpMatchArray | undefined {
  if (!rule.secret && !rule.accept) return rule.pattern.exec(value) ?? undefined;
  for (const match of value.matchAll(GLOBAL_PATTERNS.get(rule) as RegExp)) if (isLeak(rule, match)) return match;
  return undefined;
}

/** A format match is a leak unless its secret part is a placeholder (`postgres://app:${DB_PASSWORD}@db`) or the rule rejects it. */
function isLeak(rule: FormatRule, match: RegExpMatchArray): boolean {
  if (rule.accept && !rule.accept(match)) return false;
  if (!rule.secret) return true;
  const secret = rule.secret(match);
  return secret !== undefined && isLiteralCredentialValue(secret, { password: rule.passwordSlot });
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
    if (detection) findings.push(detectionFinding(detection, { kind: where, container, variable: variable.name }));
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
