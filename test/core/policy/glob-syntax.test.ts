import { globProblem, MAX_GLOB_LENGTH, parseGlob } from '../../../functions/core/policy/glob-syntax';

describe('parseGlob', () => {
  it.each([
    ['@(*|**|*a)@(*|**|*a)b', /"\(" is not supported \(extglobs .*use \{a,b\} for alternatives/],
    ['+(a)', /"\(" is not supported/],
    ['!(a)', /a leading "!"/],
    ['(a|b)', /"\(" is not supported/],
    ['a|b', /"\|" is not supported/],
    ['!prod-*', /a leading "!" \(negating the pattern\) is not supported/],
    ['v{1..3}', /brace ranges such as \{1\.\.3\} are not supported: list the values/],
    ['{a}', /braces need at least two alternatives/],
    ['{a,b', /"\{" is never closed/],
    ['a}', /"\}" without a "\{"/],
    ['[a-z', /"\[" is never closed/],
    ['[[:alpha:]]', /POSIX classes/],
    ['[z-a]', /runs backwards; write a-z/],
    ['{**,a}/x', /"\*\*" may not touch a brace/],
    // `}` before `**` is a brace too: {a/,b}** expands to a/** (any number of segments) and b** (one segment).
    ['{a/,b}**', /"\*\*" may not touch a brace/],
    ['x/{a,b/}**', /"\*\*" may not touch a brace/],
    // An escaped backslash does not escape the brace after it.
    ['\\\\{**,a}', /"\*\*" may not touch a brace/],
    // An escaped comma does not end an alternative: the ** is inside one segment of one alternative.
    ['{a\\,**,b}', undefined],
    ['x/{a,b}/**', undefined],
    ['***', /"\*\*\*" is ambiguous/],
    ['./team/*', /may not start with "\.\/"/],
    ['a\\', /lone "\\"/],
  ])('%s: %s', (pattern, problem) => {
    const found = globProblem(pattern);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it('accepts what the policy documents: *, ?, **, classes, braces, escapes', () => {
    for (const pattern of ['prod-*', 'v?.*', 'team/**', '**/app', 'a/**/b', '[abc]', '[!a-z]', '[^0-9]', '[]a]', '{a,b,}', '{a,{b,c}}-*', '\\*', '\\{a,b\\}', 'pkg:npm/%40scope/*@1.*', '*-*-*-*-*-*-*-*-SNAPSHOT']) {
      expect([pattern, globProblem(pattern)]).toEqual([pattern, undefined]);
    }
  });

  it('suggests, for a ** touching a brace, only forms it accepts', () => {
    const problem = globProblem('{a/**,b/**}') as string;
    expect(problem).toMatch(/"\*\*" may not touch a brace/);
    const suggested = [...problem.matchAll(/e\.g\. (\S+),|"([^"]*\*\*[^"]*)"/g)].map((m) => m[1] ?? m[2]).filter((text) => text !== '**');
    expect(suggested).toEqual(['{a,b}/**', 'a/**', 'b/**']);
    for (const pattern of suggested) expect([pattern, globProblem(pattern)]).toEqual([pattern, undefined]);
  });

  it('says where the problem is and refuses patterns longer than the limit', () => {
    expect(globProblem('ab(c')).toMatch(/at character 3\)$/);
    expect(globProblem('a'.repeat(MAX_GLOB_LENGTH))).toBeUndefined();
    expect(globProblem('a'.repeat(MAX_GLOB_LENGTH + 1))).toMatch(`at most ${MAX_GLOB_LENGTH} characters`);
    expect(globProblem(`${'{a,'.repeat(9)}b${'}'.repeat(9)}`)).toMatch('nested at most 8 deep');
    expect(parseGlob('')).toEqual({ ok: false, problem: 'a glob pattern may not be empty' });
  });
});
