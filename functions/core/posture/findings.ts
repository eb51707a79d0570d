import { evaluatePolicy } from '../policy/evaluate';
import type { DriftMark, ImageAssessment, LoadedPolicy } from '../policy/input';
import type { Policy } from '../policy/schema';
import type { Violation } from '../result/model';
import { findingStoreKey } from './finding-store-key';
import type { TaskUse } from './ports';
import { useContext, type UseContext } from './use-context';

/**
 * What changed between two verdicts of one digest, finding by finding, both judged under the current policy (pure; the
 * posture handlers act on it). The previous verdict may be of an earlier policy (the first verdict after an edit):
 * its drift marks carry over, and what it denied is compared as with any previous verdict. A finding is named by (rule, id): a CVE in two packages of the image is one finding.
 */
export interface VerdictChange {
  /** Denied now, not denied by the previous verdict (or there was none under this policy). */
  opened: Violation[];
  /** Every finding denied now (`opened` among them): the opened events to make sure of, an earlier one may have been lost. */
  denied: Violation[];
  /** Denied by the previous verdict, not now. */
  resolved: Violation[];
  /** Opened findings the previous verdict of the same policy allowed: drift (empty without one; see `previousPolicy`). */
  drifted: Violation[];
  /** The drift marks the new verdict carries: those still denied keep their first `openedAt`, new ones open now. */
  marks: DriftMark[];
}

const findingKey = (v: Pick<Violation, 'rule' | 'id'>) => `${v.rule}:${v.id}`;

/**
 * The image's denied findings as the policy judges the image alone (no task, no launch scope: exceptions scoped to a
 * cluster or service do not apply), drift marks left out so a finding in its grace still counts as denied.
 */
export function deniedFindings(policy: LoadedPolicy<Policy>, digest: string, assessment: ImageAssessment, now: Date): Violation[] {
  const { drift: _drift, ...plain } = assessment;
  const result = evaluatePolicy(policy, { containers: [{ digest, assessment: plain }], context: {}, now });
  const byKey = new Map<string, Violation>();
  for (const violation of result.violations) {
    if (violation.action === 'deny' && !byKey.has(findingKey(violation))) byKey.set(findingKey(violation), violation);
  }
  return [...byKey.values()];
}

export function compareVerdicts(
  policy: LoadedPolicy<Policy>,
  digest: string,
  previous: ImageAssessment | undefined,
  next: ImageAssessment,
  now: Date,
  /**
   * `other` when the previous verdict is of an earlier policy. Its candidates carry that policy's rule actions, so a
   * finding only the edit denies shows as opened: enforced as the new policy says, not drift (the grace is for new
   * vulnerability data, not for an operator's edit). Marks the previous verdict carries still keep their grace.
   */
  previousPolicy: 'same' | 'other' = 'same',
): VerdictChange {
  const before = previous ? new Map(deniedFindings(policy, digest, previous, now).map((v) => [findingKey(v), v])) : new Map<string, Violation>();
  const after = deniedFindings(policy, digest, next, now);
  const afterKeys = new Set(after.map(findingKey));
  const opened = after.filter((v) => !before.has(findingKey(v)));
  const resolved = [...before.values()].filter((v) => !afterKeys.has(findingKey(v)));
  const drifted = previous && previousPolicy === 'same' ? opened : [];
  const kept = (previous?.drift ?? []).filter((mark) => afterKeys.has(findingKey(mark)));
  const keptKeys = new Set(kept.map(findingKey));
  const marks = [
    ...kept,
    ...drifted.filter((v) => !keptKeys.has(findingKey(v))).map((v) => ({ rule: v.rule, id: v.id, openedAt: now.toISOString() })),
  ];
  return { opened, denied: after, resolved, drifted, marks };
}

// ---------- "Fargate Gate Finding" events ----------

export type FindingState = 'opened' | 'resolved';

/** Where a digest runs, as the inventory knows it without further calls. */
export interface FindingEventUse {
  cluster: string;
  service?: string;
  taskDefinitionArn: string;
  taskArn: string;
  deploymentId?: string;
  launchedBy?: string;
  /** Whether this task is reachable from outside, and the fact that says so (`unknown`: no launch fact settled it). */
  exposure: 'public' | 'internal' | 'unknown';
  exposureSource?: string;
  /** The task definition's tags. */
  taskDefinitionTags?: Record<string, string>;
}

/**
 * The detail of a "Fargate Gate Finding" event: a running image gained (`opened`) or lost (`resolved`) a denied
 * finding under one policy. `correlationId` is the same for the opened and the resolved event of one (digest,
 * finding) under every policy, so a ticketing rule can close the ticket it opened even after a policy edit.
 */
