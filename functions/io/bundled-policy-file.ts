import type { LoadedPolicy } from '../core/policy/input';
import type { Policy } from '../core/policy/schema';
import { takePreparedPolicy, type BundledPolicyLoad } from './bundled-policy';
import { readPolicyFileSync } from './policy-file';

/*
 * The bundled policy (./bundled-policy.ts), read synchronously: the prepared form when it stands for the file, else the
 * file validated in full by `readPolicyFileSync`, so every error is the one the CLI and `cdk synth` give. For the
 * functions whose cold start is not measured (the in-use report) and for tools: this module imports the full
 * validation, so the gate and the hook use ./bundled-policy.ts, which loads it only when it is needed.
 */

export { preparedPolicyPath, type BundledPolicyLoad } from './bundled-policy';

/** Reads the bundled policy at `path` (see above); `source` names it in every error. */
export function loadBundledPolicyFileSync(path: string, source: string = path): BundledPolicyLoad {
  const taken = takePreparedPolicy(path, source);
  return 'policy' in taken ? { policy: taken.policy, prepared: true } : { policy: readPolicyFileSync(path, source), prepared: false, why: taken.why };
}

/** `loadBundledPolicyFileSync`, the policy alone. */
export function readBundledPolicyFileSync(path: string, source: string = path): LoadedPolicy<Policy> {
  return loadBundledPolicyFileSync(path, source).policy;
}
