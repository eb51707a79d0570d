import { canonicalVulnerabilityId } from './ids';
import type { FixState, MisconfigurationFinding, SecretFinding, SecretLocation, VulnerabilityFinding } from './model';
import { groupTuples, headIndex, type HeadIndex, type TupleKey } from './tuple-groups';
import { defined } from './values';
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
 * Fix states from the one a merge keeps first to the last: a known fix is the most useful fact, and among the rest
 * the one that makes the image look safest comes last, so merging never hides that a package is affected.
 */
const FIX_STATE_PREFERENCE: readonly FixState[] = ['fixed', 'unfixed', 'wont_fix', 'end_of_life', 'unknown', 'not_affected'];
const fixPreference = (state: FixState) => {
  const rank = FIX_STATE_PREFERENCE.indexOf(state);
  return rank < 0 ? FIX_STATE_PREFERENCE.length : rank;
};

const isCve = (canonicalId: string) => canonicalId.startsWith('CVE-');

/**
 * The package name: the head of every occurrence key of vulnerabilities (the normalisers' below, the vulnerabilities
 * rule's), so that the findings a normaliser returns are looked up by name once, not once per grouping.
 */
export const packageName = (finding: VulnerabilityFinding): string => finding.package.name;

/**
 * The head index (`headIndex`) by package name of arrays of findings a normaliser returned, with the names it was
 * made from. It is used again only while the array holds, at every index, a finding of the same package name (checked
 * name by name, no hashing): an array changed since (a finding added, removed, renamed) is indexed anew, so the
 * grouping is always the one a fresh index gives.
 */
const packageHeads = new WeakMap<readonly VulnerabilityFinding[], { names: string[]; index: HeadIndex }>();

function packageHeadIndex(findings: readonly VulnerabilityFinding[]): HeadIndex {
  const known = packageHeads.get(findings);
  if (known !== undefined && known.names.length === findings.length) {
    let same = true;
    for (let i = 0; i < findings.length && same; i += 1) same = findings[i].package.name === known.names[i];
    if (same) return known.index;
  }
  return headIndex(findings, packageName);
}

/** Where a vulnerability sits, for the normalisers: package, installed version, report target and path. */
const occurrenceKey: TupleKey<VulnerabilityFinding> = [
  packageName,
  (finding) => finding.package.installedVersion ?? '',
  (finding) => finding.target ?? '',
  (finding) => finding.package.path ?? '',
];

/**
 * A scanner reports the same vulnerability of the same package occurrence more than once: several data sources
 * or matchers find it (the same id twice), or one source names it by its advisory and another by its CVE (Grype's
 * `GHSA-35jh-r3h4-6jhm` related to `CVE-2021-23337`, and `CVE-2021-23337` related to the advisory). One finding
 * remains per vulnerability and occurrence, so counts and reports see it once.
 */
export function dedupeVulnerabilities(findings: readonly VulnerabilityFinding[]): VulnerabilityFinding[] {
  return dedupeIndexed(findings, true);
}

/**
 * `dedupeVulnerabilities` of an array the caller made for it and gives up (a normaliser's own): when nothing merges,
 * that array itself is the result, not a copy of thousands.
 */
export function dedupeOwnVulnerabilities(findings: VulnerabilityFinding[]): VulnerabilityFinding[] {
  return dedupeIndexed(findings, false);
}

function dedupeIndexed(findings: readonly VulnerabilityFinding[], copy: boolean): VulnerabilityFinding[] {
  const heads = headIndex(findings, packageName);
  const { merged } = mergeOccurrences(findings, occurrenceKey, heads, copy);
  // Nothing merged: the same findings in the same order, so the same index serves the rule's grouping of them.
  if (merged.length === findings.length) packageHeads.set(merged, { names: merged.map(packageName), index: heads });
  return merged;
}

class Cluster {
  readonly members: VulnerabilityFinding[] = [];
  /** Canonical ids and aliases of every member. */
  readonly ids = new Set<string>();
  /** Canonical ids of the members themselves. */
  readonly primaries = new Set<string>();
  /** The CVE a member is reported under, when one is. */
  cve?: string;
}

/**
 * Merges findings of the same occurrence (`occurrence` gives its key, a tuple of strings) that are one vulnerability: when one's id is
 * the other's id or one of its aliases. Sharing only an alias is not enough (a Debian DSA or one GitHub advisory
 * covers several CVEs), and two different CVEs are never merged. The merged finding keeps the first one's position,
 * the highest severity, the most useful fix state (with its fixed version), every id as an alias, and a canonical
 * id that prefers a CVE. Findings left alone are returned as they are; inputs are never changed. Linear in the
 * number of ids.
 */
export function mergeVulnerabilities(findings: readonly VulnerabilityFinding[], occurrence: TupleKey<VulnerabilityFinding>): VulnerabilityFinding[] {
  return mergeVulnerabilityOccurrences(findings, occurrence).merged;
}

export interface MergedVulnerabilities {
  merged: VulnerabilityFinding[];
  /**
   * Those of `merged` whose occurrence holds other findings too. Only these can share their id and occurrence with
   * another of `merged`: a finding alone in its occurrence is unique by it, and whoever keys findings by id and
   * occurrence need not index it.
   */
  shared: ReadonlySet<VulnerabilityFinding>;
}

/** `mergeVulnerabilities`, saying which results came from an occurrence of several findings. */
export function mergeVulnerabilityOccurrences(findings: readonly VulnerabilityFinding[], occurrence: TupleKey<VulnerabilityFinding>): MergedVulnerabilities {
  return mergeOccurrences(findings, occurrence, occurrence[0] === packageName ? packageHeadIndex(findings) : headIndex(findings, occurrence[0]), true);
}

