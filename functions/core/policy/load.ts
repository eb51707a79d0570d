import { InputError } from '../errors';
import { parseJsonText } from '../json-text';
import { describeJsonValue, parseWithSchema } from '../validation/issues';
import type { LoadedPolicy } from './input';
import { policyHash } from './policy-hash';
import { policySchema, type Policy } from './schema';

// The hash and maxScanAge live in modules of their own, so a prepared policy (./prepared.ts) is checked and evaluated
// without loading the schema.
export { canonicalJson, policyHash } from './policy-hash';
export { maxScanAgeMs } from './scan-age';

/**
 * Validates a parsed JSON policy. Every problem is listed with its JSON path; the error is an `InputError`
 * whose `path` is set when there is exactly one problem. The hash covers the validated document (defaults filled in, `$schema`
 * left out), so key order, whitespace and spelling out a default never change it.
 */
export function loadPolicy(json: unknown, source: string): LoadedPolicy<Policy> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(`a policy is a JSON object, got ${describeJsonValue(json)}`, { source });
  }
  const document = parseWithSchema(policySchema(), json, { source, listEvery: { heading: 'invalid policy' } });
  return { document, hash: policyHash(document), name: document.name, source };
}

/** `loadPolicy` for file contents: empty or invalid JSON is an `InputError` naming the file and the position. */
export function loadPolicyText(text: string, source: string): LoadedPolicy<Policy> {
  return loadPolicy(parseJsonText(text, { source, what: 'policy' }), source);
}
