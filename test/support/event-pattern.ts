/**
 * An EventBridge event-pattern matcher for tests, written from the documented semantics (EventBridge user guide
 * "Creating event patterns", "Content filtering", "Comparison operators"; aws/event-ruler README), because no
 * maintained npm package implements them. It validates the pattern as EventBridge does (a malformed pattern throws,
 * so a test catches a rule that PutRule would refuse) and answers whether one event matches.
 *
 * Semantics implemented:
 * - every field of the pattern must match (AND); `$or` takes a list of alternative sub-patterns (OR);
 * - a leaf is a non-empty array of values and operators, any of which may match (OR);
 * - an array in the event matches when any of its elements matches; nested objects in event arrays are tried
 *   element by element, so every condition of a sub-pattern is met by the same element;
 * - a missing field matches only `{"exists": false}`; `anything-but` never matches a missing field;
 * - exact values are typed: the string "5" does not match the number 5, numbers compare numerically;
 * - operators: prefix, suffix (each optionally with equals-ignore-case), equals-ignore-case, anything-but (value,
 *   list, prefix, suffix, equals-ignore-case, wildcard), numeric (one or two comparisons), exists, cidr (IPv4),
 *   wildcard (`*`, with `\*` for a literal star).
 */

export type EventPattern = Record<string, unknown>;

export class InvalidPatternError extends Error {
  constructor(path: string, message: string) {
    super(`invalid event pattern at ${path || '<root>'}: ${message}`);
    this.name = 'InvalidPatternError';
  }
}

/** True when `event` matches `pattern`; throws `InvalidPatternError` when EventBridge would reject the pattern. */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isPlainObject(pattern)) throw new InvalidPatternError('', 'a pattern is a JSON object');
  validateObject(pattern, '');
  return matchObject(pattern, event);
}

/** Validates a pattern without an event (what PutRule checks). */
export function validateEventPattern(pattern: unknown): void {
  if (!isPlainObject(pattern)) throw new InvalidPatternError('', 'a pattern is a JSON object');
  validateObject(pattern, '');
}

// ---------- validation ----------

const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);

function validateObject(pattern: Record<string, unknown>, path: string): void {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new InvalidPatternError(path, 'an empty object matches nothing and is rejected');
  for (const key of keys) {
    const value = pattern[key];
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw new InvalidPatternError(at, '$or takes an array of at least two sub-patterns');
      value.forEach((alternative, index) => {
        if (!isPlainObject(alternative)) throw new InvalidPatternError(`${at}[${index}]`, 'each $or alternative is an object');
        validateObject(alternative, `${at}[${index}]`);
      });
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidPatternError(at, 'a leaf must list at least one value');
      value.forEach((item, index) => validateLeafItem(item, `${at}[${index}]`));
    } else if (isPlainObject(value)) {
      validateObject(value, at);
    } else {
      throw new InvalidPatternError(at, `a field takes an array of values or a nested object, got ${JSON.stringify(value)}`);
    }
  }
}

