import { isSha256Digest } from '../../core/image/reference';
import { clusterNames, serviceNames } from '../../core/policy/glob';
import { resolveDriftSettings } from '../../core/policy/drift';
import { buildFindingEvent, compareVerdicts, findingCorrelationId, type FindingState, type VerdictChange } from '../../core/posture/findings';
import type { TaskUse } from '../../core/posture/ports';
import { findingsToResolve, openFindingOf, type FindingToResolve, type OpenFinding } from '../../core/posture/open-findings';
import { useContext } from '../../core/posture/use-context';
import type { StoredVerdict } from '../../core/ports';
import type { Violation } from '../../core/result/model';
import { describeError } from '../failures';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';
import { resolveUseExposure } from './use-exposure';

/** A new verdict of a digest, with what changed for the tasks that run it, and how to tell people once it is stored. */
export interface PreparedVerdict {
  verdict: StoredVerdict;
  change?: VerdictChange;
  /** Publishes the finding events of the change (after the verdict is stored). Never throws. */
  announce: () => Promise<void>;
}

const nothing = async () => undefined;

/**
 * Before a new verdict of a digest in use is stored: compares it with the previous verdict of the same digest (under
 * the same policy, or, the first time under a new policy, the latest under any earlier one). Findings it denies that the previous one allowed are drift: the verdict carries them as drift
 * marks (the launch gate applies the policy's grace to them), marks still denied keep when they opened. Digests not
 * in use, and gates without an inventory, store the verdict as it is.
 */
export async function prepareVerdict(rt: GateRuntime, verdict: StoredVerdict, log: Logger): Promise<PreparedVerdict> {
  const inventory = rt.inventory;
  if (!inventory || !isSha256Digest(verdict.digest)) return { verdict, announce: nothing };
  const uses = await inventory.listUsesOfDigest(verdict.digest);
  if (uses.length === 0) return { verdict, announce: nothing };
  // After a policy edit no verdict exists under the new hash yet: the latest under the previous policy is the previous
  // verdict, so drift marks inside their grace carry over and findings already opened are not opened again.
  const previous = (await rt.store.getVerdict(verdict.digest, verdict.policyHash)) ?? (await rt.store.getLatestVerdict(verdict.digest));
  const now = rt.clock.now();
  const previousPolicy = previous && previous.policyHash !== verdict.policyHash ? 'other' : 'same';
  const change = compareVerdicts(rt.policy, verdict.digest, previous?.assessment, verdict.assessment, now, previousPolicy);
  const { drift: _old, ...assessment } = verdict.assessment;
  const marked: StoredVerdict = { ...verdict, assessment: change.marks.length > 0 ? { ...assessment, drift: change.marks } : assessment };
  if (change.drifted.length > 0) {
    rt.metrics.count('DriftFindingsOpened', change.drifted.length);
    const context = useContext(uses);
    log.warn(
      {
        // `log` is bound to the digest (completion.ts scanLog, rejudge.ts reevaluate).
        findings: change.drifted.map((v) => driftedFinding(v)),
        services: context.services,
        tasks: context.tasks,
        clusters: context.clusters,
        taskDefinitions: context.taskDefinitions,
        launchedBy: context.launchedBy,
        ownerTags: context.ownerTags,
        exposure: context.exposure,
        exposureCounts: context.exposureCounts,
      },
      'drift: a digest in use now fails where its previous verdict passed',
    );
  }
  return { verdict: marked, change, announce: () => announceChange(rt, verdict, change, uses, log) };
}

/** A drifted finding as the drift notice names it: what it is, and the exploit data the policy judged it with. */
function driftedFinding(violation: Violation): Record<string, unknown> {
  const details = violation.details ?? {};
  const fact = (key: string) => (details[key] === undefined ? {} : { [key]: details[key] });
  return {
    id: violation.id,
    severity: violation.severity,
    ...fact('package'),
    ...fact('matchedBy'),
    ...fact('knownExploited'),
    ...fact('kevDateAdded'),
    ...fact('epss'),
    ...fact('epssPercentile'),
  };
}

