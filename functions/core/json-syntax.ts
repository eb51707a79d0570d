/** Where a JSON text first goes wrong, and what was expected there. */
export interface JsonSyntaxProblem {
  /** Character offset (0-based) of the first character that cannot be part of valid JSON; `text.length` when the text stops early. */
  offset: number;
  expected: string;
  /** The text ended where more JSON was required: the usual sign of a truncated file. */
  truncated: boolean;
}

type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'end';

const EXPECTED: Record<Expect, string> = {
  value: 'a JSON value',
  valueOrClose: "a JSON value or ']'",
  key: 'a property name in double quotes',
  keyOrClose: "a property name in double quotes or '}'",
  colon: "':' after the property name",
  commaOrClose: "',' or a closing bracket",
  end: 'the end of the document',
};

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// What a number or an escape can look like when the text stops in the middle of one (`1.`, `2e+`, `\u00`).
const NUMBER_START = /-?(?:0|[1-9]\d*)?(?:\.\d*)?(?:[eE][+-]?\d*)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
const ESCAPE_START = /^\\(?:u[0-9a-fA-F]{0,3})?$/;
const LITERALS = ['true', 'false', 'null'];

/**
 * Locates the first syntax error in a JSON text. V8's `JSON.parse` messages give a position only for some
 * errors and quote the surrounding text (which could be part of a credential in a report), so the position
 * for the user is computed here instead. Iterative, one pass: deeply nested or huge input cannot overflow
 * the stack. Returns undefined for valid JSON.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const length = text.length;
  const stack: string[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const problem = (offset: number, expected: string): JsonSyntaxProblem => ({ offset, expected, truncated: offset >= length });
  const afterValue = (): Expect => (stack.length > 0 ? 'commaOrClose' : 'end');
  const expectedText = (state: Expect): string =>
    state === 'commaOrClose' ? `',' or '${stack[stack.length - 1] === '{' ? '}' : ']'}'` : EXPECTED[state];
  /** Ran out of text inside a token that was still valid so far. */
  const endsInside = (start: number, pattern: RegExp): boolean => {
    pattern.lastIndex = start;
    return pattern.test(text) && pattern.lastIndex === length;
  };

  /** Offset just past the closing quote of the string starting at `start`, or a problem. */
  const scanString = (start: number): number | JsonSyntaxProblem => {
    let j = start + 1;
    while (j < length) {
      const code = text.charCodeAt(j);
      if (code === 0x22) return j + 1;
      if (code === 0x5c) {
        ESCAPE.lastIndex = j;
        if (!ESCAPE.test(text)) return problem(ESCAPE_START.test(text.slice(j)) ? length : j, 'a valid escape sequence in the string');
        j = ESCAPE.lastIndex;
        continue;
      }
      if (code < 0x20) return problem(j, 'the string to continue (raw control characters must be escaped)');
      j += 1;
    }
    return problem(length, 'the closing quote of the string');
  };

  for (;;) {
    while (i < length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i += 1;
    if (i >= length) return expect === 'end' ? undefined : problem(length, expectedText(expect));
    const c = text[i];
    switch (expect) {
      case 'end':
        return problem(i, EXPECTED.end);
      case 'colon':
        if (c !== ':') return problem(i, EXPECTED.colon);
        i += 1;
        expect = 'value';
        break;
      case 'commaOrClose': {
        const open = stack[stack.length - 1];
        const close = open === '{' ? '}' : ']';
        if (c === ',') {
          i += 1;
          expect = open === '{' ? 'key' : 'value';
        } else if (c === close) {
          stack.pop();
          i += 1;
          expect = afterValue();
        } else return problem(i, expectedText(expect));
        break;
      }
      case 'keyOrClose':
      case 'key': {
        if (expect === 'keyOrClose' && c === '}') {
          stack.pop();
          i += 1;
          expect = afterValue();
          break;
        }
        if (c !== '"') return problem(i, EXPECTED[expect]);
        const end = scanString(i);
        if (typeof end !== 'number') return end;
        i = end;
        expect = 'colon';
        break;
      }
      case 'valueOrClose':
      case 'value': {
        if (expect === 'valueOrClose' && c === ']') {
          stack.pop();
          i += 1;
          expect = afterValue();
          break;
        }
        if (c === '{' || c === '[') {
          stack.push(c);
          i += 1;
          expect = c === '{' ? 'keyOrClose' : 'valueOrClose';
          break;
        }
        if (c === '"') {
          const end = scanString(i);
          if (typeof end !== 'number') return end;
          i = end;
          expect = afterValue();
          break;
        }
        if (c === '-' || (c >= '0' && c <= '9')) {
          NUMBER.lastIndex = i;
          const complete = NUMBER.test(text) ? NUMBER.lastIndex : i;
          if (endsInside(i, NUMBER_START) && NUMBER_START.lastIndex > complete) return problem(length, 'the rest of the number');
          if (complete === i) return problem(i, 'a number');
          i = complete;
          expect = afterValue();
          break;
        }
        const literal = LITERALS.find((word) => text.startsWith(word, i));
        if (literal) {
          i += literal.length;
          expect = afterValue();
          break;
        }
        const rest = text.slice(i, i + 5);
        if (LITERALS.some((word) => word.startsWith(rest))) return problem(length, EXPECTED[expect]);
        return problem(i, EXPECTED[expect]);
      }
    }
  }
}

/** 1-based line and column of a character offset, for people opening the file in an editor. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
