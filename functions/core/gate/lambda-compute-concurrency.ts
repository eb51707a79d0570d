/*
 * The Lambda-compute concurrency setting: how many scan builds the gate runs at once on CodeBuild Lambda compute before
 * new scans start on the EC2 fallback project (lambda-overflow.ts says why and how). Its own module: the gate reads it
 * at every cold start (handlers/lambda/lambda-compute-concurrency.ts), the slot arithmetic only when a scan starts.
 */

/** AWS's default quota of running builds per Lambda compute type (Quotas for AWS CodeBuild, https://docs.aws.amazon.com/codebuild/latest/userguide/limits.html): the setting's default. */
export const DEFAULT_LAMBDA_COMPUTE_CONCURRENCY = 1;
/**
 * Bounds of the setting. At least 1 (0 would send every scan to EC2: turn Lambda compute off instead). At most 1,000:
 * each new scan reads every slot item in one Query (about 100 bytes each, so one page), and no published Lambda
 * compute quota comes near it.
 */
export const MIN_LAMBDA_COMPUTE_CONCURRENCY = 1;
export const MAX_LAMBDA_COMPUTE_CONCURRENCY = 1000;

/** Whether a value is one the setting accepts: a whole number from 1 to 1,000. */
export function isValidLambdaComputeConcurrency(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= MIN_LAMBDA_COMPUTE_CONCURRENCY && value <= MAX_LAMBDA_COMPUTE_CONCURRENCY;
}

/**
 * The setting read from text (a context value, an environment variable): digits only, from 1 to 1,000. Anything else
 * is an error naming `what` and the value, so a typo fails the synth or the cold start instead of overflowing every
 * scan (or none).
 */
export function parseLambdaComputeConcurrency(text: string, what: string): number {
  const trimmed = text.trim();
  const value = /^\d{1,7}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!isValidLambdaComputeConcurrency(value)) {
    throw new Error(
      `${what} must be a whole number of concurrent Lambda-compute builds from ${MIN_LAMBDA_COMPUTE_CONCURRENCY} to ${MAX_LAMBDA_COMPUTE_CONCURRENCY} (the account's CodeBuild quota for the compute type), got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
