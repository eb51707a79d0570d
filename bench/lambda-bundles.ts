import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, roundedRatio } from './policy-engine';

/**
 * Part C of the benchmark: the functions' bundles. The gate and hook entry points are bundled exactly as the stack
 * bundles them (a `NodejsFunction` with `functionBundling`, local esbuild), then each bundle's cold import is timed
 * against a bundle of only the AWS SDK clients it carries, built the same way: fresh `node` processes, the two files
 * imported in turn, the median of several runs of each. The ratio is the cost of the gate's own code and libraries
 * on top of the clients any function of its kind needs.
 */

export interface ColdImport {
  /** Median ms to `require` the function's bundle in a fresh process. */
  bundleMs: number;
  /** Median ms to `require` the bundle of the bare SDK clients the function's bundle carries. */
  bareClientsMs: number;
  ratio: number;
}

export interface FunctionBundleFigures {
  name: string;
  /** Size of the code file (`index.js`), KiB. */
  codeKb: number;
  /** Size of its source map (`index.js.map`), deployed beside it, KiB. */
  mapKb: number;
  /** The `@aws-sdk/client-*` packages in the bundle (the bare-clients bundle holds these). */
  clientPackages: string[];
  bareClientsKb: number;
  /** Without source maps, as the functions run by default. */
  coldImport: ColdImport;
  /** With `NODE_OPTIONS=--enable-source-maps`, as with the construct's `sourceMapsAtRuntime`. */
  coldImportWithSourceMaps: ColdImport;
}

export interface BundleFigures {
  runs: number;
  functions: FunctionBundleFigures[];
}

export interface BundleOptions {
  root: string;
  /** Processes per file and setting. */
  runs: number;
}

const ENTRIES = [
  { name: 'gate', entry: 'functions/handlers/lambda/gate.ts' },
  { name: 'hook', entry: 'functions/handlers/lambda/hook.ts' },
];

export async function measureBundles(options: BundleOptions): Promise<BundleFigures> {
  const { root } = options;
  // Entries must sit inside the project (NodejsFunction's rule, and so the SDK resolves from its node_modules).
  const workDir = mkdtempSync(join(root, 'bench', '.bundles-'));
  const outdir = mkdtempSync(join(tmpdir(), 'fargate-gate-bench-bundles-'));
  try {
    const bundles = await bundleLikeTheStack(root, outdir, ENTRIES.map((e) => ({ name: e.name, entry: join(root, e.entry) })));
    const bareEntries = ENTRIES.map((e) => {
      const clientPackages = clientPackagesOf(JSON.parse(readFileSync(join(bundles[e.name], 'index.meta.json'), 'utf8')) as Metafile);
      const file = join(workDir, `${e.name}-bare-clients.ts`);
      writeFileSync(file, bareClientsEntry(clientPackages, clientClassNames(root, clientPackages)));
      return { name: `${e.name}-bare-clients`, entry: file, clientPackages };
    });
    const bare = await bundleLikeTheStack(root, outdir, bareEntries);
    const functions = ENTRIES.map((e, index): FunctionBundleFigures => {
      const dir = bundles[e.name];
      const bareDir = bare[bareEntries[index].name];
      const files = { bundle: join(dir, 'index.js'), bare: join(bareDir, 'index.js') };
      return {
        name: e.name,
        codeKb: kib(statSync(files.bundle).size),
        mapKb: kib(statSync(join(dir, 'index.js.map')).size),
        clientPackages: bareEntries[index].clientPackages,
        bareClientsKb: kib(statSync(files.bare).size),
        coldImport: coldImport(files, options.runs, ''),
        coldImportWithSourceMaps: coldImport(files, options.runs, '--enable-source-maps'),
      };
    });
    return { runs: options.runs, functions };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The subset of esbuild's metafile read here. */
export interface Metafile {
  inputs: Record<string, unknown>;
}

/** The `@aws-sdk/client-*` packages a bundle holds, from esbuild's metafile, sorted. */
export function clientPackagesOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(input);
    if (match) found.add(match[1]);
  }
  return [...found].sort();
}

