import { canonicalVulnerabilityId } from './ids';
import type { MisconfigurationFinding, SecretFinding, SecretLocation, VulnerabilityFinding } from './model';
import { severityRank, type Severity } from '../severity';

const SEP = '\u0000';

/**
 * Keeps the first of each key, in order, with later duplicates merged into a copy of it (inputs are never
 * changed). One pass over one Map: linear in the number of findings.
 */
function dedupeBy<T>(items: readonly T[], key: (item: T) => string, merge: (kept: T, duplicate: T) => T): T[] {
  const kept = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const existing = kept.get(k);
    kept.set(k, existing === undefined ? item : merge(existing, item));
  }
  return [...kept.values()];
}

const higher = (a: Severity, b: Severity): Severity => (severityRank(b) > severityRank(a) ? b : a);

/**
 * A scanner reports the same (vulnerability, package, version, target, path) more than once when several
 * data sources or matchers find it. One finding remains, carrying every alias and the highest severity any
 * copy had, so deduplication can never make an image look safer than its report.
 */
export function dedupeVulnerabilities(findings: readonly VulnerabilityFinding[]): VulnerabilityFinding[] {
  return dedupeBy(
    findings,
    (f) =>
      [canonicalVulnerabilityId(f.id), f.package.name, f.package.installedVersion ?? '', f.target ?? '', f.package.path ?? ''].join(SEP),
    (kept, duplicate) => ({
      ...kept,
      severity: higher(kept.severity, duplicate.severity),
      aliases: mergeAliases(kept.id, kept.aliases, duplicate.aliases),
    }),
  );
}

function locationKey(location: SecretLocation): string {
  switch (location.kind) {
    case 'layer':
      return ['layer', location.path, location.layerDigest ?? ''].join(SEP);
    case 'imageConfig':
      return ['imageConfig', location.detail ?? ''].join(SEP);
    default:
      return [location.kind, location.container, location.variable].join(SEP);
  }
}

export function dedupeSecrets(findings: readonly SecretFinding[]): SecretFinding[] {
  return dedupeBy(
    findings,
    (f) => [f.ruleId, locationKey(f.location), f.startLine ?? '', f.match ?? ''].join(SEP),
    (kept, duplicate) => ({ ...kept, severity: higher(kept.severity, duplicate.severity) }),
  );
}

export function dedupeMisconfigurations(findings: readonly MisconfigurationFinding[]): MisconfigurationFinding[] {
  return dedupeBy(
    findings,
    (f) => [f.id, f.target ?? '', f.status, f.message ?? ''].join(SEP),
    (kept, duplicate) => ({
      ...kept,
      severity: higher(kept.severity, duplicate.severity),
      aliases: [...new Set([...kept.aliases, ...duplicate.aliases])],
    }),
  );
}

/** Other ids a finding is known by: trimmed, each once (case-insensitively), never the finding's own id. */
export function mergeAliases(id: string, ...lists: ReadonlyArray<readonly string[]>): string[] {
  const seen = new Set<string>([canonicalVulnerabilityId(id)]);
  const aliases: string[] = [];
  for (const list of lists) {
    for (const raw of list) {
      const alias = raw.trim();
      const canonical = canonicalVulnerabilityId(alias);
      if (alias === '' || seen.has(canonical)) continue;
      seen.add(canonical);
      aliases.push(alias);
    }
  }
  return aliases;
}
