import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Readable } from 'node:stream';
import { DEFAULT_MAX_REPORT_BYTES, S3Reports } from '../../functions/adapters/s3-reports';
import { InputError } from '../../functions/core/errors';
import { ReportMissingError } from '../../functions/core/ports';
import { awsError, digestOf } from './sample-data';

const s3Mock = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });

function body(...chunks: string[]): Readable {
  return Readable.from(chunks.map((chunk) => Buffer.from(chunk, 'utf8')));
}

beforeEach(() => s3Mock.reset());

describe('S3Reports', () => {
  it('reads the report object as text', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: body('{"SchemaVersion":2,', '"ArtifactName":"app","Résumé":"ü"}') as never, ContentLength: 60 });
    const reports = new S3Reports({ client, bucket: 'gate-reports' });
    expect(await reports.getReport('reports/a.json')).toBe('{"SchemaVersion":2,"ArtifactName":"app","Résumé":"ü"}');
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'gate-reports', Key: 'reports/a.json' });
  });

  it('keeps a multi-byte character split across chunks intact', async () => {
    const bytes = Buffer.from('{"a":"€"}', 'utf8');
    s3Mock.on(GetObjectCommand).resolves({ Body: Readable.from([bytes.subarray(0, 7), bytes.subarray(7)]) as never });
    expect(await new S3Reports({ client, bucket: 'b' }).getReport('k')).toBe('{"a":"€"}');
  });

  it('turns NoSuchKey into ReportMissingError naming the location', async () => {
    s3Mock.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    const failure = new S3Reports({ client, bucket: 'gate-reports' }).getReport('reports/missing.json');
    await expect(failure).rejects.toBeInstanceOf(ReportMissingError);
    await expect(failure).rejects.toThrow('s3://gate-reports/reports/missing.json does not exist');
  });

  it('passes AccessDenied on (it is not proof that the report is missing)', async () => {
    s3Mock.on(GetObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', { httpStatusCode: 403 }));
    await expect(new S3Reports({ client, bucket: 'b' }).getReport('k')).rejects.toThrow('Access Denied');
  });

  it('refuses a report whose ContentLength is over the cap without reading it', async () => {
    const stream = body('x');
    s3Mock.on(GetObjectCommand).resolves({ Body: stream as never, ContentLength: 2048 });
    const failure = new S3Reports({ client, bucket: 'b', maxReportBytes: 1024 }).getReport('big.json');
    await expect(failure).rejects.toBeInstanceOf(InputError);
    await expect(failure).rejects.toThrow('scan report s3://b/big.json: the scan report is 2 KiB (2048 bytes), more than the 1 KiB (1024-byte) limit');
    await expect(failure).rejects.toThrow('Raise the limit with the FargateGate prop maxReportSize (context key fargate-gate:max-report-size)');
    expect(stream.destroyed).toBe(true);
  });

  it('caps reports at 64 MiB by default, which the functions\' memory can parse', async () => {
    expect(DEFAULT_MAX_REPORT_BYTES).toBe(64 * 1024 * 1024);
    const stream = body('x');
    s3Mock.on(GetObjectCommand).resolves({ Body: stream as never, ContentLength: DEFAULT_MAX_REPORT_BYTES + 1 });
    await expect(new S3Reports({ client, bucket: 'b' }).getReport('big.json')).rejects.toThrow(`more than the 64 MiB (${DEFAULT_MAX_REPORT_BYTES}-byte) limit`);
    expect(stream.destroyed).toBe(true);
  });

  it('enforces the cap on the bytes read when ContentLength is missing', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: body('a'.repeat(600), 'b'.repeat(600)) as never });
    await expect(new S3Reports({ client, bucket: 'b', maxReportBytes: 1024 }).getReport('k')).rejects.toThrow('has more than 1024 bytes');
  });

  it('gives the reviewer location and a key layout per digest and scan', () => {
    const reports = new S3Reports({ client, bucket: 'gate-reports', prefix: 'reports/' });
    expect(reports.locationOf('reports/x.json')).toBe('s3://gate-reports/reports/x.json');
    expect(reports.keyFor(digestOf(5), 'scan/1')).toBe(`reports/sha256/${digestOf(5).slice(7)}/scan_1.json`);
  });
});
