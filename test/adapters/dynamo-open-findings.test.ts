import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoGateStore } from '../../functions/adapters/dynamo-gate-store';
import { DEFAULT_OPEN_FINDING_SECONDS, DynamoOpenFindingStore, openFindingKey } from '../../functions/adapters/dynamo-open-findings';
import { openFindingOf } from '../../functions/core/posture/open-findings';
import { ManualClock } from '../../functions/local/clock';
import { useGateTable } from '../support/dynalite';
import { DIGEST, describeOpenFindingContract, violation } from '../support/open-findings-contract';

const table = useGateTable();

async function fresh(onDamagedItem?: (description: string) => void) {
  const tableName = await table.freshTable();
  const clock = new ManualClock('2026-12-01T12:00:00Z');
  const store = new DynamoOpenFindingStore({ client: table.fixture().documents, tableName, clock, ...(onDamagedItem ? { onDamagedItem } : {}) });
  return { store, tableName, clock };
}

// dynalite has no TTL deletion: an item past its `expiresAt` stays in the table and reads must leave it out, as here.
describeOpenFindingContract(
  'DynamoOpenFindingStore on dynalite',
  async () => {
    const { store, clock } = await fresh();
    return { store, advanceSeconds: (seconds) => clock.advanceTo(clock.now().getTime() + seconds * 1000) };
  },
  DEFAULT_OPEN_FINDING_SECONDS,
);

describe('DynamoOpenFindingStore items', () => {
  it('keeps the item in the digest\'s partition beside its verdicts and waiters, whose reads it does not disturb', async () => {
    const { store, tableName, clock } = await fresh();
    const gateStore = new DynamoGateStore({ client: table.fixture().documents, tableName, clock });
    await gateStore.addWaiter({ digest: DIGEST, taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/1', cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod', taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:1', seenAt: '2026-12-01T12:00:00.000Z' });
    await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), '2026-12-01T12:00:00.000Z'));
    expect(openFindingKey(DIGEST, violation('CVE-2026-0001'))).toEqual({ pk: `digest#${DIGEST}`, sk: 'finding#vulnerabilities:CVE-2026-0001' });
    expect(await gateStore.listWaiters(DIGEST)).toHaveLength(1);
    expect(await gateStore.getLatestVerdict(DIGEST)).toBeUndefined();
    expect((await store.listOpenFindings(DIGEST)).map((o) => o.finding.id)).toEqual(['CVE-2026-0001']);
  });

  it('skips an item that does not read, names it, and lists the others', async () => {
    const damaged: string[] = [];
    const { store, tableName } = await fresh((description) => damaged.push(description));
    await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), '2026-12-01T12:00:00.000Z'));
    await table.fixture().documents.send(new PutCommand({ TableName: tableName, Item: { ...openFindingKey(DIGEST, violation('CVE-2026-0002')), finding: { rule: 'vulnerabilities' }, openedAt: 7 } }));
    expect((await store.listOpenFindings(DIGEST)).map((o) => o.finding.id)).toEqual(['CVE-2026-0001']);
    expect(damaged).toEqual([`open finding item sk="finding#vulnerabilities:CVE-2026-0002" of ${DIGEST} does not read`]);
  });
});
