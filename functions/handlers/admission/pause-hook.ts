import { ADMISSION_STAGE, serviceOfArn, type PausedHookEvent } from '../../core/events';
import { latestPausedAnswer } from '../../core/gate/pause-answer-deadline';
import { verdictFreshness } from '../../core/gate/freshness';
import { buildVerdictEvent } from '../../core/gate/verdict-event';
import { evaluatePolicy, isBlocking } from '../../core/policy/evaluate';
import { taskSettingsOf } from '../../core/policy/rules/hardening/settings';
import type { ContinueAction, PauseHookDetail, PausedDeployment, StoredVerdict } from '../../core/ports';
import type { Decision } from '../../core/result/model';
import { imageOf, markScanError, useVerdict, type ScanErrorNote } from './container-state';
import { classifyFailure, describeError, isNonRetryable, shouldRetry } from '../failures';
import type { Logger } from '../logger';
import { notifyAfterDecision } from '../enforcement/notify';
import type { GateRuntime } from '../runtime';
import { ensureScan, isReusable, rescan, verdictFromFinishedScan, type ImageFacts } from '../scans/scan-records';
import { clusterArnOf } from './lifecycle-hook';
import { revisionContainers, revisionEvidence, revisionExposure } from './revision';
import { clusterInScope } from '../../core/organisation/cluster-scope';

/**
 * Admission through an ECS PAUSE lifecycle hook. A deployment with a PAUSE hook at PRE_SCALE_UP stops before its
 * first task starts and ECS emits `ECS Hook State Change` (HOOK_AWAITING_ACTION); the deployment waits until
 * ContinueServiceDeployment names the hook with CONTINUE or ROLLBACK, or until the hook's timeout, when ECS takes
 * the hook's `timeoutAction` ("Pause hooks for Amazon ECS service deployments",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html). AWS lists PRE_SCALE_UP among
 * the stages a PAUSE hook may use, and the What's New post
 * (https://aws.amazon.com/about-aws/whats-new/2026/05/amazon-ecs-pause-continue-deployments/) says pause hooks work
 * with rolling, blue/green, linear and canary deployments: the PAUSE hook admits rolling deployments, where a Lambda
 * hook is documented only in blue/green terms, and it holds a long scan without a Lambda calling back every
 * `callBackDelay`.
 *
 * Whose hook: a PAUSE hook has no owner marker (`hookDetails` and `hookTargetArn` are "not used for PAUSE hooks",
 * API_DeploymentLifecycleHook), so the gate treats every PAUSE hook at PRE_SCALE_UP of a service in scope as its own,
 * and no other: the event must be about a PAUSE hook (`hookType`) and name it (`hookId`), its stage (the event's
 * `lifecycleStage`, else DescribeServiceDeployments') must be PRE_SCALE_UP, and when neither says the stage the gate
 * does nothing (the hook's timeout decides) rather than answer what may be someone's manual approval
 * (docs/deploy.md, "Attach to a rolling service").
 *
 * The revision's images are resolved as the Lambda hook resolves them (`revision.ts`), the scan is ensured once per
 * digest (the existing claim), and:
 * - every image has a verdict: CONTINUE, or ROLLBACK when the policy blocks (audit mode never blocks: it continues
 *   and reports); a scan error is judged by onScanError;
 * - a scan runs: the deployment is recorded as a waiter on each digest still scanning (a `Waiter` with `hookId`,
 *   `taskArn` holding the service deployment ARN); the scan's completion judges it again (`resumePausedDeployments`).
 * Idempotent: the hook's status is read back from DescribeServiceDeployments first, so a repeated event, or one for a
 * hook no longer AWAITING_ACTION, does nothing; ECS refusing ContinueServiceDeployment (the hook moved on, or timed
 * out meanwhile) is logged and counted, never retried.
 */

export type PauseOutcome =
  | { kind: 'continued'; serviceDeploymentArn: string; hookId: string; action: ContinueAction; decision: Decision }
  | { kind: 'waiting'; serviceDeploymentArn: string; hookId: string; digests: string[] }
  | { kind: 'notAwaiting'; serviceDeploymentArn: string; why: string }
  | { kind: 'refused'; serviceDeploymentArn: string; hookId: string; action: ContinueAction; message: string };

