import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { isSha256Digest, type EcrLocation, type ImageReference } from '../core/image/reference';
import type { RegistryPort, ResolvedTag } from '../core/ports';
import { hasAwsErrorName } from './aws-errors';

export interface EcrRegistryOptions {
  /**
   * The ECR client for a registry location. A reference can name another region than the gate's (and a FIPS
   * endpoint), so the client is chosen per reference; `createAwsClients().ecrFor` caches one per region.
   */
  clientFor: (location: EcrLocation) => ECRClient;
}

/**
 * `RegistryPort` on ECR DescribeImages: tag → manifest digest, also across accounts (`registryId` is the account
 * in the reference's host; the repository policy must allow `ecr:DescribeImages` to the gate's role).
 * Anything that is not an ECR reference is not resolved here: it is scanned by reference and the scan
 * reports the digest.
 */
export class EcrRegistry implements RegistryPort {
  private readonly clientFor: (location: EcrLocation) => ECRClient;

  constructor(options: EcrRegistryOptions) {
    this.clientFor = options.clientFor;
  }

  /**
   * The image the tag names now, with `imagePushedAt` ("the date and time ... at which the current image was pushed to
   * the repository", https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html): the gate acts on
   * a resolved tag only when that image was pushed before the task's pull began.
   */
  async resolveDigest(reference: ImageReference): Promise<ResolvedTag | undefined> {
    if (!reference.ecr) return undefined;
    if (reference.digest) return { digest: reference.digest };
    // A reference without a tag means `latest`, as for `docker pull`.
    const imageTag = reference.tag ?? 'latest';
    try {
      const result = await this.clientFor(reference.ecr).send(
        new DescribeImagesCommand({ registryId: reference.ecr.accountId, repositoryName: reference.repository, imageIds: [{ imageTag }] }),
      );
      const detail = result.imageDetails?.find((image) => image.imageDigest);
      const digest = detail?.imageDigest;
      if (digest === undefined) return undefined;
      if (!isSha256Digest(digest)) {
        throw new Error(`ECR DescribeImages for ${reference.original} returned ${JSON.stringify(digest)}, not a sha256 manifest digest`);
      }
      const pushedAt = detail?.imagePushedAt;
      // "The size, in bytes, of the image in the repository" (compressed; for a manifest list, the largest of its
      // manifests): ImageDetail, https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html. Passed on
      // as given: the core decides what a usable size is (compute-routing.ts readImageSize).
      const size = detail?.imageSizeInBytes;
      return {
        digest,
        ...(pushedAt instanceof Date && !Number.isNaN(pushedAt.getTime()) ? { pushedAt: pushedAt.toISOString() } : {}),
        ...(size !== undefined && size !== null ? { sizeBytes: size } : {}),
      };
    } catch (error) {
      if (hasAwsErrorName(error, 'ImageNotFoundException', 'RepositoryNotFoundException')) return undefined;
      throw error;
    }
  }

  /**
   * DescribeImages by digest (`imageIds: [{ imageDigest }]`, DescribeImages API Reference,
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html): the image's `imageSizeInBytes`,
   * as given. The same action, on the same repositories, as tag resolution (infra/permissions.ts resolveImageTags).
   */
  async imageSize(reference: ImageReference): Promise<number | undefined> {
    if (!reference.ecr || !isSha256Digest(reference.digest)) return undefined;
    try {
      const result = await this.clientFor(reference.ecr).send(
        new DescribeImagesCommand({ registryId: reference.ecr.accountId, repositoryName: reference.repository, imageIds: [{ imageDigest: reference.digest }] }),
      );
      const size = result.imageDetails?.find((image) => image.imageDigest === reference.digest)?.imageSizeInBytes;
      return size ?? undefined;
    } catch (error) {
      if (hasAwsErrorName(error, 'ImageNotFoundException', 'RepositoryNotFoundException')) return undefined;
      throw error;
    }
  }
}
