import type { BuildOptions, Metafile } from 'esbuild';
import { AssetHashType, AssetStaging, DockerImage, DockerVolumeConsistency, type BundlingOptions as AssetBundlingOptions } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { preparePolicy } from '../functions/core/policy/prepared';
import { preparedPolicyPath } from '../functions/io/bundled-policy-file';
import { readPolicyFileSync } from '../functions/io/policy-file';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BUNDLED_POLICY_NAME, FUNCTION_EXTERNAL_MODULES, FUNCTION_NODE_TARGET, pinnedEsbuildVersion } from './bundling';
import { SDK_BARRELS_PLUGIN } from './sdk-barrels';

/**
 * The gate's functions as ES modules split into chunks: the entry (`index.mjs`) and one chunk it imports, what a cold
 * start loads, and the chunks the entry `import()`s when a path needs them (scan completion, report reading, the PAUSE
 * hook). A cold start parses one big file otherwise: NodejsFunction always writes one output file, so the functions are
 * bundled by esbuild here instead, with the options NodejsFunction was given (`functionBundling` in ./bundling.ts), in
 * two passes (`bundleFunction` says why).
 *
 * Lambda finds `index.mjs` for the handler `index.handler` and loads it as an ES module ("Designating a function
 * handler as an ES module", https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html#designate-es-module).
 */
export const FUNCTION_ENTRY_FILE = 'index.mjs';
export const FUNCTION_HANDLER = 'index.handler';

/**
 * ES module code has no `require`; bundled CommonJS that calls it for Node's built-ins (esbuild's `__require`, which
 * uses a `require` in scope if there is one) needs one, so each output file gets one made from its own URL (the banner
 * esbuild's docs give for this case). The second pass alone writes it (`FUNCTION_SECOND_PASS_OPTIONS`): a banner in the
 * first pass opens every first-pass file, and the second pass, which merges the cold path's files into one chunk, kept
 * each copy (about thirty `createRequire` calls at every cold start). The second pass turns the first pass's free
 * `require` into its own `__require`, which finds the banner's (test/infra/function-bundling.test.ts runs a lazy chunk
 * that requires a built-in).
 */
export const FUNCTION_REQUIRE_BANNER = "import{createRequire as __fgCreateRequire}from'node:module';const require=__fgCreateRequire(import.meta.url);";

/**
 * zod without its per-schema compiler (functions/io/zod-loader.ts says why, and sets it where the gate and the hook
 * load zod on demand). Still set in the banner: zod reads the setting when each schema is built, and modules that
 * import zod statically and build their schemas at load (the report readers in core/findings on the scan-completion
 * path, the other functions' readers) never pass through `loadZod`; with code splitting those chunks run before the
 * entry's own code, while the banner opens every file, so it runs before any zod code. zod keeps its global
 * configuration in `globalThis.__zod_globalConfig` (zod/v4/core/core.js); test/handlers/lambda/zod-jitless.test.ts
 * checks that this is still where `z.config()` reads it.
 */
export const FUNCTION_ZOD_JITLESS_BANNER = '(globalThis.__zod_globalConfig??={}).jitless=true;';

/**
 * esbuild's options for the functions' first pass, shared by local and Docker bundling. As before (see
 * `functionBundling`): minified, packages from their ES module build (`module` first) so unused SDK commands and zod's
 * locales drop out, the credential providers left out, the source map written beside each file (`.mjs.map`, linked by
 * a comment) but loaded by Node only with `--enable-source-maps` (the construct's `sourceMapsAtRuntime`), without the
 * sources' text. No banner: the second pass writes it, once per output file.
 */
export const FUNCTION_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: FUNCTION_NODE_TARGET,
  format: 'esm',
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  mainFields: ['module', 'main'],
  external: [...FUNCTION_EXTERNAL_MODULES],
  logLevel: 'error',
} satisfies BuildOptions;

/**
 * The second pass's options: the first pass's (the same target, externals, minification, linked maps, which esbuild
 * chains to the first pass's maps, so a stack trace still resolves to the TypeScript sources) and the banner, at the
 * top of each file a function loads: one `require` and the zod setting per output file.
 */
export const FUNCTION_SECOND_PASS_OPTIONS: BuildOptions = { ...FUNCTION_ESBUILD_OPTIONS, banner: { js: FUNCTION_REQUIRE_BANNER + FUNCTION_ZOD_JITLESS_BANNER } };

/** Where the first pass writes, inside the output directory; removed once the second pass has read it. */
export const FIRST_PASS_DIR = '.first-pass';
/** The first pass's metafile, in FIRST_PASS_DIR, which `gatherColdChunks` reads. */
const FIRST_PASS_METAFILE = 'meta.json';

