import {
  ADMISSION_STAGE,
  GATE_HOOK_STATE_KEY,
  readLifecycleHook,
  serviceOfArn,
  type HookResponse,
  type HookState,
  type LifecycleHookPayload,
} from '../core/events';
import { verdictFreshness } from '../core/gate/freshness';
import { planImage } from '../core/gate/images';
import { hookKey } from '../core/gate/keys';
import { buildVerdictEvent, type VerdictImage } from '../core/gate/verdict-event';
import { formatImageReference, isSha256Digest, pinnedReference } from '../core/image/reference';
import { evaluatePolicy, isBlocking, type ContainerEvidence } from '../core/policy';
import type { StoredVerdict } from '../core/ports';
import type { EvaluationResult } from '../core/result/model';
import { imageOf, useVerdict, type ContainerState } from './container-state';
import { classifyFailure, describeError } from './failures';
import type { Logger } from './logger';
import { notifyOnce } from './notify';
import type { GateRuntime } from './runtime';
import { errorMayBeRetried, isReusable, newScanRecord, rescan, startScan, verdictFromFinishedScan } from './scans';

/**
 * The ECS deployment lifecycle hook at PRE_SCALE_UP: the one place ECS lets the gate refuse a service revision
 * before any of its tasks start. Request and response shapes:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html
 *
 * SUCCEEDED: every image has a verdict and none blocks (audit mode and warnings pass, with a verdict event).
 * FAILED: a verdict blocks (ECS rolls the deployment back; a verdict event says why).
 * IN_PROGRESS: a scan was started or still runs; ECS calls back after `callBackDelay` seconds. The scans this
 * hook started are remembered in `hookDetails`, so a scan error seen on a call back is this deployment's and
 * onScanError decides, while an old error of another deployment just means "scan again".
 *
 * The function never throws: a thrown error or a missing hookStatus makes ECS roll back, which a DynamoDB
 * throttle must not cause. Failures answer IN_PROGRESS (ECS calls back); after `hookMaxFailures` in a row the
 * gate stops waiting and onScanError decides, as it does for a payload it cannot read.
 */
export async function handleLifecycleHook(rt: GateRuntime, raw: unknown): Promise<HookResponse> {
  const reading = readLifecycleHook(raw);
  if (!reading.ok) {
    const log = rt.logger.child({ kind: 'lifecycleHook' });
    log.error({ reason: reading.reason }, 'lifecycle hook payload unreadable');
    rt.metrics.count('HookPayloadsUnreadable');
    return respond(rt, unjudgeable(rt, `the lifecycle hook payload could not be read (${reading.reason})`), log);
  }
  const { payload, state } = reading;
  const log = rt.logger.child({ kind: 'lifecycleHook', executionId: payload.executionId, serviceRevisionArn: payload.executionDetails.targetServiceRevisionArn });

  if (payload.lifecycleStage !== ADMISSION_STAGE) {
    log.warn({ lifecycleStage: payload.lifecycleStage }, `the gate admits revisions at ${ADMISSION_STAGE} only; this stage passes`);
    return respond(rt, { hookStatus: 'SUCCEEDED' }, log);
  }
  const clusterArn = clusterArnOf(payload.executionDetails.serviceArn);
  if (rt.config.clusterArns.length > 0 && (!clusterArn || !rt.config.clusterArns.includes(clusterArn))) {
    log.info({ clusterArn }, 'service outside the gate\'s clusters: admitted');
    return respond(rt, { hookStatus: 'SUCCEEDED' }, log);
  }

  try {
    const response = await admit(rt, payload, state, log);
    return respond(rt, response, log);
  } catch (error) {
    const failure = classifyFailure(error);
    rt.metrics.count('GateErrors', 1, { failure });
    if (failure === 'input') {
      log.error({ err: error }, 'the revision cannot be judged');
      return respond(rt, await decideUnjudgeable(rt, payload, `the service revision could not be judged: ${describeError(error).message}`, log), log);
    }
    const failures = (state.failures ?? 0) + 1;
    log.error({ err: error, failure, failures }, 'lifecycle hook failed; ECS will call back');
    if (failures >= rt.config.hookMaxFailures) {
      return respond(rt, await decideUnjudgeable(rt, payload, `the gate failed ${failures} times in a row: ${describeError(error).message}`, log), log);
    }
    return respond(rt, { hookStatus: 'IN_PROGRESS', callBackDelay: rt.config.hookCallBackDelaySeconds, hookDetails: { [GATE_HOOK_STATE_KEY]: { ...state, failures } } }, log);
  }
}

