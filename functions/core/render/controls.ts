import type { Violation } from '../result/model';

/**
 * The controls a violation may name: those of a rule that judged. A "not judged" warning (`details.judged: false`,
 * a hardening rule under `whenUnknown: "warn"`) says nothing about its controls, so listing them would claim a check
 * that never ran.
 */
export function judgedControls(v: Violation): readonly string[] {
  if (v.details?.judged === false) return [];
  return v.controls ?? [];
}
