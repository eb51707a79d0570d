import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GATE_TABLE } from '../../functions/adapters/dynamo-table';
import { DOCUMENT_CLIENT_TRANSLATE_CONFIG } from '../../functions/adapters/clients';

/**
 * A real DynamoDB-compatible server (dynalite, in memory) on a random loopback port, one per test file.
 * dynalite implements conditional writes, GSIs, Query pagination, BatchGetItem limits and `UnprocessedKeys`
 * (for responses over 1 MB) the way DynamoDB does; it has no TTL deletion and no transactions.
 */

type DynaliteFactory = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;
// dynalite ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as DynaliteFactory;

export interface DynaliteServer {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<DynaliteServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export function dynaliteClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

/** Creates the gate table exactly as `GATE_TABLE` describes it (the CDK construct builds the same one). */
export async function createGateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const index = GATE_TABLE.unfinishedScansIndex;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: GATE_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: GATE_TABLE.sortKey, AttributeType: 'S' },
        { AttributeName: index.partitionKey, AttributeType: 'S' },
        { AttributeName: index.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: GATE_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: GATE_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projection },
        },
      ],
    }),
  );
  // dynalite, like DynamoDB, answers CreateTable while the table is still CREATING.
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface GateTableFixture {
  tableName: string;
  raw: DynamoDBClient;
  documents: DynamoDBDocumentClient;
}

/**
 * Registers `beforeAll`/`afterAll` hooks that start dynalite and create a gate table for this test file.
 * `freshTable()` creates another empty table on the same server, for tests that need a clean slate.
 */
export function useGateTable(): { fixture: () => GateTableFixture; freshTable: () => Promise<string> } {
  let server: DynaliteServer | undefined;
  let current: GateTableFixture | undefined;
  let tables = 0;

  const freshTable = async (): Promise<string> => {
    if (!current) throw new Error('useGateTable: the table is not ready (call inside a test)');
    tables += 1;
    const tableName = `gate-${tables}`;
    await createGateTable(current.raw, tableName);
    return tableName;
  };

  beforeAll(async () => {
    server = await startDynalite();
    const raw = dynaliteClient(server.endpoint);
    current = { tableName: 'gate-0', raw, documents: DynamoDBDocumentClient.from(raw, DOCUMENT_CLIENT_TRANSLATE_CONFIG) };
    await createGateTable(raw, current.tableName);
  });

  afterAll(async () => {
    // Close the client's keep-alive sockets first, or the server waits for them before it closes.
    current?.raw.destroy();
    await server?.stop();
  });

  return {
    fixture: () => {
      if (!current) throw new Error('useGateTable: the table is not ready (call inside a test)');
      return current;
    },
    freshTable,
  };
}