/** What a finishing scan already knows: its verdict, or its error, for the digest it scanned. */
export interface KnownOutcome {
  knownVerdicts?: ReadonlyMap<string, StoredVerdict>;
  scanErrors?: ReadonlyMap<string, string | ScanErrorNote>;
}

/** What the gate expects of the hook it judges: its id, and what the hook-state event said of its stage and expiry. */
interface ExpectedHook {
  hookId: string;
  /** PRE_SCALE_UP when the event (or, for a waiter, the event that made it) said so; undefined when nobody did. */
  lifecycleStage?: typeof ADMISSION_STAGE;
  expiresAt?: string;
}

/** The hook-state event: every paused deployment it may be about is judged, for the hook the event names. */
export async function admitPausedDeployments(rt: GateRuntime, event: PausedHookEvent, log: Logger): Promise<PauseOutcome[]> {
  const { target, hookId } = event;
  // Outside the clusters in scope the gate answers nothing (as the Lambda hook admits such services unjudged): the
  // owner of that hook decides, and the gate's role may not even describe the deployment there.
  const named = 'serviceDeploymentArn' in target ? clusterOfDeploymentArn(target.serviceDeploymentArn) : clusterArnOf(target.serviceArn);
  if (!inScope(rt, named)) {
    log.info({ target, clusterArn: named }, 'paused deployment outside the gate\'s clusters: left to its hook\'s timeout or owner');
    return [];
  }
  const lookup = 'serviceDeploymentArn' in target ? { serviceDeploymentArn: target.serviceDeploymentArn } : { serviceArn: target.serviceArn };
  const deployments = await rt.ecs.describePausedDeployments(lookup);
  if (deployments.length === 0) {
    log.info({ target }, 'no service deployment in progress for this hook event: nothing to do');
    return [];
  }
  const outcomes: PauseOutcome[] = [];
  const expected: ExpectedHook = { hookId, ...(event.lifecycleStage ? { lifecycleStage: event.lifecycleStage } : {}), ...(event.expiresAt ? { expiresAt: event.expiresAt } : {}) };
  for (const deployment of deployments) outcomes.push(await judgePausedDeployment(rt, deployment, expected, {}, log));
  return outcomes;
}

/**
 * A scan finished: the deployments paused on its digest are judged again (with its verdict or error), and stop
 * waiting on it. Costs one waiter query when nothing waits. One deployment's failure never holds up the others or
 * the scan (as `judgeWaiters` keeps tasks apart): a failure a retry cannot fix drops that waiter (its hook's timeout
 * action decides), and one a retry may fix is rethrown after the rest were judged, so the scan's finish is retried.
 * Thrown straight through, a permanent failure would count against finishing the scan and, repeated, mark a scan
 * that produced its verdict an error for every task and deployment waiting on it.
 */
export async function resumePausedDeployments(rt: GateRuntime, key: string, known: KnownOutcome, log: Logger): Promise<PauseOutcome[]> {
  const waiters = (await rt.store.listWaiters(key)).flatMap((waiter) => (waiter.hookId ? [{ ...waiter, hookId: waiter.hookId }] : []));
  const outcomes: PauseOutcome[] = [];
  let retryable: unknown;
  for (const waiter of waiters) {
    const waiterLog = log.child({ serviceDeploymentArn: waiter.taskArn });
    try {
      const deployments = await rt.ecs.describePausedDeployments({ serviceDeploymentArn: waiter.taskArn });
      const deployment = deployments.find((d) => d.serviceDeploymentArn === waiter.taskArn);
      if (!deployment) {
        await rt.store.removeWaiter(key, waiter.taskArn);
        waiterLog.info('paused deployment no longer known to ECS: no longer waited on');
        continue;
      }
      // A waiter is recorded only for a hook the gate found at PRE_SCALE_UP, and a hook id names one execution of one
      // hook ("the unique identifier for this hook execution", deployment-lifecycle-hooks): its stage is known.
      const outcome = await judgePausedDeployment(rt, deployment, { hookId: waiter.hookId, lifecycleStage: ADMISSION_STAGE }, known, log);
      // Decided, refused or no longer paused: this waiter is done (a decision also drops the deployment's other waiters).
      if (outcome.kind !== 'waiting') await rt.store.removeWaiter(key, waiter.taskArn);
      outcomes.push(outcome);
    } catch (error) {
      const kind = classifyFailure(error);
      rt.metrics.count('GateErrors', 1, { failure: kind });
      waiterLog.error({ err: error, failure: kind, hookId: waiter.hookId }, 'paused deployment could not be judged');
      if (shouldRetry(kind)) retryable ??= error;
      else await rt.store.removeWaiter(key, waiter.taskArn);
    }
  }
  if (retryable !== undefined) throw retryable;
  return outcomes;
}

