import { z } from 'zod';
import { describeJsonValue, formatJsonPath, parseWithSchema } from '../../../functions/core/findings/schema-errors';
import { inputErrorOf } from './support';

describe('formatJsonPath', () => {
  it.each([
    [[], ''],
    [['Results', 2, 'Vulnerabilities', 0, 'VulnerabilityID'], 'Results[2].Vulnerabilities[0].VulnerabilityID'],
    [[0, 'a'], '[0].a'],
    [['Labels', 'org.opencontainers.image.version'], 'Labels["org.opencontainers.image.version"]'],
    [['a b', 'c'], '["a b"].c'],
  ])('%p → %p', (path, text) => {
    expect(formatJsonPath(path)).toBe(text);
  });
});

describe('describeJsonValue', () => {
  it.each([
    [undefined, 'nothing (the field is missing)'],
    [null, 'null'],
    [[1, 2], 'an array of 2'],
    [{}, 'an object'],
    [3.5, 'number 3.5'],
    [false, 'boolean false'],
    ['x', 'the string "x"'],
    ['y'.repeat(100), `a string "${'y'.repeat(40)}…"`],
  ])('%p → %p', (value, text) => {
    expect(describeJsonValue(value)).toBe(text);
  });
});

describe('parseWithSchema', () => {
  const schema = z.object({ items: z.array(z.object({ id: z.string().min(1), kind: z.enum(['a', 'b']) })) });

  it('returns the parsed value', () => {
    expect(parseWithSchema(schema, { items: [{ id: 'x', kind: 'a', extra: 1 }] }, { source: 's', what: 'Thing' })).toEqual({
      items: [{ id: 'x', kind: 'a' }],
    });
  });

  it('prefixes the base path of a part validated on its own', () => {
    const error = inputErrorOf(() => parseWithSchema(schema, { items: [{ id: '', kind: 'a' }] }, { source: 's', what: 'Thing', basePath: ['outer', 1] }));
    expect(error.path).toBe('outer[1].items[0].id');
    expect(error.message).toBe('s at outer[1].items[0].id: Thing: expected a non-empty string, got the string ""');
  });

  it('names an enum problem with the allowed values', () => {
    const error = inputErrorOf(() => parseWithSchema(schema, { items: [{ id: 'x', kind: 'c' }] }, { source: 's', what: 'Thing' }));
    expect(error.message).toBe('s at items[0].kind: Thing: expected one of "a", "b", got the string "c"');
  });

  it('has no path for a problem with the whole document', () => {
    const error = inputErrorOf(() => parseWithSchema(schema, 'nope', { source: 's', what: 'Thing' }));
    expect(error.path).toBeUndefined();
    expect(error.message).toBe('s: Thing: expected an object, got the string "nope"');
  });
});
