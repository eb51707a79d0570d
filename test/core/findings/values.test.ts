import { defined, nonBlank } from '../../../functions/core/findings/values';

describe('nonBlank', () => {
  it.each([
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    [' \t', undefined],
    [' a ', 'a'],
  ])('%p → %p', (value, expected) => {
    expect(nonBlank(value)).toBe(expected);
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
