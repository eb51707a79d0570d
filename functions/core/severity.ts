/** Canonical severity scale, lowest first. Trivy has no `negligible`; Grype and Anchore do. */
export const SEVERITIES = ['unknown', 'negligible', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

export function severityRank(severity: Severity): number {
  return RANK[severity];
}

export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

/** Severity words as scanners write them, each to its severity. */
const AS_WRITTEN: ReadonlyMap<string, Severity> = new Map(
  (['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const).flatMap((severity): [string, Severity][] => [
    [severity, severity],
    [severity.toUpperCase(), severity],
    [severity[0].toUpperCase() + severity.slice(1), severity],
  ]),
);

/**
 * Maps any scanner's severity word to the canonical scale. Words no scanner documents become `unknown`
 * rather than an error: a new severity label must not make a whole report unreadable.
 */
export function toSeverity(raw: unknown): Severity {
  if (typeof raw !== 'string') return 'unknown';
  // The spellings scanners write (Trivy upper case, Grype capitalised) without the trimmed, lower-cased copy of
  // each of thousands of findings; anything else by the switch below.
  const exact = AS_WRITTEN.get(raw);
  if (exact !== undefined) return exact;
  switch (raw.trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    case 'negligible':
    case 'informational':
    case 'info':
      return 'negligible';
    default:
      return 'unknown';
  }
}
