import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { eventEnvelopeSchema, plainEnvelope } from '../../../functions/core/events/common';
import { ecsTaskSchema, plainEcsTask } from '../../../functions/core/events/ecs-task-state-change';
import { conformanceFiles } from '../../support/conformance';
import { assertProperty } from '../../support/property';
import { atBoundary, jsonish } from './mutate';

/*
 * The readers' fast paths (functions/core/events/plain-shape.ts) take a value as it is only where the zod schema beside
 * them accepts it and hands back the same values; everything else goes to the schema. These properties hold the fast
 * paths to that, on real and fixture events mutated at random and at the schemas' length and type boundaries.
 */

const FIXTURES = join(__dirname, '../../fixtures/events');
const documents = [
  ...readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown),
  ...conformanceFiles('events').map((file) => JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown),
];
const envelopes = documents.filter((d) => typeof d === 'object' && d !== null && 'detail-type' in d) as Record<string, unknown>[];
const taskDetails = envelopes.filter((e) => e['detail-type'] === 'ECS Task State Change').map((e) => e.detail);

/** Values at the schemas' limits: empty, at and past a maximum (in UTF-16 units and in code points), other types. */
const boundary = fc.constantFrom<unknown>(
  undefined,
  null,
  '',
  'x',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(255),
  'x'.repeat(256),
  'x'.repeat(257),
  'x'.repeat(1024),
  'x'.repeat(1025),
  '\u{1F600}'.repeat(128),
  '\u{1F600}'.repeat(129),
  '\uD800',
  0,
  -0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  true,
  [],
  ['a'],
  [1],
  {},
);

function expectSameAsSchema(taken: unknown, parsed: { success: boolean; data?: unknown }, value: unknown): void {
  if (taken === undefined) return;
  expect(parsed.success).toBe(true);
  expect(taken).toBe(value);
  expect(parsed.data).toEqual(taken);
}

describe('plainEnvelope', () => {
  const members = ['id', 'detail-type', 'source', 'version', 'account', 'time', 'region', 'resources', ['resources', 0]].map((p) => (Array.isArray(p) ? p : [p]));

  it('takes every fixture and real event as it is', () => {
    for (const envelope of envelopes) expect(plainEnvelope(envelope)).toBe(envelope);
  });

  it('takes only what eventEnvelopeSchema accepts, with the same members', () => {
    assertProperty(
      fc.property(fc.oneof(jsonish, fc.constantFrom(...envelopes).chain((e) => atBoundary(e, members, boundary))), (value) => {
        expectSameAsSchema(plainEnvelope(value), eventEnvelopeSchema().safeParse(value), value);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('plainEcsTask', () => {
  const members = [
    ...['taskArn', 'clusterArn', 'taskDefinitionArn', 'lastStatus', 'desiredStatus', 'launchType', 'capacityProviderName', 'group', 'startedBy', 'version', 'containers'].map((m) => [m]),
    ...['name', 'image', 'imageDigest', 'lastStatus'].map((m) => ['containers', 0, m]),
    ['containers', 0],
  ];

  it('takes every fixture and real task event detail the schema accepts as it is', () => {
    const accepted = taskDetails.filter((detail) => ecsTaskSchema().safeParse(detail).success);
    expect(accepted.length).toBeGreaterThan(3);
    for (const detail of accepted) expect(plainEcsTask(detail)).toBe(detail);
  });

  it('takes only what ecsTaskSchema accepts, with the same values', () => {
    assertProperty(
      fc.property(fc.oneof(jsonish, fc.constantFrom(...taskDetails).chain((d) => atBoundary(d, members, boundary))), (value) => {
        expectSameAsSchema(plainEcsTask(value), ecsTaskSchema().safeParse(value), value);
      }),
      { numRuns: 2000 },
    );
  });
});
