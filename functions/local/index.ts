/**
 * The embedded backend: every port of functions/core/ports.ts in memory, a fake AWS world (ECS with a service
 * scheduler, ECR, CodeBuild, S3, EventBridge) and a simulation that drives the real gate handlers in simulated
 * time. Used by `fargate-gate simulate`, the benchmark and tests; never by the Lambda functions.
 */
export { ActivityLog, AWS_API_OF, type CallCounts, type GateAction, type GateActionType, type GateLogLine, type TimelineEntry, type WorldNote } from './activity';
export { Agenda } from './agenda';
export { ImageCatalog, LocalBackend, type LocalBackendOptions, type LocalPorts } from './backend';
export { ManualClock } from './clock';
export { FakeScanner, buildIdFromArn, rewriteReport, type FakeBuild, type ScanOutcome } from './codebuild';
export { describeEvent, describeGateResult, routineReason, shortBuild, shortDigest } from './describe';
export { FakeEcs, TASK_STATUSES, type StopCause, type TaskStatus, type WorldDeployment, type WorldService, type WorldTask } from './ecs';
export { FakeRegistry } from './ecr';
export {
  buildStateChangeEvent,
  ecrPushEvent,
  lifecycleHookPayload,
  runTaskCloudTrailEvent,
  scheduledEvent,
  taskStateChangeEvent,
  type EventBridgeEvent,
  type LifecycleHookPayload,
} from './events';
export { DEFAULT_LOCATION, IdSource, arns, type AwsLocation } from './ids';
export { MemoryGateStore, type MemoryRetention } from './memory-store';
export { RecordingMetrics, RecordingNotifier } from './notifier';
export { seededRandom, shuffled } from './random';
export { MemoryReports } from './reports';
export { Simulation, type Delivery, type GateHandlers, type SimulationOptions } from './simulation';
export { MemoryTaskDefinitions } from './task-definitions';
