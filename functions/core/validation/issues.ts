import type { z } from 'zod';
import { InputError } from '../errors';

/*
 * Turns zod validation issues into messages the person who wrote the input can act on: the JSON path in the
 * spelling people use with jq and in bug reports (`Results[2].Vulnerabilities[0].VulnerabilityID`), what was
 * expected there, and what was found. Every reader of user input (scanner reports, task definitions, policies)
 * speaks through this one module, so the same mistake reads the same wherever it is made.
 */

export type JsonPath = ReadonlyArray<PropertyKey>;
type Issue = z.core.$ZodIssue;

/** Problems listed by default when every problem is listed: enough to fix a file in one pass, short enough to read. */
export const MAX_LISTED_PROBLEMS = 20;

/** How a root-level problem is named in a list of problems, where an empty path would read as a stray colon. */
export const DOCUMENT_PATH = '(document)';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `['Results', 2, 'VulnerabilityID']` → `Results[2].VulnerabilityID`; keys that are not identifiers are quoted: `Labels["a.b"]`. `''` for the document itself. */
export function formatJsonPath(path: JsonPath): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else {
      const name = String(key);
      text += IDENTIFIER.test(name) ? (text ? `.${name}` : name) : `[${JSON.stringify(name)}]`;
    }
  }
  return text;
}

/** Characters of a string value shown in a message: the value may be huge, or a secret pasted in the wrong place. */
const SHOWN_CHARS = 40;

/** A short, safe description of a JSON value for an error message: never the whole value. */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : `the string ${JSON.stringify(shorten(value))}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** `describeJsonValue` without the content: `a string`, `the number 3` → `a number`. For input that may hold credentials. */
export function describeJsonKind(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return describeJsonValue(value);
  }
}

function shorten(text: string): string {
  if (text.length <= SHOWN_CHARS) return text;
  // Never cut a surrogate pair in half: JSON.stringify would show the lone half as an escape.
  const end = /[\uD800-\uDBFF]/.test(text[SHOWN_CHARS - 1]) ? SHOWN_CHARS - 1 : SHOWN_CHARS;
  return `${text.slice(0, end)}…`;
}

/** One thing wrong with the input. `path` is relative to the validated value. */
export interface Problem {
  path: JsonPath;
  message: string;
}

export interface DescribeOptions {
  /**
   * Name the kind of a value found (`got a string`), never its content: for input where a credential can sit in
   * the wrong place (an image's environment), so no part of it reaches a warning or a log.
   */
  hideValues?: boolean;
}

/**
 * One problem per issue, in zod's order; an unknown-keys issue becomes one problem per key. `schema` is the schema
 * that was validated: with it, an unknown key's message lists the keys that are allowed there.
 */
export function describeIssues(issues: readonly Issue[], input: unknown, schema?: z.ZodType, options: DescribeOptions = {}): Problem[] {
  const describe = options.hideValues ? describeJsonKind : describeJsonValue;
  const problems: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = schema ? allowedKeysAt(schema, issue.path) : undefined;
      const expected = allowed ? `; expected one of ${allowed.join(', ')}` : '';
      for (const key of issue.keys) problems.push({ path: [...issue.path, key], message: `unknown key${expected}` });
    } else {
      problems.push({ path: issue.path, message: explain(issue, valueAt(input, issue.path), describe) });
    }
  }
  return problems;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  tuple: 'an array',
  object: 'an object',
  record: 'an object',
  null: 'null',
};

type Describe = (value: unknown) => string;

function explain(issue: Issue, actual: unknown, describe: Describe): string {
  const got = describe(actual);
  // A missing member of an object is "required"; a missing document is just nothing.
  const missing = actual === undefined && issue.path.length > 0;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return missing ? `is required: expected ${expected}` : `expected ${expected}, got ${got}`;
    }
    case 'invalid_value':
      return oneOf(issue.values, actual, missing, got);
    case 'invalid_union':
      return explainUnion(issue, actual, missing, got);
    case 'too_small':
      return explainBound(issue.origin, issue.exact ? 'exactly' : issue.inclusive === false ? 'more than' : 'at least', issue.minimum, actual, got);
    case 'too_big':
      return explainBound(issue.origin, issue.exact ? 'exactly' : issue.inclusive === false ? 'less than' : 'at most', issue.maximum, actual, got);
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}, got ${got}`;
    case 'invalid_format':
      if (isZodDefault(issue.message)) {
        return `expected ${issue.format === 'regex' && issue.pattern ? `a string matching ${issue.pattern}` : `a valid ${issue.format}`}, got ${got}`;
      }
      return withActual(issue.message, got);
    default:
      return withActual(issue.message, got);
  }
}