/**
 * Bundles `entry` into `outputDir` (`index.mjs`, its chunks and their maps) and copies the policy beside it, with the
 * project's esbuild; false when esbuild cannot be loaded. The stack's local bundling and the benchmark both run this.
 *
 * Two passes, so that a cold start loads two files, not about thirty. esbuild makes every `import()` target an entry
 * point and puts each module in a chunk of its own for the set of entry points that reach it; the entry imports every
 * chunk holding a module it reaches, so each lazy path that shares a few modules with the cold path adds a file to the
 * cold start, and Node's ES module loader costs about a millisecond per file (resolve, link, evaluate). The first pass
 * bundles the sources so (FIRST_PASS_DIR), its SDK imports flattened past the SDK's re-export barrels (./sdk-barrels.ts
 * says why: a file the cold path reaches is in its chunk, used there or not); `GATHER_COLD_CHUNKS` then makes every file
 * off the cold path import all the chunks on it (which changes nothing at run time: they load only after the entry,
 * which has evaluated those chunks already); the second pass bundles the first pass's files, and now every chunk on the
 * cold path is reached by the same set of entry points, all of them, so esbuild puts them in one chunk. esbuild puts
 * each module in exactly one output file, in both passes, so no module is instantiated twice
 * (test/infra/function-bundling.test.ts checks it).
 *
 * The passes run in a Node.js process of their own (`FUNCTION_BUNDLE_SCRIPT`, the script the Docker fallback runs too):
 * an esbuild plugin needs esbuild's asynchronous API, and CDK's local bundling (`tryBundle`) is synchronous.
 *
 * The metafile returned is the second pass's, with the sources (the first pass's inputs) in place of the first pass's
 * files: `inputs` are the sources, each output's `inputs` the sources whose code it holds, and the entry's `entryPoint`
 * the function's entry.
 */
