import { readFileSync } from 'node:fs';
import type { LoadedPolicy } from '../core/policy/input';
import { acceptPreparedPolicy } from '../core/policy/prepared';
import type { Policy } from '../core/policy/schema';
import { readPolicyFileSync } from './policy-file';

/*
 * The policy a function bundle carries: the policy file as the person wrote it and, beside it, the form the stack
 * prepared at synth (core/policy/prepared.ts). A cold start takes the prepared form when it stands for the file as it
 * is now; anything else (no prepared file, an unreadable or mismatched one, a policy edited after synth) is read and
 * validated in full by `readPolicyFileSync`, so every error is the one the CLI and `cdk synth` give.
 */

/** Where the prepared form of the policy at `policyPath` sits: `policy.json` → `policy.prepared.json`. */
export function preparedPolicyPath(policyPath: string): string {
  return policyPath.endsWith('.json') ? `${policyPath.slice(0, -'.json'.length)}.prepared.json` : `${policyPath}.prepared.json`;
}

/** How a bundled policy was loaded: taken prepared, or validated in full (and why the prepared form was not taken). */
export type BundledPolicyLoad = { policy: LoadedPolicy<Policy>; prepared: true } | { policy: LoadedPolicy<Policy>; prepared: false; why: string };

/** Reads the bundled policy at `path` (see above); `source` names it in every error. */
export function loadBundledPolicyFileSync(path: string, source: string = path): BundledPolicyLoad {
  const validated = (why: string): BundledPolicyLoad => ({ policy: readPolicyFileSync(path, source), prepared: false, why });
  let sourceText: string;
  let preparedText: string;
  try {
    sourceText = readFileSync(path, 'utf8');
    preparedText = readFileSync(preparedPolicyPath(path), 'utf8');
  } catch (error) {
    return validated(`no readable prepared policy (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let prepared: unknown;
  try {
    prepared = JSON.parse(preparedText);
  } catch {
    return validated('the prepared policy is not JSON');
  }
  const accepted = acceptPreparedPolicy(prepared, sourceText, source);
  return 'policy' in accepted ? { policy: accepted.policy, prepared: true } : validated(`prepared policy refused: ${accepted.refused}`);
}

/** `loadBundledPolicyFileSync`, the policy alone: for the functions' cold start. */
export function readBundledPolicyFileSync(path: string, source: string = path): LoadedPolicy<Policy> {
  return loadBundledPolicyFileSync(path, source).policy;
}
