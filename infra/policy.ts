import { isAbsolute, resolve } from 'node:path';
import type { LoadedPolicy } from '../functions/core/policy/input';
import type { Policy } from '../functions/core/policy/schema';
import { readPolicyFileSync } from '../functions/io/policy-file';
import { DEFAULT_POLICY_FILE, projectRoot } from './paths';

/**
 * Reads and validates the policy at synth exactly as `fargate-gate policy validate` does (the same reader, so the
 * same file and JSON-syntax messages), so a policy the CLI rejects never reaches a deployment: `cdk synth` stops
 * with the message the CLI prints. A relative path is taken from the current directory (where `cdk` runs); no path
 * means the shipped default policy.
 */
export function loadPolicyForSynth(policyFile: string | undefined): { path: string; policy: LoadedPolicy<Policy> } {
  const path = policyFile === undefined ? resolve(projectRoot(), DEFAULT_POLICY_FILE) : isAbsolute(policyFile) ? policyFile : resolve(policyFile);
  return { path, policy: readPolicyFileSync(path, policyFile ?? path) };
}