/** Why the gate must leave this paused deployment alone, as ECS reports it; undefined when the hook is the gate's to answer. */
function notTheGatesToDecide(rt: GateRuntime, deployment: PausedDeployment, hook: PauseHookDetail | undefined, expected: ExpectedHook): string | undefined {
  if (!hook) return `no PAUSE hook ${expected.hookId} is AWAITING_ACTION`;
  if (deployment.status !== 'IN_PROGRESS') return `the deployment is ${deployment.status}, not IN_PROGRESS`;
  // The gate admits at PRE_SCALE_UP only (docs/deploy.md). A PAUSE hook at another stage that ECS names (a manual
  // approval at POST_TEST_TRAFFIC_SHIFT, AWS's own example) is someone else's decision: never CONTINUE or ROLLBACK it.
  // What ECS reports now wins over what the event said.
  if (deployment.lifecycleStage !== undefined && deployment.lifecycleStage !== ADMISSION_STAGE) {
    return `the deployment is paused at ${deployment.lifecycleStage}, not ${ADMISSION_STAGE}: not the gate's hook`;
  }
  if (!inScope(rt, clusterArnOf(deployment.serviceArn))) return "the service is outside the gate's clusters";
  return undefined;
}

/** Neither the event nor DescribeServiceDeployments names the stage: the hook may be anyone's, so it is left to its timeout. */
const STAGE_UNKNOWN = `neither the hook event nor DescribeServiceDeployments names the stage: the gate answers only a PAUSE hook it knows is at ${ADMISSION_STAGE}`;

function awaitingHook(deployment: PausedDeployment, hookId: string): PauseHookDetail | undefined {
  return deployment.pauseHooks.find((hook) => hook.status === 'AWAITING_ACTION' && hook.hookId === hookId);
}

