import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SCAN_BUILD_ENV } from '../../functions/adapters/scan-build-env';
import { SCAN_OUTGREW_COMPUTE_EXIT_STATUS, exitStatusOfPhaseContext } from '../../functions/core/gate/compute-fallback';
import { BUILDSPEC_REPORT_NAME } from '../../infra/buildspec';
import { assignedVariables, describeShellcheck, itQuotesAndNeverEvaluates, referencedVariables } from '../support/buildspec-shell';
import { synthGate } from '../support/gate-stack';
import { useStubTools } from '../support/stub-tools';

const BUILDSPEC_PATH = join(__dirname, '../../buildspecs/inline-scan.yml');

interface Buildspec {
  version: number;
  env: { shell: string; variables: Record<string, string> };
  phases: Record<string, { 'runtime-versions'?: Record<string, unknown>; commands: string[] }>;
  reports: Record<string, { files: string[]; 'base-directory': string; 'discard-paths': string | boolean; 'file-format': string }>;
  cache: { paths: string[] };
}

const buildspec = parse(readFileSync(BUILDSPEC_PATH, 'utf8')) as Buildspec;
const commands = Object.entries(buildspec.phases).flatMap(([phase, { commands: list }]) => list.map((command, index) => ({ phase, index, command })));
const step = (phase: string, index: number) => buildspec.phases[phase].commands[index];

/** Variables CodeBuild itself sets in every build (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html). */
const CODEBUILD_PROVIDED = ['CODEBUILD_BUILD_ID', 'CODEBUILD_BUILD_ARN'];
/** Variables bash itself sets: a `=~` match's groups, a pipeline's exit statuses. */
const BASH_PROVIDED = ['BASH_REMATCH', 'PIPESTATUS'];

/** Project environment variables, as the construct sets them with every optional scanner setting on, in an organisation. */
function projectVariableNames(): string[] {
  const { template } = synthGate({
    organizationId: 'o-a1b2c3d4e5',
    scanner: {
      dbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-db:2'],
      javaDbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-java-db:1'],
      checksBundleRepository: '111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-checks:1',
    },
  });
  const project = Object.values(template.findResources('AWS::CodeBuild::Project'))[0];
  return (project.Properties.Environment.EnvironmentVariables as { Name: string }[]).map((v) => v.Name);
}

describe('inline-scan buildspec: structure', () => {
  it('is a version 0.2 buildspec run by bash', () => {
    expect(buildspec.version).toBe(0.2);
    expect(buildspec.env.shell).toBe('bash');
  });

  it('installs Node.js 22 and has install, pre_build and build commands', () => {
    expect(buildspec.phases.install['runtime-versions']).toEqual({ nodejs: 22 });
    for (const phase of ['install', 'pre_build', 'build']) expect(buildspec.phases[phase].commands.length).toBeGreaterThan(0);
  });

  it('declares the JUnit report where the evaluator writes it', () => {
    const report = buildspec.reports[BUILDSPEC_REPORT_NAME];
    expect(report).toEqual({ files: ['junit.xml'], 'base-directory': buildspec.env.variables.GATE_OUT_DIR, 'discard-paths': 'yes', 'file-format': 'JUNITXML' });
    expect(step('build', 2)).toContain('--format junit --output "$GATE_OUT_DIR/junit.xml"');
  });

  it('caches the vulnerability and Java databases from the cache directory Trivy is given', () => {
    const cacheDir = buildspec.env.variables.GATE_TRIVY_CACHE_DIR;
    expect(buildspec.cache.paths).toEqual([`${cacheDir}/db/**/*`, `${cacheDir}/java-db/**/*`]);
    expect(step('build', 0)).toContain('--cache-dir "$GATE_TRIVY_CACHE_DIR"');
  });

  it('references only variables the project, the StartBuild overrides, the buildspec or CodeBuild provide', () => {
    const allowed = new Set([...Object.values(SCAN_BUILD_ENV), ...projectVariableNames(), ...Object.keys(buildspec.env.variables), ...CODEBUILD_PROVIDED, ...BASH_PROVIDED]);
    for (const { phase, index, command } of commands) {
      const local = new Set(assignedVariables(command));
      const unknown = referencedVariables(command).filter((name) => !allowed.has(name) && !local.has(name));
      expect({ step: `${phase}[${index}]`, unknown: [...new Set(unknown)] }).toEqual({ step: `${phase}[${index}]`, unknown: [] });
    }
  });

  itQuotesAndNeverEvaluates(commands);

  it('never sets TRIVY_* variables, which Trivy would read as configuration', () => {
    const names = [...Object.keys(buildspec.env.variables), ...projectVariableNames(), ...commands.flatMap(({ command }) => assignedVariables(command))];
    expect(names.filter((name) => name.startsWith('TRIVY_'))).toEqual([]);
  });
});

describeShellcheck('buildspecs/inline-scan.yml', commands);

// ---------- behaviour: the steps run under bash with stub tools, no network ----------

const tools = useStubTools('inline-scan-', (work) => ({ ...buildspec.env.variables, GATE_TRIVY_CACHE_DIR: join(work, 'cache') }));
const { stub, run, calls } = tools;

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const VALID_INPUTS = {
  IMAGE_REF: `111122223333.dkr.ecr.us-west-2.amazonaws.com/team-a/api@${DIGEST}`,
  IMAGE_DIGEST: DIGEST,
  REPORT_KEY: `reports/${DIGEST}/scan-01HZX.json`,
  SCAN_ID: '01HZX',
  GATE_REPORT_PREFIX: 'reports/',
};

