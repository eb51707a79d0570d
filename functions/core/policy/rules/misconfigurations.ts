import { canonicalMisconfigId } from '../../findings/ids';
import type { MisconfigurationFinding } from '../../findings/model';
import type { Violation } from '../../result/model';
import { isAtLeast } from '../../severity';
import type { CompiledPolicy } from '../compile';

/** Trivy's image root-user check, in canonical spelling: evidence for an enabled rules.rootUser, else an ordinary check. */
export const ROOT_USER_CHECK = 'DS-0002';

export function isRootUserCheck(finding: MisconfigurationFinding): boolean {
  return [finding.id, ...finding.aliases].some((id) => canonicalMisconfigId(id) === ROOT_USER_CHECK);
}

/** Whether the scanner's own root-user check failed for the image. */
export function scannerSaysRoot(findings: readonly MisconfigurationFinding[]): boolean {
  return findings.some((finding) => finding.status === 'fail' && isRootUserCheck(finding));
}

/**
 * Whether the scanner's root-user check passed, and no copy of it failed: the Dockerfile (or the image history)
 * sets a non-root USER.
 */
export function scannerSaysNonRoot(findings: readonly MisconfigurationFinding[]): boolean {
  return !scannerSaysRoot(findings) && findings.some((finding) => finding.status === 'pass' && isRootUserCheck(finding));
}

/** Whether DS-0002 is folded into rules.rootUser: only while that rule exists and is enabled. */
export function rootUserJudgesScannerCheck(compiled: CompiledPolicy): boolean {
  return compiled.document.rules.rootUser?.enabled === true;
}

/**
 * Failed checks named in denyIds (any spelling) or at least minSeverity. DS-0002 is left to rules.rootUser while
 * that rule is enabled (which also knows the task definition's user); without it, DS-0002 is a check like any other.
 */
export function misconfigurationViolations(compiled: CompiledPolicy, findings: readonly MisconfigurationFinding[]): Violation[] {
  const rule = compiled.document.rules.misconfigurations;
  if (!rule?.enabled) return [];
  const denyIds = compiled.misconfigDenyIds;
  const skipRootCheck = rootUserJudgesScannerCheck(compiled);
  const byId = new Map<string, Violation>();
  for (const finding of findings) {
    if (finding.status !== 'fail' || (skipRootCheck && isRootUserCheck(finding))) continue;
    const id = canonicalMisconfigId(finding.id);
    if (byId.has(id)) continue;
    const denied = [finding.id, ...finding.aliases].some((alias) => denyIds.has(canonicalMisconfigId(alias)));
    if (!denied && !(rule.minSeverity && isAtLeast(finding.severity, rule.minSeverity))) continue;
    const aliases = [...new Set(finding.aliases.filter((alias) => alias !== id))];
    byId.set(id, {
      rule: 'misconfigurations',
      kind: 'misconfiguration',
      id,
      severity: finding.severity,
      action: rule.action,
      message: `check ${id} failed (${finding.severity}): ${finding.title ?? 'no title'}${finding.message && finding.message !== finding.title ? `; ${finding.message}` : ''}`,
      details: {
        title: finding.title,
        target: finding.target,
        aliases: aliases.length > 0 ? aliases.join(',') : undefined,
        matchedBy: denied ? 'denyIds' : 'minSeverity',
      },
    });
  }
  return [...byId.values()];
}
