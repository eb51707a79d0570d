import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoInventoryStore } from '../../functions/adapters/dynamo-inventory';
import { CorruptItemError } from '../../functions/adapters/dynamo-items';
import { OPEN_USES_PARTITION, inventoryKeys } from '../../functions/adapters/dynamo-inventory-items';
import { useGateTable } from '../support/dynalite';
import { CLUSTER, DIGEST_A, describeInventoryContract, taskArn, use } from '../support/inventory-contract';

const table = useGateTable();

async function fresh(queryPageSize?: number) {
  const tableName = await table.freshTable();
  const store = new DynamoInventoryStore({ client: table.fixture().documents, tableName, ...(queryPageSize ? { queryPageSize } : {}) });
  // Reads need no clock: closed uses are never listed, and only they carry a TTL.
  return { store, tableName, setNow: () => undefined };
}

// dynalite has no TTL deletion: the retention case checks the TTL attribute instead (below), not the disappearance.
describeInventoryContract('DynamoInventoryStore on dynalite', async () => {
  const { store, setNow } = await fresh(2);
  return {
    store,
    setNow,
  };
});

async function rawItem(tableName: string, key: { pk: string; sk: string }) {
  const result = await table.fixture().raw.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }));
  return result.Item;
}

describe('DynamoInventoryStore items', () => {
  it('keeps an open use in the sparse index and takes it out when closed, with a TTL of stoppedAt + 7 days', async () => {
    const { store, tableName } = await fresh();
    await store.recordUse(use());
    const open = await rawItem(tableName, inventoryKeys.use(taskArn(1), DIGEST_A));
    expect(open?.gsi1pk).toEqual({ S: OPEN_USES_PARTITION });
    expect(open?.gsi1sk).toEqual({ S: `${DIGEST_A}#${taskArn(1)}` });
    expect(open?.expiresAt).toBeUndefined();

    await store.closeTask(taskArn(1), '2026-12-01T12:00:00.000Z');
    const closed = await rawItem(tableName, inventoryKeys.use(taskArn(1), DIGEST_A));
    expect(closed?.gsi1pk).toBeUndefined();
    expect(closed?.gsi1sk).toBeUndefined();
    expect(closed?.stoppedAt).toEqual({ S: '2026-12-01T12:00:00.000Z' });
    expect(closed?.expiresAt).toEqual({ N: String(Date.parse('2026-12-08T12:00:00Z') / 1000) });
  });

  it('leaves a closed use untouched by a late RUNNING sighting: not back in the index, last seen unchanged', async () => {
    const { store, tableName } = await fresh();
    await store.recordUse(use());
    await store.closeTask(taskArn(1), '2026-12-01T12:00:00.000Z');
    await store.recordUse(use({ lastSeenAt: '2026-12-01T12:05:00.000Z', service: 'renamed' }));
    const item = await rawItem(tableName, inventoryKeys.use(taskArn(1), DIGEST_A));
    expect(item?.gsi1pk).toBeUndefined();
    expect(item?.lastSeenAt).toEqual({ S: '2026-12-01T10:00:00.000Z' });
    expect(item?.service).toEqual({ S: 'web' });
  });

  it('lets exactly the close win when a RUNNING sighting and a close race, in either order', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { store } = await fresh();
      await store.recordUse(use());
      await Promise.all([store.closeTask(taskArn(1), '2026-12-01T12:00:00.000Z'), store.recordUse(use({ lastSeenAt: '2026-12-01T12:01:00.000Z' }))]);
      expect(await store.listUsesOfDigest(DIGEST_A)).toEqual([]);
    }
  });

  it('skips a damaged use item in its lists, counting it and naming its key, and still lists the others', async () => {
    const tableName = await table.freshTable();
    const damaged: CorruptItemError[] = [];
    const store = new DynamoInventoryStore({ client: table.fixture().documents, tableName, onDamagedItem: (error) => damaged.push(error) });
    await store.recordUse(use({ taskArn: taskArn(2) }));
    await table.fixture().documents.send(
      new PutCommand({ TableName: tableName, Item: { ...inventoryKeys.use(taskArn(1), DIGEST_A), gsi1pk: OPEN_USES_PARTITION, gsi1sk: `${DIGEST_A}#${taskArn(1)}`, digest: DIGEST_A, cluster: CLUSTER } }),
    );
    expect((await store.listUsesOfDigest(DIGEST_A)).map((found) => found.taskArn)).toEqual([taskArn(2)]);
    expect((await store.listOpenUsesInCluster(CLUSTER)).map((found) => found.taskArn)).toEqual([taskArn(2)]);
    expect(store.damagedItemsSkipped).toBe(2);
    expect(damaged).toHaveLength(2);
    expect(damaged[0]).toBeInstanceOf(CorruptItemError);
    expect(damaged[0].message).toMatch(/pk="task#arn:aws:ecs:eu-west-1:111122223333:task\/prod\/0+1" sk="use#sha256:a+" is not a valid use item/);
  });

  it('reads a damaged cursor as no cursor: the reconciliation starts over', async () => {
    const { store, tableName } = await fresh();
    await table.fixture().documents.send(new PutCommand({ TableName: tableName, Item: { ...inventoryKeys.cursor(), passStartedAt: 42 } }));
    expect(await store.getReconcileCursor()).toBeUndefined();
  });
});
