// The modules themselves, not the core/events and core/policy indexes: the hook function loads only what a hook uses.
import {
  ADMISSION_STAGE,
  GATE_HOOK_STATE_KEY,
  hookExecutionOf,
  readLifecycleHook,
  serviceOfArn,
  type HookResponse,
  type HookState,
  type LifecycleHookPayload,
} from '../../core/events/lifecycle-hook';
import { verdictFreshness } from '../../core/gate/freshness';
import { hookKey } from '../../core/gate/keys';
import { buildVerdictEvent, type VerdictImage } from '../../core/gate/verdict-event';
import { evaluatePolicy, isBlocking } from '../../core/policy/evaluate';
import type { LoadedPolicy } from '../../core/policy/input';
import type { Policy } from '../../core/policy/schema';
import { taskSettingsOf } from '../../core/policy/rules/hardening/settings';
import type { StoredVerdict, VerdictEvent } from '../../core/ports';
import type { EvaluationResult } from '../../core/result/model';
import { revisionContainers, revisionEvidence, revisionExposure } from './revision';
import { imageOf, useVerdict } from './container-state';
import { classifyFailure, describeError } from '../failures';
import { decisionLogFields } from '../decision-log';
import type { Logger } from '../logger';
import { notifyAfterDecision } from '../enforcement/notify';
import type { GateRuntime } from '../runtime';
import { withZod } from '../../io/zod-loader';

/**
 * The ECS deployment lifecycle hook at PRE_SCALE_UP: the one place ECS lets the gate refuse a service revision
 * before any of its tasks start. Request and response shapes:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html
 *
 * SUCCEEDED: every container of the revision's task definition has a verdict and none blocks (audit mode and
 * warnings pass, with a verdict event).
 * FAILED: a verdict blocks (ECS rolls the deployment back; a verdict event says why).
 * IN_PROGRESS: a scan was started or still runs; ECS calls back after `callBackDelay` seconds. The scans this
 * hook started are remembered in `hookDetails`, so a scan error seen on a call back is this deployment's and
 * onScanError decides, while an old error of another deployment just means "scan again".
 *
 * The function never throws and always answers in time: a thrown error, a missing hookStatus or a timed-out
 * invocation makes ECS roll back, which a DynamoDB throttle or a slow AWS call must not cause. Failures, and work
 * still unfinished when the invocation's time runs short, answer IN_PROGRESS (ECS calls back); after
 * `hookMaxFailures` in a row the gate stops waiting and onScanError decides, as it does for a payload it cannot read.
 * The verdict event explaining an answer is sent once the answer is decided and never changes it.
 */
export async function handleLifecycleHook(rt: GateRuntime, raw: unknown, invocation: HookInvocation = {}): Promise<HookResponse> {
  const deadline = hookDeadline(rt, invocation);
  const reading = await withZod(() => readLifecycleHook(raw));
  if (!reading.ok) {
    const log = rt.logger.child({ kind: 'lifecycleHook' });
    log.error({ reason: reading.reason }, 'lifecycle hook payload unreadable');
    rt.metrics.count('HookPayloadsUnreadable');
    return respond(rt, { hookStatus: unjudgeableStatus(rt.policy, `the lifecycle hook payload could not be read (${reading.reason})`, rt.clock.now()) }, log);
  }
  const { payload, state } = reading;
  const log = rt.logger.child({ kind: 'lifecycleHook', executionId: hookExecutionOf(payload), serviceRevisionArn: payload.executionDetails.targetServiceRevisionArn });

  // The flat payload names no stage (its PRE_SCALE_UP and POST_SCALE_UP examples are identical): it is judged, since
  // the gate's hook is configured for PRE_SCALE_UP (docs/deploy.md) and judging a revision is never less safe than
  // passing it. Only a stage that ECS names and that is another one passes unjudged.
  if (payload.lifecycleStage && payload.lifecycleStage !== ADMISSION_STAGE) {
    log.warn({ lifecycleStage: payload.lifecycleStage }, `the gate admits revisions at ${ADMISSION_STAGE} only; this stage passes`);
    return respond(rt, { hookStatus: 'SUCCEEDED' }, log);
  }
  const clusterArn = clusterArnOf(payload.executionDetails.serviceArn);
  if (rt.config.clusterArns.length > 0 && (!clusterArn || !rt.config.clusterArns.includes(clusterArn))) {
    log.info({ clusterArn }, 'service outside the gate\'s clusters: admitted');
    return respond(rt, { hookStatus: 'SUCCEEDED' }, log);
  }

  let judged: Judged;
  try {
    // No time left at all (the invocation began late): nothing is started that could not be waited for.
    const outcome = deadline.remainingMs() > 0 ? await deadline.race(admit(rt, payload, state, log)) : TIMED_OUT;
    judged = outcome === TIMED_OUT ? failed(rt, payload, state, 'the revision could not be judged before the hook\'s time ran out', log) : outcome;
  } catch (error) {
    const failure = classifyFailure(error);
    rt.metrics.count('GateErrors', 1, { failure });
    if (failure === 'input') {
      log.error({ err: error }, 'the revision cannot be judged');
      judged = decideUnjudgeable(rt, payload, `the service revision could not be judged: ${describeError(error).message}`, log);
    } else {
      log.error({ err: error, failure }, 'lifecycle hook failed');
      judged = failed(rt, payload, state, describeError(error).message, log);
    }
  }
  if (judged.event) await publish(rt, judged.event, deadline, log);
  return respond(rt, judged.response, log);
}

