import type { ExposureFact } from '../../core/policy/input';
import type { ServiceExposurePort } from '../../core/posture/drift-ports';
import type { TaskUse } from '../../core/posture/ports';
import { exposuresFound, serviceKey, serviceLookups, withServiceExposure } from '../../core/posture/service-exposure';
import { describeError } from '../failures';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';

/** How long an answer is reused: a sweep that opens findings on several digests of one service asks about it once. */
export const EXPOSURE_ANSWER_TTL_MS = 10 * 60_000;
/** Answers kept per execution environment at most; the oldest go first. */
const MAX_REMEMBERED_ANSWERS = 1000;

interface Answer {
  /** Absent: ECS answered, and the answer settled nothing (no such service, INACTIVE, no awsvpc configuration). */
  exposure?: ExposureFact;
  at: number;
}

/** Answers per port, so they live as long as the execution environment's adapter and no longer. */
const answersOf = new WeakMap<ServiceExposurePort, Map<string, Answer>>();

/**
 * The uses with the exposure of their services settled where the inventory left it unknown: one DescribeServices per
 * cluster and 10 services, at most `MAX_EXPOSURE_LOOKUPS` calls per finding change, only when a finding opens (never on
 * task events); an answer is reused for `EXPOSURE_ANSWER_TTL_MS`. A failed call leaves those services unknown (and is
 * not remembered), logs why and counts `ExposureLookupsFailed`; this never throws, so the finding event goes out
 * either way. Standalone tasks stay as the inventory recorded them.
 */
export async function resolveUseExposure(rt: GateRuntime, uses: TaskUse[], log: Logger): Promise<TaskUse[]> {
  const port = rt.serviceExposure;
  if (!port) return uses;
  const answers = answersOf.get(port) ?? new Map<string, Answer>();
  answersOf.set(port, answers);
  const now = rt.clock.now().getTime();
  const found = new Map<string, ExposureFact>();
  const remembered = (use: TaskUse) => {
    if (use.exposure || !use.service) return false;
    const answer = answers.get(serviceKey(use.cluster, use.service));
    if (!answer || now - answer.at >= EXPOSURE_ANSWER_TTL_MS) return false;
    if (answer.exposure) found.set(serviceKey(use.cluster, use.service), answer.exposure);
    return true;
  };
  const { lookups, left } = serviceLookups(uses.filter((use) => !remembered(use)));
  if (left > 0) log.info({ services: left }, 'exposure of some services not looked up: over the DescribeServices budget of one finding change');
  for (const lookup of lookups) {
    try {
      const networks = await port.describeServiceNetworks(lookup.cluster, lookup.services);
      const settled = exposuresFound(lookup, networks);
      for (const service of lookup.services) {
        const key = serviceKey(lookup.cluster, service);
        const exposure = settled.get(key);
        if (exposure) found.set(key, exposure);
        remember(answers, key, { ...(exposure ? { exposure } : {}), at: now });
      }
    } catch (error) {
      rt.metrics.count('ExposureLookupsFailed');
      log.warn({ err: error, cluster: lookup.cluster, services: lookup.services, reason: describeError(error).message }, 'DescribeServices failed: the exposure of these services stays unknown in the finding events');
    }
  }
  return found.size > 0 ? withServiceExposure(uses, found) : uses;
}

function remember(answers: Map<string, Answer>, key: string, answer: Answer): void {
  answers.delete(key);
  if (answers.size >= MAX_REMEMBERED_ANSWERS) {
    const oldest = answers.keys().next().value;
    if (oldest !== undefined) answers.delete(oldest);
  }
  answers.set(key, answer);
}
