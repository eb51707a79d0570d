import type { Mode } from '../result/model';
import type { CompiledPolicy } from './compile';
import { scopeMatches } from './scope-match';

export interface ModeScope {
  cluster: string[];
  service: string[];
  /** Repository path and full name with registry; empty when the image is unknown. */
  repositories: string[];
  tag?: string;
  /** The account the task runs in (from its cluster ARN); empty when unknown. */
  account?: string[];
}

export interface ResolvedMode {
  mode: Mode;
  /** Index of the override that decided; undefined when the policy mode applies. */
  override?: number;
  reason?: string;
}

/**
 * First matching override in policy order, else the policy's mode. Every key an override gives must match;
 * a key about the image (repositories, tags) never matches a container whose image is unknown.
 */
export function resolveMode(compiled: CompiledPolicy, scope: ModeScope): ResolvedMode {
  for (const override of compiled.modeOverrides) {
    if (!scopeMatches(override.match, scope)) continue;
    return { mode: override.mode, override: override.index, reason: override.reason };
  }
  return { mode: compiled.document.mode };
}
