import type { TaskSnapshot } from '../gate/task';
import { readRunTaskCall } from './cloudtrail-run-task';
import { readBuildStateChange, type FinalBuildStatus } from './codebuild-build-state-change';
import { metaOf, readEnvelope, type EventMeta } from './common';
import { readEcsTask } from './ecs-task-state-change';
import { readStoppedTask, type StoppedTask } from './ecs-task-stopped';
import { readImagePush } from './ecr-image-action';
import { readHookStateChange, type PausedHookEvent } from './ecs-hook-state-change';

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
 * Sorts an EventBridge event into what the gate does with it. Pure and total: it never throws, and anything it
 * cannot use is `ignored` with a reason (`malformed` when it looked like one of ours but did not parse). The
 * `source` must match the detail type: `aws.*` sources are reserved for AWS, so a custom event cannot pose as one.
 */
export function classifyGateEvent(raw: unknown, options: ClassifyOptions = {}): GateEvent {
  const event = readEnvelope(raw);
  if (!event) return { kind: 'ignored', meta: {}, reason: 'not an EventBridge event (no id, detail-type and source)', malformed: true };
  const meta = metaOf(event);
  const ignore = (reason: string, malformed = false): GateEvent => ({ kind: 'ignored', meta, reason, malformed });

  switch (`${event.source}|${event['detail-type']}`) {
    case `aws.ecs|${DETAIL_TYPES.taskStateChange}`: {
      if (isStoppedDetail(event.detail)) {
        const stopped = readStoppedTask(event.detail, options, meta.time);
        return stopped.ok ? { kind: 'taskStopped', meta, task: stopped.task } : ignore(stopped.reason, stopped.malformed);
      }
      const reading = readEcsTask(event.detail, options, 'ECS Task State Change');
      return reading.ok ? { kind: 'taskStateChange', meta, task: reading.task } : ignore(reading.reason, reading.malformed);
    }
    case `aws.ecs|${DETAIL_TYPES.cloudTrail}`: {
      const reading = readRunTaskCall(event.detail, options);
      if (!reading.ok) return ignore(reading.reason, reading.malformed);
      const call: GateEvent = { kind: 'runTaskCall', meta, tasks: reading.tasks };
      if (reading.launchedBy) call.launchedBy = reading.launchedBy;
      return call;
    }
    case `aws.codebuild|${DETAIL_TYPES.buildStateChange}`: {
      const reading = readBuildStateChange(event.detail, [options.scanProjectName, options.fallbackScanProjectName]);
      if (!reading.ok) return ignore(reading.reason, reading.malformed);
      const finished: GateEvent = { kind: 'scanBuildFinished', meta, buildId: reading.buildId, projectName: reading.projectName, status: reading.status };
      if (reading.environment) finished.environment = reading.environment;
      if (reading.failedPhase) finished.failedPhase = reading.failedPhase;
      if (reading.failedPhaseExitStatus !== undefined) finished.failedPhaseExitStatus = reading.failedPhaseExitStatus;
      return finished;
    }
    case `aws.ecr|${DETAIL_TYPES.imageAction}`: {
      const reading = readImagePush(event.detail, meta);
      if (!reading.ok) return ignore(reading.reason, reading.malformed);
      const push: GateEvent = { kind: 'imagePushed', meta, digest: reading.digest, imageReference: reading.imageReference, repositoryName: reading.repositoryName };
      if (reading.tag) push.tag = reading.tag;
      return push;
    }
    case `aws.ecs|${DETAIL_TYPES.hookStateChange}`: {
      const reading = readHookStateChange(event.detail, event.resources);
      if (!reading.ok) return ignore(reading.reason, reading.malformed);
      const { target, hookId, lifecycleStage, expiresAt } = reading;
      return { kind: 'hookAwaitingAction', meta, target, hookId, ...(lifecycleStage ? { lifecycleStage } : {}), ...(expiresAt ? { expiresAt } : {}) };
    }
    case `aws.events|${DETAIL_TYPES.scheduled}`:
      return { kind: 'sweep', meta };
    case `aws.inspector2|${DETAIL_TYPES.inspectorFinding}`:
      return { kind: 'inspectorFinding', meta, event: raw };
    default:
      return ignore(`${event.source} "${event['detail-type']}" is not an event the gate handles`);
  }
}

function isStoppedDetail(detail: unknown): boolean {
  return typeof detail === 'object' && detail !== null && (detail as { lastStatus?: unknown }).lastStatus === 'STOPPED';
}
