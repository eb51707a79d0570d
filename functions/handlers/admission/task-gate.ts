import { InputError } from '../../core/errors';
import { MemberRoleError } from '../../core/organisation/errors';
import { verdictFreshness } from '../../core/gate/freshness';
import { MISSING_REFERENCE, planImage, type ImagePlan } from '../../core/gate/images';
import { evidenceIsConclusive, planEnforcement } from '../../core/gate/plan';
import { taskOwner, type TaskSnapshot } from '../../core/gate/task';
import { formatImageReference, pinnedReference, isSha256Digest } from '../../core/image/reference';
import { evaluatePolicy, isBlocking } from '../../core/policy/evaluate';
import type { ContainerEvidence } from '../../core/policy';
import type { StoredVerdict } from '../../core/ports';
import type { Decision } from '../../core/result/model';
import { applyReadableOverrides } from '../../core/taskdef/overrides';
import type { TaskDefinitionSpec } from '../../core/taskdef/model';
import { taskSettingsOf } from '../../core/policy/rules/hardening/settings';
import { imageOf, markScanError, useVerdict, type ContainerState, type ScanErrorNote } from './container-state';
import type { EnforcementOutcome } from '../enforcement/enforce';
import { decisionLogFields } from '../decision-log';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';
import { withZod } from '../../io/zod-loader';

export type TaskJudgement =
  | { status: 'judged'; decision: Decision; blocking: boolean; action: EnforcementOutcome['action']; notified: boolean }
  /** Judged on a guessed digest (an ECR tag resolved by the gate while the task still starts): nothing done yet. */
  | { status: 'provisional'; decision: Decision }
  | { status: 'waiting'; on: string[] }
  | { status: 'skipped'; reason: string };

export interface JudgeOptions {
  origin: 'taskEvent' | 'runTaskHint' | 'scanFinished';
  log: Logger;
  /**
   * Verdicts a finishing scan just wrote: a read right after the write may not see them yet. They are the answer the
   * waiting task waited for, so they count as fresh whatever their age: a scan cannot give a newer one, and rescanning
   * for a policy's short maxScanAge (a build that queued in CodeBuild) would only start the wait over.
   */
  knownVerdicts?: ReadonlyMap<string, StoredVerdict>;
  /** Scans that just ended in error, by key (scan errors are not stored as verdicts), with the failed build when known. */
  scanErrors?: ReadonlyMap<string, string | ScanErrorNote>;
  launchedBy?: string;
  /** ISO time the gate first heard of the task, for the decision latency metric. */
  firstSeenAt?: string;
  /**
   * Told the task's launcher as the verdict read found it (the launcher item rides in that same BatchGetItem), as soon
   * as the read returns; never told when no read is made (no image to look up, an event dropped or a failure before it).
   */
  onLauncherRead?: (launcher: string | undefined) => void;
}

/** One container on its way to a decision. */

/**
 * Judges one task and acts on the decision. The path for a task whose digests all have verdicts is one store read
 * (verdicts and launcher together); the task definition comes from the in-memory cache.
 * Unknown digests get one scan each (claimScan) and the task waits on them; it is judged again when they finish.
 */
