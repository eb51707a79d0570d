import { createHash } from 'node:crypto';
import { InputError } from '../errors';
import { parseJsonText } from '../json-text';
import { describeJsonValue, parseWithSchema } from '../validation/issues';
import { parseDuration } from './duration';
import type { LoadedPolicy } from './input';
import { policySchema, type Policy } from './schema';

/**
 * Validates a parsed JSON policy. Every problem is listed with its JSON path; the error is an `InputError`
 * whose `path` is set when there is exactly one problem. The hash covers the validated document (defaults filled in, `$schema`
 * left out), so key order, whitespace and spelling out a default never change it.
 */
export function loadPolicy(json: unknown, source: string): LoadedPolicy<Policy> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(`a policy is a JSON object, got ${describeJsonValue(json)}`, { source });
  }
  const document = parseWithSchema(policySchema, json, { source, listEvery: { heading: 'invalid policy' } });
  return { document, hash: policyHash(document), name: document.name, source };
}

/** `loadPolicy` for file contents: empty or invalid JSON is an `InputError` naming the file and the position. */
export function loadPolicyText(text: string, source: string): LoadedPolicy<Policy> {
  return loadPolicy(parseJsonText(text, { source, what: 'policy' }), source);
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
