import { readFileSync } from 'node:fs';
import type { LoadedPolicy } from '../core/policy/input';
import { acceptPreparedPolicy } from '../core/policy/prepared';
import type { Policy } from '../core/policy/schema';

/*
 * The policy a function bundle carries, as its cold start reads it: the policy file as the person wrote it and, beside
 * it, the form the stack prepared at synth (core/policy/prepared.ts). The prepared form is taken when it stands for the
 * file as it is now; anything else (no prepared file, an unreadable or mismatched one, a policy edited after synth) is
 * read and validated in full by `readPolicyFileSync`, so every error is the one the CLI and `cdk synth` give.
 *
 * The full validation is loaded by `import()` when it is needed, never before: it brings the policy schema
 * (core/policy/schema.ts, the largest module of the policy side), which a bundle whose prepared policy is taken never
 * runs. So this module imports nothing of it: the bundler then leaves it out of the code a cold start loads
 * (test/io/bundled-policy.test.ts checks the gate's and the hook's bundles). ./bundled-policy-file.ts has the
 * synchronous form, for the functions whose start is not measured.
 */

/** Where the prepared form of the policy at `policyPath` sits: `policy.json` → `policy.prepared.json`. */
export function preparedPolicyPath(policyPath: string): string {
  return policyPath.endsWith('.json') ? `${policyPath.slice(0, -'.json'.length)}.prepared.json` : `${policyPath}.prepared.json`;
}

/** How a bundled policy was loaded: taken prepared, or validated in full (and why the prepared form was not taken). */
export type BundledPolicyLoad = { policy: LoadedPolicy<Policy>; prepared: true } | { policy: LoadedPolicy<Policy>; prepared: false; why: string };

/** The prepared policy beside `path` when it stands for the file, else why not (the caller then validates the file in full). */
export function takePreparedPolicy(path: string, source: string = path): { policy: LoadedPolicy<Policy> } | { why: string } {
  let sourceText: string;
  let preparedText: string;
  try {
    sourceText = readFileSync(path, 'utf8');
    preparedText = readFileSync(preparedPolicyPath(path), 'utf8');
  } catch (error) {
    return { why: `no readable prepared policy (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  let prepared: unknown;
  try {
    prepared = JSON.parse(preparedText);
  } catch {
    return { why: 'the prepared policy is not JSON' };
  }
  const accepted = acceptPreparedPolicy(prepared, sourceText, source);
  return 'policy' in accepted ? { policy: accepted.policy } : { why: `prepared policy refused: ${accepted.refused}` };
}

/** Reads the bundled policy at `path` (see above); `source` names it in every error. */
export async function loadBundledPolicy(path: string, source: string = path): Promise<BundledPolicyLoad> {
  const taken = takePreparedPolicy(path, source);
  if ('policy' in taken) return { policy: taken.policy, prepared: true };
  const { readPolicyFileSync } = await import('./policy-file');
  return { policy: readPolicyFileSync(path, source), prepared: false, why: taken.why };
}

/** `loadBundledPolicy`, the policy alone. */
export async function readBundledPolicy(path: string, source: string = path): Promise<LoadedPolicy<Policy>> {
  return (await loadBundledPolicy(path, source)).policy;
}