function respond(rt: GateRuntime, response: HookResponse, log: Logger): HookResponse {
  rt.metrics.count('HookResponses', 1, { status: response.hookStatus });
  log.info({ hookStatus: response.hookStatus, callBackDelay: response.callBackDelay }, 'lifecycle hook answered');
  return response;
}


async function admit(rt: GateRuntime, payload: LifecycleHookPayload, state: HookState, log: Logger): Promise<HookResponse> {
  const revision = await rt.ecs.describeServiceRevision(payload.executionDetails.targetServiceRevisionArn);
  const spec = await rt.taskDefinitions.get(revision.taskDefinitionArn);
  const plans = revision.containers.map((container) => planImage(container, spec.containers.find((c) => c.name === container.name)?.image));

  // ECS resolves tags to digests per deployment (software version consistency), so digests are normally there;
  // a container that opted out gets its ECR tag resolved here, as a task's would be.
  const containers: ContainerState[] = await Promise.all(
    plans.map(async (plan): Promise<ContainerState> => {
      if (plan.kind === 'pinned') return { plan, key: plan.digest, digest: plan.digest, pullReference: pinnedReference(plan.reference, plan.digest) };
      if (plan.kind === 'byReference') return { plan, key: plan.scanKey, pullReference: formatImageReference(plan.reference) };
      if (plan.kind === 'invalid') return { plan, scanError: plan.error };
      const digest = await rt.registry.resolveDigest(plan.reference);
      if (!isSha256Digest(digest)) return { plan, scanError: 'the image tag does not exist in its ECR repository (DescribeImages found no such image)' };
      return { plan, key: digest, digest, pullReference: pinnedReference(plan.reference, digest) };
    }),
  );

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
    const outcome = await scanForHook(rt, key, holders[0].pullReference ?? key, scans, log);
    if ('verdict' in outcome) for (const c of holders) useVerdict(c, outcome.verdict);
    else if ('scanError' in outcome) for (const c of holders) c.scanError = outcome.scanError;
    else pending.push(key);
  }

  if (pending.length > 0) {
    log.info({ waitingOn: pending }, 'revision waits for scans');
    return { hookStatus: 'IN_PROGRESS', callBackDelay: rt.config.hookCallBackDelaySeconds, hookDetails: { [GATE_HOOK_STATE_KEY]: { scans, failures: 0 } } };
  }

  const service = serviceOfArn(payload.executionDetails.serviceArn).service;
  const evidence: ContainerEvidence[] = containers.map((c) => {
    const container: ContainerEvidence = { name: c.plan.container };
    if (c.plan.kind !== 'invalid') container.image = c.plan.reference;
    if (c.digest) container.digest = c.digest;
    const containerSpec = spec.containers.find((s) => s.name === c.plan.container);
    if (containerSpec) container.spec = containerSpec;
    if (c.verdict) container.assessment = c.verdict.assessment;
    else container.scanError = c.scanError ?? 'no scan result';
    return container;
  });
  const clusterArn = clusterArnOf(payload.executionDetails.serviceArn);
  const result = evaluatePolicy(rt.policy, {
    containers: evidence,
    context: { cluster: clusterArn ?? revision.cluster, service, taskDefinition: revision.taskDefinitionArn },
    now,
  });
  rt.metrics.count('HookDecisions', 1, { decision: result.decision });
  const images = containers.map(imageOf);
  return answer(rt, payload, result, images, { cluster: clusterArn ?? revision.cluster, service, taskDefinitionArn: revision.taskDefinitionArn }, log);
}

