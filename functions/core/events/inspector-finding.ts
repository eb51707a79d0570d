import * as z from 'zod';
import { isSha256Digest } from '../image/reference';
import { lazySchema } from './lazy-schema';

/**
 * An Amazon Inspector "Inspector2 Finding" event about an ECR image (source `aws.inspector2`), read leniently: only
 * what the gate uses is checked (the event's type and the images it names), everything else may be absent or
 * change shape. Shape: https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html
 * (sample in shared/conformance/events/inspector2-finding-ecr-image-awsdocs.json).
 */
const inspectorFindingSchema = lazySchema(() => z.object({
  source: z.literal('aws.inspector2'),
  'detail-type': z.literal('Inspector2 Finding'),
  detail: z.object({
    findingArn: z.string().optional(),
    status: z.string().optional(),
    title: z.string().optional(),
    resources: z
      .array(
        z.object({
          type: z.string().optional(),
          details: z.object({ awsEcrContainerImage: z.object({ imageHash: z.string(), repositoryName: z.string().optional() }).optional() }).optional(),
        }),
      )
      .min(1),
  }),
}));

export type InspectorFindingEvent =
  | { kind: 'finding'; findingArn?: string; title?: string; status?: string; digests: string[] }
  | { kind: 'unusable'; reason: string };

export function parseInspectorFinding(event: unknown): InspectorFindingEvent {
  const parsed = inspectorFindingSchema().safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'unusable', reason: `not an Inspector2 Finding event the gate can read: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}` };
  }
  const { detail } = parsed.data;
  const hashes = detail.resources.flatMap((resource) => (resource.details?.awsEcrContainerImage ? [resource.details.awsEcrContainerImage.imageHash] : []));
  const digests = [...new Set(hashes.filter((hash) => isSha256Digest(hash)))];
  if (digests.length === 0) {
    const shown = hashes.slice(0, 3).map((hash) => JSON.stringify(hash.slice(0, 80)));
    return { kind: 'unusable', reason: hashes.length === 0 ? 'the finding names no ECR container image' : `the finding's image hashes are not sha256 digests: ${shown.join(', ')}` };
  }
  return { kind: 'finding', digests, ...(detail.findingArn ? { findingArn: detail.findingArn } : {}), ...(detail.title ? { title: detail.title } : {}), ...(detail.status ? { status: detail.status } : {}) };
}
