import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Readable } from 'node:stream';
import { KEV_CATALOGUE_KEY, S3KevCatalogue } from '../../functions/adapters/s3-kev-catalogue';

const s3Mock = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });
const body = (text: string) => Readable.from([Buffer.from(text, 'utf8')]) as never;

beforeEach(() => s3Mock.reset());

describe('S3KevCatalogue', () => {
  it('reads the object at the fixed key of the reports bucket', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: body('{"count":0}') });
    expect(await new S3KevCatalogue({ client, bucket: 'gate-reports' }).read()).toBe('{"count":0}');
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'gate-reports', Key: KEV_CATALOGUE_KEY });
  });

  it('reads a missing object as no catalogue, and passes other errors on', async () => {
    s3Mock.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    expect(await new S3KevCatalogue({ client, bucket: 'b' }).read()).toBeUndefined();
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await expect(new S3KevCatalogue({ client, bucket: 'b' }).read()).rejects.toThrow('Access Denied');
  });

  it('refuses an object over the bound, by its declared length or by what is read', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: body('x'), ContentLength: 11 });
    await expect(new S3KevCatalogue({ client, bucket: 'b', maxBytes: 10 }).read()).rejects.toThrow('more than the 10-byte limit');
    s3Mock.on(GetObjectCommand).resolves({ Body: body('x'.repeat(11)) });
    await expect(new S3KevCatalogue({ client, bucket: 'b', maxBytes: 10 }).read()).rejects.toThrow('more than the 10-byte limit');
  });

  it('writes the catalogue as JSON to the same key', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    await new S3KevCatalogue({ client, bucket: 'gate-reports' }).write('{"count":1}');
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'gate-reports', Key: KEV_CATALOGUE_KEY, Body: '{"count":1}', ContentType: 'application/json' });
  });
});
