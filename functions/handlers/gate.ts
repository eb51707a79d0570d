import type { GateEvent, GateEventKind } from '../core/events/route';
import type { HookResponse } from '../core/events/lifecycle-hook';
import { classifyEvent } from './classify-event';
import type { FinishedScan, SweepSummary } from './scans/completion';
import type { PauseOutcome } from './admission/pause-hook';
import { classifyFailure, describeError, shouldRetry, type FailureKind } from './failures';
import type { HookInvocation } from './admission/lifecycle-hook';
import type { Logger } from './logger';
import { buildRuntime, type GateDependencies, type GateRuntime } from './runtime';
import { refuseForeignResources } from './organisation/event-account';
import type { EnsureOutcome } from './scans/scan-records';
import { judgeTask, type TaskJudgement } from './admission/task-gate';
import type { InspectorOutcome } from './posture/inspector';
import type { RejudgeSummary } from './posture/rejudge';
import { recordRunningTask, recordStoppedTask, type StoppedOutcome } from './posture/record-uses';
import type { TaskSnapshot } from '../core/gate/task';

export type { GateDependencies } from './runtime';
export type { HookInvocation } from './admission/lifecycle-hook';

/** What became of one event: for logs, tests, `simulate` and the benchmark. */
export type EventResult =
  | { kind: 'ignored'; reason: string; malformed: boolean }
  | { kind: 'taskStateChange'; judgement: TaskJudgement }
  | { kind: 'taskStopped'; outcome: StoppedOutcome }
  | { kind: 'runTaskCall'; judgements: TaskJudgement[] }
  | { kind: 'scanBuildFinished'; finished?: FinishedScan }
  | { kind: 'imagePushed'; scan: EnsureOutcome['state'] }
  | { kind: 'hookAwaitingAction'; outcomes: PauseOutcome[] }
  | { kind: 'sweep'; summary: SweepSummary; posture?: RejudgeSummary }
  | { kind: 'inspectorFinding'; outcome: InspectorOutcome }
  | { kind: 'failed'; eventKind: GateEventKind; failure: FailureKind; message: string };

export interface Gate {
  /** Any EventBridge event the gate's rules deliver. Never throws for an event it cannot use; rethrows retryable failures. */
  handleEvent(event: unknown): Promise<EventResult>;
  /**
   * An ECS deployment lifecycle hook invocation. Never throws: the answer is always a valid hookStatus, given before
   * the invocation's time runs out (`invocation.remainingTimeMs`, the Lambda context's getRemainingTimeInMillis).
   */
  handleHook(payload: unknown, invocation?: HookInvocation): Promise<HookResponse>;
}

/**
 * The gate, with its ports injected: the same code runs in Lambda (AWS adapters), in `fargate-gate simulate`
 * and the benchmark (in-memory ports) and in tests (recording fakes).
 */
export function createGate(deps: GateDependencies): Gate {
  const rt = buildRuntime(deps);
  return {
    handleEvent: (event) => handleEvent(rt, event),
    // The hook function has its own entry (lambda/hook.ts): in the gate's bundle the hook's path is a chunk loaded on a call.
    handleHook: async (payload, invocation) => (await import('./admission/lifecycle-hook')).handleLifecycleHook(rt, payload, invocation),
  };
}