/** zod's own messages start "Invalid ..."; a schema's custom message is kept as written. */
function isZodDefault(message: string): boolean {
  return message.startsWith('Invalid ');
}

/** A custom message phrased as an expectation gets the value found appended, like every message of this module. */
function withActual(message: string, got: string): string {
  return message.startsWith('expected ') ? `${message}, got ${got}` : message;
}

function literal(value: unknown): string {
  return typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
}

/** `got` is the value found, as the caller describes it. */
function oneOf(values: readonly unknown[], actual: unknown, missing: boolean, got: string): string {
  const options = values.map(literal);
  const expected = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
  if (missing) return `is required: expected ${expected}`;
  return `expected ${expected}, got ${got}${caseHint(values, actual)}`;
}

/** `HIGH` for `high`: the commonest mistake in an enum is the case, so say so outright. */
function caseHint(values: readonly unknown[], actual: unknown): string {
  if (typeof actual !== 'string') return '';
  const match = values.find((value): value is string => typeof value === 'string' && value.toLowerCase() === actual.toLowerCase());
  if (match === undefined) return '';
  const how = match === match.toLowerCase() ? 'lowercase' : match === match.toUpperCase() ? 'uppercase' : 'case-sensitive';
  return ` (values are ${how}: ${JSON.stringify(match)})`;
}

