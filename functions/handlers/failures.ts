import { InputError } from '../core/errors';
import { MemberRoleError } from '../core/organisation/errors';
import { ReportMissingError, ScanCapacityError } from '../core/ports';
import { THROTTLING_ERROR_NAMES } from '../adapters/aws-errors';
import { VerdictTooLargeError } from '../adapters/dynamo-items';

/**
 * What a failure means for the event being handled:
 * - `input`: the event, a task definition, an override or a scan's own output (a report over the size cap, a verdict
 *   too large for one store item) is unusable. Logged and ignored, or a scan error: a retry cannot fix it.
 * - `capacity`: CodeBuild refused a scan; the scan is queued (callers handle it before it gets here).
 * - `permanent`: AWS said no in a way a retry will not change (access denied, validation, resource not found).
 *   Logged as an error and counted (alarm on it); not retried.
 * - `transient`: throttling, a 5xx, a timeout, a dropped connection: rethrown so Lambda's async retry (and then
 *   the DLQ) brings the event back. Every action is idempotent or claim-guarded, so a retry is safe.
 * - `unknown`: anything else, including bugs: rethrown as well, so the event ends in the DLQ rather than vanishing.
 */
export type FailureKind = 'input' | 'capacity' | 'permanent' | 'transient' | 'unknown';

// The SDK's own list of throttling codes, kept once beside the adapters that recognise AWS errors.
const THROTTLING = new Set(THROTTLING_ERROR_NAMES);

const TRANSIENT = new Set([
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServerException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'NetworkingError',
]);

interface AwsLike {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof InputError || error instanceof VerdictTooLargeError) return 'input';
  if (error instanceof ScanCapacityError) return 'capacity';
  if (error instanceof ReportMissingError) return 'permanent';
  // A member account the gate may not act in (role missing or refusing: STS AccessDenied; outside the organisation;
  // not a regional ARN) stays so on a retry a minute later: counted per account (MemberRoleErrors), not retried. Only
  // an assumption that failed otherwise (throttling, network) is what its cause is.
  if (error instanceof MemberRoleError) return error.reason === 'failed' ? classifyFailure(error.cause) : 'permanent';
  if (error === null || typeof error !== 'object') return 'unknown';
  const e = error as AwsLike;
  const name = typeof e.name === 'string' ? e.name : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  if ((name && (THROTTLING.has(name) || TRANSIENT.has(name))) || (code && TRANSIENT.has(code))) return 'transient';
  if (e.$retryable !== undefined || status === 429 || (status !== undefined && status >= 500) || e.$fault === 'server') return 'transient';
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) return 'permanent';
  return 'unknown';
}

/** Whether a retry cannot change the outcome: the input is unusable, or AWS refused for good. */
export function isNonRetryable(kind: FailureKind): boolean {
  return kind === 'input' || kind === 'permanent';
}

/** Whether a failure should make the invocation fail, so Lambda retries the event. */
export function shouldRetry(kind: FailureKind): boolean {
  return kind === 'transient' || kind === 'unknown';
}

export function describeError(error: unknown): { name?: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}
