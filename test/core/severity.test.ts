import fc from 'fast-check';
import { assertProperty } from '../support/property';
import { toSeverity } from '../../functions/core/severity';

describe('toSeverity', () => {
  it.each([
    ['CRITICAL', 'critical'],
    ['High', 'high'],
    ['medium', 'medium'],
    ['Moderate', 'medium'],
    [' LOW ', 'low'],
    ['Negligible', 'negligible'],
    ['info', 'negligible'],
    ['UNKNOWN', 'unknown'],
    ['SEVERE', 'unknown'],
    ['constructor', 'unknown'],
    ['', 'unknown'],
  ])('%p is %s', (raw, expected) => {
    expect(toSeverity(raw)).toBe(expected);
  });

  it('is not text: unknown', () => {
    expect(toSeverity(3)).toBe('unknown');
    expect(toSeverity(undefined)).toBe('unknown');
  });

  // The spellings scanners write are read from a table; any other spelling (here: padded, so never in the table) by
  // trimming and lower-casing. Both ways must give one answer for every word.
  it('reads a word as written exactly as it reads it padded and in any case', () => {
    const word = fc.oneof(
      fc.constantFrom('critical', 'high', 'medium', 'moderate', 'low', 'negligible', 'informational', 'info', 'unknown', 'none'),
      fc.string({ maxLength: 12 }),
    );
    const spelling = fc.tuple(word, fc.constantFrom('lower', 'upper', 'capital')).map(([w, how]) => (how === 'lower' ? w : how === 'upper' ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1)));
    assertProperty(
      fc.property(spelling, (raw) => {
        expect(toSeverity(raw)).toBe(toSeverity(` ${raw.toLowerCase()}\t`));
        expect(toSeverity(raw)).toBe(toSeverity(` ${raw.toUpperCase()} `));
      }),
      { numRuns: 500 },
    );
  });
});
