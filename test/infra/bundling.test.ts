import { App, DockerImage } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FUNCTION_EXTERNAL_MODULES, bundlingProject, evaluatorBundling, pinnedEsbuildVersion } from '../../infra/bundling';
import { FargateGateStack } from '../../infra/stack';
import { conformanceFiles, describeWithConformance } from '../support/conformance';
import { TEST_ENV } from '../support/gate-stack';

/**
 * The one test that bundles for real (local esbuild, no Docker), with the shipped handlers and CLI: it needs
 * functions/handlers/lambda/{gate,hook}.ts and functions/cli/main.ts. Every other infra test skips bundling.
 */
const ROOT = join(__dirname, '../..');
const POLICY = join(ROOT, 'policies/default.json');

let outdir: string;
let assets: Record<string, { source: { path: string; packaging: string } }>;
let template: Record<string, any>;

function assetPathOfKey(objectKey: string): string {
  const hash = objectKey.replace(/\.[a-z]+$/, '');
  return join(outdir, assets[hash].source.path);
}

function functionAssetDir(prefix: string): string {
  const [, fn] = Object.entries(template.Resources as Record<string, any>).find(([id, r]) => id.startsWith(prefix) && r.Type === 'AWS::Lambda::Function')!;
  return assetPathOfKey(fn.Properties.Code.S3Key);
}

function projectVariable(name: string): string {
  // The scan project (the DB mirror's refresh project is a CodeBuild project too).
  const project = Object.values(template.Resources as Record<string, any>).find(
    (r) => r.Type === 'AWS::CodeBuild::Project' && r.Properties.Environment.EnvironmentVariables.some((v: { Name: string }) => v.Name === 'GATE_EVALUATOR_URL'),
  );
  return project.Properties.Environment.EnvironmentVariables.find((v: { Name: string }) => v.Name === name).Value;
}

