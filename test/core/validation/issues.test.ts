import fc from 'fast-check';
import { z } from 'zod';
import { InputError } from '../../../functions/core/errors';
import {
  MAX_LISTED_PROBLEMS,
  describeIssues,
  describeJsonKind,
  describeJsonValue,
  formatJsonPath,
  issuesToInputError,
  parseWithSchema,
  type IssueContext,
  type JsonPath,
} from '../../../functions/core/validation/issues';
import { inputErrorOf } from '../../support/input-error';
import { assertProperty } from '../../support/property';

/** The single message describeIssues gives for `value` against `schema`. */
function messageFor(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  const problems = describeIssues(result.error.issues, value, schema);
  expect(problems).toHaveLength(1);
  return problems[0].message;
}

/** Reads a formatted path back into keys: the test's own reader, to show the spelling is unambiguous. */
function readJsonPath(text: string): PropertyKey[] {
  const keys: PropertyKey[] = [];
  const pattern = /(?:^|\.)([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/gy;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    consumed += match[0].length;
    if (match[1] !== undefined) keys.push(match[1]);
    else if (match[2] !== undefined) keys.push(Number(match[2]));
    else keys.push(JSON.parse(match[3]) as string);
  }
  if (consumed !== text.length) throw new Error(`unread text in ${JSON.stringify(text)}`);
  return keys;
}

describe('formatJsonPath', () => {
  it.each([
    [[], ''],
    [['taskDefinition'], 'taskDefinition'],
    [['Results', 2, 'Vulnerabilities', 0, 'VulnerabilityID'], 'Results[2].Vulnerabilities[0].VulnerabilityID'],
    [['taskDefinition', 'containerDefinitions', 0, 'name'], 'taskDefinition.containerDefinitions[0].name'],
    [['exceptions', 2, 'match', 'ids', 0], 'exceptions[2].match.ids[0]'],
    [['$schema'], '$schema'],
    [[0, 'a'], '[0].a'],
    [['Labels', 'org.opencontainers.image.version'], 'Labels["org.opencontainers.image.version"]'],
    [['a b', 'c'], '["a b"].c'],
    [['a', 'odd key', 'b-c'], 'a["odd key"]["b-c"]'],
    [['items', '0'], 'items["0"]'],
  ] as const)('%j -> %s', (path, expected) => {
    expect(formatJsonPath(path)).toBe(expected);
  });

  it('spells every path so that it reads back as the same keys', () => {
    const key = fc.oneof(fc.nat({ max: 1000 }), fc.string(), fc.constantFrom('a', 'Results', '$schema', '_x1', 'a.b', 'a"b', '0'));
    assertProperty(
      fc.property(fc.array(key, { maxLength: 6 }), (path) => {
        expect(readJsonPath(formatJsonPath(path))).toEqual(path);
      }),
    );
  });
});

describe('describeJsonValue', () => {
  it.each([
    [undefined, 'nothing'],
    [null, 'null'],
    [[], 'an empty array'],
    [[1, 2], 'an array of 2'],
    [{}, 'an object'],
    [{ a: 1 }, 'an object'],
    ['', 'an empty string'],
    ['x', 'the string "x"'],
    ['high', 'the string "high"'],
    ['say "hi"\n', 'the string "say \\"hi\\"\\n"'],
    [3, 'the number 3'],
    [3.5, 'the number 3.5'],
    [false, 'false'],
    [true, 'true'],
  ])('%j -> %s', (value, expected) => {
    expect(describeJsonValue(value)).toBe(expected);
  });

  it('shows only the first 40 characters of a long string, quoted as JSON', () => {
    expect(describeJsonValue('y'.repeat(100))).toBe(`the string "${'y'.repeat(40)}…"`);
    expect(describeJsonValue('"'.repeat(100))).toBe(`the string "${'\\"'.repeat(40)}…"`);
    const text = describeJsonValue('x'.repeat(500));
    expect(text.length).toBeLessThan(80);
  });

  it('never cuts a character made of two UTF-16 units in half', () => {
    const text = describeJsonValue(`${'a'.repeat(39)}😀${'b'.repeat(20)}`);
    expect(text).toBe(`the string "${'a'.repeat(39)}…"`);
    expect(describeJsonValue(`${'a'.repeat(38)}😀${'b'.repeat(20)}`)).toBe(`the string "${'a'.repeat(38)}😀…"`);
  });

  it('shows at most the first 40 characters of any string, and describes anything else in a few words', () => {
    assertProperty(
      fc.property(fc.jsonValue(), (value) => {
        const text = describeJsonValue(value);
        if (typeof value !== 'string' || value === '') {
          expect(text.length).toBeLessThanOrEqual(40);
          return;
        }
        expect(text.startsWith('the string "')).toBe(true);
        const shown = JSON.parse(text.slice('the string '.length)) as string;
        const body = shown.endsWith('…') && value.length > 40 ? shown.slice(0, -1) : shown;
        expect(body.length).toBeLessThanOrEqual(40);
        expect(value.startsWith(body)).toBe(true);
        if (value.length <= 40) expect(body).toBe(value);
      }),
    );
  });
});

describe('describeJsonKind', () => {
  it.each([
    ['', 'an empty string'],
    ['hunter2', 'a string'],
    [0, 'a number'],
    [false, 'a boolean'],
    [null, 'null'],
    [[1, 2], 'an array of 2'],
    [{ a: 'secret' }, 'an object'],
    [undefined, 'nothing'],
  ])('%j -> %s', (value, expected) => {
    expect(describeJsonKind(value)).toBe(expected);
  });
});

describe('describeIssues with hideValues', () => {
  const config = z.object({ User: z.string().optional(), Env: z.array(z.string()).optional(), mode: z.enum(['a', 'b']).optional(), tag: z.string().max(3).optional() });
  const hidden = (value: Record<string, unknown>) => describeIssues(config.safeParse(value).error!.issues, value, config, { hideValues: true });

  it('names the kind of each value found and never its content', () => {
    expect(hidden({ Env: 'DB_PASSWORD=hunter2', User: 0, mode: 'hunter2', tag: 'hunter2' })).toEqual([
      { path: ['User'], message: 'expected a string, got a number' },
      { path: ['Env'], message: 'expected an array, got a string' },
      { path: ['mode'], message: 'expected one of "a", "b", got a string' },
      { path: ['tag'], message: 'expected at most 3 characters, got 7' },
    ]);
  });

  it('keeps every message free of any string found in the input', () => {
    let checked = 0;
    assertProperty(
      fc.property(fc.dictionary(fc.constantFrom('User', 'Env', 'mode', 'tag'), fc.oneof(fc.string({ minLength: 4, maxLength: 30 }), fc.array(fc.oneof(fc.string({ minLength: 4, maxLength: 30 }), fc.integer())))), (value) => {
        const result = config.safeParse(value);
        if (result.success) return;
        const strings = JSON.stringify(value).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
        for (const problem of describeIssues(result.error.issues, value, config, { hideValues: true })) {
          checked++;
          for (const quoted of strings) if (!['"User"', '"Env"', '"mode"', '"tag"', '"a"', '"b"'].includes(quoted)) expect(problem.message).not.toContain(quoted);
        }
      }),
    );
    // Some inputs were refused, so some messages were checked.
    expect(checked).toBeGreaterThan(0);
  });
});

describe('describeIssues: what was expected and what was found', () => {
  const required = z.object({ name: z.string(), rules: z.object({}), size: z.int(), on: z.boolean(), list: z.array(z.string()) });

  it.each([
    [{ name: 1 }, 'name', 'expected a string, got the number 1'],
    [{ rules: [] }, 'rules', 'expected an object, got an empty array'],
    [{ size: 1.5 }, 'size', 'expected an integer, got the number 1.5'],
    [{ on: 'yes' }, 'on', 'expected true or false, got the string "yes"'],
    [{ list: 'a,b' }, 'list', 'expected an array, got the string "a,b"'],
    [{ list: null }, 'list', 'expected an array, got null'],
  ])('%j: a wrong type at %s', (change, path, message) => {
    const value = { name: 'n', rules: {}, size: 1, on: true, list: [], ...change };
    const result = required.safeParse(value);
    expect(describeIssues(result.error!.issues, value)).toEqual([{ path: [path], message }]);
  });

  it('says a missing member is required, and what it should be', () => {
    expect(messageFor(z.object({ owner: z.string() }), {})).toBe('is required: expected a string');
    expect(messageFor(z.object({ rules: z.object({}) }), {})).toBe('is required: expected an object');
    expect(messageFor(z.object({ mode: z.enum(['deny', 'allow']) }), {})).toBe('is required: expected one of "deny", "allow"');
  });

  it('says "got nothing" for a missing document rather than calling it required', () => {
    expect(messageFor(z.object({}), undefined)).toBe('expected an object, got nothing');
  });

  it('lists the allowed values, and the single one on its own', () => {
    expect(messageFor(z.enum(['enforce', 'audit']), 'block')).toBe('expected one of "enforce", "audit", got the string "block"');
    expect(messageFor(z.literal('1'), 1)).toBe('expected "1", got the number 1');
    expect(messageFor(z.literal(7n), 8)).toBe('expected 7, got the number 8');
  });

  it('points out a value that is right but for its case', () => {
    expect(messageFor(z.enum(['low', 'high']), 'HIGH')).toBe('expected one of "low", "high", got the string "HIGH" (values are lowercase: "high")');
    expect(messageFor(z.enum(['FAIL', 'PASS']), 'fail')).toBe('expected one of "FAIL", "PASS", got the string "fail" (values are uppercase: "FAIL")');
    expect(messageFor(z.enum(['rootUser', 'secrets']), 'rootuser')).toBe(
      'expected one of "rootUser", "secrets", got the string "rootuser" (values are case-sensitive: "rootUser")',
    );
    expect(messageFor(z.enum(['low', 'high']), 'severe')).not.toContain('values are');
  });

  it.each([
    ['', 'expected a non-empty string, got an empty string', z.string().min(1)],
    ['   ', 'expected a non-empty string, got the string "   "', z.string().trim().min(1)],
    ['ab', 'expected at least 3 characters, got 2', z.string().min(3)],
    ['abcd', 'expected exactly 3 characters, got 4', z.string().length(3)],
    ['abcdefgh', 'expected at most 5 characters, got 8', z.string().max(5)],
    [[], 'expected at least 1 item, got an empty array', z.array(z.string()).min(1)],
    [['a'], 'expected at least 2 items, got an array of 1', z.array(z.string()).min(2)],
    [[1, 2, 3], 'expected at most 2 items, got an array of 3', z.array(z.number()).max(2)],
    [[1, 2], 'expected exactly 1 item, got an array of 2', z.array(z.number()).length(1)],
    [-1, 'expected at least 0, got the number -1', z.int().min(0)],
    [0, 'expected at least 1, got the number 0', z.number().int().min(1)],
    [0, 'expected more than 0, got the number 0', z.number().positive()],
    [11, 'expected at most 10, got the number 11', z.number().max(10)],
    [10, 'expected less than 10, got the number 10', z.number().lt(10)],
    [7, 'expected a multiple of 5, got the number 7', z.number().multipleOf(5)],
  ])('sizes and bounds: %j -> %s', (value, message, schema: z.ZodType) => {
    expect(messageFor(schema, value)).toBe(message);
  });

  it('rewords zod’s own format messages and keeps a schema’s own', () => {
    expect(messageFor(z.string().regex(/^a/), 'b')).toBe('expected a string matching /^a/, got the string "b"');
    expect(messageFor(z.email(), 'x')).toBe('expected a valid email, got the string "x"');
    expect(messageFor(z.string().regex(/^sha256:/, { message: 'expected a sha256 digest' }), 'md5:x')).toBe('expected a sha256 digest, got the string "md5:x"');
    expect(messageFor(z.string().regex(/^x/, { message: 'must start with x' }), 'y')).toBe('must start with x');
  });

  it('adds the value found to a custom message phrased as an expectation, and keeps any other as written', () => {
    const expectation = z.string().refine((s) => s.endsWith('d'), { message: 'expected a duration such as "7d"' });
    expect(messageFor(expectation, '7 days')).toBe('expected a duration such as "7d", got the string "7 days"');
    const statement = z.object({ a: z.number().optional() }).refine((o) => o.a !== undefined, { message: 'needs at least one limit' });
    expect(messageFor(statement, {})).toBe('needs at least one limit');
  });

  it('names every type a union accepts when the value fits none', () => {
    const schema = z.object({ target: z.union([z.string(), z.object({ image: z.string() })]) });
    expect(messageFor(schema, { target: 7 })).toBe('expected a string or an object, got the number 7');
    expect(messageFor(schema, {})).toBe('is required: expected a string or an object');
    expect(messageFor(z.union([z.string(), z.number(), z.boolean()]), null)).toBe('expected a string, a number or true or false, got null');
  });

  it('lists the discriminator values of a discriminated union', () => {
    const schema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('a') }), z.object({ kind: z.literal('b') })]);
    const result = schema.safeParse({ kind: 'c' });
    expect(describeIssues(result.error!.issues, { kind: 'c' })).toEqual([{ path: ['kind'], message: 'expected one of "a", "b", got the string "c"' }]);
  });

  describe('unknown keys', () => {
    const schema = z.strictObject({
      name: z.string(),
      rules: z
        .strictObject({ rootUser: z.strictObject({ enabled: z.boolean().default(true), action: z.enum(['deny', 'warn']) }).optional() })
        .nullable()
        .default({}),
      exceptions: z.array(z.strictObject({ id: z.string(), reason: z.string() }).readonly()).optional(),
    });
    const problemsOf = (value: unknown, withSchema = true) => describeIssues(schema.safeParse(value).error!.issues, value, withSchema ? schema : undefined);

    it('gives one problem per key, listing the keys the object allows', () => {
      expect(problemsOf({ name: 'n', modes: [], extra: 1 })).toEqual([
        { path: ['modes'], message: 'unknown key; expected one of name, rules, exceptions' },
        { path: ['extra'], message: 'unknown key; expected one of name, rules, exceptions' },
      ]);
    });

    it('follows the path through optional, nullable, default, readonly and array schemas', () => {
      expect(problemsOf({ name: 'n', rules: { rootUser: { action: 'deny', actions: 'deny' } } })).toEqual([
        { path: ['rules', 'rootUser', 'actions'], message: 'unknown key; expected one of enabled, action' },
      ]);
      expect(problemsOf({ name: 'n', exceptions: [{ id: 'a', reason: 'r' }, { id: 'b', reason: 'r', owner: 'o' }] })).toEqual([
        { path: ['exceptions', 1, 'owner'], message: 'unknown key; expected one of id, reason' },
      ]);
    });

    it('says only "unknown key" when it has no schema to ask, or the path leads through a record', () => {
      expect(problemsOf({ name: 'n', extra: 1 }, false)).toEqual([{ path: ['extra'], message: 'unknown key' }]);
      const records = z.record(z.string(), z.strictObject({ a: z.string() }));
      expect(describeIssues(records.safeParse({ k: { a: 'x', b: 1 } }).error!.issues, { k: { a: 'x', b: 1 } }, records)).toEqual([
        { path: ['k', 'b'], message: 'unknown key' },
      ]);
    });
  });
});

