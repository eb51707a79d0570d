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
});
