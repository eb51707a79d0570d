import type { EventBridgeEvent } from '../../functions/local/events';
import { REGISTRY, digestOf, world } from './helpers';

describe('Simulation', () => {
  it('delivers each event as the delivery plan says: late, and more than once', async () => {
    const times: [string, number][] = [];
    const w = world({
      images: { app: `${REGISTRY}/shop/api:1.0` },
      simulation: { deliveries: (event) => ((event.detail as { lastStatus?: string }).lastStatus === 'PROVISIONING' ? [30_000, 5_000] : [0]) },
      gate: { handleEvent: async (event) => void times.push([(event as EventBridgeEvent & { detail: { lastStatus: string } }).detail.lastStatus, w.backend.clock.millis()]) },
    });
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    const start = w.backend.clock.millis();
    w.ecs.launchTask({ cluster: 'prod', taskDefinitionArn: w.families.get('app') as string });
    await w.simulation.advance(60_000);
    expect(times.map(([status, at]) => [status, at - start])).toEqual([
      ['PENDING', 0],
      ['RUNNING', 0],
      ['PROVISIONING', 5_000],
      ['PROVISIONING', 30_000],
    ]);
    expect(w.simulation.deliveries.total).toBe(4);
  });

  it('never delivers an event inside the handler call that caused it', async () => {
    const order: string[] = [];
    let depth = 0;
    const w = world({
      images: { app: `${REGISTRY}/shop/api:1.0` },
      gate: {
        handleEvent: async (raw) => {
          const event = raw as EventBridgeEvent & { detail: { lastStatus: string; desiredStatus: string; taskArn: string } };
          depth += 1;
          order.push(`${event.detail.lastStatus}/${event.detail.desiredStatus}@${depth}`);
          if (event.detail.lastStatus === 'PENDING') await w.ecs.stopTask('prod', event.detail.taskArn, 'stop');
          depth -= 1;
        },
      },
    });
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    w.ecs.launchTask({ cluster: 'prod', taskDefinitionArn: w.families.get('app') as string });
    await w.simulation.settle();
    expect(order).toEqual(['PROVISIONING/RUNNING@1', 'PENDING/RUNNING@1', 'PENDING/STOPPED@1', 'STOPPED/STOPPED@1']);
  });

  it('holds events back while capturing and hands them over', async () => {
    const w = world({ images: { app: `${REGISTRY}/shop/api:1.0` } });
    w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    const captured = await w.simulation.captureEvents(async () => {
      w.ecs.launchTask({ cluster: 'prod', taskDefinitionArn: w.families.get('app') as string });
    });
    expect(captured.map((event) => (event.detail as { lastStatus: string }).lastStatus)).toEqual(['PROVISIONING', 'PENDING', 'RUNNING']);
    expect(w.received).toHaveLength(0);
  });

  it('retries a delivery whose handler threw, as Lambda does for asynchronous invocations, and counts the errors', async () => {
    let calls = 0;
    const w = world({
      gate: {
        handleEvent: async () => {
          calls += 1;
          if (calls < 3) throw new Error('DynamoDB throttled');
        },
      },
    });
    w.simulation.sweep();
    await w.simulation.advance(10 * 60_000);
    expect(calls).toBe(3);
    expect(w.simulation.deliveries).toEqual({ total: 3, errors: 2 });
    expect(w.backend.activity.timeline.filter((entry) => entry.kind === 'error')).toHaveLength(2);
  });

  it('runs the sweep on its schedule', async () => {
    const w = world();
    w.simulation.scheduleSweeps(5 * 60_000);
    await w.simulation.advance(16 * 60_000);
    expect(w.received.map((event) => event['detail-type'])).toEqual(['Scheduled Event', 'Scheduled Event', 'Scheduled Event']);
  });

  describe('lifecycle hooks', () => {
    async function hooked(answers: unknown[]) {
      const payloads: Record<string, unknown>[] = [];
      const w = world({
        images: { v1: `${REGISTRY}/shop/api:1.0`, v2: `${REGISTRY}/shop/api:2.0` },
        gate: {
          handleHook: async (payload) => {
            payloads.push(payload as Record<string, unknown>);
            const answer = answers[payloads.length - 1];
            if (answer instanceof Error) throw answer;
            return answer;
          },
        },
      });
      w.backend.images.declare(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
      w.backend.images.declare(`${REGISTRY}/shop/api:2.0`, digestOf('2'));
      const service = w.ecs.createService({ name: 'pay', cluster: 'prod', desiredCount: 1, lifecycleHook: true });
      w.ecs.deploy('pay', 'prod', w.families.get('v1') as string, { completed: true });
      await w.simulation.settle();
      const deployment = w.ecs.deploy('pay', 'prod', w.families.get('v2') as string);
      await w.simulation.invokeHook(service, deployment);
      await w.simulation.advance(10 * 60_000);
      const runsV2 = [...w.ecs.tasks.values()].some((task) => task.deploymentId === deployment.id && task.desiredStatus === 'RUNNING');
      return { payloads, deployment, runsV2, w };
    }

    it('calls back after callBackDelay with the hookDetails returned, and scales up on SUCCEEDED', async () => {
      const { payloads, runsV2, deployment } = await hooked([
        { hookStatus: 'IN_PROGRESS', callBackDelay: 60, hookDetails: { fargateGate: { scans: { x: 'y' } } } },
        { hookStatus: 'SUCCEEDED' },
      ]);
      expect(payloads).toHaveLength(2);
      expect(payloads[0].hookDetails).toBeUndefined();
      expect(payloads[1]).toMatchObject({ executionId: payloads[0].executionId, hookDetails: { fargateGate: { scans: { x: 'y' } } } });
      expect(runsV2).toBe(true);
      expect(deployment.hook).toBe('succeeded');
    });

    it('rolls the deployment back on FAILED, on an answer without a valid hookStatus, and when the function throws', async () => {
      for (const answer of [{ hookStatus: 'FAILED' }, { status: 'OK' }, new Error('crash')]) {
        const { runsV2, deployment, payloads } = await hooked([answer]);
        expect(payloads).toHaveLength(1);
        expect(runsV2).toBe(false);
        expect(deployment.status).toBe('ROLLBACK_SUCCESSFUL');
      }
    });
  });
});