/** How much time the invocation has: the Lambda context's `getRemainingTimeInMillis`, when given. */
export interface HookInvocation {
  remainingTimeMs?: () => number;
}

const TIMED_OUT = Symbol('timed out');

/** The moment the hook must stop working and answer: the invocation's end less `hookReserveMilliseconds`. */
class Deadline {
  constructor(private readonly at: number) {}

  remainingMs(): number {
    return this.at - Date.now();
  }

  /** `work`'s result, or TIMED_OUT if the deadline comes first (the work goes on, unobserved; every step is idempotent). */
  race<T>(work: Promise<T>): Promise<T | typeof TIMED_OUT> {
    const left = this.remainingMs();
    if (left <= 0) {
      work.catch(() => undefined);
      return Promise.resolve(TIMED_OUT);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expiry = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), left);
      timer.unref?.();
    });
    return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
  }
}

function hookDeadline(rt: GateRuntime, invocation: HookInvocation): Deadline {
  let remaining = Number.NaN;
  try {
    remaining = Number(invocation.remainingTimeMs?.());
  } catch {
    // A context that cannot say how much time is left: the configured timeout stands in.
  }
  const budget = (Number.isFinite(remaining) ? remaining : rt.config.hookTimeoutSeconds * 1000) - rt.config.hookReserveMilliseconds;
  return new Deadline(Date.now() + Math.max(0, budget));
}

function respond(rt: GateRuntime, response: HookResponse, log: Logger): HookResponse {
  rt.metrics.count('HookResponses', 1, { status: response.hookStatus });
  log.info({ hookStatus: response.hookStatus, callBackDelay: response.callBackDelay }, 'lifecycle hook answered');
  return response;
}

/** The verdict event that explains an answer: claimed once per hook execution, sent after the answer is decided. */
interface HookEvent {
  claim: { key: string; action: 'hookFailed' | 'hookSucceeded'; decision: EvaluationResult['decision'] };
  build: () => VerdictEvent;
}

/** An answer, and the event that explains it (none for a pass or IN_PROGRESS). */
interface Judged {
  response: HookResponse;
  event?: HookEvent;
}

/**
 * Sends the event within the time left. Its failure is counted and never changes the answer (`notifyAfterDecision`);
 * if time runs out first, the answer goes without waiting and the send completes only if the environment runs on.
 */
async function publish(rt: GateRuntime, event: HookEvent, deadline: Deadline, log: Logger): Promise<void> {
  const sent = await deadline.race(notifyAfterDecision(rt, event.claim, event.build, log));
  if (sent === TIMED_OUT) log.warn({ key: event.claim.key }, 'answering before the verdict event was sent: time ran short');
}

/** A failed or timed-out invocation: IN_PROGRESS so ECS calls back, until `hookMaxFailures` in a row let onScanError decide. */
function failed(rt: GateRuntime, payload: LifecycleHookPayload, state: HookState, why: string, log: Logger): Judged {
  const failures = (state.failures ?? 0) + 1;
  if (failures >= rt.config.hookMaxFailures) {
    log.error({ failures, reason: why }, 'lifecycle hook failed too many times in a row: onScanError decides');
    return decideUnjudgeable(rt, payload, `the gate failed ${failures} times in a row: ${why}`, log);
  }
  log.warn({ failures, reason: why }, 'lifecycle hook answers IN_PROGRESS; ECS will call back');
  return { response: { hookStatus: 'IN_PROGRESS', callBackDelay: rt.config.hookCallBackDelaySeconds, hookDetails: { [GATE_HOOK_STATE_KEY]: { ...state, failures } } } };
}

