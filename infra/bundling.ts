import { AssetStaging, BundlingOutput, DockerImage, DockerVolumeConsistency, type BundlingOptions as AssetBundlingOptions, type ILocalBundling } from 'aws-cdk-lib';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CLI_ENTRY } from './paths';

/** Where the policy sits inside every function bundle; the functions read it through `GATE_POLICY_FILE`. */
export const BUNDLED_POLICY_NAME = 'policy.json';
/** Lambda unpacks the bundle in `LAMBDA_TASK_ROOT`, which is `/var/task` on every managed runtime. */
export const BUNDLED_POLICY_PATH = `/var/task/${BUNDLED_POLICY_NAME}`;
/** File name of the bundled CLI the scan build downloads and runs. */
export const EVALUATOR_FILE_NAME = 'fargate-gate.cjs';

/** Node.js major version the functions run on (the Lambda runtime is chosen to match). */
export const FUNCTION_NODE_TARGET = 'node22';
/** The scan build runs the evaluator on CodeBuild's Node.js 22; node20 output also runs on any later Node. */
export const EVALUATOR_NODE_TARGET = 'node20';

/** The lock files NodejsFunction recognises, in the order it looks for them (aws-cdk-lib/aws-lambda-nodejs LockFile). */
const LOCK_FILES = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb', 'package-lock.json'] as const;

/**
 * Where NodejsFunction bundles the gate's functions from: its project root (esbuild's working directory, which must hold
 * both the entry and the lock file) and the lock file. In a clone: the project and its own package-lock.json. An installed
 * package has no lock file (`npm pack` always leaves package-lock.json out) and lies in the app's node_modules: then the
 * app's lock file, the nearest above the working directory as NodejsFunction finds it by default, and its directory.
 */
export function bundlingProject(packageRoot: string, cwd: string = process.cwd()): { projectRoot: string; depsLockFilePath: string } {
  const own = join(packageRoot, 'package-lock.json');
  if (existsSync(own)) return { projectRoot: packageRoot, depsLockFilePath: own };
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const lock = LOCK_FILES.map((name) => join(dir, name)).find((file) => existsSync(file));
    if (lock) return { projectRoot: dir, depsLockFilePath: lock };
    if (dirname(dir) === dir) break;
  }
  throw new Error(
    `cannot bundle the gate's functions: no lock file (${LOCK_FILES.join(', ')}) in ${resolve(cwd)} or above it; ` +
      "run the CDK app from its project, whose package manager's lock file NodejsFunction needs",
  );
}

/**
 * Packages the functions leave out of their bundle. The SDK's default credential chain tries the environment first
 * and only then `import()`s these providers (SSO, shared ini files, process, web identity, container and instance
 * metadata) and, through them, the nested STS / SSO / sign-in clients. A Lambda function always has its execution
 * role's keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN ("Defined runtime environment
 * variables", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * so the chain never reaches them; should it, the Node.js runtime ships the AWS SDK for JavaScript v3 ("Building Lambda
 * functions with Node.js", https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html) and its `import()` (kept as
 * `import()` in the bundle) finds them there: since Node.js 18 the Lambda runtime searches NODE_PATH for ES module
 * imports too ("Node.js 18.x runtime now available in AWS Lambda", AWS Compute Blog, quoted in aws/aws-sdk-js#4431).
 * Leaving them out saves about 90 KB of code that every cold start would otherwise parse.
 */
export const FUNCTION_EXTERNAL_MODULES: readonly string[] = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

/** Where the Docker fallback mounts the project (the asset input itself is only `functions/`). */
const DOCKER_PROJECT_DIR = '/fargate-gate';

/**
 * Bundles the `fargate-gate` CLI into one CommonJS file for the scan build. The asset hash is the hash of that
 * output, so a new evaluator is a new S3 object and the project definition changes with it.
 *
 * Locally with the project's esbuild (a runtime dependency, so an app that installs the construct has it). When
 * esbuild cannot be loaded (not installed, or installed for another platform), bundling falls back to Docker, which
 * runs the same esbuild version (the one package.json pins) over the project mounted read-only.
 */
export function evaluatorBundling(projectRoot: string, entry: string = join(projectRoot, CLI_ENTRY)): AssetBundlingOptions {
  const relativeEntry = relative(projectRoot, entry);
  if (relativeEntry.startsWith('..') || isAbsolute(relativeEntry)) {
    throw new Error(`the evaluator entry ${entry} is outside the project ${projectRoot}`);
  }
  const local: ILocalBundling = {
    tryBundle(outputDir: string): boolean {
      const esbuild = loadEsbuild();
      if (esbuild === undefined) return false;
      esbuild.buildSync({ entryPoints: [entry], outfile: join(outputDir, EVALUATOR_FILE_NAME), ...EVALUATOR_ESBUILD_OPTIONS });
      return true;
    },
  };
  return {
    local,
    image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
    volumes: [{ hostPath: projectRoot, containerPath: DOCKER_PROJECT_DIR, consistency: DockerVolumeConsistency.DELEGATED }],
    // CDK runs the container as the calling user, who has no home directory in the image: npm needs a writable cache.
    environment: { HOME: '/tmp', npm_config_cache: '/tmp/.npm', npm_config_update_notifier: 'false' },
    command: evaluatorDockerCommand(projectRoot, relativeEntry),
    outputType: BundlingOutput.SINGLE_FILE,
  };
}

/** esbuild's options for the evaluator, shared by local and Docker bundling so both produce the same file. */
const EVALUATOR_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: EVALUATOR_NODE_TARGET,
  format: 'cjs',
  minify: true,
  sourcemap: 'inline',
  sourcesContent: false,
  legalComments: 'eof',
  logLevel: 'error',
} as const;

/** The Docker fallback: the pinned esbuild over the mounted project (its node_modules hold the evaluator's dependencies). */
export function evaluatorDockerCommand(projectRoot: string, relativeEntry: string): string[] {
  const version = pinnedEsbuildVersion(projectRoot);
  return [
    'npm',
    'exec',
    '--yes',
    `--package=esbuild@${version}`,
    '--',
    'esbuild',
    `${DOCKER_PROJECT_DIR}/${relativeEntry.split(sep).join('/')}`,
    '--bundle',
    `--platform=${EVALUATOR_ESBUILD_OPTIONS.platform}`,
    `--target=${EVALUATOR_ESBUILD_OPTIONS.target}`,
    `--format=${EVALUATOR_ESBUILD_OPTIONS.format}`,
    '--minify',
    `--sourcemap=${EVALUATOR_ESBUILD_OPTIONS.sourcemap}`,
    '--sources-content=false',
    `--legal-comments=${EVALUATOR_ESBUILD_OPTIONS.legalComments}`,
    `--log-level=${EVALUATOR_ESBUILD_OPTIONS.logLevel}`,
    `--outfile=${AssetStaging.BUNDLING_OUTPUT_DIR}/${EVALUATOR_FILE_NAME}`,
  ];
}

/** The exact esbuild version the project's package.json depends on. */
export function pinnedEsbuildVersion(projectRoot: string): string {
  const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const version = manifest.dependencies?.esbuild;
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`${join(projectRoot, 'package.json')}: dependencies.esbuild must be an exact version (x.y.z), got ${JSON.stringify(version)}`);
  }
  return version;
}

/**
 * esbuild, or undefined when it cannot be loaded. Required lazily: synth without bundling (tests,
 * `aws:cdk:bundling-stacks: []`) never loads it. Only loading is guarded: a failing build still throws esbuild's message.
 */
function loadEsbuild(): typeof import('esbuild') | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as typeof import('esbuild');
  } catch {
    return undefined;
  }
}
