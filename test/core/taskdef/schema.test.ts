import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { plainTaskDefinition, taskDefinitionSchema } from '../../../functions/core/taskdef/schema';
import { conformanceTaskDefinitions } from '../../support/conformance';
import { assertProperty } from '../../support/property';
import { applyMutation, jsonish, mutated } from '../events/mutate';

/*
 * plainTaskDefinition takes a task definition as it is only where taskDefinitionSchema accepts it and hands back the
 * same values; everything else goes to the schema (core/taskdef/parse.ts). Held to that on the project's and the real
 * ECS API samples, mutated at random and at the schema's type and length boundaries.
 */

const FIXTURES = join(__dirname, '../../fixtures/taskdefs');
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>)
  .map((document) => (document.taskDefinition ?? document) as Record<string, unknown>);
const samples: Record<string, unknown>[] = [...fixtures, ...conformanceTaskDefinitions().map((t) => t.json)];

/** A sample with settings of every kind the schema reads, so each member is there to be mutated. */
const full = {
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3',
  family: 'web',
  revision: 3,
  networkMode: 'awsvpc',
  pidMode: 'task',
  ipcMode: 'none',
  runtimePlatform: { operatingSystemFamily: 'LINUX' },
  cpu: '256',
  memory: 512,
  containerDefinitions: [
    {
      name: 'app',
      image: 'public.ecr.aws/nginx/nginx:1.27',
      user: '1000',
      essential: true,
      environment: [{ name: 'MODE', value: 'prod' }],
      environmentFiles: [{ value: 'arn:aws:s3:::bucket/app.env', type: 's3' }],
      secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/db' }],
      readonlyRootFilesystem: true,
      privileged: false,
      cpu: 128,
      memory: 256,
      memoryReservation: 128,
      logConfiguration: { logDriver: 'awslogs' },
      linuxParameters: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } },
    },
  ],
};

const boundary = fc.constantFrom<unknown>(undefined, null, '', 'x', 'x'.repeat(64), 'x'.repeat(65), '\u{1F600}'.repeat(33), 0, -0, 1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, true, 'true', [], [''], [1], {}, [{}]);

function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

const nearlyValid = fc.constantFrom(full, ...samples).chain((sample) =>
  fc.tuple(mutated(sample), fc.constantFrom(...pathsOf(sample)), boundary).map(([doc, path, value]) => {
    try {
      return value === undefined ? applyMutation(doc, { path, op: 'delete' }) : applyMutation(doc, { path, op: 'set', value });
    } catch {
      return doc;
    }
  }),
);

describe('plainTaskDefinition', () => {
  it('takes the project\'s and the real task definitions, and one with every setting the schema reads, as they are', () => {
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const sample of [full, ...samples]) expect(plainTaskDefinition(sample)).toBe(sample);
  });

  it('takes only what taskDefinitionSchema accepts, with the same values', () => {
    assertProperty(
      fc.property(fc.oneof(jsonish, nearlyValid), (value) => {
        const taken = plainTaskDefinition(value);
        if (taken === undefined) return;
        const parsed = taskDefinitionSchema().safeParse(value);
        expect(parsed.success).toBe(true);
        expect(taken).toBe(value);
        expect(parsed.data).toEqual(taken);
      }),
      { numRuns: 2000 },
    );
  });
});
