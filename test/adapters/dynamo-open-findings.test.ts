import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoGateStore } from '../../functions/adapters/dynamo-gate-store';
import { DEFAULT_OPEN_FINDING_SECONDS, DynamoOpenFindingStore, openFindingKey } from '../../functions/adapters/dynamo-open-findings';
import { FINDING_KEY_BYTES } from '../../functions/core/posture/finding-store-key';
import { findingCorrelationId } from '../../functions/core/posture/findings';
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

  // A DynamoDB sort key is at most 1,024 bytes, a partition key 2,048 (Constraints, "Partition keys and sort keys",
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html); a report's id may be longer.
  it('records, lists and closes a finding whose id is 2,000 bytes, keeping the id whole, apart from one that shares its start', async () => {
    const { store } = await fresh();
    const longId = `/srv/app/${'k'.repeat(2000 - '/srv/app/'.length)}`;
    const sibling = `${longId.slice(0, -1)}z`;
    expect(Buffer.byteLength(longId, 'utf8')).toBe(2000);
    const at = '2026-12-01T12:00:00.000Z';
    await expect(store.recordOpenFinding(openFindingOf(DIGEST, violation(longId, { rule: 'secrets', kind: 'secret' }), at))).resolves.toBe(true);
    await expect(store.recordOpenFinding(openFindingOf(DIGEST, violation(sibling, { rule: 'secrets', kind: 'secret' }), at), { ifAbsent: true })).resolves.toBe(true);
    await expect(store.recordOpenFinding(openFindingOf(DIGEST, violation(longId, { rule: 'secrets', kind: 'secret' }), at), { ifAbsent: true })).resolves.toBe(false);
    expect((await store.listOpenFindings(DIGEST)).map((o) => o.finding.id).sort()).toEqual([longId, sibling].sort());
    await expect(store.closeOpenFinding(DIGEST, { rule: 'secrets', id: longId }, at)).resolves.toBe(true);
    expect((await store.listOpenFindings(DIGEST)).map((o) => o.finding.id)).toEqual([sibling]);
  });

  it('writes the item and the claims of the longest <rule>:<id> kept unhashed (the bound fits DynamoDB\'s)', async () => {
    const { store, tableName, clock } = await fresh();
    const gateStore = new DynamoGateStore({ client: table.fixture().documents, tableName, clock });
    const idBytes = FINDING_KEY_BYTES - 'secrets:'.length;
    const finding = violation('€'.repeat(Math.floor(idBytes / 3)) + '.'.repeat(idBytes % 3), { rule: 'secrets', kind: 'secret' });
    expect(Buffer.byteLength(`${finding.rule}:${finding.id}`, 'utf8')).toBe(FINDING_KEY_BYTES);
    expect(openFindingKey(DIGEST, finding).sk).toBe(`finding#secrets:${finding.id}`);
    await expect(store.recordOpenFinding(openFindingOf(DIGEST, finding, '2026-12-01T12:00:00.000Z'))).resolves.toBe(true);
    const resolved = `${findingCorrelationId(DIGEST, finding)}#resolved#${'f'.repeat(64)}#2026-12-01T12:00:00.000Z`;
    await expect(gateStore.claimEnforcement({ key: resolved, action: 'findingResolved', decision: 'pass', at: '2026-12-01T12:00:00.000Z' })).resolves.toBe(true);
    expect((await store.listOpenFindings(DIGEST)).map((o) => o.finding.id)).toEqual([finding.id]);
  });

  it('takes and gives back the opened and resolved claims of a finding whose id is 2,000 bytes', async () => {
    const { tableName, clock } = await fresh();
    const gateStore = new DynamoGateStore({ client: table.fixture().documents, tableName, clock });
    const finding = { rule: 'secrets', id: 's'.repeat(2000) };
    const opened = findingCorrelationId(DIGEST, finding);
    const resolved = `${opened}#resolved#2026-12-01T12:00:00.000Z`;
    for (const key of [opened, resolved]) {
      await expect(gateStore.claimEnforcement({ key, action: 'findingOpened', decision: 'fail', at: '2026-12-01T12:00:00.000Z' })).resolves.toBe(true);
      await expect(gateStore.claimEnforcement({ key, action: 'findingOpened', decision: 'fail', at: '2026-12-01T12:00:00.000Z' })).resolves.toBe(false);
    }
    await gateStore.releaseEnforcement(opened);
    await expect(gateStore.claimEnforcement({ key: opened, action: 'findingOpened', decision: 'fail', at: '2026-12-01T12:00:00.000Z' })).resolves.toBe(true);
  });
});
