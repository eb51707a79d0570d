import { CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Readable } from 'node:stream';
import { createAwsPorts, type AwsPortsConfig } from '../../functions/adapters';
import { digestOf } from './sample-data';

const config: AwsPortsConfig = {
  tableName: 'gate-table',
  reportBucket: 'gate-reports',
  reportPrefix: 'reports/',
  scanProjectName: 'gate-scan',
  eventBusName: 'gate-bus',
  region: 'eu-west-1',
};

describe('createAwsPorts', () => {
  const ecs = mockClient(ECSClient);
  const codeBuild = mockClient(CodeBuildClient);
  const events = mockClient(EventBridgeClient);
  const s3 = mockClient(S3Client);
  const dynamo = mockClient(DynamoDBDocumentClient);
  const ports = createAwsPorts(config);
  afterAll(() => {
    ports.clients.destroy();
    [ecs, codeBuild, events, s3, dynamo].forEach((mock) => mock.restore());
  });

  it('wires each port to its client and to the configured names', async () => {
    ecs.on(UpdateServiceCommand).resolves({});
    await ports.ecs.scaleService('prod', 'web', 0);
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'prod', service: 'web', desiredCount: 0 });

    codeBuild.on(StartBuildCommand).resolves({ build: { id: 'gate-scan:1' } });
    await ports.scanner.startScan({ scanId: 's1', digest: digestOf(1), imageReference: `r.example/app@${digestOf(1)}`, reportKey: 'reports/k.json' });
    expect(codeBuild).toHaveReceivedCommandWith(StartBuildCommand, { projectName: 'gate-scan' });

    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await ports.notifier.publishVerdict({ decision: 'pass', mode: 'audit', action: 'none', rules: [], policy: { name: 'p', hash: 'h' }, images: [], violations: [] });
    expect(events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0].EventBusName).toBe('gate-bus');

    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('{}')]) as never });
    expect(await ports.reports.getReport('reports/k.json')).toBe('{}');
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'gate-reports', Key: 'reports/k.json' });
    expect(ports.reports.keyFor(digestOf(1), 's1')).toMatch(/^reports\/sha256\//);

    dynamo.on(GetCommand).resolves({});
    expect(await ports.store.getScan(digestOf(1))).toBeUndefined();
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, { TableName: 'gate-table' });
  });

  it('gives the report reader the configured size limit (the stack setting maxReportSize), and the default without one', async () => {
    const limited = createAwsPorts({ ...config, clients: ports.clients, maxReportBytes: 1024 });
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('{}')]) as never, ContentLength: 2048 });
    await expect(limited.reports.getReport('reports/big.json')).rejects.toThrow('is 2 KiB (2048 bytes), more than the 1 KiB (1024-byte) limit');
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('{}')]) as never, ContentLength: 64 * 1024 * 1024 + 1 });
    await expect(ports.reports.getReport('reports/big.json')).rejects.toThrow('more than the 64 MiB (67108864-byte) limit');
  });

  it('names every missing setting', () => {
    expect(() => createAwsPorts({ ...config, tableName: '', eventBusName: '' })).toThrow('createAwsPorts: missing tableName, eventBusName');
  });
});