export function bundleFunction(entry: string, outputDir: string, policyPath: string | undefined): { metafile?: Metafile } | false {
  if (loadEsbuild() === undefined) return false;
  const firstPassDir = join(outputDir, FIRST_PASS_DIR);
  const metafilesDir = mkdtempSync(join(tmpdir(), 'fargate-gate-metafiles-'));
  try {
    const job: BundleJob = {
      ...bundleJob(entry, outputDir),
      // The project's esbuild, by path: the script runs outside this module's resolution.
      esbuild: require.resolve('esbuild'),
      metafiles: join(metafilesDir, 'metafiles.json'),
    };
    const run = spawnSync(process.execPath, ['-e', FUNCTION_BUNDLE_SCRIPT, JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.error !== undefined) throw run.error;
    // Killed by a signal (the OOM killer's SIGKILL, say), the process has no status and maybe nothing on stderr: the signal says why.
    if (run.status === null) throw new Error(`esbuild could not bundle ${entry}: its process was killed by ${run.signal ?? 'a signal'}\n${run.stderr}`);
    if (run.status !== 0) throw new Error(`esbuild could not bundle ${entry}:\n${run.stderr}`);
    const { first, second } = JSON.parse(readFileSync(job.metafiles!, 'utf8')) as { first: Metafile; second: Metafile };
    if (policyPath !== undefined) writeBundledPolicy(policyPath, outputDir);
    return { metafile: sourcesMetafile(first, second, firstPassDir) };
  } finally {
    rmSync(firstPassDir, { recursive: true, force: true });
    rmSync(metafilesDir, { recursive: true, force: true });
  }
}

/** What `FUNCTION_BUNDLE_SCRIPT` is given, as one JSON argument: plain data, no shell quoting. */
interface BundleJob {
  /** The first pass's options, with the entry and FIRST_PASS_DIR. */
  first: BuildOptions;
  /** The second pass's options, with the first pass's entry and the output directory; run from `firstPassDir`. */
  second: BuildOptions;
  firstPassDir: string;
  /** The esbuild package to require; by default the one whose `esbuild` command is first on the PATH (`npm exec`'s). */
  esbuild?: string;
  /** Where to write both passes' metafiles ({ first, second }), if anywhere. */
  metafiles?: string;
}

/** The passes of `entry` into `outputDir` (both paths as the running script sees them). */
function bundleJob(entry: string, outputDir: string): BundleJob {
  const firstPassDir = `${outputDir}/${FIRST_PASS_DIR}`;
  return {
    first: { ...FUNCTION_ESBUILD_OPTIONS, entryPoints: [entry], outdir: firstPassDir },
    // Run from the first pass's directory: esbuild hashes the paths of a chunk's inputs relative to its working directory
    // into the chunk's name, which then depends on nothing outside the bundle (not on where CDK stages it).
    second: { ...FUNCTION_SECOND_PASS_OPTIONS, entryPoints: [`${firstPassDir}/${FUNCTION_ENTRY_FILE}`], outdir: outputDir, absWorkingDir: firstPassDir },
    firstPassDir,
  };
}

/**
 * The step between the passes, as the source of a function `(fs, path, dir)` over the first pass's output directory:
 * plain JavaScript, because the Docker fallback runs the very same text (`functionDockerCommand`). It adds to every code
 * file off the cold path an import of each chunk on it (the chunks the entry imports statically, directly or not, read
 * from the metafile), after its code and before its source map comment, so the lines its map describes do not move.
 * Directly, not through one file importing them all: such a file would be a chunk of its own, one more for every path.
 */
export const GATHER_COLD_CHUNKS = `function gatherColdChunks(fs, path, dir) {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, ${JSON.stringify(FIRST_PASS_METAFILE)}), 'utf8'));
  const outputs = new Map(Object.entries(meta.outputs).map(([name, output]) => [path.basename(name), output]));
  const cold = new Set();
  const visit = (name) => {
    if (cold.has(name) || !outputs.has(name)) return;
    cold.add(name);
    for (const imported of outputs.get(name).imports) if (imported.kind === 'import-statement' && !imported.external) visit(path.basename(imported.path));
  };
  visit(${JSON.stringify(FUNCTION_ENTRY_FILE)});
  const imports = [...cold].filter((name) => name !== ${JSON.stringify(FUNCTION_ENTRY_FILE)}).map((name) => 'import"./' + name + '";').join('') + '\\n';
  for (const name of outputs.keys()) {
    if (!name.endsWith('.mjs') || cold.has(name)) continue;
    const file = path.join(dir, name);
    const code = fs.readFileSync(file, 'utf8');
    const map = code.lastIndexOf('//# sourceMappingURL=');
    const at = map === -1 ? code.length : map;
    fs.writeFileSync(file, code.slice(0, at) + imports + code.slice(at));
  }
}`;

/**
 * The second pass's metafile with the sources in place of the first pass's files (see `bundleFunction`), its paths
 * relative to this process's working directory like the first pass's (the second pass ran in `secondPassDir`).
 */
function sourcesMetafile(first: Metafile, second: Metafile, secondPassDir: string): Metafile {
  const local = (path: string) => relative(process.cwd(), resolve(secondPassDir, path)).split(sep).join('/');
  const outputs = Object.fromEntries(
    Object.entries(second.outputs).map(([name, output]) => {
      const inputs: Metafile['outputs'][string]['inputs'] = {};
      for (const file of Object.keys(output.inputs)) Object.assign(inputs, first.outputs[local(file)]?.inputs);
      const entryPoint = output.entryPoint === undefined ? undefined : first.outputs[local(output.entryPoint)]?.entryPoint;
      const imports = output.imports.map((imported) => (imported.external ? imported : { ...imported, path: local(imported.path) }));
      return [local(name), { ...output, imports, inputs, ...(entryPoint === undefined ? {} : { entryPoint }) }];
    }),
  );
  return { inputs: first.inputs, outputs };
}

/** The policy at `policyPath` copied into `outputDir`, and its prepared form written beside it (both on this machine). */
export function writeBundledPolicy(policyPath: string, outputDir: string): void {
  copyFileSync(policyPath, join(outputDir, BUNDLED_POLICY_NAME));
  writeFileSync(preparedPolicyPath(join(outputDir, BUNDLED_POLICY_NAME)), preparedPolicyText(policyPath));
}

/**
 * The policy at `policyPath` validated and prepared (core/policy/prepared.ts), as the file a function bundle carries
 * beside the policy: a cold start then takes it without running the zod schema. An invalid policy fails here with the
 * CLI's message (the stack has already refused it at synth: infra/policy.ts).
 */
export function preparedPolicyText(policyPath: string): string {
  const text = readFileSync(policyPath, 'utf8');
  return JSON.stringify(preparePolicy(readPolicyFileSync(policyPath), text));
}

/** Where the Docker fallback mounts the project. */
const DOCKER_PROJECT_DIR = '/fargate-gate';

/**
 * The function's code: `entry` bundled into the asset directory with its chunks, and the policy beside it. Locally with
 * the project's esbuild; when it cannot be loaded, in Docker with the pinned esbuild over `mountRoot` (which must hold
 * the entry and its node_modules: the project, or the app the package is installed in; the policy is written from the host).
 */
export function functionCode(options: FunctionBundlingInput): lambda.Code {
  return lambda.Code.fromAsset(join(options.packageRoot, 'functions'), {
    // The hash of the output: a changed dependency, option or policy is a new asset, an unchanged build is not.
    assetHashType: AssetHashType.OUTPUT,
    bundling: functionBundlingOptions(options),
  });
}

export interface FunctionBundlingInput {
  packageRoot: string;
  mountRoot: string;
  entry: string;
  policyPath: string;
}

/** The asset bundling of `functionCode`: local esbuild, else Docker (see there). */
export function functionBundlingOptions(options: FunctionBundlingInput): AssetBundlingOptions {
  const { packageRoot, mountRoot, entry, policyPath } = options;
  const relativeEntry = relative(mountRoot, entry);
  if (relativeEntry.startsWith('..') || isAbsolute(relativeEntry)) throw new Error(`the function entry ${entry} is outside ${mountRoot}`);
  return {
    local: {
      tryBundle: (outputDir: string): boolean => {
        if (bundleFunction(entry, outputDir, policyPath) !== false) return true;
        // Docker bundling follows into this same directory (CDK mounts it as /asset-output): the policy and its prepared
        // form are written from here, never passed through the container's command line, whose single argument Linux
        // caps at 128 KiB (MAX_ARG_STRLEN); a policy with many exceptions or OU maps outgrows it.
        writeBundledPolicy(policyPath, outputDir);
        return false;
      },
    },
    image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
    volumes: [{ hostPath: mountRoot, containerPath: DOCKER_PROJECT_DIR, consistency: DockerVolumeConsistency.DELEGATED }],
    // CDK runs the container as the calling user, who has no home directory in the image: npm needs a writable cache.
    environment: { HOME: '/tmp', npm_config_cache: '/tmp/.npm', npm_config_update_notifier: 'false' },
    command: functionDockerCommand(packageRoot, relativeEntry),
  };
}

/**
 * The Docker fallback: `FUNCTION_BUNDLE_SCRIPT`, as `bundleFunction` runs it, with the pinned esbuild that `npm exec`
 * installs and puts on the PATH. The passes travel as one JSON argument (no shell, so no quoting). The policy and its
 * prepared form are already in the output directory: `local.tryBundle` wrote them from the host before declining.
 */
export function functionDockerCommand(packageRoot: string, relativeEntry: string): string[] {
  const job = bundleJob(`${DOCKER_PROJECT_DIR}/${relativeEntry.split(sep).join('/')}`, AssetStaging.BUNDLING_OUTPUT_DIR);
  return ['npm', 'exec', '--yes', `--package=esbuild@${pinnedEsbuildVersion(packageRoot)}`, '--', 'node', '-e', FUNCTION_BUNDLE_SCRIPT, JSON.stringify(job)];
}

/**
 * The bundling of one function (`BundleJob`, the one argument), run by `node -e` on this machine (`bundleFunction`) and
 * in the Docker fallback (`functionDockerCommand`): the first pass with the SDK barrels flattened, `GATHER_COLD_CHUNKS`,
 * the second pass, then the first pass's files removed. Plain JavaScript, one text for both, so both bundle alike
 * (test/infra/bundling.test.ts compares their files byte for byte). Without a path to esbuild it takes the package of
 * the `esbuild` command on the PATH (npm links `node_modules/.bin/esbuild` to `node_modules/esbuild/bin/esbuild`).
 * esbuild prints its own errors (`logLevel`); anything else is printed here; either way the exit status is 1.
 */
export const FUNCTION_BUNDLE_SCRIPT = [
  "const fs = require('node:fs'), path = require('node:path');",
  'const job = JSON.parse(process.argv[1]);',
  'const esbuildOnPath = () => {',
  "  for (const dir of (process.env.PATH || '').split(path.delimiter)) {",
  "    const bin = path.join(dir, 'esbuild');",
  '    if (fs.existsSync(bin)) return path.dirname(path.dirname(fs.realpathSync(bin)));',
  '  }',
  "  throw new Error('no esbuild command on the PATH');",
  '};',
  `const sdkBarrels = ${SDK_BARRELS_PLUGIN};`,
  `const gatherColdChunks = ${GATHER_COLD_CHUNKS};`,
  '(async () => {',
  '  const esbuild = require(job.esbuild || esbuildOnPath());',
  '  const first = await esbuild.build({ ...job.first, plugins: [sdkBarrels(fs, path, require("node:module").builtinModules)], metafile: true });',
  `  fs.writeFileSync(path.join(job.firstPassDir, ${JSON.stringify(FIRST_PASS_METAFILE)}), JSON.stringify(first.metafile));`,
  '  gatherColdChunks(fs, path, job.firstPassDir);',
  '  const second = await esbuild.build({ ...job.second, metafile: true });',
  '  if (job.metafiles) fs.writeFileSync(job.metafiles, JSON.stringify({ first: first.metafile, second: second.metafile }));',
  '})()',
  '  .catch((error) => {',
  '    if (!Array.isArray(error.errors)) console.error(error);',
  '    process.exitCode = 1;',
  '  })',
  '  .finally(() => fs.rmSync(job.firstPassDir, { recursive: true, force: true }));',
].join('\n');

function loadEsbuild(): typeof import('esbuild') | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as typeof import('esbuild');
  } catch {
    return undefined;
  }
}
