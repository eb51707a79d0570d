import { z } from 'zod';
import type { BuildStatus } from '../ports';
import { BUILD_ARN, describeSchemaError } from './common';

/**
 * CodeBuild Build State Change (https://docs.aws.amazon.com/codebuild/latest/userguide/sample-build-notifications.html).
 * Best effort, so the scheduled sweep also polls builds. `build-status` is open-ended: documented filter values are
 * IN_PROGRESS, SUCCEEDED, FAILED, STOPPED and the API enum adds FAULT and TIMED_OUT; anything else is not an end.
 */
export const buildStateChangeSchema = z.looseObject({
  'build-status': z.string().min(1),
  'project-name': z.string().min(1).max(255),
  'build-id': z.string().regex(BUILD_ARN, 'expected a CodeBuild build ARN'),
});

export type FinalBuildStatus = Exclude<BuildStatus, 'IN_PROGRESS'>;
export const FINAL_BUILD_STATUSES: readonly FinalBuildStatus[] = ['SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'];

export function isFinalBuildStatus(status: string): status is FinalBuildStatus {
  return (FINAL_BUILD_STATUSES as readonly string[]).includes(status);
}

export type BuildReading =
  | { ok: true; buildId: string; projectName: string; status: FinalBuildStatus }
  | { ok: false; reason: string; malformed: boolean };

export function readBuildStateChange(detail: unknown, scanProjectName: string | undefined): BuildReading {
  const parsed = buildStateChangeSchema.safeParse(detail);
  if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, detail, 'malformed CodeBuild Build State Change'), malformed: true };
  const build = parsed.data;
  if (scanProjectName === undefined || build['project-name'] !== scanProjectName) {
    return { ok: false, reason: `build of project ${JSON.stringify(build['project-name'])}, not the gate's scan project`, malformed: false };
  }
  const status = build['build-status'];
  if (!isFinalBuildStatus(status)) return { ok: false, reason: `build status ${status} is not an end state`, malformed: false };
  return { ok: true, buildId: build['build-id'], projectName: build['project-name'], status };
}

/**
 * CodeBuild names a build `<project>:<uuid>` in StartBuild's `build.id` and by ARN in events and `build.arn`;
 * adapters may store either. Two names are the same build when their `<project>:<uuid>` parts are equal.
 */
export function sameBuild(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  return buildIdPart(a) === buildIdPart(b);
}

function buildIdPart(id: string): string {
  const at = id.indexOf(':build/');
  return at >= 0 ? id.slice(at + ':build/'.length) : id;
}