/** `mergeVulnerabilityOccurrences` for a reader only: when nothing merges, `findings` itself (no copy) is `merged`. */
export function readMergedOccurrences(findings: readonly VulnerabilityFinding[], occurrence: TupleKey<VulnerabilityFinding>): { merged: readonly VulnerabilityFinding[]; shared: ReadonlySet<VulnerabilityFinding> } {
  return mergeOccurrences(findings, occurrence, occurrence[0] === packageName ? packageHeadIndex(findings) : headIndex(findings, occurrence[0]), false);
}

const NONE_SHARED: ReadonlySet<VulnerabilityFinding> = new Set();

function mergeOccurrences(findings: readonly VulnerabilityFinding[], occurrence: TupleKey<VulnerabilityFinding>, heads: HeadIndex, copy: boolean): MergedVulnerabilities {
  const { groupOf, sizes } = groupTuples(findings, occurrence, heads);
  // Every finding alone in its occurrence (a report without repeats): nothing to merge, and none shared.
  if (sizes.length === findings.length) return { merged: copy ? [...findings] : (findings as VulnerabilityFinding[]), shared: copy ? new Set() : NONE_SHARED };
  // A finding alone in its occurrence has nothing to merge with: it keeps its place as it is, without the index
  // below (most findings of a large report are alone, and indexing each one dominated the engine's time).
  const slots: (VulnerabilityFinding | Cluster)[] = [];
  /** Clusters of each occurrence of several findings, by id. */
  const byIdOf = new Map<number, Map<string, Cluster[]>>();
  findings.forEach((finding, index) => {
    const group = groupOf[index];
    if (sizes[group] === 1) {
      slots.push(finding);
      return;
    }
    let byId = byIdOf.get(group);
    if (byId === undefined) byIdOf.set(group, (byId = new Map()));
    const primary = canonicalVulnerabilityId(finding.id);
    const ids = [primary, ...finding.aliases.map(canonicalVulnerabilityId).filter((id) => id !== '')];
    const primaryIsCve = isCve(primary);
    let target: Cluster | undefined;
    for (const id of ids) {
      const candidates = byId.get(id);
      if (candidates === undefined) continue;
      target = candidates.find((cluster: Cluster) => (id === primary || cluster.primaries.has(id)) && !(primaryIsCve && cluster.cve !== undefined && cluster.cve !== primary));
      if (target) break;
    }
    if (!target) {
      target = new Cluster();
      slots.push(target);
    }
    target.members.push(finding);
    target.primaries.add(primary);
    if (primaryIsCve && target.cve === undefined) target.cve = primary;
    for (const id of ids) {
      if (target.ids.has(id)) continue;
      target.ids.add(id);
      const list = byId.get(id);
      if (list) list.push(target);
      else byId.set(id, [target]);
    }
  });
  const shared = new Set<VulnerabilityFinding>();
  const merged = slots.map((slot) => {
    if (!(slot instanceof Cluster)) return slot;
    const finding = slot.members.length === 1 ? slot.members[0] : mergeCluster(slot.members);
    shared.add(finding);
    return finding;
  });
  return { merged, shared };
}

function mergeCluster(members: readonly VulnerabilityFinding[]): VulnerabilityFinding {
  const named = members.find((member) => isCve(canonicalVulnerabilityId(member.id))) ?? members[0];
  let best = members[0];
  for (const member of members) if (fixPreference(member.fixState) < fixPreference(best.fixState)) best = member;
  const fixedVersion = best.package.fixedVersion ?? members.find((member) => member.fixState === best.fixState && member.package.fixedVersion)?.package.fixedVersion;
  return defined({
    ...named,
    aliases: mergeAliases(named.id, ...members.map((member) => [member.id, ...member.aliases])),
    severity: members.reduce<Severity>((severity, member) => higher(severity, member.severity), named.severity),
    fixState: best.fixState,
    scannerFixState: best.scannerFixState,
    package: defined({ ...named.package, fixedVersion }),
    title: named.title ?? members.find((member) => member.title)?.title,
    target: named.target ?? members.find((member) => member.target)?.target,
    primaryUrl: named.primaryUrl ?? members.find((member) => member.primaryUrl)?.primaryUrl,
    ...mergeExploitFacts(members),
  });
}

/** Exploit facts of one vulnerability reported several times: every listing, the highest EPSS score, the earliest fix date. */
export function mergeExploitFacts(members: readonly VulnerabilityFinding[]): Pick<VulnerabilityFinding, 'knownExploited' | 'epss' | 'fixPublishedAt'> {
  const listings = members.flatMap((member) => member.knownExploited ?? []);
  const seen = new Set<string>();
  const knownExploited = listings.filter((listing) => {
    const key = JSON.stringify(listing);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  let epss: VulnerabilityFinding['epss'];
  for (const member of members) if (member.epss && (!epss || member.epss.score > epss.score)) epss = member.epss;
  const fixDates = members.map((member) => member.fixPublishedAt).filter((date): date is string => date !== undefined);
  fixDates.sort((a, b) => Date.parse(a) - Date.parse(b));
  return defined({ knownExploited: knownExploited.length > 0 ? knownExploited : undefined, epss, fixPublishedAt: fixDates[0] });
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
  // Most findings have no other id: nothing to merge, and no set to build for each of them.
  if (lists.every((list) => list.length === 0)) return [];
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
