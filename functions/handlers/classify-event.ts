import { readTaskStateChangeEvent } from '../core/events/ecs-task-state-change';
import { routeGateEvent, type ClassifyOptions, type DetailKind, type DetailReader, type GateEvent } from '../core/events/route';
import { withZod } from '../io/zod-loader';

/**
 * Each kind's detail reader, as the gate's event function gets it. A task state change (the gate's most common event,
 * and the first of a cold start) has its reader at hand; the reader of any other kind is imported when an event of that
 * kind arrives: the function's bundle is split into chunks (infra/function-bundling.ts), and a module the cold path
 * imports statically is parsed at every cold start, with what it imports (the RunTask reader brings the launch-facts
 * reader, the build reader the EC2 fallback rules, ...). Under tsc's CommonJS output (tests, the CLI) these are plain
 * `require`s. core/events/classify.ts holds the same readers imported statically, for what reads events synchronously.
 */
const DETAIL_READERS: Record<DetailKind, () => DetailReader | Promise<DetailReader>> = {
  taskStateChange: () => readTaskStateChangeEvent,
  taskStopped: async () => (await import('../core/events/ecs-task-stopped')).readTaskStoppedEvent,
  runTaskCall: async () => (await import('../core/events/cloudtrail-run-task')).readRunTaskCallEvent,
  scanBuildFinished: async () => (await import('../core/events/codebuild-build-state-change')).readBuildFinishedEvent,
  imagePushed: async () => (await import('../core/events/ecr-image-action')).readImagePushEvent,
  hookAwaitingAction: async () => (await import('../core/events/ecs-hook-state-change')).readHookAwaitingActionEvent,
};

/**
 * What core/events/classify.ts's `classifyGateEvent` says of `raw` (the same routing, the same readers), with the
 * detail's reader loaded when its kind needs it and zod when the event is not plainly well formed (io/zod-loader.ts).
 */
export async function classifyEvent(raw: unknown, options: ClassifyOptions): Promise<GateEvent> {
  const routing = await withZod(() => routeGateEvent(raw));
  if ('decided' in routing) return routing.decided;
  const read = await DETAIL_READERS[routing.kind]();
  return withZod(() => read(routing.event, routing.meta, options));
}
