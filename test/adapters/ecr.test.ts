import { DescribeImagesCommand, ECRClient, ImageNotFoundException, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EcrRegistry } from '../../functions/adapters/ecr';
import { parseImageReference, type EcrLocation } from '../../functions/core/image/reference';
import { awsError } from './sample-data';

const ecrMock = mockClient(ECRClient);
const DIGEST = `sha256:${'c'.repeat(64)}`;

function registry(): { registry: EcrRegistry; locations: EcrLocation[] } {
  const locations: EcrLocation[] = [];
  const clients = new Map<string, ECRClient>();
  return {
    locations,
    registry: new EcrRegistry({
      clientFor: (location) => {
        locations.push(location);
        const key = `${location.region}${location.fips}`;
        if (!clients.has(key)) clients.set(key, new ECRClient({ region: location.region }));
        return clients.get(key)!;
      },
    }),
  };
}

beforeEach(() => ecrMock.reset());

describe('EcrRegistry.resolveDigest', () => {
  it('resolves a tag with DescribeImages in the account and region of the reference', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['1.2.3'], imagePushedAt: new Date('2026-01-05T08:30:00Z') }] });
    const { registry: ecr, locations } = registry();
    const resolved = await ecr.resolveDigest(parseImageReference('210987654321.dkr.ecr.us-east-2.amazonaws.com/team/app:1.2.3'));
    expect(resolved).toEqual({ digest: DIGEST, pushedAt: '2026-01-05T08:30:00.000Z' });
    expect(ecrMock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      registryId: '210987654321',
      repositoryName: 'team/app',
      imageIds: [{ imageTag: '1.2.3' }],
    });
    expect(locations).toEqual([{ accountId: '210987654321', region: 'us-east-2', fips: false }]);
  });

  it('gives no push time when ECR gives none (the gate then cannot match the image to a pull)', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    expect(await registry().registry.resolveDigest(parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1'))).toEqual({ digest: DIGEST });
  });

  it('passes imageSizeInBytes on as sizeBytes (the compressed size that decides where the scan starts), as given', async () => {
    const ref = parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1');
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageSizeInBytes: 3_221_225_472 }] });
    expect(await registry().registry.resolveDigest(ref)).toEqual({ digest: DIGEST, sizeBytes: 3_221_225_472 });
    // A value the gate cannot use is still passed on: the core reads it (compute-routing.ts) and ignores it.
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageSizeInBytes: -1 }] });
    expect(await registry().registry.resolveDigest(ref)).toEqual({ digest: DIGEST, sizeBytes: -1 });
  });

  it('asks for `latest` when the reference has no tag', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    await registry().registry.resolveDigest(parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app'));
    expect(ecrMock).toHaveReceivedCommandWith(DescribeImagesCommand, { imageIds: [{ imageTag: 'latest' }] });
  });

  it('returns the digest of a pinned reference without calling ECR', async () => {
    const resolved = await registry().registry.resolveDigest(parseImageReference(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1@${DIGEST}`));
    expect(resolved).toEqual({ digest: DIGEST });
    expect(ecrMock).not.toHaveReceivedCommand(DescribeImagesCommand);
  });

  it('leaves references outside ECR unresolved', async () => {
    for (const reference of ['nginx:1.27', 'ghcr.io/org/app:2', 'public.ecr.aws/nginx/nginx:latest']) {
      expect(await registry().registry.resolveDigest(parseImageReference(reference))).toBeUndefined();
    }
    expect(ecrMock).not.toHaveReceivedCommand(DescribeImagesCommand);
  });

  it('returns undefined when the tag or the repository does not exist', async () => {
    const reference = parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:gone');
    ecrMock.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: "The image with imageId {imageTag:'gone'} does not exist", $metadata: {} }));
    expect(await registry().registry.resolveDigest(reference)).toBeUndefined();
    ecrMock.on(DescribeImagesCommand).rejects(new RepositoryNotFoundException({ message: 'The repository with name app does not exist', $metadata: {} }));
    expect(await registry().registry.resolveDigest(reference)).toBeUndefined();
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [] });
    expect(await registry().registry.resolveDigest(reference)).toBeUndefined();
  });

  it('passes access and throttling errors on', async () => {
    const reference = parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1');
    ecrMock.on(DescribeImagesCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform ecr:DescribeImages'));
    await expect(registry().registry.resolveDigest(reference)).rejects.toThrow('ecr:DescribeImages');
    ecrMock.on(DescribeImagesCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', { throttling: true }));
    await expect(registry().registry.resolveDigest(reference)).rejects.toThrow('Rate exceeded');
  });

  it('refuses a digest that is not sha256', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: 'md5:abc' }] });
    await expect(registry().registry.resolveDigest(parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1'))).rejects.toThrow(
      'not a sha256 manifest digest',
    );
  });

  it('uses the FIPS endpoint flag of an ecr-fips host', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    const { registry: ecr, locations } = registry();
    await ecr.resolveDigest(parseImageReference('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1'));
    expect(locations[0]).toEqual({ accountId: '123456789012', region: 'us-gov-west-1', fips: true });
  });
});

describe('EcrRegistry.imageSize', () => {
  const pinned = parseImageReference(`210987654321.dkr.ecr.us-east-2.amazonaws.com/team/app@${DIGEST}`);

  it('asks DescribeImages for the digest, in the account and region of the reference, and gives imageSizeInBytes as is', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageSizeInBytes: 3_221_225_472 }] });
    const { registry: ecr, locations } = registry();
    expect(await ecr.imageSize(pinned)).toBe(3_221_225_472);
    expect(ecrMock).toHaveReceivedCommandWith(DescribeImagesCommand, { registryId: '210987654321', repositoryName: 'team/app', imageIds: [{ imageDigest: DIGEST }] });
    expect(locations).toEqual([{ accountId: '210987654321', region: 'us-east-2', fips: false }]);
  });

  it('knows no size for an image without one, another digest, a missing image or repository, or a reference without a digest', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    expect(await registry().registry.imageSize(pinned)).toBeUndefined();
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: `sha256:${'d'.repeat(64)}`, imageSizeInBytes: 5 }] });
    expect(await registry().registry.imageSize(pinned)).toBeUndefined();
    ecrMock.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));
    expect(await registry().registry.imageSize(pinned)).toBeUndefined();
    ecrMock.on(DescribeImagesCommand).rejects(new RepositoryNotFoundException({ message: 'no repository', $metadata: {} }));
    expect(await registry().registry.imageSize(pinned)).toBeUndefined();
    ecrMock.reset();
    expect(await registry().registry.imageSize(parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1'))).toBeUndefined();
    expect(await registry().registry.imageSize(parseImageReference(`docker.io/library/nginx@${DIGEST}`))).toBeUndefined();
    expect(ecrMock).not.toHaveReceivedCommand(DescribeImagesCommand);
  });

  it('passes other failures on (the caller starts the scan on the scan project)', async () => {
    ecrMock.on(DescribeImagesCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(registry().registry.imageSize(pinned)).rejects.toThrow('Rate exceeded');
  });
});
