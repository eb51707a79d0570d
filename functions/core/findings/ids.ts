/**
 * Finding-id aliases. Trivy renamed its misconfiguration ids (`DS002` before v0.69 with `AVDID`
 * `AVD-DS-0002`, `DS-0002` since); a policy written with any spelling must match a report using another.
 */
const MISCONFIG_ID = /^(?:AVD-)?([A-Z]+)-?(\d+)$/i;

/** Canonical misconfiguration id: `DS-0002` for `DS002`, `ds-0002`, `AVD-DS-0002`. Other ids are upper-cased unchanged. */
export function canonicalMisconfigId(id: string): string {
  const match = MISCONFIG_ID.exec(id.trim());
  if (!match) return id.trim().toUpperCase();
  return `${match[1].toUpperCase()}-${match[2].padStart(4, '0')}`;
}

/** Every spelling of a misconfiguration id, canonical first. */
export function misconfigAliases(id: string): string[] {
  const canonical = canonicalMisconfigId(id);
  const match = /^([A-Z]+)-(\d+)$/.exec(canonical);
  if (!match) return [canonical];
  const [, prefix, digits] = match;
  const short = `${prefix}${digits.replace(/^0+(?=\d{3})/, '')}`;
  return [...new Set([canonical, short, `AVD-${canonical}`])];
}

/** Vulnerability ids compare case-insensitively (`cve-2021-44228` = `CVE-2021-44228`). */
export function canonicalVulnerabilityId(id: string): string {
  return id.trim().toUpperCase();
}

/** Whether a finding known by `ids` (id plus aliases) is the one a policy names. */
export function idMatches(policyId: string, ids: readonly string[], kind: 'vulnerability' | 'misconfiguration'): boolean {
  const canon = kind === 'misconfiguration' ? canonicalMisconfigId : canonicalVulnerabilityId;
  const wanted = canon(policyId);
  return ids.some((id) => canon(id) === wanted);
}
