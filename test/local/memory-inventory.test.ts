import { ActivityLog, AWS_API_OF } from '../../functions/local/activity';
import { ManualClock } from '../../functions/local/clock';
import { MemoryInventoryStore } from '../../functions/local/memory-inventory';
import { describeInventoryContract, taskArn, use } from '../support/inventory-contract';

describeInventoryContract('MemoryInventoryStore', async () => {
  const clock = new ManualClock('2026-12-01T12:00:00Z');
  return { store: new MemoryInventoryStore(clock), setNow: (iso) => clock.advanceTo(Date.parse(iso)) };
});

describe('MemoryInventoryStore', () => {
  it('counts its calls as the DynamoDB calls they stand for: a close is one query and one write per open use', async () => {
    const clock = new ManualClock('2026-12-01T12:00:00Z');
    const activity = new ActivityLog(() => clock.now());
    const store = new MemoryInventoryStore(clock, activity);
    await store.recordUse(use());
    await store.recordUse(use({ digest: `sha256:${'c'.repeat(64)}` }));
    await store.closeTask(taskArn(1), '2026-12-01T12:00:00.000Z');
    expect(activity.counts().byMethod).toEqual({ 'inventory.recordUse': 2, 'inventory.closeTask': 1, 'inventory.closeUse': 2 });
    expect(activity.counts().aws).toBe(5);
  });

  it('maps every port method to the AWS API it stands for', () => {
    const methods = Object.getOwnPropertyNames(MemoryInventoryStore.prototype).filter((name) => name !== 'constructor');
    const plumbing = ['openUses', 'live', 'expiryOf', 'count'];
    expect(methods.filter((name) => !plumbing.includes(name) && !(`inventory.${name}` in AWS_API_OF))).toEqual([]);
  });

  it('hands out copies: changing a use read back changes nothing stored', async () => {
    const store = new MemoryInventoryStore(new ManualClock('2026-12-01T12:00:00Z'));
    await store.recordUse(use());
    const [read] = await store.listUsesOfDigest(use().digest);
    read.containers[0].name = 'changed';
    expect((await store.listUsesOfDigest(use().digest))[0].containers[0].name).toBe('app');
  });
});
