import type { z } from 'zod';

/**
 * Turns zod issues into messages a policy author can act on: the JSON path in the spelling people use with jq
 * (`rules.vulnerabilities.fixable.minSeverity`, `exceptions[2].expiresAt`), what was expected, and what was found.
 */

type JsonPath = ReadonlyArray<PropertyKey>;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatPath(path: JsonPath): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else {
      const name = String(key);
      text += IDENTIFIER.test(name) ? (text ? `.${name}` : name) : `[${JSON.stringify(name)}]`;
    }
  }
  return text || '(document)';
}

/** A short description of a value: never the whole value, which may be long. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `the string ${JSON.stringify(`${value.slice(0, 40)}…`)}` : `the string ${JSON.stringify(value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key as string];
  }
  return current;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

/** Keys an object schema accepts at `path`, for "unknown key" messages; undefined when the path cannot be followed. */
function allowedKeysAt(schema: z.ZodType, path: JsonPath): string[] | undefined {
  let current: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    let node = s as { _zod?: { def: Record<string, unknown> } };
    for (let i = 0; i < 10 && node?._zod; i++) {
      const def = node._zod.def;
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault' || def.type === 'readonly') node = def.innerType as typeof node;
      else if (def.type === 'pipe') node = def.in as typeof node;
      else break;
    }
    return node;
  };
  for (const key of path) {
    const node = unwrap(current) as { _zod?: { def: Record<string, unknown> } };
    const def = node?._zod?.def;
    if (!def) return undefined;
    if (def.type === 'object' && typeof key === 'string') current = (def.shape as Record<string, unknown>)[key];
    else if (def.type === 'array' && typeof key === 'number') current = def.element;
    else return undefined;
  }
  const node = unwrap(current) as { _zod?: { def: Record<string, unknown> } };
  const def = node?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : undefined;
}

export interface PathMessage {
  path: string;
  message: string;
}

/** One line per problem (an unknown-keys issue becomes one line per key), in document order of discovery. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown, schema: z.ZodType): PathMessage[] {
  const out: PathMessage[] = [];
  for (const issue of issues) {
    const actual = valueAt(input, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeysAt(schema, issue.path);
        for (const key of issue.keys) {
          out.push({
            path: formatPath([...issue.path, key]),
            message: `unknown key${allowed ? `; expected one of ${allowed.join(', ')}` : ''}`,
          });
        }
        break;
      }
      case 'invalid_type':
        out.push({
          path: formatPath(issue.path),
          message: actual === undefined ? `is required (${EXPECTED[issue.expected] ?? issue.expected})` : `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(actual)}`,
        });
        break;
      case 'invalid_value': {
        const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
        const hint =
          typeof actual === 'string' && issue.values.includes(actual.toLowerCase()) ? ` (values are lowercase: ${JSON.stringify(actual.toLowerCase())})` : '';
        out.push({
          path: formatPath(issue.path),
          message: `${actual === undefined ? 'is required: ' : ''}expected ${issue.values.length === 1 ? options : `one of ${options}`}, got ${describeValue(actual)}${hint}`,
        });
        break;
      }
      case 'too_small':
        out.push({
          path: formatPath(issue.path),
          message:
            issue.origin === 'string'
              ? `expected a non-empty string, got ${describeValue(actual)}`
              : issue.origin === 'array'
                ? `expected at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}, got an empty array`
                : `expected at least ${String(issue.minimum)}, got ${describeValue(actual)}`,
        });
        break;
      case 'too_big':
        out.push({
          path: formatPath(issue.path),
          message: issue.origin === 'string' ? `expected at most ${String(issue.maximum)} characters` : `expected at most ${String(issue.maximum)}, got ${describeValue(actual)}`,
        });
        break;
      case 'invalid_format':
        out.push({ path: formatPath(issue.path), message: `${issue.message}, got ${describeValue(actual)}` });
        break;
      default:
        out.push({ path: formatPath(issue.path), message: issue.message.startsWith('expected ') ? `${issue.message}, got ${describeValue(actual)}` : issue.message });
    }
  }
  return out;
}
