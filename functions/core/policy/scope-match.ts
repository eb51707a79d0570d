import { compileGlobs, type GlobList } from './glob';
import type { ModeScope } from './mode';
import type { Policy } from './schema';

/**
 * One compiled `match` (mode overrides and drift scopes share the shape, so they must select alike): every key given
 * must match. `accounts` and `organizationalUnits` read the task's account (from its cluster ARN); an account that is
 * unknown, or in none of the listed organisational units of the policy's `organizationalUnits` map, never matches.
 */
export type ScopeMatch = NonNullable<Policy['modeOverrides']>[number]['match'];

export interface CompiledScopeMatch {
  clusters?: GlobList;
  services?: GlobList;
  repositories?: GlobList;
  tags?: GlobList;
  accounts?: GlobList;
  /** The accounts of the listed organisational units, from the policy's `organizationalUnits` map. */
  organizationalUnitAccounts?: ReadonlySet<string>;
}

export function compileScopeMatch(match: ScopeMatch, organizationalUnits: Policy['organizationalUnits']): CompiledScopeMatch {
  const compiled: CompiledScopeMatch = {
    clusters: compileGlobs(match.clusters),
    services: compileGlobs(match.services),
    repositories: compileGlobs(match.repositories),
    tags: compileGlobs(match.tags),
    accounts: compileGlobs(match.accounts),
  };
  if (match.organizationalUnits !== undefined) {
    // The schema refuses an OU the map does not define, so `?? []` only guards a document built without it.
    compiled.organizationalUnitAccounts = new Set(match.organizationalUnits.flatMap((ou) => organizationalUnits?.[ou] ?? []));
  }
  return compiled;
}

export function scopeMatches(matcher: CompiledScopeMatch, scope: ModeScope): boolean {
  if (matcher.clusters && !matcher.clusters(scope.cluster)) return false;
  if (matcher.services && !matcher.services(scope.service)) return false;
  if (matcher.repositories && !matcher.repositories(scope.repositories)) return false;
  if (matcher.tags && !matcher.tags([scope.tag])) return false;
  if (matcher.accounts && !matcher.accounts(scope.account ?? [])) return false;
  const inUnits = matcher.organizationalUnitAccounts;
  if (inUnits && !(scope.account ?? []).some((account) => inUnits.has(account))) return false;
  return true;
}
