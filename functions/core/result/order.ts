import type { SuppressedViolation, Violation } from './model';
import { severityRank } from '../severity';

/** Plain code-unit order: `localeCompare` depends on the machine's locale and would make output differ between hosts. */
export function compareText(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Denials before warnings, then most severe first, then by rule, container, id and message: the order a reader
 * triages in. The one definition of violation order: the table, JUnit, Markdown and JSON renderers all sort with it.
 */
export function compareViolations(a: Violation, b: Violation): number {
  return (
    (a.action === b.action ? 0 : a.action === 'deny' ? -1 : 1) ||
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.rule, b.rule) ||
    compareText(a.container, b.container) ||
    compareText(a.id, b.id) ||
    compareText(a.message, b.message)
  );
}

export function sortViolations<T extends Violation>(violations: readonly T[]): T[] {
  return [...violations].sort(compareViolations);
}

export function sortSuppressed(suppressed: readonly SuppressedViolation[]): SuppressedViolation[] {
  return [...suppressed].sort((a, b) => compareViolations(a, b) || compareText(a.suppressedBy.exceptionId, b.suppressedBy.exceptionId));
}

