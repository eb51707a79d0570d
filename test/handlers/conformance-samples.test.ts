import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTaskDefinition } from '../../functions/core/taskdef';
import { createGate } from '../../functions/handlers/gate';
import { CONFORMANCE_DIR, describeWithConformance } from '../support/conformance';
import { createWorld, policyOf, type World } from './support/fakes';
import { storeVerdict } from './support/scenario';

/**
 * The gate on the real Fargate task events AWS documents (shared/conformance/events): what it does with them, not
 * only that it parses them. Both samples are a standalone task (`group: family:sample-fargate`) running an ECR image
 * whose digest the event carries; the second adds a RunTask environment override.
 */
const sample = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'events', name), 'utf8').replace(/^\uFEFF/, ''));

const SAMPLES = ['ecs-task-state-change-fargate-running-awsdocs.json', 'ecs-task-state-change-fargate-running-env-override-bom-aws-lambda-dotnet.json'];
const DIGEST = 'sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6';
const IMAGE = '111122223333.dkr.ecr.us-west-2.amazonaws.com/hello-repository';
const policy = policyOf();

function worldFor(event: Record<string, any>): World {
  const world = createWorld();
  const arn = event.detail.taskDefinitionArn as string;
  world.taskDefinitions.specs.set(
    arn,
    parseTaskDefinition(
      { taskDefinition: { taskDefinitionArn: arn, family: 'sample-fargate', revision: 1, containerDefinitions: [{ name: 'FargateApp', image: `${IMAGE}:latest` }] } },
      arn,
    ),
  );
  return world;
}

describeWithConformance('the gate on the documented Fargate task events', () => {
  it.each(SAMPLES)('%s: an unknown digest gets exactly one scan, pinned by digest, however often the event comes', async (name) => {
    const event = sample(name);
    const world = worldFor(event);
    const gate = createGate(world.deps(policy));

    await gate.handleEvent(event);
    await gate.handleEvent(event);

    expect(world.scanner.requests).toHaveLength(1);
    expect(world.scanner.requests[0]).toMatchObject({ digest: DIGEST, imageReference: `${IMAGE}@${DIGEST}` });
    expect(world.ecs.stops).toEqual([]);
    expect(world.calls()).not.toContain('ecs.stopTask');
  });

  it.each(SAMPLES)('%s: a known failing digest stops the task, naming the policy and the rule', async (name) => {
    const event = sample(name);
    const world = worldFor(event);
    storeVerdict(world, policy, DIGEST, { reference: `${IMAGE}:latest`, digest: DIGEST, user: 'root', critical: 2 });

    await createGate(world.deps(policy)).handleEvent(event);

    expect(world.scanner.requests).toEqual([]);
    expect(world.ecs.stops).toHaveLength(1);
    const stop = world.ecs.stops[0];
    expect(stop.taskArn).toBe(event.detail.taskArn);
    expect(stop.cluster).toBe(event.detail.clusterArn);
    expect(Buffer.byteLength(stop.reason)).toBeLessThanOrEqual(255);
    expect(stop.reason).toContain(policy.name);
    expect(stop.reason).toMatch(/rootUser|vulnerabilities/);
  });

  it.each(SAMPLES)('%s: a known passing digest costs one read and nothing else', async (name) => {
    const event = sample(name);
    const world = worldFor(event);
    storeVerdict(world, policy, DIGEST, { reference: `${IMAGE}:latest`, digest: DIGEST, user: '1000' });
    // The task definition read is memoised per execution environment; this test counts the steady state.
    await world.taskDefinitions.get(event.detail.taskDefinitionArn);
    world.recorder.reset();

    await createGate(world.deps(policy)).handleEvent(event);

    expect(world.ecs.stops).toEqual([]);
    expect(world.calls().filter((call) => !call.startsWith('taskDefinitions.'))).toEqual(['store.getVerdictsForTask']);
  });

  it('ignores the documented ECR push sample: its digest has 60 hex digits, not a sha256 digest', async () => {
    const world = createWorld();
    const result = await createGate(world.deps(policy)).handleEvent(sample('ecr-image-action-push-awsdocs.json'));
    expect(result.kind).toBe('ignored');
    expect(world.calls()).toEqual([]);
  });
});