describe('issuesToInputError', () => {
  const schema = z.object({ items: z.array(z.object({ size: z.number() })) });
  const failure = (value: unknown) => schema.safeParse(value).error!;

  it('names source, full path and the actual value, and keeps the zod error as cause', () => {
    const value = { items: [{ size: 1 }, { size: 'big' }] };
    const error = failure(value);
    const inputError = issuesToInputError(error, value, { source: 'input.json', prefix: ['outer'] });
    expect(inputError).toBeInstanceOf(InputError);
    expect(inputError.message).toBe('input.json at outer.items[1].size: expected a number, got the string "big"');
    expect(inputError.source).toBe('input.json');
    expect(inputError.path).toBe('outer.items[1].size');
    expect(inputError.cause).toBe(error);
  });

  it('leaves out the path when the root itself is wrong', () => {
    const error = issuesToInputError(z.object({}).safeParse(7).error!, 7, { source: 'input.json' });
    expect(error.message).toBe('input.json: expected an object, got the number 7');
    expect(error.path).toBeUndefined();
  });

  it('opens with what the document is meant to be', () => {
    const value = { items: {} };
    expect(issuesToInputError(failure(value), value, { source: 's', what: 'Thing' }).message).toBe('s at items: Thing: expected an array, got an object');
  });

  it('counts the problems after the first', () => {
    const one = { items: [{}, { size: 'x' }] };
    expect(issuesToInputError(failure(one), one, { source: 's' }).message).toBe('s at items[0].size: is required: expected a number (and 1 more problem)');
    const three = { items: [{}, {}, {}, {}] };
    expect(issuesToInputError(failure(three), three, { source: 's' }).message).toMatch(/ \(and 3 more problems\)$/);
  });

  describe('listing every problem', () => {
    const strict = z.strictObject({ mode: z.enum(['enforce', 'audit']), name: z.string().min(1), tags: z.array(z.string()).optional() });
    const list = (value: unknown, listEvery: IssueContext['listEvery']) =>
      issuesToInputError(strict.safeParse(value).error!, value, { source: 'p.json', schema: strict, listEvery });

    it('lists each problem on its own line under the heading, with no single path', () => {
      const error = list({ mode: 'strict', name: '', extra: 1 }, { heading: 'invalid policy' });
      expect(error.message).toBe(
        'p.json: invalid policy (3 problems):\n' +
          '  mode: expected one of "enforce", "audit", got the string "strict"\n' +
          '  name: expected a non-empty string, got an empty string\n' +
          '  extra: unknown key; expected one of mode, name, tags',
      );
      expect(error.path).toBeUndefined();
      expect(error.cause).toBeInstanceOf(z.ZodError);
    });

    it('reports a single problem like the first-problem form, with its path', () => {
      const error = list({ mode: 'audit', name: 'n', tags: 'a' }, { heading: 'invalid policy' });
      expect(error.message).toBe('p.json at tags: expected an array, got the string "a"');
      expect(error.path).toBe('tags');
    });

    it(`caps the list at ${MAX_LISTED_PROBLEMS} by default, or at max, and says how many more there are`, () => {
      const value = { mode: 'audit', name: 'n', ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])) };
      const capped = list(value, { heading: 'invalid policy' });
      expect(capped.message).toContain('invalid policy (30 problems):');
      expect(capped.message.split('\n')).toHaveLength(1 + MAX_LISTED_PROBLEMS + 1);
      expect(capped.message).toContain(`\n  k${MAX_LISTED_PROBLEMS - 1}: unknown key`);
      expect(capped.message).not.toContain(`\n  k${MAX_LISTED_PROBLEMS}: `);
      expect(capped.message.endsWith(`\n  ... and ${30 - MAX_LISTED_PROBLEMS} more`)).toBe(true);
      const short = list(value, { heading: 'invalid policy', max: 2 });
      expect(short.message.split('\n')).toEqual(['p.json: invalid policy (30 problems):', '  k0: unknown key; expected one of mode, name, tags', '  k1: unknown key; expected one of mode, name, tags', '  ... and 28 more']);
    });

    it('names a problem with the document itself "(document)" in the list', () => {
      const schema = z.object({ a: z.string().optional(), b: z.number() }).superRefine((o, ctx) => {
        if (o.a === undefined) ctx.addIssue({ code: 'custom', message: 'needs a' });
        ctx.addIssue({ code: 'custom', path: ['b'], message: 'b is odd' });
      });
      const error = issuesToInputError(schema.safeParse({ b: 1 }).error!, { b: 1 }, { source: 'p.json', listEvery: { heading: 'invalid thing' } });
      expect(error.message).toBe('p.json: invalid thing (2 problems):\n  (document): needs a\n  b: b is odd');
    });
  });
});

