import { createHash } from 'node:crypto';
import { InputError } from '../errors';
import { parseDuration } from './duration';
import type { LoadedPolicy } from './input';
import { describeIssues } from './issues';
import { policySchema, type Policy } from './schema';

/** At most this many problems are listed in one error: enough to fix a file in one pass, short enough to read. */
const MAX_LISTED_ISSUES = 20;

/**
 * Validates a parsed JSON policy. Every problem is listed with its JSON path; the error is an `InputError`
 * whose `path` is set when there is exactly one problem. The hash covers the validated document (defaults filled in, `$schema`
 * left out), so key order, whitespace and spelling out a default never change it.
 */
export function loadPolicy(json: unknown, source: string): LoadedPolicy<Policy> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(`a policy is a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`, { source });
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues, json, policySchema);
    const listed = problems.slice(0, MAX_LISTED_ISSUES).map((p) => `  ${p.path}: ${p.message}`);
    if (problems.length > MAX_LISTED_ISSUES) listed.push(`  ... and ${problems.length - MAX_LISTED_ISSUES} more`);
    if (problems.length === 1) throw new InputError(problems[0].message, { source, path: problems[0].path, cause: parsed.error });
    throw new InputError(`invalid policy (${problems.length} problems):\n${listed.join('\n')}`, { source, cause: parsed.error });
  }
  const document = parsed.data;
  return { document, hash: policyHash(document), name: document.name, source };
}

/** `loadPolicy` for file contents: invalid JSON is an `InputError` naming the file and the position. */
export function loadPolicyText(text: string, source: string): LoadedPolicy<Policy> {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new InputError(`is not valid JSON: ${(error as Error).message}`, { source, cause: error });
  }
  return loadPolicy(json, source);
}

/** sha256 hex of the canonical JSON of a validated policy, without `$schema`. */
export function policyHash(document: Policy): string {
  const { $schema: _ignored, ...rest } = document;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** JSON with object keys sorted at every level and `undefined` members left out; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** The policy's `maxScanAge` in milliseconds; undefined when the policy sets none. */
export function maxScanAgeMs(policy: LoadedPolicy<Policy>): number | undefined {
  const text = policy.document.maxScanAge;
  if (text === undefined) return undefined;
  const parsed = parseDuration(text);
  // loadPolicy rejected invalid durations; a hand-built LoadedPolicy that skipped it must not pass silently.
  if ('error' in parsed) throw new InputError(`maxScanAge: ${parsed.error}`, { source: policy.source, path: 'maxScanAge' });
  return parsed.ms;
}
