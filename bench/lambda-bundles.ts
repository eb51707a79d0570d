import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, roundedRatio } from './policy-engine';

/**
 * Part C of the benchmark: the functions' bundles. The gate and hook entry points are bundled exactly as the stack
 * bundles them (`bundleFunction`, the stack's local bundling: ES module chunks), then each bundle's cold import (its
 * entry, `index.mjs`, and the chunks the entry imports statically: what a cold start loads) is timed against a bundle
 * of only the AWS SDK clients it carries, built the same way: fresh `node` processes, the two imported in turn, the
 * median of several runs of each. The ratio is the cost of the gate's own code and libraries on top of the clients any
 * function of its kind needs.
 */

export interface ColdImport {
  /** Median ms to `import` the function's entry (with the chunks it imports statically) in a fresh process. */
  bundleMs: number;
  /** Median ms to `import` the bundle of the bare SDK clients the function's bundle carries. */
  bareClientsMs: number;
  ratio: number;
}

export interface FunctionBundleFigures {
  name: string;
  /** Code a cold start loads: the entry (`index.mjs`) and the chunks it imports statically, KiB. */
  codeKb: number;
  /** The entry file alone, KiB. */
  entryKb: number;
  /** All code files, with the chunks imported when a path needs them (scan completion, the PAUSE hook), KiB. */
  totalKb: number;
  /** Size of the source maps (`*.mjs.map`), deployed beside the code, KiB. */
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
  // The bare-clients entries sit inside the project, so the SDK resolves from its node_modules.
  const workDir = mkdtempSync(join(root, 'bench', '.bundles-'));
  const outdir = mkdtempSync(join(tmpdir(), 'fargate-gate-bench-bundles-'));
  try {
    const { bundleFunction } = await import('../infra/function-bundling');
    const build = (name: string, entry: string): { dir: string; metafile: Metafile } => {
      const dir = join(outdir, name);
      const built = bundleFunction(entry, dir, join(root, 'policies/default.json'));
      if (built === false || built.metafile === undefined) throw new Error('esbuild cannot be loaded: the functions cannot be bundled locally');
      return { dir, metafile: built.metafile as Metafile };
    };
    const functions = ENTRIES.map((e): FunctionBundleFigures => {
      const bundle = build(e.name, join(root, e.entry));
      const clientPackages = clientPackagesOf(bundle.metafile);
      const bareFile = join(workDir, `${e.name}-bare-clients.ts`);
      writeFileSync(bareFile, bareClientsEntry(clientPackages, clientClassNames(root, clientPackages)));
      const bare = build(`${e.name}-bare-clients`, bareFile);
      const files = { bundle: join(bundle.dir, ENTRY_FILE), bare: join(bare.dir, ENTRY_FILE) };
      const code = codeSizes(bundle.metafile);
      return {
        name: e.name,
        codeKb: kib(code.coldStartBytes),
        entryKb: kib(code.entryBytes),
        totalKb: kib(code.totalBytes),
        mapKb: kib(code.mapBytes),
        clientPackages,
        bareClientsKb: kib(codeSizes(bare.metafile).coldStartBytes),
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

const ENTRY_FILE = 'index.mjs';

/** The subset of esbuild's metafile outputs read here. */
export interface MetafileOutput {
  bytes: number;
  entryPoint?: string;
  imports: { path: string; kind: string; external?: boolean }[];
}

/**
 * Sizes of a split bundle from esbuild's metafile: the entry, what a cold start loads (the entry and, transitively, the
 * chunks it imports with import statements; `import()`ed chunks load only when a path calls for them), all code, the maps.
 */
export function codeSizes(metafile: Metafile): { entryBytes: number; coldStartBytes: number; totalBytes: number; mapBytes: number } {
  const outputs = metafile.outputs ?? {};
  const names = Object.keys(outputs);
  const entry = names.find((name) => outputs[name].entryPoint !== undefined && name.endsWith('.mjs'));
  if (entry === undefined) throw new Error('the metafile names no entry output');
  const loaded = new Set<string>();
  const visit = (name: string): void => {
    if (loaded.has(name) || outputs[name] === undefined) return;
    loaded.add(name);
    for (const imported of outputs[name].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  const sum = (files: string[]) => files.reduce((total, name) => total + outputs[name].bytes, 0);
  return {
    entryBytes: outputs[entry].bytes,
    coldStartBytes: sum([...loaded]),
    totalBytes: sum(names.filter((name) => name.endsWith('.mjs'))),
    mapBytes: sum(names.filter((name) => name.endsWith('.map'))),
  };
}

/** The subset of esbuild's metafile read here. */
export interface Metafile {
  inputs: Record<string, unknown>;
  outputs?: Record<string, MetafileOutput>;
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

/** Times `import` of each entry file in fresh processes, alternating the two so both meet the same machine load. */
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

const IMPORT_PROBE =
  'const t=process.hrtime.bigint();import(process.argv[1]).then(()=>process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6)))';

function importMs(file: string, nodeOptions: string): number {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: nodeOptions };
  const result = spawnSync(process.execPath, ['-e', IMPORT_PROBE, pathToFileURL(file).href], { env, encoding: 'utf8', cwd: tmpdir() });
  const ms = Number(result.stdout);
  if (result.status !== 0 || !Number.isFinite(ms)) throw new Error(`importing ${file} failed (exit ${result.status}): ${result.stderr}`);
  return ms;
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
const round1 = (value: number) => Math.round(value * 10) / 10;