describe('parseWithSchema', () => {
  const schema = z.object({ items: z.array(z.object({ id: z.string().min(1), kind: z.enum(['a', 'b']) })) });

  it('returns the parsed value', () => {
    expect(parseWithSchema(schema, { items: [{ id: 'x', kind: 'a', extra: 1 }] }, { source: 's', what: 'Thing' })).toEqual({
      items: [{ id: 'x', kind: 'a' }],
    });
  });

  it('prefixes the path of a part validated on its own', () => {
    const error = inputErrorOf(() => parseWithSchema(schema, { items: [{ id: '', kind: 'a' }] }, { source: 's', what: 'Thing', prefix: ['outer', 1] }));
    expect(error.path).toBe('outer[1].items[0].id');
    expect(error.message).toBe('s at outer[1].items[0].id: Thing: expected a non-empty string, got an empty string');
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

  it('passes its schema on, so unknown keys list the allowed ones', () => {
    const strict = z.strictObject({ a: z.string() });
    expect(inputErrorOf(() => parseWithSchema(strict, { a: 'x', b: 1 }, { source: 's' })).message).toBe('s at b: unknown key; expected one of a');
  });

  it('names, for any input the schema rejects, a path that leads into that input', () => {
    assertProperty(
      fc.property(fc.jsonValue(), (value) => {
        const result = schema.safeParse(value);
        if (result.success) return;
        const error = inputErrorOf(() => parseWithSchema(schema, value, { source: 'src' }));
        expect(error.message.startsWith(error.path ? `src at ${error.path}: ` : 'src: ')).toBe(true);
        const keys: JsonPath = error.path ? readJsonPath(error.path) : [];
        // Every key but the last (which may be the missing member) exists in the input.
        let node: unknown = value;
        for (const key of keys.slice(0, -1)) {
          expect(node !== null && typeof node === 'object' && (key as string) in node).toBe(true);
          node = (node as Record<PropertyKey, unknown>)[key as string];
        }
      }),
    );
  });
});
