import fc from 'fast-check';
import { assertProperty } from '../../support/property';
import { defined, nonBlank } from '../../../functions/core/findings/values';

describe('nonBlank', () => {
  it.each([
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    [' \t', undefined],
    [' a ', 'a'],
    ['a', 'a'],
    ['a b', 'a b'],
    ['a\u00a0', 'a'],
    ['\ufeffa', 'a'],
    ['a\u2028', 'a'],
    ['\u007f', '\u007f'],
  ])('%p → %p', (value, expected) => {
    expect(nonBlank(value)).toBe(expected);
  });

  it('is the trimmed string, or undefined when nothing is left, for any string (whitespace of every kind at either end)', () => {
    const char = fc.oneof(
      fc.constantFrom(' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u0085', '\u200b', '!', '~', '\u007f', 'a'),
      fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
    );
    assertProperty(
      fc.property(fc.array(char, { maxLength: 6 }).map((chars) => chars.join('')), (value) => {
        const trimmed = value.trim();
        expect(nonBlank(value)).toBe(trimmed === '' ? undefined : trimmed);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('defined', () => {
  it('removes undefined-valued keys only', () => {
    const value = defined({ a: 1, b: undefined, c: null, d: '', e: 0 });
    expect(Object.keys(value)).toEqual(['a', 'c', 'd', 'e']);
  });

  it('leaves its argument as it was, and returns the argument itself when nothing is undefined', () => {
    const input = { a: 1, b: undefined };
    expect(defined(input)).toEqual({ a: 1 });
    expect(Object.keys(input)).toEqual(['a', 'b']);
    const full = { a: 1, c: null };
    expect(defined(full)).toBe(full);
  });
});
