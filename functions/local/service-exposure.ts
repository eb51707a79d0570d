import type { ServiceExposurePort, ServiceNetwork } from '../core/posture/drift-ports';
import type { WorldService } from './ecs';

/** `ServiceExposurePort` in memory (simulate and tests): the services set per cluster, and the calls made. */
export class MemoryServiceExposure implements ServiceExposurePort {
  readonly calls: { cluster: string; services: string[] }[] = [];
  private readonly networks = new Map<string, ServiceNetwork>();
  /** Clusters whose lookups fail, as an ECS error would. */
  readonly failingClusters = new Set<string>();

  setService(cluster: string, network: ServiceNetwork): void {
    this.networks.set(`${cluster}/${network.service}`, network);
  }

  async describeServiceNetworks(cluster: string, services: string[]): Promise<ServiceNetwork[]> {
    this.calls.push({ cluster, services: [...services] });
    if (this.failingClusters.has(cluster)) throw new Error(`DescribeServices failed for ${cluster}`);
    return services.flatMap((service) => {
      const network = this.networks.get(`${cluster}/${service}`);
      return network ? [network] : [];
    });
  }
}

/** The simulated world's services, as `WorldServiceExposure` reads them. */
export interface WorldServices {
  findService(name: string, cluster?: string): Pick<WorldService, 'name' | 'launch'> | undefined;
}

/**
 * `ServiceExposurePort` on the simulated world (simulate): DescribeServices as the adapter reads it, from each service's
 * launch settings (`assignPublicIp`, whether `loadBalancers[]` names a target group). Services the world does not
 * have are left out, as ECS reports them in `failures`.
 */
export class WorldServiceExposure implements ServiceExposurePort {
  calls = 0;
  constructor(private readonly world: WorldServices) {}

  async describeServiceNetworks(cluster: string, services: string[]): Promise<ServiceNetwork[]> {
    this.calls += 1;
    return services.flatMap((name): ServiceNetwork[] => {
      const service = this.world.findService(name, cluster);
      return service ? [{ service: service.name, loadBalancers: service.launch.loadBalancer ? 1 : 0, awsvpc: true, assignPublicIp: service.launch.assignPublicIp }] : [];
    });
  }
}
