import { z } from 'zod';
import { InputError } from '../../../functions/core/errors';
import { describeJsonValue, formatJsonPath, issuesToInputError } from '../../../functions/core/taskdef/issues';

describe('formatJsonPath', () => {
  it.each([
    [[], ''],
    [['taskDefinition'], 'taskDefinition'],
    [['taskDefinition', 'containerDefinitions', 0, 'name'], 'taskDefinition.containerDefinitions[0].name'],
    [[0, 'a'], '[0].a'],
    [['a', 'odd key', 'b-c'], 'a["odd key"]["b-c"]'],
  ] as const)('%j -> %s', (path, expected) => {
    expect(formatJsonPath(path)).toBe(expected);
  });
});

describe('describeJsonValue', () => {
  it.each([
    [null, 'null'],
    [[], 'a list'],
    [{}, 'an object'],
    ['', 'an empty string'],
    ['abc', 'the string "abc"'],
    [3, 'the number 3'],
    [false, 'false'],
    [undefined, 'nothing'],
  ])('%j -> %s', (value, expected) => {
    expect(describeJsonValue(value)).toBe(expected);
  });

  it('shortens long strings so a message stays readable', () => {
    const text = describeJsonValue('x'.repeat(500));
    expect(text.length).toBeLessThan(80);
    expect(text).toContain('...');
  });
});

describe('issuesToInputError', () => {
  it('names source, full path and the actual value, and keeps the zod error as cause', () => {
    const schema = z.object({ items: z.array(z.object({ size: z.number() })) });
    const value = { items: [{ size: 1 }, { size: 'big' }] };
    const result = schema.safeParse(value);
    expect(result.success).toBe(false);
    const error = issuesToInputError(result.error!, value, 'input.json', ['outer']);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('input.json at outer.items[1].size: expected a number, got the string "big"');
    expect(error.path).toBe('outer.items[1].size');
    expect(error.cause).toBe(result.error);
  });

  it('leaves out the path when the root itself is wrong', () => {
    const result = z.object({}).safeParse(7);
    const error = issuesToInputError(result.error!, 7, 'input.json');
    expect(error.message).toBe('input.json: expected an object, got the number 7');
    expect(error.path).toBeUndefined();
  });
});
