import { z } from 'zod';
import { describeIssues, formatPath } from '../../../functions/core/policy/issues';

// The wording itself is tested in test/core/validation/issues.test.ts; these cover the string-path form kept here.
describe('formatPath', () => {
  it('spells paths the way jq users write them, and names the document itself', () => {
    expect(formatPath(['rules', 'vulnerabilities', 'fixable', 'minSeverity'])).toBe('rules.vulnerabilities.fixable.minSeverity');
    expect(formatPath(['exceptions', 2, 'match', 'ids', 0])).toBe('exceptions[2].match.ids[0]');
    expect(formatPath(['$schema'])).toBe('$schema');
    expect(formatPath(['rules', 'odd key'])).toBe('rules["odd key"]');
    expect(formatPath([])).toBe('(document)');
  });
});

describe('describeIssues', () => {
  it('gives each problem with its path formatted, one line per unknown key', () => {
    const schema = z.strictObject({ name: z.string(), items: z.array(z.strictObject({ id: z.string() })) }).refine(() => false, { message: 'never valid' });
    const value = { name: 3, items: [{ id: 'a', idd: 'b' }], extra: true };
    expect(describeIssues(schema.safeParse(value).error!.issues, value, schema)).toEqual([
      { path: 'name', message: 'expected a string, got the number 3' },
      { path: 'items[0].idd', message: 'unknown key; expected one of id' },
      { path: 'extra', message: 'unknown key; expected one of name, items' },
    ]);
    const valid = { name: 'n', items: [] };
    expect(describeIssues(schema.safeParse(valid).error!.issues, valid, schema)).toEqual([{ path: '(document)', message: 'never valid' }]);
  });
});
