import { packageName, readMergedOccurrences } from '../../findings/dedupe';
import { canonicalVulnerabilityId } from '../../findings/ids';
import { dateMs } from '../../findings/exploit';
import { TupleMap } from '../../findings/tuple-map';
import type { TupleKey } from '../../findings/tuple-groups';
import type { ExploitSource, KnownExploitedFact, VulnerabilityFinding } from '../../findings/model';
import type { RuleAction, Violation } from '../../result/model';
import { isAtLeast, SEVERITIES, type Severity } from '../../severity';
import type { CompiledPolicy } from '../compile';

const stricter = (a: RuleAction | undefined, b: RuleAction): RuleAction => (a === 'deny' || b === 'deny' ? 'deny' : 'warn');

/**
 * A package occurrence: Trivy repeats a CVE per result target, so the purl or path says where, not the target. Headed
 * by `packageName`, as the normalisers' key is, so the names of a report's findings are looked up once for both.
 */
const occurrenceKey: TupleKey<VulnerabilityFinding> = [
  packageName,
  (finding) => finding.package.installedVersion ?? '',
  (finding) => finding.package.purl ?? finding.package.path ?? finding.target ?? '',
];

/** One finding per vulnerability and package occurrence. */
function findingKey(finding: VulnerabilityFinding): string[] {
  const p = finding.package;
  return [canonicalVulnerabilityId(finding.id), p.name, p.installedVersion ?? '', p.purl ?? p.path ?? finding.target ?? ''];
}

/** What one finding key has been judged to so far: its violation, and the severities it was counted under. */
interface KeyState {
  violation?: Violation;
  countedAs?: Set<Severity>;
}

export interface VulnerabilityJudgement {
  /** Judge as a publicly exposed task: the parts under `exposure.public` apply too. */
  publicExposure?: boolean;
  /** The time a fix's age is measured to; without it, fix age is not judged. */
  asOf?: Date;
}

const DAY_MS = 86_400_000;

/** The parts matched so far with `part` added: a list of one made at the first (most findings match none, few more than one). */
function withPart(matchedBy: string[] | undefined, part: string): string[] {
  if (matchedBy === undefined) return [part];
  matchedBy.push(part);
  return matchedBy;
}

/**
 * Vulnerability candidates of one image: fixable and unfixable thresholds ("fixable" means fix state `fixed`;
 * every other state is unfixable), the id deny list, and count limits. One violation per finding, with the
 * strictest action among the parts that matched. A vulnerability reported under two ids (an advisory and its CVE)
 * is one finding, judged and counted once. A finding the vendor marks `not_affected` is judged by no part of the
 * rule. Exploit parts: a KEV listing (`knownExploited`), an EPSS score at or above `epss.minScore`, and a fix older
 * than `fixAge.maxDays` (only where the finding dates its fix, measured to `judgement.asOf`); for a public task the
 * parts under `exposure.public` are added, never substituted. Linear in the number of findings.
 */
