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

  it('keeps the build\'s PLAINTEXT environment variables, and nothing that does not read as one', () => {
    const raw = fixture('codebuild-build-state-change-scan-failed.json') as { detail: Record<string, unknown> };
    raw.detail['additional-information'] = {
      environment: {
        'environment-variables': [
          { name: 'SCAN_ID', type: 'PLAINTEXT', value: 'scan-1' },
          { name: 'IMAGE_DIGEST', value: 'sha256:ab' },
          { name: 'TOKEN', type: 'SECRETS_MANAGER', value: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' },
          { name: 42, value: 'x' },
          'junk',
          { name: 'SCAN_ID', type: 'PLAINTEXT', value: 'a-second-one' },
        ],
      },
    };
    expect(classifyGateEvent(raw, options)).toMatchObject({ kind: 'scanBuildFinished', environment: { SCAN_ID: 'scan-1', IMAGE_DIGEST: 'sha256:ab' } });
    const event = classifyGateEvent(raw, options) as { environment?: Record<string, string> };
    expect(Object.keys(event.environment ?? {})).toEqual(['SCAN_ID', 'IMAGE_DIGEST']);
  });

  it('reads the environment of the project\'s own fixture, and a build event without any (they are best effort)', () => {
    const raw = fixture('codebuild-build-state-change-scan-failed.json') as { detail: Record<string, unknown> };
    expect(classifyGateEvent(raw, options)).toMatchObject({ environment: { IMAGE_REF: expect.stringContaining('@sha256:') } });
    delete raw.detail['additional-information'];
    const event = classifyGateEvent(raw, options);
    expect(event).toMatchObject({ kind: 'scanBuildFinished' });
    expect(event).not.toHaveProperty('environment');
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
