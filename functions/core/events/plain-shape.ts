/*
 * Checks for the fast paths of the gate's event readers: each says yes only where the zod schema it stands beside
 * would accept the value and hand back the same value, so a reader may take a value these accept as it is, without
 * building or running its schema (a cold start's first event then builds none), and leave everything else to the
 * schema, which decides and words the problem. Lengths: zod counts a string's code points, never more than its
 * UTF-16 units, so `length <= max` is within any zod `max`, and a non-empty string has at least one code point.
 */

/** zod's object test (`isObject` in zod/v4/core/util.js): any object but `null` and arrays. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Within `z.string().min(1).max(max)` (`max` omitted: `z.string().min(1)`). */
export function isNonEmptyString(value: unknown, max = Infinity): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max;
}

/** Within `z.string().max(max).optional()` (a member absent or `undefined`; never `null`). */
export function isOptionalString(value: unknown, max = Infinity): boolean {
  return value === undefined || (typeof value === 'string' && value.length <= max);
}

/** Within `z.string().max(max).nullish()`. */
export function isNullishString(value: unknown, max = Infinity): boolean {
  return value === null || isOptionalString(value, max);
}

/** Within `z.string().min(1).max(max).nullish()`. */
export function isNullishNonEmptyString(value: unknown, max = Infinity): boolean {
  return value === null || value === undefined || isNonEmptyString(value, max);
}

/** Within `z.string().regex(pattern)` (a pattern without the `g` or `y` flag, whose `test` keeps no state). */
export function matchesPattern(value: unknown, pattern: RegExp): value is string {
  return typeof value === 'string' && pattern.test(value);
}

/** Within `z.array(item)`: every index checked, as zod checks them (`every` would skip the holes of a sparse array). */
export function isListOf(value: unknown, isItem: (item: unknown) => boolean): value is unknown[] {
  if (!Array.isArray(value)) return false;
  for (let index = 0; index < value.length; index += 1) if (!isItem(value[index])) return false;
  return true;
}

/**
 * Within `z.record(z.string(), item)`, whose output holds the same members: zod's plain-object test
 * (`isPlainObject` in zod/v4/core/util.js: here, a prototype of `Object.prototype` or `null`), and only enumerable
 * string keys other than `__proto__` (zod's record leaves the others out of what it hands back, or fails a symbol key).
 */
export function isRecordOf(value: unknown, isItem: (item: unknown) => boolean): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  const names = Object.getOwnPropertyNames(value);
  const keys = Object.keys(value);
  if (names.length !== keys.length || Object.hasOwn(value, '__proto__')) return false;
  for (const key of keys) if (!isItem(value[key])) return false;
  return true;
}
