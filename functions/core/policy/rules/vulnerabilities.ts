import { mergeVulnerabilities } from '../../findings/dedupe';
import { canonicalVulnerabilityId } from '../../findings/ids';
import type { VulnerabilityFinding } from '../../findings/model';
import type { RuleAction, Violation } from '../../result/model';
import { isAtLeast, SEVERITIES, type Severity } from '../../severity';
import type { CompiledPolicy } from '../compile';

const stricter = (a: RuleAction | undefined, b: RuleAction): RuleAction => (a === 'deny' || b === 'deny' ? 'deny' : 'warn');

/** A package occurrence: Trivy repeats a CVE per result target, so the purl or path says where, not the target. */
function occurrenceKey(finding: VulnerabilityFinding): string {
  const p = finding.package;
  return `${p.name}\u0000${p.installedVersion ?? ''}\u0000${p.purl ?? p.path ?? finding.target ?? ''}`;
}

/** One finding per vulnerability and package occurrence. */
function findingKey(finding: VulnerabilityFinding): string {
  return `${canonicalVulnerabilityId(finding.id)}\u0000${occurrenceKey(finding)}`;
}

/**
 * Vulnerability candidates of one image: fixable and unfixable thresholds ("fixable" means fix state `fixed`;
 * every other state is unfixable), the id deny list, and count limits. One violation per finding, with the
 * strictest action among the parts that matched. A vulnerability reported under two ids (an advisory and its CVE)
 * is one finding, judged and counted once. A finding the vendor marks `not_affected` is judged by no part of the
 * rule. Linear in the number of findings.
 */
export function vulnerabilityViolations(compiled: CompiledPolicy, findings: readonly VulnerabilityFinding[]): Violation[] {
  const rule = compiled.document.rules.vulnerabilities;
  if (!rule?.enabled) return [];
  const denyIds = compiled.vulnerabilityDenyIds;
  const counted = new Map<Severity, Set<string>>();
  const byKey = new Map<string, Violation>();
  const affected = findings.filter((finding) => finding.fixState !== 'not_affected');

  for (const finding of mergeVulnerabilities(affected, occurrenceKey)) {
    const severity = finding.severity === 'unknown' ? rule.treatUnknownAs : finding.severity;
    const key = findingKey(finding);
    if (rule.maxCounts?.[severity] !== undefined) {
      let keys = counted.get(severity);
      if (!keys) counted.set(severity, (keys = new Set()));
      keys.add(key);
    }
    if (byKey.has(key)) continue;

    const fixable = finding.fixState === 'fixed';
    let action: RuleAction | undefined;
    const matchedBy: string[] = [];
    if (denyIds.size > 0 && (denyIds.has(canonicalVulnerabilityId(finding.id)) || finding.aliases.some((alias) => denyIds.has(canonicalVulnerabilityId(alias))))) {
      action = rule.action;
      matchedBy.push('denyIds');
    }
    const threshold = fixable ? rule.fixable : rule.unfixable;
    if (threshold && isAtLeast(severity, threshold.minSeverity)) {
      action = stricter(action, threshold.action ?? rule.action);
      matchedBy.push(fixable ? 'fixable' : 'unfixable');
    }
    if (!action) continue;
    byKey.set(key, {
      rule: 'vulnerabilities',
      kind: 'vulnerability',
      id: finding.id,
      severity,
      action,
      message: vulnerabilityMessage(finding, severity, fixable, matchedBy.includes('denyIds')),
      details: {
        package: finding.package.name,
        installedVersion: finding.package.installedVersion,
        fixedVersion: finding.package.fixedVersion,
        fixState: finding.fixState,
        scannerFixState: finding.scannerFixState,
        packageType: finding.package.type,
        purl: finding.package.purl,
        path: finding.package.path ?? finding.target,
        aliases: finding.aliases.length > 0 ? finding.aliases.join(',') : undefined,
        reportedSeverity: finding.severity !== severity ? finding.severity : undefined,
        matchedBy: matchedBy.join(','),
        primaryUrl: finding.primaryUrl,
      },
    });
  }

  const violations = [...byKey.values()];
  if (rule.maxCounts) {
    for (const severity of [...SEVERITIES].reverse()) {
      const max = rule.maxCounts[severity];
      const count = counted.get(severity)?.size ?? 0;
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

function vulnerabilityMessage(finding: VulnerabilityFinding, severity: Severity, fixable: boolean, denied: boolean): string {
  const pkg = finding.package;
  const what = `${finding.id} (${severity}${finding.severity !== severity ? `, rated ${finding.severity} by the scanner` : ''}) in ${pkg.name}${pkg.installedVersion ? ` ${pkg.installedVersion}` : ''}`;
  const listed = denied ? ' is on the policy\'s deny list;' : ':';
  if (fixable) {
    const fixedIn = pkg.fixedVersion ? `fixed in ${pkg.fixedVersion}` : 'a fix is available';
    return `${what}${listed} ${fixedIn}; upgrade ${pkg.name} or rebuild on a patched base image`;
  }
  const state = finding.scannerFixState ?? finding.fixState;
  return `${what}${listed} no fix available (${state}); remove or replace ${pkg.name}, or add an exception with an owner and an expiry`;
}
