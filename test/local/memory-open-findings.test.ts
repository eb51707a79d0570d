import { ActivityLog, AWS_API_OF } from '../../functions/local/activity';
import { ManualClock } from '../../functions/local/clock';
import { MemoryOpenFindingStore } from '../../functions/local/memory-open-findings';
import { describeOpenFindingContract } from '../support/open-findings-contract';

const RETENTION = 30 * 24 * 60 * 60;

describeOpenFindingContract(
  'MemoryOpenFindingStore',
  async () => {
    const clock = new ManualClock('2026-12-01T12:00:00Z');
    return { store: new MemoryOpenFindingStore(clock), advanceSeconds: (seconds) => clock.advanceTo(clock.now().getTime() + seconds * 1000) };
  },
  RETENTION,
);

describe('MemoryOpenFindingStore', () => {
  it('maps every port method to the AWS API it stands for, and counts its calls', async () => {
    const methods = Object.getOwnPropertyNames(MemoryOpenFindingStore.prototype).filter((name) => name !== 'constructor' && name !== 'nowSeconds');
    expect(methods.filter((name) => !(`openFindings.${name}` in AWS_API_OF))).toEqual([]);
    const clock = new ManualClock('2026-12-01T12:00:00Z');
    const activity = new ActivityLog(() => clock.now());
    await new MemoryOpenFindingStore(clock, activity).listOpenFindings(`sha256:${'c'.repeat(64)}`);
    expect(activity.counts()).toEqual({ byMethod: { 'openFindings.listOpenFindings': 1 }, aws: 1 });
  });
});
