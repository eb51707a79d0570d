import type { FindingEvent } from './findings';

/** Publishes "Fargate Gate Finding" events (EventBridge in Lambda, memory in simulate and tests). */
export interface FindingEventPort {
  publishFinding(event: FindingEvent): Promise<void>;
}

/** A service's network facts as DescribeServices reports them: what says whether its tasks are reachable from outside. */
export interface ServiceNetwork {
  /** The service's name (DescribeServices `serviceName`). */
  service: string;
  /** Entries of `loadBalancers[]`: a load balancer fronts the service's tasks. */
  loadBalancers: number;
  /** `networkConfiguration.awsvpcConfiguration.assignPublicIp`; absent with an awsvpc configuration means DISABLED. */
  assignPublicIp?: string;
  /** Whether the answer had an awsvpc configuration at all (every Fargate service has one). */
  awsvpc: boolean;
}

/**
 * Reads the network facts of a cluster's services (DescribeServices in Lambda, memory in simulate and tests), called
 * only when a finding opens. At most `SERVICES_PER_LOOKUP` services per call; services ECS did not describe (failures,
 * INACTIVE) are absent from the answer.
 */
export interface ServiceExposurePort {
  describeServiceNetworks(cluster: string, services: string[]): Promise<ServiceNetwork[]>;
}
