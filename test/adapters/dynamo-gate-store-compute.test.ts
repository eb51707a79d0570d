import { DynamoGateStore } from '../../functions/adapters/dynamo-gate-store';
import { MemoryGateStore } from '../../functions/local/memory-store';
import type { GateStore } from '../../functions/core/ports';
import { useGateTable } from '../support/dynalite';
import { NOW, digestOf, scanRecord } from './sample-data';

const table = useGateTable();
const clock = { now: () => NOW };

/** The EC2 fallback's field survives both stores the same way: kept by an update, cleared by an update to undefined. */
async function roundTrip(store: GateStore): Promise<void> {
  const digest = digestOf(41);
  const record = scanRecord(digest);
  expect(await store.claimScan(record)).toBe(true);
  expect(await store.updateScan(digest, { state: record.state, scanId: record.scanId }, { state: 'queued', scanId: 'retry-on-ec2', compute: 'ec2Fallback', buildId: '' })).toBe(true);
  expect(await store.getScan(digest)).toMatchObject({ scanId: 'retry-on-ec2', compute: 'ec2Fallback' });
  expect((await store.listUnfinishedScans()).find((scan) => scan.digest === digest)).toMatchObject({ compute: 'ec2Fallback' });
  expect(await store.updateScan(digest, { state: 'queued', scanId: 'retry-on-ec2' }, { scanId: 'rescan', compute: undefined })).toBe(true);
  expect(await store.getScan(digest)).not.toHaveProperty('compute');
}

describe("a scan record's compute", () => {
  it('round-trips through DynamoDB (dynalite)', async () => {
    const tableName = await table.freshTable();
    await roundTrip(new DynamoGateStore({ client: table.fixture().documents, tableName, clock }));
  });

  it('round-trips through the in-memory store the same way', async () => {
    await roundTrip(new MemoryGateStore({ now: () => NOW }));
  });
});