function explainUnion(issue: z.core.$ZodIssueInvalidUnion, actual: unknown, missing: boolean, got: string): string {
  // A discriminated union whose discriminator matched no option: zod puts the issue at the discriminator.
  if ('options' in issue && issue.options && issue.discriminator !== undefined) return oneOf(issue.options, actual, missing, got);
  // Every option rejected the value's type outright: "expected a string or an object".
  const types = issue.errors.map((errors) => errors.find((e): e is z.core.$ZodIssueInvalidType => e.code === 'invalid_type' && e.path.length === 0));
  if (types.length > 0 && types.every((e): e is z.core.$ZodIssueInvalidType => e !== undefined)) {
    const expected = [...new Set(types.map((e) => EXPECTED[e.expected] ?? e.expected))];
    const words = expected.length === 1 ? expected[0] : `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
    return missing ? `is required: expected ${words}` : `expected ${words}, got ${got}`;
  }
  return withActual(issue.message, got);
}

function explainBound(origin: string, relation: string, bound: number | bigint, actual: unknown, got: string): string {
  const n = String(bound);
  const plural = (unit: string) => `${unit}${n === '1' ? '' : 's'}`;
  switch (origin) {
    case 'string':
      if (relation === 'at least' && n === '1') return `expected a non-empty string, got ${got}`;
      // The length is what is wrong, and the value itself may be long: give the length.
      return `expected ${relation} ${n} ${plural('character')}, got ${typeof actual === 'string' ? actual.length : got}`;
    case 'array':
    case 'set':
      return `expected ${relation} ${n} ${plural('item')}, got ${got}`;
    default:
      return `expected ${relation} ${n}, got ${got}`;
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

type SchemaNode = { _zod?: { def: Record<string, unknown> } } | undefined;

/** Looks through wrappers that do not change which keys an object accepts. */
function unwrap(schema: unknown): SchemaNode {
  let node = schema as SchemaNode;
  for (let depth = 0; depth < 10 && node?._zod; depth++) {
    const def = node._zod.def;
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type as string)) node = def.innerType as SchemaNode;
    else if (def.type === 'pipe') node = def.in as SchemaNode;
    else break;
  }
  return node;
}

/** Keys an object schema accepts at `path`, for unknown-key messages; undefined when the path cannot be followed. */
function allowedKeysAt(schema: z.ZodType, path: JsonPath): string[] | undefined {
  let current: unknown = schema;
  for (const key of path) {
    const def = unwrap(current)?._zod?.def;
    if (def?.type === 'object' && typeof key === 'string') current = (def.shape as Record<string, unknown>)[key];
    else if (def?.type === 'array' && typeof key === 'number') current = def.element;
    else return undefined;
  }
  const def = unwrap(current)?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : undefined;
}

export interface IssueContext {
  /** The file or label the input came from: opens every message. */
  source: string;
  /** Path of the validated value inside the document the person supplied, when a part is validated on its own. */
  prefix?: JsonPath;
  /** What the document is meant to be (`Trivy report`): opens the message, so the reader that failed is named. */
  what?: string;
  /** The schema that was validated, so unknown-key messages can list the allowed keys (`parseWithSchema` passes it). */
  schema?: z.ZodType;
  /**
   * List every problem, one line each under `heading` (`invalid policy`), up to `max`: for files a person writes
   * and wants to fix in one pass. Without it the message names the first problem and counts the rest, which suits
   * machine-written input, where one fault usually repeats many times.
   */
  listEvery?: { heading: string; max?: number };
}

/**
 * One `InputError` for a failed zod parse, naming the source and the JSON path. With one problem (or without
 * `listEvery`) its `path` is that problem's path; the zod error is kept as `cause`.
 */
export function issuesToInputError(error: z.ZodError, input: unknown, context: IssueContext): InputError {
  const problems = describeIssues(error.issues, input, context.schema);
  const prefix = context.prefix ?? [];
  const opening = context.what ? `${context.what}: ` : '';
  const where = (problem: Problem) => formatJsonPath([...prefix, ...problem.path]);

  if (context.listEvery && problems.length > 1) {
    const listed = problems.map((problem) => ({ path: where(problem), message: problem.message }));
    return new InputError(`${opening}${listProblems(context.listEvery.heading, listed, context.listEvery.max)}`, { source: context.source, cause: error });
  }

  // zod never fails without an issue; its own message stands in should that ever change.
  const [first = { path: [], message: error.message }, ...rest] = problems;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  return new InputError(`${opening}${first.message}${more}`, { source: context.source, path: where(first) || undefined, cause: error });
}

/**
 * `heading (n problems):` and one line per problem, `  path: message` (`(document)` for an empty path), up to `max`: the
 * one way a reader lists every problem of a file a person wrote. A message of several lines stays under its path.
 */
export function listProblems(heading: string, problems: readonly { path?: string; message: string }[], max: number = MAX_LISTED_PROBLEMS): string {
  // No path at all: the message names its own source (another file the document refers to).
  const line = (problem: { path?: string; message: string }) => (problem.path === undefined ? problem.message : `${problem.path || DOCUMENT_PATH}: ${problem.message}`);
  const lines = problems.slice(0, max).map((problem) => `  ${line(problem).replace(/\n/g, '\n    ')}`);
  if (problems.length > max) lines.push(`  ... and ${problems.length - max} more`);
  return `${heading} (${problems.length} problems):\n${lines.join('\n')}`;
}

/** Validates `value` with `schema`; returns the parsed value or throws the `InputError` of `issuesToInputError`. */
export function parseWithSchema<T extends z.ZodType>(schema: T, value: unknown, context: Omit<IssueContext, 'schema'>): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw issuesToInputError(result.error, value, { ...context, schema });
}
