import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { S3ReportObjects } from '../../functions/adapters/s3-report-objects';
import { awsError } from './sample-data';

const s3Mock = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });

beforeEach(() => s3Mock.reset());

describe('S3ReportObjects', () => {
  it('puts the object with its content type, never cached', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    await new S3ReportObjects({ client, bucket: 'gate-reports' }).putObject('in-use/latest/in-use.html', '<!DOCTYPE html>', 'text/html; charset=utf-8');
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'gate-reports',
      Key: 'in-use/latest/in-use.html',
      Body: '<!DOCTYPE html>',
      ContentType: 'text/html; charset=utf-8',
      CacheControl: 'no-cache',
    });
  });

  it('lets an S3 error through, for the schedule to retry', async () => {
    s3Mock.on(PutObjectCommand).rejects(awsError('AccessDenied', 'denied'));
    await expect(new S3ReportObjects({ client, bucket: 'b' }).putObject('k', 'x', 'text/csv')).rejects.toThrow('denied');
  });

  it('needs a bucket', () => {
    expect(() => new S3ReportObjects({ client, bucket: '' })).toThrow('bucket is required');
  });
});
