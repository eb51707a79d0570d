import { MemberRoleError } from '../../../functions/core/organisation/errors';
import { createGate } from '../../../functions/handlers/gate';
import { accountRoutedPorts } from '../../../functions/handlers/organisation/account-routing';
import { createWorld, policyOf, type World } from '../support/fakes';
import { ACCOUNT, REGION, registerTaskDefinition, taskEvent } from '../support/scenario';

/**
 * A task of the gate's account whose image lives in a registry account the member role cannot be assumed in (a shared
 * registry account with no member stack): the container cannot be judged, so the policy's onScanError decides. The
 * event must not be dropped as a permanent failure, leaving the task running unjudged.
 */

const REGISTRY_ACCOUNT = '777788889999';
const IMAGE = `${REGISTRY_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/shared/web:1`;

function setup(onScanError: 'deny' | 'allow', problem: MemberRoleError): { world: World; gate: ReturnType<typeof createGate> } {
  const world = createWorld();
  registerTaskDefinition(world, 'web', [{ name: 'web', image: IMAGE }]);
  const central = { ecs: world.ecs, taskDefinitions: world.taskDefinitions, registry: world.registry };
  const routed = accountRoutedPorts({
    central: { account: ACCOUNT, region: REGION, ports: central },
    member: () => ({ ...central, registry: { resolveDigest: async () => { throw problem; } } }),
    metrics: world.metrics,
  });
  const policy = policyOf({ onScanError });
  const gate = createGate({ ...world.deps(policy), registry: routed.registry });
  return { world, gate };
}

const refused = () => new MemberRoleError(REGISTRY_ACCOUNT, REGION, 'refused', `cannot assume the member role in ${REGISTRY_ACCOUNT}`);
// A running task ECS reports no digest for: the gate resolves the tag in the registry's account.
const running = () => taskEvent({ lastStatus: 'RUNNING', containers: [{ name: 'web', image: IMAGE }] });

describe('an image tag whose registry account refuses the member role', () => {
  it('is a scan error for that container: judged error under onScanError deny, counted for the registry account', async () => {
    const { world, gate } = setup('deny', refused());
    const result = await gate.handleEvent(running());
    // Judged (not dropped as a failed event), provisionally like any digest the gate resolved itself from a tag.
    expect(result).toMatchObject({ kind: 'taskStateChange', judgement: { decision: 'error' } });
    expect(world.metrics.total('GateErrors', { failure: 'permanent' })).toBe(0);
    expect(world.metrics.total('MemberRoleErrors', { Account: REGISTRY_ACCOUNT, Reason: 'refused' })).toBe(1);
  });

  it('is a scan error for that container: onScanError allow lets the task run with a warning', async () => {
    const { world, gate } = setup('allow', refused());
    const result = await gate.handleEvent(running());
    expect(result).toMatchObject({ kind: 'taskStateChange', judgement: { decision: 'warn' } });
    expect(world.ecs.stops).toEqual([]);
  });

  it('is still retried when the assumption failed for a passing reason (throttling)', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client' });
    const { gate } = setup('deny', new MemberRoleError(REGISTRY_ACCOUNT, REGION, 'failed', 'AssumeRole failed', { cause: throttled }));
    await expect(gate.handleEvent(running())).rejects.toThrow('AssumeRole failed');
  });
});