describe('inline-scan buildspec: input validation', () => {
  const validate = (env: Record<string, string>) => run(step('install', 0), { ...VALID_INPUTS, ...env });

  it.each([
    ['an ECR reference pinned by digest', {}],
    ['a Docker Hub reference by tag without a digest', { IMAGE_REF: 'nginx:1.27', IMAGE_DIGEST: '' }],
    ['a registry with a port', { IMAGE_REF: `registry.example.com:5000/a/b@${DIGEST}` }],
    ['a tag and a digest', { IMAGE_REF: `public.ecr.aws/nginx/nginx:1.27@${DIGEST}` }],
    ['an sbom re-judgement of a stored SBOM', { SCAN_MODE: 'sbom', SBOM_KEY: `reports/${DIGEST}/scan-01HZW.cdx.json` }],
  ])('accepts %s', (_name, env) => {
    const result = validate(env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([
    ['a command separator', { IMAGE_REF: 'nginx;id' }, /IMAGE_REF is not an image reference/],
    ['a command substitution', { IMAGE_REF: 'nginx$(id)', IMAGE_DIGEST: '' }, /IMAGE_REF is not an image reference/],
    ['a backtick', { IMAGE_REF: 'nginx`id`', IMAGE_DIGEST: '' }, /IMAGE_REF is not an image reference/],
    ['a leading dash (an option to Trivy)', { IMAGE_REF: '--config=/etc/passwd', IMAGE_DIGEST: '' }, /IMAGE_REF is not an image reference/],
    ['a newline', { IMAGE_REF: 'nginx\nid', IMAGE_DIGEST: '' }, /IMAGE_REF is not an image reference/],
    ['spaces', { IMAGE_REF: 'nginx latest', IMAGE_DIGEST: '' }, /IMAGE_REF is not an image reference/],
    ['an empty reference', { IMAGE_REF: '' }, /IMAGE_REF is not an image reference/],
    ['an overlong reference', { IMAGE_REF: `a/${'b'.repeat(600)}`, IMAGE_DIGEST: '' }, /longer than 512/],
    ['a digest that is not sha256 hex', { IMAGE_DIGEST: 'sha256:XYZ' }, /IMAGE_DIGEST is not sha256/],
    ['a reference not pinned to the digest', { IMAGE_REF: `nginx@sha256:${'cd'.repeat(32)}` }, /not pinned to IMAGE_DIGEST/],
    ['a report key outside the prefix', { REPORT_KEY: 'other/x.json' }, /outside the report prefix/],
    ['a report key climbing out', { REPORT_KEY: 'reports/../etc/x.json' }, /parent path segment/],
    ['a report key with a space', { REPORT_KEY: 'reports/a b.json' }, /REPORT_KEY has characters/],
    ['a scan id with a slash', { SCAN_ID: 'a/b' }, /SCAN_ID has characters/],
    ['no report prefix', { GATE_REPORT_PREFIX: '' }, /GATE_REPORT_PREFIX is not set/],
    ['a report key the SBOM cannot go beside', { REPORT_KEY: 'reports/x.txt' }, /REPORT_KEY must end in \.json/],
    ['an unknown scan mode', { SCAN_MODE: 'fs' }, /SCAN_MODE is neither image nor sbom/],
    ['an SBOM key for an image scan', { SBOM_KEY: 'reports/a.cdx.json' }, /SBOM_KEY is only for SCAN_MODE sbom/],
    ['an sbom scan without an SBOM key', { SCAN_MODE: 'sbom' }, /SBOM_KEY has characters/],
    ['an SBOM key outside the prefix', { SCAN_MODE: 'sbom', SBOM_KEY: 'other/a.cdx.json' }, /SBOM_KEY is outside the report prefix/],
    ['an SBOM key climbing out', { SCAN_MODE: 'sbom', SBOM_KEY: 'reports/../a.cdx.json' }, /SBOM_KEY has an empty or parent/],
    ['an SBOM key that is not CycloneDX JSON', { SCAN_MODE: 'sbom', SBOM_KEY: 'reports/a.json' }, /SBOM_KEY is not a CycloneDX SBOM key/],
  ])('refuses %s before anything runs', (_name, env, message) => {
    const result = validate(env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(calls()).toBe('');
  });
});

describe('inline-scan buildspec: Trivy installation', () => {
  let sha256: string;

  function fakeRelease(version: string): void {
    sha256 = tools.serveRelease('trivy', `echo "Version: ${version}"`);
  }

  const install = (env: Record<string, string>) =>
    run(step('pre_build', 0), {
      GATE_TRIVY_VERSION: '0.70.0',
      GATE_TRIVY_SHA256: sha256,
      GATE_TRIVY_ASSET: 'trivy_0.70.0_Linux-64bit.tar.gz',
      GATE_TRIVY_DOWNLOAD_URL: 'https://mirror.example.com/trivy',
      ...env,
    });

  it('downloads the pinned asset over https, verifies its SHA-256 and installs it', () => {
    fakeRelease('0.70.0');
    const result = install({});
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(calls()).toContain("--proto =https");
    expect(calls()).toContain('https://mirror.example.com/trivy/v0.70.0/trivy_0.70.0_Linux-64bit.tar.gz');
    expect(existsSync(join(tools.work, 'fargate-gate-bin/trivy'))).toBe(true);
  });

  it('refuses a download whose SHA-256 differs and never unpacks it', () => {
    fakeRelease('0.70.0');
    const result = install({ GATE_TRIVY_SHA256: 'f'.repeat(64) });
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/FAILED/);
    expect(existsSync(join(tools.work, 'fargate-gate-bin/trivy'))).toBe(false);
  });

  it('refuses a binary that reports another version', () => {
    fakeRelease('0.69.0');
    expect(install({}).status).not.toBe(0);
  });

  it.each([
    ['the malicious v0.69.4', { GATE_TRIVY_VERSION: '0.69.4' }, /malicious release/],
    ['"latest"', { GATE_TRIVY_VERSION: 'latest' }, /not an exact release version/],
    ['a missing checksum', { GATE_TRIVY_SHA256: '' }, /not a SHA-256/],
    ['an asset that is not a Trivy tarball', { GATE_TRIVY_ASSET: 'evil.sh' }, /not a Trivy Linux tarball/],
    ['a plain-http mirror', { GATE_TRIVY_DOWNLOAD_URL: 'http://mirror.example.com' }, /must be an https/],
  ])('refuses %s without downloading anything', (_name, env, message) => {
    fakeRelease('0.70.0');
    const result = install(env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(calls()).toBe('');
  });
});

describe('inline-scan buildspec: Trivy from an S3 release copy (the stack\'s, or an account\'s own bucket)', () => {
  const ASSET = 'trivy_0.70.0_Linux-64bit.tar.gz';
  const MIRROR = 's3://gate-trivy-release/trivy';
  let sha256: string;

  /**
   * The release tarball in a fake bucket: the aws stub copies `s3://<bucket>/<key>` from a directory, and fails as the
   * CLI does (exit 1, the 404 on stderr) when the object is absent. curl is the stub that fails: it must not be called.
   */
  function bucketHolding(objects: Record<string, string>): void {
    sha256 = tools.serveRelease('trivy', 'echo "Version: 0.70.0"');
    stub('curl', `echo "curl $*" >> "${tools.work}/calls.log"; exit 97`);
    for (const [key, file] of Object.entries(objects)) {
      mkdirSync(join(tools.work, 's3', key, '..'), { recursive: true });
      writeFileSync(join(tools.work, 's3', key), readFileSync(join(tools.work, file)));
    }
    stub('aws', `echo "aws $*" >> "${tools.work}/calls.log"; f="${tools.work}/s3/\${4#s3://}"; [ -f "$f" ] || { echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key not found" >&2; exit 1; }; cp "$f" "$5"`);
  }
  const install = (env: Record<string, string> = {}) =>
    run(step('pre_build', 0), { GATE_TRIVY_VERSION: '0.70.0', GATE_TRIVY_SHA256: sha256, GATE_TRIVY_ASSET: ASSET, GATE_TRIVY_DOWNLOAD_URL: MIRROR, ...env });
  const installed = () => existsSync(join(tools.work, 'fargate-gate-bin/trivy'));

  it('copies the tarball with the build role (aws s3 cp), never from GitHub, verifies its SHA-256 and installs it', () => {
    bucketHolding({ [`gate-trivy-release/trivy/v0.70.0/${ASSET}`]: 'trivy.tar.gz' });
    const result = install();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(tools.callLines()).toEqual([`aws s3 cp --only-show-errors ${MIRROR}/v0.70.0/${ASSET} fargate-gate-bin/${ASSET}`]);
    expect(installed()).toBe(true);
    expect(existsSync(join(tools.work, 'fargate-gate-bin', ASSET))).toBe(false);
  });

  it('reads an account\'s own bucket without a prefix the same way', () => {
    bucketHolding({ [`own-mirror/v0.70.0/${ASSET}`]: 'trivy.tar.gz' });
    expect(install({ GATE_TRIVY_DOWNLOAD_URL: 's3://own-mirror' }).status).toBe(0);
    expect(installed()).toBe(true);
  });

  it('fails loudly when the object is missing: nothing is installed, nothing falls back to GitHub', () => {
    bucketHolding({});
    const result = install();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`fargate-gate: could not copy Trivy 0.70.0 from ${MIRROR}/v0.70.0/${ASSET}: the object is missing`);
    expect(calls()).not.toContain('curl');
    expect(installed()).toBe(false);
  });

  it('refuses a copy whose SHA-256 is not the pinned one: it is never unpacked, and removed', () => {
    bucketHolding({ [`gate-trivy-release/trivy/v0.70.0/${ASSET}`]: 'trivy.tar.gz' });
    const result = install({ GATE_TRIVY_SHA256: 'f'.repeat(64) });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`fargate-gate: ${MIRROR}/v0.70.0/${ASSET} does not have the pinned SHA-256 ${'f'.repeat(64)}: refusing to install it`);
    expect(installed()).toBe(false);
    expect(existsSync(join(tools.work, 'fargate-gate-bin', ASSET))).toBe(false);
  });

  it.each([
    ['a bucket name with capitals', 's3://Gate-Trivy/trivy'],
    ['a key segment with a space', 's3://gate-trivy-release/tri vy'],
    ['an empty key segment', 's3://gate-trivy-release//trivy'],
    ['a command substitution', 's3://gate-trivy-release/$(id)'],
    ['another scheme', 'ftp://mirror.example.com/trivy'],
    ['an https URL with a space', 'https://mirror.example.com/a b'],
  ])('refuses %s without downloading anything', (_name, url) => {
    bucketHolding({});
    const result = install({ GATE_TRIVY_DOWNLOAD_URL: url });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('GATE_TRIVY_DOWNLOAD_URL must be an https:// URL or an s3://<bucket>[/<prefix>] location');
    expect(calls()).toBe('');
  });
});

describe('inline-scan buildspec: evaluator download', () => {
  it('fetches the bundled evaluator and policy from their S3 assets and validates the policy before any scan', () => {
    stub('aws', `echo "aws $*" >> "${tools.work}/calls.log"; touch "$5"`);
    stub('node', `echo "node $*" >> "${tools.work}/calls.log"`);
    const result = run(step('pre_build', 1), { GATE_EVALUATOR_URL: 's3://assets/e.cjs', GATE_POLICY_URL: 's3://assets/p.json' });
    expect(result.status).toBe(0);
    expect(calls().trimEnd().split('\n')).toEqual([
      'aws s3 cp --only-show-errors s3://assets/e.cjs fargate-gate-bin/fargate-gate.cjs',
      'aws s3 cp --only-show-errors s3://assets/p.json fargate-gate-bin/policy.json',
      'node --enable-source-maps fargate-gate-bin/fargate-gate.cjs policy validate fargate-gate-bin/policy.json',
    ]);
  });

  it('fails the build when the policy does not validate', () => {
    stub('aws', `touch "$5"`);
    stub('node', 'exit 2');
    expect(run(step('pre_build', 1), { GATE_EVALUATOR_URL: 's3://assets/e.cjs', GATE_POLICY_URL: 's3://assets/p.json' }).status).toBe(2);
  });
});

describe('inline-scan buildspec: scan, upload, evaluation', () => {
  beforeEach(() => {
    mkdirSync(join(tools.work, 'fargate-gate-bin'), { recursive: true });
    // A Trivy stand-in: records its arguments one per line and writes the report where --output says.
    stub(
      'trivy',
      `if [ "$1" = convert ]; then printf '%s\\n' "$@" > "${tools.work}/trivy-convert-args"; else printf '%s\\n' "$@" > "${tools.work}/trivy-args"; fi; ` +
        `out=""; while [ $# -gt 0 ]; do if [ "$1" = --output ]; then out="$2"; shift; fi; shift; done; echo '{"SchemaVersion":2}' > "$out"; exit "\${STUB_TRIVY_EXIT:-0}"`,
      join(tools.work, 'fargate-gate-bin'),
    );
  });

  const scanArgs = () => readFileSync(join(tools.work, 'trivy-args'), 'utf8').trimEnd().split('\n');

  it('scans the image from the registry, no daemon, vulnerabilities and secrets plus image-config checks, as JSON', () => {
    const result = run(step('build', 0), { ...VALID_INPUTS, GATE_TRIVY_TIMEOUT: '15m' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const args = scanArgs();
    expect(args.slice(0, 1)).toEqual(['image']);
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--image-src')).toBe('remote');
    expect(flag('--scanners')).toBe('vuln,secret');
    expect(flag('--image-config-scanners')).toBe('misconfig,secret');
    expect(flag('--format')).toBe('json');
    expect(flag('--cache-backend')).toBe('memory');
    expect(flag('--timeout')).toBe('15m');
    expect(args).toEqual(expect.arrayContaining(['--skip-version-check', '--disable-telemetry']));
    expect(args.slice(-2)).toEqual(['--', VALID_INPUTS.IMAGE_REF]);
    expect(args).not.toContain('--db-repository');
  });

  it('uses the configured database mirrors', () => {
    run(step('build', 0), {
      ...VALID_INPUTS,
      GATE_TRIVY_TIMEOUT: '15m',
      GATE_TRIVY_DB_REPOSITORY: 'registry.example.com/trivy-db:2,public.ecr.aws/aquasecurity/trivy-db:2',
      GATE_TRIVY_JAVA_DB_REPOSITORY: 'registry.example.com/trivy-java-db:1',
      GATE_TRIVY_CHECKS_BUNDLE_REPOSITORY: 'registry.example.com/trivy-checks:1',
    });
    const args = scanArgs();
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--db-repository')).toBe('registry.example.com/trivy-db:2,public.ecr.aws/aquasecurity/trivy-db:2');
    expect(flag('--java-db-repository')).toBe('registry.example.com/trivy-java-db:1');
    expect(flag('--checks-bundle-repository')).toBe('registry.example.com/trivy-checks:1');
  });

  describe('in an organisation: pulls from member accounts', () => {
    const BUILD_ARN = 'arn:aws:codebuild:us-west-2:999988887777:build/fargate-gate-scan:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    const ORG = { GATE_ORGANIZATION: 'o-a1b2c3d4e5', CODEBUILD_BUILD_ARN: BUILD_ARN, GATE_TRIVY_TIMEOUT: '15m' };
    beforeEach(() => {
      // STS stand-in: logs the call and answers with fixed credentials (the CLI's --output text of the three fields).
      stub('aws', `echo "aws $*" >> "${tools.work}/calls.log"; if [ "$1 $2" = "sts assume-role" ]; then printf 'ASIAMEMBER\\tmember-secret\\tmember-token\\n'; exit 0; fi; exit 97`);
      // Trivy records the credentials it ran with.
      stub(
        'trivy',
        `if [ "$1" != convert ]; then printf '%s %s|%s|%s|%s\\n' "$1" "$2" "\${AWS_ACCESS_KEY_ID:-}" "\${AWS_SECRET_ACCESS_KEY:-}" "\${AWS_SESSION_TOKEN:-}" >> "${tools.work}/trivy-credentials"; fi; ` +
          `out=""; while [ $# -gt 0 ]; do if [ "$1" = --output ]; then out="$2"; shift; fi; shift; done; if [ -n "$out" ]; then echo '{"SchemaVersion":2}' > "$out"; fi`,
        join(tools.work, 'fargate-gate-bin'),
      );
    });
    const trivyRuns = () => readFileSync(join(tools.work, 'trivy-credentials'), 'utf8').trimEnd().split('\n');
    // The credentials of the image pull (the last Trivy run before the SBOM conversion): "a|b|c".
    const trivyCredentials = () => (trivyRuns().at(-1) ?? '').split('|').slice(1).join('|');

    it('assumes the member role of the image\'s account and region and runs the Trivy pull with its credentials only', () => {
      const result = run(step('build', 0), { ...VALID_INPUTS, ...ORG });
      expect(result.status).toBe(0);
      expect(calls()).toBe(
        'aws sts assume-role --role-arn arn:aws:iam::111122223333:role/fargate-gate-member-us-west-2 --role-session-name fargate-gate-scan --duration-seconds 3600 ' +
          '--query Credentials.[AccessKeyId,SecretAccessKey,SessionToken] --output text\n',
      );
      expect(trivyCredentials()).toBe('ASIAMEMBER|member-secret|member-token');
      // The Java DB first, with the build role (the member role may not pull the central mirror); the pull updates no DB.
      expect(trivyRuns()).toEqual(['image --download-java-db-only|||', 'image --image-src|ASIAMEMBER|member-secret|member-token']);
      // Never printed.
      expect(result.stdout + result.stderr).not.toContain('member-secret');
      expect(result.stdout + result.stderr).not.toContain('member-token');
    });

    it('takes the partition from the build ARN', () => {
      const result = run(step('build', 0), { ...VALID_INPUTS, ...ORG, CODEBUILD_BUILD_ARN: 'arn:aws-us-gov:codebuild:us-gov-west-1:999988887777:build/p:1' });
      expect(result.status).toBe(0);
      expect(calls()).toContain('--role-arn arn:aws-us-gov:iam::111122223333:role/fargate-gate-member-us-west-2 ');
    });

    it('pulls an image of the central account with the build role: no AssumeRole', () => {
      const result = run(step('build', 0), { ...VALID_INPUTS, ...ORG, CODEBUILD_BUILD_ARN: BUILD_ARN.replace('999988887777', '111122223333') });
      expect(result.status).toBe(0);
      expect(calls()).toBe('');
      expect(trivyCredentials()).toBe('||');
    });

    it('pulls a public image anonymously: no AssumeRole', () => {
      const result = run(step('build', 0), { ...VALID_INPUTS, ...ORG, IMAGE_REF: `public.ecr.aws/nginx/nginx@${DIGEST}` });
      expect(result.status).toBe(0);
      expect(calls()).toBe('');
    });

    it('never assumes a member role outside organisation mode', () => {
      const result = run(step('build', 0), { ...VALID_INPUTS, GATE_TRIVY_TIMEOUT: '15m', CODEBUILD_BUILD_ARN: BUILD_ARN });
      expect(result.status).toBe(0);
      expect(calls()).toBe('');
      expect(trivyCredentials()).toBe('||');
    });

    it.each([
      ['a 13-digit account', `1111222233334.dkr.ecr.us-west-2.amazonaws.com/team-a/api@${DIGEST}`],
      ['an 11-digit account', `11112222333.dkr.ecr.us-west-2.amazonaws.com/team-a/api@${DIGEST}`],
      ['a region that is no region', `111122223333.dkr.ecr.us-west-2x.amazonaws.com/team-a/api@${DIGEST}`],
      ['a look-alike host', `111122223333.dkr.ecr.us-west-2.amazonaws.com.evil.example/team-a/api@${DIGEST}`],
    ])('refuses an ECR-looking reference with %s, before any AssumeRole or pull', (_what, reference) => {
      const result = run(step('build', 0), { ...VALID_INPUTS, ...ORG, IMAGE_REF: reference });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('refusing to pull it');
      expect(calls()).toBe('');
      expect(existsSync(join(tools.work, 'trivy-credentials'))).toBe(false);
    });

    it('refuses to pull a member image when the build ARN is not one', () => {
      const result = run(step('build', 0), { ...VALID_INPUTS, ...ORG, CODEBUILD_BUILD_ARN: 'arn:aws:codebuild:us-west-2:9999:build/x' });
      expect(result.status).not.toBe(0);
      expect(calls()).toBe('');
      expect(existsSync(join(tools.work, 'trivy-credentials'))).toBe(false);
    });

    it('fails the build when the member role cannot be assumed, without pulling', () => {
      stub('aws', `echo "aws $*" >> "${tools.work}/calls.log"; echo 'AccessDenied' >&2; exit 254`);
      const result = run(step('build', 0), { ...VALID_INPUTS, ...ORG });
      expect(result.status).not.toBe(0);
      expect(existsSync(join(tools.work, 'trivy-credentials'))).toBe(false);
    });
  });

  it('fails the build when the scan itself fails', () => {
    expect(run(step('build', 0), { ...VALID_INPUTS, GATE_TRIVY_TIMEOUT: '15m', STUB_TRIVY_EXIT: '1' }).status).not.toBe(0);
  });

  // Review of issue 9, item 4: the gate retries a Lambda scan on EC2 compute only when this step says the scan outgrew
  // its compute, with the reserved exit status (CodeBuild reports it in the phase context: "Reason: exit status 75").
  describe('exit status: the reserved one only when Trivy ran out of memory, disk or time', () => {
    const ORG = { GATE_ORGANIZATION: 'o-a1b2c3d4e5', CODEBUILD_BUILD_ARN: 'arn:aws:codebuild:us-west-2:999988887777:build/fargate-gate-scan:1' };
    beforeEach(() => {
      // A Trivy stand-in that fails as told, for the run named by STUB_TRIVY_FAILS (its first argument; "image" by
      // default): STUB_TRIVY_STDERR on stderr, then killed by STUB_TRIVY_SIGNAL or exiting STUB_TRIVY_EXIT.
      stub(
        'trivy',
        `echo "trivy $1" >> "${tools.work}/calls.log"; ` +
          `out=""; for arg in "$@"; do if [ "$prev" = --output ]; then out="$arg"; fi; prev="$arg"; done; if [ -n "$out" ]; then echo '{"SchemaVersion":2}' > "$out"; fi; ` +
          `if [ "$1" != "\${STUB_TRIVY_FAILS:-image}" ] || [ "$2" = --download-java-db-only ]; then exit 0; fi; ` +
          `echo 'INFO scanning' >&2; if [ -n "\${STUB_TRIVY_STDERR:-}" ]; then printf '%s\n' "$STUB_TRIVY_STDERR" >&2; fi; ` +
          `if [ -n "\${STUB_TRIVY_SIGNAL:-}" ]; then kill -s "$STUB_TRIVY_SIGNAL" "$$"; fi; exit "\${STUB_TRIVY_EXIT:-0}"`,
        join(tools.work, 'fargate-gate-bin'),
      );
      stub('aws', `echo "aws $*" >> "${tools.work}/calls.log"; if [ "$1 $2" = "sts assume-role" ]; then printf 'ASIAMEMBER\tmember-secret\tmember-token\n'; exit 0; fi; echo '{}' > "\${@: -1}"`);
    });
    const scan = (env: Record<string, string>) => run(step('build', 0), { ...VALID_INPUTS, GATE_TRIVY_TIMEOUT: '15m', ...env });

    it('is the reserved status when Trivy is killed by the OOM killer (SIGKILL)', () => {
      const result = scan({ STUB_TRIVY_SIGNAL: 'KILL' });
      expect(result.status).toBe(SCAN_OUTGREW_COMPUTE_EXIT_STATUS);
      expect(result.status).toBe(75);
      expect(result.stderr).toContain('fargate-gate: Trivy ran out of memory, disk or time (it exited 137)');
      // The step stops there: no SBOM conversion of a report that was never finished.
      expect(calls()).not.toContain('trivy convert');
    });

    it.each<[string, Record<string, string>]>([
      ['exits 137 (out of memory)', { STUB_TRIVY_EXIT: '137' }],
      ['is killed by another signal (SIGTERM, 143)', { STUB_TRIVY_SIGNAL: 'TERM' }],
      ['writes "no space left on device" and exits 1', { STUB_TRIVY_STDERR: 'FATAL image scan error: write /tmp/fanal-123: no space left on device', STUB_TRIVY_EXIT: '1' }],
      ['hits its own --timeout and exits 1', { STUB_TRIVY_STDERR: 'FATAL image scan error: scan error: analyze error: timeout: context deadline exceeded', STUB_TRIVY_EXIT: '1' }],
    ])('is the reserved status when Trivy %s', (_what, env) => {
      expect(scan(env).status).toBe(SCAN_OUTGREW_COMPUTE_EXIT_STATUS);
    });

    it.each<[string, Record<string, string>, number]>([
      ['an ordinary scan failure (the image is gone)', { STUB_TRIVY_STDERR: 'FATAL image scan error: MANIFEST_UNKNOWN: manifest unknown', STUB_TRIVY_EXIT: '1' }, 1],
      ['a refused pull', { STUB_TRIVY_STDERR: 'FATAL unable to initialize a scanner: DENIED: not authorized', STUB_TRIVY_EXIT: '1' }, 1],
      ['a registry answering 429', { STUB_TRIVY_STDERR: 'FATAL TOOMANYREQUESTS: rate limit exceeded', STUB_TRIVY_EXIT: '1' }, 1],
      ['another status of Trivy\'s own', { STUB_TRIVY_EXIT: '3' }, 3],
      ['Trivy exiting 75 itself, with no such cause', { STUB_TRIVY_EXIT: '75' }, 1],
    ])('keeps %s an ordinary failure: its own status, never the reserved one', (_what, env, expected) => {
      const result = scan(env);
      expect(result.status).toBe(expected);
      expect(result.stderr).not.toContain('ran out of memory');
    });

    it('passes Trivy\'s stderr on to the build log, line by line', () => {
      const result = scan({ STUB_TRIVY_STDERR: 'FATAL image scan error: MANIFEST_UNKNOWN\nsecond line', STUB_TRIVY_EXIT: '1' });
      expect(result.stderr).toContain('INFO scanning\nFATAL image scan error: MANIFEST_UNKNOWN\nsecond line\n');
    });

    it('keeps a successful scan successful, even when its log mentions a full disk (a warning about one file)', () => {
      const result = scan({ STUB_TRIVY_STDERR: 'WARN unable to read /var/log/x: no space left on device' });
      expect(result.status).toBe(0);
      expect(existsSync(join(tools.work, 'fargate-gate-out/sbom.cdx.json'))).toBe(true);
    });

    it.each<[string, Record<string, string>]>([
      ['the SBOM conversion', { STUB_TRIVY_FAILS: 'convert', STUB_TRIVY_SIGNAL: 'KILL' }],
      ['an sbom-mode re-judgement', { STUB_TRIVY_FAILS: 'sbom', STUB_TRIVY_SIGNAL: 'KILL', SCAN_MODE: 'sbom', SBOM_KEY: `reports/${DIGEST}/scan-01HZW.cdx.json`, GATE_REPORT_BUCKET: 'gate-reports' }],
      ['a member account\'s pull, in its own subshell', { ...ORG, STUB_TRIVY_SIGNAL: 'KILL' }],
    ])('maps an OOM kill in %s to the reserved status too', (_what, env) => {
      expect(scan(env).status).toBe(SCAN_OUTGREW_COMPUTE_EXIT_STATUS);
    });

    it('reads back from the phase context CodeBuild writes for this step: its text names no status of its own', () => {
      // CodeBuild: "Error while executing command: <the step as written>. Reason: exit status N" (awslabs/aws-deployment-framework#471).
      const context = (status: number) => ({ statusCode: 'COMMAND_EXECUTION_ERROR', message: `Error while executing command: ${step('build', 0)}. Reason: exit status ${status}` });
      expect(exitStatusOfPhaseContext(context(SCAN_OUTGREW_COMPUTE_EXIT_STATUS))).toBe(SCAN_OUTGREW_COMPUTE_EXIT_STATUS);
      expect(exitStatusOfPhaseContext(context(1))).toBe(1);
      expect(step('build', 0)).not.toContain('Reason: exit status');
    });

    it('keeps the status of a failure outside Trivy (AssumeRole refused: the AWS CLI\'s 254)', () => {
      stub('aws', `echo "aws $*" >> "${tools.work}/calls.log"; echo 'AccessDenied' >&2; exit 254`);
      expect(scan(ORG).status).toBe(254);
    });
  });

  it('lists every package and converts the same run\'s report into a CycloneDX SBOM', () => {
    const result = run(step('build', 0), { ...VALID_INPUTS, GATE_TRIVY_TIMEOUT: '15m' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(scanArgs()).toContain('--list-all-pkgs');
    const convert = readFileSync(join(tools.work, 'trivy-convert-args'), 'utf8').trimEnd().split('\n');
    expect(convert).toEqual(['convert', '--format', 'cyclonedx', '--output', 'fargate-gate-out/sbom.cdx.json', '--', 'fargate-gate-out/report.json']);
    expect(existsSync(join(tools.work, 'fargate-gate-out/sbom.cdx.json'))).toBe(true);
  });

  it('re-judges a stored SBOM in sbom mode: copies it from the bucket, runs `trivy sbom`, never pulls the image', () => {
    stub('aws', `echo "aws $*" >> "${tools.work}/calls.log"; echo '{"bomFormat":"CycloneDX"}' > "\${@: -1}"`);
    const sbomKey = `reports/${DIGEST}/scan-01HZW.cdx.json`;
    const result = run(step('build', 0), { ...VALID_INPUTS, GATE_TRIVY_TIMEOUT: '15m', GATE_REPORT_BUCKET: 'gate-reports', SCAN_MODE: 'sbom', SBOM_KEY: sbomKey });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(calls()).toBe(`aws s3 cp --only-show-errors s3://gate-reports/${sbomKey} fargate-gate-out/sbom.cdx.json\n`);
    const args = scanArgs();
    expect(args.slice(0, 3)).toEqual(['sbom', '--scanners', 'vuln']);
    expect(args.slice(-2)).toEqual(['--', 'fargate-gate-out/sbom.cdx.json']);
    expect(args).not.toContain(VALID_INPUTS.IMAGE_REF);
    expect(args).not.toContain('--image-src');
    expect(existsSync(join(tools.work, 'trivy-convert-args'))).toBe(false);
  });

  it('fails an sbom-mode build whose SBOM cannot be copied from the bucket', () => {
    const sbomKey = `reports/${DIGEST}/scan-01HZW.cdx.json`;
    const result = run(step('build', 0), { ...VALID_INPUTS, GATE_TRIVY_TIMEOUT: '15m', GATE_REPORT_BUCKET: 'gate-reports', SCAN_MODE: 'sbom', SBOM_KEY: sbomKey });
    expect(result.status).not.toBe(0);
    expect(existsSync(join(tools.work, 'trivy-args'))).toBe(false);
  });

  it('uploads the raw report to the report key and the SBOM beside it (.cdx.json), both tagged with the scan and build', () => {
    mkdirSync(join(tools.work, 'fargate-gate-out'));
    writeFileSync(join(tools.work, 'fargate-gate-out/report.json'), '{}');
    writeFileSync(join(tools.work, 'fargate-gate-out/sbom.cdx.json'), '{}');
    stub('aws', `echo "aws $*" >> "${tools.work}/calls.log"`);
    const result = run(step('build', 1), { ...VALID_INPUTS, GATE_REPORT_BUCKET: 'gate-reports', CODEBUILD_BUILD_ID: 'scan:1234' });
    expect(result.status).toBe(0);
    expect(calls()).toBe(
      `aws s3 cp --only-show-errors --content-type application/json --metadata scan-id=01HZX,build-id=scan:1234 fargate-gate-out/report.json s3://gate-reports/${VALID_INPUTS.REPORT_KEY}\n` +
        `aws s3 cp --only-show-errors --content-type application/vnd.cyclonedx+json --metadata scan-id=01HZX,build-id=scan:1234 fargate-gate-out/sbom.cdx.json s3://gate-reports/reports/${DIGEST}/scan-01HZX.cdx.json\n`,
    );
  });

  describe('evaluation', () => {
    /** The construct sets GATE_MAX_REPORT_BYTES on the project from maxReportSize (64 MiB by default). */
    const EVALUATION_INPUTS = { ...VALID_INPUTS, GATE_MAX_REPORT_BYTES: String(64 * 1024 * 1024) };
    /**
     * A stand-in evaluator: records each call, writes a JUnit file or the JSON result where --output says, exits as told.
     * `node -e` (the step reading the decision from the JSON result) runs the real node.
     */
    function stubNode(exitCode: number, result: Record<string, unknown> | string = { decision: 'pass', mode: 'enforce' }, writesOutput = true): void {
      const json = typeof result === 'string' ? result : JSON.stringify(result);
      writeFileSync(join(tools.work, 'result-to-write.json'), json);
      stub(
        'node',
        `if [ "$1" = -e ]; then exec "${process.execPath}" "$@"; fi; ` +
          `echo "node $*" >> "${tools.work}/calls.log"; out=""; while [ $# -gt 0 ]; do if [ "$1" = --output ]; then out="$2"; shift; fi; shift; done; ` +
          `if [ -n "$out" ] && [ "${writesOutput}" = true ]; then case "$out" in *.json) cp "${tools.work}/result-to-write.json" "$out" ;; *) echo '<testsuites/>' > "$out" ;; esac; fi; exit ${exitCode}`,
      );
      mkdirSync(join(tools.work, 'fargate-gate-out'), { recursive: true });
    }

    it('runs the bundled evaluator on the report with the bundled policy and the stack report-size limit: the result as JSON, a table for the log, JUnit', () => {
      stubNode(0);
      const result = run(step('build', 2), { ...VALID_INPUTS, GATE_MAX_REPORT_BYTES: '134217728' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('fargate-gate: the image passes the policy\n');
      const invocations = calls().trimEnd().split('\n');
      const evaluate =
        'node --enable-source-maps fargate-gate-bin/fargate-gate.cjs evaluate --report fargate-gate-out/report.json --policy fargate-gate-bin/policy.json --max-report-size 134217728';
      expect(invocations).toEqual([
        `${evaluate} --format json --output fargate-gate-out/result.json`,
        `${evaluate} --format table`,
        `${evaluate} --format junit --output fargate-gate-out/junit.xml`,
      ]);
    });

    it('keeps the build SUCCEEDED when the image fails an enforced policy (exit 1): the report carries the failure', () => {
      stubNode(1, { decision: 'fail', mode: 'enforce' });
      const result = run(step('build', 2), EVALUATION_INPUTS);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("fargate-gate: the image FAILS the policy; see the failed test cases in this build's report");
      expect(existsSync(join(tools.work, 'fargate-gate-out/junit.xml'))).toBe(true);
    });

    it('says a failing image fails under an audit policy too, although the evaluator exits 0', () => {
      stubNode(0, { decision: 'fail', mode: 'audit' });
      const result = run(step('build', 2), EVALUATION_INPUTS);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('fargate-gate: the image FAILS the policy (audit mode: reported, not enforced)');
      expect(result.stdout).not.toContain('passes');
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['a warning', { decision: 'warn', mode: 'enforce' }, 'fargate-gate: the image passes the policy with warnings'],
      ['a scan error under an audit policy', { decision: 'error', mode: 'audit' }, 'fargate-gate: the policy could not judge the image (decision error, audit mode)'],
    ])('names %s as such', (_name, verdict, line) => {
      stubNode(0, verdict);
      const result = run(step('build', 2), EVALUATION_INPUTS);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(line);
    });

    it.each([
      ['an unknown decision', { decision: 'maybe', mode: 'enforce' }],
      ['a result that is not JSON', '<testsuites/>'],
    ])('fails the build on %s rather than guess', (_name, verdict) => {
      stubNode(0, verdict);
      const result = run(step('build', 2), EVALUATION_INPUTS);
      expect(result.status).not.toBe(0);
      expect(result.stdout).not.toMatch(/passes|FAILS/);
    });

    it('fails the build when the evaluator breaks (exit 2)', () => {
      stubNode(2);
      const result = run(step('build', 2), EVALUATION_INPUTS);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('the evaluator failed with exit status 2');
      expect(calls().trimEnd().split('\n')).toHaveLength(1);
    });

    it.each([
      ['missing', undefined],
      ['not a number of bytes', '64MiB; rm -rf /'],
      ['zero', '0'],
    ])('fails the build, running no evaluator, when GATE_MAX_REPORT_BYTES is %s', (_name, value) => {
      stubNode(0);
      const result = run(step('build', 2), value === undefined ? VALID_INPUTS : { ...VALID_INPUTS, GATE_MAX_REPORT_BYTES: value });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('GATE_MAX_REPORT_BYTES is not a number of bytes');
      expect(calls()).toBe('');
    });

    it('fails the build when no JUnit report was written', () => {
      stubNode(0, { decision: 'pass', mode: 'enforce' }, false);
      expect(run(step('build', 2), EVALUATION_INPUTS).status).not.toBe(0);
    });
  });
});

describe('inline-scan buildspec: vulnerability DB age', () => {
  const HOUR = 3_600_000;
  const metadataPath = () => join(tools.work, 'cache/db/metadata.json');

  /**
   * A Trivy stand-in for `--download-db-only`: records its arguments and writes the metadata.json Trivy would leave in
   * the cache (none when `metadata` is undefined).
   */
  function stubTrivy(metadata: string | undefined, exitCode = 0): void {
    mkdirSync(join(tools.work, 'fargate-gate-bin'), { recursive: true });
    if (metadata !== undefined) writeFileSync(join(tools.work, 'metadata-to-write.json'), metadata);
    stub(
      'trivy',
      `printf '%s\\n' "$@" > "${tools.work}/trivy-args"; ` +
        (metadata === undefined ? '' : `mkdir -p "$GATE_TRIVY_CACHE_DIR/db" && cp "${tools.work}/metadata-to-write.json" "$GATE_TRIVY_CACHE_DIR/db/metadata.json"; `) +
        `exit ${exitCode}`,
      join(tools.work, 'fargate-gate-bin'),
    );
  }
  const updatedHoursAgo = (hours: number) => JSON.stringify({ Version: 2, NextUpdate: new Date(Date.now() - hours * HOUR + 6 * HOUR).toISOString(), UpdatedAt: new Date(Date.now() - hours * HOUR).toISOString() });
  const checkAge = (env: Record<string, string> = {}) => run(step('pre_build', 2), { GATE_TRIVY_MAX_DB_AGE_HOURS: '24', ...env });
  const trivyArgs = () => readFileSync(join(tools.work, 'trivy-args'), 'utf8').trimEnd().split('\n');

  it('downloads only the DB into the build cache directory and accepts a DB built within the bound', () => {
    stubTrivy(updatedHoursAgo(3));
    const result = checkAge();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^fargate-gate: vulnerability DB built \S+ \(3\.0 hours ago\)\n$/);
    const args = trivyArgs();
    expect(args.slice(0, 2)).toEqual(['image', '--download-db-only']);
    expect(args[args.indexOf('--cache-dir') + 1]).toBe(join(tools.work, 'cache'));
    expect(args).not.toContain('--db-repository');
    expect(existsSync(metadataPath())).toBe(true);
  });

  it('downloads from the configured mirror', () => {
    stubTrivy(updatedHoursAgo(1));
    expect(checkAge({ GATE_TRIVY_DB_REPOSITORY: '111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-db:2' }).status).toBe(0);
    const args = trivyArgs();
    expect(args[args.indexOf('--db-repository') + 1]).toBe('111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-db:2');
  });

  it('refuses a DB built longer ago than GATE_TRIVY_MAX_DB_AGE_HOURS, naming its age and the bound', () => {
    stubTrivy(updatedHoursAgo(30));
    const result = checkAge();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^fargate-gate: the vulnerability DB was built 30\.0 hours ago, more than 24: refusing to scan with it/);
    expect(result.stdout).toBe('');
  });

  it('accepts the same DB under a larger bound', () => {
    stubTrivy(updatedHoursAgo(30));
    expect(checkAge({ GATE_TRIVY_MAX_DB_AGE_HOURS: '48' }).status).toBe(0);
  });

  it.each<[string, string | undefined, RegExp]>([
    ['no metadata.json', undefined, /the vulnerability DB has no readable metadata\.json/],
    ['a metadata.json that is not JSON', '{"UpdatedAt": ', /the vulnerability DB has no readable metadata\.json/],
    ['no UpdatedAt', JSON.stringify({ Version: 2 }), /the vulnerability DB metadata has no UpdatedAt/],
    ['an UpdatedAt that is not a date', JSON.stringify({ UpdatedAt: 'yesterday' }), /the vulnerability DB metadata has no UpdatedAt/],
    ['an UpdatedAt that is a number', JSON.stringify({ UpdatedAt: Date.now() }), /the vulnerability DB metadata has no UpdatedAt/],
    ['metadata that is null', 'null', /the vulnerability DB metadata has no UpdatedAt/],
    // A date ahead of the clock would keep a DB "fresh" for ever.
    ['an UpdatedAt two hours in the future', JSON.stringify({ UpdatedAt: new Date(Date.now() + 2 * HOUR).toISOString() }), /the vulnerability DB metadata says it was built in the future/],
  ])('refuses to scan with %s', (_name, metadata, message) => {
    stubTrivy(metadata);
    const result = checkAge();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('fails when the download itself fails, before reading any metadata', () => {
    stubTrivy(updatedHoursAgo(1), 3);
    const result = checkAge();
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('');
  });

  it.each([
    ['missing', {}],
    ['not a whole number of hours', { GATE_TRIVY_MAX_DB_AGE_HOURS: '24h' }],
    ['a command', { GATE_TRIVY_MAX_DB_AGE_HOURS: '1;id' }],
  ])('refuses to run Trivy when GATE_TRIVY_MAX_DB_AGE_HOURS is %s', (_name, env) => {
    stubTrivy(updatedHoursAgo(1));
    const result = run(step('pre_build', 2), env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('GATE_TRIVY_MAX_DB_AGE_HOURS is not a whole number of hours');
    expect(existsSync(join(tools.work, 'trivy-args'))).toBe(false);
  });
});

// Review issue 9 item 3: a failed pull of the checks bundle made Trivy fall back, silently, to its embedded checks.
describe('inline-scan buildspec: misconfiguration checks bundle', () => {
  const REPOSITORY = '111122223333.dkr.ecr.us-west-2.amazonaws.com/fargate-gate-trivy-checks:2';
  const DIGEST_OF_BUNDLE = `sha256:${'cd'.repeat(32)}`;
  const policyDir = () => join(tools.work, 'cache/policy');

  /** A Trivy stand-in for `trivy config`: records its arguments; when `lands`, leaves the bundle where Trivy leaves it. */
  function stubTrivy(lands: boolean): void {
    mkdirSync(join(tools.work, 'fargate-gate-bin'), { recursive: true });
    stub(
      'trivy',
      `printf '%s\\n' "$@" > "${tools.work}/trivy-args"; ` +
        (lands
          ? `mkdir -p "$GATE_TRIVY_CACHE_DIR/policy/content" && echo '{"revision":"2.4.0"}' > "$GATE_TRIVY_CACHE_DIR/policy/content/.manifest" && ` +
            `echo '{"Digest":"${DIGEST_OF_BUNDLE}","DownloadedAt":"2026-12-06T10:00:00Z","MajorVersion":2}' > "$GATE_TRIVY_CACHE_DIR/policy/metadata.json"; `
          : `echo 'ERROR Falling back to embedded checks' >&2; `) +
        'exit 0',
      join(tools.work, 'fargate-gate-bin'),
    );
  }
  const fetchChecks = (env: Record<string, string> = {}) => run(step('pre_build', 4), { GATE_TRIVY_CHECKS_BUNDLE_REPOSITORY: REPOSITORY, ...env });
  const trivyArgs = () => readFileSync(join(tools.work, 'trivy-args'), 'utf8').trimEnd().split('\n');

  it('fetches the bundle from the configured repository into the cache the scan uses, before the scan', () => {
    stubTrivy(true);
    const result = fetchChecks();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`fargate-gate: checks bundle ${DIGEST_OF_BUNDLE} from ${REPOSITORY}`);
    const args = trivyArgs();
    expect(args[0]).toBe('config');
    expect(args[args.indexOf('--cache-dir') + 1]).toBe(join(tools.work, 'cache'));
    expect(args[args.indexOf('--checks-bundle-repository') + 1]).toBe(REPOSITORY);
    expect(args).toEqual(expect.arrayContaining(['--skip-version-check', '--disable-telemetry']));
    // The scanned directory is empty: the run exists only to fetch the bundle.
    expect(args.slice(-2)).toEqual(['--', `${buildspec.env.variables.GATE_OUT_DIR}/checks-probe/empty`]);
    expect(readdirSync(join(tools.work, buildspec.env.variables.GATE_OUT_DIR, 'checks-probe/empty'))).toEqual([]);
    // The image scan finds it in the same cache directory.
    expect(step('build', 0)).toContain('--cache-dir "$GATE_TRIVY_CACHE_DIR"');
  });

  it('fails the build when the bundle did not land, where Trivy would fall back to its embedded checks and go on', () => {
    stubTrivy(false);
    const result = fetchChecks();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`fargate-gate: the checks bundle could not be fetched from ${REPOSITORY}: Trivy would scan with its embedded checks instead; refusing`);
  });

  it('does not take a bundle left in the cache by an earlier build for this one', () => {
    mkdirSync(join(policyDir(), 'content'), { recursive: true });
    writeFileSync(join(policyDir(), 'content/.manifest'), '{}');
    writeFileSync(join(policyDir(), 'metadata.json'), JSON.stringify({ Digest: DIGEST_OF_BUNDLE, DownloadedAt: '2026-12-01T00:00:00Z' }));
    stubTrivy(false);
    expect(fetchChecks().status).toBe(1);
  });

  it.each([
    ['an sbom re-judgement (no misconfiguration scan)', { SCAN_MODE: 'sbom' }],
    ['no configured repository (Trivy\'s default applies, as before)', { GATE_TRIVY_CHECKS_BUNDLE_REPOSITORY: '' }],
  ])('runs nothing for %s', (_name, env) => {
    stubTrivy(false);
    const result = fetchChecks(env);
    expect(result.status).toBe(0);
    expect(existsSync(join(tools.work, 'trivy-args'))).toBe(false);
  });
});

// Review issue 9 item 11: a scan took whatever Java DB the mirror held, whatever its age.
describe('inline-scan buildspec: Java DB age', () => {
  const HOUR = 3_600_000;
  const javaDbDir = () => join(tools.work, 'cache/java-db');
  const writeJavaDb = (metadata: string) => {
    mkdirSync(javaDbDir(), { recursive: true });
    writeFileSync(join(javaDbDir(), 'trivy-java.db'), 'index');
    writeFileSync(join(javaDbDir(), 'metadata.json'), metadata);
  };
  const builtHoursAgo = (hours: number) => JSON.stringify({ Version: 1, UpdatedAt: new Date(Date.now() - hours * HOUR).toISOString(), NextUpdate: new Date(Date.now() - hours * HOUR + 72 * HOUR).toISOString() });
  const prepare = (env: Record<string, string> = {}) => run(step('pre_build', 3), { GATE_TRIVY_MAX_DB_AGE_HOURS: '72', ...env });
  const checkAfterScan = (env: Record<string, string> = {}) => run(step('post_build', 0), { GATE_TRIVY_MAX_DB_AGE_HOURS: '72', ...env });

  describe('before the scan', () => {
    it('keeps a cached Java DB within the bound', () => {
      writeJavaDb(builtHoursAgo(30));
      const result = prepare();
      expect(result.status).toBe(0);
      expect(existsSync(join(javaDbDir(), 'trivy-java.db'))).toBe(true);
    });

    it.each([
      ['past the bound', builtHoursAgo(80)],
      ['without UpdatedAt', JSON.stringify({ Version: 1 })],
      ['with unreadable metadata', '{"UpdatedAt":'],
    ])('removes a cached Java DB %s, so a scan that needs one downloads it again', (_name, metadata) => {
      writeJavaDb(metadata);
      const result = prepare();
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('fargate-gate: the cached Java DB is unreadable or past the bound: removed');
      expect(existsSync(javaDbDir())).toBe(false);
    });

    it('does nothing without a cached Java DB, and refuses a bound that is not whole hours', () => {
      expect(prepare().status).toBe(0);
      const bad = prepare({ GATE_TRIVY_MAX_DB_AGE_HOURS: '1;id' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('GATE_TRIVY_MAX_DB_AGE_HOURS is not a whole number of hours');
    });
  });

  describe('after the scan (the Java DB Trivy downloaded for an image with Java archives)', () => {
    beforeEach(() => {
      expect(prepare().status).toBe(0);
    });

    it('passes when the scan needed no Java DB', () => {
      const result = checkAfterScan();
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it('accepts a Java DB built within the bound, and says how old it is', () => {
      writeJavaDb(builtHoursAgo(5));
      const result = checkAfterScan();
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^fargate-gate: Java DB built \S+ \(5\.0 hours ago\)\n$/);
    });

    it.each<[string, string, RegExp]>([
      ['built longer ago than the bound', builtHoursAgo(80), /fargate-gate: the Java DB was built 80\.0 hours ago, more than 72: the scan that used it is refused/],
      ['dated in the future', JSON.stringify({ UpdatedAt: new Date(Date.now() + 2 * HOUR).toISOString() }), /the Java DB metadata says it was built in the future/],
      ['without UpdatedAt', JSON.stringify({ Version: 1 }), /the Java DB metadata has no UpdatedAt/],
      ['with metadata that is null', 'null', /the Java DB metadata has no UpdatedAt/],
      ['with unreadable metadata', '{"UpdatedAt":', /the Java DB has no readable metadata\.json/],
    ])('fails the build for a Java DB %s', (_name, metadata, message) => {
      writeJavaDb(metadata);
      const result = checkAfterScan();
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
    });

    it('fails the build when the bound is missing, rather than passing any Java DB', () => {
      writeJavaDb(builtHoursAgo(1));
      const result = run(step('post_build', 0), {});
      expect(result.status).toBe(1);
    });
  });
});
