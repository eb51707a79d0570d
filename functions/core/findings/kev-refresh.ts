import type { KevCatalogue } from './kev';

/*
 * The checks a downloaded KEV catalogue passes before it replaces the one the gate judges by. The feed is read over
 * the network from a third party: a truncated download, an empty list, a catalogue from the future (a wrong clock,
 * or a forged file) or one much shorter than the last are refused, and the previous catalogue stays in place. CISA
 * adds entries and almost never removes one, so a large shrink is a broken feed, not news.
 */

export interface KevRefreshLimits {
  /** Largest share of the previous catalogue's entries a new one may have lost, in percent (0 to 100). */
  maxShrinkPercent: number;
  /** How far in the future `dateReleased` may be, for clock skew between CISA and this account. */
  futureToleranceMs: number;
}

export const DEFAULT_KEV_REFRESH_LIMITS: KevRefreshLimits = { maxShrinkPercent: 10, futureToleranceMs: 60 * 60_000 };

/** Why `next` may not replace `previous`; empty when it may. Pure. */
export function kevRefreshProblems(next: KevCatalogue, previous: KevCatalogue | undefined, now: Date, limits: KevRefreshLimits = DEFAULT_KEV_REFRESH_LIMITS): string[] {
  const problems: string[] = [];
  if (next.count === 0 || next.byCve.size === 0) problems.push('the catalogue lists no vulnerability');
  const released = Date.parse(next.source.released ?? '');
  if (Number.isNaN(released)) problems.push(`dateReleased ${JSON.stringify(next.source.released ?? null)} is not a date`);
  else if (released > now.getTime() + limits.futureToleranceMs) problems.push(`dateReleased ${next.source.released} is in the future (now ${now.toISOString()})`);
  if (previous) {
    const floor = Math.ceil(previous.byCve.size * (1 - limits.maxShrinkPercent / 100));
    if (next.byCve.size < floor) {
      problems.push(`the catalogue shrank from ${previous.byCve.size} to ${next.byCve.size} vulnerabilities, more than the ${limits.maxShrinkPercent}% allowed`);
    }
    const before = Date.parse(previous.source.released ?? '');
    if (!Number.isNaN(released) && !Number.isNaN(before) && released < before) {
      problems.push(`dateReleased ${next.source.released} is older than the catalogue in place (${previous.source.released})`);
    }
  }
  return problems;
}

/** Hours since the catalogue was released, at `now` (never negative). */
export function kevCatalogueAgeHours(catalogue: KevCatalogue, now: Date): number {
  const released = Date.parse(catalogue.source.released ?? '');
  if (Number.isNaN(released)) return Number.POSITIVE_INFINITY;
  return Math.max(0, (now.getTime() - released) / 3_600_000);
}
