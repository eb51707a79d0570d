import fc from 'fast-check';
import { buildAutomaton, type StepMeter } from '../../../functions/core/policy/glob-automaton';
import { parseGlob } from '../../../functions/core/policy/glob-syntax';
import { assertProperty } from '../../support/property';

/*
 * The automaton against a reference written the way picomatch (the matcher before it) works: braces expanded into
 * every alternative, each alternative split into path segments and turned into a backtracking regular expression.
 * Exponential in the worst case, so it only ever sees tiny patterns and inputs; the automaton must agree with it
 * on all of them, and must stay within a fixed number of steps per pattern piece and input character on any.
 */

function automaton(pattern: string, options: { nocase?: boolean } = {}) {
  const parsed = parseGlob(pattern);
  if (!parsed.ok) throw new Error(`${pattern}: ${parsed.problem}`);
  return buildAutomaton(parsed.nodes, options);
}

/** Every brace-free pattern a pattern with `{a,b}` groups stands for (no escapes inside the generated patterns). */
function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '{') {
      if (depth === 0) open = i;
      depth += 1;
    } else if (pattern[i] === '}') {
      depth -= 1;
      if (depth === 0) {
        const options: string[] = [];
        let level = 0;
        let from = open + 1;
        for (let j = open + 1; j < i; j++) {
          if (pattern[j] === '{') level += 1;
          else if (pattern[j] === '}') level -= 1;
          else if (pattern[j] === ',' && level === 0) {
            options.push(pattern.slice(from, j));
            from = j + 1;
          }
        }
        options.push(pattern.slice(from, i));
        const head = pattern.slice(0, open);
        const tails = expandBraces(pattern.slice(i + 1));
        return options.flatMap((option) => expandBraces(option)).flatMap((option) => tails.map((tail) => head + option + tail));
      }
    }
  }
  return [pattern];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * One brace-free segment as a regular expression: `*` any run but "/". (picomatch made a whole-segment `*` match at
 * least one character; the policy matcher does not, on purpose: see glob-syntax.ts.)
 */
function segmentRegex(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    if (char === '*') {
      while (segment[i + 1] === '*') i += 1;
      out += '[^/]*';
    } else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const close = segment.indexOf(']', i + 2);
      let body = segment.slice(i + 1, close);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      out += negated ? `(?!/)[^${body.replace(/[\\\]^]/g, '\\$&')}]` : `[${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else out += escapeRegex(char);
  }
  return out;
}

/** picomatch's model of a brace-free pattern: `**` segments span segments, and take one neighbouring "/" when empty. */
function referenceRegex(pattern: string): string {
  // `**/**` is one `**`.
  const segments = pattern.split('/').filter((segment, index, all) => !(segment === '**' && all[index - 1] === '**'));
  if (segments.length === 1 && segments[0] === '**') return '.*';
  let out = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      if (index === 0) out += '(?:.*/)?';
      else if (last) out = `${out.slice(0, -1)}(?:/.*)?`; // the "/" written before it becomes optional
      else out += '(?:.*/)?';
      return;
    }
    out += segmentRegex(segment) + (last ? '' : '/');
  });
  return out;
}

function referenceMatch(pattern: string, input: string): boolean {
  return expandBraces(pattern).some((expanded) => new RegExp(`^(?:${referenceRegex(expanded)})$`).test(input));
}

// ---------- generated patterns ----------

const CHARS = ['a', 'b', '-', '.'];
const literal = fc.constantFrom(...CHARS);
const charClass = fc
  .tuple(fc.boolean(), fc.constantFrom('ab', 'a-b', '-a', '.b', 'b-b'))
  .map(([negated, body]) => `[${negated ? '!' : ''}${body}]`);
