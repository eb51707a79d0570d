export { classifyGateEvent } from './classify';
export { routeGateEvent, type ClassifyOptions, type DetailKind, type DetailReader, type GateEvent, type GateEventKind } from './route';
export { type EventMeta } from './common';
export { FINAL_BUILD_STATUSES, isFinalBuildStatus, sameBuild, type FinalBuildStatus } from './codebuild-build-state-change';
export {
  ADMISSION_STAGE,
  GATE_HOOK_STATE_KEY,
  hookExecutionOf,
  readLifecycleHook,
  serviceOfArn,
  type HookResponse,
  type HookState,
  type HookStatus,
  type LifecycleHookPayload,
} from './lifecycle-hook';
export { readEcsTask, toSnapshot } from './ecs-task-state-change';
export { HOOK_AWAITING_ACTION, PAUSE_HOOK_TYPE, readHookStateChange, SERVICE_DEPLOYMENT_ARN, type PausedHookEvent, type PausedTarget } from './ecs-hook-state-change';
