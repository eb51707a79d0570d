import { App, DockerImage } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { FUNCTION_EXTERNAL_MODULES, bundlingProject, evaluatorBundling, pinnedEsbuildVersion } from '../../infra/bundling';
import { cannedResponses, describeCall, FIRST_EVENTS, functionEnvironment, runProbe, writeCanned } from '../../bench/lambda-first-event';
import { FUNCTION_ENTRY_FILE, functionBundlingOptions } from '../../infra/function-bundling';
import { FargateGateStack } from '../../infra/stack';
import { loadBundledPolicyFileSync } from '../../functions/io/bundled-policy-file';
import { readPolicyFileSync } from '../../functions/io/policy-file';
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

  /** The code files (`*.mjs`) of a function's asset, by name. */
  function codeFiles(dir: string): Record<string, string> {
    return Object.fromEntries(readdirSync(dir).filter((name) => name.endsWith('.mjs')).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  }
  const allCode = (dir: string) => Object.values(codeFiles(dir)).join('\n');

  /**
   * The code a cold start loads: index.mjs and, transitively, the chunks it imports with import statements
   * (`from"./chunk-X.mjs"`, `import"./chunk-X.mjs"`); not the chunks it `import()`s when a path needs them.
   */
  function coldStartCode(dir: string): string {
    const files = codeFiles(dir);
    const loaded = new Set<string>();
    const visit = (name: string): void => {
      if (loaded.has(name)) return;
      loaded.add(name);
      for (const match of files[name].matchAll(/(?:from|import)\s*"\.\/(chunk-[A-Z0-9]+\.mjs)"/g)) visit(match[1]);
    };
    visit('index.mjs');
    return [...loaded].map((name) => files[name]).join('\n');
  }

  /** Runs `script` (an ES module) in a fresh node with `env`; `ENTRY` in it is the entry's file URL. */
  function runModule(dir: string, script: string, env: NodeJS.ProcessEnv) {
    const source = script.replace('ENTRY', JSON.stringify(pathToFileURL(join(dir, FUNCTION_ENTRY_FILE)).href));
    return spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: dir, encoding: 'utf8', env });
  }

  it.each(['GateGateFunction', 'GateHookFunction'])('%s bundle holds the minified ES module entry, its chunks, a source map beside each, the policy and its prepared form', (prefix) => {
    const dir = functionAssetDir(prefix);
    const names = readdirSync(dir).sort();
    const code = names.filter((name) => name.endsWith('.mjs'));
    expect(code).toContain('index.mjs');
    expect(code.filter((name) => name !== 'index.mjs').length).toBeGreaterThan(0);
    for (const name of code) expect(name).toMatch(/^(index|chunk-[A-Z0-9]+)\.mjs$/);
    expect(names).toEqual([...code.flatMap((name) => [name, `${name}.map`]), 'policy.json', 'policy.prepared.json'].sort());
    expect(readFileSync(join(dir, 'policy.json'), 'utf8')).toBe(readFileSync(POLICY, 'utf8'));
    // Prepared at synth: the cold start takes it (no zod schema run), and it is the policy full validation gives.
    const loaded = loadBundledPolicyFileSync(join(dir, 'policy.json'));
    expect(loaded.prepared).toBe(true);
    expect(loaded.policy).toEqual(readPolicyFileSync(join(dir, 'policy.json')));
    for (const name of code) expect(readFileSync(join(dir, name), 'utf8')).toMatch(new RegExp(`sourceMappingURL=${name.replace('.', '\\.')}\\.map\\s*$`));
    expect(template.Resources[Object.keys(template.Resources).find((id) => id.startsWith(prefix) && template.Resources[id].Type === 'AWS::Lambda::Function')!].Properties.Handler).toBe('index.handler');
  });

  it('the gate entry leaves scan completion and report reading to chunks it imports only when an event needs them', () => {
    const dir = functionAssetDir('GateGateFunction');
    const files = codeFiles(dir);
    const coldStart = coldStartCode(dir);
    // Log messages of completion.ts (quoted whole: the posture sweep logs "posture sweep done") and error messages of the
    // report readers (core/findings/detect.ts, grype.ts): neither in the entry nor in a chunk it imports statically.
    for (const marker of ['"sweep done"', 'no unfinished scan has this build', 'in the legacy format', 'judged by the unfixable thresholds']) {
      expect(coldStart).not.toContain(marker);
      expect(Object.entries(files).filter(([name, code]) => name !== 'index.mjs' && code.includes(marker))).toHaveLength(1);
    }
    // Loaded with import(), not an import statement the entry would run at once.
    expect(files['index.mjs']).toMatch(/import\("\.\/chunk-[A-Z0-9]+\.mjs"\)/);
  });

  it.each<[string, string[], string[]]>([
    ['GateGateFunction', ['dynamodb', 'ecs', 'ecr'], ['s3', 'codebuild', 'eventbridge', 'sts']],
    // The hook's revisions carry their digests: ECR (a tag to resolve) is a path of its own there (lambda/hook-wiring.ts).
    ['GateHookFunction', ['dynamodb', 'ecs'], ['ecr', 's3', 'codebuild', 'eventbridge', 'sts']],
  ])(
    '%s cold start loads the clients %j, and %j only when a path calls them',
    (prefix, atStart, onDemand) => {
      const dir = functionAssetDir(prefix);
      const coldStart = coldStartCode(dir);
      const all = allCode(dir);
      // Each client's Smithy namespace, a string of its operation schemas (and of no project module).
      for (const service of atStart) expect(coldStart).toContain(`"com.amazonaws.${service}"`);
      for (const service of onDemand) {
        expect(coldStart).not.toContain(`"com.amazonaws.${service}"`);
        expect(all).toContain(`"com.amazonaws.${service}"`);
      }
    },
  );

  it.each([
    ['GateGateFunction', 'gate', { kind: 'taskStateChange', judgement: { status: 'provisional', decision: 'pass' } }],
    ['GateHookFunction', 'hook', { hookStatus: 'SUCCEEDED' }],
  ] as const)('%s bundle handles its first event end to end, every AWS call answered by a local endpoint, calling only the clients it loads at start', async (prefix, name, expected) => {
    // The benchmark's cold-start probe (bench/lambda-first-event.ts): a PROVISIONING task event whose ECR tag resolves to a
    // digest with a passing verdict; a PRE_SCALE_UP invocation of a deployment whose image has one.
    const dir = functionAssetDir(prefix);
    const first = FIRST_EVENTS.find((event) => event.name === name)!;
    const canned = writeCanned(await cannedResponses(ROOT));
    try {
      const run = runProbe({ entryFile: join(dir, FUNCTION_ENTRY_FILE), eventFile: join(ROOT, first.eventFile), cannedFile: canned.file, withContext: first.withContext, env: functionEnvironment(dir), nodeOptions: '' });
      expect(run.result).toEqual(expected);
      const services = new Set(run.calls.map(describeCall).map((call) => call.split('.')[0]));
      expect([...services].sort()).toEqual(name === 'gate' ? ['dynamodb', 'ecr', 'ecs'] : ['dynamodb', 'ecs']);
    } finally {
      canned.remove();
    }
  });

  it.each(['GateGateFunction', 'GateHookFunction'])('%s bundle exports handler and carries its own AWS SDK', (prefix) => {
    const dir = functionAssetDir(prefix);
    const probe = runModule(dir, 'const m = await import(ENTRY); process.stdout.write(typeof m.handler)', { PATH: process.env.PATH });
    expect(probe.stderr).toBe('');
    expect(probe.stdout).toBe('function');
    expect(allCode(dir)).toContain('PutEvents');
  });

  it('GateInUseReportFunction bundle exports handler and carries the renderers and the S3 client', () => {
    const dir = functionAssetDir('GateInUseReportFunction');
    const probe = runModule(dir, 'const m = await import(ENTRY); process.stdout.write(typeof m.handler)', { PATH: process.env.PATH });
    expect(probe.stderr).toBe('');
    expect(probe.stdout).toBe('function');
    const code = allCode(dir);
    expect(code).toContain('fargate-gate/in-use-report@1');
    expect(code).toContain('PutObject');
  });

  it.each(['GateGateFunction', 'GateHookFunction'])('%s bundle leaves out the credential providers a function never reaches, loading them only on demand', (prefix) => {
    const code = allCode(functionAssetDir(prefix));
    for (const name of FUNCTION_EXTERNAL_MODULES) expect(code).toContain(`import("${name}")`);
    // The SSO provider's client (nested-clients/sso) is what it would have pulled in.
    expect(code).not.toContain('GetRoleCredentials');
    expect(code).toContain('AWS_ACCESS_KEY_ID');
  });

  it.each(['GateGateFunction', 'GateHookFunction'])("%s bundle carries no pino and none of zod's locales but its English default", (prefix) => {
    const code = allCode(functionAssetDir(prefix));
    // pino names its internal symbols `pino.*` (Symbol("pino.chindings") and the like); the gate's own logger has none.
    expect(code).not.toMatch(/pino\.[a-zA-Z]/);
    // zod's German locale ("Ungültige Eingabe") stands for every locale but English, which zod's classic API sets up and the messages need.
    expect(code).not.toContain('Ungültige');
    expect(code).toContain('Invalid input');
  });

  it("the hook bundle's logger writes one JSON line to stdout as the function runs, with the error serialized", () => {
    // Without the construct's environment the gate cannot be built: the hook answers FAILED and says why in its log.
    const dir = functionAssetDir('GateHookFunction');
    const run = runModule(dir, 'const r = await (await import(ENTRY)).handler({}); process.stderr.write(JSON.stringify(r))', { PATH: process.env.PATH });
    expect(JSON.parse(run.stderr)).toEqual({ hookStatus: 'FAILED' });
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    const logged = lines.filter((line) => line.msg !== undefined);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', service: 'fargate-gate', hookStatus: 'FAILED', policyLoaded: false, err: { type: 'Error' } });
    expect(logged[0].err.message).toMatch(/environment variable GATE_\w+ is required/);
    expect(Date.parse(logged[0].time)).not.toBeNaN();
  });

  it('the gate bundle handles a scan build event with the completion chunk, loaded on demand, up to its first AWS call', () => {
    // The construct's environment, with every AWS endpoint a closed local port: nothing reaches AWS. The build event
    // loads the completion chunk (import()), which asks the table for the build's scan: the connection is refused, a
    // retryable failure, so the handler rejects (Lambda retries the event) after logging it. A chunk that failed to
    // load would fail before any AWS call, with ERR_MODULE_NOT_FOUND.
    const dir = functionAssetDir('GateGateFunction');
    const event = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/events/codebuild-build-state-change-scan-failed.json'), 'utf8'));
    const env = {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      GATE_TABLE_NAME: 'gate-table',
      GATE_REPORT_BUCKET: 'gate-reports',
      GATE_SCAN_PROJECT_NAME: event.detail['project-name'],
      GATE_EVENT_BUS_NAME: 'default',
      GATE_POLICY_FILE: join(dir, 'policy.json'),
    };
    const run = runModule(
      dir,
      `const { handler } = await import(ENTRY);
       await handler(${JSON.stringify(event)}).then((r) => process.stderr.write('resolved ' + JSON.stringify(r)), (e) => process.stderr.write('rejected ' + e.message));`,
      env,
    );
    expect(run.stderr).toMatch(/^rejected .*ECONNREFUSED/);
    const logged = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>).filter((line) => line.msg !== undefined);
    expect(logged.map((line) => line.msg)).toEqual(['gate ready', 'event failed; Lambda will retry it']);
    expect(logged[0]).toMatchObject({ policy: 'fargate-gate/default', policyPrepared: true });
    expect(logged[1]).toMatchObject({ level: 'error', kind: 'scanBuildFinished', failure: expect.any(String) });
    expect(logged[1].err.message).toMatch(/ECONNREFUSED/);
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

describe('the functions\' Docker fallback', () => {
  const input = { packageRoot: ROOT, mountRoot: ROOT, entry: join(ROOT, 'functions/handlers/lambda/gate.ts'), policyPath: POLICY };
  const unusedImage = { image: DockerImage.fromRegistry('unused') };

  /** `functionBundlingOptions` loaded with esbuild unloadable, as on a machine where CDK falls back to Docker. */
  function withoutEsbuild<T>(use: (options: typeof functionBundlingOptions) => T): T {
    let result: T | undefined;
    try {
      jest.isolateModules(() => {
        jest.doMock('esbuild', () => {
          throw Object.assign(new Error("Cannot find module 'esbuild'"), { code: 'MODULE_NOT_FOUND' });
        });
        const isolated = jest.requireActual<typeof import('../../infra/function-bundling')>('../../infra/function-bundling');
        result = use(isolated.functionBundlingOptions);
      });
    } finally {
      jest.dontMock('esbuild');
    }
    return result as T;
  }

  /**
   * The Docker path run on this machine: `tryBundle` without esbuild (which declines and writes what it writes into
   * `outputDir`), then the container's command with its paths mapped back here and the installed esbuild (the pinned
   * version) on the PATH in place of `npm exec`'s; spawned without a shell, as Docker runs it.
   */
  function runDockerPath(policyPath: string, outputDir: string): { declined: boolean; command: string[]; run: ReturnType<typeof spawnSync> } {
    return withoutEsbuild((isolatedOptions) => {
      const options = isolatedOptions({ ...input, policyPath });
      const declined = options.local!.tryBundle(outputDir, unusedImage) === false;
      const command = options.command!;
      const npmExec = ['npm', 'exec', '--yes', `--package=esbuild@${pinnedEsbuildVersion(ROOT)}`, '--', 'node'];
      expect(command.slice(0, npmExec.length)).toEqual(npmExec);
      const containerPath = options.volumes![0].containerPath;
      const args = command
        .slice(npmExec.length)
        .map((arg) => arg.split(`${containerPath}/`).join(`${ROOT}/`).split('/asset-output').join(outputDir));
      const run = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` } });
      return { declined, command, run };
    });
  }

  const files = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));

  it('refuses an entry outside the mounted project, which the container could not see', () => {
    expect(() => functionBundlingOptions({ ...input, entry: join(tmpdir(), 'gate.ts') })).toThrow(/outside/);
  });

  it('runs the pinned esbuild with the local options: the same entry, chunks and policy as local bundling', () => {
    const base = mkdtempSync(join(tmpdir(), 'same-function-'));
    try {
      const options = functionBundlingOptions(input);
      expect(options.volumes![0].hostPath).toBe(ROOT);
      mkdirSync(join(base, 'local'));
      mkdirSync(join(base, 'docker'));
      expect(options.local!.tryBundle(join(base, 'local'), unusedImage)).toBe(true);
      const { declined, run } = runDockerPath(POLICY, join(base, 'docker'));
      expect(declined).toBe(true);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(files(join(base, 'docker'))).toEqual(files(join(base, 'local')));
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  // Review item 15: the prepared policy went inside one `sh -c` argument, which Linux caps at 128 KiB (MAX_ARG_STRLEN),
  // so a large policy failed Docker bundling with E2BIG.
  it('bundles a policy whose prepared form is over 128 KiB: the policy never travels on the command line', () => {
    const base = mkdtempSync(join(tmpdir(), 'large-policy-'));
    try {
      const policy = JSON.parse(readFileSync(POLICY, 'utf8'));
      policy.exceptions = Array.from({ length: 1500 }, (_, i) => ({
        id: `EXC-${i}`,
        match: { ids: [`CVE-2024-${String(10000 + i)}`], repositories: [`team-${i}/service-${i}`] },
        reason: `accepted risk number ${i}: the vulnerable code path is not reachable in this service`,
        owner: `team-${i}`,
        expiresAt: '2099-12-31',
      }));
      const policyPath = join(base, 'policy.json');
      writeFileSync(policyPath, JSON.stringify(policy));
      const docker = join(base, 'docker');
      mkdirSync(docker);
      const { declined, command, run } = runDockerPath(policyPath, docker);
      const prepared = readFileSync(join(docker, 'policy.prepared.json'), 'utf8');
      expect(Buffer.byteLength(prepared)).toBeGreaterThan(128 * 1024);
      expect(declined).toBe(true);
      // The longest argument is the bundle script (about 11 KiB), far under the 128 KiB the policy alone would take.
      expect(Math.max(...command.map((arg) => Buffer.byteLength(arg)))).toBeLessThan(32 * 1024);
      expect(command.join(' ')).not.toContain('EXC-1499');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(readFileSync(join(docker, 'policy.json'), 'utf8')).toBe(readFileSync(policyPath, 'utf8'));
      const load = loadBundledPolicyFileSync(join(docker, 'policy.json'));
      expect(load.prepared).toBe(true);
      expect(load.policy.document.exceptions).toHaveLength(1500);
      expect(readdirSync(docker)).toContain(FUNCTION_ENTRY_FILE);
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
