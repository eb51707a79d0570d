import { App } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
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

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'fargate-gate-bundle-'));
  const app = new App({ outdir });
  new FargateGateStack(app, 'Bundled', { env: TEST_ENV });
  app.synth();
  assets = JSON.parse(readFileSync(join(outdir, 'Bundled.assets.json'), 'utf8')).files;
  template = JSON.parse(readFileSync(join(outdir, 'Bundled.template.json'), 'utf8'));
}, 180_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function assetPathOfKey(objectKey: string): string {
  const hash = objectKey.replace(/\.[a-z]+$/, '');
  return join(outdir, assets[hash].source.path);
}

function functionAssetDir(prefix: string): string {
  const [, fn] = Object.entries(template.Resources as Record<string, any>).find(([id, r]) => id.startsWith(prefix) && r.Type === 'AWS::Lambda::Function')!;
  return assetPathOfKey(fn.Properties.Code.S3Key);
}

function projectVariable(name: string): string {
  const project = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::CodeBuild::Project');
  return project.Properties.Environment.EnvironmentVariables.find((v: { Name: string }) => v.Name === name).Value;
}

describe('real bundling', () => {
  it.each(['GateGateFunction', 'GateHookFunction'])('%s bundle holds one minified file, its source map and the policy', (prefix) => {
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

    it('writes a JUnit report with failed test cases and keeps the build SUCCEEDED', () => {
      const work = mkdtempSync(join(tmpdir(), 'evaluate-step-'));
      try {
        mkdirSync(join(work, 'fargate-gate-bin'));
        mkdirSync(join(work, 'fargate-gate-out'));
        copyFileSync(assetPathOfKey(projectVariable('GATE_EVALUATOR_URL').replace(/^s3:\/\/[^/]+\//, '')), join(work, 'fargate-gate-bin/fargate-gate.cjs'));
        copyFileSync(POLICY, join(work, 'fargate-gate-bin/policy.json'));
        copyFileSync(report, join(work, 'fargate-gate-out/report.json'));
        const result = spawnSync('bash', ['-c', buildspec.phases.build.commands[2]], {
          cwd: work,
          encoding: 'utf8',
          env: { PATH: process.env.PATH, HOME: work, ...buildspec.env.variables },
        });
        expect(result.status).toBe(0);
        expect(result.stdout).toContain('the image FAILS the policy');
        const junit = readFileSync(join(work, 'fargate-gate-out/junit.xml'), 'utf8');
        expect(junit).toMatch(/<testsuites[\s>]/);
        expect(junit).toMatch(/<failure[\s>]/);
        expect(existsSync(join(work, 'fargate-gate-out/junit.xml'))).toBe(true);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });
});
