import { planImage } from '../../core/gate/images';
import { formatImageReference, isSha256Digest, pinnedReference } from '../../core/image/reference';
import type { ContainerEvidence } from '../../core/policy';
import type { DescribedServiceRevision, ServiceRevisionImages } from '../../core/ports';
import type { EvaluationContext } from '../../core/policy/input';
import { exposureFromLaunch } from '../../core/taskdef/exposure';
import type { TaskDefinitionSpec } from '../../core/taskdef/model';
import type { ContainerState } from './container-state';
import type { Logger } from '../logger';
import type { GateRuntime } from '../runtime';

/**
 * The containers of a service revision about to start, each with the key its verdict is stored under and what a scan
 * of it pulls. Shared by both admission paths (the Lambda lifecycle hook and the PAUSE hook), so they resolve a
 * revision's images to digests the same way.
 *
 * The task definition says what will run; the revision only adds the digests ECS resolved, by container name. Its
 * list can be partial or empty at PRE_SCALE_UP, so a container it does not cover is judged all the same: its ECR tag
 * resolved, or its image scanned by reference.
 */
export async function revisionContainers(
  rt: GateRuntime,
  revision: Pick<ServiceRevisionImages, 'containers'>,
  spec: TaskDefinitionSpec,
  log: Logger,
): Promise<ContainerState[]> {
  const resolved = new Map(revision.containers.map((container) => [container.name, container]));
  const strangers = revision.containers.filter((container) => !spec.containers.some((c) => c.name === container.name)).map((c) => c.name);
  if (strangers.length > 0) log.warn({ containers: strangers }, 'the service revision names containers its task definition does not have: ignored');
  const plans = spec.containers.map((container) => {
    const images = resolved.get(container.name);
    return planImage({ name: container.name, image: images?.image ?? container.image, ...(images?.imageDigest ? { imageDigest: images.imageDigest } : {}) });
  });
  const undigested = plans.filter((plan) => plan.kind !== 'pinned' && plan.kind !== 'invalid').map((plan) => plan.container);
  if (undigested.length > 0) log.info({ containers: undigested }, 'no digest from the service revision: resolving the tag or scanning by reference');

  return Promise.all(
    plans.map(async (plan): Promise<ContainerState> => {
      if (plan.kind === 'pinned') return { plan, key: plan.digest, digest: plan.digest, pullReference: pinnedReference(plan.reference, plan.digest) };
      if (plan.kind === 'byReference') return { plan, key: plan.scanKey, pullReference: formatImageReference(plan.reference) };
      if (plan.kind === 'invalid') return { plan, scanError: plan.error };
      // A revision about to start pulls what the tag names now: no earlier pull to match it against.
      const tag = await rt.registry.resolveDigest(plan.reference);
      const digest = tag?.digest;
      if (!isSha256Digest(digest)) return { plan, scanError: 'the image tag does not exist in its ECR repository (DescribeImages found no such image)' };
      // The same DescribeImages gave the image's size: it decides where the image's scan starts (compute-routing.ts).
      return { plan, key: digest, digest, pullReference: pinnedReference(plan.reference, digest), ...(tag?.sizeBytes !== undefined ? { imageSizeBytes: tag.sizeBytes } : {}) };
    }),
  );
}

/** The policy's view of a judged revision's containers: image, digest, task-definition spec, and verdict or scan error. */
export function revisionEvidence(containers: readonly ContainerState[], spec: TaskDefinitionSpec): ContainerEvidence[] {
  return containers.map((c) => {
    const container: ContainerEvidence = { name: c.plan.container };
    if (c.plan.kind !== 'invalid') container.image = c.plan.reference;
    if (c.digest) container.digest = c.digest;
    const containerSpec = spec.containers.find((s) => s.name === c.plan.container);
    if (containerSpec) container.spec = containerSpec;
    if (c.verdict) container.assessment = c.verdict.assessment;
    else container.scanError = c.scanError ?? 'no scan result';
    return container;
  });
}

/** The revision's exposure for the evaluation context, when its launch facts settle it (a public IP, or none and no load balancer). */
export function revisionExposure(revision: Pick<DescribedServiceRevision, 'launch' | 'loadBalancing'>): Pick<EvaluationContext, 'exposure'> {
  const exposure = exposureFromLaunch(revision.launch, revision.loadBalancing);
  return exposure ? { exposure } : {};
}
