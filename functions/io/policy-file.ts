import type { LoadedPolicy } from '../core/policy/input';
import { loadPolicy } from '../core/policy/load';
import type { Policy } from '../core/policy/schema';
import { readJsonFile, readJsonFileSync } from './files';

/*
 * A policy file, read and validated the same way wherever the gate meets one: `fargate-gate policy validate` and
 * `evaluate`, the check at `cdk synth`, and the Lambda cold start. So a policy the CLI rejects fails the synth with
 * the message the CLI prints, and never reaches a deployment.
 */

/** Reads and validates the policy at `path`; `source` (the path as the person gave it) names it in every error. */
export async function readPolicyFile(path: string, source: string = path): Promise<LoadedPolicy<Policy>> {
  return loadPolicy(await readJsonFile(path, { source, what: 'policy' }), source);
}

/** `readPolicyFile`, synchronously: for `cdk synth` and the Lambda cold start. */
export function readPolicyFileSync(path: string, source: string = path): LoadedPolicy<Policy> {
  return loadPolicy(readJsonFileSync(path, { source, what: 'policy' }), source);
}
