/*
 * The glob language of policy patterns, parsed into a small tree. Only what can be matched in time linear in the
 * input is accepted (see glob-automaton.ts): `*`, `?`, `**`, `[...]` classes, `{a,b}` alternatives and `\` escapes.
 * Everything else that picomatch (the matcher before this one) gave a meaning to is refused with a message, never
 * matched literally, so no pattern quietly changes what it matches:
 *   - extglobs `@(a|b)`, `!(a)`, `+(a)`, `*(a)`, `?(a)` and regex groups `(a|b)`: `(`, `)` and `|` are refused;
 *   - a leading `!` (picomatch negated the whole pattern);
 *   - brace ranges `{1..3}`, braces without a comma `{a}`, unbalanced braces and an unclosed `[`;
 *   - POSIX classes `[[:alpha:]]` and reversed ranges `[z-a]`;
 *   - `**` touching a brace (`{**,a}`, `{a/**,b}`, `{a,b/}**`), whose meaning depended on how braces expand, runs of three or more `*`,
 *     and a leading `./` (picomatch dropped it, as from a file path).
 */

/** One character test: a literal, `?`, or a `[...]` class. */
export type CharTest =
  | { kind: 'literal'; char: string }
  | { kind: 'any-but-slash' }
  | { kind: 'class'; negated: boolean; items: readonly ClassItem[] };

export type ClassItem = { from: string; to: string };

/**
 * A pattern piece. `star`: any run of characters but `/`, including none. `globstar` (`**` as a whole path segment): `lead` is
 * `**​/` (nothing, or whole segments ending in `/`), `trail` is `/**` at the end (nothing, or `/` and anything),
 * `all` is a pattern that is only `**` (anything).
 */
export type GlobNode =
  | { kind: 'char'; test: CharTest }
  | { kind: 'star' }
  | { kind: 'globstar'; form: 'lead' | 'trail' | 'all' }
  | { kind: 'alternatives'; options: readonly GlobNode[][] };

/** Longest pattern accepted, in characters: far above any real tag, name or purl, and it keeps matching cheap. */
export const MAX_GLOB_LENGTH = 1024;
/** Deepest nesting of `{...}` accepted: the compiler recurses once per level. */
export const MAX_BRACE_DEPTH = 8;

export type ParsedGlob = { ok: true; nodes: GlobNode[] } | { ok: false; problem: string };

class GlobSyntaxError extends Error {}

/** Parses a policy glob; `problem` says what is wrong and how to write it instead. */
export function parseGlob(pattern: string): ParsedGlob {
  const chars = Array.from(pattern);
  if (chars.length === 0) return { ok: false, problem: 'a glob pattern may not be empty' };
  if (chars.length > MAX_GLOB_LENGTH) return { ok: false, problem: `a glob pattern may have at most ${MAX_GLOB_LENGTH} characters, this one has ${chars.length}` };
  if (chars[0] === '!') {
    return { ok: false, problem: 'a leading "!" (negating the pattern) is not supported: list what matches instead, or write "\\!" for a literal "!"' };
  }
  if (chars[0] === '.' && chars[1] === '/') {
    return { ok: false, problem: 'a pattern may not start with "./" (picomatch dropped it, as for a file path): leave it out' };
  }
  try {
    const parser = new Parser(chars);
    const nodes = parser.sequence(0);
    return { ok: true, nodes };
  } catch (error) {
    if (error instanceof GlobSyntaxError) return { ok: false, problem: error.message };
    throw error;
  }
}

/** What is wrong with a glob pattern, or undefined when it is valid. For policy validation. */
export function globProblem(pattern: string): string | undefined {
  const parsed = parseGlob(pattern);
  return parsed.ok ? undefined : parsed.problem;
}

class Parser {
  private index = 0;

  constructor(private readonly chars: readonly string[]) {}

  private fail(message: string): never {
    throw new GlobSyntaxError(`${message} (at character ${this.index + 1})`);
  }

  /** A sequence up to the end, or (inside braces, depth > 0) up to the `,` or `}` that ends the alternative. */
  sequence(depth: number): GlobNode[] {
    const nodes: GlobNode[] = [];
    const { chars } = this;
    while (this.index < chars.length) {
      const char = chars[this.index];
      if (depth > 0 && (char === ',' || char === '}')) return nodes;
      switch (char) {
        case '\\': {
          const next = chars[this.index + 1];
          if (next === undefined) this.fail('a pattern may not end with a lone "\\"; write "\\\\" for a literal backslash');
          nodes.push(literal(next));
          this.index += 2;
          break;
        }
        case '*':
          this.star(nodes, depth);
          break;
        case '?':
          nodes.push({ kind: 'char', test: { kind: 'any-but-slash' } });
          this.index += 1;
          break;
        case '[':
          nodes.push({ kind: 'char', test: this.charClass() });
          break;
        case '{':
          nodes.push(this.braces(depth + 1));
          break;
        case '}':
          this.fail('"}" without a "{" before it; write "\\}" for a literal "}"');
          break;
        case '(':
        case ')':
        case '|':
          this.fail(`"${char}" is not supported (extglobs such as @(a|b) and groups are refused because they cannot be matched in bounded time); use {a,b} for alternatives, or write "\\${char}" for a literal "${char}"`);
          break;
        default:
          nodes.push(literal(char));
          this.index += 1;
      }
    }
    if (depth > 0) this.fail('"{" is never closed by a "}"; write "\\{" for a literal "{"');
    return nodes;
  }

