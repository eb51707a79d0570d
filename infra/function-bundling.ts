import type { BuildOptions, Metafile } from 'esbuild';
import { AssetHashType, AssetStaging, DockerImage, DockerVolumeConsistency, type BundlingOptions as AssetBundlingOptions } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { preparePolicy } from '../functions/core/policy/prepared';
import { preparedPolicyPath } from '../functions/io/bundled-policy-file';
import { readPolicyFileSync } from '../functions/io/policy-file';
import { isAbsolute, join, relative, sep } from 'node:path';
import { BUNDLED_POLICY_NAME, FUNCTION_EXTERNAL_MODULES, FUNCTION_NODE_TARGET, pinnedEsbuildVersion } from './bundling';

/**
 * The gate's functions as ES modules split into chunks: the entry (`index.mjs`, what a cold start loads) and the
 * chunks the entry `import()`s when a path needs them (scan completion, report reading, the PAUSE hook). A cold start
 * parses one big file otherwise: NodejsFunction always writes one output file, so the functions are bundled by
 * esbuild here instead, with the options NodejsFunction was given (`functionBundling` in ./bundling.ts).
 *
 * Lambda finds `index.mjs` for the handler `index.handler` and loads it as an ES module ("Designating a function
 * handler as an ES module", https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html#designate-es-module).
 */
export const FUNCTION_ENTRY_FILE = 'index.mjs';
export const FUNCTION_HANDLER = 'index.handler';

/**
 * ES module code has no `require`; some bundled CommonJS (the SDK's dependencies) calls it for Node's built-ins, so each
 * output file gets one made from its own URL (the banner esbuild's docs give for this case).
 */
export const FUNCTION_REQUIRE_BANNER = "import{createRequire as __fgCreateRequire}from'node:module';const require=__fgCreateRequire(import.meta.url);";

/**
 * zod without its per-schema compiler (functions/handlers/lambda/zod-jitless.ts says why). Set in the banner because
 * zod reads the setting when each schema is built, and with code splitting the chunks (schemas built at their load)
 * run before the entry's own code: the banner opens every file, so it runs before any zod code. zod keeps its global
 * configuration in `globalThis.__zod_globalConfig` (zod/v4/core/core.js); test/handlers/lambda/zod-jitless.test.ts
 * checks that this is still where `z.config()` reads it.
 */
export const FUNCTION_ZOD_JITLESS_BANNER = '(globalThis.__zod_globalConfig??={}).jitless=true;';

/**
 * esbuild's options for the functions, shared by local and Docker bundling. As before (see `functionBundling`): minified,
 * packages from their ES module build (`module` first) so unused SDK commands and zod's locales drop out, the credential
 * providers left out, the source map written beside each file (`.mjs.map`, linked by a comment) but loaded by Node only
 * with `--enable-source-maps` (the construct's `sourceMapsAtRuntime`), without the sources' text.
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
  banner: { js: FUNCTION_REQUIRE_BANNER + FUNCTION_ZOD_JITLESS_BANNER },
  logLevel: 'error',
} satisfies BuildOptions;

/**
 * Bundles `entry` into `outputDir` (`index.mjs`, its chunks and their maps) and copies the policy beside it, with the
 * project's esbuild; false when esbuild cannot be loaded. The stack's local bundling and the benchmark both run this.
 */
export function bundleFunction(entry: string, outputDir: string, policyPath: string | undefined): { metafile?: Metafile } | false {
  const esbuild = loadEsbuild();
  if (esbuild === undefined) return false;
  const result = esbuild.buildSync({ ...FUNCTION_ESBUILD_OPTIONS, entryPoints: [entry], outdir: outputDir, metafile: true });
  if (policyPath !== undefined) writeBundledPolicy(policyPath, outputDir);
  return { metafile: result.metafile };
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
 * The Docker fallback: the pinned esbuild with the local options, as plain arguments (no shell). The policy and its
 * prepared form are already in the output directory: `local.tryBundle` wrote them from the host before declining.
 */
export function functionDockerCommand(packageRoot: string, relativeEntry: string): string[] {
  const o = FUNCTION_ESBUILD_OPTIONS;
  const inContainer = (path: string) => `${DOCKER_PROJECT_DIR}/${path.split(sep).join('/')}`;
  return [
    'npm', 'exec', '--yes', `--package=esbuild@${pinnedEsbuildVersion(packageRoot)}`, '--', 'esbuild', inContainer(relativeEntry),
    '--bundle', `--platform=${o.platform}`, `--target=${o.target}`, `--format=${o.format}`, '--splitting',
    `--entry-names=${o.entryNames}`, `--chunk-names=${o.chunkNames}`, '--out-extension:.js=.mjs', '--minify',
    `--sourcemap=${o.sourcemap}`, '--sources-content=false', `--main-fields=${o.mainFields.join(',')}`,
    ...o.external.map((name) => `--external:${name}`), `--log-level=${o.logLevel}`, `--outdir=${AssetStaging.BUNDLING_OUTPUT_DIR}`,
    `--banner:js=${o.banner.js}`,
  ];
}

function loadEsbuild(): typeof import('esbuild') | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as typeof import('esbuild');
  } catch {
    return undefined;
  }
}