function validateLeafItem(item: unknown, path: string): void {
  if (item === null || typeof item === 'string' || typeof item === 'boolean') return;
  if (typeof item === 'number') {
    if (!Number.isFinite(item)) throw new InvalidPatternError(path, 'numbers must be finite');
    return;
  }
  if (!isPlainObject(item)) throw new InvalidPatternError(path, `unsupported value ${JSON.stringify(item)}`);
  const keys = Object.keys(item);
  if (keys.length !== 1) throw new InvalidPatternError(path, `an operator object has exactly one key, got ${JSON.stringify(keys)}`);
  const [operator] = keys;
  const operand = item[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (typeof operand === 'string') return;
      if (isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') return;
      throw new InvalidPatternError(path, `${operator} takes a string or {"equals-ignore-case": string}`);
    case 'equals-ignore-case':
      if (typeof operand === 'string') return;
      throw new InvalidPatternError(path, 'equals-ignore-case takes a string');
    case 'wildcard':
      if (typeof operand === 'string' && !operand.includes('**')) return;
      throw new InvalidPatternError(path, 'wildcard takes a string without consecutive stars');
    case 'exists':
      if (typeof operand === 'boolean') return;
      throw new InvalidPatternError(path, 'exists takes true or false');
    case 'cidr':
      if (typeof operand === 'string' && parseCidr(operand) !== undefined) return;
      throw new InvalidPatternError(path, 'cidr takes an IPv4 block such as "10.0.0.0/24"');
    case 'numeric':
      validateNumeric(operand, path);
      return;
    case 'anything-but':
      validateAnythingBut(operand, path);
      return;
    default:
      throw new InvalidPatternError(path, `unknown operator ${JSON.stringify(operator)}`);
  }
}

function validateNumeric(operand: unknown, path: string): void {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new InvalidPatternError(path, 'numeric takes one or two [operator, number] pairs');
  }
  for (let i = 0; i < operand.length; i += 2) {
    if (typeof operand[i] !== 'string' || !NUMERIC_OPERATORS.has(operand[i] as string)) throw new InvalidPatternError(path, `unknown numeric operator ${JSON.stringify(operand[i])}`);
    if (typeof operand[i + 1] !== 'number' || !Number.isFinite(operand[i + 1])) throw new InvalidPatternError(path, 'numeric operands are finite numbers');
  }
  if (operand.length === 4 && (operand[0] === '=' || operand[2] === '=')) throw new InvalidPatternError(path, '"=" cannot be part of a range');
}

function validateAnythingBut(operand: unknown, path: string): void {
  if (typeof operand === 'string' || typeof operand === 'number') return;
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new InvalidPatternError(path, 'anything-but needs at least one value');
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number');
    if (!allStrings && !allNumbers) throw new InvalidPatternError(path, 'anything-but takes a list of only strings or only numbers');
    return;
  }
  if (isPlainObject(operand) && Object.keys(operand).length === 1) {
    const [key] = Object.keys(operand);
    const inner = operand[key];
    if ((key === 'prefix' || key === 'suffix') && typeof inner === 'string') return;
    if ((key === 'equals-ignore-case' || key === 'wildcard') && (typeof inner === 'string' || (Array.isArray(inner) && inner.length > 0 && inner.every((v) => typeof v === 'string')))) return;
  }
  throw new InvalidPatternError(path, `unsupported anything-but operand ${JSON.stringify(operand)}`);
}

// ---------- matching ----------

function matchObject(pattern: Record<string, unknown>, event: unknown): boolean {
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(value as Record<string, unknown>[]).some((alternative) => matchObject(alternative, event))) return false;
      continue;
    }
    const fieldValue = isPlainObject(event) ? event[key] : undefined;
    if (Array.isArray(value)) {
      if (!matchLeaf(value, fieldValue)) return false;
    } else if (!matchNested(value as Record<string, unknown>, fieldValue)) {
      return false;
    }
  }
  return true;
}

function matchNested(pattern: Record<string, unknown>, value: unknown): boolean {
  if (Array.isArray(value)) {
    const objects = value.filter(isPlainObject);
    return objects.length === 0 ? matchObject(pattern, undefined) : objects.some((element) => matchObject(pattern, element));
  }
  return matchObject(pattern, isPlainObject(value) ? value : undefined);
}

/** The scalar values a leaf condition sees: arrays are flattened; objects are not leaves. */
function leafValues(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((element) => (Array.isArray(element) ? leafValues(element) : isPlainObject(element) ? [] : [element]));
  if (isPlainObject(value)) return [];
  return [value];
}

function matchLeaf(conditions: unknown[], fieldValue: unknown): boolean {
  const values = leafValues(fieldValue);
  return conditions.some((condition) => {
    if (isPlainObject(condition) && 'exists' in condition) return condition.exists === values.length > 0;
    return values.some((value) => matchValue(condition, value));
  });
}

