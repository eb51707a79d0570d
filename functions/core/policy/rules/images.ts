import { formatImageReference, type ImageReference } from '../../image/reference';
import type { Violation } from '../../result/model';
import type { CompiledPolicy } from '../compile';

/**
 * The image reference to judge, or why it could not be read. A reference in a task definition must parse; so must the
 * one a report names when nothing else names the image (a bare report): `fromReport` says where the bad one came from.
 */
export type ImageRefInput = { reference: ImageReference } | { invalid: string; why: string; fromReport?: boolean };

export function imageViolations(compiled: CompiledPolicy, container: string | undefined, input: ImageRefInput): Violation[] {
  const rule = compiled.document.rules.images;
  if (!rule?.enabled) return [];
  const who = container ? `container ${container}` : 'the image';
  // `container web's image "x"`, but `the image "x"`: never "the image's image".
  const whoseImage = container ? `container ${container}'s image` : 'the image';
  const base = { rule: 'images', kind: 'image' as const, container, action: rule.action };
  // An image the rule cannot read can be checked against no restriction, so it never passes one.
  if ('invalid' in input) {
    const message = input.fromReport
      ? input.invalid === ''
        ? `the report names no image reference (${input.why}), so its registry, tag and digest cannot be checked; scan the image by its registry reference`
        : `the report names the image ${JSON.stringify(input.invalid.slice(0, 200))}, which is not a valid image reference (${input.why}), so its registry, tag and digest cannot be checked; scan the image by its registry reference`
      : `${who} uses ${JSON.stringify(input.invalid)}, which is not a valid image reference (${input.why}); fix the image in the container definition`;
    return [{ ...base, id: 'images.reference', severity: 'high', message, details: { image: input.invalid.slice(0, 200) } }];
  }
  const ref = input.reference;
  const shown = JSON.stringify(ref.original);
  const out: Violation[] = [];
  if (compiled.allowedRegistries && !compiled.allowedRegistries([ref.registry])) {
    out.push({
      ...base,
      id: 'images.registry',
      severity: 'high',
      message:
        `${who} pulls ${shown} from registry ${JSON.stringify(ref.registry)}, which is not in allowedRegistries (${(rule.allowedRegistries ?? []).join(', ')}); ` +
        'copy the image into an allowed registry (e.g. an ECR repository or pull-through cache) and reference it there',
      details: { image: ref.original, registry: ref.registry },
    });
  }
  // A digest pins the content, so the tag next to it is a label only and cannot drift.
  const tag = ref.digest ? undefined : (ref.tag ?? 'latest');
  if (compiled.denyTags && tag !== undefined && compiled.denyTags([tag])) {
    const implicit = ref.tag === undefined ? ' has no tag, which means "latest", a tag' : ` uses the tag ${JSON.stringify(tag)}, which`;
    out.push({
      ...base,
      id: 'images.tag',
      severity: 'medium',
      message: `${whoseImage} ${shown}${implicit} the policy denies as mutable; use a version tag or pin the digest (${ref.registry}/${ref.repository}@sha256:...)`,
      details: { image: ref.original, tag },
    });
  }
  if (rule.requireDigest && !ref.digest) {
    out.push({
      ...base,
      id: 'images.digest',
      severity: 'medium',
      message: `${whoseImage} ${shown} is not pinned by digest; reference it as ${formatImageReference({ ...ref, digest: undefined })}@sha256:<digest>`,
      details: { image: ref.original },
    });
  }
  return out;
}
