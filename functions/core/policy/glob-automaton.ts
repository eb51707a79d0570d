import type { CharTest, GlobNode } from './glob-syntax';

/*
 * Matches a parsed glob without backtracking: the pattern becomes a nondeterministic automaton (Thompson's
 * construction: at most two states per pattern piece) and the input is read once, keeping the set of states the
 * automaton can be in. Each input character touches each state and edge at most once, so a match costs
 * O(|pattern| × |input|) whatever the pattern: `*-*-*-*-*-*-*-*-SNAPSHOT` against a 127-character tag, which took
 * picomatch's regular expression 36 s, is a few thousand steps. https://swtch.com/~rsc/regexp/regexp1.html
 */

type Test = (char: string) => boolean;

interface State {
  /** Edges that read one character. */
  readonly reads: { test: Test; to: number }[];
  /** Edges that read nothing. */
  readonly jumps: number[];
}

/** Counts the automaton's work (edges tried and followed); tests assert it stays within a bound. */
export interface StepMeter {
  steps: number;
}

export interface GlobAutomaton {
  /** Number of states: at most 2 per pattern piece, plus 1. */
  readonly size: number;
  matches(input: string, meter?: StepMeter): boolean;
}

const SLASH = '/';

/** Builds the automaton of a parsed glob; `nocase` compares letters case-insensitively. */
export function buildAutomaton(nodes: readonly GlobNode[], options: { nocase?: boolean } = {}): GlobAutomaton {
  const states: State[] = [];
  const add = (): number => states.push({ reads: [], jumps: [] }) - 1;
  const nocase = options.nocase ?? false;
  const anything: Test = () => true;
  const notSlash: Test = (char) => char !== SLASH;
  const slash: Test = (char) => char === SLASH;

  /** The start state of `sequence` followed by the state `next`; built back to front. */
  const compile = (sequence: readonly GlobNode[], next: number): number => {
    let after = next;
    for (let i = sequence.length - 1; i >= 0; i--) after = compileNode(sequence[i], after);
    return after;
  };

  const compileNode = (node: GlobNode, next: number): number => {
    const state = add();
    switch (node.kind) {
      case 'char':
        states[state].reads.push({ test: charTest(node.test, nocase), to: next });
        return state;
      case 'star':
        states[state].reads.push({ test: notSlash, to: state });
        states[state].jumps.push(next);
        return state;
      case 'globstar':
        switch (node.form) {
          case 'all':
            states[state].reads.push({ test: anything, to: state });
            states[state].jumps.push(next);
            return state;
          case 'lead': {
            // (anything ending in "/")? : skip, or read anything and leave only on a "/".
            const segments = add();
            states[segments].reads.push({ test: anything, to: segments }, { test: slash, to: next });
            states[state].jumps.push(next, segments);
            return state;
          }
          case 'trail': {
            // ("/" then anything)? : skip, or read a "/" and then anything.
            const rest = add();
            states[rest].reads.push({ test: anything, to: rest });
            states[rest].jumps.push(next);
            states[state].reads.push({ test: slash, to: rest });
            states[state].jumps.push(next);
            return state;
          }
        }
        break;
      case 'alternatives':
        for (const option of node.options) states[state].jumps.push(compile(option, next));
        return state;
    }
    throw new Error(`unknown glob node ${JSON.stringify(node)}`);
  };

  const accept = add();
  const start = compile(nodes, accept);
  return { size: states.length, matches: (input, meter) => run(states, start, accept, input, meter) };
}

function run(states: readonly State[], start: number, accept: number, input: string, meter?: StepMeter): boolean {
  // seen[s] === generation: s is already in the set being built for this position.
  const seen = new Uint32Array(states.length);
  let generation = 1;
  let steps = 0;
  let current: number[] = [];
  const stack: number[] = [];

  const enter = (into: number[], state: number): void => {
    stack.push(state);
    while (stack.length > 0) {
      const s = stack.pop() as number;
      steps += 1;
      if (seen[s] === generation) continue;
      seen[s] = generation;
      into.push(s);
      for (const to of states[s].jumps) stack.push(to);
    }
  };

  enter(current, start);
  for (const char of input) {
    if (current.length === 0) break;
    generation += 1;
    const next: number[] = [];
    for (const s of current) {
      for (const edge of states[s].reads) {
        steps += 1;
        if (edge.test(char)) enter(next, edge.to);
      }
    }
    current = next;
  }
  if (meter) meter.steps += steps;
  return current.includes(accept);
}

function charTest(test: CharTest, nocase: boolean): Test {
  switch (test.kind) {
    case 'any-but-slash':
      return (char) => char !== SLASH;
    case 'literal': {
      const expected = test.char;
      if (!nocase) return (char) => char === expected;
      const folded = expected.toLowerCase();
      return (char) => char === expected || char.toLowerCase() === folded;
    }
    case 'class': {
      const { items, negated } = test;
      const inClass = (char: string): boolean => {
        const code = char.codePointAt(0) as number;
        return items.some((item) => code >= (item.from.codePointAt(0) as number) && code <= (item.to.codePointAt(0) as number));
      };
      const hit = nocase ? (char: string) => inClass(char) || inClass(char.toLowerCase()) || inClass(char.toUpperCase()) : inClass;
      // A negated class never matches "/", as `?` and `*` do not: `[!a]` stays inside one path segment.
      return negated ? (char) => char !== SLASH && !hit(char) : hit;
    }
  }
}