export interface FindingEvent {
  state: FindingState;
  correlationId: string;
  digest: string;
  policy: { name: string; hash: string };
  finding: {
    rule: string;
    id: string;
    severity: string;
    message: string;
    package?: string;
    installedVersion?: string;
    fixedVersion?: string;
    primaryUrl?: string;
  };
  /**
   * The exploit data the policy's rules saw: CISA KEV listing, EPSS score, and `matchedBy`, the parts of the rule that
   * denied the finding (`severity`, `knownExploited`, `epss`, `exposure.public.epss`, `fixAge`, ...).
   */
  exploit: {
    matchedBy: string[];
    knownExploited?: string;
    kevDateAdded?: string;
    kevDueDate?: string;
    kevRansomware?: string;
    epss?: number;
    epssPercentile?: number;
    epssDate?: string;
  };
  /** Present when the finding drifted in (the previous verdict of the same policy allowed it). */
  drift?: { openedAt: string };
  /** Where the digest runs (open task uses), at most `MAX_EVENT_USES`; `totalUses` counts them all. */
  uses: FindingEventUse[];
  totalUses: number;
  /** Who launched the tasks (CloudTrail RunTask principals), the owners the gate knows without further calls. */
  owners: string[];
  /** The tasks' task definitions' tags (key → values): route a ticket by `detail.ownerTags.team`. */
  ownerTags: Record<string, string[]>;
  /** Distinct clusters, `<cluster>/<service>` and task definitions of every open use (capped, see `useContext`). */
  clusters: string[];
  services: string[];
  taskDefinitions: string[];
  /**
   * Whether the tasks are reachable from outside: `public` when any is (a public IP), `internal` when every task is
   * known not to be, `unknown` otherwise (the policy judged those by its `exposure.unknownAs`); counts per value.
   */
  exposure: UseContext['exposure'];
  exposureCounts: UseContext['exposureCounts'];
  /** ISO-8601 */
  at: string;
}

export const MAX_EVENT_USES = 50;

/**
 * One key per (digest, finding): the claim the opened event takes, and the events' correlation id. No policy hash: a
 * policy edit must neither reopen the tickets of findings still denied nor strand them with an id never resolved.
 */
export function findingCorrelationId(digest: string, finding: Pick<Violation, 'rule' | 'id'>): string {
  // The stored form of the finding (a long id hashed): the claims' partition key stays within DynamoDB's bound.
  return `finding#${digest}#${findingStoreKey(finding)}`;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function compact<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

export function buildFindingEvent(input: {
  state: FindingState;
  digest: string;
  violation: Violation;
  policy: { name: string; hash: string };
  uses: readonly TaskUse[];
  drift?: DriftMark;
  at: Date;
}): FindingEvent {
  const { violation, uses } = input;
  const details = violation.details ?? {};
  const sorted = [...uses].sort((a, b) => a.taskArn.localeCompare(b.taskArn));
  const context = useContext(uses);
  return {
    state: input.state,
    correlationId: findingCorrelationId(input.digest, violation),
    digest: input.digest,
    policy: input.policy,
    finding: compact({
      rule: violation.rule,
      id: violation.id,
      severity: violation.severity,
      message: violation.message,
      package: text(details.package),
      installedVersion: text(details.installedVersion),
      fixedVersion: text(details.fixedVersion),
      primaryUrl: text(details.primaryUrl),
    }),
    exploit: compact({
      matchedBy: (text(details.matchedBy) ?? '').split(',').filter((part) => part !== ''),
      knownExploited: text(details.knownExploited),
      kevDateAdded: text(details.kevDateAdded),
      kevDueDate: text(details.kevDueDate),
      kevRansomware: text(details.kevRansomware),
      epss: number(details.epss),
      epssPercentile: number(details.epssPercentile),
      epssDate: text(details.epssDate),
    }),
    ...(input.drift ? { drift: { openedAt: input.drift.openedAt } } : {}),
    uses: sorted.slice(0, MAX_EVENT_USES).map((use) =>
      compact({
        cluster: use.cluster,
        service: use.service,
        taskDefinitionArn: use.taskDefinitionArn,
        taskArn: use.taskArn,
        deploymentId: use.deploymentId,
        launchedBy: use.launchedBy,
        exposure: use.exposure?.value ?? ('unknown' as const),
        exposureSource: use.exposure?.source,
        taskDefinitionTags: use.taskDefinitionTags,
      }),
    ),
    totalUses: uses.length,
    owners: context.launchedBy,
    ownerTags: context.ownerTags,
    clusters: context.clusters,
    services: context.services,
    taskDefinitions: context.taskDefinitions,
    exposure: context.exposure,
    exposureCounts: context.exposureCounts,
    at: input.at.toISOString(),
  };
}