export async function judgeTask(rt: GateRuntime, task: TaskSnapshot, options: JudgeOptions): Promise<TaskJudgement> {
  const log = options.log.child({ taskArn: task.taskArn });
  const owner = taskOwner(task);
  const specPromise = loadSpec(rt, task, log);
  // Read later, maybe not at all (a skipped event): a rejection must not go unhandled meanwhile.
  specPromise.catch(() => undefined);

  let plans = task.containers.map((container) => planImage(container));
  if (plans.some((plan) => plan.kind === 'invalid' && plan.error === MISSING_REFERENCE)) {
    const { spec } = await specPromise;
    plans = task.containers.map((container) => planImage(container, spec?.containers.find((c) => c.name === container.name)?.image));
  }

  // advanceTaskVersion is used on one path only: a starting task whose ECR tags the gate must resolve itself.
  // There it saves an ECR DescribeImages per container for every duplicate or late event, and it keeps a late,
  // out-of-order early event from resolving a tag that has since moved. Nothing is acted on from such an event
  // (evidenceIsConclusive), so an event this check drops never loses a decision: later events carry the
  // digest ECS really pulled. Every other path de-duplicates through idempotent claims instead, which keeps a
  // known-digest decision at one read.
  if (options.origin === 'taskEvent' && task.version !== undefined && task.lastStatus !== 'RUNNING' && plans.some((p) => p.kind === 'resolveTag')) {
    if (!(await rt.store.advanceTaskVersion(task.taskArn, task.version))) {
      log.debug({ version: task.version }, 'an event as new or newer for this task was already handled');
      return { status: 'skipped', reason: 'duplicate or out-of-order event' };
    }
  }

  const states = await resolveContainers(rt, plans, log);
  const keys = [...new Set(states.flatMap((s) => (s.key ? [s.key] : [])))];
  const reading = readVerdicts(rt, keys, task.taskArn);
  const tellLauncher = options.onLauncherRead;
  if (tellLauncher) {
    reading.then(
      (done) => {
        if (done.launcherKnown) tellLauncher(done.launcher);
      },
      () => undefined,
    );
  }
  const [read, { spec, unusable }] = await Promise.all([reading, specPromise]);
  const now = rt.clock.now();

  const pending = new Map<string, ContainerState[]>();
  for (const state of states) {
    if (!state.key || state.scanError) continue;
    const scanError = options.scanErrors?.get(state.key);
    if (scanError !== undefined) {
      markScanError(state, scanError);
      continue;
    }
    const justScanned = options.knownVerdicts?.get(state.key);
    const verdict = justScanned ?? read.verdicts.get(state.key);
    const freshness = justScanned ? 'fresh' : verdict ? verdictFreshness(verdict, now, rt.maxScanAgeMs) : undefined;
    if (verdict && freshness === 'fresh') {
      useVerdict(state, verdict);
    } else {
      if (verdict) log.info({ digest: state.key, freshness }, 'stored verdict can no longer be used; scanning again');
      pending.set(state.key, [...(pending.get(state.key) ?? []), state]);
    }
  }

  if (pending.size > 0) {
    const launchedBy = read.launcher ?? options.launchedBy;
    // Scan records and starting a scan: imported for a digest without a usable verdict only (await-scans.ts).
    const { awaitScans } = await import('./await-scans');
    const waitingOn = await awaitScans(rt, task, owner.kind === 'service' ? owner.service : undefined, pending, { ...options, launchedBy }, log);
    if (waitingOn.length > 0) {
      rt.metrics.count('TasksWaiting');
      log.info({ waitingOn }, 'task waits for scans');
      return { status: 'waiting', on: waitingOn };
    }
  }

  const evidence: ContainerEvidence[] = states.map((state) => {
    const container: ContainerEvidence = { name: state.plan.container };
    if (state.plan.kind !== 'invalid') container.image = state.plan.reference;
    if (state.digest) container.digest = state.digest;
    const containerSpec = spec?.containers.find((c) => c.name === state.plan.container);
    if (containerSpec) container.spec = containerSpec;
    if (state.verdict) container.assessment = state.verdict.assessment;
    else container.scanError = state.scanError ?? 'no scan result';
    return container;
  });
  // Without its task definition the images are still judged, but what only the definition shows (its user, its
  // environment) is not: that gap is judged like an image that could not be scanned, never ignored.
  if (unusable !== undefined) evidence.push({ scanError: unusable });
  const result = evaluatePolicy(rt.policy, {
    containers: evidence,
    context: {
      cluster: task.clusterArn,
      service: owner.kind === 'service' ? owner.service : undefined,
      taskArn: task.taskArn,
      taskDefinition: task.taskDefinitionArn,
      // Only a RunTask call settles it (its public IP, and no load balancer); otherwise the policy's exposure.unknownAs decides.
      ...(task.exposure ? { exposure: task.exposure } : {}),
    },
    now,
    // The hardening rules judge the task definition already read for the containers, and the launch facts the event
    // itself carries (ECS Exec and the platform version from the task; the public IP from a RunTask call): no extra
    // AWS call. A fact the event does not carry is noted as not judged, never assumed.
    ...(spec ? { task: taskSettingsOf(spec) } : {}),
    ...(task.launch ? { launch: task.launch } : {}),
  });
  const blocking = isBlocking(result);
  rt.metrics.count('TaskDecisions', 1, { decision: result.decision });

  if (!evidenceIsConclusive(states, task)) {
    if (task.lastStatus === 'RUNNING') {
      // No digest from ECS and nothing showing the tag still names what the task pulled: the image it runs is unknown.
      const unproven = states.filter((s) => s.plan.kind === 'resolveTag').map((s) => ({ container: s.plan.container, resolvedDigest: s.digest, pushedAt: s.tagPushedAt }));
      log.warn({ decision: result.decision, containers: unproven, pullStartedAt: task.pullStartedAt ?? task.createdAt }, 'image the task runs is unknown: nothing done until ECS reports its digest');
    } else {
      log.info({ decision: result.decision, lastStatus: task.lastStatus }, 'provisional decision on a resolved tag: waiting for the digest ECS reports');
    }
    return { status: 'provisional', decision: result.decision };
  }

  const started = Date.parse(options.firstSeenAt ?? task.createdAt ?? '');
  if (!Number.isNaN(started)) rt.metrics.timing('DecisionLatency', Math.max(0, now.getTime() - started), { decision: result.decision });

  const plan = planEnforcement(result.decision, blocking, owner);
  // Loaded by the first conclusive decision (a chunk of its own in the function bundle): a cold start whose first
  // event is provisional, the common case while ECS has yet to report the digests, does not load the enforcement.
  const { enforceTaskDecision } = await import('../enforcement/enforce');
  const outcome = await enforceTaskDecision(rt, {
    task,
    owner,
    result,
    plan,
    images: states.map(imageOf),
    imageKeys: states.map((s) => s.key ?? `invalid:${s.plan.container}`),
    launcher: read.launcher ?? options.launchedBy,
    launcherKnown: read.launcherKnown || options.launchedBy !== undefined,
    log,
  });
  // A pass is routine (debug), unless an exception let findings through: who relied on which exception is worth a line.
  if (result.decision !== 'pass' || result.suppressed.length > 0) log.info({ ...decisionLogFields(result), blocking, action: outcome.action }, 'task judged');
  else if (log.isLevelEnabled('debug')) log.debug({ ...decisionLogFields(result), blocking, action: outcome.action }, 'task judged');
  return { status: 'judged', decision: result.decision, blocking, action: outcome.action, notified: outcome.notified };
}



