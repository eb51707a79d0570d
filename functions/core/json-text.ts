import { InputError } from './errors';
import { findJsonSyntaxError, lineAndColumn } from './json-syntax';

/*
 * The one way the gate turns the text of a JSON file (policy, scanner report, task definition, overrides,
 * scenario) into a value. Every reader says the same thing about the same mistake, and none quotes the text:
 * a report or a task definition can hold a plaintext credential, which must not reach a CI log or CloudWatch.
 */

export interface JsonTextContext {
  /** The file or object the text came from: opens every message. */
  source: string;
  /** What the document is meant to be (`policy`, `scan report`): `the policy is not valid JSON ...`. */
  what: string;
  /** What an empty text should have held; `a JSON document` unless told. */
  expected?: string;
}

const BYTE_ORDER_MARK = 0xfeff;

/**
 * `JSON.parse` with an `InputError` a person can act on: empty text says so, and a syntax error names the line
 * and column, and says the file is probably truncated when the text stops where more JSON was required. A UTF-8
 * byte-order mark (editors and PowerShell on Windows write one) is ignored.
 */
export function parseJsonText(text: string, context: JsonTextContext): unknown {
  const { source, what } = context;
  if (typeof text !== 'string') throw new InputError(`expected the ${what} as text, got ${typeof text}`, { source });
  const body = text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
  if (body.trim() === '') throw new InputError(`the ${what} is empty; expected ${context.expected ?? 'a JSON document'}`, { source });
  try {
    return JSON.parse(body);
  } catch (error) {
    // V8's message quotes the text around the error, so it is kept only as the cause, never shown.
    throw new InputError(`the ${what} is not valid JSON${whereItBreaks(body)}`, { source, cause: error });
  }
}

function whereItBreaks(text: string): string {
  const problem = findJsonSyntaxError(text);
  // JSON.parse and the locator disagree only on inputs neither was built for; the message stays clear without a position.
  if (problem === undefined) return '';
  const { line, column } = lineAndColumn(text, problem.offset);
  const at = `line ${line}, column ${column} (character ${problem.offset})`;
  return problem.truncated
    ? `: the text ends at ${at} where ${problem.expected} was expected, so the file is probably truncated (an interrupted write, copy or upload)`
    : ` at ${at}: expected ${problem.expected}`;
}
