import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createAwsClients } from '../../../functions/adapters/clients';
import { DynamoInventoryStore } from '../../../functions/adapters/dynamo-inventory';
import { inventoryStoreFor } from '../../../functions/handlers/lambda/in-use-report-inventory';
import { GATE_ENV } from '../../../functions/handlers/environment';
import { IN_USE_REPORT_ENV, createInUseReportLambda } from '../../../functions/handlers/lambda/in-use-report';
import { publishInUseReport } from '../../../functions/handlers/posture/in-use-report';
import { digestOf, use } from '../../core/posture/in-use-fixtures';
import { capturingStdout, useGateEnvironment } from './support';

const s3Mock = mockClient(S3Client);
const dynamoMock = mockClient(DynamoDBDocumentClient);
beforeEach(() => {
  s3Mock.reset();
  dynamoMock.reset();
});

describe('the in-use report entry point', () => {
  useGateEnvironment();

  it('reads the inventory, the verdicts and writes to the reports bucket named in the environment', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    dynamoMock.on(BatchGetCommand).resolves({ Responses: {} });
    const running = use(digestOf('a'), 't1');
    const inventory = {
      recordUse: jest.fn(),
      closeTask: jest.fn(),
      nameLauncher: jest.fn(),
      listOpenUsesInCluster: jest.fn(),
      listOpenUses: jest.fn(),
      listDigestsInUse: async () => [{ digest: running.digest, openTasks: 1, inUseSince: running.firstSeenAt }],
      listUsesOfDigest: async () => [running],
    };
    const built = createInUseReportLambda(process.env, () => inventory, createAwsClients({ region: 'eu-west-1' }));
    const metrics = await capturingStdout(async () => {
      const run = await publishInUseReport(built.deps);
      // No verdict, and the bundled policy's onScanError is "allow": a warning, not a failure.
      expect(run).toMatchObject({ images: 1, failing: 0 });
      built.metrics.flush();
    });
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 6);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'gate-reports', Key: 'in-use/latest/in-use.html' });
    expect(dynamoMock).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(JSON.stringify(metrics)).toContain('ImagesInUseFailing');
  });

  it.each([
    [{ [GATE_ENV.tableName]: '' }, GATE_ENV.tableName],
    [{ [GATE_ENV.reportBucket]: ' ' }, GATE_ENV.reportBucket],
    [{ [IN_USE_REPORT_ENV.exceptionWindowDays]: 'soon' }, IN_USE_REPORT_ENV.exceptionWindowDays],
    [{ [IN_USE_REPORT_ENV.exceptionWindowDays]: '400' }, IN_USE_REPORT_ENV.exceptionWindowDays],
  ])('fails the cold start naming the bad variable (%o)', (overrides, name) => {
    expect(() => createInUseReportLambda({ ...process.env, ...overrides }, () => ({}) as never)).toThrow(name);
  });

  it('reads the exception window', () => {
    expect(createInUseReportLambda({ ...process.env, [IN_USE_REPORT_ENV.exceptionWindowDays]: '30' }, () => ({}) as never).deps.exceptionWindowDays).toBe(30);
  });

  it('reads the inventory task events and the reconciliation write: the DynamoDB inventory on the gate table', () => {
    const inventory = inventoryStoreFor(createAwsClients(), 'gate-table');
    expect(inventory).toBeInstanceOf(DynamoInventoryStore);
  });
});
