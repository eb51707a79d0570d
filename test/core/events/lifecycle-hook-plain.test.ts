import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as z from 'zod';
import {
  flatLifecycleHookPayloadSchema,
  hookStateSchema,
  lifecycleHookPayloadSchema,
  plainFlatHookPayload,
  plainHookState,
  plainWrappedHookPayload,
} from '../../../functions/core/events/lifecycle-hook';
import { isRecordOf } from '../../../functions/core/events/plain-shape';
import { assertProperty } from '../../support/property';
import { atBoundary as atBoundaryOf, jsonish, pathsOf } from './mutate';

/*
 * The lifecycle hook reader's fast paths (plain-shape.ts) take a payload as it is only where its zod schema accepts it
 * and hands back the same members; everything else goes to the schema, which decides and words the problem.
 */

const FIXTURES = join(__dirname, '../../fixtures/events');
const read = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const wrapped = ['lifecycle-hook-pre-scale-up.json', 'lifecycle-hook-post-scale-up.json', 'lifecycle-hook-callback.json'].map(read);
const flat = [read('lifecycle-hook-pre-scale-up-flat.json')];

/** Values at the schemas' limits: empty, at and past a maximum (in UTF-16 units and in code points), other types. */
const boundary = fc.constantFrom<unknown>(
  undefined,
  null,
  '',
  'x',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(256),
  'x'.repeat(257),
  'x'.repeat(2048),
  'x'.repeat(2049),
  '\u{1F600}'.repeat(64),
  '\u{1F600}'.repeat(65),
  0,
  -0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  ['a'],
  {},
  { a: 1 },
  { a: 'b' },
  { a: null },
  Object.create(null) as unknown,
  JSON.parse('{"__proto__": 1}') as unknown,
  { [Symbol('s')]: 1 },
  new Date(0),
);

/** A payload with one member, at any depth, set to a boundary value (or removed), on top of random mutations. */
const atBoundary = (document: Record<string, unknown>) => atBoundaryOf(document, pathsOf(document), boundary);

function expectSameAsSchema(taken: unknown, parsed: { success: boolean; data?: unknown }, value: unknown): void {
  if (taken === undefined || taken === false) return;
  expect(parsed.success).toBe(true);
  if (taken !== true) expect(taken).toBe(value);
  expect(parsed.data).toEqual(value);
}

describe('plainWrappedHookPayload', () => {
  it('takes every wrapped fixture as it is', () => {
    for (const payload of wrapped) expect(plainWrappedHookPayload(payload)).toBe(payload);
  });

  it('takes only what lifecycleHookPayloadSchema accepts, with the same members', () => {
    assertProperty(
      fc.property(fc.oneof(jsonish, fc.constantFrom(...wrapped).chain(atBoundary)), (value) => {
        expectSameAsSchema(plainWrappedHookPayload(value), lifecycleHookPayloadSchema().safeParse(value), value);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('plainFlatHookPayload', () => {
  it('takes the flat fixture as it is', () => {
    for (const payload of flat) expect(plainFlatHookPayload(payload)).toBe(payload);
  });

  it('takes only what the flat schema accepts, with the same members', () => {
    assertProperty(
      fc.property(fc.oneof(jsonish, fc.constantFrom(...flat, ...wrapped.map((payload) => ({ ...payload, ...(payload.executionDetails as object) }))).chain(atBoundary)), (value) => {
        expectSameAsSchema(plainFlatHookPayload(value), flatLifecycleHookPayloadSchema().safeParse(value), value);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('plainHookState', () => {
  const state = (wrapped[2].hookDetails as Record<string, unknown>).fargateGate as Record<string, unknown>;

  it("takes the state the gate wrote as it is", () => {
    expect(plainHookState(state)).toBe(true);
  });

  it('takes only what hookStateSchema accepts, with the same members', () => {
    assertProperty(
      fc.property(fc.oneof(jsonish, atBoundary(state), atBoundary({ scans: {}, failures: 3 })), (value) => {
        expectSameAsSchema(plainHookState(value), hookStateSchema().safeParse(value), value);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('isRecordOf', () => {
  it('says yes only where z.record(z.string(), item) accepts the value and hands back the same members', () => {
    const values = fc.oneof(jsonish, boundary, fc.dictionary(fc.string({ maxLength: 4 }), boundary, { maxKeys: 3 }));
    assertProperty(
      fc.property(values, (value) => {
        const taken = isRecordOf(value, (item) => typeof item === 'number' && Number.isFinite(item));
        expectSameAsSchema(taken, z.record(z.string(), z.number()).safeParse(value), value);
      }),
      { numRuns: 1500 },
    );
  });
});
