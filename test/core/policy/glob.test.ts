import { MAX_GLOB_CANDIDATE_LENGTH, clusterNames, compileGlobs, serviceNames } from '../../../functions/core/policy/glob';
import { inputErrorOf } from '../../support/input-error';

describe('compileGlobs', () => {
  it('is undefined for no patterns, so "not given" is not "matches nothing"', () => {
    expect(compileGlobs(undefined)).toBeUndefined();
    expect(compileGlobs([])).toBeUndefined();
  });

  it('matches when any pattern matches any candidate, ignoring missing and empty candidates', () => {
    const match = compileGlobs(['prod-*', 'payments'])!;
    expect(match(['prod-eu'])).toBe(true);
    expect(match([undefined, 'payments'])).toBe(true);
    expect(match(['staging', undefined, ''])).toBe(false);
    expect(match([])).toBe(false);
  });

  it('keeps / as a separator (** crosses it) and matches leading dots', () => {
    const match = compileGlobs(['team/*'])!;
    expect(match(['team/app'])).toBe(true);
    expect(match(['team/app/sub'])).toBe(false);
    expect(compileGlobs(['team/**'])!(['team/app/sub'])).toBe(true);
    expect(compileGlobs(['*'])!(['.hidden'])).toBe(true);
  });

  it('is case-sensitive unless asked', () => {
    expect(compileGlobs(['*.AMAZONAWS.COM'])!(['x.amazonaws.com'])).toBe(false);
    expect(compileGlobs(['*.AMAZONAWS.COM'], { nocase: true })!(['x.amazonaws.com'])).toBe(true);
  });
});

describe('compileGlobs keeps the meaning patterns had under picomatch 4.0.7 (dot: true)', () => {
  // Expected values are what picomatch 4.0.7 answered for each pair, recorded before the matcher was replaced.
  it.each([
    ['team/*', 'team/a', true],
    ['*', 'a/b', false],
    ['a*', 'a', true],
    ['team/**', 'team', true],
    ['team/**', 'team/a/b', true],
    ['**/x', 'x', true],
    ['**/x', 'a/x', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a**b', 'a/b', false],
    ['a**b', 'axb', true],
    ['**', 'a/b', true],
    ['x**', 'x/y', false],
    ['a?b', 'a/b', false],
    ['[a-c]', 'b', true],
    ['[^a]', 'b', true],
    ['[]a]', ']', true],
    ['[a-]', '-', true],
    ['[/]', '/', true],
    ['{a,b}', 'a', true],
    ['x{a,}', 'x', true],
    ['{a,{b,c}}', 'c', true],
    ['{a,b}{c,d}', 'bd', true],
    ['{a/**/b,c}', 'a/b', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['a.b', 'axb', false],
    ['a+', 'aa', false],
    ['a+', 'a+', true],
    ['*', '.hidden', true],
    ['a/**', 'a/.b/c', true],
    ['*-*-SNAPSHOT', '1-2-SNAPSHOT', true],
    ['x/**/y/**/z', 'x/y/z', true],
    ['**/**', 'a/b', true],
    ['arn:aws:ecs:*:*:cluster/prod-*', 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod-eu', true],
  ])('%s against %s: %s', (pattern, candidate, expected) => {
    expect(compileGlobs([pattern])!([candidate])).toBe(expected);
  });

  it('differs from picomatch where picomatch contradicted its own syntax: [!a] is "not a" (picomatch: "! or a")', () => {
    expect(compileGlobs(['x[!a]'])!(['xb'])).toBe(true);
    expect(compileGlobs(['x[!a]'])!(['xa'])).toBe(false);
    expect(compileGlobs(['x[!a]'])!(['x/'])).toBe(false);
  });

  it('is an InputError, naming the pattern, for a pattern that loadPolicy would have refused', () => {
    expect(inputErrorOf(() => compileGlobs(['@(a|b)'])).message).toMatch(/invalid glob pattern "@\(a\|b\)": "\(" is not supported/);
  });

  it('judges the hostile tags of issue 7 without backtracking', () => {
    // Under picomatch this call took 36 s; the step bound is proven in glob-automaton.test.ts, here only the answer.
    const denyTags = compileGlobs(['*-*-*-*-*-*-*-*-SNAPSHOT'])!;
    expect(denyTags(['-'.repeat(127)])).toBe(false);
    expect(denyTags(['1-2-3-4-5-6-7-8-SNAPSHOT'])).toBe(true);
  });
});

describe('compileGlobs bounds what it matches', () => {
  const longest = 'a'.repeat(MAX_GLOB_CANDIDATE_LENGTH);
  const overlong = `${longest}a`;

  it('matches a candidate up to the bound as any other', () => {
    expect(compileGlobs(['a*'])?.([longest])).toBe(true);
    expect(compileGlobs(['a*'], { overlong: 'matches' })?.([longest])).toBe(true);
    expect(compileGlobs(['b*'], { overlong: 'matches' })?.([longest])).toBe(false);
  });

  it('never lets a longer candidate through: no match for allow lists and exceptions, a match for deny lists', () => {
    // A report can carry a package name of megabytes; matching it against a long pattern would take minutes.
    expect(compileGlobs(['a*'])?.([overlong])).toBe(false);
    expect(compileGlobs(['b*'], { overlong: 'matches' })?.([overlong])).toBe(true);
  });

  it('answers for a megabyte candidate without reading it', () => {
    const huge = '*-'.repeat(512 * 1024);
    expect(compileGlobs(['*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-SNAPSHOT'])?.([huge])).toBe(false);
  });
});

describe('clusterNames / serviceNames', () => {
  it('gives the short name and the ARN of a cluster', () => {
    expect(clusterNames('arn:aws:ecs:eu-west-1:123456789012:cluster/prod')).toEqual(['prod', 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod']);
    expect(clusterNames('arn:aws-cn:ecs:cn-north-1:123456789012:cluster/prod')).toEqual(['prod', 'arn:aws-cn:ecs:cn-north-1:123456789012:cluster/prod']);
    expect(clusterNames('prod')).toEqual(['prod']);
    expect(clusterNames(undefined)).toEqual([]);
  });

  it('gives the service name from a name, a task group, and both ARN formats', () => {
    expect(serviceNames('web')).toEqual(['web']);
    expect(serviceNames('service:web')).toEqual(['web', 'service:web']);
    expect(serviceNames('arn:aws:ecs:eu-west-1:123456789012:service/prod/web')[0]).toBe('web');
    expect(serviceNames('arn:aws:ecs:eu-west-1:123456789012:service/web')[0]).toBe('web');
    expect(serviceNames(undefined)).toEqual([]);
  });
});