async function judgePausedDeployment(rt: GateRuntime, deployment: PausedDeployment, expected: ExpectedHook, known: KnownOutcome, log: Logger): Promise<PauseOutcome> {
  const arn = deployment.serviceDeploymentArn;
  const deploymentLog = log.child({ serviceDeploymentArn: arn });
  const hook = awaitingHook(deployment, expected.hookId);
  // "You can continue a deployment that has a pause hook in AWAITING_ACTION status. The deployment must be in the
  // IN_PROGRESS state." (Continuing service deployments, ECS developer guide.)
  const why = notTheGatesToDecide(rt, deployment, hook, expected);
  if (!hook || why !== undefined) {
    deploymentLog.info({ why }, 'paused deployment: nothing to decide');
    return { kind: 'notAwaiting', serviceDeploymentArn: arn, why: why ?? `no PAUSE hook ${expected.hookId} is AWAITING_ACTION` };
  }
  if ((deployment.lifecycleStage ?? expected.lifecycleStage) === undefined) {
    rt.metrics.count('PausedDeploymentsStageUnknown');
    deploymentLog.warn({ hookId: hook.hookId, why: STAGE_UNKNOWN, expiresAt: hook.expiresAt, timeoutAction: hook.timeoutAction }, 'paused deployment left to its hook\'s timeout');
    return { kind: 'notAwaiting', serviceDeploymentArn: arn, why: STAGE_UNKNOWN };
  }

  const revision = await rt.ecs.describeServiceRevision(deployment.targetServiceRevisionArn);
  const spec = await rt.taskDefinitions.get(revision.taskDefinitionArn);
  const containers = spec.containers.length > 0 ? await revisionContainers(rt, revision, spec, deploymentLog) : [];
  const keys = [...new Set(containers.flatMap((c) => (c.key ? [c.key] : [])))];
  const verdicts = keys.length > 0 ? await rt.store.getVerdicts(keys, rt.policy.hash) : new Map<string, StoredVerdict>();
  const now = rt.clock.now();
  const pending: string[] = [];

  for (const key of keys) {
    const holders = containers.filter((c) => c.key === key);
    const sized = holders.find((holder) => holder.imageSizeBytes !== undefined);
    const image = sized ? { sizeBytes: sized.imageSizeBytes } : {};
    const outcome = await verdictFor(rt, key, holders[0].pullReference ?? key, verdicts.get(key), known, deploymentLog, now, image);
    if ('verdict' in outcome) for (const c of holders) useVerdict(c, outcome.verdict);
    else if ('scanError' in outcome) for (const c of holders) markScanError(c, outcome.scanError);
    else pending.push(key);
  }

  const service = serviceOfArn(deployment.serviceArn).service;
  if (pending.length > 0) {
    let newlyWaiting = false;
    for (const key of pending) {
      const created = await rt.store.addWaiter({
        digest: key,
        taskArn: arn,
        hookId: hook.hookId,
        cluster: deployment.clusterArn,
        ...(service ? { service } : {}),
        taskDefinitionArn: revision.taskDefinitionArn,
        seenAt: now.toISOString(),
      });
      newlyWaiting ||= created;
    }
    // Once per deployment that starts waiting: a redelivered event, or a scan's completion judging it again, is not new.
    if (newlyWaiting) {
      rt.metrics.count('PausedDeploymentsWaiting');
      await warnIfExpiringFirst(rt, pending, expected.expiresAt ?? hook.expiresAt, hook, deploymentLog);
    }
    deploymentLog.info({ waitingOn: pending, hookId: hook.hookId, expiresAt: hook.expiresAt, timeoutAction: hook.timeoutAction }, 'paused deployment waits for scans');
    return { kind: 'waiting', serviceDeploymentArn: arn, hookId: hook.hookId, digests: pending };
  }

  const evidence = spec.containers.length > 0 ? revisionEvidence(containers, spec) : [{ scanError: `task definition ${revision.taskDefinitionArn} has no containers to judge` }];
  const cluster = deployment.clusterArn || revision.cluster;
  const result = evaluatePolicy(rt.policy, {
    containers: evidence,
    context: { cluster, ...(service ? { service } : {}), taskDefinition: revision.taskDefinitionArn, ...revisionExposure(revision) },
    now,
    // The task definition and the service revision the hook already read: no extra AWS call, as in the Lambda hook.
    task: taskSettingsOf(spec),
    ...(revision.launch ? { launch: revision.launch } : {}),
  });
  const blocking = isBlocking(result);
  const action: ContinueAction = blocking ? 'ROLLBACK' : 'CONTINUE';
  rt.metrics.count('HookDecisions', 1, { decision: result.decision });

  try {
    await rt.ecs.continueServiceDeployment(arn, hook.hookId, action);
  } catch (error) {
    const failure = classifyFailure(error);
    if (!isNonRetryable(failure)) throw error;
    // The hook moved on (continued elsewhere, timed out) or the deployment ended: ECS said no, and will again.
    rt.metrics.count('GateErrors', 1, { failure });
    deploymentLog.warn({ err: error, hookId: hook.hookId, action }, 'ContinueServiceDeployment refused: the hook is no longer awaiting action');
    await forgetWaiters(rt, arn, keys);
    return { kind: 'refused', serviceDeploymentArn: arn, hookId: hook.hookId, action, message: describeError(error).message };
  }
  rt.metrics.count('EnforcementActions', 1, { action: blocking ? 'hookFailed' : 'hookContinued' });
  deploymentLog[blocking ? 'warn' : 'info']({ hookId: hook.hookId, action, decision: result.decision }, 'paused deployment decided');
  await forgetWaiters(rt, arn, keys);

  if (result.decision !== 'pass') {
    const images = containers.map(imageOf);
    const eventAction = blocking ? 'hookFailed' : 'hookSucceeded';
    await notifyAfterDecision(
      rt,
      { key: `hook#pause#${hook.hookId}`, action: eventAction, decision: result.decision },
      () => buildVerdictEvent({ result, action: eventAction, images, cluster, ...(service ? { service } : {}), taskDefinitionArn: revision.taskDefinitionArn }),
      deploymentLog,
    );
  }
  return { kind: 'continued', serviceDeploymentArn: arn, hookId: hook.hookId, action, decision: result.decision };
}

