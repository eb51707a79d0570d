import { join } from 'node:path';
import { parseInspectorFinding } from '../../../functions/core/events/inspector-finding';
import { CONFORMANCE_DIR, readConformanceJson } from '../../support/conformance';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const SAMPLE = join(CONFORMANCE_DIR, 'events/inspector2-finding-ecr-image-awsdocs.json');

/** The AWS documentation's sample with a real digest in place of its `...EXAMPLE` hash. */
function sampleWith(imageHash: string): Record<string, unknown> {
  const event = structuredClone(readConformanceJson(SAMPLE)) as { detail: { resources: { details: { awsEcrContainerImage: { imageHash: string } } }[] } };
  event.detail.resources[0].details.awsEcrContainerImage.imageHash = imageHash;
  return event as unknown as Record<string, unknown>;
}

describe('parseInspectorFinding on the AWS sample', () => {
  it('reads the image digest, finding and status', () => {
    expect(parseInspectorFinding(sampleWith(DIGEST))).toEqual({
      kind: 'finding',
      digests: [DIGEST],
      findingArn: 'arn:aws:inspector2:us-east-2:123456789012:finding/be674aaddd0f75ac632055EXAMPLE',
      title: 'CVE-2019-17498 - libssh2',
      status: 'ACTIVE',
    });
  });

  it('refuses the sample as published: its image hash is not a sha256 digest', () => {
    const parsed = parseInspectorFinding(readConformanceJson(SAMPLE));
    expect(parsed).toMatchObject({ kind: 'unusable' });
    expect(parsed.kind === 'unusable' && parsed.reason).toMatch(/not sha256 digests: "sha256:36c7b2.*EXAMPLE"/);
  });
});

describe('parseInspectorFinding on malformed events', () => {
  it.each([
    ['null', null, /not an Inspector2 Finding event/],
    ['another source', { source: 'aws.ecr', 'detail-type': 'Inspector2 Finding', detail: { resources: [{}] } }, /source/],
    ['no resources', { source: 'aws.inspector2', 'detail-type': 'Inspector2 Finding', detail: { resources: [] } }, /detail\.resources/],
    ['resources of a string', { source: 'aws.inspector2', 'detail-type': 'Inspector2 Finding', detail: { resources: 'x' } }, /detail\.resources/],
    ['a Lambda function finding', { source: 'aws.inspector2', 'detail-type': 'Inspector2 Finding', detail: { resources: [{ type: 'AWS_LAMBDA_FUNCTION', details: {} }] } }, /names no ECR container image/],
    ['an image hash that is a number', { source: 'aws.inspector2', 'detail-type': 'Inspector2 Finding', detail: { resources: [{ details: { awsEcrContainerImage: { imageHash: 7 } } }] } }, /imageHash/],
  ])('says why it cannot use %s', (_name, event, reason) => {
    const parsed = parseInspectorFinding(event);
    expect(parsed.kind).toBe('unusable');
    expect(parsed.kind === 'unusable' ? parsed.reason : '').toMatch(reason);
  });
});
