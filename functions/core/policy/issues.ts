import type { z } from 'zod';
import { DOCUMENT_PATH, describeIssues as describeProblems, formatJsonPath, type JsonPath } from '../validation/issues';

/*
 * Moved to `core/validation/issues`. These string-path wrappers stay only while `functions/cli/simulate-scenario.ts`
 * imports them; it can call `issuesToInputError(error, value, { source, prefix, schema, listEvery })` instead,
 * and then this file goes.
 */

/** `formatJsonPath`, with the document itself named `(document)` rather than left empty. */
export function formatPath(path: JsonPath): string {
  return formatJsonPath(path) || DOCUMENT_PATH;
}

export interface PathMessage {
  path: string;
  message: string;
}

/** `describeIssues` of `core/validation/issues` with each path formatted by `formatPath`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown, schema: z.ZodType): PathMessage[] {
  return describeProblems(issues, input, schema).map((problem) => ({ path: formatPath(problem.path), message: problem.message }));
}
