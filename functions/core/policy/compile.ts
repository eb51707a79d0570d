import { canonicalMisconfigId, canonicalVulnerabilityId } from '../findings/ids';
import { compileGlobs, type GlobList } from './glob';
import type { LoadedPolicy } from './input';
import type { Mode } from '../result/model';
import type { ModeOverride, Policy, PolicyException, RuleName } from './schema';
import { compileScopeMatch, type CompiledScopeMatch } from './scope-match';

/**
 * Everything an evaluation derives from the policy alone (glob matchers, id sets), built once per policy
 * document and reused: the gate evaluates the same policy for every task it sees.
 */
export interface CompiledPolicy {
  document: Policy;
  vulnerabilityDenyIds: Set<string>;
  misconfigDenyIds: Set<string>;
  secretCategories?: Set<string>;
  secretRuleIds?: Set<string>;
  environmentAllowNames?: GlobList;
  allowedRegistries?: GlobList;
  denyTags?: GlobList;
  modeOverrides: CompiledModeOverride[];
  exceptions: CompiledException[];
}

export interface CompiledModeOverride {
  index: number;
  mode: Mode;
  reason?: string;
  /** The override's `match`, compiled (core/policy/scope-match.ts, shared with drift scopes). */
  match: CompiledScopeMatch;
}

export interface CompiledException {
  /** Position in the policy: the first matching exception (in policy order) is the one a violation reports. */
  index: number;
  exception: PolicyException;
  expiresAtMs: number;
  /** Exception ids in both canonical spellings (vulnerability and check), for alias-aware lookup. */
  idKeys?: Set<string>;
  packages?: GlobList;
  repositories?: GlobList;
  digests?: Set<string>;
  clusters?: GlobList;
  services?: GlobList;
  containers?: GlobList;
  rules?: Set<RuleName>;
}

const cache = new WeakMap<object, CompiledPolicy>();

export function compilePolicy(policy: LoadedPolicy<Policy>): CompiledPolicy {
  const cached = cache.get(policy.document);
  if (cached) return cached;
  const compiled = build(policy.document);
  cache.set(policy.document, compiled);
  return compiled;
}

/** Date-only expiries mean 00:00 UTC of that day, as in Trivy's `.trivyignore.yaml` `expired_at`. */
export function expiryMs(expiresAt: string): number {
  return Date.parse(expiresAt.length === 10 ? `${expiresAt}T00:00:00Z` : expiresAt);
}

function build(document: Policy): CompiledPolicy {
  const { rules } = document;
  const lower = (values: readonly string[] | undefined) => (values ? new Set(values.map((v) => v.trim().toLowerCase())) : undefined);
  return {
    document,
    vulnerabilityDenyIds: new Set((rules.vulnerabilities?.denyIds ?? []).map(canonicalVulnerabilityId)),
    misconfigDenyIds: new Set((rules.misconfigurations?.denyIds ?? []).map(canonicalMisconfigId)),
    secretCategories: lower(rules.secrets?.categories),
    secretRuleIds: lower(rules.secrets?.ruleIds),
    environmentAllowNames: compileGlobs(rules.secrets?.environment?.allowNames, { nocase: true }),
    allowedRegistries: compileGlobs(rules.images?.allowedRegistries, { nocase: true }),
    denyTags: compileGlobs(rules.images?.denyTags, { overlong: 'matches' }),
    modeOverrides: (document.modeOverrides ?? []).map((override, index) => compileOverride(override, index, document.organizationalUnits)),
    exceptions: (document.exceptions ?? []).map(compileException),
  };
}

function compileOverride(override: ModeOverride, index: number, organizationalUnits: Policy['organizationalUnits']): CompiledModeOverride {
  return { index, mode: override.mode, reason: override.reason, match: compileScopeMatch(override.match, organizationalUnits) };
}

function compileException(exception: PolicyException, index: number): CompiledException {
  const { match } = exception;
  return {
    index,
    exception,
    expiresAtMs: expiryMs(exception.expiresAt),
    idKeys: match.ids ? new Set(match.ids.flatMap((id) => [canonicalVulnerabilityId(id), canonicalMisconfigId(id)])) : undefined,
    packages: compileGlobs(match.packages),
    repositories: compileGlobs(match.repositories),
    digests: match.digests ? new Set(match.digests) : undefined,
    clusters: compileGlobs(match.clusters),
    services: compileGlobs(match.services),
    containers: compileGlobs(match.containers),
    rules: match.rules ? new Set(match.rules) : undefined,
  };
}
