import type { FixState } from './model';

/**
 * Trivy `Status` (trivy-db `pkg/types/status.go`) to the canonical fix state (policy-engines.md §5.6).
 * `fix_deferred` is a vendor's "not yet": unfixed today. `not_affected` is the vendor saying the package is not
 * affected, kept as such so rules can leave it alone. `under_investigation` and `unknown` are statuses Trivy
 * normally filters out; when a report carries them anyway they say nothing about a fix, so they are `unknown`
 * (the raw word stays in `scannerFixState` for policies that care).
 */
const TRIVY_STATUS: ReadonlyMap<string, FixState> = wordMap({
  fixed: 'fixed',
  affected: 'unfixed',
  fix_deferred: 'unfixed',
  will_not_fix: 'wont_fix',
  end_of_life: 'end_of_life',
  not_affected: 'not_affected',
  under_investigation: 'unknown',
  unknown: 'unknown',
});

/**
 * Reports from Trivy versions that predate `Status` say only whether a `FixedVersion` exists; without one the
 * package was affected with no fix, which is what `--ignore-unfixed` meant then. A status word Trivy may add
 * later is `unknown` rather than a guess.
 */
export function trivyFixState(status: string | undefined, fixedVersion: string | undefined): FixState {
  if (status === undefined || status === '') return fixedVersion ? 'fixed' : 'unfixed';
  return lookUp(TRIVY_STATUS, status) ?? 'unknown';
}

const GRYPE_STATE: ReadonlyMap<string, FixState> = wordMap({
  fixed: 'fixed',
  'not-fixed': 'unfixed',
  'wont-fix': 'wont_fix',
  unknown: 'unknown',
});

/**
 * Words in a Map, not read off an object: a hostile report's `constructor` or `__proto__` would otherwise read
 * Object.prototype's members (a function, an object) as a fix state.
 */
function wordMap(words: Record<string, FixState>): ReadonlyMap<string, FixState> {
  return new Map(Object.entries(words));
}

/** The word as written (scanners write lower case), else lower-cased: no new string for the usual spelling of thousands of findings. */
function lookUp(words: ReadonlyMap<string, FixState>, word: string): FixState | undefined {
  return words.get(word) ?? words.get(word.toLowerCase());
}

/** Whether `state` is a fix state Grype documents (the rest are read as `unknown`, and the reader told). */
export function isGrypeFixStateWord(state: string): boolean {
  return lookUp(GRYPE_STATE, state) !== undefined;
}

/**
 * `trivyFixState` of a `Status` that is not blank, or undefined when it is no word trivy-db documents (read as `unknown`,
 * and the reader told): one lookup for both questions a normaliser asks of each of thousands of findings.
 */
export function documentedTrivyFixState(status: string): FixState | undefined {
  return lookUp(TRIVY_STATUS, status);
}

/** Whether `status` is a Trivy `Status` trivy-db documents (the rest are read as `unknown`, and the reader told). */
export function isTrivyStatusWord(status: string): boolean {
  return lookUp(TRIVY_STATUS, status) !== undefined;
}

/**
 * Grype `vulnerability.fix.state` (grype/vulnerability/fix.go). An empty or missing state with fix versions
 * listed (older Grype, and the presenter snapshot) still names a fix, so it is `fixed`; with no versions it is
 * `unknown`, as §5.6 maps `""`.
 */
export function grypeFixState(state: string | undefined, versions: readonly string[]): FixState {
  if (state === undefined || state === '') return versions.length > 0 ? 'fixed' : 'unknown';
  return lookUp(GRYPE_STATE, state) ?? 'unknown';
}
