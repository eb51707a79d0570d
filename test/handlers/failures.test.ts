import { InputError } from '../../functions/core/errors';
import { ReportMissingError, ScanCapacityError } from '../../functions/core/ports';
import { MemberRoleError } from '../../functions/core/organisation/errors';
import { VerdictTooLargeError } from '../../functions/adapters/dynamo-items';
import { classifyFailure, isNonRetryable, shouldRetry } from '../../functions/handlers/failures';

const aws = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });

describe('classifyFailure', () => {
  it.each([
    ['an InputError', new InputError('bad'), 'input'],
    ['a ScanCapacityError', new ScanCapacityError('full'), 'capacity'],
    ['a missing report', new ReportMissingError('gone'), 'permanent'],
    ['a verdict too large for one store item', new VerdictTooLargeError('2 MB of findings'), 'input'],
    ['throttling by name', aws('ThrottlingException', { $fault: 'client' }), 'transient'],
    ['DynamoDB throughput', aws('ProvisionedThroughputExceededException', { $fault: 'client' }), 'transient'],
    ['an SDK-retryable error', aws('Whatever', { $retryable: { throttling: false } }), 'transient'],
    ['HTTP 503', aws('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }), 'transient'],
    ['a server fault', aws('InternalFailure', { $fault: 'server' }), 'transient'],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    ['access denied', aws('AccessDeniedException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }), 'permanent'],
    ['a validation error', aws('InvalidParameterException', { $fault: 'client' }), 'permanent'],
    ['a member role that is missing or refuses', new MemberRoleError('444455556666', 'us-east-1', 'refused', 'AccessDenied'), 'permanent'],
    ['an account outside the organisation', new MemberRoleError('999988887777', 'us-east-1', 'outside', 'not served'), 'permanent'],
    ['a resource whose account cannot be told', new MemberRoleError('unknown', 'unknown', 'unplaced', 'not an ARN'), 'permanent'],
    ['a role assumption throttled', new MemberRoleError('444455556666', 'us-east-1', 'failed', 'throttled', { cause: aws('Throttling', { $fault: 'client' }) }), 'transient'],
    ['a role assumption failed for no known reason', new MemberRoleError('444455556666', 'us-east-1', 'failed', 'odd', { cause: new Error('odd') }), 'unknown'],
    ['a plain bug', new TypeError('x is undefined'), 'unknown'],
    ['a thrown string', 'oops', 'unknown'],
  ])('%s is %s', (_what, error, kind) => {
    expect(classifyFailure(error)).toBe(kind);
  });

  it('retries transient and unknown failures only', () => {
    expect(['input', 'capacity', 'permanent', 'transient', 'unknown'].filter((k) => shouldRetry(k as never))).toEqual(['transient', 'unknown']);
    expect(['input', 'capacity', 'permanent', 'transient', 'unknown'].filter((k) => isNonRetryable(k as never))).toEqual(['input', 'permanent']);
  });
});