function matchValue(condition: unknown, value: unknown): boolean {
  if (!isPlainObject(condition)) return exactEquals(condition, value);
  const [operator] = Object.keys(condition);
  const operand = condition[operator];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && affixMatches(operand, value, (v, a) => v.startsWith(a));
    case 'suffix':
      return typeof value === 'string' && affixMatches(operand, value, (v, a) => v.endsWith(a));
    case 'equals-ignore-case':
      return typeof value === 'string' && foldCase(value) === foldCase(operand as string);
    case 'wildcard':
      return typeof value === 'string' && wildcardMatches(operand as string, value);
    case 'numeric':
      return typeof value === 'number' && numericMatches(operand as (string | number)[], value);
    case 'cidr':
      return typeof value === 'string' && cidrContains(operand as string, value);
    case 'anything-but':
      return anythingButMatches(operand, value);
    default:
      return false;
  }
}

/** Typed equality: numbers by value (5 equals 5.0), everything else strictly. */
function exactEquals(expected: unknown, value: unknown): boolean {
  return expected === value;
}

function affixMatches(operand: unknown, value: string, test: (value: string, affix: string) => boolean): boolean {
  if (typeof operand === 'string') return test(value, operand);
  const affix = (operand as Record<string, string>)['equals-ignore-case'];
  return test(foldCase(value), foldCase(affix));
}

function anythingButMatches(operand: unknown, value: unknown): boolean {
  if (typeof operand === 'string' || typeof operand === 'number') return !exactEquals(operand, value);
  if (Array.isArray(operand)) return !operand.some((excluded) => exactEquals(excluded, value));
  const [key] = Object.keys(operand as Record<string, unknown>);
  const inner = (operand as Record<string, unknown>)[key];
  // The string forms exclude strings only: a number or boolean neither starts with a prefix nor equals a string.
  if (typeof value !== 'string') return true;
  const list = Array.isArray(inner) ? (inner as string[]) : [inner as string];
  switch (key) {
    case 'prefix':
      return !value.startsWith(inner as string);
    case 'suffix':
      return !value.endsWith(inner as string);
    case 'equals-ignore-case':
      return !list.some((excluded) => foldCase(excluded) === foldCase(value));
    case 'wildcard':
      return !list.some((excluded) => wildcardMatches(excluded, value));
    default:
      return false;
  }
}

function numericMatches(operand: (string | number)[], value: number): boolean {
  for (let i = 0; i < operand.length; i += 2) {
    const limit = operand[i + 1] as number;
    const ok = (() => {
      switch (operand[i]) {
        case '<':
          return value < limit;
        case '<=':
          return value <= limit;
        case '=':
          return value === limit;
        case '>':
          return value > limit;
        case '>=':
          return value >= limit;
        default:
          return false;
      }
    })();
    if (!ok) return false;
  }
  return true;
}

function wildcardMatches(pattern: string, value: string): boolean {
  let regex = '^';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\' && pattern[i + 1] === '*') {
      regex += '\\*';
      i++;
    } else if (char === '*') {
      regex += '.*';
    } else {
      regex += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`${regex}$`, 's').test(value);
}

function parseCidr(block: string): { base: number; bits: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  return { base: ipv4ToNumber(octets), bits };
}

function cidrContains(block: string, value: string): boolean {
  const cidr = parseCidr(block);
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (!cidr || !match) return false;
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return false;
  const mask = cidr.bits === 0 ? 0 : (0xffffffff << (32 - cidr.bits)) >>> 0;
  return ((ipv4ToNumber(octets) & mask) >>> 0) === ((cidr.base & mask) >>> 0);
}

function ipv4ToNumber(octets: number[]): number {
  return (((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]) >>> 0;
}

function foldCase(text: string): string {
  return text.toLowerCase();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
