/**
 * How the adapters recognise AWS errors. SDK v3 service exceptions carry the AWS error code as `name`, plus
 * `$metadata.httpStatusCode` and, for errors the SDK classifies as retryable, `$retryable.throttling`.
 * Matching on these fields (not `instanceof`) also works across the several `@aws-sdk/*` versions installed
 * side by side, and on errors built by aws-sdk-client-mock in tests.
 */

interface AwsErrorShape {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

function shape(error: unknown): AwsErrorShape {
  return error !== null && typeof error === 'object' ? (error as AwsErrorShape) : {};
}

/** The AWS error code (`ThrottlingException`, `NoSuchKey`, ...), or undefined for something that is not an error object. */
export function awsErrorName(error: unknown): string | undefined {
  const name = shape(error).name;
  return typeof name === 'string' ? name : undefined;
}

export function awsErrorMessage(error: unknown): string {
  const message = shape(error).message;
  return typeof message === 'string' ? message : String(error);
}

export function hasAwsErrorName(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.includes(name);
}

export function httpStatusOf(error: unknown): number | undefined {
  const status = shape(error).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Error codes AWS services use for request-rate throttling (the list the SDK's own retry strategy
 * classifies as throttling, in `@smithy/service-error-classification`).
 */
export const THROTTLING_ERROR_NAMES: readonly string[] = [
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
];

/** True for throttling however the SDK reports it: by code, by its own classification, or by HTTP 429. */
export function isThrottlingError(error: unknown): boolean {
  if (hasAwsErrorName(error, ...THROTTLING_ERROR_NAMES)) return true;
  if (shape(error).$retryable?.throttling === true) return true;
  return httpStatusOf(error) === 429;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return hasAwsErrorName(error, 'ConditionalCheckFailedException');
}
