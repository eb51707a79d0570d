import { ThrottlingException } from '@aws-sdk/client-dynamodb';
import { awsErrorName, hasAwsErrorName, isConditionalCheckFailed, isThrottlingError } from '../../functions/adapters/aws-errors';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { awsError } from './sample-data';

describe('AWS error recognition', () => {
  it('recognises throttling by code, by SDK classification and by HTTP 429', () => {
    expect(isThrottlingError(new ThrottlingException({ message: 'x', $metadata: {} }))).toBe(true);
    expect(isThrottlingError(awsError('ProvisionedThroughputExceededException', 'x'))).toBe(true);
    expect(isThrottlingError(awsError('SomethingNew', 'x', { throttling: true }))).toBe(true);
    expect(isThrottlingError(awsError('SomethingNew', 'x', { httpStatusCode: 429 }))).toBe(true);
    expect(isThrottlingError(awsError('ValidationException', 'x'))).toBe(false);
    expect(isThrottlingError('ThrottlingException')).toBe(false);
    expect(isThrottlingError(undefined)).toBe(false);
  });

  it('recognises a failed condition', () => {
    expect(isConditionalCheckFailed(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }))).toBe(true);
    expect(isConditionalCheckFailed(awsError('TransactionCanceledException', 'x'))).toBe(false);
  });

  it('reads the code of anything error-like', () => {
    expect(awsErrorName(awsError('NoSuchKey', 'x'))).toBe('NoSuchKey');
    expect(awsErrorName(null)).toBeUndefined();
    expect(hasAwsErrorName(new Error('x'), 'Error')).toBe(true);
  });
});
