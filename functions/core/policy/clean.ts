import type { Violation } from '../result/model';

export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Violations are stored in DynamoDB and sent on EventBridge as they are: no `undefined` members. */
export function clean(violation: Violation): Violation {
  const out = definedOnly(violation);
  if (violation.details) out.details = definedOnly(violation.details);
  return out;
}
