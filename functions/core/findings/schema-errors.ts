import type { z } from 'zod';
import { InputError } from '../errors';

type JsonPath = ReadonlyArray<PropertyKey>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `Results[2].Vulnerabilities[0].VulnerabilityID`: the spelling people use for jq and in bug reports. */
export function formatJsonPath(path: JsonPath): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else {
      const name = String(key);
      if (IDENTIFIER.test(name)) text += text ? `.${name}` : name;
      else text += `[${JSON.stringify(name)}]`;
    }
  }
  return text;
}

/** A short, safe description of a JSON value for an error message (never the whole value: it may be huge or secret). */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string "${value.slice(0, 40)}…"` : `the string ${JSON.stringify(value)}`;
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

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  array: 'an array',
  object: 'an object',
  int: 'an integer',
};

function explain(issue: z.core.$ZodIssue, actual: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${ARTICLE[issue.expected] ?? issue.expected}, got ${describeJsonValue(actual)}`;
    case 'too_small':
      if (issue.origin === 'string') return `expected a non-empty string, got ${describeJsonValue(actual)}`;
      return issue.message;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeJsonValue(actual)}`;
    default:
      return issue.message;
  }
}

export interface SchemaContext {
  /** The file or label the report came from. */
  source: string;
  /** What kind of document this is meant to be, e.g. `Trivy report`: opens the message. */
  what: string;
  /** Path of `value` inside the whole document, when validating a part of it. */
  basePath?: JsonPath;
}

/**
 * Validates with zod and turns the first problem into an `InputError` naming the JSON path, the value found
 * and what was expected; the count of further problems is added so a user fixing one is not surprised by the next.
 */
export function parseWithSchema<T extends z.ZodType>(schema: T, value: unknown, context: SchemaContext): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const localPath = first.path as PropertyKey[];
  const fullPath = [...(context.basePath ?? []), ...localPath];
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'} in this report)` : '';
  throw new InputError(`${context.what}: ${explain(first, valueAt(value, localPath))}${more}`, {
    source: context.source,
    path: fullPath.length > 0 ? formatJsonPath(fullPath) : undefined,
  });
}
