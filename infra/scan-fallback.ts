import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type { ResolvedSettings } from './settings';
import type { ScanArchitecture } from './trivy';

/**
 * The EC2 fallback of a scan project on CodeBuild Lambda compute: a second project, on EC2 compute, where the gate
 * retries once a scan that outgrew Lambda compute (functions/core/gate/compute-fallback.ts decides which).
 *
 * A second project rather than StartBuild's `computeTypeOverride` / `environmentTypeOverride` / `imageOverride` on the
 * Lambda project: the StartBuild API Reference (https://docs.aws.amazon.com/codebuild/latest/APIReference/API_StartBuild.html)
 * lists those overrides ("A compute type for this build that overrides the one specified in the build project", "A
 * container type for this build that overrides the one specified in the build project") but does not say that a build
 * of a Lambda-compute project may be moved to EC2 compute, and the EC2 build needs what a Lambda project cannot hold:
 * a build and a queue timeout, the S3 cache and the buildspec's `runtime-versions` ("Limitations of AWS Lambda compute",
 * https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations). The gate's StartBuild grant
 * keeps refusing every override (infra/permissions.ts) and simply names both projects.
 */
export interface ScanProjectCompute {
  mode: 'lambda' | 'ec2';
  architecture: ScanArchitecture;
  computeType: codebuild.ComputeType;
  buildTimeout: Duration;
  queuedTimeout: Duration;
  /** Trivy's own `--timeout`. */
  scanTimeout: Duration;
  concurrentBuildLimit: number;
}

/**
 * Trivy's time on the fallback: three times the Lambda default (10 minutes), for images that did not finish there, and
 * the build's limit above it by the same 3 minutes for installation and upload the scan project keeps, plus some.
 */
export const EC2_FALLBACK_SCAN_TIMEOUT = Duration.minutes(30);
export const EC2_FALLBACK_BUILD_TIMEOUT = Duration.minutes(40);

/**
 * The fallback's compute type: more memory than the Lambda type it backs up and far more disk (EC2 MEDIUM: 7 GB, 4
 * vCPUs, 128 GB; LARGE: 15 GB, 8 vCPUs, 128 GB; Lambda types have 1 to 10 GB of memory and their `/tmp`), from "Build
 * environment compute modes and types" (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html).
 */
export function ec2FallbackComputeType(lambdaComputeType: codebuild.ComputeType): codebuild.ComputeType {
  const gigabytes = Number(/^BUILD_LAMBDA_(\d+)GB$/.exec(String(lambdaComputeType))?.[1] ?? 0);
  return gigabytes > 4 ? codebuild.ComputeType.LARGE : codebuild.ComputeType.MEDIUM;
}

/** The scan project's own compute, as the construct builds it. */
export function scanProjectCompute(settings: ResolvedSettings): ScanProjectCompute {
  const { compute, trivy } = settings;
  return { ...compute, scanTimeout: trivy.scanTimeout };
}

/** The EC2 fallback project's compute, when the scan project runs on Lambda compute and the fallback is on. */
export function ec2FallbackCompute(settings: ResolvedSettings): ScanProjectCompute | undefined {
  const { compute } = settings;
  if (compute.mode !== 'lambda' || !compute.ec2Fallback) return undefined;
  return {
    mode: 'ec2',
    architecture: compute.architecture,
    computeType: ec2FallbackComputeType(compute.computeType),
    buildTimeout: EC2_FALLBACK_BUILD_TIMEOUT,
    queuedTimeout: compute.queuedTimeout,
    scanTimeout: EC2_FALLBACK_SCAN_TIMEOUT,
    concurrentBuildLimit: compute.concurrentBuildLimit,
  };
}

/** The scan deadline the gate keeps for a build of this project: its queue and build timeouts plus a margin. */
export function scanDeadlineMinutes(compute: Pick<ScanProjectCompute, 'queuedTimeout' | 'buildTimeout'>, marginMinutes: number): number {
  return compute.queuedTimeout.toMinutes() + compute.buildTimeout.toMinutes() + marginMinutes;
}