async function admit(rt: GateRuntime, payload: LifecycleHookPayload, state: HookState, log: Logger): Promise<Judged> {
  const revision = await rt.ecs.describeServiceRevision(payload.executionDetails.targetServiceRevisionArn);
  const spec = await rt.taskDefinitions.get(revision.taskDefinitionArn);
  if (spec.containers.length === 0) return decideUnjudgeable(rt, payload, `task definition ${revision.taskDefinitionArn} has no containers to judge`, log);

  const containers = await revisionContainers(rt, revision, spec, log);

  const keys = [...new Set(containers.flatMap((c) => (c.key ? [c.key] : [])))];
  const verdicts = keys.length > 0 ? await rt.store.getVerdicts(keys, rt.policy.hash) : new Map<string, StoredVerdict>();
  const now = rt.clock.now();
  const scans: Record<string, string> = { ...(state.scans ?? {}) };
  const pending: string[] = [];

  for (const key of keys) {
    const holders = containers.filter((c) => c.key === key);
    const verdict = verdicts.get(key);
    if (verdict && verdictFreshness(verdict, now, rt.maxScanAgeMs) === 'fresh') {
      for (const c of holders) useVerdict(c, verdict);
      continue;
    }
    // The scan path is imported when a digest first needs it (hook-scans.ts): not on a cold start whose digests have verdicts.
    const { scanForHook } = await import('./hook-scans');
    const sized = holders.find((holder) => holder.imageSizeBytes !== undefined);
    const outcome = await scanForHook(rt, key, holders[0].pullReference ?? key, scans, verdict, log, sized ? { sizeBytes: sized.imageSizeBytes } : {});
    if ('verdict' in outcome) for (const c of holders) useVerdict(c, outcome.verdict);
    else if ('scanError' in outcome) for (const c of holders) c.scanError = outcome.scanError;
    else pending.push(key);
  }

  if (pending.length > 0) {
    log.info({ waitingOn: pending }, 'revision waits for scans');
    return { response: { hookStatus: 'IN_PROGRESS', callBackDelay: rt.config.hookCallBackDelaySeconds, hookDetails: { [GATE_HOOK_STATE_KEY]: { scans, failures: 0 } } } };
  }

  const service = serviceOfArn(payload.executionDetails.serviceArn).service;
  const evidence = revisionEvidence(containers, spec);
  const clusterArn = clusterArnOf(payload.executionDetails.serviceArn);
  const result = evaluatePolicy(rt.policy, {
    containers: evidence,
    context: { cluster: clusterArn ?? revision.cluster, service, taskDefinition: revision.taskDefinitionArn, ...revisionExposure(revision) },
    now,
    // The task definition and the service revision the hook already read: the hardening rules need no extra AWS call.
    // The revision gives the platform version and the public IP; ECS Exec is not in it, so that rule notes "not judged".
    task: taskSettingsOf(spec),
    ...(revision.launch ? { launch: revision.launch } : {}),
  });
  rt.metrics.count('HookDecisions', 1, { decision: result.decision });
  const images = containers.map(imageOf);
  return answer(rt, payload, result, images, { cluster: clusterArn ?? revision.cluster, service, taskDefinitionArn: revision.taskDefinitionArn }, log);
}

/** The answer for a judged revision, and (unless it passed) the verdict event that explains it. */
function answer(
  rt: GateRuntime,
  payload: LifecycleHookPayload,
  result: EvaluationResult,
  images: VerdictImage[],
  subject: { cluster?: string; service?: string; taskDefinitionArn?: string },
  log: Logger,
): Judged {
  const blocking = isBlocking(result);
  const action = blocking ? 'hookFailed' : 'hookSucceeded';
  const event: HookEvent | undefined =
    result.decision === 'pass'
      ? undefined
      : { claim: { key: hookKey(hookExecutionOf(payload)), action, decision: result.decision }, build: () => buildVerdictEvent({ result, action, images, ...subject }) };
  if (blocking) {
    rt.metrics.count('EnforcementActions', 1, { action: 'hookFailed' });
    log.warn(decisionLogFields(result), 'service revision refused');
    return { response: { hookStatus: 'FAILED' }, ...(event ? { event } : {}) };
  }
  const fields = decisionLogFields(result);
  // Admitted with a warning, or because an exception let findings through: worth a line; a plain pass is routine.
  if (result.decision !== 'pass' || fields.exceptions) log.info(fields, 'service revision admitted');
  return { response: { hookStatus: 'SUCCEEDED' }, ...(event ? { event } : {}) };
}

/** When the revision cannot be judged at all, the policy's onScanError decides, as for an image that could not be scanned. */
function decideUnjudgeable(rt: GateRuntime, payload: LifecycleHookPayload, why: string, log: Logger): Judged {
  const result = evaluatePolicy(rt.policy, { containers: [{ scanError: why }], context: {}, now: rt.clock.now() });
  const service = serviceOfArn(payload.executionDetails.serviceArn).service;
  return answer(rt, payload, result, [], { cluster: clusterArnOf(payload.executionDetails.serviceArn), service }, log);
}

/**
 * The answer for a revision that cannot be judged at all, from the policy alone: onScanError decides (and audit mode
 * never blocks). Also what the hook's entry point answers when the gate itself cannot be built.
 */
export function unjudgeableStatus(policy: LoadedPolicy<Policy>, why: string, now: Date): 'SUCCEEDED' | 'FAILED' {
  const result = evaluatePolicy(policy, { containers: [{ scanError: why }], context: {}, now });
  return isBlocking(result) ? 'FAILED' : 'SUCCEEDED';
}

/** `arn:aws:ecs:<region>:<account>:service/<cluster>/<service>` → `arn:aws:ecs:<region>:<account>:cluster/<cluster>`. */
export function clusterArnOf(serviceArn: string): string | undefined {
  const { cluster } = serviceOfArn(serviceArn);
  if (!cluster) return undefined;
  return `${serviceArn.slice(0, serviceArn.indexOf(':service/'))}:cluster/${cluster}`;
}

