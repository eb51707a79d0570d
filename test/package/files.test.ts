import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * What `npm pack` puts in the tarball users install (package.json "files"): the compiled CLI and construct library with
 * their .d.ts, the function sources the construct bundles at synth, the policies and their schema, the buildspec, and
 * the documentation, the example scenarios, reports and task definitions; nothing else. `.ci/check-package` installs the real tarball and runs it.
 */
const ROOT = join(__dirname, '../..');

interface PackResult {
  files: { path: string }[];
}

// --ignore-scripts: list what is there, without rebuilding dist/ (npm ci's prepare built it; the bin test rebuilds the CLI).
const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
if (pack.status !== 0) throw new Error(`npm pack --dry-run failed:\n${pack.stderr}`);
const FILES = (JSON.parse(pack.stdout) as PackResult[])[0].files.map((file) => file.path).sort();
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; types: string; bin: Record<string, string> };

/** Every file a user's install needs; dist/ entries need `npm run build` first. */
const NEEDED = [
  'package.json',
  'README.md',
  // package.json says Apache-2.0; the license's text travels with the code (npm packs LICENSE whatever "files" says).
  'LICENSE',
  manifest.main,
  manifest.types,
  ...Object.values(manifest.bin),
  'dist/cli/main.js',
  'dist/cli/simulate.js',
  'functions/handlers/lambda/gate.ts',
  'functions/handlers/lambda/hook.ts',
  'functions/cli/main.ts',
  'buildspecs/inline-scan.yml',
  'policies/default.json',
  'policies/audit.json',
  'policies/strict.json',
  'policies/policy.schema.json',
  'docs/deploy.md',
  // simulate --help points here, and an installed package can run its examples: simulate --scenario node_modules/fargate-gate/examples/...
  'examples/scenarios/README.md',
  'examples/scenarios/demo.json',
  'examples/reports/alpine-root-critical.trivy.json',
  // evaluate --task-definition on an installed package: one example per hardening rule, and the compliant pair.
  'examples/task-definitions/README.md',
  'examples/task-definitions/compliant.json',
  'examples/task-definitions/compliant.run-task.json',
];

/** What may be in the tarball at all: one pattern per kind of file. */
const ALLOWED = [
  /^(package\.json|README\.md|LICENSE)$/,
  /^bin\/fargate-gate\.js$/,
  /^dist\/cli\/(main|simulate)\.js$/,
  /^dist\/(infra|functions)\/.+\.(js|d\.ts)$/,
  /^functions\/.+\.ts$/,
  /^functions\/.+\/README\.md$/,
  /^policies\/[^/]+\.(json|md)$/,
  /^buildspecs\/[^/]+\.yml$/,
  /^docs\/[^/]+\.md$/,
  /^examples\/(scenarios|reports|task-definitions)\/[^/]+\.(json|md)$/,
];

describe('the packed tarball (npm pack)', () => {
  it.each(NEEDED)('has %s', (file) => {
    expect(FILES).toContain(file);
  });

  it('has nothing else: no tests, fixtures, source maps, TypeScript of the library, tooling or lock file', () => {
    expect(FILES.filter((file) => !ALLOWED.some((pattern) => pattern.test(file)))).toEqual([]);
    expect(FILES.filter((file) => /(^|\/)(test|tests|__tests__|fixtures|bench|scripts|\.ci)\/|\.test\.|\.map$|^infra\/|tsconfig|jest\.config|package-lock\.json|cdk\.json/.test(file))).toEqual([]);
  });
});