describe('real bundling', () => {
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'fargate-gate-bundle-'));
    const app = new App({ outdir });
    new FargateGateStack(app, 'Bundled', { env: TEST_ENV });
    app.synth();
    assets = JSON.parse(readFileSync(join(outdir, 'Bundled.assets.json'), 'utf8')).files;
    template = JSON.parse(readFileSync(join(outdir, 'Bundled.template.json'), 'utf8'));
  }, 180_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it.each(['GateGateFunction', 'GateHookFunction', 'GateInUseReportFunction'])('%s bundle holds one minified file, its source map and the policy', (prefix) => {
    const dir = functionAssetDir(prefix);
    expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map', 'policy.json']);
    expect(readFileSync(join(dir, 'policy.json'), 'utf8')).toBe(readFileSync(POLICY, 'utf8'));
    expect(readFileSync(join(dir, 'index.js'), 'utf8')).toMatch(/sourceMappingURL=index\.js\.map\s*$/);
  });

  it.each(['GateGateFunction', 'GateHookFunction'])('%s bundle exports handler and carries its own AWS SDK', (prefix) => {
    const dir = functionAssetDir(prefix);
    const probe = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(dir, 'index.js'))}); process.stdout.write(typeof m.handler)`], { cwd: dir, encoding: 'utf8' });
    expect(probe.stderr).toBe('');
    expect(probe.stdout).toBe('function');
    expect(readFileSync(join(dir, 'index.js'), 'utf8')).toContain('PutEvents');
  });

  it('GateInUseReportFunction bundle exports handler and carries the renderers and the S3 client', () => {
    const dir = functionAssetDir('GateInUseReportFunction');
    const probe = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(dir, 'index.js'))}); process.stdout.write(typeof m.handler)`], { cwd: dir, encoding: 'utf8' });
    expect(probe.stderr).toBe('');
    expect(probe.stdout).toBe('function');
    const code = readFileSync(join(dir, 'index.js'), 'utf8');
    expect(code).toContain('fargate-gate/in-use-report@1');
    expect(code).toContain('PutObject');
  });

  it.each(['GateGateFunction', 'GateHookFunction'])('%s bundle leaves out the credential providers a function never reaches, loading them only on demand', (prefix) => {
    const code = readFileSync(join(functionAssetDir(prefix), 'index.js'), 'utf8');
    for (const name of FUNCTION_EXTERNAL_MODULES) expect(code).toContain(`import("${name}")`);
    // The SSO provider's client (nested-clients/sso) is what it would have pulled in.
    expect(code).not.toContain('GetRoleCredentials');
    expect(code).toContain('AWS_ACCESS_KEY_ID');
  });

  it.each(['GateGateFunction', 'GateHookFunction'])("%s bundle carries no pino and none of zod's locales but its English default", (prefix) => {
    const code = readFileSync(join(functionAssetDir(prefix), 'index.js'), 'utf8');
    // pino names its internal symbols `pino.*` (Symbol("pino.chindings") and the like); the gate's own logger has none.
    expect(code).not.toMatch(/pino\.[a-zA-Z]/);
    // zod's German locale ("Ungültige Eingabe") stands for every locale but English, which zod's classic API sets up and the messages need.
    expect(code).not.toContain('Ungültige');
    expect(code).toContain('Invalid input');
  });

  it("the hook bundle's logger writes one JSON line to stdout as the function runs, with the error serialized", () => {
    // Without the construct's environment the gate cannot be built: the hook answers FAILED and says why in its log.
    const dir = functionAssetDir('GateHookFunction');
    const run = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(dir, 'index.js'))}).handler({}).then((r) => process.stderr.write(JSON.stringify(r)))`], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(JSON.parse(run.stderr)).toEqual({ hookStatus: 'FAILED' });
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    const logged = lines.filter((line) => line.msg !== undefined);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', service: 'fargate-gate', hookStatus: 'FAILED', policyLoaded: false, err: { type: 'Error' } });
    expect(logged[0].err.message).toMatch(/environment variable GATE_\w+ is required/);
    expect(Date.parse(logged[0].time)).not.toBeNaN();
  });

  it('ships the evaluator as one CommonJS file and the policy as its own object', () => {
    const evaluatorKey = projectVariable('GATE_EVALUATOR_URL').replace(/^s3:\/\/[^/]+\//, '');
    const policyKey = projectVariable('GATE_POLICY_URL').replace(/^s3:\/\/[^/]+\//, '');
    expect(evaluatorKey).toMatch(/^[0-9a-f]{64}\.cjs$/);
    expect(policyKey).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(statSync(assetPathOfKey(evaluatorKey)).isFile()).toBe(true);
    expect(readFileSync(assetPathOfKey(policyKey), 'utf8')).toBe(readFileSync(POLICY, 'utf8'));
  });

  it('the bundled evaluator validates the bundled policy on its own, with no node_modules', () => {
    const evaluator = assetPathOfKey(projectVariable('GATE_EVALUATOR_URL').replace(/^s3:\/\/[^/]+\//, ''));
    const isolated = mkdtempSync(join(tmpdir(), 'evaluator-'));
    try {
      copyFileSync(evaluator, join(isolated, 'fargate-gate.cjs'));
      copyFileSync(POLICY, join(isolated, 'policy.json'));
      const result = spawnSync(process.execPath, ['fargate-gate.cjs', 'policy', 'validate', 'policy.json'], { cwd: isolated, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/valid policy "fargate-gate\/default"/);
    } finally {
      rmSync(isolated, { recursive: true, force: true });
    }
  });

  describeWithConformance('the buildspec evaluation step with the real bundle and a real Trivy report', () => {
    const buildspec = parse(readFileSync(join(ROOT, 'buildspecs/inline-scan.yml'), 'utf8'));
    const report = conformanceFiles('trivy').find((file) => file.endsWith('trivy-golden-alpine-39-critical-medium-all-fixable.json'))!;

    function runEvaluationStep(policy: string): { status: number | null; stdout: string; junit: string } {
      const work = mkdtempSync(join(tmpdir(), 'evaluate-step-'));
      try {
        mkdirSync(join(work, 'fargate-gate-bin'));
        mkdirSync(join(work, 'fargate-gate-out'));
        copyFileSync(assetPathOfKey(projectVariable('GATE_EVALUATOR_URL').replace(/^s3:\/\/[^/]+\//, '')), join(work, 'fargate-gate-bin/fargate-gate.cjs'));
        copyFileSync(policy, join(work, 'fargate-gate-bin/policy.json'));
        copyFileSync(report, join(work, 'fargate-gate-out/report.json'));
        const result = spawnSync('bash', ['-c', buildspec.phases.build.commands[2]], {
          cwd: work,
          encoding: 'utf8',
          // The project's own environment as the stack synthesizes it (the report-size limit among it), then the buildspec's.
          env: { PATH: process.env.PATH, HOME: work, GATE_MAX_REPORT_BYTES: projectVariable('GATE_MAX_REPORT_BYTES'), ...buildspec.env.variables },
        });
        const junitPath = join(work, 'fargate-gate-out/junit.xml');
        return { status: result.status, stdout: result.stdout, junit: existsSync(junitPath) ? readFileSync(junitPath, 'utf8') : '' };
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }

    it('writes a JUnit report with failed test cases and keeps the build SUCCEEDED', () => {
      const result = runEvaluationStep(POLICY);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("fargate-gate: the image FAILS the policy; see the failed test cases in this build's report");
      expect(result.junit).toMatch(/<testsuites[\s>]/);
      expect(result.junit).toMatch(/<failure[\s>]/);
    });

    it('says the image fails under the shipped audit policy too, where the evaluator exits 0', () => {
      const result = runEvaluationStep(join(ROOT, 'policies/audit.json'));
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('fargate-gate: the image FAILS the policy (audit mode: reported, not enforced)');
      expect(result.stdout).not.toContain('passes the policy');
    });
  });
});

describe('esbuild for apps that use the construct', () => {
  it('is a runtime dependency pinned to the installed version, so `cdk synth` in an app without dev dependencies can bundle', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules/esbuild/package.json'), 'utf8')).version;
    expect(manifest.dependencies.esbuild).toBe(installed);
    expect(manifest.devDependencies?.esbuild).toBeUndefined();
    expect(pinnedEsbuildVersion(ROOT)).toBe(installed);
  });

  it('declines local bundling when esbuild cannot be loaded, so CDK falls back to Docker', () => {
    const output = mkdtempSync(join(tmpdir(), 'no-esbuild-'));
    try {
      jest.isolateModules(() => {
        jest.doMock('esbuild', () => {
          throw Object.assign(new Error("Cannot find module 'esbuild'"), { code: 'MODULE_NOT_FOUND' });
        });
        const { evaluatorBundling: isolated } = jest.requireActual<typeof import('../../infra/bundling')>('../../infra/bundling');
        expect(isolated(ROOT).local!.tryBundle(output, { image: DockerImage.fromRegistry('unused') })).toBe(false);
      });
      expect(readdirSync(output)).toEqual([]);
    } finally {
      jest.dontMock('esbuild');
      rmSync(output, { recursive: true, force: true });
    }
  });

  it('still fails with esbuild\'s message when esbuild loads but the build breaks', () => {
    const output = mkdtempSync(join(tmpdir(), 'broken-entry-'));
    try {
      const broken = evaluatorBundling(ROOT, join(ROOT, 'functions/cli/no-such-entry.ts'));
      expect(() => broken.local!.tryBundle(output, { image: DockerImage.fromRegistry('unused') })).toThrow(/no-such-entry/);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });

  it('refuses an entry outside the project, which the Docker fallback could not see', () => {
    expect(() => evaluatorBundling(ROOT, join(tmpdir(), 'main.ts'))).toThrow(/outside the project/);
  });

  it('the Docker fallback runs the pinned esbuild over the mounted project with the local options', () => {
    const options = evaluatorBundling(ROOT);
    const [mount] = options.volumes ?? [];
    expect(mount.hostPath).toBe(ROOT);
    const command = options.command ?? [];
    expect(command.slice(0, 6)).toEqual(['npm', 'exec', '--yes', `--package=esbuild@${pinnedEsbuildVersion(ROOT)}`, '--', 'esbuild']);
    expect(command).toContain(`${mount.containerPath}/functions/cli/main.ts`);
    expect(command[command.length - 1]).toBe('--outfile=/asset-output/fargate-gate.cjs');
    expect(options.environment).toMatchObject({ HOME: '/tmp', npm_config_cache: '/tmp/.npm' });
  });

  it('the Docker fallback command and local bundling produce the same evaluator', () => {
    const base = mkdtempSync(join(tmpdir(), 'same-evaluator-'));
    try {
      mkdirSync(join(base, 'local'));
      mkdirSync(join(base, 'cli'));
      const options = evaluatorBundling(ROOT);
      expect(options.local!.tryBundle(join(base, 'local'), { image: DockerImage.fromRegistry('unused') })).toBe(true);
      // The Docker command's esbuild arguments, with the container paths mapped back to this machine.
      const containerPath = options.volumes![0].containerPath;
      const args = options
        .command!.slice(6)
        .map((arg) => (arg.startsWith(`${containerPath}/`) ? ROOT + arg.slice(containerPath.length) : arg.replace('--outfile=/asset-output/', `--outfile=${join(base, 'cli')}/`)));
      const cli = spawnSync(join(ROOT, 'node_modules/.bin/esbuild'), args, { encoding: 'utf8' });
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      const code = (dir: string) => readFileSync(join(base, dir, 'fargate-gate.cjs'), 'utf8').replace(/\/\/# sourceMappingURL=.*\s*$/, '');
      expect(code('cli')).toBe(code('local'));
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('bundlingProject: where NodejsFunction bundles the functions from', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fargate-gate-project-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a clone: the project and its own package-lock.json, wherever the app runs', () => {
    writeFileSync(join(dir, 'package-lock.json'), '{}');
    expect(bundlingProject(dir, tmpdir())).toEqual({ projectRoot: dir, depsLockFilePath: join(dir, 'package-lock.json') });
  });

  it("an installed package (npm pack leaves the lock file out): the app's lock file and its directory, which holds the package", () => {
    const installed = join(dir, 'node_modules/fargate-gate');
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(dir, 'yarn.lock'), '');
    mkdirSync(join(dir, 'bin'));
    expect(bundlingProject(installed, join(dir, 'bin'))).toEqual({ projectRoot: dir, depsLockFilePath: join(dir, 'yarn.lock') });
  });

  it('no lock file anywhere above the working directory: an error that says what is missing', () => {
    mkdirSync(join(dir, 'node_modules/fargate-gate'), { recursive: true });
    // The temporary directory's ancestors (/tmp, /) hold no lock file on a sane machine; asserted, so the test cannot pass by accident.
    expect(['/', tmpdir()].some((d) => existsSync(join(d, 'package-lock.json')) || existsSync(join(d, 'yarn.lock')))).toBe(false);
    expect(() => bundlingProject(join(dir, 'node_modules/fargate-gate'), dir)).toThrow(/cannot bundle the gate's functions: no lock file \(pnpm-lock.yaml, yarn.lock, bun.lock, bun.lockb, package-lock.json\) in /);
  });
});

describe('what the function bundles import', () => {
  // `import { z } from 'zod'` reaches zod's index, which carries every locale (~260 KB of bundle); the namespace import
  // of zod's ES module lets esbuild drop them. A value import in any file under functions/ brings them all back.
  it("imports zod as a namespace everywhere under functions/, never as { z }", () => {
    const files = (readdirSync(join(ROOT, 'functions'), { recursive: true }) as string[]).filter((file) => file.endsWith('.ts')).map((file) => join('functions', file));
    const valueImports = files.filter((file) => /^import\s+\{[^}]*\bz\b[^}]*\}\s+from\s+'zod'/m.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(files.length).toBeGreaterThan(50);
    expect(valueImports).toEqual([]);
  });
});
