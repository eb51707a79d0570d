import type { TaskSnapshot } from '../gate/task';
import { metaOf, readEnvelope, type EventEnvelope, type EventMeta } from './common';
import type { FinalBuildStatus } from './codebuild-build-state-change';
import type { StoppedTask } from './ecs-task-stopped';
import type { PausedHookEvent } from './ecs-hook-state-change';

/** Everything the gate's event function can be asked to do. An event that is none of these is `ignored`. */
export type GateEvent =
  | { kind: 'taskStateChange'; meta: EventMeta; task: TaskSnapshot }
  /** A task's last event (lastStatus STOPPED): it closes the task's uses in the inventory and is never judged. */
  | { kind: 'taskStopped'; meta: EventMeta; task: StoppedTask }
  | { kind: 'runTaskCall'; meta: EventMeta; launchedBy?: string; tasks: TaskSnapshot[] }
  | {
      kind: 'scanBuildFinished';
      meta: EventMeta;
      buildId: string;
      projectName: string;
      status: FinalBuildStatus;
      /** The build's PLAINTEXT environment variables, when the event carries them (SCAN_ID, IMAGE_DIGEST, ...). */
      environment?: Record<string, string>;
      /** The first phase that did not succeed, when the event lists phases (decides the EC2 fallback). */
      failedPhase?: string;
      /** The exit status of the command that failed that phase, when its phase context says (decides the EC2 fallback). */
      failedPhaseExitStatus?: number;
    }
  | { kind: 'imagePushed'; meta: EventMeta; digest: string; imageReference: string; repositoryName: string; tag?: string }
  | ({ kind: 'hookAwaitingAction'; meta: EventMeta } & PausedHookEvent)
  | { kind: 'sweep'; meta: EventMeta }
  /** An Amazon Inspector finding: read leniently by handlers/posture/inspector.ts (a digest in use is re-judged now). */
  | { kind: 'inspectorFinding'; meta: EventMeta; event: unknown }
  | { kind: 'ignored'; meta: EventMeta; reason: string; malformed: boolean };

export type GateEventKind = GateEvent['kind'];

export interface ClassifyOptions {
  /** The gate's CodeBuild scan project: build events of other projects are not ours. */
  scanProjectName?: string;
  /** The EC2 fallback project of a scan project on Lambda compute: its builds are the gate's scans too. */
  fallbackScanProjectName?: string;
  /** Cluster ARNs in scope; empty or absent means every cluster. */
  clusterArns?: readonly string[];
  /** The central account of an organisation deployment: the cluster list holds for its clusters only. */
  centralAccount?: string;
}

/** The kinds whose detail a reader must read (the others are decided by routing alone). */
export type DetailKind = 'taskStateChange' | 'taskStopped' | 'runTaskCall' | 'scanBuildFinished' | 'imagePushed' | 'hookAwaitingAction';

/**
 * Reads the detail of an event routed to one kind: that kind, or `ignored` with a reason. Pure and total. Each lives
 * beside the reader of its detail (core/events/<detail type>.ts), so a caller can load one kind's reader alone.
 */
export type DetailReader = (event: EventEnvelope, meta: EventMeta, options: ClassifyOptions) => GateEvent;

/** Where routing sent an event: decided already, or to the reader of one kind. */
export type Routing = { decided: GateEvent } | { kind: DetailKind; event: EventEnvelope; meta: EventMeta };

const DETAIL_TYPES = {
  taskStateChange: 'ECS Task State Change',
  cloudTrail: 'AWS API Call via CloudTrail',
  buildStateChange: 'CodeBuild Build State Change',
  imageAction: 'ECR Image Action',
  scheduled: 'Scheduled Event',
  hookStateChange: 'ECS Hook State Change',
  // https://docs.aws.amazon.com/inspector/latest/user/eventbridge-integration.html (sample in shared/conformance/events).
  inspectorFinding: 'Inspector2 Finding',
} as const;

/**
 * Sorts an EventBridge event by its source and detail type (the one routing table of the gate's events), before any
 * detail is read: classify.ts reads the detail with every reader at hand, the gate's handler loads the one reader of
 * the kind an event needs (handlers/classify-event.ts). Pure and total. The `source` must match the detail type:
 * `aws.*` sources are reserved for AWS, so a custom event cannot pose as one.
 */
export function routeGateEvent(raw: unknown): Routing {
  const event = readEnvelope(raw);
  if (!event) return { decided: { kind: 'ignored', meta: {}, reason: 'not an EventBridge event (no id, detail-type and source)', malformed: true } };
  const meta = metaOf(event);
  const to = (kind: DetailKind): Routing => ({ kind, event, meta });

  switch (`${event.source}|${event['detail-type']}`) {
    case `aws.ecs|${DETAIL_TYPES.taskStateChange}`:
      return to(isStoppedDetail(event.detail) ? 'taskStopped' : 'taskStateChange');
    case `aws.ecs|${DETAIL_TYPES.cloudTrail}`:
      return to('runTaskCall');
    case `aws.codebuild|${DETAIL_TYPES.buildStateChange}`:
      return to('scanBuildFinished');
    case `aws.ecr|${DETAIL_TYPES.imageAction}`:
      return to('imagePushed');
    case `aws.ecs|${DETAIL_TYPES.hookStateChange}`:
      return to('hookAwaitingAction');
    case `aws.events|${DETAIL_TYPES.scheduled}`:
      return { decided: { kind: 'sweep', meta } };
    case `aws.inspector2|${DETAIL_TYPES.inspectorFinding}`:
      return { decided: { kind: 'inspectorFinding', meta, event: raw } };
    default:
      return { decided: { kind: 'ignored', meta, reason: `${event.source} "${event['detail-type']}" is not an event the gate handles`, malformed: false } };
  }
}

function isStoppedDetail(detail: unknown): boolean {
  return typeof detail === 'object' && detail !== null && (detail as { lastStatus?: unknown }).lastStatus === 'STOPPED';
}

/** `ignored`, for a detail reader: `malformed` when the event looked like one of ours but did not parse. */
export function ignoredEvent(meta: EventMeta, reason: string, malformed = false): GateEvent {
  return { kind: 'ignored', meta, reason, malformed };
}
