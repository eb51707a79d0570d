import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyGateEvent, sameBuild } from '../../../functions/core/events';

/** The project's own event fixtures (test/fixtures/events), for shapes the conformance set has no sample of. */
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/events', name), 'utf8'));
const options = { scanProjectName: 'fargate-gate-scan' };

describe('CodeBuild Build State Change', () => {
  it('reads a failed scan build of the scan project', () => {
    expect(classifyGateEvent(fixture('codebuild-build-state-change-scan-failed.json'), options)).toMatchObject({
      kind: 'scanBuildFinished',
      status: 'FAILED',
      buildId: 'arn:aws:codebuild:eu-west-1:123456789012:build/fargate-gate-scan:7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
    });
  });

  it('ignores a build that has not ended, and a status it does not know', () => {
    for (const status of ['IN_PROGRESS', 'SOMETHING_NEW']) {
      const raw = fixture('codebuild-build-state-change-scan-failed.json') as { detail: Record<string, unknown> };
      raw.detail['build-status'] = status;
      expect(classifyGateEvent(raw, options)).toMatchObject({ kind: 'ignored', malformed: false, reason: expect.stringContaining(status) });
    }
  });

  it('ignores build events when no scan project is configured', () => {
    expect(classifyGateEvent(fixture('codebuild-build-state-change-scan-failed.json'), {})).toMatchObject({ kind: 'ignored' });
  });
});

describe('sameBuild', () => {
  it('matches a build id with its ARN, and nothing else', () => {
    const arn = 'arn:aws:codebuild:eu-west-1:123456789012:build/fargate-gate-scan:7c8d9e0f';
    expect(sameBuild('fargate-gate-scan:7c8d9e0f', arn)).toBe(true);
    expect(sameBuild(arn, arn)).toBe(true);
    expect(sameBuild('fargate-gate-scan:other', arn)).toBe(false);
    expect(sameBuild('', arn)).toBe(false);
    expect(sameBuild(undefined, arn)).toBe(false);
  });
});