/**
 * Where one key stands for a paused deployment: the verdict (fresh, or the one its scan just produced), a scan error
 * (the one its scan just ended in, or one that still stands), or pending (a scan was started or runs).
 */
async function verdictFor(
  rt: GateRuntime,
  key: string,
  pullReference: string,
  stored: StoredVerdict | undefined,
  known: KnownOutcome,
  log: Logger,
  now: Date,
  image: ImageFacts,
): Promise<{ verdict: StoredVerdict } | { scanError: string | ScanErrorNote } | { pending: true }> {
  const handed = known.knownVerdicts?.get(key);
  if (handed) return { verdict: handed };
  const failed = known.scanErrors?.get(key);
  if (failed !== undefined) return { scanError: failed };
  if (stored && verdictFreshness(stored, now, rt.maxScanAgeMs) === 'fresh') return { verdict: stored };
  const outcome = await ensureScan(rt, key, pullReference, log, image);
  if (outcome.state === 'error') return { scanError: { message: outcome.record.error || 'the scan failed', ...(outcome.record.buildId ? { buildId: outcome.record.buildId } : {}) } };
  if (outcome.state === 'done') {
    const verdict = isReusable(rt, outcome.record) ? await verdictFromFinishedScan(rt, outcome.record, log) : undefined;
    if (verdict) return { verdict };
    const again = await rescan(rt, outcome.record, log, pullReference, { mode: 'image' }, image);
    if (again.state === 'error') return { scanError: again.record.error || 'the scan failed' };
  }
  return { pending: true };
}

/**
 * Counts and logs a paused deployment whose hook times out before the gate's latest answer on the scans it waits on
 * (core/gate/pause-answer-deadline.ts): ECS will then take the hook's timeout action whatever the scans find. The
 * hook's timeout should exceed the stack output PauseHookMinimumTimeoutMinutes (docs/deploy.md).
 */
async function warnIfExpiringFirst(rt: GateRuntime, keys: readonly string[], expiresAt: string | undefined, hook: PauseHookDetail, log: Logger): Promise<void> {
  const expires = expiresAt === undefined ? Number.NaN : Date.parse(expiresAt);
  if (Number.isNaN(expires)) return;
  const scans = (await Promise.all(keys.map((key) => rt.store.getScan(key)))).filter((scan) => scan !== undefined);
  const fallback = rt.config.fallbackScanProjectName ? (rt.config.fallbackScanTimeoutMinutes ?? rt.config.scanTimeoutMinutes) : undefined;
  const latest = latestPausedAnswer(scans, {
    scanTimeoutMinutes: rt.config.scanTimeoutMinutes,
    ...(fallback !== undefined ? { fallbackScanTimeoutMinutes: fallback } : {}),
    sweepIntervalMinutes: rt.config.sweepIntervalMinutes,
  });
  if (latest === undefined || latest.getTime() <= expires) return;
  rt.metrics.count('PausedDeploymentsExpiringBeforeScan');
  log.warn(
    { hookId: hook.hookId, expiresAt: new Date(expires).toISOString(), latestAnswer: latest.toISOString(), timeoutAction: hook.timeoutAction },
    "the PAUSE hook times out before the gate's latest answer on its scans: ECS may take the timeout action first (raise the hook's timeout above PauseHookMinimumTimeoutMinutes)",
  );
}

async function forgetWaiters(rt: GateRuntime, serviceDeploymentArn: string, keys: readonly string[]): Promise<void> {
  for (const key of keys) await rt.store.removeWaiter(key, serviceDeploymentArn);
}

/** Whether a cluster is one the gate answers for (no clusters configured: every cluster of the account and region). */
function inScope(rt: GateRuntime, clusterArn: string | undefined): boolean {
  return clusterInScope(clusterArn, rt.config.clusterArns, rt.config.organisationAccount);
}

/** `arn:...:service-deployment/<cluster>/<service>/<id>` → `arn:...:cluster/<cluster>`. */
function clusterOfDeploymentArn(serviceDeploymentArn: string): string | undefined {
  const at = serviceDeploymentArn.indexOf(':service-deployment/');
  const cluster = at < 0 ? undefined : serviceDeploymentArn.slice(at + ':service-deployment/'.length).split('/')[0];
  return cluster ? `${serviceDeploymentArn.slice(0, at)}:cluster/${cluster}` : undefined;
}
