import type { ServiceExposurePort, ServiceNetwork } from '../core/posture/drift-ports';

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
