import { describeValue, formatPath } from '../../../functions/core/policy/issues';

describe('formatPath', () => {
  it('spells paths the way jq users write them', () => {
    expect(formatPath(['rules', 'vulnerabilities', 'fixable', 'minSeverity'])).toBe('rules.vulnerabilities.fixable.minSeverity');
    expect(formatPath(['exceptions', 2, 'match', 'ids', 0])).toBe('exceptions[2].match.ids[0]');
    expect(formatPath(['$schema'])).toBe('$schema');
    expect(formatPath(['rules', 'odd key'])).toBe('rules["odd key"]');
    expect(formatPath([])).toBe('(document)');
  });
});

describe('describeValue', () => {
  it('describes without dumping the value', () => {
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue(3)).toBe('number 3');
    expect(describeValue(false)).toBe('boolean false');
    expect(describeValue('high')).toBe('the string "high"');
    expect(describeValue('x'.repeat(100))).toBe(`the string "${'x'.repeat(40)}…"`);
  });
});
