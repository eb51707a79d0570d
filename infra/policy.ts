import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../functions/core/errors';
import { findJsonSyntaxError, lineAndColumn } from '../functions/core/findings/json-syntax';
import type { LoadedPolicy } from '../functions/core/policy/input';
import { loadPolicy } from '../functions/core/policy/load';
import type { Policy } from '../functions/core/policy/schema';
import { DEFAULT_POLICY_FILE, projectRoot } from './paths';

/**
 * Reads and validates the policy at synth exactly as `fargate-gate policy validate` does (same loader, same file and
 * JSON-syntax messages), so a policy the CLI rejects never reaches a deployment: `cdk synth` stops with the message
 * the CLI prints. A relative path is taken from the current directory (where `cdk` runs); no path means the shipped
 * default policy.
 */
export function loadPolicyForSynth(policyFile: string | undefined): { path: string; policy: LoadedPolicy<Policy> } {
  const path = policyFile === undefined ? resolve(projectRoot(), DEFAULT_POLICY_FILE) : isAbsolute(policyFile) ? policyFile : resolve(policyFile);
  const source = policyFile ?? path;
  return { path, policy: loadPolicy(parsePolicyJson(readPolicyText(path, source), source), source) };
}

function readPolicyText(path: string, source: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read policy: ${fileProblem(error)}`, { source, cause: error });
  }
}

function parsePolicyJson(raw: string, source: string): unknown {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.trim() === '') throw new InputError('the policy file is empty; expected a JSON document', { source });
  try {
    return JSON.parse(text);
  } catch (error) {
    const problem = findJsonSyntaxError(text);
    if (problem === undefined) throw new InputError('the policy is not valid JSON', { source, cause: error });
    const { line, column } = lineAndColumn(text, problem.offset);
    const message = problem.truncated
      ? `the policy is not valid JSON: the text ends at line ${line}, column ${column} where ${problem.expected} was expected, so the file is probably truncated`
      : `the policy is not valid JSON at line ${line}, column ${column}: expected ${problem.expected}`;
    throw new InputError(message, { source, cause: error });
  }
}

function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory, expected a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return code ? `${code}: ${(error as Error).message}` : String(error);
  }
}
