import { readRunTaskCallEvent } from './cloudtrail-run-task';
import { readBuildFinishedEvent } from './codebuild-build-state-change';
import { readTaskStateChangeEvent } from './ecs-task-state-change';
import { readTaskStoppedEvent } from './ecs-task-stopped';
import { readImagePushEvent } from './ecr-image-action';
import { readHookAwaitingActionEvent } from './ecs-hook-state-change';
import { routeGateEvent, type ClassifyOptions, type DetailKind, type DetailReader, type GateEvent } from './route';

export type { ClassifyOptions, GateEvent, GateEventKind } from './route';

/** Every kind's detail reader, at hand (the gate's handler loads each when an event of its kind arrives instead). */
const DETAIL_READERS: Record<DetailKind, DetailReader> = {
  taskStateChange: readTaskStateChangeEvent,
  taskStopped: readTaskStoppedEvent,
  runTaskCall: readRunTaskCallEvent,
  scanBuildFinished: readBuildFinishedEvent,
  imagePushed: readImagePushEvent,
  hookAwaitingAction: readHookAwaitingActionEvent,
};

/**
 * Sorts an EventBridge event into what the gate does with it (routing: route.ts; the detail: its kind's reader). Pure
 * and total: it never throws, and anything it cannot use is `ignored` with a reason (`malformed` when it looked like one
 * of ours but did not parse).
 */
export function classifyGateEvent(raw: unknown, options: ClassifyOptions = {}): GateEvent {
  const routing = routeGateEvent(raw);
  return 'decided' in routing ? routing.decided : DETAIL_READERS[routing.kind](routing.event, routing.meta, options);
}
