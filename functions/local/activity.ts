import type { VerdictEvent } from '../core/ports';

/**
 * What the gate did to the (fake) AWS world, one entry per effectful port call, plus counters for
 * every port call. `simulate` prints the actions; tests and the benchmark read both.
 */
export type GateAction =
  | (ActionBase & {
      type: 'startScan';
      digest: string;
      imageReference: string;
      scanId: string;
      reportKey: string;
      /** Set when CodeBuild accepted the build. */
      buildId?: string;
      /** Set when CodeBuild refused for capacity; the gate is expected to retry later. */
      refused?: string;
      /** The same scan id within CodeBuild's 5-minute idempotency window: no new build. */
      replayed?: boolean;
    })
  | (ActionBase & {
      type: 'stopTask';
      cluster: string;
      taskArn: string;
      reason: string;
      /** The task had already been asked to stop (or had stopped): StopTask changes nothing. */
      alreadyStopped: boolean;
      /** ECS does not know the task (never existed here, or stopped over an hour ago). */
      notFound?: boolean;
    })
  | (ActionBase & {
      type: 'rollbackDeployment';
      cluster: string;
      service: string;
      reason: string;
      /** `restored`: UpdateService back to the revision a completed bad deployment replaced (`taskDefinitionArn`). */
      outcome: 'rolledBack' | 'nothingToRollBack' | 'restored';
      deploymentArn?: string;
      taskDefinitionArn?: string;
      /** A rollback already under way was reported again; ECS was not asked a second time. */
      repeated?: boolean;
    })
  | (ActionBase & { type: 'continueServiceDeployment'; cluster: string; service: string; serviceDeploymentArn: string; hookId: string; action: 'CONTINUE' | 'ROLLBACK' })
  | (ActionBase & { type: 'scaleService'; cluster: string; service: string; desiredCount: number; previousCount: number })
  | (ActionBase & { type: 'notify'; event: VerdictEvent })
  | (ActionBase & {
      type: 'hookResponse';
      service: string;
      serviceRevisionArn: string;
      /** The value the gate returned to ECS, or the error it threw (ECS treats both a throw and no status as a failure). */
      response?: unknown;
      error?: string;
    });

export type GateActionType = GateAction['type'];

interface ActionBase {
  /** ISO-8601 simulated time. */
  at: string;
  /** Label of the event or hook invocation the gate was handling (`#12`), when known. */
  trigger?: string;
}

/** Port method → AWS API it stands for. The figures count these, so the naming says what a real deployment would pay. */
export const AWS_API_OF: Record<string, string> = {
  'store.getVerdict': 'dynamodb:GetItem',
  'store.getVerdicts': 'dynamodb:BatchGetItem',
  'store.getVerdictsForTask': 'dynamodb:BatchGetItem',
  'store.getLatestVerdict': 'dynamodb:Query',
  'store.putVerdict': 'dynamodb:PutItem',
  'store.claimScan': 'dynamodb:PutItem',
  'store.getScan': 'dynamodb:GetItem',
  'store.updateScan': 'dynamodb:UpdateItem',
  'store.listUnfinishedScans': 'dynamodb:Query',
  'store.addWaiter': 'dynamodb:PutItem',
  'store.listWaiters': 'dynamodb:Query',
  'store.removeWaiter': 'dynamodb:DeleteItem',
  'store.claimEnforcement': 'dynamodb:PutItem',
  'store.releaseEnforcement': 'dynamodb:DeleteItem',
  'store.advanceTaskVersion': 'dynamodb:UpdateItem',
  'store.rememberLauncher': 'dynamodb:PutItem',
  'store.getLauncher': 'dynamodb:GetItem',
  // The Lambda-compute slots (adapters/dynamo-lambda-slots.ts): a Query of the slots, then the conditional write.
  'lambdaSlots.claim': 'dynamodb:PutItem',
  'lambdaSlots.claimOverflow': 'dynamodb:PutItem',
  'lambdaSlots.release': 'dynamodb:DeleteItem',
  'inventory.recordUse': 'dynamodb:UpdateItem',
  'inventory.closeTask': 'dynamodb:Query',
  'inventory.closeUse': 'dynamodb:UpdateItem',
  'inventory.nameLauncher': 'dynamodb:Query',
  'inventory.nameLauncherUse': 'dynamodb:UpdateItem',
  'inventory.listUsesOfDigest': 'dynamodb:Query',
  'inventory.listDigestsInUse': 'dynamodb:Query',
  'inventory.listOpenUsesInCluster': 'dynamodb:Query',
  'inventory.listOpenUses': 'dynamodb:Query',
  'inventory.listOpenClusters': 'dynamodb:Query',
  'inventory.getReconcileCursor': 'dynamodb:GetItem',
  'inventory.putReconcileCursor': 'dynamodb:PutItem',
  'openFindings.listOpenFindings': 'dynamodb:Query',
  'openFindings.recordOpenFinding': 'dynamodb:PutItem',
  'openFindings.closeOpenFinding': 'dynamodb:DeleteItem',
  'ecs.listTaskPage': 'ecs:ListTasks',
  'ecs.describeTaskBatch': 'ecs:DescribeTasks',
  'ecs.listClusterPage': 'ecs:ListClusters',
  'ecs.taskDefinitionTags': 'ecs:DescribeTaskDefinition',
  'ecs.describeTasks': 'ecs:DescribeTasks',
  'ecs.stopTask': 'ecs:StopTask',
  'ecs.rollbackDeployment': 'ecs:StopServiceDeployment',
  'ecs.scaleService': 'ecs:UpdateService',
  'ecs.restoreServiceRevision': 'ecs:UpdateService',
  'ecs.describeServiceRevision': 'ecs:DescribeServiceRevisions',
  'ecs.describePausedDeployments': 'ecs:DescribeServiceDeployments',
  'ecs.continueServiceDeployment': 'ecs:ContinueServiceDeployment',
  'taskDefinitions.get': 'ecs:DescribeTaskDefinition',
  'registry.resolveDigest': 'ecr:DescribeImages',
  'registry.imageSize': 'ecr:DescribeImages',
  'scanner.startScan': 'codebuild:StartBuild',
  'scanner.getBuildStatuses': 'codebuild:BatchGetBuilds',
  'reports.getReport': 's3:GetObject',
  'notifier.publishVerdict': 'events:PutEvents',
};

