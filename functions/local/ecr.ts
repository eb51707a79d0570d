import type { RegistryPort, ResolvedTag } from '../core/ports';
import { isSha256Digest, parseImageReference, type ImageReference } from '../core/image/reference';
import type { ActivityLog } from './activity';

/**
 * Container registries as the world sees them: ECR repositories whose tags point at digests and can
 * move (a push of an existing tag), plus images in other registries (Docker Hub, GHCR) that tasks may
 * run but the gate cannot look up. As `RegistryPort` it answers only for ECR, like `ecr:DescribeImages`.
 */
export class FakeRegistry implements RegistryPort {
  /** `registry/repository` → tag → digest */
  private readonly tags = new Map<string, Map<string, string>>();
  /** `registry/repository` → digests present */
  private readonly digests = new Map<string, Set<string>>();
  /** `registry/repository@digest` → when the image was first pushed (ECR's `imagePushedAt`: a re-tag keeps it). */
  private readonly pushedAt = new Map<string, string>();

  /** digest → `imageSizeInBytes` (any value, as a scenario gives it: the gate must cope); absent: ECR says none. */
  private readonly sizes = new Map<string, number>();

  /** `now` stamps each push, as ECR does; without it images have no push time. */
  constructor(
    private readonly activity?: ActivityLog,
    private readonly now?: () => Date,
  ) {}

  /** Puts an image into its repository; a tag already in use moves to the new digest. Returns the digest it replaced, if any. */
  push(reference: string, digest: string): { previousDigest?: string } {
    const ref = parseImageReference(reference);
    if (!isSha256Digest(digest)) throw new Error(`FakeRegistry.push: ${JSON.stringify(digest)} is not a sha256 digest`);
    const repo = repositoryKey(ref);
    if (!this.digests.has(repo)) this.digests.set(repo, new Set());
    this.digests.get(repo)?.add(digest);
    const pushed = this.now?.();
    if (pushed && !this.pushedAt.has(`${repo}@${digest}`)) this.pushedAt.set(`${repo}@${digest}`, pushed.toISOString());
    if (!ref.tag) return {};
    if (!this.tags.has(repo)) this.tags.set(repo, new Map());
    const tags = this.tags.get(repo) as Map<string, string>;
    const previousDigest = tags.get(ref.tag);
    tags.set(ref.tag, digest);
    return previousDigest && previousDigest !== digest ? { previousDigest } : {};
  }

  /** What a pull of `reference` would get right now; undefined when the image does not exist. Not counted. */
  currentDigest(reference: string | ImageReference): string | undefined {
    const ref = typeof reference === 'string' ? parseImageReference(reference) : reference;
    const repo = repositoryKey(ref);
    if (ref.digest) return this.digests.get(repo)?.has(ref.digest) ? ref.digest : undefined;
    return this.tags.get(repo)?.get(ref.tag ?? 'latest');
  }

  async resolveDigest(reference: ImageReference): Promise<ResolvedTag | undefined> {
    this.activity?.call('registry.resolveDigest');
    // Only ECR answers DescribeImages; any other registry is "unknown here", and the scan resolves it.
    if (!reference.ecr) return undefined;
    const digest = this.currentDigest(reference);
    if (!digest) return undefined;
    const pushedAt = this.pushedAt.get(`${repositoryKey(reference)}@${digest}`);
    const sizeBytes = this.sizes.get(digest);
    return { digest, ...(pushedAt ? { pushedAt } : {}), ...(sizeBytes !== undefined ? { sizeBytes } : {}) };
  }

  /** Sets the size DescribeImages reports for a digest (the compressed size ECR stores). */
  setSize(digest: string, bytes: number): void {
    this.sizes.set(digest, bytes);
  }

  /** DescribeImages by digest: the size of an ECR image present in its repository. */
  async imageSize(reference: ImageReference): Promise<number | undefined> {
    this.activity?.call('registry.imageSize');
    if (!reference.ecr || !reference.digest || this.currentDigest(reference) !== reference.digest) return undefined;
    return this.sizes.get(reference.digest);
  }
}

function repositoryKey(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}
