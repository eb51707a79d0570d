import type { Violation } from '../result/model';

/** The members every rule builds a violation with, in the order it builds them. */
const RULE_MEMBERS = ['rule', 'kind', 'id', 'severity', 'action', 'message', 'details'] as const;

/**
 * `{ ...violation, container }`, built as a literal when the violation is an object of exactly the members a rule
 * builds, in that order (every image candidate of a large report is): V8 copied each such spread through a slow path,
 * and the thousands of candidates of one report made it most of the evaluation's time. Any other violation (another
 * prototype, another member, another order, a symbol key) is spread as before, so the result is the spread's in every
 * case (a getter is read once either way).
 */
export function withContainer(violation: Violation, container: string): Violation {
  if (!hasRuleMembers(violation)) return { ...violation, container };
  return {
    rule: violation.rule,
    kind: violation.kind,
    id: violation.id,
    severity: violation.severity,
    action: violation.action,
    message: violation.message,
    details: violation.details,
    container,
  };
}

/**
 * Whether the spread of `violation` copies exactly `RULE_MEMBERS`, in order: an object of Object.prototype (for-in then
 * lists only its own enumerable string keys, in the spread's order, unless Object.prototype itself has gained an
 * enumerable member, which the check then sees and refuses) and no symbol keys (which the spread copies too).
 */
function hasRuleMembers(violation: Violation): boolean {
  if (typeof violation !== 'object' || violation === null || Object.getPrototypeOf(violation) !== Object.prototype) return false;
  let index = 0;
  for (const key in violation) {
    if (index >= RULE_MEMBERS.length || key !== RULE_MEMBERS[index] || !Object.hasOwn(violation, key)) return false;
    index += 1;
  }
  return index === RULE_MEMBERS.length && Object.getOwnPropertySymbols(violation).length === 0;
}
