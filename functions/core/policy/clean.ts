import type { Violation } from '../result/model';

/** A copy of the object without its undefined-valued keys, in the same order (always a new object). */
export function definedOnly<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = member;
  }
  return out as T;
}

/** Violations are stored in DynamoDB and sent on EventBridge as they are: no `undefined` members. */
export function clean(violation: Violation): Violation {
  const out = definedOnly(violation);
  if (violation.details) out.details = definedOnly(violation.details);
  return out;
}
