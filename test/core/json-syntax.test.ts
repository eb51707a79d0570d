import fc from 'fast-check';
import { findJsonSyntaxError, lineAndColumn } from '../../functions/core/json-syntax';
import { assertProperty } from '../support/property';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('findJsonSyntaxError', () => {
  it.each([
    ['{}', undefined],
    [' [1, -2.5e3, "a\\u00e9\\n", true, false, null, {"k": []}] ', undefined],
    ['{"a": 1', { offset: 7, expected: "',' or '}'", truncated: true }],
    ['{"a" 1}', { offset: 5, expected: "':' after the property name", truncated: false }],
    ['{"a": 1,}', { offset: 8, expected: 'a property name in double quotes', truncated: false }],
    ['{a: 1}', { offset: 1, expected: "a property name in double quotes or '}'", truncated: false }],
    ['[1 2]', { offset: 3, expected: "',' or ']'", truncated: false }],
    ['[tru', { offset: 4, expected: "a JSON value or ']'", truncated: true }],
    ['[trux]', { offset: 1, expected: "a JSON value or ']'", truncated: false }],
    ['"abc', { offset: 4, expected: 'the closing quote of the string', truncated: true }],
    ['"a\\x"', { offset: 2, expected: 'a valid escape sequence in the string', truncated: false }],
    ['"a\tb"', { offset: 2, expected: 'the string to continue (raw control characters must be escaped)', truncated: false }],
    ['01', { offset: 1, expected: 'the end of the document', truncated: false }],
    ['-', { offset: 1, expected: 'the rest of the number', truncated: true }],
    ['[1.', { offset: 3, expected: 'the rest of the number', truncated: true }],
    ['[2e+', { offset: 4, expected: 'the rest of the number', truncated: true }],
    ['[1.x]', { offset: 2, expected: "',' or ']'", truncated: false }],
    ['-x', { offset: 0, expected: 'a number', truncated: false }],
    ['"\\u00', { offset: 5, expected: 'a valid escape sequence in the string', truncated: true }],
    ['"\\u00zz"', { offset: 1, expected: 'a valid escape sequence in the string', truncated: false }],
    ['{} {}', { offset: 3, expected: 'the end of the document', truncated: false }],
    ['', { offset: 0, expected: 'a JSON value', truncated: true }],
  ])('%p', (text, expected) => {
    expect(findJsonSyntaxError(text)).toEqual(expected);
  });

  it('handles nesting far deeper than any call stack', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(findJsonSyntaxError(deep)).toBeUndefined();
    expect(findJsonSyntaxError(deep.slice(0, -1))).toMatchObject({ offset: 399_999, truncated: true });
  });

  it('agrees with JSON.parse on valid JSON texts', () => {
    assertProperty(
      fc.property(fc.json(), (text) => findJsonSyntaxError(text) === undefined),
      { numRuns: 500 },
    );
  });

  it('agrees with JSON.parse on arbitrary and damaged texts', () => {
    const damaged = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\\', '\u0001', ' '))
      .map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1)));
    assertProperty(
      fc.property(fc.oneof(fc.string(), damaged), (text) => (findJsonSyntaxError(text) === undefined) === parses(text)),
      { numRuns: 1000 },
    );
  });

  it('reports every proper prefix of a JSON object as truncated at its end', () => {
    assertProperty(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.nat(), (value, at) => {
        const text = JSON.stringify(value);
        const prefix = text.slice(0, at % text.length);
        expect(findJsonSyntaxError(prefix)).toMatchObject({ offset: prefix.length, truncated: true });
      }),
      { numRuns: 300 },
    );
  });
});

describe('lineAndColumn', () => {
  it.each([
    ['abc', 0, { line: 1, column: 1 }],
    ['abc', 3, { line: 1, column: 4 }],
    ['a\nbc\n', 3, { line: 2, column: 2 }],
    ['a\nbc\n', 5, { line: 3, column: 1 }],
  ])('%p at %d', (text, offset, expected) => {
    expect(lineAndColumn(text, offset)).toEqual(expected);
  });
});
