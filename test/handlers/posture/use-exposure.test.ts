import { createLogger } from '../../../functions/handlers/logger';
import { EXPOSURE_ANSWER_TTL_MS, resolveUseExposure } from '../../../functions/handlers/posture/use-exposure';
import { buildRuntime } from '../../../functions/handlers/runtime';
import { MemoryServiceExposure } from '../../../functions/local/service-exposure';
import { taskUse } from '../../support/inventory-test-double';
import { createWorld, policyOf } from '../support/fakes';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const PROD = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
const task = (n: number) => `arn:aws:ecs:eu-west-1:111122223333:task/prod/${String(n).padStart(32, '0')}`;

function setup() {
  const world = createWorld();
  const services = new MemoryServiceExposure();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  const rt = buildRuntime({ ...world.deps(policyOf()), serviceExposure: services, logger });
  return { world, services, rt, logger, lines };
}

describe('resolveUseExposure', () => {
  it('asks about a service once while its answer is fresh, and again after', async () => {
    const s = setup();
    s.services.setService(PROD, { service: 'web', loadBalancers: 1, awsvpc: true });
    const uses = [taskUse(DIGEST, { taskArn: task(1) })];
    const first = await resolveUseExposure(s.rt, uses, s.logger);
    s.world.clock.advance(EXPOSURE_ANSWER_TTL_MS - 1);
    const second = await resolveUseExposure(s.rt, uses, s.logger);
    expect(second[0].exposure).toEqual(first[0].exposure);
    expect(first[0].exposure).toEqual({ value: 'public', source: 'DescribeServices loadBalancers' });
    expect(s.services.calls).toHaveLength(1);
    s.world.clock.advance(1);
    await resolveUseExposure(s.rt, uses, s.logger);
    expect(s.services.calls).toHaveLength(2);
  });

  it('remembers an answer that settled nothing, but never a failed call', async () => {
    const s = setup();
    const uses = [taskUse(DIGEST, { taskArn: task(1) })];
    expect((await resolveUseExposure(s.rt, uses, s.logger))[0].exposure).toBeUndefined();
    await resolveUseExposure(s.rt, uses, s.logger);
    expect(s.services.calls).toHaveLength(1);
    const other = setup();
    other.services.failingClusters.add(PROD);
    await resolveUseExposure(other.rt, uses, other.logger);
    other.services.failingClusters.clear();
    other.services.setService(PROD, { service: 'web', loadBalancers: 0, awsvpc: true });
    expect((await resolveUseExposure(other.rt, uses, other.logger))[0].exposure?.value).toBe('internal');
    expect(other.services.calls).toHaveLength(2);
    expect(other.world.metrics.total('ExposureLookupsFailed')).toBe(1);
  });

  it('makes at most 10 calls for one change and says how many services it left', async () => {
    const s = setup();
    const uses = Array.from({ length: 120 }, (_, n) => taskUse(DIGEST, { taskArn: task(n), service: `svc-${String(n).padStart(3, '0')}` }));
    await resolveUseExposure(s.rt, uses, s.logger);
    expect(s.services.calls).toHaveLength(10);
    expect(s.services.calls.every((call) => call.services.length === 10)).toBe(true);
    expect(s.lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith('exposure of some services not looked up'))).toMatchObject({ services: 20 });
  });

  it('makes no call without a port, for standalone tasks, or for uses whose exposure is known', async () => {
    const s = setup();
    const known = taskUse(DIGEST, { taskArn: task(1), exposure: { value: 'public', source: 'a public IP is assigned (RunTask)' } });
    const standalone = taskUse(DIGEST, { taskArn: task(2), service: undefined });
    expect(await resolveUseExposure(s.rt, [known, standalone], s.logger)).toEqual([known, standalone]);
    expect(s.services.calls).toHaveLength(0);
    const { serviceExposure: _none, ...withoutPort } = s.rt;
    expect(await resolveUseExposure(withoutPort, [taskUse(DIGEST)], s.logger)).toEqual([taskUse(DIGEST)]);
  });
});
