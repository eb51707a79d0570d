import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { ServiceExposurePort, ServiceNetwork } from '../core/posture/drift-ports';
import { SERVICES_PER_LOOKUP } from '../core/posture/service-exposure';

/**
 * `ServiceExposurePort` on DescribeServices (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html):
 * `services` takes at most 10 names; the answer's `services[]` carry `loadBalancers` and `networkConfiguration.
 * awsvpcConfiguration.assignPublicIp` (API_AwsVpcConfiguration: default DISABLED), and services ECS cannot describe
 * come back in `failures[]` (reason MISSING), which the port leaves out. A deleted service stays describable for a while
 * as INACTIVE: its settings no longer say anything about running tasks, so it is left out too. The gate role holds
 * ecs:DescribeServices on the services of the clusters in scope already (infra/permissions.ts rollBackServices).
 */
export class EcsServiceExposure implements ServiceExposurePort {
  constructor(private readonly options: { client: ECSClient }) {}

  async describeServiceNetworks(cluster: string, services: string[]): Promise<ServiceNetwork[]> {
    if (services.length === 0) return [];
    if (services.length > SERVICES_PER_LOOKUP) throw new RangeError(`DescribeServices takes at most ${SERVICES_PER_LOOKUP} services, got ${services.length}`);
    const result = await this.options.client.send(new DescribeServicesCommand({ cluster, services }));
    return (result.services ?? []).flatMap((service): ServiceNetwork[] => {
      if (!service.serviceName || service.status === 'INACTIVE') return [];
      const awsvpc = service.networkConfiguration?.awsvpcConfiguration;
      return [
        {
          service: service.serviceName,
          loadBalancers: service.loadBalancers?.length ?? 0,
          awsvpc: awsvpc !== undefined,
          ...(awsvpc?.assignPublicIp ? { assignPublicIp: awsvpc.assignPublicIp } : {}),
        },
      ];
    });
  }
}
