import { clip } from '../../functions/core/text-clip';

describe('clip', () => {
  it('leaves short text alone and marks a cut', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcd', 3)).toBe('ab…');
  });

  it('does not cut a surrogate pair', () => {
    expect(clip('a😀b', 3)).toBe('a…');
  });
});