/** An entry that imports only the named client classes (exported, so the bundler keeps them). */
export function bareClientsEntry(packages: string[], classNames: Record<string, string>): string {
  return packages.map((name) => {
    const className = classNames[name];
    if (!className) throw new Error(`no client class known for ${name}`);
    return `export { ${className} } from '${name}';\n`;
  }).join('');
}

/** The client class each package exports (`S3Client` for `@aws-sdk/client-s3`). */
function clientClassNames(root: string, packages: string[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const name of packages) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = Object.keys(require(require.resolve(name, { paths: [root] })) as object);
    const client = exported.filter((key) => /^[A-Z][A-Za-z0-9]*Client$/.test(key));
    if (client.length !== 1) throw new Error(`${name} exports ${client.length} client classes (${client.join(', ')}), expected one`);
    names[name] = client[0];
  }
  return names;
}

/**
 * Bundles each entry with a `NodejsFunction` built as the stack builds its functions (`functionBundling`, the
 * functions' runtime and the project's lock file), plus esbuild's metafile beside the output, which changes no code.
 * Returns each entry's bundle directory. aws-cdk-lib is loaded only here: the rest of the bench never needs it.
 */
async function bundleLikeTheStack(root: string, outdir: string, entries: { name: string; entry: string }[]): Promise<Record<string, string>> {
  const { App, Stack } = await import('aws-cdk-lib');
  const lambda = await import('aws-cdk-lib/aws-lambda');
  const { NodejsFunction } = await import('aws-cdk-lib/aws-lambda-nodejs');
  const { functionBundling } = await import('../infra/bundling');
  const appDir = join(outdir, `app-${readdirSync(outdir).length}`);
  mkdirSync(appDir);
  const app = new App({ outdir: appDir });
  const stack = new Stack(app, 'BenchBundles');
  const policy = join(root, 'policies/default.json');
  const functions = entries.map((entry) => ({
    name: entry.name,
    fn: new NodejsFunction(stack, `Fn-${entry.name}`, {
      entry: entry.entry,
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      bundling: { ...functionBundling(root, policy), metafile: true },
    }),
  }));
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(join(assembly.directory, 'BenchBundles.template.json'), 'utf8')) as { Resources: Record<string, { Properties?: { Code?: { S3Key?: string } } }> };
  const assets = (JSON.parse(readFileSync(join(assembly.directory, 'BenchBundles.assets.json'), 'utf8')) as { files: Record<string, { source: { path: string } }> }).files;
  const dirs: Record<string, string> = {};
  for (const { name, fn } of functions) {
    const key = template.Resources[stack.getLogicalId(fn.node.defaultChild as import('aws-cdk-lib/aws-lambda').CfnFunction)]?.Properties?.Code?.S3Key;
    const asset = key === undefined ? undefined : assets[key.replace(/\.[a-z]+$/, '')];
    if (!asset) throw new Error(`no bundle found for ${name}`);
    dirs[name] = join(assembly.directory, asset.source.path);
  }
  return dirs;
}

/** Times `require` of each file in fresh processes, alternating the two so both meet the same machine load. */
function coldImport(files: { bundle: string; bare: string }, runs: number, nodeOptions: string): ColdImport {
  const bundle: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    bundle.push(importMs(files.bundle, nodeOptions));
    bare.push(importMs(files.bare, nodeOptions));
  }
  const bundleMs = median(bundle);
  const bareClientsMs = median(bare);
  return { bundleMs: round1(bundleMs), bareClientsMs: round1(bareClientsMs), ratio: roundedRatio(bundleMs, bareClientsMs) };
}

const IMPORT_PROBE = 'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

function importMs(file: string, nodeOptions: string): number {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: nodeOptions };
  const result = spawnSync(process.execPath, ['-e', IMPORT_PROBE, file], { env, encoding: 'utf8', cwd: tmpdir() });
  const ms = Number(result.stdout);
  if (result.status !== 0 || !Number.isFinite(ms)) throw new Error(`importing ${file} failed (exit ${result.status}): ${result.stderr}`);
  return ms;
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
const round1 = (value: number) => Math.round(value * 10) / 10;