export interface CallCounts {
  /** Calls per port method (`ecs.stopTask`). */
  byMethod: Record<string, number>;
  /** Calls that reach AWS in a deployment: every key of `AWS_API_OF` (cache hits excluded). */
  aws: number;
}

export interface WorldNote {
  at: string;
  trigger?: string;
  text: string;
}

/** One line of a simulation's story, in the order things happened. */
export type TimelineEntry =
  | { kind: 'event'; at: string; label: string; detailType: string; summary: string; event: unknown; duplicate?: boolean }
  | { kind: 'hook'; at: string; label: string; summary: string; payload: unknown }
  | { kind: 'error'; at: string; label: string; message: string }
  /** `routine`: why the event needed nothing of the gate, when that is routine (describe.ts `routineReason`); timelines summarise those. */
  | { kind: 'result'; at: string; label: string; text: string; routine?: string }
  | { kind: 'step'; at: string; text: string }
  | { kind: 'action'; action: GateAction }
  | { kind: 'note'; note: WorldNote }
  | GateLogLine;

/**
 * One line the gate's functions wrote to their log (a JSON log line, or an EMF metrics document), as CloudWatch Logs
 * would hold it: `text` verbatim, `record` its parsed fields ({} when it is not JSON).
 */
export interface GateLogLine {
  kind: 'log';
  at: string;
  trigger?: string;
  source: 'log' | 'metrics';
  text: string;
  record: Record<string, unknown>;
}

export class ActivityLog {
  readonly actions: GateAction[] = [];
  readonly notes: WorldNote[] = [];
  readonly timeline: TimelineEntry[] = [];
  private readonly calls = new Map<string, number>();
  private awsCalls = 0;
  /** Label of what the gate is handling right now; set by the simulation around each delivery. */
  trigger: string | undefined;
  /** When false, actions are counted but not kept (the benchmark replays tens of thousands of events). */
  keepActions = true;

  constructor(private readonly now: () => Date) {}

  /** Counts one port call. `awsCall` false for calls a deployment answers from memory (a cache hit). */
  call(method: string, awsCall = true): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    if (awsCall && method in AWS_API_OF) this.awsCalls += 1;
  }

  record<T extends GateAction['type']>(type: T, fields: Omit<Extract<GateAction, { type: T }>, 'type' | 'at' | 'trigger'>): void {
    this.actionCounts.set(type, (this.actionCounts.get(type) ?? 0) + 1);
    if (!this.keepActions) return;
    const action = { type, at: this.now().toISOString(), ...(this.trigger ? { trigger: this.trigger } : {}), ...fields } as unknown as GateAction;
    this.actions.push(action);
    this.timeline.push({ kind: 'action', action });
  }

  private readonly actionCounts = new Map<string, number>();

  /** How many actions of a type were recorded (kept or not). */
  actionCount(type: GateActionType): number {
    return this.actionCounts.get(type) ?? 0;
  }

  /** Something the world did on its own (ECS replaced a task, a build finished): shown in timelines, not an action. */
  note(text: string): void {
    if (!this.keepActions) return;
    const note = { at: this.now().toISOString(), ...(this.trigger ? { trigger: this.trigger } : {}), text };
    this.notes.push(note);
    this.timeline.push({ kind: 'note', note });
  }

  /** Adds an event, hook call, handler error or step marker to the timeline. */
  log(entry: Exclude<TimelineEntry, { kind: 'action' } | { kind: 'note' } | { kind: 'log' }>): void {
    if (this.keepActions) this.timeline.push(entry);
  }

  /** A line the gate wrote to its log (one JSON document, with or without its newline), under what it was handling. */
  gateLog(source: GateLogLine['source'], line: string): void {
    if (!this.keepActions) return;
    const text = line.replace(/\n$/, '');
    let record: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) record = parsed as Record<string, unknown>;
    } catch {
      // Kept as text: whatever the gate wrote is what on-call would see.
    }
    this.timeline.push({ kind: 'log', at: this.now().toISOString(), ...(this.trigger ? { trigger: this.trigger } : {}), source, text, record });
  }

  counts(): CallCounts {
    return { byMethod: Object.fromEntries([...this.calls.entries()].sort(([a], [b]) => a.localeCompare(b))), aws: this.awsCalls };
  }

  /** Total AWS calls so far; the benchmark takes differences around each event. */
  awsCallTotal(): number {
    return this.awsCalls;
  }
}
