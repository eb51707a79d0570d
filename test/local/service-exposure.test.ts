import { exposureOfService } from '../../functions/core/posture/service-exposure';
import { DEFAULT_SERVICE_LAUNCH, type ServiceLaunch } from '../../functions/local/ecs';
import { WorldServiceExposure } from '../../functions/local/service-exposure';

const CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';

function worldWith(services: Record<string, ServiceLaunch>) {
  return { findService: (name: string) => (services[name] ? { name, launch: services[name] } : undefined) };
}

describe('WorldServiceExposure: DescribeServices on the simulated world', () => {
  it('answers each service with its load balancer and public IP settings, as the adapter reads ECS', async () => {
    const port = new WorldServiceExposure(
      worldWith({ web: { ...DEFAULT_SERVICE_LAUNCH, loadBalancer: true }, edge: { ...DEFAULT_SERVICE_LAUNCH, assignPublicIp: 'ENABLED' }, worker: DEFAULT_SERVICE_LAUNCH }),
    );
    const networks = await port.describeServiceNetworks(CLUSTER, ['web', 'edge', 'worker']);
    expect(networks.map((network) => [network.service, exposureOfService(network)?.value, exposureOfService(network)?.source])).toEqual([
      ['web', 'public', 'DescribeServices loadBalancers'],
      ['edge', 'public', 'DescribeServices networkConfiguration.awsvpcConfiguration.assignPublicIp ENABLED'],
      ['worker', 'internal', 'DescribeServices: no load balancer, assignPublicIp DISABLED'],
    ]);
    expect(port.calls).toBe(1);
  });

  it('leaves out a service the world does not have, as ECS reports it in failures', async () => {
    const port = new WorldServiceExposure(worldWith({ web: DEFAULT_SERVICE_LAUNCH }));
    expect((await port.describeServiceNetworks(CLUSTER, ['web', 'gone'])).map((network) => network.service)).toEqual(['web']);
  });
});
