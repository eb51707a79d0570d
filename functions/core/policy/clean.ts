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

/**
 * Violations are stored in DynamoDB and sent on EventBridge as they are: no `undefined` members. A violation that
 * already has none (every one a rule builds whose details are all known, and every one cleaned before) is returned as
 * it is: the engine handles thousands, each copied (with its details) at every step, and the copies' garbage
 * collection was much of its time. Violations are never changed after they are made, so sharing one is safe.
 */
export function clean(violation: Violation): Violation {
  if (isClean(violation) && (violation.details === undefined || isClean(violation.details))) return violation;
  const out = definedOnly(violation);
  if (violation.details) out.details = definedOnly(violation.details);
  return out;
}

/** A plain object (as a literal or JSON.parse makes it) without an undefined-valued own key: what `definedOnly` would copy unchanged. */
function isClean(value: object): boolean {
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) if (record[key] === undefined || !Object.hasOwn(record, key)) return false;
  return true;
}