async function handleEvent(rt: GateRuntime, raw: unknown): Promise<EventResult> {
  const options = {
    scanProjectName: rt.config.scanProjectName,
    ...(rt.config.fallbackScanProjectName ? { fallbackScanProjectName: rt.config.fallbackScanProjectName } : {}),
    clusterArns: rt.config.clusterArns,
    centralAccount: rt.config.organisationAccount,
  };
  // zod is loaded only for an event that is not plainly well formed (core/zod-on-demand.ts), a kind's reader only for an event of that kind.
  const event = await classifyEvent(raw, options).catch((error: unknown) => readFailed(rt, raw, error));
  const log = rt.logger.child({ eventId: event.meta.id, kind: event.kind });
  rt.metrics.count('Events', 1, { kind: event.kind });
  if (event.kind === 'ignored') {
    // Malformed events are worth a warning (an AWS shape change, a misrouted rule); the rest is routine.
    if (event.malformed) log.warn({ reason: event.reason, detailType: event.meta.detailType, source: event.meta.source }, 'event ignored: malformed');
    else log.debug({ reason: event.reason, detailType: event.meta.detailType }, 'event ignored');
    return { kind: 'ignored', reason: event.reason, malformed: event.malformed };
  }
  // A member must not make the gate act in another account: an event naming another account's resources is refused.
  const refused = refuseForeignResources(rt, event, log);
  if (refused) return { kind: 'ignored', reason: refused, malformed: false };
  try {
    return await dispatch(rt, event, log);
  } catch (error) {
    const failure = classifyFailure(error);
    rt.metrics.count('GateErrors', 1, { failure });
    if (shouldRetry(failure)) {
      log.error({ err: error, failure }, 'event failed; Lambda will retry it');
      throw error;
    }
    if (failure === 'input') log.warn({ err: error }, 'event ignored: an input it refers to is unusable');
    else log.error({ err: error, failure }, 'event failed permanently (a retry cannot succeed)');
    return { kind: 'failed', eventKind: event.kind, failure, message: describeError(error).message };
  }
}

/**
 * A failure to read the event at all: a detail reader's chunk (or zod) that could not be loaded, since a reader itself
 * answers `ignored` for an event it cannot use. Counted and logged as every other failure is, then rethrown whatever
 * its kind: the event was not looked at, so only a retry (then the DLQ) can still handle it.
 */
function readFailed(rt: GateRuntime, raw: unknown, error: unknown): never {
  const failure = classifyFailure(error);
  rt.metrics.count('GateErrors', 1, { failure });
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  rt.logger.child(id === undefined ? {} : { eventId: id }).error({ err: error, failure }, 'event could not be read; Lambda will retry it');
  throw error;
}

/**
 * Scan completion (report reading and judging), the sweep and the PAUSE hook are imported when an event needs them: the
 * function's bundle is split into chunks (infra/function-bundling.ts), so a cold start for a task event does not parse
 * them. Under tsc's CommonJS output (tests, the CLI) these are plain `require`s.
 */
