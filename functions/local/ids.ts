import { createHash } from 'node:crypto';

/**
 * Deterministic identifiers in the formats AWS uses, so a scenario prints the same task ARNs, build ids
 * and event ids on every run (and a test can name them). Derived from a seed and a per-kind counter.
 */
export class IdSource {
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: string = 'fargate-gate') {}

  /** Next `length` lowercase hex characters for `kind`. */
  hex(kind: string, length = 32): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    let out = '';
    for (let block = 0; out.length < length; block += 1) {
      out += createHash('sha256').update(`${this.seed}:${kind}:${n}:${block}`).digest('hex');
    }
    return out.slice(0, length);
  }

  /** RFC 4122 version-4 layout (EventBridge event ids, CodeBuild build ids). */
  uuid(kind: string): string {
    const h = this.hex(kind, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** Decimal digits (ECS deployment ids `ecs-svc/<19 digits>`, service revision ids). */
  digits(kind: string, length: number): string {
    const h = this.hex(kind, length * 2);
    let out = '';
    for (let i = 0; i < length; i += 1) out += String(parseInt(h.slice(i * 2, i * 2 + 2), 16) % 10);
    return out.replace(/^0/, '1');
  }
}

/** Where the fake AWS account lives. */
export interface AwsLocation {
  account: string;
  region: string;
}

export const DEFAULT_LOCATION: AwsLocation = { account: '111122223333', region: 'us-east-1' };

export const arns = {
  cluster: (loc: AwsLocation, name: string): string => `arn:aws:ecs:${loc.region}:${loc.account}:cluster/${name}`,
  task: (loc: AwsLocation, cluster: string, id: string): string => `arn:aws:ecs:${loc.region}:${loc.account}:task/${cluster}/${id}`,
  taskDefinition: (loc: AwsLocation, family: string, revision: number): string =>
    `arn:aws:ecs:${loc.region}:${loc.account}:task-definition/${family}:${revision}`,
  service: (loc: AwsLocation, cluster: string, name: string): string => `arn:aws:ecs:${loc.region}:${loc.account}:service/${cluster}/${name}`,
  serviceRevision: (loc: AwsLocation, cluster: string, service: string, id: string): string =>
    `arn:aws:ecs:${loc.region}:${loc.account}:service-revision/${cluster}/${service}/${id}`,
  serviceDeployment: (loc: AwsLocation, cluster: string, service: string, id: string): string =>
    `arn:aws:ecs:${loc.region}:${loc.account}:service-deployment/${cluster}/${service}/${id}`,
  container: (loc: AwsLocation, cluster: string, id: string): string => `arn:aws:ecs:${loc.region}:${loc.account}:container/${cluster}/${id}`,
  build: (loc: AwsLocation, project: string, id: string): string => `arn:aws:codebuild:${loc.region}:${loc.account}:build/${project}:${id}`,
  rule: (loc: AwsLocation, name: string): string => `arn:aws:events:${loc.region}:${loc.account}:rule/${name}`,
};

/** Cluster name from a name or an ARN (`arn:aws:ecs:r:a:cluster/prod` → `prod`), as ECS accepts either. */
export function clusterName(clusterOrArn: string): string {
  const match = /^arn:aws[\w-]*:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(clusterOrArn);
  return match ? match[1] : clusterOrArn;
}

/** Task id from an id or an ARN (both the `task/<cluster>/<id>` and the old `task/<id>` formats). */
export function taskId(taskOrArn: string): string {
  const slash = taskOrArn.lastIndexOf('/');
  return slash >= 0 ? taskOrArn.slice(slash + 1) : taskOrArn;
}
