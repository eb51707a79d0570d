import fc from 'fast-check';
import { displayWidth, padToWidth, sanitizeInline, truncateChars, truncateToWidth, wrapToWidth } from '../../../functions/core/render/text';
import { assertProperty } from '../../support/property';

describe('sanitizeInline', () => {
  it.each([
    ['line\nbreak\r\nand\rreturn\ttab', 'line break and return tab'],
    ['esc \u001b[31m', 'esc \\x1b[31m'],
    ['nul \u0000 del \u007f c1 \u009b', 'nul \\x00 del \\x7f c1 \\x9b'],
    ['bidi \u202e override \u2067 isolate', 'bidi \\u202e override \\u2067 isolate'],
    ['plain 漢字 💥', 'plain 漢字 💥'],
  ])('%j -> %j', (input, expected) => {
    expect(sanitizeInline(input)).toBe(expected);
  });
});

describe('displayWidth', () => {
  it.each([
    ['abc', 3],
    ['漢字', 4],
    ['💥', 2],
    ['e\u0301', 1],
    ['ｆｕｌｌ', 8],
    ['', 0],
  ])('%j is %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('truncateToWidth', () => {
  it('leaves text that fits alone', () => {
    expect(truncateToWidth('short', 5)).toBe('short');
  });

  it('cuts at a nearby word boundary and marks the cut', () => {
    expect(truncateToWidth('openssl buffer overflow in parser', 20)).toBe('openssl buffer...');
  });

  it('cuts mid-word when no boundary is near', () => {
    expect(truncateToWidth('abcdefghijklmnopqrstuvwxyz', 10)).toBe('abcdefg...');
  });

  it('counts wide characters as two columns and never splits a pair', () => {
    expect(truncateToWidth('💥💥💥💥💥', 7)).toBe('💥💥...');
  });

  it('always fits, for any text and width', () => {
    assertProperty(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), fc.integer({ min: 0, max: 60 }), (text, width) => {
        const cut = truncateToWidth(sanitizeInline(text), width);
        expect(displayWidth(cut)).toBeLessThanOrEqual(Math.max(width, 0));
        expect(cut).not.toMatch(/[\ud800-\udbff]$/);
      }),
    );
  });
});

describe('padToWidth', () => {
  it('pads by display width', () => {
    expect(padToWidth('漢', 4)).toBe('漢  ');
    expect(padToWidth('toolong', 3)).toBe('toolong');
  });
});

describe('truncateChars', () => {
  it('counts code points and keeps pairs whole', () => {
    expect(truncateChars('💥💥💥💥💥', 4)).toBe('💥...');
    expect(truncateChars('abc', 3)).toBe('abc');
  });
});

describe('wrapToWidth', () => {
  it('breaks at spaces, keeping every word', () => {
    expect(wrapToWidth('fixed in 2.5.0-1+deb12u1; upgrade libexpat1', 20)).toEqual(['fixed in', '2.5.0-1+deb12u1;', 'upgrade libexpat1']);
    expect(wrapToWidth('fits', 20)).toEqual(['fits']);
    expect(wrapToWidth('', 20)).toEqual(['']);
  });

  it('splits a word wider than the line by columns, never a surrogate pair or a wide character', () => {
    expect(wrapToWidth('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapToWidth('漢字漢字漢', 4)).toEqual(['漢字', '漢字', '漢']);
    expect(wrapToWidth('💥💥💥', 3)).toEqual(['💥', '💥', '💥']);
  });

  it('with keepLongWords, leaves a word wider than the line whole on a line of its own', () => {
    expect(wrapToWidth('see sha256:0123456789abcdef for it', 8, { keepLongWords: true })).toEqual(['see', 'sha256:0123456789abcdef', 'for it']);
  });

  it('keeps every line within the width and loses no character but the spaces it breaks at', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', '漢', '💥', '-', '.'), minLength: 1, maxLength: 30 });
    assertProperty(
      fc.property(fc.array(word, { maxLength: 20 }), fc.integer({ min: 2, max: 50 }), (words, width) => {
        const lines = wrapToWidth(words.join(' '), width);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        expect(lines.join('').replace(/ /g, '')).toBe(words.join(''));
      }),
    );
  });
});