async function dispatch(rt: GateRuntime, event: Exclude<GateEvent, { kind: 'ignored' }>, log: Logger): Promise<EventResult> {
  switch (event.kind) {
    case 'taskStateChange': {
      // The inventory write (RUNNING only) runs beside the judgement, with the launcher the judgement's verdict read found.
      let launcherRead: (launcher: string | undefined) => void = () => undefined;
      const readLauncher = new Promise<string | undefined>((resolve) => (launcherRead = resolve));
      const judging = judgeTask(rt, event.task, { origin: 'taskEvent', log, firstSeenAt: event.task.createdAt, onLauncherRead: (launcher) => launcherRead(launcher) });
      const recording = recordWithLauncher(rt, event.task, () => launcherAfter(rt, event.task.taskArn, readLauncher, judging), log.child({ taskArn: event.task.taskArn }));
      // Both finish before the event does: a failed judgement leaves the record to read the launcher itself, after it.
      const [judged, recorded] = await Promise.allSettled([judging, recording]);
      if (judged.status === 'rejected') throw judged.reason;
      if (recorded.status === 'rejected') throw recorded.reason;
      return { kind: 'taskStateChange', judgement: judged.value };
    }
    case 'taskStopped':
      return { kind: 'taskStopped', outcome: await recordStoppedTask(rt, event.task, log.child({ taskArn: event.task.taskArn })) };
    case 'runTaskCall': {
      // Remembered first: whichever event judges the task later names the launcher in its verdict event.
      // The inventory too: the task's RUNNING event may have recorded its uses before this call reached the gate.
      if (event.launchedBy) {
        const launchedBy = event.launchedBy;
        await Promise.all(event.tasks.flatMap((task) => [rt.store.rememberLauncher(task.taskArn, launchedBy), ...(rt.inventory ? [rt.inventory.nameLauncher(task.taskArn, launchedBy)] : [])]));
      }
      const judgements: TaskJudgement[] = [];
      for (const task of event.tasks) {
        judgements.push(await judgeTask(rt, task, { origin: 'runTaskHint', log, launchedBy: event.launchedBy, firstSeenAt: task.createdAt }));
      }
      return { kind: 'runTaskCall', judgements };
    }
    case 'scanBuildFinished': {
      const build = {
        buildId: event.buildId,
        status: event.status,
        ...(event.environment ? { environment: event.environment } : {}),
        ...(event.meta.time ? { endedAt: event.meta.time } : {}),
        ...(event.failedPhase ? { failedPhase: event.failedPhase } : {}),
        ...(event.failedPhaseExitStatus !== undefined ? { failedPhaseExitStatus: event.failedPhaseExitStatus } : {}),
      };
      const { handleBuildFinished } = await import('./scans/completion');
      const finished = await handleBuildFinished(rt, build, log.child({ buildId: event.buildId }));
      return finished ? { kind: 'scanBuildFinished', finished } : { kind: 'scanBuildFinished' };
    }
    case 'imagePushed': {
      // Not a child bound to the digest: the scan's own lines (startScan) bind it, and a second binding wrote the key twice.
      const { ensureScan } = await import('./scans/scan-records');
      const outcome = await ensureScan(rt, event.digest, event.imageReference, log);
      log.info({ digest: event.digest, scan: outcome.state }, 'pushed image pre-scanned');
      return { kind: 'imagePushed', scan: outcome.state };
    }
    case 'hookAwaitingAction': {
      const { admitPausedDeployments } = await import('./admission/pause-hook');
      return { kind: 'hookAwaitingAction', outcomes: await admitPausedDeployments(rt, event, log) };
    }
    case 'sweep': {
      const { sweep } = await import('./scans/completion');
      const summary = await sweep(rt, log);
      // The posture sweep rides the same schedule: a gate with an inventory keeps the verdicts of digests in use fresh.
      if (!rt.inventory) return { kind: 'sweep', summary };
      const { rejudgeDigestsInUse, rejudgeSettingsOf } = await import('./posture/rejudge');
      return { kind: 'sweep', summary, posture: await rejudgeDigestsInUse(rt, rejudgeSettingsOf(rt.config), log.child({ part: 'posture' })) };
    }
    case 'inspectorFinding': {
      const { handleInspectorFinding } = await import('./posture/inspector');
      return { kind: 'inspectorFinding', outcome: await handleInspectorFinding(rt, event.event, log) };
    }
  }
}

/**
 * Records a RUNNING task's uses with the launcher the gate remembered from its RunTask call, when that call came first
 * (only for a RUNNING task with an inventory); a later call names it on the uses itself (`nameLauncher`).
 */
async function recordWithLauncher(rt: GateRuntime, task: TaskSnapshot, launcher: () => Promise<string | undefined>, log: Logger): Promise<number> {
  if (!rt.inventory || task.lastStatus !== 'RUNNING') return 0;
  return recordRunningTask(rt, task, launcher(), log);
}

const NO_READ: unique symbol = Symbol('no verdict read');

/**
 * The task's launcher as the judgement's verdict read found it: that BatchGetItem carries the launcher item, so the
 * record costs no read of its own. When the judgement ends without that read (no image to look up, a failure before
 * it), one GetItem of the launcher item instead.
 */
async function launcherAfter(rt: GateRuntime, taskArn: string, read: Promise<string | undefined>, judging: Promise<unknown>): Promise<string | undefined> {
  const launcher = await Promise.race<string | undefined | typeof NO_READ>([read, judging.then(() => NO_READ, () => NO_READ)]);
  return launcher === NO_READ ? rt.store.getLauncher(taskArn) : launcher;
}
