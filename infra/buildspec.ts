import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Name the inline-scan buildspec gives its report; replaced by the report group's ARN at synth. */
export const BUILDSPEC_REPORT_NAME = 'fargate-gate-scan';

export interface BuildspecDocument {
  version: string | number;
  reports?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The inline-scan buildspec as an object, with its report pointed at `reportGroupArn`. A bare report name would make
 * CodeBuild create its own group (`<project>-<name>`) without the raw-file export; the ARN sends results to the group
 * the construct created, which exports to the reports bucket.
 */
export function loadInlineScanBuildspec(path: string, reportGroupArn: string, options: { lambdaCompute?: boolean } = {}): BuildspecDocument {
  const parsed = parse(readFileSync(path, 'utf8')) as BuildspecDocument;
  const document = options.lambdaCompute ? forLambdaCompute(parsed) : parsed;
  const reports = document.reports ?? {};
  const report = reports[BUILDSPEC_REPORT_NAME];
  if (report === undefined) throw new Error(`${path}: reports.${BUILDSPEC_REPORT_NAME} is missing`);
  const { [BUILDSPEC_REPORT_NAME]: _replaced, ...others } = reports;
  return { ...document, reports: { ...others, [reportGroupArn]: report } };
}

/**
 * Lambda compute has no cache (its limitations list "caching"), and its images carry one runtime each
 * (`amazonlinux-*-lambda-standard:nodejs22` is Node.js 22; the image defines no runtime installer): the `cache` section
 * and `runtime-versions` are dropped. https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations,
 * https://docs.aws.amazon.com/codebuild/latest/userguide/lambda-compute-images.html
 */
function forLambdaCompute(document: BuildspecDocument): BuildspecDocument {
  const { cache: _cache, ...rest } = document;
  const phases = (rest.phases ?? {}) as Record<string, Record<string, unknown>>;
  const install = phases.install ?? {};
  const { 'runtime-versions': _runtimes, ...installRest } = install;
  return { ...rest, phases: { ...phases, install: installRest } };
}