/** Whether any scope the digest runs in wants drift notified (a scope may turn notices off, never the events of others). */
function notifies(rt: GateRuntime, uses: readonly TaskUse[]): boolean {
  // Short names and ARNs both, as act.ts matches them: a scope `clusters: ["sandbox-*"]` names clusters by short name.
  return uses.some((use) => resolveDriftSettings(rt.policy, { cluster: clusterNames(use.cluster), service: serviceNames(use.service), repositories: repositoriesOf(use), account: use.account ? [use.account] : [] }).notify);
}

/** Repository path and full name of a use's first container image, as the policy's scopes match them. */
export function repositoriesOf(use: Pick<TaskUse, 'containers'>): string[] {
  const image = use.containers[0]?.image ?? '';
  const name = image.replace(/@.*$/, '').replace(/:[^:/]+$/, '');
  const slash = name.indexOf('/');
  const registryLike = slash > 0 && /[.:]/.test(name.slice(0, slash));
  return registryLike ? [name.slice(slash + 1), name] : name ? [name] : [];
}

/**
 * "Fargate Gate Finding" events for the change, each at most once: the opened event claims the finding's
 * correlation id and, once published, records the finding open (`rt.openFindings`); the resolved event claims the
 * opening it resolves and, once published, removes the open item and gives the opened claim back (so a finding that
 * returns is announced again). A failed publish gives its claim back and is counted (`FindingEventsLost`): the next
 * verdict that still denies the finding announces it, and the next verdict that no longer denies an open finding
 * resolves it, whatever the previous verdict said. The decision never waits on any of it.
 */