/** A path segment without braces. */
const plainSegment = fc
  .array(fc.oneof({ weight: 4, arbitrary: literal }, { weight: 2, arbitrary: fc.constant('*') }, { weight: 1, arbitrary: fc.constant('?') }, { weight: 1, arbitrary: charClass }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.join(''));
/** A segment that may hold one brace group of plain alternatives (no "/" and no "**" in them, which the syntax refuses next to braces). */
const segment = fc.oneof(
  { weight: 4, arbitrary: plainSegment },
  { weight: 1, arbitrary: fc.constant('**') },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', 'a', 'b*'),
        // An alternative that is only stars is left out: the syntax refuses `{**,a}`, and a lone `*` alternative may match nothing.
        fc.array(fc.oneof(plainSegment, fc.constant('')).filter((option) => !/^\*+$/.test(option)), { minLength: 2, maxLength: 3 }),
        fc.constantFrom('', 'a', '*'),
      )
      .map(([head, options, tail]) => `${head}{${options.join(',')}}${tail}`),
  },
);
/** Forms the syntax refuses (a leading "./", runs of three stars) are left out; every other generated pattern must parse. */
const acceptable = (glob: string) => !glob.startsWith('./') && !glob.includes('***');
const pattern = fc
  .array(segment, { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join('/'))
  .filter(acceptable);
const input = fc.array(fc.constantFrom(...CHARS, '/'), { maxLength: 8 }).map((chars) => chars.join(''));

describe('glob automaton', () => {
  it('agrees with the reference (braces expanded, backtracking regex) on generated patterns and inputs', () => {
    assertProperty(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 12 }), (glob, inputs) => {
        const matcher = automaton(glob);
        for (const text of inputs) expect([glob, text, matcher.matches(text)]).toEqual([glob, text, referenceMatch(glob, text)]);
      }),
      { numRuns: 600 },
    );
  });

  it('agrees with the reference on inputs built from the pattern itself, where matches are likely', () => {
    // Random inputs rarely match long patterns; an input made by filling the pattern's wildcards exercises the "yes" side.
    const fill = (glob: string, choice: number) =>
      glob
        .replace(/\{([^{}]*)\}/g, (_all, body: string) => body.split(',')[choice % body.split(',').length])
        .replace(/\[!?([^\]]*)\]/g, (_all, body: string) => body[0])
        .replace(/\*\*/g, choice % 2 === 0 ? 'a/b' : '')
        .replace(/\*/g, choice % 3 === 0 ? '' : 'ab')
        .replace(/\?/g, '-');
    assertProperty(
      fc.property(pattern, fc.nat(5), (glob, choice) => {
        const text = fill(glob, choice);
        expect([glob, text, automaton(glob).matches(text)]).toEqual([glob, text, referenceMatch(glob, text)]);
      }),
      { numRuns: 600 },
    );
  });

  it('agrees with the reference when letters are compared without case', () => {
    assertProperty(
      fc.property(pattern, input, fc.boolean(), (glob, text, upper) => {
        const shown = upper ? text.toUpperCase() : text;
        expect(automaton(glob.toUpperCase(), { nocase: true }).matches(shown)).toBe(referenceMatch(glob, text));
      }),
      { numRuns: 300 },
    );
  });

  /** The bound every match keeps: a fixed number of steps per automaton state and input character. */
  const STEPS_PER_STATE_AND_CHAR = 8;
  const withinBound = (glob: string, text: string) => {
    const matcher = automaton(glob);
    const meter: StepMeter = { steps: 0 };
    matcher.matches(text, meter);
    const length = Array.from(glob).length;
    expect(matcher.size).toBeLessThanOrEqual(2 * length + 1);
    expect(meter.steps).toBeLessThanOrEqual(STEPS_PER_STATE_AND_CHAR * matcher.size * (Array.from(text).length + 1));
    return meter.steps;
  };

  it('takes at most k × |pattern| × |input| steps on any generated pattern and input', () => {
    const longInput = fc.array(fc.constantFrom(...CHARS, '/'), { maxLength: 300 }).map((chars) => chars.join(''));
    const longPattern = fc
      .array(segment, { minLength: 1, maxLength: 12 })
      .map((segments) => segments.join('/'))
      .filter(acceptable);
    assertProperty(fc.property(longPattern, longInput, (glob, text) => void withinBound(glob, text)), { numRuns: 300 });
  });

  it('judges the patterns of issue 7 in bounded steps, growing linearly with the input', () => {
    const snapshot = '*-*-*-*-*-*-*-*-SNAPSHOT';
    // 127 characters took picomatch 36 s: every way of placing eight dashes was tried.
    const tag = '-'.repeat(127);
    expect(automaton(snapshot).matches(tag)).toBe(false);
    const short = withinBound(snapshot, tag);
    const long = withinBound(snapshot, '-'.repeat(1270));
    expect(long).toBeLessThanOrEqual(11 * short);
    expect(automaton(snapshot).matches('1-2-3-4-5-6-7-8-SNAPSHOT')).toBe(true);

    const nested = `${'{*,*a,a*}'.repeat(6)}b`;
    expect(automaton(nested).matches(`${'a'.repeat(30)}c`)).toBe(false);
    withinBound(nested, `${'a'.repeat(30)}c`);
    withinBound(`${'**/'.repeat(20)}x`, `${'a/'.repeat(200)}y`);
  });
});
