import type { z } from 'zod';
import { InputError } from '../errors';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** `['taskDefinition', 'containerDefinitions', 0, 'name']` → `taskDefinition.containerDefinitions[0].name`. */
export function formatJsonPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = String(key);
      out += /^[A-Za-z_$][\w$]*$/.test(name) ? (out ? `.${name}` : name) : `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}

/** What a JSON value is, in the words a person who wrote the JSON uses. */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return typeof value;
  }
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key as string];
  }
  return current;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function describeIssue(issue: Issue, root: unknown): string {
  const actual = valueAt(root, issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
      if (actual === undefined) return `is required: expected ${expected}`;
      return `expected ${expected}, got ${describeJsonValue(actual)}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must be a non-empty string';
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}`;
      if (issue.origin === 'number') return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}, got ${describeJsonValue(actual)}`;
      return issue.message;
    default:
      return issue.message;
  }
}

/**
 * Turns a failed zod parse into one `InputError` that names the source, the JSON path of the first problem and
 * what was expected there. `prefix` is the path of the parsed value inside the document the person supplied.
 */
export function issuesToInputError(error: z.ZodError, root: unknown, source: string, prefix: readonly PathKey[] = []): InputError {
  const [first, ...rest] = error.issues;
  const path = formatJsonPath([...prefix, ...first.path]);
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  return new InputError(`${describeIssue(first, root)}${more}`, { source, path: path || undefined, cause: error });
}