async function announceChange(rt: GateRuntime, verdict: StoredVerdict, change: VerdictChange, uses: TaskUse[], log: Logger): Promise<void> {
  const findingEvents = rt.findingEvents;
  if (!findingEvents) return;
  if (!notifies(rt, uses)) {
    log.info({ digest: verdict.digest, opened: change.opened.length, resolved: change.resolved.length }, 'finding changes not announced: the drift scopes say notify false');
    return;
  }
  const digest = verdict.digest;
  const open = await listOpenFindings(rt, digest, log);
  const openKeys = new Set((open ?? []).map((item) => findingCorrelationId(digest, item.finding)));
  // Only an opened event that won its claim pays for the exposure lookup (once per change); a resolved event, or one
  // already announced, names the uses as recorded.
  let described: Promise<TaskUse[]> | undefined;
  const usesFor = (state: FindingState) => (state === 'opened' ? (described ??= resolveUseExposure(rt, uses, log)) : Promise.resolve(uses));

  /** Claims `key`; undefined when the claim could not be asked (counted as a lost event). */
  const claim = async (key: string, state: FindingState, at: Date): Promise<boolean | undefined> => {
    try {
      return await rt.store.claimEnforcement({ key, action: state === 'opened' ? 'findingOpened' : 'findingResolved', decision: state === 'opened' ? 'fail' : 'pass', at: at.toISOString() });
    } catch (error) {
      rt.metrics.count('FindingEventsLost');
      log.error({ err: error, key }, 'could not claim the finding event');
      return undefined;
    }
  };
  const publish = async (state: FindingState, violation: Violation, key: string, at: Date): Promise<boolean> => {
    const mark = change.marks.find((m) => m.rule === violation.rule && m.id === violation.id);
    const event = buildFindingEvent({
      state,
      digest,
      violation,
      policy: { name: rt.policy.name, hash: verdict.policyHash },
      uses: await usesFor(state),
      // A drift mark names a finding that drifted in (now or, for an event announced late, at its `openedAt`).
      ...(state === 'opened' && mark ? { drift: mark } : {}),
      at,
    });
    try {
      await findingEvents.publishFinding(event);
      rt.metrics.count('FindingEvents', 1, { state });
      return true;
    } catch (error) {
      rt.metrics.count('FindingEventsLost');
      log.error({ err: error, key, reason: describeError(error).message }, 'the finding event could not be published');
      try {
        await rt.store.releaseEnforcement(key);
      } catch (releaseError) {
        log.error({ err: releaseError, key }, 'could not give back the finding event claim');
      }
      return false;
    }
  };

  const announceOpened = async (violation: Violation) => {
    const key = findingCorrelationId(digest, violation);
    const at = rt.clock.now();
    const won = await claim(key, 'opened', at);
    if (won === undefined) return;
    if (!won) {
      // Announced before: make sure it has its open item (opened before the gate kept them, or the write failed), so
      // its resolved event is owed. Never over an item another invocation recorded.
      if (open && !openKeys.has(key)) await recordOpen(rt, openFindingOf(digest, violation, at.toISOString()), true, log);
      return;
    }
    if (await publish('opened', violation, key, at)) await recordOpen(rt, openFindingOf(digest, violation, at.toISOString()), false, log);
  };

  const announceResolved = async ({ violation, openedAt }: FindingToResolve) => {
    const correlationId = findingCorrelationId(digest, violation);
    // One resolved event per opening. Without an open item, the resolving verdict keys it: a re-judged report keeps its
    // scan time under every policy, so the policy hash keeps their resolved claims apart.
    const key = openedAt ? `${correlationId}#resolved#${openedAt}` : `${correlationId}#resolved#${verdict.policyHash}#${verdict.scannedAt}`;
    const at = rt.clock.now();
    if (!(await claim(key, 'resolved', at))) return;
    if (!(await publish('resolved', violation, key, at))) {
      // Still open: the next verdict that does not deny it resolves it from its item (recorded here when it had none).
      if (!openedAt) await recordOpen(rt, openFindingOf(digest, violation, at.toISOString()), true, log);
      return;
    }
    try {
      // The item first, then the opened claim: a finding opened again once the claim is free keeps its new item.
      if (openedAt && rt.openFindings && !(await rt.openFindings.closeOpenFinding(digest, violation, openedAt))) return;
      await rt.store.releaseEnforcement(correlationId);
    } catch (error) {
      log.error({ err: error, key: correlationId }, 'could not close the resolved finding (its opened claim expires with its retention)');
    }
  };

  // Every finding denied now, not only the newly opened: the claim lets through only those never announced, so an
  // opened event lost to a failed publish (its claim given back) goes out with the next verdict of the digest, and so
  // does a finding a policy edit alone denies (the earlier policy's assessment, judged under the new one, denies it too).
  for (const violation of change.denied) await announceOpened(violation);
  // Every open finding not denied now, not only those the previous verdict denied: a lost resolved event goes out now.
  for (const finding of findingsToResolve(change, open ?? [])) await announceResolved(finding);
}

/** The digest's open findings; undefined without the store or when it could not be read (logged: this verdict resolves only what changed). */
async function listOpenFindings(rt: GateRuntime, digest: string, log: Logger): Promise<OpenFinding[] | undefined> {
  if (!rt.openFindings) return undefined;
  try {
    return await rt.openFindings.listOpenFindings(digest);
  } catch (error) {
    log.error({ err: error, digest }, 'could not read the open findings: this verdict resolves only the findings its previous verdict denied');
    return undefined;
  }
}

/** Records a finding open; a failure is logged, never thrown (the event went out or the claim is held either way). */
async function recordOpen(rt: GateRuntime, open: OpenFinding, ifAbsent: boolean, log: Logger): Promise<void> {
  if (!rt.openFindings) return;
  try {
    await rt.openFindings.recordOpenFinding(open, { ifAbsent });
  } catch (error) {
    log.error({ err: error, digest: open.digest, finding: `${open.finding.rule}:${open.finding.id}` }, 'could not record the open finding: a lost resolved event of it is not sent again');
  }
}
