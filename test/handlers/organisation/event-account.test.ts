import { createGate } from '../../../functions/handlers/gate';
import { EVENT_ACCOUNT_MISMATCH_METRIC } from '../../../functions/handlers/organisation/event-account';
import { ActivityLog } from '../../../functions/local/activity';
import { MemoryInventoryStore } from '../../../functions/local/memory-inventory';
import { createWorld, policyOf } from '../support/fakes';
import { ACCOUNT, CLUSTER, REGISTRY, digestOf, registerTaskDefinition, storeVerdict, taskEvent } from '../support/scenario';

/**
 * The organisation gate's checks on what arrives on its bus: an event must come from the account of the resources it
 * names, and a member's clusters are scoped by its member stack, not by the central account's cluster list.
 */

const CENTRAL = ACCOUNT;
const MEMBER_A = '444455556666';
const MEMBER_B = '777788889999';
const policy = policyOf();
const APP = digestOf('app');
const containers = [{ name: 'app', image: `${REGISTRY}/web:1`, imageDigest: APP }];

/** A task event as `sender` forwards it, whose task, cluster and task definition belong to `owner`. */
function memberEvent(sender: string, owner: string, input: Parameters<typeof taskEvent>[0] = { containers }): Record<string, unknown> {
  const event = JSON.parse(JSON.stringify(taskEvent(input)).split(ACCOUNT).join(owner)) as Record<string, unknown>;
  return { ...event, account: sender };
}

function setup() {
  const world = createWorld();
  const activity = new ActivityLog(() => world.clock.now());
  const inventory = new MemoryInventoryStore(world.clock, activity);
  registerTaskDefinition(world, 'web', [{ name: 'app', image: `${REGISTRY}/web:1` }]);
  storeVerdict(world, policy, APP, { reference: `${REGISTRY}/web:1`, digest: APP });
  // The central account lists its own cluster only, as a deployment with `clusters` does.
  const gate = createGate({ ...world.deps(policy, { clusterArns: [CLUSTER], organisationAccount: CENTRAL }), inventory });
  return { world, gate, inventory, activity };
}

describe('the organisation gate and the account of an event', () => {
  it('refuses a task event one member sends about another member\'s task: no call, no inventory write, counted for the sender', async () => {
    const { world, gate, activity } = setup();
    const result = await gate.handleEvent(memberEvent(MEMBER_A, MEMBER_B));
    expect(result).toEqual({ kind: 'ignored', reason: expect.stringMatching(`^refused: the event comes from account ${MEMBER_A} but names arn:aws:ecs:eu-west-1:${MEMBER_B}:`), malformed: false });
    expect(world.calls()).toEqual([]);
    expect(activity.counts().byMethod).toEqual({});
    expect(world.metrics.total(EVENT_ACCOUNT_MISMATCH_METRIC, { Account: MEMBER_A })).toBe(1);
  });

  it('refuses a STOPPED event naming another member\'s task: the other member\'s use stays open', async () => {
    const { gate, inventory } = setup();
    await gate.handleEvent(memberEvent(MEMBER_B, MEMBER_B));
    expect(await inventory.listUsesOfDigest(APP)).toHaveLength(1);
    const forged = memberEvent(MEMBER_A, MEMBER_B, { containers, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    expect(await gate.handleEvent(forged)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('refused') });
    expect(await inventory.listUsesOfDigest(APP)).toEqual([expect.objectContaining({ account: MEMBER_B })]);
  });

  it('judges a member\'s own task and records its use under the member account, though the central cluster list does not name its cluster', async () => {
    const { gate, inventory } = setup();
    const result = await gate.handleEvent(memberEvent(MEMBER_A, MEMBER_A));
    expect(result).toMatchObject({ kind: 'taskStateChange', judgement: { status: 'judged' } });
    expect(await inventory.listUsesOfDigest(APP)).toEqual([expect.objectContaining({ account: MEMBER_A, cluster: `arn:aws:ecs:eu-west-1:${MEMBER_A}:cluster/prod` })]);
    const stopped = await gate.handleEvent(memberEvent(MEMBER_A, MEMBER_A, { containers, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    expect(stopped).toMatchObject({ kind: 'taskStopped' });
    expect(await inventory.listUsesOfDigest(APP)).toEqual([]);
  });

  it('still holds the central account to its cluster list', async () => {
    const { gate } = setup();
    const other = JSON.parse(JSON.stringify(taskEvent({ containers })).split(':cluster/prod').join(':cluster/staging')) as Record<string, unknown>;
    expect(await gate.handleEvent(other)).toMatchObject({ kind: 'ignored', reason: 'cluster not in the gate\'s scope' });
  });
});