export function vulnerabilityViolations(compiled: CompiledPolicy, findings: readonly VulnerabilityFinding[], judgement: VulnerabilityJudgement = {}): Violation[] {
  const rule = compiled.document.rules.vulnerabilities;
  if (!rule?.enabled) return [];
  const exposed = judgement.publicExposure ? rule.exposure?.public : undefined;
  const asOfMs = judgement.asOf?.getTime();
  const denyIds = compiled.vulnerabilityDenyIds;
  // Distinct finding keys per severity, for maxCounts; the violations in the order their keys were first judged.
  const counted = new Map<Severity, number>();
  const byKey = new TupleMap<KeyState>();
  const violations: Violation[] = [];
  // Most reports have no finding the vendor marks not affected: then no filtered copy of thousands is made.
  const affected = findings.some((finding) => finding.fixState === 'not_affected') ? findings.filter((finding) => finding.fixState !== 'not_affected') : findings;
  const epssParts = [[rule.epss, 'epss'], [exposed?.epss, 'exposure.public.epss']] as const;
  const fixAgeParts = [[rule.fixAge, 'fixAge'], [exposed?.fixAge, 'exposure.public.fixAge']] as const;

  // Read only: no copy of thousands of findings when none merges.
  const { merged, shared } = readMergedOccurrences(affected, occurrenceKey);
  for (let index = 0; index < merged.length; index += 1) {
    const finding = merged[index];
    const severity = finding.severity === 'unknown' ? rule.treatUnknownAs : finding.severity;
    // A finding alone in its occurrence has a key no other finding has: only the others are indexed (and only they
    // need a state: the one a lone finding would get is new, so it counts and is judged).
    // (`shared` is empty for a report without repeats: then no finding is hashed to look it up.)
    const state: KeyState | undefined = shared.size > 0 && shared.has(finding) ? byKey.getOrCreate(findingKey(finding), () => ({})) : undefined;
    if (rule.maxCounts?.[severity] !== undefined && !state?.countedAs?.has(severity)) {
      if (state) (state.countedAs ??= new Set()).add(severity);
      counted.set(severity, (counted.get(severity) ?? 0) + 1);
    }
    if (state?.violation !== undefined) continue;

    const fixable = finding.fixState === 'fixed';
    let action: RuleAction | undefined;
    // Made only when a part matches: most findings of a large report match none.
    let matchedBy: string[] | undefined;
    if (denyIds.size > 0 && (denyIds.has(canonicalVulnerabilityId(finding.id)) || finding.aliases.some((alias) => denyIds.has(canonicalVulnerabilityId(alias))))) {
      action = rule.action;
      matchedBy = withPart(matchedBy, 'denyIds');
    }
    const threshold = fixable ? rule.fixable : rule.unfixable;
    if (threshold && isAtLeast(severity, threshold.minSeverity)) {
      action = stricter(action, threshold.action ?? rule.action);
      matchedBy = withPart(matchedBy, fixable ? 'fixable' : 'unfixable');
    }
    const publicThreshold = fixable ? exposed?.fixable : exposed?.unfixable;
    if (publicThreshold && isAtLeast(severity, publicThreshold.minSeverity)) {
      action = stricter(action, publicThreshold.action ?? rule.action);
      matchedBy = withPart(matchedBy, fixable ? 'exposure.public.fixable' : 'exposure.public.unfixable');
    }
    const listing = finding.knownExploited?.[0];
    if (rule.knownExploited && listing) {
      action = stricter(action, rule.knownExploited.action ?? rule.action);
      matchedBy = withPart(matchedBy, 'knownExploited');
    }
    // The exploit parts are read from `epssParts` / `fixAgeParts`, built once per call rather than once per finding.
    if (finding.epss) {
      for (const [part, name] of epssParts) {
        if (part && finding.epss.score >= part.minScore) {
          action = stricter(action, part.action ?? rule.action);
          matchedBy = withPart(matchedBy, name);
        }
      }
    }
    const fixAgeDays = fixable && finding.fixPublishedAt !== undefined && asOfMs !== undefined ? Math.floor((asOfMs - dateMs(finding.fixPublishedAt)) / DAY_MS) : undefined;
    if (fixAgeDays !== undefined) {
      for (const [part, name] of fixAgeParts) {
        if (part && fixAgeDays > part.maxDays && (!part.minSeverity || isAtLeast(severity, part.minSeverity))) {
          action = stricter(action, part.action ?? rule.action);
          matchedBy = withPart(matchedBy, name);
        }
      }
    }
    if (!action || !matchedBy) continue;
    const violation: Violation = {
      rule: 'vulnerabilities',
      kind: 'vulnerability',
      id: finding.id,
      severity,
      action,
      message: vulnerabilityMessage(finding, severity, fixable, matchedBy, fixAgeDays),
      details: vulnerabilityDetails(finding, severity, matchedBy, listing, fixable, fixAgeDays),
    };
    if (state) state.violation = violation;
    violations.push(violation);
  }

  if (rule.maxCounts) {
    for (const severity of [...SEVERITIES].reverse()) {
      const max = rule.maxCounts[severity];
      const count = counted.get(severity) ?? 0;
      if (max === undefined || count <= max) continue;
      violations.push({
        rule: 'vulnerabilities',
        kind: 'vulnerability',
        id: `vulnerabilities.maxCounts.${severity}`,
        severity,
        action: rule.maxCounts.action ?? rule.action,
        message: `the image has ${count} ${severity} vulnerabilities (fixable or not), more than the ${max} the policy allows; update the base image and packages to bring the count down`,
        details: { count, max },
      });
    }
  }
  return violations;
}

/**
 * What a vulnerability violation says of its finding, only the facts it has (stored and sent as they are, so no
 * `undefined` member), in this order.
 */
export function vulnerabilityDetails(
  finding: VulnerabilityFinding,
  severity: Severity,
  matchedBy: readonly string[],
  listing: KnownExploitedFact | undefined,
  fixable: boolean,
  fixAgeDays: number | undefined,
): Record<string, string | number> {
  const pkg = finding.package;
  const path = pkg.path ?? finding.target;
  // The usual finding of a large report (every fact known, no alias, no exploit fact, its own severity): one literal of
  // the members the general way below sets, in the same order, rather than an object grown member by member.
  if (
    pkg.installedVersion !== undefined &&
    finding.scannerFixState !== undefined &&
    pkg.type !== undefined &&
    pkg.purl !== undefined &&
    path !== undefined &&
    finding.aliases.length === 0 &&
    finding.severity === severity &&
    finding.primaryUrl !== undefined &&
    listing === undefined &&
    finding.epss === undefined &&
    !(fixable && finding.fixPublishedAt !== undefined) &&
    fixAgeDays === undefined
  ) {
    const matched = matchedBy.join(',');
    return pkg.fixedVersion !== undefined
      ? {
          package: pkg.name,
          installedVersion: pkg.installedVersion,
          fixedVersion: pkg.fixedVersion,
          fixState: finding.fixState,
          scannerFixState: finding.scannerFixState,
          packageType: pkg.type,
          purl: pkg.purl,
          path,
          matchedBy: matched,
          primaryUrl: finding.primaryUrl,
        }
      : {
          package: pkg.name,
          installedVersion: pkg.installedVersion,
          fixState: finding.fixState,
          scannerFixState: finding.scannerFixState,
          packageType: pkg.type,
          purl: pkg.purl,
          path,
          matchedBy: matched,
          primaryUrl: finding.primaryUrl,
        };
  }
  return detailsMemberByMember(finding, severity, matchedBy, listing, fixable, fixAgeDays);
}