  /** A run of `*`: a globstar when it is exactly `**` and a whole path segment, else one `*`. */
  private star(nodes: GlobNode[], depth: number): void {
    const { chars } = this;
    const start = this.index;
    while (chars[this.index] === '*') this.index += 1;
    const run = this.index - start;
    if (run > 2) {
      this.index = start;
      this.fail(`"${'*'.repeat(run)}" is ambiguous: write "*" (within a path segment) or "**" (any number of segments)`);
    }
    const before = chars[start - 1];
    const after = chars[this.index];
    // Told by what was parsed, not by the character before: `\\{**,a}` opens a brace (the backslash is escaped), `{a\,**}`
    // does not start an alternative, and `{a/,b}**` ends one (in its expansion `a/**` spans segments, `b**` does not).
    const braceBefore = (depth > 0 && nodes.length === 0) || nodes[nodes.length - 1]?.kind === 'alternatives';
    const braceAfter = after === '{' || (depth > 0 && (after === ',' || after === '}'));
    const segmentStart = start === 0 || before === '/';
    const segmentEnd = after === undefined || after === '/';
    // `{**,a}`, `{a/**,b}` or `x/{a,b/}**`: whether that `**` spans segments depended on how braces expand; say so instead of guessing.
    if (run === 2 && ((braceBefore && (segmentEnd || braceAfter)) || (braceAfter && segmentStart))) {
      this.index = start;
      this.fail('"**" may not touch a brace ({**,a}, {a/**,b} or {a,b/}**): keep it outside the braces, e.g. {a,b}/**, or list separate patterns such as "a/**" and "b/**"');
    }
    if (run !== 2 || !segmentStart || !segmentEnd) {
      // `a**b` matches like `a*b`, as it did under picomatch. Unlike picomatch, a `*` that is a whole segment
      // may match nothing (`team/*` matches `team/`): no name the policy judges has an empty segment, and the rule
      // stays the same inside braces, where picomatch's depended on how they expand.
      nodes.push({ kind: 'star' });
      return;
    }
    if (after === '/') {
      this.index += 1; // `**/` takes its slash: it also matches nothing at all.
      nodes.push({ kind: 'globstar', form: 'lead' });
      return;
    }
    // `a/**/**` is `a/**`: a trailing `**` after `**/` takes the place of both.
    while (isGlobstar(nodes[nodes.length - 1], 'lead')) nodes.pop();
    const previous = nodes[nodes.length - 1];
    if (nodes.length === 0) {
      nodes.push({ kind: 'globstar', form: 'all' });
    } else if (previous?.kind === 'char' && previous.test.kind === 'literal' && previous.test.char === '/') {
      nodes.pop(); // `/**` at the end takes its slash: `team/**` matches `team` too.
      nodes.push({ kind: 'globstar', form: 'trail' });
    } else {
      nodes.push({ kind: 'globstar', form: 'all' });
    }
  }

  private braces(depth: number): GlobNode {
    if (depth > MAX_BRACE_DEPTH) this.fail(`braces may be nested at most ${MAX_BRACE_DEPTH} deep`);
    const open = this.index;
    this.index += 1;
    const options: GlobNode[][] = [this.sequence(depth)];
    while (this.chars[this.index] === ',') {
      this.index += 1;
      options.push(this.sequence(depth));
    }
    // sequence() stops only at `,`, `}` or the end, and fails at the end: here is the `}`.
    const text = this.chars.slice(open, this.index + 1).join('');
    if (options.length === 1) {
      this.index = open;
      if (/^\{[^{}]*\.\.[^{}]*\}$/.test(text)) this.fail(`brace ranges such as ${text} are not supported: list the values, e.g. {1,2,3}`);
      this.fail(`braces need at least two alternatives separated by ",", got ${text}; write "\\{" for a literal "{"`);
    }
    this.index += 1;
    return { kind: 'alternatives', options };
  }

  private charClass(): CharTest {
    const { chars } = this;
    const open = this.index;
    let at = open + 1;
    const negated = chars[at] === '!' || chars[at] === '^';
    if (negated) at += 1;
    const items: ClassItem[] = [];
    let first = true;
    for (;;) {
      const char = chars[at];
      if (char === undefined) {
        this.index = open;
        this.fail('"[" is never closed by a "]"; write "\\[" for a literal "["');
      }
      if (char === ']' && !first) break;
      if (char === '[' && chars[at + 1] === ':') {
        this.index = at;
        this.fail('POSIX classes such as [[:alpha:]] are not supported: write the range, e.g. [a-zA-Z]');
      }
      let from = char;
      if (char === '\\') {
        at += 1;
        from = chars[at];
        if (from === undefined) continue; // reported as unclosed above
      }
      at += 1;
      let to = from;
      if (chars[at] === '-' && chars[at + 1] !== undefined && chars[at + 1] !== ']') {
        to = chars[at + 1];
        if (to === '\\') {
          to = chars[at + 2];
          at += 1;
          if (to === undefined) continue;
        }
        at += 2;
        if ((to.codePointAt(0) as number) < (from.codePointAt(0) as number)) {
          this.index = open;
          this.fail(`the range ${from}-${to} in a [...] class runs backwards; write ${to}-${from}`);
        }
      }
      items.push({ from, to });
      first = false;
    }
    this.index = at + 1;
    return { kind: 'class', negated, items };
  }
}

function literal(char: string): GlobNode {
  return { kind: 'char', test: { kind: 'literal', char } };
}

function isGlobstar(node: GlobNode | undefined, form: 'lead' | 'trail' | 'all'): boolean {
  return node?.kind === 'globstar' && node.form === form;
}
