import { createHash } from 'node:crypto';
import type { Policy } from './schema';

/*
 * The policy's identity, apart from its validation (./load.ts): a prepared policy (./prepared.ts) is checked against
 * its hash at a Lambda cold start without building the zod schema, so nothing here may import a value of ./schema.
 */

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
