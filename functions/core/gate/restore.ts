import type { ImageReference } from '../image/reference';
import { evaluatePolicy, isBlocking } from '../policy/evaluate';
import type { ContainerEvidence, LoadedPolicy, Policy } from '../policy';
import type { StoredVerdict } from '../ports';
import type { EvaluationResult } from '../result/model';
import type { TaskDefinitionSpec } from '../taskdef/model';
import { verdictFreshness } from './freshness';

/* Restoring a service's previous revision after a bad deployment (handlers/enforcement/enforce.ts, a rollback only). */

/** One container of a revision the gate may restore: the digest a new deployment of it would run, and its verdict. */
export interface RestoreContainer {
  name: string;
  image?: ImageReference;
  /** The digest a new deployment would pull (tags are resolved again for every deployment). */
  digest?: string;
  /** Stored verdict of that digest under the current policy, when there is one. */
  verdict?: StoredVerdict;
  /** Why the digest cannot be known (a tag outside ECR, a tag that no longer exists, an invalid reference). */
  problem?: string;
}

export interface RestoreInput {
  policy: LoadedPolicy<Policy>;
  /** The revision's task definition (container users and environment are judged as for a task). */
  spec: TaskDefinitionSpec;
  containers: readonly RestoreContainer[];
  context: { cluster?: string; service?: string; taskDefinition?: string };
  now: Date;
}

export type RestoreDecision = { restore: true; result: EvaluationResult } | { restore: false; why: string };

/**
 * Whether the gate may put a service back on the revision a completed bad deployment replaced. Only when every image
 * the revision would run has a verdict under the policy in force now (keyed by its hash) and the revision as a whole
 * does not block: restoring a revision the gate would deny too would start a loop (restore, deny, roll back to the
 * bad one), and the gate does not itself deploy an image it never judged. An image it cannot pin to a digest, or
 * has no verdict for, is unknown, and unknown is not restored (the caller scales to zero instead).
 */
export function decideRestore(input: RestoreInput): RestoreDecision {
  const evidence: ContainerEvidence[] = [];
  for (const container of input.containers) {
    if (container.problem) return { restore: false, why: `container ${container.name}: ${container.problem}` };
    if (!container.digest) return { restore: false, why: `container ${container.name}: the digest it would run is unknown` };
    if (!container.verdict) return { restore: false, why: `container ${container.name}: no verdict for ${container.digest} under the current policy` };
    // Past its TTL the verdict is gone (DynamoDB deletes it eventually). Older than maxScanAge it still says how the
    // image was judged under this policy: a revision that ran for weeks is not taken for unknown, and if a rescan now
    // fails it, the restored deployment is judged and rolled back like any other.
    if (verdictFreshness(container.verdict, input.now, undefined) === 'expired') {
      return { restore: false, why: `container ${container.name}: the verdict for ${container.digest} has expired` };
    }
    const item: ContainerEvidence = { name: container.name, digest: container.digest, assessment: container.verdict.assessment };
    if (container.image) item.image = container.image;
    const spec = input.spec.containers.find((candidate) => candidate.name === container.name);
    if (spec) item.spec = spec;
    evidence.push(item);
  }
  if (evidence.length === 0) return { restore: false, why: 'the revision has no container the gate can judge' };
  const result = evaluatePolicy(input.policy, { containers: evidence, context: input.context, now: input.now });
  if (isBlocking(result) || result.decision === 'fail' || result.decision === 'error') {
    return { restore: false, why: `the revision would be denied too (decision ${result.decision})` };
  }
  return { restore: true, result };
}
