import { BundlingOutput, DockerImage, type BundlingOptions as AssetBundlingOptions, type ILocalBundling } from 'aws-cdk-lib';
import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { isAbsolute, join, relative } from 'node:path';

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

const SHELL_UNSAFE = /["$`\\\n\r]/;

/**
 * esbuild settings of the gate's functions: one minified CommonJS file per function with a source map (the functions
 * run with `--enable-source-maps`), the AWS SDK bundled so the clients are the versions the tests ran against, and the
 * policy copied beside the code. Bundling is local (the project's esbuild), never in Docker.
 */
export function functionBundling(projectRoot: string, policyPath: string): BundlingOptions {
  if (SHELL_UNSAFE.test(policyPath)) {
    throw new Error(`the policy path ${JSON.stringify(policyPath)} has a character (" $ \` \\ or a line break) that the bundling step cannot quote; move or rename the file`);
  }
  const insideProject = !relative(projectRoot, policyPath).startsWith('..') && !isAbsolute(relative(projectRoot, policyPath));
  return {
    minify: true,
    sourceMap: true,
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: false,
    target: FUNCTION_NODE_TARGET,
    format: OutputFormat.CJS,
    bundleAwsSDK: true,
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      // inputDir is the project root both for local and Docker bundling; a policy outside it only bundles locally.
      afterBundling: (inputDir: string, outputDir: string) => {
        const source = insideProject ? join(inputDir, relative(projectRoot, policyPath)) : policyPath;
        return [`cp "${source}" "${join(outputDir, BUNDLED_POLICY_NAME)}"`];
      },
    },
  };
}

/**
 * Bundles the `fargate-gate` CLI into one CommonJS file with the project's esbuild, for the scan build. The asset
 * hash is the hash of that output, so a new evaluator is a new S3 object and the project definition changes with it.
 */
export function evaluatorBundling(entry: string): AssetBundlingOptions {
  const local: ILocalBundling = {
    tryBundle(outputDir: string): boolean {
      // Required lazily: synth without bundling (tests, `aws:cdk:bundling-stacks: []`) never loads esbuild.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const esbuild = require('esbuild') as typeof import('esbuild');
      esbuild.buildSync({
        entryPoints: [entry],
        outfile: join(outputDir, EVALUATOR_FILE_NAME),
        bundle: true,
        platform: 'node',
        target: EVALUATOR_NODE_TARGET,
        format: 'cjs',
        minify: true,
        sourcemap: 'inline',
        sourcesContent: false,
        legalComments: 'eof',
        logLevel: 'error',
      });
      return true;
    },
  };
  return {
    local,
    // Only used when local bundling is impossible; local bundling either succeeds or throws with esbuild's message.
    image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
    outputType: BundlingOutput.SINGLE_FILE,
  };
}