/** `vulnerabilityDetails` of any finding: each member set when known. Exported for the test that holds the literal to it. */
export function detailsMemberByMember(
  finding: VulnerabilityFinding,
  severity: Severity,
  matchedBy: readonly string[],
  listing: KnownExploitedFact | undefined,
  fixable: boolean,
  fixAgeDays: number | undefined,
): Record<string, string | number> {
  const pkg = finding.package;
  const path = pkg.path ?? finding.target;
  const details: Record<string, string | number> = { package: pkg.name };
  // Set one by one rather than built with undefined members and copied without them: thousands are made.
  put(details, 'installedVersion', pkg.installedVersion);
  put(details, 'fixedVersion', pkg.fixedVersion);
  details.fixState = finding.fixState;
  put(details, 'scannerFixState', finding.scannerFixState);
  put(details, 'packageType', pkg.type);
  put(details, 'purl', pkg.purl);
  put(details, 'path', path);
  put(details, 'aliases', finding.aliases.length > 0 ? finding.aliases.join(',') : undefined);
  put(details, 'reportedSeverity', finding.severity !== severity ? finding.severity : undefined);
  details.matchedBy = matchedBy.join(',');
  put(details, 'primaryUrl', finding.primaryUrl);
  put(details, 'knownExploited', listing ? sourceLabel(listing.source) : undefined);
  put(details, 'kevDateAdded', listing?.dateAdded);
  put(details, 'kevDueDate', listing?.dueDate);
  put(details, 'kevRansomware', listing?.ransomware);
  put(details, 'epss', finding.epss?.score);
  put(details, 'epssPercentile', finding.epss?.percentile);
  put(details, 'epssDate', finding.epss?.date);
  put(details, 'fixPublishedAt', fixable ? finding.fixPublishedAt : undefined);
  put(details, 'fixAgeDays', fixAgeDays);
  return details;
}

/** Sets `key` when `value` is known (a function of the module, not a closure made for each of thousands of violations). */
function put(details: Record<string, string | number>, key: string, value: string | number | undefined): void {
  if (value !== undefined) details[key] = value;
}

/** `grype report`, `CISA KEV catalogue 2026.12.01 (released 2026-12-01T...)`: where an exploit fact came from. */
export function sourceLabel(source: ExploitSource): string {
  if (source.kind === 'report') return `${source.scanner} report`;
  return `CISA KEV catalogue${source.version ? ` ${source.version}` : ''}${source.released ? ` (released ${source.released})` : ''}`;
}

function vulnerabilityMessage(finding: VulnerabilityFinding, severity: Severity, fixable: boolean, matchedBy: readonly string[], fixAgeDays: number | undefined): string {
  const pkg = finding.package;
  const what = `${finding.id} (${severity}${finding.severity !== severity ? `, rated ${finding.severity} by the scanner` : ''}) in ${pkg.name}${pkg.installedVersion ? ` ${pkg.installedVersion}` : ''}`;
  const reasons: string[] = [];
  if (matchedBy.includes('denyIds')) reasons.push("is on the policy's deny list");
  const listing = finding.knownExploited?.[0];
  if (matchedBy.includes('knownExploited') && listing) {
    reasons.push(`is known to be exploited (listed in CISA KEV${listing.dateAdded ? ` since ${listing.dateAdded}` : ''}, per the ${sourceLabel(listing.source)})`);
  }
  if (finding.epss && matchedBy.some((part) => part.endsWith('epss'))) {
    reasons.push(`has an EPSS score of ${finding.epss.score}${finding.epss.date ? ` (${finding.epss.date})` : ''}, at or above the policy's threshold${matchedBy.includes('epss') ? '' : ' for public tasks'}`);
  }
  if (fixAgeDays !== undefined && matchedBy.some((part) => part.endsWith('fixAge'))) {
    reasons.push(`has had a fix published for ${fixAgeDays} days (since ${finding.fixPublishedAt}), longer than the policy allows${matchedBy.includes('fixAge') ? '' : ' for public tasks'}`);
  }
  if (matchedBy.some((part) => part === 'exposure.public.fixable' || part === 'exposure.public.unfixable')) reasons.push("is at or above the policy's threshold for public tasks");
  const listed = reasons.length > 0 ? ` ${reasons.join(', ')};` : ':';
  if (fixable) {
    const fixedIn = pkg.fixedVersion ? `fixed in ${pkg.fixedVersion}` : 'a fix is available';
    return `${what}${listed} ${fixedIn}; upgrade ${pkg.name} or rebuild on a patched base image`;
  }
  const state = finding.scannerFixState ?? finding.fixState;
  return `${what}${listed} no fix available (${state}); remove or replace ${pkg.name}, or add an exception with an owner and an expiry`;
}
