import { createHash } from 'node:crypto';
import type { LoadedPolicy } from './input';
import { policyHash } from './policy-hash';
import type { Policy } from './schema';

/*
 * A policy prepared at synth: the stack validates the policy when it bundles a function (infra/function-bundling.ts)
 * and writes the validated, normalised document beside the policy file, so a Lambda cold start takes it without
 * building and running the zod policy schema (the biggest part of a cold start's own work).
 *
 * Trust: the prepared document is taken only when it provably stands for the file beside it, validated by this very
 * schema. Otherwise the caller validates the policy file in full, exactly as the CLI does (same messages). Checked:
 * - `format` is this reader's PREPARED_POLICY_FORMAT and `schema` this build's POLICY_SCHEMA_FINGERPRINT (a prepared
 *   file from another version of the schema, which might accept what this one refuses or fill other defaults);
 * - `sourceSha256` is the sha256 of the policy file's bytes as they are now (a policy edited after synth, e.g. in the
 *   console, is validated, never shadowed by a stale prepared copy);
 * - `hash` is the policy hash of `document` (a prepared document edited by hand, or damaged, is refused).
 * The hashes are not a signature: whoever can rewrite both files can rewrite the function's code too, so they guard
 * against mistakes and stale copies, not against the function's own deployer. A refused prepared file is never an
 * error by itself: the full validation decides, and its error (if any) is the one the person sees.
 */

/** The layout of a prepared policy file; a change of its fields is a new format. */
export const PREPARED_POLICY_FORMAT = 1;

/**
 * The policy schema a prepared document was validated with: sha256 of the canonical JSON of the published JSON Schema
 * (`policySchemaJson()`). It does not see the zod refinements the JSON Schema cannot express (glob syntax, dates,
 * cross-field checks): a prepared file is written by the same synth as the code it ships with (one asset), so a
 * tightened refinement reaches both at once; a prepared file copied from an older build is the case it cannot catch. A constant, so the cold start checks it without building the schema; `npm run schema` stamps it (scripts/generate-policy-schema.ts) and the test
 * test/core/policy/prepared.test.ts fails when the schema changes and this is not updated to the new value.
 */
export const POLICY_SCHEMA_FINGERPRINT = 'db7fb32d26fa643aa70cf6a1537b345dd66032389e659b4bce0a5fd58a69e9c3';

/** What the stack writes beside the bundled policy. */
export interface PreparedPolicy {
  format: typeof PREPARED_POLICY_FORMAT;
  schema: string;
  /** sha256 hex of the policy file's bytes the document was validated from. */
  sourceSha256: string;
  /** `policyHash(document)`. */
  hash: string;
  /** The validated document: defaults filled in. */
  document: Policy;
}

/** The prepared form of `policy`, validated from a file whose text is `sourceText`. */
export function preparePolicy(policy: LoadedPolicy<Policy>, sourceText: string): PreparedPolicy {
  return { format: PREPARED_POLICY_FORMAT, schema: POLICY_SCHEMA_FINGERPRINT, sourceSha256: sha256(sourceText), hash: policy.hash, document: policy.document };
}

/**
 * The policy a prepared file stands for, or why it cannot be taken (the caller then validates `sourceText` in full).
 * `prepared` is the parsed prepared file, `sourceText` the policy file's text now, `source` names it in messages.
 */
export function acceptPreparedPolicy(prepared: unknown, sourceText: string, source: string): { policy: LoadedPolicy<Policy> } | { refused: string } {
  if (prepared === null || typeof prepared !== 'object' || Array.isArray(prepared)) return { refused: 'not a JSON object' };
  const candidate = prepared as Partial<Record<keyof PreparedPolicy, unknown>>;
  if (candidate.format !== PREPARED_POLICY_FORMAT) return { refused: `format ${JSON.stringify(candidate.format)}, expected ${PREPARED_POLICY_FORMAT}` };
  if (candidate.schema !== POLICY_SCHEMA_FINGERPRINT) return { refused: 'prepared with another policy schema' };
  if (candidate.sourceSha256 !== sha256(sourceText)) return { refused: 'the policy file changed after it was prepared' };
  const document = candidate.document;
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return { refused: 'no document' };
  const hash = policyHash(document as Policy);
  if (candidate.hash !== hash) return { refused: 'the document does not match its hash' };
  const name = (document as { name?: unknown }).name;
  if (typeof name !== 'string') return { refused: 'the document has no name' };
  return { policy: { document: document as Policy, hash, name, source } };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
