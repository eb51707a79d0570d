import { randomUUID } from 'node:crypto';
// The policy modules themselves, not the core/policy index (which brings the image assessment, needed only when a
// report is judged and imported then: scans/scan-records.ts).
import { maxScanAgeMs } from '../core/policy/scan-age';
import type { LoadedPolicy } from '../core/policy/input';
import type { Policy } from '../core/policy/schema';
import { onceAsync } from '../adapters/once-async';
import type { Clock, GatePorts, MetricsPort, TaskDefinitionPort } from '../core/ports';
import type { FindingEventPort, ServiceExposurePort } from '../core/posture/drift-ports';
import type { OpenFindingStore } from '../core/posture/open-findings';
import type { InventoryStore } from '../core/posture/ports';
import type { TaskDefinitionSpec } from '../core/taskdef/model';
import { resolveConfig, type GateConfig } from './config';
import { silentLogger, type Logger } from './logger';
import type { KevCatalogueReader, KevCatalogueSource } from './kev/catalogue-source';
import { StandingScanErrors } from './scans/standing-errors';

/** Everything the gate needs from outside, injected: AWS adapters in Lambda, in-memory ports in simulate, tests and the benchmark. */
export interface GateDependencies extends GatePorts {
  policy: LoadedPolicy<Policy>;
  config?: Partial<GateConfig>;
  logger?: Logger;
  /** New scan ids; `randomUUID` by default (deterministic in simulations). */
  newId?: () => string;
  /** A number in [0, 1) for back-off jitter; `Math.random` by default. */
  random?: () => number;
  /**
   * The inventory: task events record which tasks run which digests into it (posture/record-uses.ts), and the posture
   * sweep, drift and the Inspector path read the same store. Without it nothing is recorded and new verdicts are
   * stored without drift handling.
   */
  inventory?: InventoryStore;
  /** The KEV catalogue the stack keeps (infra/kev-catalogue.ts), when it keeps one: verdicts then count its listings. */
  kevCatalogue?: KevCatalogueReader;
  /** Where "Fargate Gate Finding" events go (EventBridge in Lambda, memory in simulate); none published when absent. */
  findingEvents?: FindingEventPort;
  /**
   * The findings whose opened event went out and whose resolved event has not (posture/verdict-change.ts): a resolved
   * event lost to a failed publish goes out with the digest's next verdict. Without it only the verdict that stops
   * denying a finding resolves it.
   */
  openFindings?: OpenFindingStore;
  /** Settles the exposure of service tasks when a finding opens (DescribeServices); the events say `unknown` without it. */
  serviceExposure?: ServiceExposurePort;
}

/** The dependencies with defaults filled in, shared by the use cases of one gate. */
export interface GateRuntime extends Omit<GateDependencies, 'config' | 'logger' | 'newId' | 'random'> {
  config: GateConfig;
  logger: Logger;
  newId: () => string;
  random: () => number;
  /** The policy's maxScanAge in ms, computed once. */
  maxScanAgeMs?: number;
  /** Scan errors this execution environment saw in force: which tasks read the scan record before adding a waiter. */
  standingScanErrors: StandingScanErrors;
  /** The KEV catalogue, read at most once per TTL per execution environment; absent when the stack keeps none. */
  kev?: Pick<KevCatalogueSource, 'get'>;
}

export function buildRuntime(deps: GateDependencies): GateRuntime {
  const config = resolveConfig(deps.config);
  return {
    ...deps,
    taskDefinitions: memoizeTaskDefinitions(deps.taskDefinitions, config.taskDefinitionCacheSize),
    config,
    logger: deps.logger ?? silentLogger(),
    newId: deps.newId ?? randomUUID,
    random: deps.random ?? Math.random,
    maxScanAgeMs: maxScanAgeMs(deps.policy),
    standingScanErrors: new StandingScanErrors(),
    ...(deps.kevCatalogue ? { kev: kevCatalogueSource(deps.kevCatalogue, deps.clock, deps.metrics, (deps.logger ?? silentLogger()).child({ kind: 'kevCatalogue' })) } : {}),
  };
}

/**
 * The KEV catalogue source, its module (and the catalogue's schema) imported on the first read: only a report judged
 * under a policy with knownExploited reads the catalogue, never a cold start. One source per runtime, so its cache holds.
 */
function kevCatalogueSource(reader: KevCatalogueReader, clock: Clock, metrics: MetricsPort, log: Logger): Pick<KevCatalogueSource, 'get'> {
  const source = onceAsync(async () => new (await import('./kev/catalogue-source')).KevCatalogueSource(reader, clock, metrics, log));
  return { get: async () => (await source()).get() };
}

/**
 * Task definitions are immutable per revision, so one read per execution environment is enough; this keeps a
 * known-digest decision at one store read even when the adapter below has no cache. Concurrent reads of one
 * revision share a promise; a failed read is forgotten so the next event tries again. Least recently used
 * entries go first once `capacity` is reached.
 */
export function memoizeTaskDefinitions(port: TaskDefinitionPort, capacity: number): TaskDefinitionPort {
  const cache = new Map<string, Promise<TaskDefinitionSpec>>();
  return {
    get(taskDefinitionArn: string): Promise<TaskDefinitionSpec> {
      const hit = cache.get(taskDefinitionArn);
      if (hit) {
        cache.delete(taskDefinitionArn);
        cache.set(taskDefinitionArn, hit);
        return hit;
      }
      const pending = port.get(taskDefinitionArn);
      cache.set(taskDefinitionArn, pending);
      pending.catch(() => {
        if (cache.get(taskDefinitionArn) === pending) cache.delete(taskDefinitionArn);
      });
      while (cache.size > Math.max(1, capacity)) cache.delete(cache.keys().next().value as string);
      return pending;
    },
  };
}
