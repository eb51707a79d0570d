import type { TaskUse } from './ports';

/**
 * Where a digest runs, who owns it and whether it is reachable from outside, from its open uses alone (what the
 * inventory recorded, no further call): the context every drift notice and "Fargate Gate Finding" event carries, so
 * an alert can be acted on without looking anything up. Lists are sorted, distinct and capped at `MAX_CONTEXT_ITEMS`
 * (a digest run by thousands of tasks still makes a bounded notice); `tasks` counts them all.
 */
export interface UseContext {
  tasks: number;
  clusters: string[];
  /** `<cluster ARN>/<service>` for the service tasks among the uses. */
  services: string[];
  taskDefinitions: string[];
  /** Who launched the tasks (CloudTrail RunTask principals), when the gate knows it. */
  launchedBy: string[];
  /** The task definitions' tags, key → the distinct values the tasks' task definitions give it. */
  ownerTags: Record<string, string[]>;
  /**
   * `public` when any task is reachable from outside (a public IP), `internal` when every task is known not to be,
   * `unknown` otherwise (a task whose launch facts did not settle it: the policy's `exposure.unknownAs` judged it).
   */
  exposure: 'public' | 'internal' | 'unknown';
  exposureCounts: { public: number; internal: number; unknown: number };
}

export const MAX_CONTEXT_ITEMS = 50;

const distinct = (values: Iterable<string>): string[] => [...new Set(values)].sort().slice(0, MAX_CONTEXT_ITEMS);

export function useContext(uses: readonly TaskUse[]): UseContext {
  const counts = { public: 0, internal: 0, unknown: 0 };
  const tagValues = new Map<string, Set<string>>();
  for (const use of uses) {
    counts[use.exposure?.value ?? 'unknown'] += 1;
    for (const [key, value] of Object.entries(use.taskDefinitionTags ?? {})) {
      if (!tagValues.has(key) && tagValues.size >= MAX_CONTEXT_ITEMS) continue;
      tagValues.set(key, (tagValues.get(key) ?? new Set()).add(value));
    }
  }
  const ownerTags: Record<string, string[]> = {};
  for (const key of [...tagValues.keys()].sort()) {
    Object.defineProperty(ownerTags, key, { value: distinct(tagValues.get(key) ?? []), enumerable: true, writable: true, configurable: true });
  }
  return {
    tasks: uses.length,
    clusters: distinct(uses.map((use) => use.cluster)),
    services: distinct(uses.flatMap((use) => (use.service ? [`${use.cluster}/${use.service}`] : []))),
    taskDefinitions: distinct(uses.map((use) => use.taskDefinitionArn)),
    launchedBy: distinct(uses.flatMap((use) => (use.launchedBy ? [use.launchedBy] : []))),
    ownerTags,
    exposure: counts.public > 0 ? 'public' : uses.length > 0 && counts.internal === uses.length ? 'internal' : 'unknown',
    exposureCounts: counts,
  };
}
