import { canonicalMisconfigId } from '../../findings/ids';
import type { MisconfigurationFinding } from '../../findings/model';
import type { Violation } from '../../result/model';
import { isAtLeast } from '../../severity';
import type { CompiledPolicy } from '../compile';

/** Trivy's image root-user check, in canonical spelling: evidence for rules.rootUser, never a violation here. */
export const ROOT_USER_CHECK = 'DS-0002';

export function isRootUserCheck(finding: MisconfigurationFinding): boolean {
  return [finding.id, ...finding.aliases].some((id) => canonicalMisconfigId(id) === ROOT_USER_CHECK);
}

/** Whether the scanner's own root-user check failed for the image. */
export function scannerSaysRoot(findings: readonly MisconfigurationFinding[]): boolean {
  return findings.some((finding) => finding.status === 'fail' && isRootUserCheck(finding));
}

/** Failed checks named in denyIds (any spelling) or at least minSeverity; DS-0002 excluded (see rules.rootUser). */
export function misconfigurationViolations(compiled: CompiledPolicy, findings: readonly MisconfigurationFinding[]): Violation[] {
  const rule = compiled.document.rules.misconfigurations;
  if (!rule?.enabled) return [];
  const denyIds = compiled.misconfigDenyIds;
  const byId = new Map<string, Violation>();
  for (const finding of findings) {
    if (finding.status !== 'fail' || isRootUserCheck(finding)) continue;
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