interface LoadedSpec {
  /** The task definition with the task's readable RunTask overrides applied; undefined when it cannot be read. */
  spec?: TaskDefinitionSpec;
  /** Why the task definition cannot be used, when it cannot: the task is then judged under onScanError. */
  unusable?: string;
}

/**
 * The task definition with the task's RunTask overrides applied (environment overrides are judged like the task
 * definition's own). Overrides are read entry by entry: one the gate cannot read is left out and logged, the rest
 * still count. A task definition the gate cannot use (an `InputError`) is not a reason to ignore the task: it is
 * reported as `unusable`. Failures a retry may fix propagate.
 */
async function loadSpec(rt: GateRuntime, task: TaskSnapshot, log: Logger): Promise<LoadedSpec> {
  let base: TaskDefinitionSpec;
  try {
    base = await rt.taskDefinitions.get(task.taskDefinitionArn);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    log.error({ taskDefinitionArn: task.taskDefinitionArn, reason: error.message }, 'task definition unusable: the task is judged under onScanError');
    rt.metrics.count('GateErrors', 1, { failure: 'input' });
    return { unusable: `task definition ${task.taskDefinitionArn} could not be read, so its user and environment were not judged: ${error.message}` };
  }
  if (task.overrides === undefined || task.overrides === null) return { spec: base };
  const overrides = task.overrides;
  const { spec, problems } = await withZod(() => applyReadableOverrides(base, overrides, `overrides of task ${task.taskArn}`));
  if (problems.length > 0) log.warn({ problems: problems.map((problem) => problem.message) }, 'task overrides partly unreadable; judging the readable ones');
  return { spec };
}

/** Turns each plan into a verdict key, asking ECR for tags (in parallel). */
async function resolveContainers(rt: GateRuntime, plans: ImagePlan[], log: Logger): Promise<ContainerState[]> {
  return Promise.all(
    plans.map(async (plan): Promise<ContainerState> => {
      switch (plan.kind) {
        case 'pinned':
          return { plan, key: plan.digest, digest: plan.digest, pullReference: pinnedReference(plan.reference, plan.digest) };
        case 'byReference':
          return { plan, key: plan.scanKey, pullReference: formatImageReference(plan.reference) };
        case 'invalid':
          log.warn({ container: plan.container, reason: plan.error }, 'container image cannot be judged');
          return { plan, scanError: plan.error };
        case 'resolveTag': {
          let resolved: Awaited<ReturnType<typeof rt.registry.resolveDigest>>;
          try {
            resolved = await rt.registry.resolveDigest(plan.reference);
          } catch (error) {
            // The registry's account has no member role the gate may assume (a shared registry account without the
            // member stack, refused, outside the organisation): a retry cannot change that, so the container cannot be
            // judged and the policy's onScanError decides, instead of the whole task event being dropped unjudged.
            // A failed assumption (throttling, network) is passed on for the event's retry.
            if (!(error instanceof MemberRoleError) || error.reason === 'failed') throw error;
            log.warn({ container: plan.container, account: error.account, region: error.region, reason: error.reason }, 'image tag cannot be resolved in its registry account');
            return { plan, scanError: `the image tag could not be resolved in registry account ${error.account} (${error.region}): ${error.message}` };
          }
          const digest = resolved?.digest;
          if (!isSha256Digest(digest)) {
            return { plan, scanError: 'the image tag does not exist in its ECR repository (DescribeImages found no such image)' };
          }
          return {
            plan,
            key: digest,
            digest,
            pullReference: pinnedReference(plan.reference, digest),
            ...(resolved?.pushedAt ? { tagPushedAt: resolved.pushedAt } : {}),
            // The same DescribeImages gave the image's size: no extra call decides where its scan starts.
            ...(resolved?.sizeBytes !== undefined ? { imageSizeBytes: resolved.sizeBytes } : {}),
          };
        }
      }
    }),
  );
}

interface VerdictRead {
  verdicts: Map<string, StoredVerdict>;
  launcher?: string;
  launcherKnown: boolean;
}

/** One read for the verdicts and the launcher; none for a task without a single image to look up (all invalid). */
async function readVerdicts(rt: GateRuntime, keys: string[], taskArn: string): Promise<VerdictRead> {
  if (keys.length === 0) return { verdicts: new Map(), launcherKnown: false };
  const { verdicts, launcher } = await rt.store.getVerdictsForTask(keys, rt.policy.hash, taskArn);
  return { verdicts, launcher, launcherKnown: true };
}