/** Where a digest without a usable verdict stands, for this hook: a verdict, a scan error, or still scanning. */
async function scanForHook(
  rt: GateRuntime,
  key: string,
  pullReference: string,
  scans: Record<string, string>,
  log: Logger,
): Promise<{ verdict: StoredVerdict } | { scanError: string } | { pending: true }> {
  // Read before claiming: claimScan re-claims any error record, which would scan again on every call back.
  const existing = await rt.store.getScan(key);
  if (existing?.state === 'queued' || existing?.state === 'running') {
    scans[key] = existing.scanId;
    return { pending: true };
  }
  if (existing?.state === 'done') {
    const verdict = isReusable(rt, existing) ? await verdictFromFinishedScan(rt, existing, log) : undefined;
    if (verdict) return { verdict };
    const outcome = await rescan(rt, existing, log, pullReference);
    scans[key] = 'scanId' in outcome ? outcome.scanId : existing.scanId;
    return { pending: true };
  }
  // A failed scan is the answer when it is this hook's own, or recent enough that another launch's error stands.
  if (existing?.state === 'error' && (scans[key] === existing.scanId || !errorMayBeRetried(rt, existing))) {
    return { scanError: existing.error || 'the scan failed' };
  }
  // Replacing an error record carries its failures over, so the hook backs off as a task would (scans.ts ensureScan).
  const record = newScanRecord(rt, key, pullReference, existing);
  if (await rt.store.claimScan(record)) {
    const outcome = await startScan(rt, record, 'queued', log);
    if (outcome.state === 'error') return { scanError: outcome.record.error || 'the scan could not be requested' };
    scans[key] = record.scanId;
    return { pending: true };
  }
  const now = await rt.store.getScan(key);
  if (now) scans[key] = now.scanId;
  return { pending: true };
}

async function answer(
  rt: GateRuntime,
  payload: LifecycleHookPayload,
  result: EvaluationResult,
  images: VerdictImage[],
  subject: { cluster?: string; service?: string; taskDefinitionArn?: string },
  log: Logger,
): Promise<HookResponse> {
  const blocking = isBlocking(result);
  if (result.decision !== 'pass') {
    const action = blocking ? 'hookFailed' : 'hookSucceeded';
    await notifyOnce(
      rt,
      { key: hookKey(payload.executionId), action, decision: result.decision },
      () => buildVerdictEvent({ result, action, images, ...subject }),
      log,
    );
  }
  if (blocking) {
    rt.metrics.count('EnforcementActions', 1, { action: 'hookFailed' });
    log.warn({ decision: result.decision }, 'service revision refused');
    return { hookStatus: 'FAILED' };
  }
  return { hookStatus: 'SUCCEEDED' };
}

/** When the revision cannot be judged at all, the policy's onScanError decides, as for an image that could not be scanned. */
async function decideUnjudgeable(rt: GateRuntime, payload: LifecycleHookPayload, why: string, log: Logger): Promise<HookResponse> {
  const result = evaluatePolicy(rt.policy, { containers: [{ scanError: why }], context: {}, now: rt.clock.now() });
  const service = serviceOfArn(payload.executionDetails.serviceArn).service;
  try {
    return await answer(rt, payload, result, [], { cluster: clusterArnOf(payload.executionDetails.serviceArn), service }, log);
  } catch (error) {
    log.error({ err: error }, 'could not send the verdict event');
    return { hookStatus: isBlocking(result) ? 'FAILED' : 'SUCCEEDED' };
  }
}

function unjudgeable(rt: GateRuntime, why: string): HookResponse {
  const result = evaluatePolicy(rt.policy, { containers: [{ scanError: why }], context: {}, now: rt.clock.now() });
  return { hookStatus: isBlocking(result) ? 'FAILED' : 'SUCCEEDED' };
}



/** `arn:aws:ecs:<region>:<account>:service/<cluster>/<service>` → `arn:aws:ecs:<region>:<account>:cluster/<cluster>`. */
export function clusterArnOf(serviceArn: string): string | undefined {
  const { cluster } = serviceOfArn(serviceArn);
  if (!cluster) return undefined;
  return `${serviceArn.slice(0, serviceArn.indexOf(':service/'))}:cluster/${cluster}`;
}

